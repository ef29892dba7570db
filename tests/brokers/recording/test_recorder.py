"""The recorder as the live feed uses it, and the recording replayed through the real parser."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from brokers.kraken_futures import BackoffPolicy, KrakenFuturesFeed
from brokers.kraken_futures.replay import KrakenFuturesReplay
from brokers.recording import FrameRecorder, RecordingReader, RecordKind, feed_record
from brokers.sim import KrakenFuturesSimServer
from core.events import BookDelta, BookSnapshot, FeedEvent, FeedEventKind
from tests.brokers.kraken_futures.conftest import StepClock
from tests.brokers.kraken_futures.replica_book import ReplicaBook
from tests.brokers.recording.helpers import frames, header

XBT, ETH = "PF_XBTUSD", "PF_ETHUSD"


class Tape(ReplicaBook):
    """A replica book that also keeps every event it was given, in order."""

    def __init__(self, resync=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(resync)
        self.tape: list[BookSnapshot | BookDelta | FeedEvent] = []

    def on_snapshot(self, snapshot: BookSnapshot) -> None:
        self.tape.append(snapshot)
        super().on_snapshot(snapshot)

    def on_delta(self, delta: BookDelta) -> None:
        self.tape.append(delta)
        super().on_delta(delta)

    def on_feed_event(self, event: FeedEvent) -> None:
        self.tape.append(event)
        super().on_feed_event(event)

    def book_events(self) -> list[BookSnapshot | BookDelta]:
        return [e for e in self.tape if not isinstance(e, FeedEvent)]

    def kinds(self, *wanted: FeedEventKind) -> list[FeedEventKind]:
        return [e.kind for e in self.tape if isinstance(e, FeedEvent) and e.kind in wanted]


async def test_frames_before_start_are_kept_and_close_writes_everything(tmp_path: Path) -> None:
    path = tmp_path / "rec.l2rec"
    recorder = FrameRecorder(path, flush_interval_s=60)
    items = frames(25)
    for item in items[:5]:
        recorder.ws_frame(*item)
    await recorder.start(header())
    for item in items[5:]:
        recorder.ws_frame(*item)
    await recorder.close()
    await recorder.close()  # idempotent

    stats = recorder.stats
    assert (stats.frames, stats.written, stats.dropped, stats.error) == (25, 25, 0, "")
    assert [r.recv_ns for r in RecordingReader(path).records()] == [i[0] for i in items]


async def test_a_full_buffer_flushes_without_waiting_for_the_interval(tmp_path: Path) -> None:
    path = tmp_path / "rec.l2rec"
    recorder = FrameRecorder(path, flush_interval_s=60, flush_frames=10)
    await recorder.start(header())
    try:
        for item in frames(20):  # past the flush size
            recorder.ws_frame(*item)
        await asyncio.wait_for(_until(lambda: recorder.stats.written == 20), 5)
    finally:
        await recorder.close()


async def test_frames_are_dropped_and_counted_when_the_disk_cannot_keep_up(
    tmp_path: Path,
) -> None:
    recorder = FrameRecorder(
        tmp_path / "rec.l2rec", flush_interval_s=60, flush_frames=5, max_buffered_frames=12
    )
    await recorder.start(header())
    items = frames(40)  # handed over without yielding: the flusher never gets a turn
    for item in items:
        recorder.ws_frame(*item)
    await recorder.close()
    stats = recorder.stats
    assert stats.dropped == 40 - 12
    assert (stats.frames, stats.written) == (40, 12)
    written = [r.recv_ns for r in RecordingReader(tmp_path / "rec.l2rec").records()]
    assert written == [i[0] for i in items[: stats.written]]


async def test_a_write_error_stops_recording_not_the_caller(tmp_path: Path) -> None:
    path = tmp_path / "rec.l2rec"
    recorder = FrameRecorder(path, flush_interval_s=60)
    await recorder.start(header())
    _fill_the_disk(recorder)
    for item in frames(3):
        recorder.ws_frame(*item)
    await recorder.close()
    stats = recorder.stats
    assert "No space left" in stats.error
    assert stats.dropped == 3


async def test_a_recording_of_the_live_feed_replays_to_the_same_events(tmp_path: Path) -> None:
    """Gap + resync, malformed frames and a reconnect, recorded live, replayed identically."""
    clock = StepClock()
    server = KrakenFuturesSimServer(
        products=[XBT, ETH], seed=5, rate_hz=400, heartbeat_interval_s=0.1, clock=clock
    )
    await server.start(port=0)
    path = tmp_path / "live.l2rec"
    recorder = FrameRecorder(path, flush_interval_s=0.05)
    await recorder.start(header())
    feed = KrakenFuturesFeed(
        [XBT, ETH],
        ws_url=server.ws_url,
        backoff=BackoffPolicy(initial_s=0.05, max_s=0.2, jitter=0.1),
        on_raw_frame=recorder.ws_frame,
    )
    live = Tape(feed.resync)
    try:
        async with _running(feed, live):
            await live.wait_for(lambda: live.snapshots[XBT] == 1 and live.snapshots[ETH] == 1)
            await _trade(clock, 200)
            server.faults.drop_next_seq(ETH)
            await _trade(clock, 200)
            await live.wait_for(lambda: live.snapshots[ETH] == 2)
            server.faults.send_malformed(2)
            await _trade(clock, 200)
            await live.wait_for(lambda: feed.stats.dropped_total == 2)
            server.faults.disconnect_all(abrupt=True)
            await live.wait_for(lambda: live.snapshots[XBT] == 2 and live.snapshots[ETH] == 3)
            await _trade(clock, 200)
    finally:
        await recorder.close()
        await server.stop()

    replayed = Tape()
    decoder = KrakenFuturesReplay(replayed)
    reader = RecordingReader(path)
    records = list(reader.records())
    for record in records:
        feed_record(decoder, record)

    assert reader.report.clean
    assert {r.kind for r in records} == {RecordKind.WS_TEXT}
    assert len(records) == feed.stats.frames
    assert replayed.book_events() == live.book_events()
    assert len(live.gaps) == 1
    assert replayed.gaps == live.gaps
    for product in (XBT, ETH):
        assert replayed.levels(product) == live.levels(product)
    watched = (FeedEventKind.DROPPED_FRAME, FeedEventKind.DISCONNECTED, FeedEventKind.CONNECTED)
    assert replayed.kinds(*watched) == live.kinds(*watched)
    counts = decoder.counts()
    assert (counts.reconnects, counts.dropped) == (1, 2)
    assert counts.snapshots == feed.stats.snapshots


@contextlib.asynccontextmanager
async def _running(feed: KrakenFuturesFeed, sink: ReplicaBook) -> AsyncIterator[None]:
    task = asyncio.create_task(feed.run(sink), name="test-feed")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _trade(clock: StepClock, ms: float, steps: int = 4) -> None:
    for _ in range(steps):
        clock.advance(ms / steps)
        await asyncio.sleep(0.03)


def _fill_the_disk(recorder: FrameRecorder) -> None:
    """From now on every write fails with ENOSPC, as on a full disk."""
    writer = recorder._writer
    assert writer is not None
    assert writer._file is not None
    writer._file.close()
    writer._file = Path("/dev/full").open("wb", buffering=0)  # noqa: SIM115 - the writer owns it


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
