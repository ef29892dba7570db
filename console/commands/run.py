"""``l2console run``: trade one symbol in dry-run, paper or live mode."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import textwrap
from decimal import Decimal, InvalidOperation
from pathlib import Path

from brokers import registry
from console.commands.errors import UsageError
from console.durations import DurationError, parse_duration
from console.exit_status import HELP as EXIT_HELP
from console.options import RunOptions
from console.retired import DEMO_RETIRED, REHEARSAL
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
        help="paper/live: do not flatten on SIGINT/SIGTERM/SIGHUP or at the end (POSITION_ON_EXIT)",
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
    run = commands.add_parser(
        "run",
        help="run the strategy (default: simulated venue, dry run)",
        description=textwrap.fill(
            "Run the strategy on one symbol. Neither a dry run (the default) nor --paper sends "
            "an order: both fill the strategy's orders by simulation against the live book. A "
            "dry run is a look: its position is dropped at exit. Paper is the record: the "
            "position is closed at exit, and a named session keeps every fill, resumes, and is "
            "judged by the paper gate. --live sends orders to the venue."
        ),
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_trading_arguments(run)
    run.add_argument(
        "--session",
        metavar="NAME",
        help="record this run in a named session (resumes it); `l2console flatten --session "
        "NAME` reaches it",
    )
    run.add_argument(
        "--duration",
        help="a bare number is seconds; or 90s, 5m, 2 min, 1h30m, 24h (default: until stopped)",
    )
    modes = run.add_mutually_exclusive_group()
    modes.add_argument(
        "--dry-run",
        dest="mode",
        action="store_const",
        const=Mode.DRY_RUN,
        help="the default: a look, not a record: the strategy trades a simulated position on the "
        "live book so its entries and exits show; at exit the position is dropped, not closed",
    )
    modes.add_argument(
        "--paper",
        dest="mode",
        action="store_const",
        const=Mode.PAPER,
        help="the same simulated fills as a record: the position is closed at exit so the P&L is "
        "complete; with --session (or `l2console paper`) recorded, resumed and gated",
    )
    modes.add_argument(
        "--live",
        dest="mode",
        action="store_const",
        const=Mode.LIVE,
        help="orders go to the venue: on Kraken and Binance.us that is REAL MONEY (add "
        "--i-understand-this-is-real-money; Kraken retired its demo on 14 July 2026); on the "
        "simulated venue (--broker sim) a rehearsal",
    )
    run.add_argument("--production", action="store_true", help=argparse.SUPPRESS)
    run.add_argument(
        "--i-understand-this-is-real-money", dest="real_money_ack", action="store_true"
    )
    door = run.add_argument_group("real money (Kraken --live, Binance.us --live)")
    door.add_argument(
        "--validated-by",
        metavar="SESSION",
        help="the paper session whose live checklist must pass (l2console checklist live)",
    )
    door.add_argument("--capital", metavar="USD", help="the capital you trade with (e.g. 300)")
    door.add_argument(
        "--skip-checklist",
        action="store_true",
        help="trade real money without the live checklist (printed and recorded with the run)",
    )
    run.set_defaults(handler=handle)


NO_DEMO = (
    f"--production is gone: {DEMO_RETIRED}, so --live on Kraken is real money "
    f"(add --i-understand-this-is-real-money); {REHEARSAL}"
)


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
        raise UsageError(NO_DEMO)
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
        validated_by=getattr(args, "validated_by", None),
        skip_checklist=getattr(args, "skip_checklist", False),
        capital_usd=parse_capital(getattr(args, "capital", None)),
        env_file=getattr(args, "env_file", Path(".env")),
    )


def parse_capital(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        capital = Decimal(text.strip().lstrip("$").replace(",", ""))
    except InvalidOperation:
        raise UsageError(f"bad --capital {text!r}: give an amount in USD, e.g. 300") from None
    if not capital.is_finite() or capital <= 0:
        raise UsageError(f"bad --capital {text!r}: give a positive amount in USD, e.g. 300")
    return capital


def handle(args: argparse.Namespace, settings: Settings) -> int:
    from console.door import check_the_door  # noqa: PLC0415 - keep --help instant

    options = run_options(args)
    check_the_door(options, settings, env_file=args.env_file)
    return start(options, settings)


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
        from console.unattended.start_failure import notify_start_failure  # noqa: PLC0415

        label = options.session or f"{options.broker} {options.symbol or ''}".strip()
        notify_start_failure(settings, label, str(exc))
        raise UsageError(str(exc)) from None


async def _run_console(options: RunOptions, settings: Settings) -> int:
    if not (sys.stdin.isatty() and sys.stderr.isatty()):  # Textual draws on stderr
        raise UsageError("the console needs a terminal: add --no-ui for log lines (systemd, pipes)")
    from console.app.run import run_console  # noqa: PLC0415 - Textual loads only for the console

    return await run_console(options, settings)
