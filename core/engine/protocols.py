"""What the kill switch and the start-up reconciliation need from the engine's parts, and nothing
more: they depend on these, never on the ``Engine`` itself (``execution``, ``trader`` and
``positions`` are the parts that provide them)."""

from __future__ import annotations

from collections.abc import Awaitable
from decimal import Decimal
from typing import Protocol

from core.engine_state import KillSwitchStatus
from core.events import Signal
from core.ledger import Position
from core.ports import OrderRequest, OrderResult, VenuePosition


class OrderDesk(Protocol):
    """The one submit path (``execution.Execution``)."""

    @property
    def live(self) -> bool: ...

    def new_order_id(self) -> str: ...

    def submit(
        self,
        request: OrderRequest,
        signal_number: int,
        decision_mid: float,
        decided_mono_ns: int | None = None,
        *,
        urgent: bool = False,
    ) -> Awaitable[OrderResult] | None: ...


class StrategyDesk(Protocol):
    """The trader: its signal numbering, and whether one of its orders is still in flight."""

    def record_close(self, reason: str, quantity: Decimal) -> Signal: ...

    async def wait_idle(self, timeout_s: float = 10.0) -> bool: ...


class PositionKeeper(Protocol):
    """The traded product's position in the ledger, kept in line with the venue."""

    symbol: str

    @property
    def position(self) -> Position: ...

    def align_with_venue(self, position: VenuePosition | None) -> None: ...

    def adopt(self, position: VenuePosition) -> None: ...


class Flattener(Protocol):
    """The kill switch, as the reconciliation pulls it."""

    async def flatten(self, reason: str, *, hold: bool = True) -> KillSwitchStatus: ...
