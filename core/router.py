"""Order routing: an approved order becomes fills, simulated or at the venue.

Dry-run and paper orders are filled by ``PaperFills`` against the live book at the moment of the
decision (synchronously, so the fill sees exactly the book the decision saw). Live orders go to the
venue with a unique client order id; when the answer is lost (timeout, 5xx) the router asks the
venue what became of that id instead of sending again, so one decision is never two orders.

"Not placed" is only ever the venue's definitive word: a refusal it answered, or an order it has
not seen once the deadline the order carried (``OrderRequest.deadline_wall_ns``, where the venue
supports one) has passed, so it can no longer execute. Otherwise the order stays UNKNOWN — its
outcome uncertain — and the engine keeps asking in the background (``core.engine.uncertain``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from core.book import OrderBook
from core.clock import Clock
from core.enums import OrderStatus, Side
from core.events import Fill
from core.fills import PaperFills
from core.instrument import Instrument
from core.latency import LatencyHistogram
from core.ports import (
    AccountFill,
    ExecutionVenue,
    OrderRequest,
    OrderResult,
    Refusal,
    VenueError,
    VenueFill,
    VenueUnreachable,
)

FEE_QUANTUM = Decimal("0.00000001")
MAX_STATUS_PAUSE_S = 2.0
DEADLINE_SKEW_S = 2.0
"""An order unseen this long after its deadline (by our clock) has provably not executed: room
for the venue's clock running behind ours."""
BPS = Decimal(10_000)


def new_client_order_id() -> str:
    """Unique, and valid on every venue (Binance.us allows 36 chars of [A-Za-z0-9_-])."""
    return f"l2c-{uuid.uuid4().hex[:28]}"


