"""``l2console paper``: a named, resumable paper-trading session (the 60-day validator)."""

from __future__ import annotations

import argparse
import re

from brokers import registry
from console.commands.errors import UsageError
from console.commands.run import add_trading_arguments, run_options, start
from console.settings import Settings
from core.enums import Mode

SESSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    paper = commands.add_parser(
        "paper", help="paper-trade a named session; the same name again resumes it"
    )
    add_trading_arguments(paper)
    paper.add_argument("--session", help="session name (default: <broker>_<symbol>)")
    paper.add_argument("--duration", help="minutes, or 90m, 24h, 7d (default: until stopped)")
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
