"""Which reader a file needs, told by its content: an l2console recording, a tardis.dev CSV
file or a cryptofeed raw data collection file.

Both readers have the same face (``path``, ``header``, ``records()``, ``report``, ``bytes_read``,
``total_bytes``), so a replay, a study and the frame benchmark read either the same way.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from brokers.recording.cryptofeed import CryptofeedReader, is_cryptofeed_raw
from brokers.recording.format import Record, RecordingError, RecordingHeader
from brokers.recording.reader import ReadReport, RecordingReader
from brokers.recording.tardis import TardisReader, is_tardis_csv


class RecordSource(Protocol):
    path: Path
    header: RecordingHeader
    report: ReadReport
    bytes_read: int
    total_bytes: int

    def records(self) -> Iterator[Record]: ...


def is_foreign_recording(path: Path) -> bool:
    """A file another tool wrote that replays as a recording (tardis.dev CSV, cryptofeed)."""
    return is_tardis_csv(path) or is_cryptofeed_raw(path)


def open_recording(path: Path, symbol: str | None = None) -> RecordSource:
    """The reader for ``path``; ``symbol`` picks one symbol of a multi-symbol tardis file.

    ``symbol`` must name the recording's instrument for an l2console recording (it holds one).
    """
    if not path.is_file():
        raise RecordingError(f"{path}: no such recording")
    if is_tardis_csv(path):
        return TardisReader(path, symbol)
    if is_cryptofeed_raw(path):
        return CryptofeedReader(path, symbol)
    reader = RecordingReader(path)
    wanted = symbol.upper() if symbol else None
    if wanted and wanted != reader.header.instrument.symbol.upper():
        raise RecordingError(
            f"{path} is a recording of {reader.header.instrument.symbol}, not {symbol}"
        )
    return reader


def fast_records(source: RecordSource) -> Iterator[Record]:
    """``source.records()``, read the quickest way the source offers (a replay's hot loop): an
    l2console recording's records come a gzip member at a time, chained in C."""
    if isinstance(source, RecordingReader):
        return itertools.chain.from_iterable(source.batches())
    return source.records()
