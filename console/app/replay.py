"""A deterministic trading run: a seeded ``SimMarket`` played into a real ``Engine``.

Snapshots, screenshots and UI tests need the same screen every time, so nothing here reads the
wall clock or a socket: the engine runs on a ``ManualClock`` that moves only when the replay
plays market time, and the book events are the sim market's own level changes, delivered the
way the Kraken Futures feed delivers them (a snapshot, then one level per sequence number).
Because the clock does not move while the engine works, nothing is measured: the console shows
no latency figure for it (``latency_measured``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal

from brokers import registry
from brokers.sim import PF_XBTUSD, SimMarket, SimProductSpec
from console.options import RunOptions
from console.totals import SessionBase
from core.clock import ManualClock
from core.dead_man import DeadManPhase, DeadManView
from core.engine import Engine, EngineConfig, ModeChangeRefused
from core.engine_state import KillSwitchStatus
from core.enums import Mode, Side
from core.events import BookDelta, BookSnapshot
from core.instrument import Instrument
from core.ledger import Position
from core.ports import (
    AccountSnapshot,
    FeedSink,
    OpenOrder,
    OrderRequest,
    OrderResult,
    VenueError,
    VenuePosition,
)
from core.risk import RiskLimits
from core.store import RunEnd
from core.strategy import StrategyParams

START_WALL_NS = 1_767_261_600_000_000_000  # 2026-01-01 10:00:00 UTC
TAKER_FEE = Decimal("0.0005")  # the simulated venue's default (5 bps)


def instrument_of(spec: SimProductSpec) -> Instrument:
    return Instrument(
        symbol=spec.symbol,
        contract_type=spec.contract_type,
        tick_size=spec.tick_size,
        size_step=spec.size_step,
        contract_size=spec.contract_size,
        base=spec.base,
        quote=spec.quote,
    )


def replay_options(mode: Mode = Mode.PAPER, **changes: object) -> RunOptions:
    fields: dict[str, object] = {
        "broker": registry.DEFAULT_VENUE,
        "symbol": PF_XBTUSD.symbol,
        "mode": mode,
        "duration_s": None,
        "ui": True,
    }
    fields.update(changes)
    return RunOptions(**fields)  # type: ignore[arg-type]


NO_VENUE = "a deterministic replay has no venue to trade on"


class NoVenue:
    """The ``ExecutionVenue`` of a deterministic replay: every call says there is none."""

    async def instruments(self) -> Mapping[str, Instrument]:
        raise VenueError(NO_VENUE)

    async def place_order(self, order: OrderRequest) -> OrderResult:
        raise VenueError(NO_VENUE)

    async def order_status(self, client_order_id: str, product: str) -> OrderResult | None:
        raise VenueError(NO_VENUE)

    async def cancel_all_orders(self, product: str | None = None) -> None:
        raise VenueError(NO_VENUE)

    async def open_positions(self) -> list[VenuePosition]:
        raise VenueError(NO_VENUE)

    async def open_orders(self) -> list[OpenOrder]:
        raise VenueError(NO_VENUE)

    async def account(self) -> AccountSnapshot:
        raise VenueError(NO_VENUE)

    async def close(self) -> None:
        return None


class MarketReplay:
    """An ``SessionHost`` and ``MarketFeed`` whose market moves only when ``play`` is called."""

    def __init__(
        self,
        options: RunOptions,
        *,
        seed: int = 7,
        rate_hz: float = 200.0,
        edge: float = 0.25,
        spec: SimProductSpec = PF_XBTUSD,
        strategy: StrategyParams | None = None,
        risk: RiskLimits | None = None,
        session_base: SessionBase | None = None,
        venue_name: str | None = None,  # default: the simulated venue's own name
    ) -> None:
        self.options = options
        self.session_base = session_base  # a scene of a resumed session: what it had before
        self.latency_measured = False  # the manual clock stands still while the engine works
        self.switch: DeadManView | None = None  # the dead man's switch a scene shows
        self.clock = ManualClock(wall_ns=START_WALL_NS, mono_ns=1_000_000_000)
        self.market = SimMarket([spec], seed=seed, rate_hz=rate_hz, edge=edge)
        self._product = spec.symbol
        config = EngineConfig(
            venue_name=venue_name or f"{options.venue.title} (simulated)",
            instrument=instrument_of(spec),
            mode=options.mode,
            strategy=strategy or StrategyParams(),
            risk=risk or RiskLimits(),
            trade_notional_usd=Decimal(100),
            taker_fee_rate=TAKER_FEE,
        )
        # Like the sim (whose keys are public), a replay may ask to go live; it has no venue to
        # trade on, so going live is refused after the question, as a venue that cannot be
        # reconciled would be.
        self.engine = Engine(config, feed=self, clock=self.clock, venue=NoVenue())
        if session_base is not None:  # continue the session as ``console.session`` does
            self.engine.restore(
                position=Position(spec.symbol, Decimal(0), Decimal(0), 0, Decimal(0)),
                realized_pnl=session_base.realized_pnl,
                fees_paid=session_base.fees,
                day=dt.datetime.fromtimestamp(START_WALL_NS // 10**9, dt.UTC).date(),
                trades_today=0,
                realized_today=Decimal(0),
                next_signal_number=session_base.signals + 1,
            )
        self._seq = 0
        self._needs_snapshot = True
        self._sink: FeedSink = self.engine
        self.market.step(self._product, self.clock.wall_ns())  # starts the market's clock

    # ------------------------------------------------------------------ MarketFeed
    async def run(self, sink: FeedSink) -> None:
        """Nothing streams by itself: the replay is driven by ``play``."""
        self._sink = sink
        await asyncio.Event().wait()

    def resync(self, product: str) -> None:
        self._needs_snapshot = True

    # ------------------------------------------------------------------ SessionHost
    def dead_man(self) -> DeadManView:
        """As a run of this mode shows it (a scene may set ``switch`` to show another)."""
        if self.switch is not None:
            return self.switch
        return DeadManView(DeadManPhase.OFF, why=self.engine.mode.value.lower())

    async def start(self) -> None:
        """The market moves only when played."""

    async def set_mode(self, mode: Mode) -> None:
        self.engine.check_mode_change(mode)
        if mode is Mode.LIVE:
            raise ModeChangeRefused(f"cannot go live safely: {NO_VENUE}")
        self.engine.set_mode(mode)

    async def stop(
        self, *, flatten: bool, how: RunEnd = RunEnd.COMPLETED
    ) -> KillSwitchStatus | None:
        engine = self.engine
        status = None
        if (
            flatten
            and engine.mode in (Mode.PAPER, Mode.LIVE)
            and not engine.ledger.position.is_flat
        ):
            status = await engine.flatten_all("Shutdown: flatten")
        await engine.close()
        return status

    # ------------------------------------------------------------------ driving the market
    def play(self, seconds: float, *, step_s: float = 0.02) -> None:
        """Move market time on by ``seconds`` and deliver every level change on the way."""
        steps = round(seconds / step_s)
        step_ns = round(step_s * 1e9)
        for _ in range(steps):
            self.clock.advance(step_ns)
            self._deliver(self.market.step(self._product, self.clock.wall_ns()))

    def play_until(
        self, done: Callable[[], bool], *, max_seconds: float = 600.0, step_s: float = 0.02
    ) -> float:
        """Play until ``done()``; returns the market seconds it took (raises when it never is)."""
        played = 0.0
        while not done():
            if played >= max_seconds:
                raise TimeoutError(f"condition not reached within {max_seconds:g}s of market")
            self.play(step_s, step_s=step_s)
            played += step_s
        return played

    def skip_sequence(self) -> None:
        """Lose one message: the next delta jumps a sequence number (the book must resync)."""
        self._seq += 1

    def go_silent(self, seconds: float) -> None:
        """Time passes with no message at all (the engine's watchdog then marks the book STALE)."""
        self.clock.advance(round(seconds * 1e9))
        self.market.step(self._product, self.clock.wall_ns())  # the unseen changes are lost
        self.engine.check_staleness()

    def _deliver(self, changes: list) -> None:  # list[LevelChange]
        if self._needs_snapshot:
            self._send_snapshot()
        sink = self._sink
        product = self._product
        now = self.clock.mono_ns()
        for change in changes:
            self._seq += 1
            level = ((float(change.price), float(change.size)),)
            bids, asks = (level, ()) if change.side is Side.BUY else ((), level)
            sink.on_delta(BookDelta(product, self._seq, self._seq, bids, asks, change.ts_ns, now))
            if self._needs_snapshot:  # the engine found a gap and asked for a resync
                return

    def _send_snapshot(self) -> None:
        view = self.market.book(self._product)
        self._seq = view.update_id
        self._needs_snapshot = False
        self._sink.on_snapshot(
            BookSnapshot(
                self._product,
                view.update_id,
                tuple((float(p), float(s)) for p, s in view.bids),
                tuple((float(p), float(s)) for p, s in view.asks),
                self.clock.wall_ns(),
                self.clock.mono_ns(),
            )
        )
