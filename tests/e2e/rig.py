"""A whole trading session against the simulated venue, for fault-injection tests.

The real pieces, end to end over real sockets on 127.0.0.1: the sim's Kraken servers and the real
Kraken adapter of one ``protocol`` — ``"v1"`` (the Derivatives WebSocket and REST v3: feed, REST,
dead-man's switch) or ``"unified"`` (the Unified WebSocket: public book verified by checksum,
private socket with its token, orders and the dead man's switch over it) — the engine and the
session the console uses. A ``Witness`` observes the engine: the state of the traded book at
every decision, every book-state change with its time, fills, notices and kill-switch results.

The four things every fault test asserts live here:
* ``never_decided_on_a_book_not_live`` — the state of the book at each strategy decision;
* ``recovery`` — the measured time from the venue being healthy again to a LIVE book caught up
  with the venue (bounded waits; the times are reported, see ``conftest.recovery_log``);
* the counters of what was dropped — ``counters`` and ``feed_stats``, compared by each test;
* ``ledger_matches_the_venue`` — every fill the venue made is the ledger's, in order, and the
  ledger rebuilt from those fills is the engine's ledger, position for position.

The market follows the wall clock, but ``freeze()`` stops it, so a test can compare the
session's book with the venue's level for level at one sequence number (Unified has none: there
the frozen venue's book at the subscribed depth is the target).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pydantic import SecretStr

from brokers.kraken_futures import KrakenFuturesFeed
from brokers.kraken_futures.stats import FeedStats
from brokers.kraken_futures.unified.feed import KrakenUnifiedFeed
from brokers.kraken_futures.unified.stats import UnifiedFeedStats
from brokers.sim import SIM_API_KEY, SIM_API_SECRET, KrakenFuturesSimServer
from brokers.sim.kraken_unified import KrakenUnifiedSimServer
from brokers.sim.kraken_unified.auth import SIM_UNIFIED_API_KEY, SIM_UNIFIED_API_SECRET
from console.options import RunOptions
from console.session import TradingSession
from console.settings import Settings
from console.venue_setup import open_venue
from core.engine import Engine
from core.engine_state import FeedCounters, KillSwitchPhase, KillSwitchStatus
from core.enums import BookState, Mode
from core.events import Fill, RoundTrip, Signal
from core.ledger import Ledger
from core.observer import EngineObserver
from core.ports import OrderRequest, OrderResult
from tests.waiting import eventually

XBT = "PF_XBTUSD"
Protocol = Literal["v1", "unified"]
PROTOCOLS: tuple[Protocol, ...] = ("v1", "unified")
SimServer = KrakenFuturesSimServer | KrakenUnifiedSimServer
UNIFIED_DEPTH = 25  # the Unified feed's subscribed book depth (``KrakenUnifiedFeed``)
KILL_SWITCH_REASONS = ("Kill switch", "Shutdown", "Flatten command", "Start-up", "book not LIVE")


class FreezableClock:
    """The wall clock, until ``freeze()``: then it stands still until ``thaw()``."""

    def __init__(self) -> None:
        self._frozen_at: int | None = None

    def __call__(self) -> int:
        return self._frozen_at if self._frozen_at is not None else time.time_ns()

    def freeze(self) -> None:
        self._frozen_at = time.time_ns()

    def thaw(self) -> None:
        self._frozen_at = None


@dataclass
class Witness(EngineObserver):
    """Records what the engine did, with the traded book's state at every decision."""

    engine: Engine | None = None
    product: str = XBT  # the traded product, whose book states are kept
    decisions: list[tuple[Signal, BookState]] = field(default_factory=list)
    states: list[tuple[float, BookState, str]] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    round_trips: list[RoundTrip] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    timed_notices: list[tuple[float, str]] = field(default_factory=list)  # (monotonic, text)
    kill_switch: list[KillSwitchStatus] = field(default_factory=list)
    orders: list[tuple[float, OrderRequest, OrderResult | None]] = field(default_factory=list)
    sent_on: list[tuple[OrderRequest, BookState]] = field(default_factory=list)

    def on_order(self, request: OrderRequest, result: OrderResult | None) -> None:
        self.orders.append((time.monotonic(), request, result))
        if result is None and self.engine is not None:  # on its way: the book it was sent on
            self.sent_on.append((request, self.engine.book.state))

    def settled(self, client_order_id: str) -> tuple[float, OrderResult] | None:
        """(seconds from sending to the final answer, that answer) once there is one."""
        sent = [t for t, r, res in self.orders if r.client_order_id == client_order_id and not res]
        done = [
            (t, res) for t, r, res in self.orders if r.client_order_id == client_order_id and res
        ]
        if not sent or not done:
            return None
        return done[0][0] - sent[0], done[0][1]

    def on_signal(self, signal: Signal) -> None:
        assert self.engine is not None
        self.decisions.append((signal, self.engine.book.state))

    def on_book_state(self, product: str, state: BookState, reason: str) -> None:
        if product == self.product:
            self.states.append((time.monotonic(), state, reason))

    def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)

    def on_round_trip(self, round_trip: RoundTrip) -> None:
        self.round_trips.append(round_trip)

    def on_notice(self, text: str) -> None:
        self.notices.append(text)
        self.timed_notices.append((time.monotonic(), text))

    def noticed(self, part: str) -> float | None:
        """When (monotonic, as the engine said it) the first notice containing ``part`` came."""
        return next((t for t, text in self.timed_notices if part in text), None)

    def on_kill_switch(self, status: KillSwitchStatus, reason: str) -> None:
        self.kill_switch.append(status)

    def changes_since(self, t0: float) -> list[tuple[float, BookState, str]]:
        return [s for s in self.states if s[0] >= t0]


