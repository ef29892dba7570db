"""Writing a recording: one gzip member per flush, parts rotated by size (blocking I/O).

``RecordingWriter`` does the file work and nothing else; ``FrameRecorder`` owns it, buffers
frames on the event loop and calls it from a worker thread, so the hot path never waits on a
disk or on zlib.

Crash safety: a member is appended with one ``write`` and handed to the OS at once, so a crash
of the process loses at most the frames still buffered (one flush interval), and can leave at
most one torn member at the end of the last part, which the reader skips. Parts are fsync'ed
when they are closed (rotation, normal end); a power loss can also lose what the OS had not yet
written.
"""

from __future__ import annotations

import contextlib
import gzip
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from brokers.recording.format import (
    MAX_TAG_BYTES,
    RecordingError,
    RecordingHeader,
    RecordKind,
    encode_record,
    part_path,
)

DEFAULT_ROTATE_BYTES = 64 * 1024 * 1024
DEFAULT_COMPRESSLEVEL = 6


@dataclass(frozen=True, slots=True)
class OtherItem:
    """A buffered record that is not a WebSocket frame (rare): a REST snapshot, a connection."""

    kind: RecordKind
    recv_ns: int
    wall_ns: int
    tag: str
    payload: bytes | str


Buffered = tuple[int, int, bytes | str] | OtherItem
"""What the recorder buffers: ``(recv_ns, wall_ns, frame)`` for a WebSocket frame (the common
case, kept a bare tuple for speed), else an ``OtherItem``."""


def encode_batch(items: Iterable[Buffered]) -> tuple[bytes, int]:
    """The records of ``items`` as one byte string, and how many there were."""
    chunks: list[bytes] = []
    append = chunks.append
    text, binary = RecordKind.WS_TEXT, RecordKind.WS_BINARY
    for item in items:
        if type(item) is tuple:
            recv_ns, wall_ns, frame = item
            if isinstance(frame, str):
                append(
                    encode_record(text, recv_ns, wall_ns, frame.encode("utf-8", "surrogatepass"))
                )
            else:
                append(encode_record(binary, recv_ns, wall_ns, bytes(frame)))
        else:
            assert isinstance(item, OtherItem)
            payload = item.payload
            data = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
            tag = item.tag.encode("utf-8")[:MAX_TAG_BYTES]
            append(encode_record(item.kind, item.recv_ns, item.wall_ns, data, tag))
    return b"".join(chunks), len(chunks)


class RecordingWriter:
    """Creates ``base`` (never overwrites) and appends members to it, rotating by size."""

    def __init__(
        self,
        base: Path,
        header: RecordingHeader,
        *,
        rotate_bytes: int = DEFAULT_ROTATE_BYTES,
        compresslevel: int = DEFAULT_COMPRESSLEVEL,
    ) -> None:
        if rotate_bytes <= 0:
            raise ValueError("rotate_bytes must be positive")
        self.base = base
        self._header = header
        self._rotate_bytes = rotate_bytes
        self._level = compresslevel
        self.part = 0
        self.records = 0
        self.bytes_written = 0  # compressed, all parts
        self._part_bytes = 0
        for existing in (base, part_path(base, 1)):
            if existing.exists():
                raise RecordingError(f"{existing} already exists: choose another file")
        try:
            base.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RecordingError(f"cannot create {base.parent}: {exc.strerror or exc}") from None
        self._file: BinaryIO | None = self._open_part(0)

    @property
    def path(self) -> Path:
        """The part being written."""
        return part_path(self.base, self.part)

    def write(self, items: Iterable[Buffered]) -> int:
        """Append ``items`` as one member (nothing when empty); returns how many were written."""
        data, count = encode_batch(items)
        if count:
            self._append_member(data)
            self.records += count
            if self._part_bytes >= self._rotate_bytes:
                self._rotate()
        return count

    def close(self) -> None:
        if self._file is not None:
            self._close_part()

    def _open_part(self, part: int) -> BinaryIO:
        path = part_path(self.base, part)
        try:
            file = path.open("xb", buffering=0)  # whole members go out in one call anyway
        except FileExistsError:
            raise RecordingError(f"{path} already exists: choose another file") from None
        except OSError as exc:
            raise RecordingError(f"cannot create {path}: {exc.strerror or exc}") from None
        self._file = file
        self.part = part
        self._part_bytes = 0
        header = self._header.for_part(part).to_json()
        self._append_member(encode_record(RecordKind.HEADER, 0, 0, header))
        return file

    def _append_member(self, data: bytes) -> None:
        assert self._file is not None
        member = gzip.compress(data, compresslevel=self._level, mtime=0)
        try:
            view = memoryview(member)
            while view:
                written = self._file.write(view)
                if not written:
                    raise OSError(f"short write: {len(view)} bytes left")
                view = view[written:]
        except OSError as exc:
            raise RecordingError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        self._part_bytes += len(member)
        self.bytes_written += len(member)

    def _rotate(self) -> None:
        self._close_part()
        self._open_part(self.part + 1)

    def _close_part(self) -> None:
        file = self._file
        assert file is not None
        self._file = None
        try:
            os.fsync(file.fileno())
        except OSError as exc:
            raise RecordingError(f"cannot finish {self.path}: {exc.strerror or exc}") from None
        finally:
            with contextlib.suppress(OSError):
                file.close()
