"""``l2console replay FILE``: a recording through the real parser and the full paper engine."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from console.commands.errors import UsageError
from console.settings import Settings

if TYPE_CHECKING:
    from brokers.recording import RecordingHeader

SPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*x?\s*$", re.IGNORECASE)


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    replay = commands.add_parser(
        "replay",
        help="replay a recording through the strategy (paper fills; never counts for the gate)",
        description=(
            "Replay a recording made with `record` or `run --record`: the venue's real parser and "
            "the full engine in paper mode, on the recorded times. Same file and settings, same "
            "report, byte for byte."
        ),
    )
    replay.add_argument("file", type=Path, help="the recording (its parts FILE.1, … follow)")
    replay.add_argument(
        "--speed",
        help="max (as fast as possible: the default), or 1x, 10x, … the recorded pace "
        "(with --ui the default is 1x)",
    )
    replay.add_argument(
        "--ui", action="store_true", help="play it in the console: space pauses, n steps"
    )
    add_symbol_argument(replay)
    add_set_argument(replay)
    replay.add_argument(
        "--leave-position-open",
        dest="flatten",
        action="store_false",
        help="do not close a position still open when the recording ends",
    )
    replay.add_argument(
        "--quiet", action="store_true", help="print only the report, not each signal and trade"
    )
    replay.set_defaults(handler=handle)


def add_symbol_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--symbol",
        help="the symbol to replay from a file that holds several (a tardis.dev CSV file)",
    )


def add_set_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=(
            "change a setting for this run: a setting name (entry_imbalance_ratio=2.5) or "
            "signal, signal_entry, signal_exit, entry_ratio, reversal_ratio, take_profit, "
            "stop_loss, max_hold, cooldown, "
            "spread_filter, depth, notional, max_trades, max_daily_loss, max_position, "
            "taker_fee_bps, stale_after, pessimistic_latency, pessimistic_slippage, "
            "optimistic_improvement"
        ),
    )


def parse_speed(text: str) -> float | None:
    """``max`` -> None (no pacing); ``1x``, ``10x``, ``0.5x`` -> that multiple of real time."""
    if text.strip().lower() == "max":
        return None
    match = SPEED.match(text)
    speed = float(match.group(1)) if match else 0.0
    if speed <= 0:
        raise UsageError(f"bad --speed {text!r}: use max, or a multiple of real time like 1x, 10x")
    return speed


def recording_header(path: Path, symbol: str | None = None) -> RecordingHeader:
    """The recording's header (an l2console recording or a tardis.dev CSV file); a file that
    cannot be read is one line (``RecordingError`` for one that is not a recording)."""
    from brokers.recording.sources import open_recording  # noqa: PLC0415

    try:
        return open_recording(path, symbol).header
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot read {path}: {reason[:1].lower()}{reason[1:]}") from None


def handle(args: argparse.Namespace, settings: Settings) -> int:
    if args.ui:
        if not (sys.stdin.isatty() and sys.stderr.isatty()):  # Textual draws on stderr
            raise UsageError("the console needs a terminal: drop --ui for the printed replay")
        return asyncio.run(run_replay_console(args, settings, sys.stdout))
    return asyncio.run(run_replay(args, settings, sys.stdout))


async def run_replay(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    # Imported here so `l2console --help` stays instant.
    from brokers.recording import RecordingError  # noqa: PLC0415
    from console.replay.overrides import apply_overrides, parse_assignment  # noqa: PLC0415
    from console.replay.printer import ReplayPrinter  # noqa: PLC0415
    from console.replay.progress import ProgressBar  # noqa: PLC0415
    from console.replay.report import render_replay  # noqa: PLC0415
    from console.replay.runner import replay  # noqa: PLC0415
    from core.clock import ManualClock  # noqa: PLC0415

    speed = parse_speed(args.speed or "max")
    try:
        header = recording_header(args.file, args.symbol)
        tuned = apply_overrides(
            settings, [parse_assignment(text) for text in args.overrides], header.venue
        )
        clock = ManualClock(wall_ns=header.started_wall_ns, mono_ns=0)
        bar = ProgressBar()
        observers = []
        if not args.quiet:
            observers.append(ReplayPrinter(out, header.instrument, clock, before_line=bar.close))
        print(
            f"REPLAY of {args.file.name} | {header.venue_name} | {header.instrument.symbol} | "
            f"speed: {args.speed or 'max'}",
            file=out,
            flush=True,
        )
        try:
            result = await replay(
                args.file,
                tuned,
                speed=speed,
                flatten_at_end=args.flatten,
                progress=bar,
                observers=observers,
                clock=clock,
                symbol=args.symbol,
            )
        finally:
            bar.close()
    except RecordingError as exc:
        raise UsageError(str(exc)) from None
    out.write(render_replay(result, base=settings))
    out.flush()
    return 0


async def run_replay_console(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """The replay in the Textual console; the REPLAY report is printed once it closes."""
    from brokers import registry  # noqa: PLC0415
    from brokers.recording import RecordingError  # noqa: PLC0415
    from console.options import RunOptions  # noqa: PLC0415
    from console.replay.overrides import apply_overrides, parse_assignment  # noqa: PLC0415
    from console.replay.report import render_replay  # noqa: PLC0415
    from console.replay.runner import ReplayPlayer  # noqa: PLC0415
    from console.replay.ui import RecordingHost, ReplayConsole  # noqa: PLC0415
    from core.enums import Mode  # noqa: PLC0415

    speed = parse_speed(args.speed or "1x")
    try:
        header = recording_header(args.file, args.symbol)
        tuned = apply_overrides(
            settings, [parse_assignment(text) for text in args.overrides], header.venue
        )
        player = ReplayPlayer(args.file, tuned, symbol=args.symbol)
    except RecordingError as exc:
        raise UsageError(str(exc)) from None
    options = RunOptions(
        broker=registry.canonical(header.venue),
        symbol=header.instrument.symbol,
        mode=Mode.PAPER,
        duration_s=None,
        ui=True,
        flatten_on_exit=args.flatten,
    )
    host = RecordingHost(player, options, speed=speed)
    await ReplayConsole(host).run_async()
    if host.result is None:  # the console failed before stopping the replay
        await host.stop(flatten=args.flatten)
    assert host.result is not None
    out.write(render_replay(host.result, base=settings))
    out.flush()
    return 0
