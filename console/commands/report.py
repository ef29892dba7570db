"""``l2console report``: a session's results, statistics and promotion gate."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from console.commands.errors import UsageError
from console.commands.run import add_db_argument
from console.report import render_report
from console.settings import Settings
from core.events import RoundTrip
from core.store import NoDatabaseError, SessionReader, StoreError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    report = commands.add_parser("report", help="a session's report and gate verdict")
    report.add_argument("--session", required=True, help="session name (see `l2console sessions`)")
    periods = report.add_mutually_exclusive_group()
    periods.add_argument("--daily", dest="period", action="store_const", const="daily")
    periods.add_argument("--weekly", dest="period", action="store_const", const="weekly")
    periods.add_argument(
        "--monthly",
        dest="period",
        action="store_const",
        const="monthly",
        help="the monthly performance review: one row per calendar month (UTC)",
    )
    report.add_argument(
        "--format",
        choices=["text", "json", "csv", "parquet"],
        default="text",
        help="parquet: the round trips as a Parquet file (needs --to and pyarrow)",
    )
    report.add_argument(
        "--to", dest="target", type=Path, metavar="FILE", help="write the report to FILE"
    )
    add_db_argument(report)
    report.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    db_path = args.db or settings.l2console_db
    if args.format == "parquet":
        if args.target is None:
            raise UsageError("--format parquet writes a file: add --to FILE.parquet")
        if args.period is not None:
            raise UsageError(
                "--format parquet holds the round trips: drop --daily/--weekly/--monthly"
            )
    try:
        with SessionReader(db_path) as reader:
            data = reader.report_data(args.session)
            kill_switch_tests = tuple(reader.kill_switch_tests())
    except NoDatabaseError as exc:
        raise UsageError(f"{exc} (run `l2console paper` first)") from None
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "parquet":
        return _write_parquet(data.round_trips, args.target, args.session)
    text = render_report(data, period=args.period, fmt=args.format, settings=settings.gate_settings)
    text = text if text.endswith("\n") else text + "\n"
    if args.period == "monthly" and args.format == "text":  # the monthly habit, beside its review
        from console.checklists.reminder import kill_switch_habit  # noqa: PLC0415

        text += "\n" + kill_switch_habit(kill_switch_tests, time.time_ns()) + "\n"
    if args.target is None:
        sys.stdout.write(text)
        return 0
    try:
        args.target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {args.target}: {exc.strerror or exc}") from None
    return 0


def _write_parquet(trips: Sequence[RoundTrip], target: Path, session: str) -> int:
    from console.parquet import ParquetUnavailable  # noqa: PLC0415 - optional extra
    from console.parquet.round_trips import write_round_trips  # noqa: PLC0415

    try:
        rows = write_round_trips(trips, target, session=session)
    except ParquetUnavailable as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    print(f"{target}: {rows:,} round trips of session {session!r}")
    return 0
