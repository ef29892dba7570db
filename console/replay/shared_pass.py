"""A sweep's shared pass: the recording decoded once, its book rebuilt once, each signal computed
once, and every combination's engine deciding on that one pass.

One ``MarketData`` (the *leader*) is the decoder's sink: it applies each frame to the shared
books, keeps the lag rule and the watchdog's book checks. Each combination is a whole paper
``Engine`` (strategy, risk, ledger, paper fills, kill switch, fill bands) built on those books
(a *follower*): it never sees a frame, only ``decide_on`` with its signal's value (computed once
per signal for all followers), the touch and the clock. A flat follower whose value lies inside its strategy's
quiet band would decide nothing, and an open position inside its exit zone (``ExitZone``: price
between stop and target, before the max hold, no reversal) neither: on most frames no follower
is called at all, so a combination costs what it trades, not what it reads.

Followers are independent: they read the shared book and clock and never change them (paper
fills read the levels, they take nothing away). Everything else a solo ``ReplayPlayer`` does per
frame is done here at the same frame: the clock, the watchdog on a recorded gap (the leader's
book checks, then each follower's position check), due fill-band orders, and the yield to the
event loop every ``PROGRESS_EVERY`` frames (where a kill switch's flatten task runs). So each
follower's signals, fills and round trips are exactly those of replaying its settings alone
(``tests/console/test_shared_sweep.py``, recorded gaps included). One thing neither a solo replay
nor this pass can make exact: a protective flatten waiting for a LIVE book retries after real
(wall-clock) pauses, so when it completes depends on how fast the replay runs, alone or shared.
Combinations whose books differ (``imbalance_depth``,
the staleness timeout) cannot share one: ``market_key`` groups them, one pass per group.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Sequence
from pathlib import Path

from brokers.recording import RecordKind
from brokers.recording.sources import open_recording
from brokers.registry import decoder_for
from console.replay.result import ReplayResult, SignalAt
from console.replay.runner import (
    END_OF_RECORDING,
    PROGRESS_EVERY,
    RecordedFeed,
    engine_config,
    replay_order_ids,
)
from console.settings import Settings
from core.book import OrderBook
from core.clock import ManualClock
from core.engine import Engine
from core.engine.counters import EngineCounters
from core.engine.market_data import MarketData
from core.enums import BookState
from core.events import Fill, RoundTrip, Signal
from core.fill_bands import FillBands
from core.observer import EngineObserver
from core.ports import OrderRequest, OrderResult
from core.signal import imbalance_ratio
from core.signals import DEFAULT_SIGNAL, make_signal
from core.strategy import ExitZone, ImbalanceStrategy, OpenPosition

_FOREVER = 2**63 - 1


def market_key(settings: Settings) -> tuple[object, ...]:
    """What the shared books depend on: combinations with equal keys can share one pass."""
    return (settings.imbalance_depth, settings.websocket_timeout_seconds)


class _Marks:
    """What the pass and its followers' tapes share: the frame number, and whether an order was
    sent since the fill bands' next due time was last read."""

    __slots__ = ("frame", "ordered")

    def __init__(self) -> None:
        self.frame = -1
        self.ordered = False


class _Tape(EngineObserver):
    """A follower's signals, fills and round trips (as ``runner._Tape``, on the shared frame)."""

    def __init__(self, marks: _Marks) -> None:
        self._marks = marks
        self.signals: list[SignalAt] = []
        self.fills: list[Fill] = []
        self.round_trips: list[RoundTrip] = []

    def on_signal(self, signal: Signal) -> None:
        self.signals.append(SignalAt(self._marks.frame, signal))

    def on_order(self, request: OrderRequest, result: OrderResult | None) -> None:
        self._marks.ordered = True

    def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)

    def on_round_trip(self, round_trip: RoundTrip) -> None:
        self.round_trips.append(round_trip)


class _Follower:
    """One combination's engine, and the zone where its open position surely decides nothing."""

    __slots__ = (
        "bands",
        "cool_until_ns",
        "decide_on",
        "engine",
        "high",
        "low",
        "settings",
        "strategy",
        "tape",
        "zone",
    )

    def __init__(self, settings: Settings, engine: Engine, tape: _Tape, bands: FillBands) -> None:
        self.settings = settings
        self.engine = engine
        self.tape = tape
        self.bands = bands
        self.decide_on = engine.decide_on
        self.strategy = ImbalanceStrategy(settings.strategy_params)  # for its exit zones only
        self.zone: ExitZone | None = None
        self.low, self.high = self.strategy.quiet_band
        self.cool_until_ns = -(2**63)  # flat, the strategy decides nothing before this


