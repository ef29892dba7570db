"""``FrameRecorder``: the feed's raw-frame tap, buffered on the loop, written off it.

The adapters call ``ws_frame`` (and, for venues with REST snapshots, ``rest_snapshot``) for every
frame, before parsing. That call only appends to a list; a flusher task hands the list to a
worker thread every ``flush_interval_s`` (or sooner when ``flush_frames`` have piled up), where
it is encoded, compressed into one gzip member and written. The loop never waits on the disk.

If the disk cannot keep up and ``max_buffered_frames`` pile up, new frames are dropped and
counted (the replay will then see a sequence gap there, reported, never a silent wrong book). If
writing fails, recording stops with one logged error; trading goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

from brokers.recording.format import RecordingError, RecordingHeader, RecordKind
from brokers.recording.writer import (
    DEFAULT_COMPRESSLEVEL,
    DEFAULT_ROTATE_BYTES,
    Buffered,
    OtherItem,
    RecordingWriter,
)

log = logging.getLogger(__name__)

DEFAULT_FLUSH_INTERVAL_S = 1.0
DEFAULT_FLUSH_FRAMES = 5_000
DEFAULT_MAX_BUFFERED_FRAMES = 500_000  # a few minutes of a busy book: ~100 MB at worst


@dataclass(frozen=True, slots=True)
class RecorderStats:
    frames: int  # handed to the recorder
    written: int  # records on disk (headers not counted)
    dropped: int  # lost because the disk could not keep up, or after a write error
    bytes_written: int  # compressed
    parts: int
    path: Path
    error: str = ""


class FrameRecorder:
    """Records raw venue frames to ``path``. ``start`` once the header is known; ``close`` at the end."""

    def __init__(
        self,
        path: Path,
        *,
        rotate_bytes: int = DEFAULT_ROTATE_BYTES,
        flush_interval_s: float = DEFAULT_FLUSH_INTERVAL_S,
        flush_frames: int = DEFAULT_FLUSH_FRAMES,
        max_buffered_frames: int = DEFAULT_MAX_BUFFERED_FRAMES,
        compresslevel: int = DEFAULT_COMPRESSLEVEL,
    ) -> None:
        if flush_interval_s <= 0 or flush_frames <= 0 or max_buffered_frames < flush_frames:
            raise ValueError("flush interval and sizes must be positive (max >= flush)")
        self.path = path
        self._rotate_bytes = rotate_bytes
        self._flush_interval_s = flush_interval_s
        self._flush_frames = flush_frames
        self._max_buffered_frames = max_buffered_frames
        self._compresslevel = compresslevel
        self._buffer: list[Buffered] = []
        self._handed = 0  # frames taken from the buffer by a flush
        self._dropped_at_tap = 0  # refused: the buffer was full
        self._lost = 0  # taken by a flush but not written (a write error)
        self._error = ""
        self._writer: RecordingWriter | None = None
        self._wake = asyncio.Event()
        self._flusher: asyncio.Task[None] | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"FrameRecorder(path={str(self.path)!r})"

    # ------------------------------------------------------------------ taps (hot path)
    def ws_frame(self, recv_ns: int, wall_ns: int, raw: bytes | str) -> None:
        """A WebSocket frame as it arrived (the adapters' ``on_raw_frame`` callback)."""
        buffer = self._buffer
        buffer.append((recv_ns, wall_ns, raw))
        if len(buffer) >= self._flush_frames:
            self._overflowing()

    def rest_snapshot(self, recv_ns: int, wall_ns: int, product: str, body: bytes | str) -> None:
        """A REST order-book snapshot answer for ``product`` (body as received)."""
        self._buffer.append(OtherItem(RecordKind.REST_SNAPSHOT, recv_ns, wall_ns, product, body))
        if len(self._buffer) >= self._flush_frames:
            self._overflowing()

    def connected(self, recv_ns: int, wall_ns: int, url: str) -> None:
        """The feed opened a new connection (its ``on_connect`` callback)."""
        self._buffer.append(OtherItem(RecordKind.CONNECTED, recv_ns, wall_ns, "", url))
        if len(self._buffer) >= self._flush_frames:
            self._overflowing()

    def _overflowing(self) -> None:
        if len(self._buffer) > self._max_buffered_frames or self._closed or self._error:
            self._buffer.pop()
            self._dropped_at_tap += 1
            if self._dropped_at_tap == 1 and not self._error:
                log.warning("recording to %s cannot keep up: dropping frames", self.path)
            return
        self._wake.set()

    # ------------------------------------------------------------------ lifecycle
    async def start(self, header: RecordingHeader) -> None:
        """Create the file (``RecordingError`` if it exists or cannot be made) and start flushing."""
        if self._writer is not None:
            raise RuntimeError("FrameRecorder.start called twice")
        self._writer = await asyncio.to_thread(
            RecordingWriter,
            self.path,
            header,
            rotate_bytes=self._rotate_bytes,
            compresslevel=self._compresslevel,
        )
        self._flusher = asyncio.create_task(self._flush_forever(), name=f"recorder {self.path}")

    async def close(self) -> None:
        """Write what is buffered and close the file (safe to call more than once)."""
        if self._closed:
            return
        self._closed = True
        if self._flusher is not None:
            # Not cancelled: a write in a worker thread cannot be interrupted, so the flusher
            # is asked to finish its current write and stop.
            self._wake.set()
            await self._flusher
        if self._writer is not None:
            await self._flush()
            writer = self._writer
            try:
                await asyncio.to_thread(writer.close)
            except RecordingError as exc:
                self._fail(str(exc))

    @property
    def stats(self) -> RecorderStats:
        writer = self._writer
        return RecorderStats(
            frames=self._handed + len(self._buffer) + self._dropped_at_tap,
            written=writer.records if writer else 0,
            dropped=self._dropped_at_tap + self._lost,
            bytes_written=writer.bytes_written if writer else 0,
            parts=writer.part + 1 if writer else 0,
            path=self.path,
            error=self._error,
        )

    async def _flush_forever(self) -> None:
        while not self._closed:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._flush_interval_s):
                    await self._wake.wait()
            self._wake.clear()
            await self._flush()

    async def _flush(self) -> None:
        if not self._buffer or self._writer is None:
            return
        batch, self._buffer = self._buffer, []
        self._handed += len(batch)
        if self._error:
            self._lost += len(batch)
            return
        try:
            await asyncio.to_thread(self._writer.write, batch)
        except RecordingError as exc:
            self._lost += len(batch)
            self._fail(str(exc))

    def _fail(self, message: str) -> None:
        if not self._error:
            self._error = message
            log.error("recording stopped: %s", message)
