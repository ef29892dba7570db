"""``l2console``: the command line. Every user-facing mistake is one line and exit status 2."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from console.durations import DurationError, parse_duration
from console.options import DEFAULT_SYMBOLS, Broker, RunOptions
from console.settings import Settings, SettingsError, env_file_permission_warning, load_settings
from core.enums import Mode

EXIT_USAGE = 2


class UsageError(Exception):
    """A bad command line or setting, as one line."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake is a single line naming the fix instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="l2console",
        description="Terminal trading console for an L2 order-book-imbalance strategy.",
    )
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="settings file")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    run = commands.add_parser("run", help="run the strategy (default: simulated venue, dry run)")
    run.add_argument("--broker", choices=[b.value for b in Broker], default=Broker.SIM.value)
    run.add_argument("--symbol", help="product id, e.g. PF_XBTUSD (Kraken) or BTCUSDT (Binance.us)")
    run.add_argument(
        "--duration", help="how long: seconds, or 90s, 5m, 24h (default: until stopped)"
    )
    modes = run.add_mutually_exclusive_group()
    modes.add_argument("--dry-run", dest="mode", action="store_const", const=Mode.DRY_RUN)
    modes.add_argument("--paper", dest="mode", action="store_const", const=Mode.PAPER)
    modes.add_argument("--live", dest="mode", action="store_const", const=Mode.LIVE)
    run.add_argument("--production", action="store_true", help="Kraken: production, not demo")
    run.add_argument(
        "--i-understand-this-is-real-money", dest="real_money_ack", action="store_true"
    )
    run.add_argument(
        "--no-ui", dest="ui", action="store_false", help="log lines instead of the console"
    )
    run.add_argument("--seed", type=int, help="simulated venue: market seed")
    run.add_argument(
        "--leave-position-on-exit",
        dest="flatten_on_exit",
        action="store_false",
        help="paper/live: do not flatten on SIGINT/SIGTERM or at the end",
    )

    sim = commands.add_parser("sim", help="serve the simulated venue standalone")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8080)
    sim.add_argument("--seed", type=int)
    sim.add_argument("--rate", type=float, help="book messages per second")
    sim.add_argument("--edge", type=float, help="0..1: how much imbalance predicts the next move")
    return parser


def run_options(args: argparse.Namespace) -> RunOptions:
    broker = Broker(args.broker)
    try:
        duration = None if args.duration is None else parse_duration(args.duration, bare_unit="s")
    except DurationError as exc:
        raise UsageError(str(exc)) from None
    if args.production and broker is not Broker.KRAKEN:
        raise UsageError("--production applies to --broker kraken only")
    return RunOptions(
        broker=broker,
        symbol=(args.symbol or DEFAULT_SYMBOLS[broker]).upper(),
        mode=args.mode or Mode.DRY_RUN,
        duration_s=duration,
        ui=args.ui,
        production=args.production,
        real_money_ack=args.real_money_ack,
        seed=args.seed,
        flatten_on_exit=args.flatten_on_exit,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        settings = load_settings(args.env_file)
        warning = env_file_permission_warning(args.env_file)
        if warning:
            print(warning, file=sys.stderr)
        return dispatch(args, settings)
    except (UsageError, SettingsError) as exc:
        print(f"l2console: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here so that `l2console --help` and usage errors stay instant.
    from console.venue_setup import StartupError  # noqa: PLC0415

    try:
        if args.command == "run":
            return run_command(run_options(args), settings)
        if args.command == "sim":
            from console.sim_command import serve_sim  # noqa: PLC0415

            return asyncio.run(serve_sim(args, settings))
    except StartupError as exc:
        raise UsageError(str(exc)) from None
    raise UsageError(f"unknown command {args.command}")


def run_command(options: RunOptions, settings: Settings) -> int:
    from console.headless import run_headless  # noqa: PLC0415

    return asyncio.run(run_headless(options, settings))


if __name__ == "__main__":
    raise SystemExit(main())
