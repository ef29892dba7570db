"""Order-entry faults, end to end: the sim venue's REST answers 429, 5xx, late or never, or
refuses the order; the real Kraken adapter and the engine trade live (on the sim) through it.

The rule under test: one decision is one order. A lost answer (timeout, 5xx) is settled by
asking the venue about that client order id (``orders/status`` + ``fills``), never by sending
again; what the venue did is booked exactly once. Each test also asserts no decision on a book
that was not LIVE, the time to settle the order (reported), and a ledger equal to the venue's
fills after a kill switch the venue confirms flat.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from brokers.sim import SIM_API_KEY
from core.engine_state import KillSwitchPhase
from core.enums import OrderStatus
from tests.e2e.rig import Rig, trading_rig
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

Log = Callable[[str, float], None]


async def first_order(rig: Rig, timeout_s: float = 30) -> str:
    await eventually(lambda: rig.witness.orders, timeout_s, what="an order")
    return rig.witness.orders[0][1].client_order_id


async def settled(
    rig: Rig, client_order_id: str, timeout_s: float = 30
) -> tuple[float, OrderStatus, str]:
    await eventually(lambda: rig.witness.settled(client_order_id), timeout_s, what="an answer")
    answer = rig.witness.settled(client_order_id)
    assert answer is not None
    seconds, result = answer
    return seconds, result.status, result.reason


def status_queries(rig: Rig, client_order_id: str) -> int:
    return sum(
        1
        for endpoint, params in rig.server.rest_calls
        if endpoint == "orders/status" and params.get("cliOrdIds") == [client_order_id]
    )


def at_venue(rig: Rig, client_order_id: str) -> int:
    account = rig.server.exchange.account(SIM_API_KEY)
    return sum(1 for o in account.orders.values() if o.client_id == client_order_id)


def one_order_per_decision(rig: Rig) -> None:
    sent = [r.client_order_id for _, r, result in rig.witness.orders if result is None]
    assert len(sent) == len(set(sent)), "an order was sent twice"


async def finish(rig: Rig) -> None:
    assert rig.never_decided_on_a_book_not_live() > 0
    one_order_per_decision(rig)
    await rig.book_matches_the_venue()
    await rig.flatten_and_check_the_ledger()
    rig.client_ids_are_unique_at_the_venue()
    one_order_per_decision(rig)


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, None), (429, "apiLimitExceeded")],
    ids=["http-429", "api-limit-exceeded"],
)
async def test_an_order_the_venue_refused_to_take_is_a_refusal_and_not_sent_again(
    status: int, error: str | None, recovery_log: Log
) -> None:
    async with trading_rig() as rig:
        rig.server.faults.fail_rest("sendorder", status=status, error=error)
        await rig.trading()
        cid = await first_order(rig)
        seconds, outcome, reason = await settled(rig, cid)
        recovery_log(f"sendorder {status} {error or ''} -> refused (sent->settled)", seconds)
        assert outcome is OrderStatus.REJECTED and "rate limit" in reason
        assert at_venue(rig, cid) == 0
        assert status_queries(rig, cid) == 0, "the venue answered: nothing to ask"
        await rig.trading(fills=1)  # after a backoff the next decisions trade normally
        await finish(rig)


@pytest.mark.parametrize(
    ("status", "error"), [(503, None), (502, "Unavailable")], ids=["http-503", "unavailable"]
)
async def test_an_order_whose_answer_was_a_5xx_is_not_placed_only_once_its_deadline_passed(
    status: int, error: str | None, recovery_log: Log
) -> None:
    async with trading_rig() as rig:
        rig.server.faults.fail_rest("sendorder", status=status, error=error)
        await rig.trading()
        cid = await first_order(rig)
        seconds, outcome, reason = await settled(rig, cid)
        recovery_log(f"sendorder {status} {error or ''} -> not placed (sent->settled)", seconds)
        assert outcome is OrderStatus.REJECTED and reason.startswith("not placed"), reason
        assert seconds >= 5, "unseen is proof only after the order's deadline (processBefore)"
        assert at_venue(rig, cid) == 0
        assert status_queries(rig, cid) >= 3, "asked with backoff until the deadline passed"
        await rig.trading(fills=1)  # the next decisions trade normally
        await finish(rig)


@pytest.mark.parametrize("status", [500, 503])
async def test_an_order_executed_whose_answer_was_lost_is_booked_once_from_the_venues_word(
    status: int, recovery_log: Log
) -> None:
    async with trading_rig() as rig:
        rig.server.faults.fail_rest("sendorder", status=status, after_execute=True)
        await rig.trading()
        cid = await first_order(rig)
        seconds, outcome, _ = await settled(rig, cid)
        recovery_log(f"executed, answer lost ({status}) -> filled (sent->settled)", seconds)
        assert outcome is OrderStatus.FILLED
        assert at_venue(rig, cid) == 1
        assert status_queries(rig, cid) == 1
        assert [f.client_order_id for f in rig.witness.fills].count(cid) >= 1
        await finish(rig)


@pytest.mark.parametrize("executed", [True, False], ids=["executed", "never-reached"])
async def test_a_timed_out_order_is_settled_by_asking(executed: bool, recovery_log: Log) -> None:
    async with trading_rig(rest_timeout_seconds=0.5) as rig:
        rig.server.faults.hang_rest("sendorder", 2.0, after_execute=executed)
        await rig.trading()
        cid = await first_order(rig)
        seconds, outcome, reason = await settled(rig, cid)
        what = "executed" if executed else "not executed"
        recovery_log(f"sendorder timed out, {what} (after the 0.5 s timeout)", seconds - 0.5)
        if executed:
            assert outcome is OrderStatus.FILLED
        else:
            assert outcome is OrderStatus.REJECTED and "no answer within 0.5 s" in reason
        assert at_venue(rig, cid) == (1 if executed else 0)
        await finish(rig)


async def test_status_queries_that_fail_too_are_retried_until_the_venue_answers(
    recovery_log: Log,
) -> None:
    async with trading_rig() as rig:
        rig.server.faults.fail_rest("sendorder", status=503, after_execute=True)
        rig.server.faults.fail_rest("orders/status", status=503, times=3)
        await rig.trading()
        cid = await first_order(rig)
        await eventually(lambda: rig.server.faults.armed_rest("orders/status") == 0, 30)
        healthy = time.monotonic()  # the third failed status query was just answered
        _, outcome, _ = await settled(rig, cid)
        answered = [t for t, r, res in rig.witness.orders if r.client_order_id == cid and res]
        recovery_log("answer lost + 3 failed status queries -> filled", answered[0] - healthy)
        assert outcome is OrderStatus.FILLED
        assert at_venue(rig, cid) == 1
        await finish(rig)


async def test_a_refused_order_is_not_booked_not_retried_and_trading_goes_on(
    recovery_log: Log,
) -> None:
    async with trading_rig() as rig:
        rig.server.faults.reject_orders(1, status="marketSuspended")
        await rig.trading()
        cid = await first_order(rig)
        seconds, outcome, reason = await settled(rig, cid)
        recovery_log("order refused, marketSuspended (sent->settled)", seconds)
        assert outcome is OrderStatus.REJECTED and "marketSuspended" in reason
        assert status_queries(rig, cid) == 0, "a refusal is an answer: nothing to ask"
        assert any("marketSuspended" in n for n in rig.witness.notices)
        assert cid not in {f.client_order_id for f in rig.witness.fills}
        await rig.trading(fills=1)
        await finish(rig)


async def test_the_kill_switch_retries_through_venue_errors_until_the_venue_confirms_flat() -> None:
    async with trading_rig(
        take_profit_pct=50, stop_loss_pct=50, max_hold_seconds=86_400, reversal_imbalance_ratio=1e6
    ) as rig:
        await rig.trading(fills=1)
        await eventually(lambda: rig.engine.ledger.position.quantity != 0)
        assert await rig.engine.wait_idle(10)
        rig.server.faults.fail_rest("openpositions", status=503, times=2)
        rig.server.faults.fail_rest("cancelallorders", status=429, error="apiLimitExceeded")
        await finish(rig)
        [status] = rig.witness.kill_switch
        assert "flat confirmed by the venue" in status.detail
        calls = [endpoint for endpoint, _ in rig.server.rest_calls]
        assert calls.count("openpositions") >= 2, "asked again after the failures"


async def test_a_kill_switch_refused_by_the_venue_says_so_at_once_and_the_next_one_works() -> None:
    async with trading_rig() as rig:
        await rig.trading(fills=1)
        rig.server.faults.fail_rest("cancelallorders", status=200, error="authenticationError")
        status = await asyncio.wait_for(rig.session.flatten(), 10)
        assert status.phase is KillSwitchPhase.FAILED
        assert (
            status.detail.startswith("NOT FLAT: venue error") and "authentication" in status.detail
        )
        assert rig.engine.state().kill_switch.engaged, "still engaged: no entries"
        await finish(rig)  # the venue answers again: flat confirmed
