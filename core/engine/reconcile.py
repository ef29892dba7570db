"""Start-up reconciliation for live trading: never assume flat.

Before the first live decision the venue is asked what it holds for the traded product, and the
session's ledger is made to agree with it:

* open orders on the product are cancelled (the strategy only sends market orders, so a resting
  order is a leftover of a crash or someone else's: it must not fill behind our back);
* the venue's position equal to the session's (a resumed session): nothing to do;
* the venue flat, the session not: the position was closed outside l2console (by hand, a
  liquidation): the ledger follows the venue, loudly;
* the venue holding what the session does not know: ``ADOPT`` takes it over (the strategy's
  exits manage it from now, the hold clock starting now), ``FLATTEN`` takes it over and closes
  it at once (reduce-only market, confirmed flat by the venue).

Positions in other products are reported and left alone. A venue that cannot be read after a
few tries stops the start: trading on a guessed position is exactly what this prevents.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from core.engine.protocols import Flattener, PositionKeeper
from core.engine_state import KillSwitchPhase, KillSwitchStatus
from core.ports import ExecutionVenue, VenueError, VenuePosition


class StartPositionAction(Enum):
    """What to do with a position found at the venue that the session does not know."""

    ADOPT = "adopt"
    FLATTEN = "flatten"


class ReconcileError(Exception):
    """The venue could not be read at start; the one-line message says so."""


FLATTEN_REASON = "Start-up: flatten a position the session did not know"


@dataclass(frozen=True, slots=True)
class Reconciliation:
    product: str
    venue_quantity: Decimal
    session_quantity: Decimal
    cancelled_orders: int
    outcome: str  # "consistent", "adopted", "flattened", "ledger set flat", "NOT FLAT: ..."
    other_positions: tuple[VenuePosition, ...] = ()
    kill_switch: KillSwitchStatus | None = None

    def describe(self) -> str:
        text = (
            f"start-up check: venue holds {self.venue_quantity} {self.product}, "
            f"session {self.session_quantity}: {self.outcome}"
        )
        if self.cancelled_orders:
            text += f"; cancelled {self.cancelled_orders} open order(s)"
        if self.other_positions:
            others = ", ".join(f"{p.quantity} {p.product}" for p in self.other_positions)
            text += f"; other products left alone: {others}"
        return text


async def reconcile_at_start(
    venue: ExecutionVenue | None,
    ledger: PositionKeeper,
    kill_switch: Flattener,
    notice: Callable[[str], None],
    action: StartPositionAction,
    *,
    attempts: int = 4,
    backoff_s: float = 0.5,
) -> Reconciliation:
    """Make the ledger agree with the venue before any live decision (module doc)."""
    if venue is None:
        raise ReconcileError("live trading needs venue API keys")
    symbol = ledger.symbol
    for attempt in range(attempts):
        try:
            orders = [o for o in await venue.open_orders() if o.product == symbol]
            if orders:
                await venue.cancel_all_orders(symbol)
            positions = [p for p in await venue.open_positions() if p.quantity != 0]
            break
        except VenueError as exc:
            if attempt == attempts - 1 or not exc.retryable:
                raise ReconcileError(
                    f"cannot read open positions and orders from the venue ({exc}); "
                    "not trading on a guess"
                ) from None
            await asyncio.sleep(backoff_s * 2**attempt)
    mine = [p for p in positions if p.product == symbol]
    others = tuple(p for p in positions if p.product != symbol)
    venue_quantity = sum((p.quantity for p in mine), Decimal(0))
    session_quantity = ledger.position.quantity
    status = None
    if venue_quantity == session_quantity:
        outcome = "consistent"
    elif venue_quantity == 0:
        ledger.align_with_venue(None)
        outcome = "ledger set flat (closed outside l2console)"
    else:
        entry = mine[0].entry_price if mine else Decimal(0)
        ledger.adopt(VenuePosition(symbol, venue_quantity, entry))
        if action is StartPositionAction.ADOPT:
            outcome = "adopted (POSITION_ON_START=adopt)"
        else:
            status = await kill_switch.flatten(FLATTEN_REASON, hold=False)
            outcome = (
                "flattened (POSITION_ON_START=flatten)"
                if status.phase is KillSwitchPhase.FLAT
                else status.detail
            )
    result = Reconciliation(
        product=symbol,
        venue_quantity=venue_quantity,
        session_quantity=session_quantity,
        cancelled_orders=len(orders),
        outcome=outcome,
        other_positions=others,
        kill_switch=status,
    )
    notice(result.describe())
    return result
