"""The fault-injection rig of ``rig.py`` for Binance.us: the sim's Binance.us streams and REST,
the real Binance.us adapter (stream + REST snapshots), the engine trading paper on it.

Paper, because Binance.us has no testnet: the ledger is checked against the fills it booked
(rebuilt from them), the book against the venue's, level for level, at one update id.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from brokers.binance_us import BinanceUsFeed
from brokers.binance_us.stats import FeedStats
from brokers.sim import BinanceUsSimServer
from console.options import RunOptions
from console.session import TradingSession
from console.settings import Settings
from console.venue_setup import open_venue
from core.engine import Engine
from core.engine_state import FeedCounters
from core.enums import BookState, Mode
from core.ledger import Ledger
from tests.e2e.rig import Witness
from tests.waiting import eventually

SYMBOL = "BTCUSDT"


def binance_settings(server: BinanceUsSimServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "binance_us_ws_url": server.ws_url,
        "binance_us_rest_url": server.rest_url,
        "cooldown_seconds": 0.5,
        "max_trades_per_day": 10_000,
        "max_daily_loss_usd": 10_000,
        "websocket_timeout_seconds": 1.0,
        "max_book_lag_seconds": 2.0,
        "max_hold_seconds": 2,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class BinanceRig:
    server: BinanceUsSimServer
    session: TradingSession
    witness: Witness

    @property
    def engine(self) -> Engine:
        return self.session.engine

    @property
    def feed_stats(self) -> FeedStats:
        feed = self.session.connection.feed
        assert isinstance(feed, BinanceUsFeed)
        return feed.stats

    @property
    def counters(self) -> FeedCounters:
        return self.engine.state().counters

    async def trading(self, *, decisions: int = 1, timeout_s: float = 30) -> None:
        await eventually(
            lambda: (
                self.engine.book.state is BookState.LIVE
                and len(self.witness.decisions) >= decisions
            ),
            timeout_s,
            what=f"a LIVE book and {decisions} decisions",
        )

    async def went_down(self, after: float, timeout_s: float = 15.0) -> float:
        def down() -> list[float]:
            changes = self.witness.changes_since(after)
            return [t for t, st, _ in changes if st is not BookState.LIVE]

        await eventually(down, timeout_s, what="the book to leave LIVE")
        return down()[0]

    async def recovery(self, healthy_at: float, timeout_s: float = 15.0) -> float:
        target = self.server.last_update_id(SYMBOL)

        def live_at() -> list[float]:
            changes = self.witness.changes_since(healthy_at)
            return [t for t, st, _ in changes if st is BookState.LIVE]

        def recovered() -> bool:
            book = self.engine.book
            return bool(live_at()) and book.state is BookState.LIVE and book.seq >= target

        await eventually(recovered, timeout_s, what="the book LIVE again and caught up")
        return live_at()[0] - healthy_at

    async def book_matches_the_venue(self, timeout_s: float = 10.0) -> None:
        """Pause the market, wait for the last event to arrive, compare every level at one id."""
        self.engine.halt_decisions(True)
        self.server.paused = True
        try:
            # Counts the changes still batched too: the wait below sees the last event arrive.
            target = self.server.last_update_id(SYMBOL)
            await eventually(
                lambda: self.engine.book.state is BookState.LIVE and self.engine.book.seq == target,
                timeout_s,
                what="the session's book at the venue's update id",
            )
            view = self.server.book(SYMBOL)
            bids, asks = self.engine.book.top(max(len(view.bids), len(view.asks)))
            assert bids == [(float(p), float(q)) for p, q in view.bids]
            assert asks == [(float(p), float(q)) for p, q in view.asks]
        finally:
            self.server.paused = False
            self.engine.halt_decisions(False)

    def never_decided_on_a_book_not_live(self) -> int:
        bad = [
            (s.number, state.value)
            for s, state in self.witness.decisions
            if state is not BookState.LIVE and not s.reason.startswith(("Kill switch", "Shutdown"))
        ]
        assert not bad, f"decisions on a book that was not LIVE: {bad}"
        return len(self.witness.decisions)

    async def flatten_and_check_the_ledger(self) -> None:
        status = await asyncio.wait_for(self.session.flatten("Kill switch: end of test"), 60)
        assert status.phase.value == "flat", status.detail
        assert await self.engine.wait_idle(30)
        rebuilt = Ledger(self.engine.instrument)
        trips = [t for t in map(rebuilt.apply, self.witness.fills) if t is not None]
        ledger = self.engine.ledger
        assert (rebuilt.position, rebuilt.realized_pnl, rebuilt.fees_paid) == (
            ledger.position,
            ledger.realized_pnl,
            ledger.fees_paid,
        )
        assert trips == self.witness.round_trips
        assert ledger.position.quantity == 0


@contextlib.asynccontextmanager
async def binance_rig(*, seed: int = 8, **settings: Any) -> AsyncIterator[BinanceRig]:
    server = BinanceUsSimServer(seed=seed, rate_hz=400)
    await server.start()
    try:
        options = RunOptions(
            broker="binance_us", symbol=SYMBOL, mode=Mode.PAPER, duration_s=None, ui=False
        )
        async with contextlib.AsyncExitStack() as stack:
            config = binance_settings(server, **settings)
            connection = await open_venue(options, config, stack)
            witness = Witness(product=SYMBOL)
            session = TradingSession(options, config, connection, observers=[witness])
            witness.engine = session.engine
            await session.start()
            try:
                yield BinanceRig(server, session, witness)
            finally:
                server.paused = False
                await session.stop(flatten=False)
    finally:
        await server.stop()
