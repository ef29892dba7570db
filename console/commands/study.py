"""``l2console study FILE…``: does any imbalance signal predict the mid here, after fees?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from console.commands.errors import UsageError
from console.commands.progress import add_cluster_argument, clear_progress, progress
from console.commands.replay import add_set_argument, add_symbol_argument, recording_header
from console.settings import Settings

FORMATS = ("text", "json", "csv")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    study = commands.add_parser(
        "study",
        help="on recordings: what each imbalance signal predicts about the mid's next move",
    )
    study.add_argument("files", type=Path, nargs="+", metavar="FILE", help="recordings")
    study.add_argument(
        "--signals",
        default="",
        metavar="A,B",
        help="signals to study (default all: ratio, queue, weighted, ofi, mlofi, microprice)",
    )
    study.add_argument(
        "--horizons",
        default="",
        metavar="H,H",
        help="mid changes (5) or seconds (30s); default 1,2,5,10,1s,5s,30s,60s",
    )
    study.add_argument(
        "--split",
        type=float,
        default=0.7,
        help="share of the market time that is in-sample (default 0.7: the first 70%%)",
    )
    study.add_argument("--format", choices=FORMATS, default="text", help="output (default text)")
    study.add_argument(
        "--plot", type=Path, metavar="FILE.svg|FILE.png", help="also draw the picture to a file"
    )
    study.add_argument(
        "--no-picture", action="store_true", help="text output without the terminal picture"
    )
    add_cluster_argument(study)
    add_symbol_argument(study)
    add_set_argument(study)
    study.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    from brokers.recording import RecordingError  # noqa: PLC0415
    from console.replay.overrides import apply_overrides, parse_assignment  # noqa: PLC0415
    from console.study.outcomes import DEFAULT_HORIZONS, parse_horizon  # noqa: PLC0415
    from console.study.plot import PlotUnavailable, save_picture  # noqa: PLC0415
    from console.study.render import render_csv, render_json, render_text  # noqa: PLC0415
    from console.study.run import StudyError, run_study  # noqa: PLC0415
    from console.workers import ClusterUnavailable  # noqa: PLC0415
    from core.signals import SIGNAL_NAMES, signal_info  # noqa: PLC0415

    try:
        signals = _names(args.signals) or list(SIGNAL_NAMES)
        for name in signals:
            signal_info(name)
        horizons = [parse_horizon(h) for h in _names(args.horizons)] or list(DEFAULT_HORIZONS)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.plot is not None and args.plot.suffix.lower() not in (".svg", ".png"):
        raise UsageError(f"--plot writes .svg or .png files, not {args.plot.name!r}")
    try:
        venue = recording_header(args.files[0], args.symbol).venue
        settings = apply_overrides(
            settings, [parse_assignment(text) for text in args.overrides], venue
        )
        result = run_study(
            args.files,
            settings,
            signals=signals,
            horizons=horizons,
            split=args.split,
            symbol=args.symbol,
            cluster=args.cluster,
            on_done=progress("STUDY", "files"),
        )
    except (RecordingError, StudyError, ClusterUnavailable) as exc:
        raise UsageError(str(exc)) from None
    finally:
        clear_progress()
    if args.plot is not None:
        try:
            save_picture(result, args.plot)
        except PlotUnavailable as exc:
            raise UsageError(str(exc)) from None
    if args.format == "json":
        sys.stdout.write(render_json(result))
    elif args.format == "csv":
        sys.stdout.write(render_csv(result))
    else:
        sys.stdout.write(render_text(result))
        if not args.no_picture:
            from console.study.plot import terminal_picture  # noqa: PLC0415

            sys.stdout.write("\n" + terminal_picture(result))
    return 0


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
