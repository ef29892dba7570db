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
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from brokers.recording import (
    DecodeCounts,
    ReadReport,
    RecordingHeader,
    RecordingReader,
    RecordKind,
    decoder_for,
)
from console.replay.overrides import FEE_SETTING
from console.settings import Settings
from core.clock import ManualClock
from core.engine import Engine, EngineConfig
from core.engine_state import EngineState, KillSwitchStatus
from core.enums import BookState, Mode
from core.events import Fill, RoundTrip, Signal
from core.fill_bands import BandResult, FillBands
from core.observer import EngineObserver

BPS = Decimal(10_000)
PROGRESS_EVERY = 8192  # frames between progress callbacks (and event-loop yields)
END_OF_RECORDING = "Replay end: flatten"

Progress = Callable[[int, int, int], None]
"""``progress(bytes_read, total_bytes, frames)``."""


@dataclass(frozen=True, slots=True)
class SignalAt:
    """A signal and the index of the recorded frame it was decided on."""

    frame: int
    signal: Signal


@dataclass(frozen=True, slots=True)
class ReplayResult:
    path: Path
    header: RecordingHeader
    read: ReadReport
    counts: DecodeCounts
    frames: int
    first_wall_ns: int  # of the first frame; 0 when the recording holds none
    last_wall_ns: int
    state: EngineState
    signals: tuple[SignalAt, ...]
    fills: tuple[Fill, ...]
    round_trips: tuple[RoundTrip, ...]
    bands: tuple[BandResult, ...]  # pessimistic, optimistic (as the settings define them)
    default_band: BandResult  # the engine's own paper fills, for the band table
    flatten: KillSwitchStatus | None
    resyncs_asked: int
    settings: Settings


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
    fee_setting = FEE_SETTING.get(header.venue, "kraken_taker_fee_bps")
    symbol = header.instrument.symbol
    return EngineConfig(
        venue_name=f"{header.venue_name} (replay)",
        instrument=header.instrument,
        mode=Mode.PAPER,
        strategy=settings.strategy_params,
        risk=settings.risk_limits,
        trade_notional_usd=settings.trade_notional_usd,
        taker_fee_rate=getattr(settings, fee_setting) / BPS,
        imbalance_depth=settings.imbalance_depth,
        stale_after_s=settings.websocket_timeout_seconds,
        long_only=bool(header.extra.get("long_only", False)),
        other_products=tuple(p for p in header.products if p != symbol),
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
) -> ReplayResult:
    """Replay ``path`` with ``settings``; ``speed`` None = as fast as possible, 1.0 = real time.

    ``clock`` (the replay's time, set from the recording) may be passed in so ``observers`` can
    read it.
    """
    reader = RecordingReader(path)
    header = reader.header
    config = engine_config(header, settings)
    if clock is None:
        clock = ManualClock(wall_ns=header.started_wall_ns, mono_ns=0)
    feed = RecordedFeed()
    tape = _Tape()
    bands = FillBands(
        instrument=header.instrument,
        taker_fee_rate=config.taker_fee_rate,
        clock=clock,
        models=settings.fill_bands,
    )
    engine = Engine(
        config,
        feed=feed,
        clock=clock,
        order_ids=replay_order_ids(),
        observers=[tape, bands, *observers],
    )
    bands.watch(engine.book, lambda: engine.mode)
    decoder = decoder_for(header, engine)
    ws_frame, rest_snapshot = decoder.ws_frame, decoder.rest_snapshot
    stale_ns = int(config.stale_after_s * 1e9)
    pace = _Pacer(speed) if speed else None
    set_clock, release_due, rest = clock.set, bands.release_due, RecordKind.REST_SNAPSHOT
    frames = 0
    first_wall = last_wall = 0
    last_recv: int | None = None
    for record in reader.records():
        recv = record.recv_ns
        set_clock(wall_ns=record.wall_ns, mono_ns=recv)
        if last_recv is not None and recv - last_recv > stale_ns:
            engine.check_staleness()  # live, the watchdog would have fired during this gap
        release_due(recv)
        tape.frame = frames
        if record.kind is rest:
            rest_snapshot(record.tag, record.payload, recv)
        else:
            ws_frame(record.payload, recv)
        if not frames:
            first_wall = record.wall_ns
        last_wall = record.wall_ns
        last_recv = recv
        frames += 1
        if pace is not None:
            await pace.until(recv)
        elif frames % PROGRESS_EVERY == 0:
            if progress is not None:
                progress(reader.bytes_read, reader.total_bytes, frames)
            await asyncio.sleep(0)  # let the engine's own tasks (and Ctrl-C) run
    if progress is not None:
        progress(reader.bytes_read, reader.total_bytes, frames)
    flatten = None
    # Flattening needs a current book to fill against; a book that ended SYNCING or STALE has
    # none (the position is then reported open, never closed at an invented price).
    live_book = engine.book.state is BookState.LIVE
    if flatten_at_end and live_book and engine.ledger.position.quantity != 0:
        tape.frame = frames
        flatten = await engine.flatten_all(END_OF_RECORDING)
    bands.finish()
    await engine.close()
    return ReplayResult(
        path=path,
        header=header,
        read=reader.report,
        counts=decoder.counts(),
        frames=frames,
        first_wall_ns=first_wall,
        last_wall_ns=last_wall,
        state=engine.state(),
        signals=tuple(tape.signals),
        fills=tuple(tape.fills),
        round_trips=tuple(tape.round_trips),
        bands=bands.results(),
        default_band=bands.default(),
        flatten=flatten,
        resyncs_asked=feed.resyncs,
        settings=settings,
    )


class _Pacer:
    """Holds a replay to ``speed`` x the recorded pace (the real clock only sets the pace)."""

    def __init__(self, speed: float) -> None:
        self._speed = speed
        self._start_recv: int | None = None
        self._start_real = 0.0

    async def until(self, recv_ns: int) -> None:
        if self._start_recv is None:
            self._start_recv = recv_ns
            self._start_real = time.monotonic()
            return
        due = self._start_real + (recv_ns - self._start_recv) / 1e9 / self._speed
        wait = due - time.monotonic()
        await asyncio.sleep(max(0.0, wait))