def rig_settings(server: SimServer, **overrides: Any) -> Settings:
    if isinstance(server, KrakenUnifiedSimServer):
        venue: dict[str, Any] = {
            "kraken_api_key": SecretStr(SIM_UNIFIED_API_KEY),
            "kraken_protocol": "unified",  # the Unified adapter against the Unified sim
            "kraken_api_secret": SecretStr(SIM_UNIFIED_API_SECRET),
            "kraken_ws_public_url": server.ws_url,
            "kraken_rest_url": server.rest_url,
        }
    else:
        venue = {
            "kraken_api_key": SecretStr(SIM_API_KEY),
            "kraken_protocol": "v1",  # the v1 adapter against the v1 sim
            "kraken_api_secret": SecretStr(SIM_API_SECRET),
            "kraken_futures_ws_url": server.ws_url,
            "kraken_futures_rest_url": server.rest_url,
        }
    values: dict[str, Any] = {
        **venue,
        "cooldown_seconds": 0.5,
        "max_trades_per_day": 10_000,
        "max_daily_loss_usd": 10_000,
        "websocket_timeout_seconds": 1.0,
        "rest_timeout_seconds": 1.0,
        "max_book_lag_seconds": 2.0,
        "dead_man_refresh_seconds": 0.5,
        "dead_man_timeout_seconds": 5,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Rig:
    server: SimServer
    clock: FreezableClock
    session: TradingSession
    witness: Witness

    @property
    def engine(self) -> Engine:
        return self.session.engine

    @property
    def unified(self) -> bool:
        return isinstance(self.server, KrakenUnifiedSimServer)

    @property
    def api_key(self) -> str:
        return SIM_UNIFIED_API_KEY if self.unified else SIM_API_KEY

    @property
    def unified_server(self) -> KrakenUnifiedSimServer:
        assert isinstance(self.server, KrakenUnifiedSimServer)
        return self.server

    @property
    def feed_stats(self) -> FeedStats | UnifiedFeedStats:
        feed = self.session.connection.feed
        assert isinstance(feed, KrakenFuturesFeed | KrakenUnifiedFeed)
        return feed.stats

    @property
    def unified_stats(self) -> UnifiedFeedStats:
        stats = self.feed_stats
        assert isinstance(stats, UnifiedFeedStats)
        return stats

    def venue_seq(self) -> int:
        """How far the venue's book of XBT has moved: v1's ``seq``, Unified's level changes."""
        if isinstance(self.server, KrakenUnifiedSimServer):
            return self.server.market.update_id(XBT)
        return self.server.seq(XBT)

    def venue_book(self) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
        """The venue's book as a synced session holds it (Unified: at the subscribed depth)."""
        if isinstance(self.server, KrakenUnifiedSimServer):
            view = self.server.book_at(XBT, UNIFIED_DEPTH)
        else:
            view = self.server.book(XBT)
        return [(float(p), float(q)) for p, q in view.bids], [
            (float(p), float(q)) for p, q in view.asks
        ]

    def never_entered_on_a_book_not_live(self) -> int:
        """Every order that could open a position (not ``reduce_only``, not the kill switch's)
        went out while the engine's book was LIVE; returns how many entries there were."""
        entries = [(r, st) for r, st in self.witness.sent_on if not r.reduce_only]
        bad = [(r.client_order_id, st.value) for r, st in entries if st is not BookState.LIVE]
        assert not bad, f"orders sent on a book that was not LIVE: {bad}"
        return len(entries)

    @property
    def counters(self) -> FeedCounters:
        return self.engine.state().counters

    # --- waiting ---------------------------------------------------------------------------
    async def trading(self, *, fills: int = 0, timeout_s: float = 20) -> None:
        """Wait for a LIVE book (and, if asked, that many fills)."""
        await eventually(
            lambda: self.engine.book.state is BookState.LIVE and len(self.witness.fills) >= fills,
            timeout_s,
            what=f"a LIVE book and {fills} fills",
        )

    async def went_down(self, after: float, timeout_s: float = 10.0) -> float:
        """When (monotonic) the traded book first left LIVE at or after ``after``."""

        def down() -> list[float]:
            return [t for t, st, _ in self.witness.changes_since(after) if st is not BookState.LIVE]

        await eventually(down, timeout_s, what="the book to leave LIVE")
        return down()[0]

    async def recovery(self, healthy_at: float, timeout_s: float = 10.0) -> float:
        """Seconds from ``healthy_at`` (monotonic: the venue is fine again) until the book is
        LIVE again; the wait also sees it catch up with what the venue sent meanwhile."""
        # Unified has no sequence numbers: a LIVE book there was loaded from a snapshot whose
        # checksum matched the venue's, which is the same proof.
        target = 0 if self.unified else self.venue_seq()

        def live_at() -> list[float]:
            return [
                t for t, st, _ in self.witness.changes_since(healthy_at) if st is BookState.LIVE
            ]

        def recovered() -> bool:
            book = self.engine.book
            return bool(live_at()) and book.state is BookState.LIVE and book.seq >= target

        await eventually(recovered, timeout_s, what="the book LIVE again and caught up")
        return live_at()[0] - healthy_at

    async def book_matches_the_venue(self, timeout_s: float = 10.0) -> None:
        """Freeze the market, wait until the session caught up, compare every level.

        Decisions are held meanwhile: an order would move the venue's book on again."""
        self.engine.halt_decisions(True)
        self.clock.freeze()
        try:
            assert await self.engine.wait_idle(timeout_s)
            target = await self.venue_settled()
            venue_bids, venue_asks = self.venue_book()
            depth = max(len(venue_bids), len(venue_asks))

            def caught_up() -> bool:
                book = self.engine.book
                if book.state is not BookState.LIVE:
                    return False
                if self.unified:  # no sequence numbers: the frozen venue's levels are the target
                    return book.top(depth) == (venue_bids, venue_asks)
                return book.seq == target

            try:
                await eventually(caught_up, timeout_s, what="the session's book at the venue's")
            except TimeoutError:
                if not self.unified:
                    raise  # Unified: the level diff below says more
            bids, asks = self.engine.book.top(depth)
            assert self.engine.book.state is BookState.LIVE
            assert (bids, asks) == (venue_bids, venue_asks), _diff(
                bids, venue_bids, asks, venue_asks
            )
        finally:
            self.clock.thaw()
            self.engine.halt_decisions(False)

    async def venue_settled(self) -> int:
        """The venue's sequence number once the frozen market has stopped moving (the ticker
        may still step up to the moment of the freeze)."""
        last = self.venue_seq()
        for _ in range(500):
            await asyncio.sleep(0.03)
            now = self.venue_seq()
            if now == last:
                return now
            last = now
        raise TimeoutError("the frozen market kept moving")

    # --- the standing assertions ----------------------------------------------------------
    def never_decided_on_a_book_not_live(self) -> int:
        """Every strategy decision saw a LIVE book; returns how many decisions there were."""
        strategy = [
            (s, state)
            for s, state in self.witness.decisions
            if not s.reason.startswith(KILL_SWITCH_REASONS)
        ]
        bad = [
            (s.number, s.action.value, state.value)
            for s, state in strategy
            if state is not BookState.LIVE
        ]
        assert not bad, f"decisions on a book that was not LIVE: {bad}"
        return len(strategy)

    async def flatten_and_check_the_ledger(self) -> KillSwitchStatus:
        """Kill switch, then: the venue's fills are the ledger's fills, exactly."""
        status = await asyncio.wait_for(self.session.flatten("Kill switch: end of test"), 60)
        assert status.phase is KillSwitchPhase.FLAT, status.detail
        await self.ledger_matches_the_venue()
        return status

    async def flatten_and_check_the_ledger_after_adoption(self) -> None:
        """As above, for a session that took over a position it did not open (its entry is
        not among the session's fills, so the ledger cannot be rebuilt from them alone)."""
        status = await asyncio.wait_for(self.session.flatten("Kill switch: end of test"), 60)
        assert status.phase is KillSwitchPhase.FLAT, status.detail
        await self.ledger_matches_the_venue(rebuild=False)

    async def ledger_matches_the_venue(self, *, rebuild: bool = True) -> None:
        """The session's orders' fills at the venue (ours: with a client id, this product) are
        the ledger's fills, in order, and the positions agree."""
        assert await self.engine.wait_idle(30)
        account = self.server.exchange.account(self.api_key)
        venue_fills = [
            (f.side, f.price, f.size, f.client_id)
            for f in account.fills
            if f.product == XBT and f.client_id is not None
        ]
        ledger_fills = [
            (f.side, f.price, f.quantity, f.client_order_id) for f in self.witness.fills
        ]
        assert ledger_fills == venue_fills
        venue_position = sum(
            (p.size for p in account.positions.values() if p.product == XBT), Decimal(0)
        )
        assert self.engine.ledger.position.quantity == venue_position
        if rebuild:
            self.ledger_rebuilt_from_fills_is_the_engines()

    def ledger_rebuilt_from_fills_is_the_engines(self) -> None:
        rebuilt = Ledger(self.engine.instrument)
        trips = [t for t in map(rebuilt.apply, self.witness.fills) if t is not None]
        ledger = self.engine.ledger
        assert rebuilt.position.quantity == ledger.position.quantity
        assert rebuilt.realized_pnl == ledger.realized_pnl
        assert rebuilt.fees_paid == ledger.fees_paid
        assert trips == self.witness.round_trips

    def client_ids_are_unique_at_the_venue(self) -> None:
        account = self.server.exchange.account(self.api_key)
        ids = [o.client_id for o in account.orders.values()]
        assert len(ids) == len(set(ids)), "one decision, one order"


@contextlib.asynccontextmanager
async def trading_rig(
    mode: Mode = Mode.LIVE,
    *,
    protocol: Protocol = "v1",
    seed: int = 5,
    rate_hz: float = 400,
    before_start: Callable[[Any], None] | None = None,
    **settings: Any,
) -> AsyncIterator[Rig]:
    """A started session on a fresh sim venue speaking ``protocol``; ``before_start`` prepares
    the venue first (an account that already holds something)."""
    clock = FreezableClock()
    server: SimServer
    if protocol == "unified":
        server = KrakenUnifiedSimServer(
            seed=seed, rate_hz=rate_hz, heartbeat_interval_s=0.2, clock=clock
        )
    else:
        server = KrakenFuturesSimServer(
            seed=seed, rate_hz=rate_hz, heartbeat_interval_s=0.2, clock=clock
        )
    await server.start()
    if before_start is not None:
        before_start(server)
    try:
        options = RunOptions(
            broker="kraken",
            symbol=XBT,
            mode=mode,
            duration_s=None,
            ui=False,
            real_money_ack=True,  # no Kraken demo: live is real money; this is the sim
        )
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, rig_settings(server, **settings), stack)
            witness = Witness()
            session = TradingSession(
                options, rig_settings(server, **settings), connection, observers=[witness]
            )
            witness.engine = session.engine
            await session.start()
            try:
                yield Rig(server, clock, session, witness)
            finally:
                clock.thaw()
                await session.stop(flatten=False)
    finally:
        await server.stop()


def _diff(bids: list[Any], venue_bids: list[Any], asks: list[Any], venue_asks: list[Any]) -> str:
    return (
        f"bids only ours {sorted(set(bids) - set(venue_bids))[:5]} "
        f"only venue {sorted(set(venue_bids) - set(bids))[:5]}; "
        f"asks only ours {sorted(set(asks) - set(venue_asks))[:5]} "
        f"only venue {sorted(set(venue_asks) - set(asks))[:5]}"
    )
