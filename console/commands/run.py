"""``l2console run``: trade one symbol in dry-run, paper or live mode."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
from pathlib import Path

from brokers import registry
from console.commands.errors import UsageError
from console.durations import DurationError, parse_duration
from console.options import RunOptions
from console.settings import ExitPositionAction, Settings
from core.enums import Mode


def add_trading_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments shared by every command that trades (run, paper)."""
    add_broker_argument(parser, default=registry.DEFAULT_VENUE)
    add_db_argument(parser)
    parser.add_argument("--symbol", help="product id: PF_XBTUSD (Kraken), BTCUSDT (Binance.us)")
    parser.add_argument("--no-ui", dest="ui", action="store_false", help="log lines, no console")
    parser.add_argument("--seed", type=int, help="simulated venue: market seed")
    parser.add_argument(
        "--record", type=Path, metavar="FILE", help="also record every raw venue frame to FILE"
    )
    parser.add_argument(
        "--leave-position-on-exit",
        dest="flatten_on_exit",
        action="store_false",
        default=None,
        help="paper/live: do not flatten on SIGINT/SIGTERM or at the end (POSITION_ON_EXIT)",
    )


def add_broker_argument(parser: argparse.ArgumentParser, *, default: str) -> None:
    """``--broker NAME``: a venue of ``brokers.registry`` (an older alias is accepted)."""
    parser.add_argument(
        "--broker", type=registry.resolve_alias, choices=registry.names(), default=default
    )


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, help="session database (default: the L2CONSOLE_DB setting)"
    )


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    run = commands.add_parser("run", help="run the strategy (default: simulated venue, dry run)")
    add_trading_arguments(run)
    run.add_argument(
        "--session",
        metavar="NAME",
        help="record this run in a named session (resumes it); `l2console flatten --session "
        "NAME` reaches it",
    )
    run.add_argument("--duration", help="seconds, or 90s, 5m, 24h (default: until stopped)")
    modes = run.add_mutually_exclusive_group()
    modes.add_argument("--dry-run", dest="mode", action="store_const", const=Mode.DRY_RUN)
    modes.add_argument("--paper", dest="mode", action="store_const", const=Mode.PAPER)
    modes.add_argument("--live", dest="mode", action="store_const", const=Mode.LIVE)
    run.add_argument("--production", action="store_true", help="Kraken: production, not demo")
    run.add_argument(
        "--i-understand-this-is-real-money", dest="real_money_ack", action="store_true"
    )
    run.set_defaults(handler=handle)


def run_options(
    args: argparse.Namespace,
    *,
    bare_duration_unit: str = "s",
    mode: Mode | None = None,
    session: str | None = None,
) -> RunOptions:
    venue = registry.venue(args.broker)
    try:
        duration = (
            None
            if args.duration is None
            else parse_duration(args.duration, bare_unit=bare_duration_unit)
        )
    except DurationError as exc:
        raise UsageError(str(exc)) from None
    production = getattr(args, "production", False)
    if production and not venue.has_demo:
        with_demo = [name for name in registry.names() if registry.venue(name).has_demo]
        raise UsageError(f"--production applies to --broker {' or '.join(with_demo)} only")
    return RunOptions(
        broker=venue.name,
        symbol=(args.symbol or venue.default_symbol).upper(),
        mode=mode or getattr(args, "mode", None) or Mode.DRY_RUN,
        duration_s=duration,
        ui=args.ui,
        production=production,
        real_money_ack=getattr(args, "real_money_ack", False),
        seed=args.seed,
        flatten_on_exit=args.flatten_on_exit,
        session=session or getattr(args, "session", None),
        db_path=args.db,
        record_path=getattr(args, "record", None),
    )


def handle(args: argparse.Namespace, settings: Settings) -> int:
    return start(run_options(args), settings)


def start(options: RunOptions, settings: Settings) -> int:
    """Run headless or in the console, turning start-up failures into one line."""
    from console.headless import run_headless  # noqa: PLC0415 - keep --help instant
    from console.venue_setup import StartupError  # noqa: PLC0415

    if options.flatten_on_exit is None:  # no --leave-position-on-exit: the setting decides
        flatten = settings.position_on_exit is ExitPositionAction.FLATTEN
        options = dataclasses.replace(options, flatten_on_exit=flatten)
    try:
        if options.ui:
            return asyncio.run(_run_console(options, settings))
        return asyncio.run(run_headless(options, settings))
    except StartupError as exc:
        raise UsageError(str(exc)) from None


async def _run_console(options: RunOptions, settings: Settings) -> int:
    if not (sys.stdin.isatty() and sys.stderr.isatty()):  # Textual draws on stderr
        raise UsageError("the console needs a terminal: add --no-ui for log lines (systemd, pipes)")
    from console.app.run import run_console  # noqa: PLC0415 - Textual loads only for the console

    return await run_console(options, settings)