class OrderRouter:
    def __init__(
        self,
        *,
        instrument: Instrument,
        paper: PaperFills,
        venue: ExecutionVenue | None,
        taker_fee_rate: Decimal,
        clock: Clock,
        urgent_venue: ExecutionVenue | None = None,
        status_attempts: int = 3,
        status_backoff_s: float = 0.25,
        status_deadline_s: float = 20.0,
    ) -> None:
        self._instrument = instrument
        self._paper = paper
        self._venue = venue
        self._urgent_venue = urgent_venue or venue  # the kill switch's: may spend the reserve
        self.order_deadline_s: float | None = getattr(venue, "order_deadline_s", None)
        self._fee_rate = taker_fee_rate
        self._clock = clock
        self._status_attempts = status_attempts
        self._status_backoff_s = status_backoff_s
        self._status_deadline_s = status_deadline_s
        self.decision_to_order = LatencyHistogram()
        """Decision -> order handed to the venue (live) or to the paper fill simulator."""
        self.order_to_ack = LatencyHistogram()
        """Order handed to the venue -> its answer, accepted or refused (not a lost answer)."""

    def simulate(
        self,
        book: OrderBook,
        request: OrderRequest,
        decision_mid: float,
        *,
        decided_mono_ns: int | None = None,
    ) -> tuple[OrderResult, tuple[Fill, ...]]:
        """Fill against the book now; the result reads like a venue's answer to a market order."""
        self._note_sent(decided_mono_ns)
        execution = self._paper.execute_market(
            book,
            self._instrument,
            request.side,
            request.quantity,
            client_order_id=request.client_order_id,
            now_wall_ns=self._clock.wall_ns(),
            decision_mid=decision_mid,
        )
        if execution.filled == 0:
            status = OrderStatus.NOT_FILLED
        elif execution.filled < request.quantity:
            status = OrderStatus.PARTIALLY_FILLED
        else:
            status = OrderStatus.FILLED
        venue_fills = tuple(
            VenueFill(f.price, f.quantity, f.fee, f.fill_id) for f in execution.fills
        )
        reason = "" if status is OrderStatus.FILLED else "book too thin for the whole order"
        result = OrderResult(
            request.client_order_id,
            status,
            venue_order_id="paper",
            fills=venue_fills,
            reason=reason,
        )
        return result, execution.fills

    async def send(
        self,
        request: OrderRequest,
        decision_mid: float,
        *,
        decided_mono_ns: int | None = None,
        urgent: bool = False,
    ) -> tuple[OrderResult, tuple[Fill, ...]]:
        """Send a live order; never raises for venue trouble, the result says what happened.

        ``decided_mono_ns`` (monotonic) is when the decision behind the order was taken;
        ``urgent`` (the kill switch) may spend the rate budget's reserve.
        """
        venue = self._urgent_venue if urgent else self._venue
        if venue is None:
            raise RuntimeError("live routing needs a venue")
        if self.order_deadline_s is not None:
            deadline = self._clock.wall_ns() + int(self.order_deadline_s * 1e9)
            request = dataclasses.replace(request, deadline_wall_ns=deadline)
        sent_ns = self._note_sent(decided_mono_ns)
        try:
            result = await venue.place_order(request)
            if result.status is not OrderStatus.UNKNOWN:  # an answer, not a lost one
                self.order_to_ack.record(self._clock.mono_ns() - sent_ns)
        except VenueUnreachable as exc:  # lost on the way, or its answer lost: it may exist
            result = OrderResult(request.client_order_id, OrderStatus.UNKNOWN, reason=str(exc))
        except VenueError as exc:  # the venue answered, with a refusal: nothing was done
            self.order_to_ack.record(self._clock.mono_ns() - sent_ns)
            result = OrderResult(
                request.client_order_id, OrderStatus.REJECTED, reason=str(exc), refusal=exc.refusal
            )
            return result, ()
        if result.status is OrderStatus.UNKNOWN:
            result = await self._recover(venue, request, result.reason)
        return result, self.fills_from(result, request.side, decision_mid)

    def _note_sent(self, decided_mono_ns: int | None) -> int:
        sent_ns = self._clock.mono_ns()
        if decided_mono_ns is not None:
            self.decision_to_order.record(sent_ns - decided_mono_ns)
        return sent_ns

    async def _recover(
        self, venue: ExecutionVenue, request: OrderRequest, first_error: str
    ) -> OrderResult:
        """The answer was lost: ask the venue by client id instead of sending a second order.

        Asked with backoff until the venue knows the order (its word settles it), or the order's
        deadline has passed without the venue seeing it (provably not placed), or
        ``status_deadline_s`` is over: then the outcome stays UNKNOWN (uncertain) and the engine
        goes on asking in the background, entries halted for the product.
        """
        last_error = first_error
        deadline_ns = self._clock.mono_ns() + int(self._status_deadline_s * 1e9)
        attempt = 0
        while True:
            await asyncio.sleep(min(self._status_backoff_s * (2**attempt), MAX_STATUS_PAUSE_S))
            attempt += 1
            try:
                status = await venue.order_status(request.client_order_id, request.product)
            except VenueError as exc:
                last_error = str(exc)
                status = UNANSWERED
            if status is None:
                if expired(request, self._clock.wall_ns()):
                    return not_placed(request, first_error)
            elif status.status is not OrderStatus.UNKNOWN:
                return status
            if attempt >= self._status_attempts and self._clock.mono_ns() >= deadline_ns:
                break
        return OrderResult(
            request.client_order_id,
            OrderStatus.UNKNOWN,
            reason=f"outcome uncertain ({last_error}); still asking the venue",
        )

    def fills_from(self, result: OrderResult, side: Side, decision_mid: float) -> tuple[Fill, ...]:
        fills = []
        for index, venue_fill in enumerate(result.fills):
            fills.append(
                self._to_fill(venue_fill, result.client_order_id, side, decision_mid, index)
            )
        return tuple(fills)

    def fill_from_account(self, af: AccountFill) -> Fill:
        """An execution from the venue's history (e.g. made outside the session), as booked:
        the venue's price, size and time; the fee at the taker rate where the venue omits it."""
        fee = af.fee
        if fee is None:
            notional = self._instrument.notional_usd(af.quantity, af.price)
            fee = (notional * self._fee_rate).quantize(FEE_QUANTUM, rounding=ROUND_HALF_UP)
        return Fill(
            product=af.product,
            side=af.side,
            price=af.price,
            quantity=af.quantity,
            fee=fee,
            wall_ns=af.wall_ns,
            client_order_id=af.client_order_id or "outside",
            fill_id=af.fill_id,
        )

    def _to_fill(
        self, vf: VenueFill, client_order_id: str, side: Side, decision_mid: float, index: int
    ) -> Fill:
        fee = vf.fee
        if fee is None:
            notional = self._instrument.notional_usd(vf.quantity, vf.price)
            fee = (notional * self._fee_rate).quantize(FEE_QUANTUM, rounding=ROUND_HALF_UP)
        return Fill(
            product=self._instrument.symbol,
            side=side,
            price=vf.price,
            quantity=vf.quantity,
            fee=fee,
            wall_ns=vf.wall_ns or self._clock.wall_ns(),
            client_order_id=client_order_id,
            fill_id=vf.fill_id or f"{client_order_id}-{index}",
            slippage_bps=slippage_bps(side, vf.price, decision_mid),
        )


def slippage_bps(side: Side, price: Decimal, decision_mid: float) -> Decimal:
    """Signed against us: positive when we paid more (buy) or received less (sell) than the mid."""
    if decision_mid <= 0:
        return Decimal(0)
    mid = Decimal(repr(decision_mid))
    return ((price - mid) * side.sign / mid * BPS).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


OrderIdFactory = Callable[[], str]

UNANSWERED = OrderResult("", OrderStatus.UNKNOWN, reason="status query failed")


def expired(request: OrderRequest, now_wall_ns: int) -> bool:
    """The order carried a deadline, and it is past (with room for clock skew): the venue can no
    longer execute it."""
    deadline = request.deadline_wall_ns
    return deadline is not None and now_wall_ns > deadline + int(DEADLINE_SKEW_S * 1e9)


def not_placed(request: OrderRequest, first_error: str) -> OrderResult:
    """The venue's definitive word that an order whose answer was lost never executed."""
    return OrderResult(
        request.client_order_id,
        OrderStatus.REJECTED,
        reason=f"not placed: {first_error} (unseen by the venue after its deadline)",
        refusal=Refusal.RETRY_LATER,
    )