class _SignalGroup:
    """The followers trading one signal: its value once per update, and who must hear it.

    ``low``/``high``: a value strictly between is quiet for every flat follower. The ``long_*``,
    ``short_*`` and ``until_ns`` bounds are the intersection of the open positions' exit zones,
    refreshed after a position changed: inside all of them, nobody is asked.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        signal = None if name == DEFAULT_SIGNAL else make_signal(name)
        self.update: Callable[[OrderBook], float] | None = None if signal is None else signal.update
        self.reset: Callable[[], None] = (lambda: None) if signal is None else signal.reset
        self.everyone: list[_Follower] = []
        self.in_position: dict[int, _Follower] = {}
        self.low = -math.inf
        self.high = math.inf
        self.changed = True
        self.long_low = self.short_low = self.above = -math.inf
        self.long_high = self.short_high = self.below = math.inf
        self.until_ns = 0
        self.last: float | None = None  # the latest value

    def note_last(self) -> None:
        """Tell every follower the latest value (the ratio a kill switch's CLOSE records)."""
        if self.last is not None:
            for follower in self.everyone:
                follower.engine.note_value(self.last)

    def add(self, follower: _Follower) -> None:
        self.everyone.append(follower)
        self.low, self.high = max(self.low, follower.low), min(self.high, follower.high)
        key = len(self.everyone)

        def position_changed(position: OpenPosition | None) -> None:
            self.changed = True
            if position is None:
                follower.zone = None
                self.in_position.pop(key, None)
            else:
                follower.zone = follower.strategy.exit_zone(position)
                self.in_position[key] = follower

        follower.engine.watch_position(position_changed)

    def settle(self) -> None:
        """The intersection of the open positions' exit zones."""
        self.changed = False
        zones = [f.zone for f in self.in_position.values() if f.zone is not None]
        longs = [z for z in zones if z.long]
        shorts = [z for z in zones if not z.long]
        self.long_low = max((z.low for z in longs), default=-math.inf)
        self.long_high = min((z.high for z in longs), default=math.inf)
        self.short_low = max((z.low for z in shorts), default=-math.inf)
        self.short_high = min((z.high for z in shorts), default=math.inf)
        self.above = max((z.signal_above for z in zones), default=-math.inf)
        self.below = min((z.signal_below for z in zones), default=math.inf)
        self.until_ns = min((z.until_ns for z in zones), default=_FOREVER)


class SharedPass:
    """Every settings of ``settings_list`` (equal ``market_key``) replayed on one pass."""

    def __init__(
        self, path: Path, settings_list: Sequence[Settings], *, symbol: str | None = None
    ) -> None:
        if len({market_key(s) for s in settings_list}) != 1:
            raise ValueError("a shared pass needs settings with one market key")
        self.path = path
        self._reader = reader = open_recording(path, symbol)
        self.header = header = reader.header
        lead = engine_config(header, settings_list[0])
        self.clock = clock = ManualClock(wall_ns=header.started_wall_ns, mono_ns=0)
        products = (lead.instrument.symbol, *lead.other_products)
        books = {p: OrderBook(p, depth=lead.imbalance_depth) for p in products}
        self.book = books[lead.instrument.symbol]
        self._marks = marks = _Marks()
        self.followers: list[_Follower] = []
        groups: dict[str, _SignalGroup] = {}
        for settings in settings_list:
            config = engine_config(header, settings)
            tape = _Tape(marks)
            bands = FillBands(
                instrument=header.instrument,
                taker_fee_rate=config.taker_fee_rate,
                clock=clock,
                models=settings.fill_bands,
            )
            engine = Engine(
                config,
                feed=RecordedFeed(),
                clock=clock,
                order_ids=replay_order_ids(),
                observers=[tape, bands],
                books=books,
            )
            bands.watch(self.book, lambda engine=engine: engine.mode)
            follower = _Follower(settings, engine, tape, bands)
            self.followers.append(follower)
            params = settings.strategy_params
            group = groups.setdefault(params.signal, _SignalGroup(params.signal))
            group.add(follower)
        self._groups = tuple(groups.values())
        self._wall_ns = clock.wall_ns
        self._feed = RecordedFeed()
        self.leader = MarketData(
            books,
            traded=lead.instrument.symbol,
            feed=self._feed,
            clock=clock,
            freshness=lead.freshness,
            stale_after_s=lead.stale_after_s,
            counters=EngineCounters(),
            observers=EngineObserver(),
            notice=lambda _line: None,
            decide=self._decide,
            position_open=lambda: False,  # each follower checks its own position
            down_too_long=lambda _reason: None,
            snapshot_loaded=self._snapshot_loaded,
        )
        self._decoder = decoder_for(header, self.leader)
        self._stale_ns = int(lead.stale_after_s * 1e9)
        self.frames = 0
        self._first_wall = self._last_wall = 0

    # ------------------------------------------------------------------ per update of the book
    def _decide(self, recv_ns: int) -> None:
        book = self.book
        bid, ask = book.best_bid, book.best_ask
        if bid is None or ask is None:
            return
        wall = self._wall_ns()
        for group in self._groups:
            update = group.update
            if update is None:
                value = imbalance_ratio(book.bid_depth_sum, book.ask_depth_sum)
            else:
                value = update(book)
            group.last = value
            if group.low < value < group.high:  # quiet for the flat: only positions may act
                if not group.in_position:
                    continue
                if group.changed:
                    group.settle()
                if (
                    wall < group.until_ns
                    and group.above < value < group.below
                    and group.long_low < bid < group.long_high
                    and group.short_low < ask < group.short_high
                ):
                    continue  # inside every open position's exit zone
                _ask(tuple(group.in_position.values()), value, bid, ask, wall)
            else:
                _ask(group.everyone, value, bid, ask, wall)

    def _snapshot_loaded(self) -> None:
        for group in self._groups:
            group.reset()

    def _next_due(self) -> int:
        self._marks.ordered = False
        return min(f.bands.next_due_ns for f in self.followers)

    def _note_values(self) -> None:
        for group in self._groups:
            group.note_last()

    def _watchdog(self) -> None:
        self._note_values()
        self.leader.check_staleness()
        for follower in self.followers:
            follower.engine.review_position()

    # ------------------------------------------------------------------ the pass
    async def play(self) -> None:
        """Play the whole recording as fast as it goes (the loop of ``ReplayPlayer.play``)."""
        marks, followers = self._marks, self.followers
        set_clock = self.clock.set
        decoder = self._decoder
        ws_frame, rest_snapshot = decoder.ws_frame, decoder.rest_snapshot
        rest, connected = RecordKind.REST_SNAPSHOT, RecordKind.CONNECTED
        stale_ns = self._stale_ns
        frames, last_recv, first_wall, wall = 0, None, 0, 0
        due = self._next_due()
        for record in self._reader.records():
            recv, wall = record.recv_ns, record.wall_ns
            set_clock(wall_ns=wall, mono_ns=recv)
            if last_recv is not None and recv - last_recv > stale_ns:
                self._watchdog()
            if marks.ordered:
                due = self._next_due()
            if recv >= due:
                for follower in followers:
                    follower.bands.release_due(recv)
                due = self._next_due()
            marks.frame = frames
            kind = record.kind
            if kind is rest:
                rest_snapshot(record.tag, record.payload, recv)
            elif kind is connected:
                decoder.connected(recv)
            else:
                ws_frame(record.payload, recv)
            if not frames:
                first_wall = wall
            last_recv = recv
            frames += 1
            if frames % PROGRESS_EVERY == 0:
                self._note_values()
                await asyncio.sleep(0)  # the engines' own tasks run here, as in a solo replay
        self.frames, self._first_wall, self._last_wall = frames, first_wall, wall

    async def finish(self) -> list[ReplayResult]:
        """Flatten each follower (when the book allows), close it; one result per settings."""
        self._note_values()
        results = []
        live_book = self.book.state is BookState.LIVE
        self._marks.frame = self.frames
        # Alone, an engine that does not flatten here cancels a flatten still pending (a
        # protective close waiting for a LIVE book; ``runner.finish``) before the event loop
        # turns again: do that
        # for each one first, so no follower's pending flatten runs while another finishes.
        for follower in self.followers:
            if not (live_book and follower.engine.ledger.position.quantity != 0):
                follower.engine.cancel_flatten()
        for follower in self.followers:
            engine, tape = follower.engine, follower.tape
            status = None
            if live_book and engine.ledger.position.quantity != 0:
                status = await engine.flatten_all(END_OF_RECORDING)
            follower.bands.finish()
            await engine.close()
            results.append(
                ReplayResult(
                    path=self.path,
                    header=self.header,
                    read=self._reader.report,
                    counts=self._decoder.counts(),
                    frames=self.frames,
                    first_wall_ns=self._first_wall,
                    last_wall_ns=self._last_wall,
                    state=engine.state(),  # its market counters are the leader's, not kept here
                    signals=tuple(tape.signals),
                    fills=tuple(tape.fills),
                    round_trips=tuple(tape.round_trips),
                    bands=follower.bands.results(),
                    default_band=follower.bands.default(),
                    flatten=status,
                    resyncs_asked=self._feed.resyncs,
                    settings=follower.settings,
                )
            )
        return results


def _ask(followers: Sequence[_Follower], value: float, bid: float, ask: float, wall: int) -> None:
    """Ask each follower's engine, unless its strategy would surely decide nothing: flat inside
    its quiet band (the engine's own skip) or cooling down, or a position inside its exit zone.
    One call per group and update, the checks inlined: a large sweep spends its time here."""
    for follower in followers:
        zone = follower.zone
        if zone is None:
            if follower.low < value < follower.high or wall < follower.cool_until_ns:
                continue
        elif (
            wall < zone.until_ns
            and zone.signal_above < value < zone.signal_below
            and zone.low < (bid if zone.long else ask) < zone.high
        ):
            continue
        follower.cool_until_ns = follower.decide_on(value, bid, ask, wall)


async def replay_shared(
    path: Path, settings_list: Sequence[Settings], *, symbol: str | None = None
) -> list[ReplayResult]:
    """Replay every settings (one market key) on one shared pass; results in the given order."""
    shared = SharedPass(path, settings_list, symbol=symbol)
    await shared.play()
    return await shared.finish()
