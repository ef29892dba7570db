"""``l2console checklist integration|live``: the guide's checklists, judged from the record.

Exit status 0 when every line passed, 1 when a line is still open (so a script can wait on it),
2 for a mistake (no database, no such session, a bad --capital).
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal

from console.checklists import integration_for, live_for, render_checklist
from console.commands.errors import UsageError
from console.commands.run import add_db_argument, parse_capital
from console.settings import Settings
from core.checklists import Checklist
from core.store import SessionReader, StoreError

EXIT_OPEN = 1


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    checklist = commands.add_parser(
        "checklist", help="the guide's checklists, judged from a session's record"
    )
    kinds = checklist.add_subparsers(dest="checklist", required=True)
    integration = kinds.add_parser(
        "integration", help="Integration Testing Checklist of a live session"
    )
    integration.add_argument("--session", required=True, help="the session whose record counts")
    add_db_argument(integration)
    integration.set_defaults(handler=handle)
    live = kinds.add_parser(
        "live", help="Live Trading Preparation, for the paper session that validated the strategy"
    )
    live.add_argument("--session", required=True, help="the paper session (gate 5→6)")
    live.add_argument("--capital", help="the capital you will trade with, in USD (e.g. 300)")
    add_db_argument(live)
    live.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    capital = parse_capital(getattr(args, "capital", None))
    checklist = judge(args, settings, capital)
    sys.stdout.write(render_checklist(checklist))
    return 0 if checklist.complete else EXIT_OPEN


def judge(args: argparse.Namespace, settings: Settings, capital: Decimal | None) -> Checklist:
    db_path = args.db or settings.l2console_db
    if not db_path.exists():
        raise UsageError(f"no session database at {db_path} (run `l2console paper` first)")
    try:
        with SessionReader(db_path) as reader:
            if args.checklist == "integration":
                return integration_for(reader, args.session)
            return live_for(
                reader, args.session, settings, env_file=args.env_file, capital_usd=capital
            )
    except StoreError as exc:
        raise UsageError(str(exc)) from None
