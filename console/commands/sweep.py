"""``l2console sweep FILE --grid key=v1,v2 …``: a settings grid over a recording, on every core."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from console.commands.errors import UsageError
from console.commands.progress import add_cluster_argument, clear_progress, progress
from console.commands.replay import add_set_argument, add_symbol_argument, recording_header
from console.settings import Settings, SettingsError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sweep = commands.add_parser(
        "sweep",
        help="replay a recording once per combination of settings; in- and out-of-sample table",
    )
    sweep.add_argument("file", type=Path, help="the recording")
    sweep.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="KEY=V1,V2,…",
        help="values to try for one setting (same keys as replay --set); repeat for more",
    )
    add_symbol_argument(sweep)
    add_set_argument(sweep)
    sweep.add_argument(
        "--split",
        type=float,
        default=0.7,
        help="share of the market time that is in-sample (default 0.7: the first 70%%)",
    )
    sweep.add_argument(
        "--walk-forward",
        metavar="IN,OUT",
        help="also rolling windows: IN of in-sample then OUT out of sample, e.g. 10m,5m; each "
        "window's in-sample best is judged on the OUT after it",
    )
    sweep.add_argument(
        "--workers",
        type=int,
        default=2,
        help="processes (default 2); with --cluster, the passes each book's grid is cut into",
    )
    add_cluster_argument(sweep)
    sweep.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    from brokers.recording import RecordingError  # noqa: PLC0415
    from console.replay.overrides import apply_overrides, parse_assignment  # noqa: PLC0415
    from console.replay.sweep import parse_grid, run_sweep  # noqa: PLC0415
    from console.replay.sweep_report import render_sweep  # noqa: PLC0415
    from console.workers import ClusterUnavailable  # noqa: PLC0415

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    windows = None if args.walk_forward is None else walk_forward_windows(args.walk_forward)
    try:
        venue = recording_header(args.file, args.symbol).venue
        base = apply_overrides(settings, [parse_assignment(text) for text in args.overrides], venue)
        grid = parse_grid(args.grid, venue)
        result = run_sweep(
            args.file,
            base,
            grid,
            venue,
            split=args.split,
            workers=args.workers,
            on_done=progress("SWEEP", "passes"),
            symbol=args.symbol,
            cluster=args.cluster,
        )
    except (RecordingError, ClusterUnavailable) as exc:
        raise UsageError(str(exc)) from None
    finally:
        clear_progress()
    sys.stdout.write(render_sweep(result))
    if windows is not None:
        from console.replay.walk_forward import render_walk_forward, walk_forward  # noqa: PLC0415

        try:
            sys.stdout.write(render_walk_forward(walk_forward(result, *windows)))
        except SettingsError as exc:
            raise UsageError(str(exc)) from None
    return 0


def walk_forward_windows(text: str) -> tuple[float, float]:
    """``"10m,5m"`` -> (600.0, 300.0) seconds; a one-line error otherwise."""
    from console.durations import DurationError, parse_duration  # noqa: PLC0415

    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        raise UsageError(f"--walk-forward takes IN,OUT durations, e.g. 10m,5m (got {text!r})")
    try:
        in_s, out_s = (parse_duration(p) for p in parts)
    except DurationError as exc:
        raise UsageError(f"--walk-forward: {exc}") from None
    return in_s, out_s
