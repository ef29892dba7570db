"""Continuing a session: what the engine takes over from the store's ``ResumeState``."""

from __future__ import annotations

from core.engine import Engine
from core.engine.settle import InFlightOrder
from core.ports import OrderRequest
from core.store import ResumeState


def restore(engine: Engine, resume: ResumeState, symbol: str) -> None:
    """Position, P&L, today's risk tallies and signal numbering, as the last run left them."""
    engine.restore(
        position=resume.position(symbol),
        realized_pnl=resume.realized_pnl,
        fees_paid=resume.fees_paid,
        day=resume.today.day,
        trades_today=resume.today.trades,
        realized_today=resume.today.realized_pnl_usd,
        next_signal_number=resume.next_signal_number,
    )


def in_flight_orders(resume: ResumeState) -> tuple[InFlightOrder, ...]:
    """The orders the last run sent without a final answer, oldest first (live: the venue
    settles them before anything else, ``core.engine.settle``)."""
    return tuple(
        InFlightOrder(
            request=OrderRequest(
                client_order_id=order.client_order_id,
                product=order.product,
                side=order.side,
                quantity=order.quantity,
                order_type=order.order_type,
                limit_price=order.limit_price,
                reduce_only=order.reduce_only,
            ),
            signal_number=order.signal_number,
            stored_fill_ids=resume.unsettled_fill_ids,
        )
        for order in resume.unsettled_orders
    )
