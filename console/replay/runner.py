"""One replay: a recording through the venue's real parser and the full engine, in paper mode.

No socket is opened. The engine gets a ``ManualClock`` set, before every recorded frame, to the
frame's recorded monotonic receive time and wall-clock time: the strategy's time rules
(cooldown, max hold, the UTC day of the risk limits) see the times the live run saw, staleness
sees the recorded gaps. Order ids are numbered (``replay-000001``), so two replays of the same
file with the same settings produce the same signals, fills and report, byte for byte.

What the replay cannot reproduce: latency (the clock stands still while a frame is handled, so
none is measured), and decisions a live engine skipped while a store commit was in flight.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path

from brokers.recording import Record, RecordingHeader, RecordKind, feed_record
from brokers.recording.sources import fast_records, open_recording
from brokers.registry import decoder_for
from console.engine_config import engine_config_from
from console.replay.overrides import fee_setting
from console.replay.result import ReplayResult, SignalAt
from console.settings import Settings
from core.clock import ManualClock
from core.engine import Engine, EngineConfig
from core.enums import BookState, Mode
from core.events import Fill, RoundTrip, Signal
from core.fill_bands import FillBands
from core.freshness import FreshnessPolicy
from core.observer import EngineObserver

BPS = Decimal(10_000)
PROGRESS_EVERY = 8192  # frames between progress callbacks (and event-loop yields)
END_OF_RECORDING = "Replay end: flatten"

Progress = Callable[[int, int, int], None]
"""``progress(bytes_read, total_bytes, frames)``."""


class RecordedFeed:
    """The engine's ``MarketFeed`` during a replay: the recording already holds the venue's
    answer to every resync the live run asked for, so a request is only counted."""

    def __init__(self) -> None:
        self.resyncs = 0

    def resync(self, product: str) -> None:
        self.resyncs += 1

    async def run(self, sink: object) -> None:  # the runner drives the sink itself
        raise RuntimeError("a recorded feed is played by the replay runner")


class _Tape(EngineObserver):
    """Keeps what the engine decided and booked, and at which frame."""

    def __init__(self) -> None:
        self.frame = -1
        self.signals: list[SignalAt] = []
        self.fills: list[Fill] = []
        self.round_trips: list[RoundTrip] = []

    def on_signal(self, signal: Signal) -> None:
        self.signals.append(SignalAt(self.frame, signal))

    def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)

    def on_round_trip(self, round_trip: RoundTrip) -> None:
        self.round_trips.append(round_trip)


def replay_order_ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"replay-{next(counter):06d}"


def engine_config(header: RecordingHeader, settings: Settings) -> EngineConfig:
    symbol = header.instrument.symbol
    return engine_config_from(
        settings,
        venue_name=header.venue_name,  # the console's badge and every report line say REPLAY
        instrument=header.instrument,
        mode=Mode.PAPER,
        taker_fee_rate=getattr(settings, fee_setting(header.venue)) / BPS,
        long_only=bool(header.extra.get("long_only", False)),
        other_products=[p for p in header.products if p != symbol],
        # The engine's default freshness rules, not the settings' (replays have always run so;
        # kept to leave their results unchanged).
        freshness=FreshnessPolicy(),
        mode_locked="a replay trades on paper only",
    )


class ReplayPlayer:
    """A recording played into a paper engine, frame by frame or as fast as it goes.

    ``step`` plays frames synchronously (the console's pause/step), ``play`` plays the rest at a
    speed (``None``: as fast as possible), ``finish`` flattens at the end and returns the
    ``ReplayResult``. ``engine`` and ``clock`` are there to be watched, not driven.
    """

    def __init__(
        self,
        path: Path,
        settings: Settings,
        *,
        observers: Iterable[EngineObserver] = (),
        clock: ManualClock | None = None,
        symbol: str | None = None,
    ) -> None:
        self.path = path
        self.settings = settings
        self.symbol = symbol  # one symbol of a multi-symbol file (tardis.dev CSV)
        self._reader = reader = open_recording(path, symbol)
        self.header = header = reader.header
        config = engine_config(header, settings)
        self.clock = clock or ManualClock(wall_ns=header.started_wall_ns, mono_ns=0)
        self._feed = RecordedFeed()
        self._tape = _Tape()
        self._bands = FillBands(
            instrument=header.instrument,
            taker_fee_rate=config.taker_fee_rate,
            clock=self.clock,
            models=settings.fill_bands,
        )
        self.engine = Engine(
            config,
            feed=self._feed,
            clock=self.clock,
            order_ids=replay_order_ids(),
            observers=[self._tape, self._bands, *observers],
        )
        self._bands.watch(self.engine.book, lambda: self.engine.mode)
        self._decoder = decoder_for(header, self.engine)
        self._records = fast_records(reader)
        self._ahead: Record | None = None  # read by ``peek``, not played yet
        self._stale_ns = int(config.stale_after_s * 1e9)
        self.frames = 0  # played so far
        self.done = False  # the recording ran out
        self._first_wall = self._last_wall = 0
        self._last_recv: int | None = None

    @property
    def progress(self) -> tuple[int, int]:
        """(compressed bytes read, total compressed bytes) of the recording."""
        return self._reader.bytes_read, self._reader.total_bytes

    def step(self, count: int = 1) -> int:
        """Play up to ``count`` frames now; returns how many were played (0 at the end)."""
        played = 0
        while played < count and self._play_one():
            played += 1
        return played

    def step_to_signal(self, limit: int = 10_000_000) -> int:
        """Play until the engine takes its next decision (or the recording ends)."""
        before = len(self._tape.signals)
        played = 0
        while len(self._tape.signals) == before and played < limit and self._play_one():
            played += 1
        return played

    def peek_recv_ns(self) -> int | None:
        """The recorded monotonic time of the next frame; None at the end of the recording."""
        if self._ahead is None:
            self._ahead = next(self._records, None)
        return None if self._ahead is None else self._ahead.recv_ns

    def _play_one(self) -> bool:
        record = self._ahead if self._ahead is not None else next(self._records, None)
        self._ahead = None
        if record is None:
            self.done = True
            return False
        self._apply(record)
        return True

    def _apply(self, record: Record) -> None:
        recv = record.recv_ns
        self.clock.move_to(record.wall_ns, recv)
        last = self._last_recv
        if last is not None and recv - last > self._stale_ns:
            self.engine.check_staleness()  # live, the watchdog would have fired during this gap
        self._bands.release_due(recv)
        self._tape.frame = self.frames
        feed_record(self._decoder, record)
        if not self.frames:
            self._first_wall = record.wall_ns
        self._last_wall = record.wall_ns
        self._last_recv = recv
        self.frames += 1

    async def play(self, *, speed: float | None = None, progress: Progress | None = None) -> None:
        """Play the rest of the recording: as fast as possible, or ``speed`` x recorded time."""
        if speed is not None:
            pace = _Pacer(speed, self._last_recv)
            while self._play_one():
                await pace.until(self.clock.mono_ns())
            return
        # The hot loop of ``_apply``, inlined: this is where a replay spends its time.
        reader, tape, engine, bands = self._reader, self._tape, self.engine, self._bands
        move_clock, release_due = self.clock.move_to, bands.release_due
        ws_frame, rest_snapshot = self._decoder.ws_frame, self._decoder.rest_snapshot
        rest, connected = RecordKind.REST_SNAPSHOT, RecordKind.CONNECTED
        stale_ns = self._stale_ns
        frames, last_recv = self.frames, self._last_recv
        first_wall = self._first_wall
        wall = self._last_wall
        if self._ahead is not None:  # a peeked frame goes first
            self._play_one()
            frames, last_recv, first_wall = self.frames, self._last_recv, self._first_wall
            wall = self._last_wall
        for record in self._records:
            recv, wall = record.recv_ns, record.wall_ns
            move_clock(wall, recv)
            if last_recv is not None and recv - last_recv > stale_ns:
                engine.check_staleness()
            if recv >= bands.next_due:
                release_due(recv)
            tape.frame = frames
            kind = record.kind
            if kind is rest:
                rest_snapshot(record.tag, record.payload, recv)
            elif kind is connected:
                self._decoder.connected(recv)
            else:
                ws_frame(record.payload, recv)
            if not frames:
                first_wall = wall
            last_recv = recv
            frames += 1
            if frames % PROGRESS_EVERY == 0:
                self.frames = frames
                if progress is not None:
                    progress(reader.bytes_read, reader.total_bytes, frames)
                await asyncio.sleep(0)  # let the engine's own tasks (and Ctrl-C) run
        self.frames, self._last_recv = frames, last_recv
        self._first_wall, self._last_wall = first_wall, wall
        self.done = True
        if progress is not None:
            progress(reader.bytes_read, reader.total_bytes, frames)

    async def finish(self, *, flatten: bool = True) -> ReplayResult:
        """Flatten what is open (when the book allows), close the engine, sum up."""
        engine = self.engine
        status = None
        # Flattening needs a current book to fill against; a book that ended SYNCING or STALE
        # has none (the position is then reported open, never closed at an invented price).
        live_book = engine.book.state is BookState.LIVE
        if flatten and live_book and engine.ledger.position.quantity != 0:
            self._tape.frame = self.frames
            status = await engine.flatten_all(END_OF_RECORDING)
        else:
            # The recording is over: a protective close still waiting for a LIVE book will
            # never get one (a live stop lets it run its tries; a replay has nothing to wait for).
            engine.cancel_flatten()
        self._bands.finish()
        await engine.close()
        tape = self._tape
        return ReplayResult(
            path=self.path,
            header=self.header,
            read=self._reader.report,
            counts=self._decoder.counts(),
            frames=self.frames,
            first_wall_ns=self._first_wall,
            last_wall_ns=self._last_wall,
            state=engine.state(),
            signals=tuple(tape.signals),
            fills=tuple(tape.fills),
            round_trips=tuple(tape.round_trips),
            bands=self._bands.results(),
            default_band=self._bands.default(),
            flatten=status,
            resyncs_asked=self._feed.resyncs,
            settings=self.settings,
        )


async def replay(
    path: Path,
    settings: Settings,
    *,
    speed: float | None = None,
    flatten_at_end: bool = True,
    progress: Progress | None = None,
    observers: Iterable[EngineObserver] = (),
    clock: ManualClock | None = None,
    symbol: str | None = None,
) -> ReplayResult:
    """Replay ``path`` with ``settings``; ``speed`` None = as fast as possible, 1.0 = real time.

    ``clock`` (the replay's time, set from the recording) may be passed in so ``observers`` can
    read it.
    """
    player = ReplayPlayer(path, settings, observers=observers, clock=clock, symbol=symbol)
    await player.play(speed=speed, progress=progress)
    return await player.finish(flatten=flatten_at_end)


class _Pacer:
    """Holds a replay to ``speed`` x the recorded pace (the real clock only sets the pace)."""

    def __init__(self, speed: float, start_recv: int | None = None) -> None:
        self._speed = speed
        self._start_recv = start_recv  # None: the first frame paced sets the start
        self._start_real = time.monotonic()

    async def until(self, recv_ns: int) -> None:
        if self._start_recv is None:
            self._start_recv = recv_ns
            self._start_real = time.monotonic()
            return
        due = self._start_real + (recv_ns - self._start_recv) / 1e9 / self._speed
        wait = due - time.monotonic()
        await asyncio.sleep(max(0.0, wait))
