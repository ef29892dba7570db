"""Reading a recording back: every part in order, torn or corrupt tails skipped and reported.

Members are decoded one at a time. A complete member (its gzip CRC checked) yields all its
records. The last member of a part may be torn (the process died while writing it): its
records that are complete are kept — a truncated deflate stream decodes to an exact prefix —
and the rest is skipped. Anything that is not a gzip member where one should start (a crash
can leave zeros at the end of a file), or a member whose CRC does not match, ends that part:
what follows is skipped and counted, never guessed at.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# The stdlib's zlib API and error messages (which reach the read report), with zlib-ng's faster
# inflate: gunzip is a large share of what a replay adds to the pipeline.
from zlib_ng import zlib_ng as zlib

from brokers.recording.format import (
    RECORD_HEAD,
    Record,
    RecordingError,
    RecordingHeader,
    RecordKind,
    part_path,
)

READ_CHUNK = 1024 * 1024
_GZIP = 16 + zlib.MAX_WBITS
_HEAD_SIZE = RECORD_HEAD.size
_KINDS = {int(kind): kind for kind in RecordKind}


@dataclass(slots=True)
class ReadReport:
    """What reading found. ``skipped`` says, per part, what was left out and why."""

    parts: int = 0
    records: int = 0
    compressed_bytes: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.skipped


class RecordingReader:
    """Opens ``path`` (part 0) and its continuation parts ``path.1``, ``path.2``, …"""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise RecordingError(f"{path}: no such recording")
        self.path = path
        self.parts = [path]
        while part_path(path, len(self.parts)).is_file():
            self.parts.append(part_path(path, len(self.parts)))
        self.header = self._read_header(path)
        self.total_bytes = sum(p.stat().st_size for p in self.parts)
        self.bytes_read = 0  # compressed bytes consumed so far, for a progress bar
        self.report = ReadReport()

    @staticmethod
    def _read_header(path: Path) -> RecordingHeader:
        for data, _complete in _members(path, ReadReport()):
            if len(data) < _HEAD_SIZE:
                break
            kind, _recv, _wall, tag_len, size = RECORD_HEAD.unpack_from(data, 0)
            if kind != RecordKind.HEADER:
                break
            start = _HEAD_SIZE + tag_len
            if start + size > len(data):
                raise RecordingError(f"{path} ends inside its header: nothing to replay")
            return RecordingHeader.from_json(data[start : start + size], str(path))
        raise RecordingError(f"{path} is not an l2console recording (no header)")

    def records(self) -> Iterator[Record]:
        """Every frame/snapshot record of every part, in order (headers are checked, not yielded)."""
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[Record]]:
        """The records of ``records()``, one gzip member's worth at a time: a replay's loop takes
        them through ``itertools.chain``, with no Python generator to resume per record."""
        report = self.report
        for index, path in enumerate(self.parts):
            report.parts += 1
            before = self.bytes_read

            def check(header: Record, path: Path = path, index: int = index) -> None:
                self._check_part(header, path, index)

            for data, complete in _members(path, report, progress=self):
                batch = _decode(data, complete, path, report, check)
                report.records += len(batch)
                yield batch
            self.bytes_read = before + path.stat().st_size
            report.compressed_bytes = self.bytes_read

    def _check_part(self, record: Record, path: Path, index: int) -> None:
        header = RecordingHeader.from_json(record.payload, str(path))
        if header.recording_id != self.header.recording_id or header.part != index + (
            self.header.part
        ):
            raise RecordingError(
                f"{path} is part {header.part} of another recording than {self.path}: "
                f"move it away and replay again"
            )


def _members(
    path: Path, report: ReadReport, progress: RecordingReader | None = None
) -> Iterator[tuple[bytes, bool]]:
    """Each gzip member's content and whether the member was complete (CRC checked)."""
    member_start = 0  # offset of the member being decoded
    consumed = 0  # bytes of the file handed to the decoder so far
    decoder: zlib._Decompress | None = None
    out: list[bytes] = []
    with path.open("rb") as file:
        while chunk := file.read(READ_CHUNK):
            consumed += len(chunk)
            if progress is not None:
                progress.bytes_read += len(chunk)
            data = chunk
            while data:
                if decoder is None:
                    decoder = zlib.decompressobj(_GZIP)
                    out = []
                    member_start = consumed - len(data)
                try:
                    out.append(decoder.decompress(data))
                except zlib.error as exc:
                    size = path.stat().st_size
                    report.skipped.append(
                        f"{path.name}: {size - member_start} bytes from offset {member_start} "
                        f"skipped (not readable: {exc})"
                    )
                    return
                if decoder.eof:
                    data = decoder.unused_data
                    decoder = None
                    yield b"".join(out), True
                else:
                    data = b""
        if decoder is not None:
            size = consumed - member_start
            with contextlib.suppress(zlib.error):
                out.append(decoder.flush())
            report.skipped.append(
                f"{path.name}: torn last block ({size} bytes from offset {member_start}): "
                "its complete frames were kept"
            )
            yield b"".join(out), False


def _decode(
    data: bytes, complete: bool, path: Path, report: ReadReport, on_header: Callable[[Record], None]
) -> list[Record]:
    """The records of one member, headers handed to ``on_header`` instead."""
    records: list[Record] = []
    append = records.append
    pos = 0
    end = len(data)
    unpack = RECORD_HEAD.unpack_from
    kinds = _KINDS
    header = RecordKind.HEADER
    while pos + _HEAD_SIZE <= end:
        kind, recv_ns, wall_ns, tag_len, size = unpack(data, pos)
        start = pos + _HEAD_SIZE
        stop = start + tag_len + size
        known = kinds.get(kind)
        if stop > end or known is None:
            break
        if tag_len:
            tag = data[start : start + tag_len].decode("utf-8", "replace")
            record = Record(known, recv_ns, wall_ns, data[start + tag_len : stop], tag)
        else:
            record = Record(known, recv_ns, wall_ns, data[start:stop])
        if known is header:
            on_header(record)
        else:
            append(record)
        pos = stop
    if pos != end and complete:
        report.skipped.append(
            f"{path.name}: unreadable record inside a block ({end - pos} bytes skipped)"
        )
    return records
