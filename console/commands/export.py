"""``l2console export FILE --to features.parquet``: a recording's book updates and signals as a
Parquet file, one row per update (``console.parquet.features``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from console.commands.errors import UsageError
from console.commands.replay import add_set_argument, add_symbol_argument, recording_header
from console.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = commands.add_parser(
        "export",
        help="write a recording's book updates with every signal as a Parquet file",
        description=(
            "One row per update of the instrument's book (while it is LIVE with both sides): "
            "times, best bid/ask and their sizes, mid, spread and every signal of the strategy "
            "lab. Needs pyarrow: pip install 'l2console[parquet]'."
        ),
    )
    export.add_argument("file", type=Path, help="the recording (or tardis.dev / cryptofeed file)")
    export.add_argument(
        "--to", dest="target", type=Path, required=True, metavar="FILE", help="the .parquet file"
    )
    add_symbol_argument(export)
    add_set_argument(export)
    export.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    from brokers.recording import RecordingError  # noqa: PLC0415 - keeps --help instant
    from console.parquet import ParquetUnavailable  # noqa: PLC0415
    from console.parquet.features import export_features  # noqa: PLC0415
    from console.replay.overrides import apply_overrides, parse_assignment  # noqa: PLC0415

    try:
        venue = recording_header(args.file, args.symbol).venue
        settings = apply_overrides(
            settings, [parse_assignment(text) for text in args.overrides], venue
        )
        done = export_features(
            args.file, args.target, depth=settings.imbalance_depth, symbol=args.symbol
        )
    except (RecordingError, ParquetUnavailable) as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write {args.target}: {exc.strerror or exc}") from None
    print(
        f"{args.target}: {done.rows:,} book updates of {done.symbol} ({done.frames:,} frames read)"
    )
    return 0
