"""``l2console report``: a session's results, statistics and promotion gate."""

from __future__ import annotations

import argparse
import sys

from console.commands.errors import UsageError
from console.commands.run import add_db_argument
from console.report import render_report
from console.settings import Settings
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
    report.add_argument("--format", choices=["text", "json", "csv"], default="text")
    add_db_argument(report)
    report.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    db_path = args.db or settings.l2console_db
    try:
        with SessionReader(db_path) as reader:
            data = reader.report_data(args.session)
    except NoDatabaseError as exc:
        raise UsageError(f"{exc} (run `l2console paper` first)") from None
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    text = render_report(data, period=args.period, fmt=args.format, settings=settings.gate_settings)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
