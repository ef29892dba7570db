"""A file of another format written as an l2console recording (``l2console convert``).

The records are the ones a replay of the source reads (``brokers.recording.sources``), so the
converted recording replays to the same report as the source itself (only the notes on rows
the source reader left out are not repeated: the converted file holds none of them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path

from brokers.recording.format import RecordingError
from brokers.recording.reader import RecordingReader
from brokers.recording.sources import open_recording
from brokers.recording.writer import OtherItem, RecordingWriter

BATCH = 4096  # records per gzip member


@dataclass(frozen=True, slots=True)
class Converted:
    records: int
    parts: int
    bytes_written: int
    notes: tuple[str, ...]


def convert(source: Path, target: Path, symbol: str | None = None) -> Converted:
    """Write ``source`` (tardis.dev CSV, cryptofeed raw) as the l2console recording ``target``."""
    reader = open_recording(source, symbol)
    if isinstance(reader, RecordingReader):
        raise RecordingError(f"{source} is already an l2console recording: nothing to convert")
    records = reader.records()
    # The header goes first, before reading knows what it left out: the notes are returned.
    header = replace(reader.header, extra={**reader.header.extra, "converted_from": source.name})
    writer = RecordingWriter(target, header)
    try:
        while batch := list(islice(records, BATCH)):
            writer.write(OtherItem(r.kind, r.recv_ns, r.wall_ns, r.tag, r.payload) for r in batch)
    finally:
        writer.close()
    return Converted(
        records=writer.records,
        parts=writer.part + 1,
        bytes_written=writer.bytes_written,
        notes=tuple(reader.report.skipped),
    )
