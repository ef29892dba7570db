"""The router's rule for lost answers, case by case, against a scripted venue: ask by client
order id, never send again. (The same paths run end to end over real sockets against the
simulated venue in tests/e2e/test_faults_orders.py.)"""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.clock import ManualClock
from core.enums import OrderStatus, Side
from core.fills import PaperFills
from core.ports import (
    OrderRequest,
    OrderResult,
    Refusal,
    VenueError,
    VenueFill,
    VenueUnreachable,
)
from core.router import OrderRouter
from tests.core.factories import linear_instrument

REQUEST = OrderRequest("l2c-1", "PF_XBTUSD", Side.BUY, Decimal("0.0020"))
FILLED = OrderResult(
    "l2c-1", OrderStatus.FILLED, "v-1", (VenueFill(Decimal(43_500), Decimal("0.0020")),)
)
Answer = OrderResult | None | VenueError


class ScriptedVenue:
    """Answers ``place_order`` and then each ``order_status`` from a script; counts calls."""

    def __init__(self, place: OrderResult | VenueError, statuses: list[Answer], clock: ManualClock):
        self._place = place
        self._statuses = list(statuses)
        self._clock = clock
        self.placed = 0
        self.asked = 0

    async def place_order(self, order: OrderRequest) -> OrderResult:
        self.placed += 1
        if isinstance(self._place, VenueError):
            raise self._place
        return self._place

    async def order_status(self, client_order_id: str, product: str) -> OrderResult | None:
        assert client_order_id == REQUEST.client_order_id
        self.asked += 1
        self._clock.advance(1_000_000_000)  # each query "takes" a second
        answer = self._statuses.pop(0) if self._statuses else VenueUnreachable("still down")
        if isinstance(answer, VenueError):
            raise answer
        return answer


def router_for(venue: ScriptedVenue, clock: ManualClock, deadline_s: float = 5) -> OrderRouter:
    return OrderRouter(
        instrument=linear_instrument(),
        paper=PaperFills(taker_fee_rate=Decimal(0)),
        venue=venue,  # type: ignore[arg-type]
        taker_fee_rate=Decimal("0.0005"),
        clock=clock,
        status_backoff_s=0.0001,
        status_deadline_s=deadline_s,
    )


LOST = VenueUnreachable("Kraken Futures sendorder: HTTP 503")


@pytest.mark.parametrize(
    ("place", "statuses", "expected", "queries"),
    [
        # the answer was lost, the order filled: its fills are booked, nothing is sent again
        (LOST, [FILLED], OrderStatus.FILLED, 1),
        # the venue is still unwell for a while, then tells
        (LOST, [VenueUnreachable("x"), VenueUnreachable("y"), FILLED], OrderStatus.FILLED, 3),
        # "never seen" is no proof without a deadline: uncertain, asked until the router's
        # patience (5 s, a second per query here) is over
        (LOST, [None, None, None], OrderStatus.UNKNOWN, 5),
        # "never seen", then seen: the late request reached the engine after all
        (LOST, [None, None, FILLED], OrderStatus.FILLED, 3),
        # 429: the venue answered that it did not act: a refusal, nothing to ask
        (
            VenueError("rate limited (HTTP 429)", retryable=True),
            [],
            OrderStatus.REJECTED,
            0,
        ),
        # a refusal is final: no question asked
        (VenueError("insufficient funds"), [], OrderStatus.REJECTED, 0),
        # the venue's own word that the fate is unknown (e.g. a sendStatus without events)
        (OrderResult("l2c-1", OrderStatus.UNKNOWN), [FILLED], OrderStatus.FILLED, 1),
    ],
    ids=[
        "lost-then-filled",
        "status-errors-then-filled",
        "never-seen",
        "seen-late",
        "rate-limited",
        "refused",
        "venue-unsure",
    ],
)
async def test_a_lost_answer_is_settled_by_asking_never_by_sending_again(
    place: OrderResult | VenueError, statuses: list[Answer], expected: OrderStatus, queries: int
) -> None:
    clock = ManualClock()
    venue = ScriptedVenue(place, statuses, clock)
    result, fills = await router_for(venue, clock).send(REQUEST, 43_500.0)
    assert result.status is expected
    assert venue.placed == 1
    assert venue.asked == queries
    assert len(fills) == (1 if expected is OrderStatus.FILLED else 0)


async def test_a_venue_down_past_the_deadline_leaves_the_order_unknown_and_says_why() -> None:
    clock = ManualClock()
    venue = ScriptedVenue(LOST, [], clock)  # every status query fails
    result, fills = await router_for(venue, clock, deadline_s=5).send(REQUEST, 43_500.0)
    assert result.status is OrderStatus.UNKNOWN
    assert "still down" in result.reason and "uncertain" in result.reason
    assert venue.placed == 1 and fills == ()
    assert 5 <= venue.asked <= 7, "kept asking until the deadline, then stopped"


async def test_an_order_with_a_deadline_unseen_after_it_is_provably_not_placed() -> None:
    clock = ManualClock()
    venue = ScriptedVenue(LOST, [None] * 10, clock)
    venue.order_deadline_s = 2.0  # type: ignore[attr-defined]
    result, fills = await router_for(venue, clock, deadline_s=20).send(REQUEST, 43_500.0)
    assert result.status is OrderStatus.REJECTED and result.reason.startswith("not placed")
    assert result.refusal is Refusal.RETRY_LATER
    # sent at 0 s with a deadline at 2 s; unseen after 2 s + 2 s of clock skew: the 5th query
    assert venue.asked == 5 and fills == ()


async def test_a_refusal_carries_its_class_and_is_never_asked_about() -> None:
    clock = ManualClock()
    venue = ScriptedVenue(VenueError("keys refused", refusal=Refusal.FATAL), [], clock)
    result, _ = await router_for(venue, clock).send(REQUEST, 43_500.0)
    assert (result.status, result.refusal, venue.asked) == (OrderStatus.REJECTED, Refusal.FATAL, 0)
