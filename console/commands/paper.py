"""``l2console paper``: a named, resumable paper-trading session (the 60-day validator)."""

from __future__ import annotations

import argparse
import re
import textwrap

from brokers import registry
from console.commands.errors import UsageError
from console.commands.run import add_trading_arguments, run_options, start
from console.exit_status import HELP as EXIT_HELP
from console.settings import Settings
from core.enums import Mode

SESSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    paper = commands.add_parser(
        "paper",
        help="paper-trade a named session; the same name again resumes it",
        description=textwrap.fill(
            "Paper trading in a named session: every order is filled by simulation against the "
            "live book (fees, slippage), recorded, and the position closed at exit; the same "
            "name again resumes it, and `l2console report` judges it against the paper gate. A "
            "dry run (`l2console run`) fills the same way but keeps nothing; nothing here "
            "reaches the venue."
        ),
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_trading_arguments(paper)
    paper.add_argument("--session", help="session name (default: <broker>_<symbol>)")
    paper.add_argument(
        "--duration",
        help="a bare number is minutes (1440 = 24 h); or 90s, 2 min, 24h, 7d "
        "(default: until stopped)",
    )
    paper.set_defaults(handler=handle)


def session_name(args: argparse.Namespace) -> str:
    if args.session is None:
        venue = registry.venue(args.broker)
        return f"{venue.name}_{(args.symbol or venue.default_symbol)}".lower()
    if not SESSION_NAME.match(args.session):
        raise UsageError(
            f"bad session name {args.session!r}: use letters, digits, '_', '-', '.' (64 at most)"
        )
    return args.session


def handle(args: argparse.Namespace, settings: Settings) -> int:
    options = run_options(args, bare_duration_unit="m", mode=Mode.PAPER, session=session_name(args))
    return start(options, settings)
