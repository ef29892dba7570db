"""The door to real money: a run that can trade real money first passes the live checklist of
the paper session that validated the strategy (``--validated-by``), or says out loud that it
skips it (``--skip-checklist``: printed, and stored with the run)."""

from __future__ import annotations

import sys
from pathlib import Path

from console.checklists import live_for
from console.commands.errors import UsageError
from console.options import RunOptions
from console.settings import Settings
from core.checklists import Verdict
from core.store import SessionReader, StoreError

SKIPPED = "skipped"
PASSED = "passed"


def can_trade_real_money(options: RunOptions) -> bool:
    """Kraken or Binance.us live with the real-money flag (no venue has a demo): the run may send real
    orders (a paper start with the flag could be switched to live in the console)."""
    if not options.real_money_ack:
        return False
    return options.venue.real_money(started_live=True, production=options.production)


def check_the_door(options: RunOptions, settings: Settings, *, env_file: Path) -> None:
    """Raises ``UsageError`` with the open checklist lines unless the run may go through."""
    if not can_trade_real_money(options):
        if options.validated_by or options.skip_checklist:
            raise UsageError(
                "--validated-by and --skip-checklist guard real money only (Kraken or Binance.us "
                "--live, with --i-understand-this-is-real-money)"
            )
        return
    if not options.session:
        raise UsageError(
            "real money keeps an audit trail: add --session NAME (a new name for the live session)"
        )
    if options.skip_checklist:
        print(
            "l2console: --skip-checklist: trading real money WITHOUT the live checklist "
            f"(recorded with session {options.session}'s run)",
            file=sys.stderr,
        )
        return
    if not options.validated_by:
        raise UsageError(
            "real money needs the live checklist of the paper session that validated the "
            "strategy: add --validated-by SESSION and --capital USD "
            "(or --skip-checklist, recorded with the run)"
        )
    _run_the_checklist(options, settings, env_file)


def _run_the_checklist(options: RunOptions, settings: Settings, env_file: Path) -> None:
    db_path = options.db_path or settings.l2console_db
    if not db_path.exists():
        raise UsageError(f"no session database at {db_path}: no paper session to validate with")
    try:
        with SessionReader(db_path) as reader:
            checklist = live_for(
                reader,
                str(options.validated_by),
                settings,
                env_file=env_file,
                capital_usd=options.capital_usd,
                key_names=options.venue.real_money_keys,
            )
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    if checklist.complete:
        return
    open_lines = "\n".join(
        f"  {'✗' if line.verdict is Verdict.FAILED else 'not yet'}  {line.title}: {line.why}"
        for line in checklist.open_lines
    )
    raise UsageError(
        f"refusing real money: the live checklist of paper session {options.validated_by} has "
        f"{len(checklist.open_lines)} open lines (l2console checklist live --session "
        f"{options.validated_by}; or --skip-checklist, recorded with the run):\n{open_lines}"
    )


def door_record(options: RunOptions) -> dict[str, object]:
    """What the run's record keeps about the door (``runs.parameters``)."""
    record: dict[str, object] = {"real_money": options.real_money}
    if can_trade_real_money(options):
        record["real_money_door"] = {
            "checklist": SKIPPED if options.skip_checklist else PASSED,
            "validated_by": options.validated_by,
            "capital_usd": None if options.capital_usd is None else str(options.capital_usd),
        }
    return record
