"""``l2console record``: record a venue's raw order-book frames to a file, trading nothing.

The feed runs with a real book behind it (the engine, in dry run, with nothing printed): a
sequence gap makes it ask the venue for a fresh snapshot exactly as a trading run would, so the
recording holds that snapshot and a replay rebuilds the book where the live run did.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from brokers import registry
from console.commands.errors import UsageError
from console.commands.run import add_broker_argument, run_options
from console.options import RunOptions
from console.settings import Settings
from core.enums import Mode

if TYPE_CHECKING:
    from brokers.recording import FrameRecorder
    from console.session import TradingSession

MB = 1024 * 1024


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    record = commands.add_parser("record", help="record raw venue frames to a file for replays")
    add_broker_argument(record, default=registry.DEFAULT_VENUE)
    record.add_argument("--symbol", help="product id: PF_XBTUSD (Kraken), BTCUSDT (Binance.us)")
    record.add_argument("--out", type=Path, required=True, metavar="FILE", help="new file")
    record.add_argument(
        "--duration",
        help="a bare number is seconds; or 90s, 5m, 2 min, 24h (default: until stopped)",
    )
    record.add_argument(
        "--rotate-mb",
        type=float,
        default=64.0,
        help="start a new part (FILE.1, FILE.2, …) when a part reaches this size (default 64)",
    )
    record.add_argument("--seed", type=int, help="simulated venue: market seed")
    record.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    if not args.rotate_mb > 0:
        raise UsageError("--rotate-mb must be more than 0")
    args.ui, args.flatten_on_exit, args.record, args.db = False, False, args.out, None
    options = dataclasses.replace(
        run_options(args), mode=Mode.DRY_RUN, record_rotate_bytes=int(args.rotate_mb * MB)
    )
    from console.venue_setup import StartupError  # noqa: PLC0415 - keep --help instant

    try:
        return asyncio.run(record(options, settings, sys.stdout))
    except StartupError as exc:
        raise UsageError(str(exc)) from None


async def record(options: RunOptions, settings: Settings, out: TextIO) -> int:
    from console.durations import describe_duration  # noqa: PLC0415
    from console.session import TradingSession  # noqa: PLC0415
    from console.stopping import stop_signals  # noqa: PLC0415
    from console.venue_setup import open_venue  # noqa: PLC0415

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    with stop_signals(loop, lambda _: stop.set()):
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            recorder = connection.recorder
            assert recorder is not None
            session = TradingSession(options, settings, connection)
            until = (
                "until stopped"
                if options.duration_s is None
                else describe_duration(options.duration_s)
            )
            _line(
                out,
                f"RECORD | {connection.venue_name} | {connection.instrument.symbol} -> "
                f"{recorder.path} | {until}",
            )
            await session.start()
            ticker = asyncio.create_task(
                _report(session, recorder, out, settings.state_interval_seconds),
                name="record status",
            )
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(options.duration_s):
                    await stop.wait()
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await session.stop(flatten=False)
        stats = recorder.stats  # closed by the stack: everything is on disk now
    _line(
        out,
        f"RECORDED | {stats.written:,} frames in {stats.parts} part(s), "
        f"{stats.bytes_written / MB:.2f} MB -> {stats.path}"
        + (f" | {stats.dropped:,} frames DROPPED" if stats.dropped else ""),
    )
    if stats.error:
        _line(out, f"RECORDING FAILED: {stats.error}")
        return 1
    return 0


async def _report(
    session: TradingSession, recorder: FrameRecorder, out: TextIO, every_s: float
) -> None:
    while True:
        await asyncio.sleep(every_s)
        stats = recorder.stats
        book = session.engine.state().book
        _line(
            out,
            f"RECORD | frames: {stats.frames:,} | on disk: {stats.written:,} "
            f"({stats.bytes_written / MB:.2f} MB) | book: {book.state.value}"
            + (f" | dropped: {stats.dropped:,}" if stats.dropped else ""),
        )


def _line(out: TextIO, text: str) -> None:
    print(text, file=out, flush=True)
