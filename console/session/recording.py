"""A named session's periodic record: equity every 30 s, latency histograms and fill bands every
minute, all of them once more and the gate verdict when the run ends; and every kill switch
result. Time comes only from the injected clock."""

from __future__ import annotations

import asyncio
import logging

from console.session.verdict import gate_evaluation, read_report
from console.settings import Settings
from core.clock import Clock
from core.engine import Engine
from core.engine_state import KillSwitchStatus
from core.fill_bands import FillBands
from core.observer import EngineObserver
from core.store import EquityPoint, RunEnd, SessionStore, StoreError

log = logging.getLogger(__name__)

EQUITY_EVERY_S = 30.0
LATENCY_EVERY_S = 60.0
_NS = 1_000_000_000


class SessionRecorder:
    """What one run adds to its session's record besides what the engine journals itself."""

    def __init__(
        self,
        store: SessionStore,
        engine: Engine,
        bands: FillBands | None,
        settings: Settings,
        clock: Clock,
    ) -> None:
        self.store = store
        self._engine = engine
        self._bands = bands
        self._settings = settings
        self._clock = clock

    async def record_forever(self) -> None:
        """Equity every ``EQUITY_EVERY_S``; latency and bands once ``LATENCY_EVERY_S`` passed."""
        try:
            await self._record_periodically()
        except StoreError as exc:  # the engine was told (the store's failure listener)
            log.error("session record stopped: %s", exc)

    async def _record_periodically(self) -> None:
        last_latency_ns = self._clock.mono_ns()
        while True:
            await asyncio.sleep(EQUITY_EVERY_S)
            self.record_equity()
            if self._clock.mono_ns() - last_latency_ns >= LATENCY_EVERY_S * _NS:
                self.record_latency()
                self.record_bands()
                last_latency_ns = self._clock.mono_ns()

    def record_equity(self) -> None:
        state = self._engine.state()
        realized = state.realized_pnl - state.fees_paid
        self.store.record_equity(
            EquityPoint(
                wall_ns=state.wall_ns,
                equity=realized + state.unrealized_pnl,
                realized_pnl=realized,
                unrealized_pnl=state.unrealized_pnl,
                position=state.position.quantity,
                mark_price=state.mark_price,
            )
        )

    def record_latency(self) -> None:
        """Tick→decision, decision→order and order→ack (``core.latency`` names), as of now."""
        now_ns = self._clock.wall_ns()
        for name, histogram in self._engine.latency_histograms.items():
            self.store.record_latency(name, histogram, now_ns)

    def record_bands(self) -> None:
        """The paper decisions' P&L filled worse / as paper / better, as of now."""
        if self._bands is not None:
            self.store.record_fill_bands(
                self._bands.default(), self._bands.results(), self._clock.wall_ns()
            )

    async def close(self, how: RunEnd) -> None:
        """The run's last equity, latency and bands, the gate verdict, then the record closed
        (``how`` the run ended), whatever failed before. A store that failed is only closed (its
        failure was shown; fills since are in its fallback journal)."""
        try:
            if self.store.failure is None:
                self.record_equity()
                self.record_latency()
                self.record_bands()
                await self.store.flush()
                await self._record_gate()
        except StoreError as exc:
            log.error("the run's last records were not stored: %s", exc)
        finally:
            try:
                await self.store.close(how)
            except StoreError as exc:
                log.error("the run's end was not stored: %s", exc)

    async def _record_gate(self) -> None:
        """The gate verdict as of this run's end, kept with the session (reports recompute it)."""
        path, name = self.store.path, self.store.resume.session.name
        report = await asyncio.to_thread(read_report, path, name, self._settings)
        self.store.record_gate_evaluation(gate_evaluation(report, self._clock.wall_ns()))


class KillSwitchRecord(EngineObserver):
    """Keeps every kill switch result in the session record (who pulled it, what the venue
    said), next to the fills it produced."""

    def __init__(self, store: SessionStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def on_kill_switch(self, status: KillSwitchStatus, reason: str) -> None:
        try:
            self._store.record_kill_switch(
                reason=reason,
                phase=status.phase.value,
                detail=status.detail,
                wall_ns=self._clock.wall_ns(),
            )
        except StoreError as exc:  # the engine stops on recording failures of its own
            log.error("kill switch result not recorded: %s", exc)
