"""``l2console bench``: measure the hot path on this machine (a table, or ``--json``)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from console.commands.errors import UsageError
from console.durations import DurationError, parse_duration
from console.settings import Settings

if TYPE_CHECKING:
    from console.bench import BenchOptions

PARTS = ("pipeline", "latency", "ui", "memory", "sweep")
EXIT_INTERRUPTED = 130
T = TypeVar("T")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    bench = commands.add_parser(
        "bench", help="measure parse→decision cost, tick→decision latency and memory here"
    )
    bench.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    bench.add_argument(
        "--only",
        metavar="PARTS",
        help=f"run only these parts, comma-separated: {', '.join(PARTS)} (default: all)",
    )
    bench.add_argument(
        "--frames",
        dest="frames_file",
        metavar="FILE",
        help="pipeline on this file: a recording, a tardis.dev CSV file, or one raw JSON "
        "frame a line",
    )
    bench.add_argument(
        "--symbol",
        dest="frames_symbol",
        help="with --frames: the symbol of a file that holds several (tardis.dev CSV)",
    )
    bench.add_argument(
        "--count", type=int, default=100_000, help="synthetic frames for the pipeline"
    )
    bench.add_argument(
        "--rate", type=float, default=2_000.0, help="frames/s the simulated venue sends"
    )
    bench.add_argument(
        "--duration", default="10s", help="each live part's measured window: 10s, 5m, 1h"
    )
    bench.add_argument("--warmup", default="2s", help="live parts: time before measuring")
    bench.add_argument("--repeats", type=int, default=5, help="pipeline runs (best is kept)")
    bench.add_argument("--seed", type=int, default=1, help="simulated market seed")
    bench.set_defaults(handler=handle)


def options_from(args: argparse.Namespace) -> BenchOptions:
    from console.bench import ALL_PARTS, BenchOptions, Part  # noqa: PLC0415

    parts = ALL_PARTS
    if args.only:
        names = [name.strip().lower() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in names if name not in PARTS]
        if unknown or not names:
            raise UsageError(f"--only takes {', '.join(PARTS)} (got {args.only!r})")
        parts = frozenset(Part(name) for name in names)
    try:
        seconds = parse_duration(args.duration)
        warmup = 0.0 if args.warmup.strip() in ("0", "0s") else parse_duration(args.warmup)
    except DurationError as exc:
        raise UsageError(str(exc)) from None
    if args.count < 2:
        raise UsageError(f"--count must be at least 2, got {args.count}")
    if not 0 < args.rate <= 100_000:
        raise UsageError(f"--rate must be within 0..100000 frames/s, got {args.rate:g}")
    if args.repeats < 1:
        raise UsageError(f"--repeats must be at least 1, got {args.repeats}")
    return BenchOptions(
        parts=parts,
        frames_file=Path(args.frames_file) if args.frames_file else None,
        frames_symbol=args.frames_symbol,
        count=args.count,
        rate_hz=args.rate,
        seconds=seconds,
        warmup_s=warmup,
        repeats=args.repeats,
        seed=args.seed,
        env_file=args.env_file,
    )


async def until_signalled(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work``; SIGINT or SIGTERM cancel it, so the sim process and sockets are closed."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(work)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        return await task
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    from console.bench import (  # noqa: PLC0415
        FramesError,
        LiveRunError,
        SimStartError,
        run_bench,
    )

    options = options_from(args)

    def progress(text: str) -> None:
        print(f"bench: {text}", file=sys.stderr, flush=True)

    try:
        report = asyncio.run(until_signalled(run_bench(options, settings, progress)))
    except (FramesError, LiveRunError, SimStartError) as exc:
        raise UsageError(str(exc)) from None
    except asyncio.CancelledError:
        progress("interrupted: nothing measured is printed")
        return EXIT_INTERRUPTED
    if args.json:
        sys.stdout.write(orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2).decode())
        sys.stdout.write("\n")
    else:
        print(report.table())
    return 0
