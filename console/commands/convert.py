"""``l2console convert IN OUT``: a tardis.dev CSV or cryptofeed raw file as an l2console recording."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from console.commands.errors import UsageError
from console.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    convert = commands.add_parser(
        "convert",
        help="write a tardis.dev CSV or cryptofeed raw data file as an l2console recording",
        description=(
            "Write a tardis.dev incremental_book_L2 CSV file or a cryptofeed raw data collection "
            "file (gzip or plain; Kraken Futures, Binance.us) as an l2console recording of the "
            "venue's own frames: it replays to the same report as the file itself."
        ),
    )
    convert.add_argument(
        "source", type=Path, metavar="IN", help="the tardis.dev or cryptofeed file"
    )
    convert.add_argument("target", type=Path, metavar="OUT", help="the recording to write")
    convert.add_argument("--symbol", help="the symbol to convert from a file that holds several")
    convert.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    from brokers.recording import RecordingError  # noqa: PLC0415 - keeps --help instant
    from brokers.recording.convert import convert  # noqa: PLC0415

    try:
        done = convert(args.source, args.target, args.symbol)
    except RecordingError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot convert {args.source}: {exc.strerror or exc}") from None
    for note in done.notes:
        print(f"note: {note}", file=sys.stderr)
    print(
        f"{args.target}: {done.records} records in {done.parts} part(s), {done.bytes_written} bytes"
    )
    return 0
