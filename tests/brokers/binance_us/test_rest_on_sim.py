"""Orders, balances and errors through the real REST client against the simulated venue, which
checks every signature and timestamp and charges commission the way the docs describe."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest

from brokers.binance_us import OrderRefused, RateLimited, VenueAnswerLost
from brokers.sim import BINANCE_SIM_API_KEY, BINANCE_SIM_API_SECRET, BinanceUsSimServer
from core.clock import SystemClock
from core.enums import OrderStatus, OrderType, Side
from core.fills import PaperFills
from core.ports import OrderRequest, VenueError
from core.router import OrderRouter
from tests.brokers.binance_us.conftest import SYMBOL, rest_for

D = Decimal
BUY = OrderRequest("l2c-buy-1", SYMBOL, Side.BUY, D("0.00229"))


def order_requests(sim: BinanceUsSimServer) -> list[dict[str, str]]:
    return [r.params for r in sim.rest.requests if r.endpoint == "order" and r.method == "POST"]


async def test_a_round_trip_is_signed_and_commission_is_charged_in_the_asset_received(
    sim: BinanceUsSimServer,
) -> None:
    rest = rest_for(sim)
    bought = await rest.place_order(BUY)
    held = rest.held(SYMBOL)
    sold = await rest.place_order(OrderRequest("l2c-sell-1", SYMBOL, Side.SELL, held))
    positions = await rest.open_positions()
    await rest.close()

    assert bought.status is OrderStatus.FILLED, bought.reason
    assert sold.status is OrderStatus.FILLED, sold.reason
    account = sim.exchange.account(BINANCE_SIM_API_KEY)
    buy_trades = [t for t in account.trades if t.side is Side.BUY]
    sell_trades = [t for t in account.trades if t.side is Side.SELL]
    assert {t.commission_asset for t in buy_trades} == {"BTC"}
    assert {t.commission_asset for t in sell_trades} == {"USDT"}
    landed = sum(t.qty - t.commission for t in buy_trades)
    assert (
        held
        == bought.filled_quantity
        == (landed / D("0.00001")).to_integral_value(rounding="ROUND_DOWN") * D("0.00001")
    )
    assert sold.filled_quantity == held
    assert account.balance("BTC") == landed - held  # the sub-step remainder stays in the account
    spent = sum(t.qty * t.price for t in buy_trades)
    received = sum(t.qty * t.price - t.commission for t in sell_trades)
    assert account.balance("USDT") == D(10_000) - spent + received
    # What the ledger books is the cash that moved: quantity x price + fee, fill by fill.
    assert sum(f.quantity * f.price + f.fee for f in bought.fills) == spent
    assert sum(f.quantity * f.price - f.fee for f in sold.fills) == received
    assert positions == []
    for params in order_requests(sim):
        assert re.fullmatch(r"[0-9a-f]{64}", params["signature"])
        assert params["recvWindow"] == "5000"
        assert params["newOrderRespType"] == "FULL"


@pytest.mark.parametrize("skew_s", [-30, 30])
async def test_a_skewed_clock_is_measured_so_no_request_earns_a_1021(skew_s: int) -> None:
    async with BinanceUsSimServer(seed=4, clock=lambda: time.time_ns() + skew_s * 10**9) as sim:
        rest = rest_for(sim)
        result = await rest.place_order(BUY)
        offset = rest.http.clock.offset_ms
        await rest.close()
    assert result.status is OrderStatus.FILLED, result.reason
    assert abs(offset - skew_s * 1000) < 1000
    assert [r.endpoint for r in sim.rest.requests[:1]] == ["exchangeInfo"]
    assert "time" in [r.endpoint for r in sim.rest.requests]


async def test_without_the_offset_the_venue_refuses_and_the_next_call_resyncs() -> None:
    async with BinanceUsSimServer(seed=4, clock=lambda: time.time_ns() - 30 * 10**9) as sim:
        rest = rest_for(sim)
        rest.http.clock.observe(0, 0, 0)  # pretend we measured a zero offset just now
        refused = await rest.place_order(BUY)
        retried = await rest.place_order(OrderRequest("l2c-buy-2", SYMBOL, Side.BUY, D("0.00229")))
        await rest.close()
    assert refused.status is OrderStatus.REJECTED
    assert "timestamp outside recvWindow" in refused.reason and "[-1021]" in refused.reason
    assert retried.status is OrderStatus.FILLED, retried.reason


async def test_an_order_below_the_minimum_value_is_refused_with_a_reason_before_sending(
    sim: BinanceUsSimServer,
) -> None:
    rest = rest_for(sim)
    small = OrderRequest(
        "l2c-small", SYMBOL, Side.BUY, D("0.0002"), OrderType.LIMIT_IOC, D("43500")
    )
    with pytest.raises(OrderRefused, match=r"below the minimum 10 USDT \(NOTIONAL\)"):
        await rest.place_order(small)
    router = OrderRouter(
        instrument=(await rest.instruments())[SYMBOL],
        paper=PaperFills(taker_fee_rate=D("0.001")),
        venue=rest,
        taker_fee_rate=D("0.001"),
        clock=SystemClock(),
    )
    result, fills = await router.send(small, 43500.0)
    await rest.close()
    assert result.status is OrderStatus.REJECTED
    assert "NOTIONAL" in result.reason
    assert fills == ()
    assert order_requests(sim) == []  # nothing ever reached the venue


async def test_venue_refusals_become_clear_one_line_reasons(sim: BinanceUsSimServer) -> None:
    rest = rest_for(sim)
    broke = await rest.place_order(OrderRequest("l2c-s", SYMBOL, Side.SELL, D("1")))
    sim.faults.fail_rest("order", status=400, error="-1013")
    filtered = await rest.place_order(BUY)
    with pytest.raises(VenueError, match=r"unknown symbol \(not listed by Binance.us\) \[-1121\]"):
        await rest.rules("NOPEUSDT")
    await rest.close()
    assert broke.status is OrderStatus.REJECTED
    assert broke.reason == "Binance.us order: insufficient balance for this order [-2010]"
    assert filtered.status is OrderStatus.REJECTED
    assert "order refused by the symbol's trading rules" in filtered.reason
    assert "[-1013]" in filtered.reason
    assert "\n" not in broke.reason + filtered.reason


async def test_a_wrong_secret_or_key_is_named_and_never_shown(sim: BinanceUsSimServer) -> None:
    wrong_secret = rest_for(sim, secret="not-the-secret-value-at-all")
    wrong_key = rest_for(sim, key="not-a-key-the-venue-knows")
    with pytest.raises(VenueError) as bad_signature:
        await wrong_secret.account()
    with pytest.raises(VenueError) as bad_key:
        await wrong_key.account()
    texts = [str(bad_signature.value), str(bad_key.value), repr(wrong_secret), repr(wrong_key)]
    await wrong_secret.close()
    await wrong_key.close()
    assert "signature not valid: check BINANCE_US_API_KEY and BINANCE_US_API_SECRET" in texts[0]
    assert "[-1022]" in texts[0] and not bad_signature.value.retryable
    assert "API key refused" in texts[1] and "[-2015]" in texts[1]
    for text in texts:
        assert "not-the-secret-value-at-all" not in text
        assert BINANCE_SIM_API_SECRET not in text


async def test_missing_keys_are_named(sim: BinanceUsSimServer) -> None:
    rest = rest_for(sim, key="", secret="")
    with pytest.raises(VenueError, match="set BINANCE_US_API_KEY and BINANCE_US_API_SECRET"):
        await rest.account()
    await rest.close()
    assert [r.endpoint for r in sim.rest.requests] == []


async def test_a_lost_answer_is_recovered_by_asking_never_by_sending_again(
    sim: BinanceUsSimServer,
) -> None:
    rest = rest_for(sim)
    sim.faults.fail_rest("order", status=502, after_execute=True)
    with pytest.raises(VenueAnswerLost, match="HTTP 502; outcome unknown"):
        await rest.place_order(BUY)
    assert rest.held(SYMBOL) == 0
    sim.faults.fail_rest("order", status=502, after_execute=True)
    router = OrderRouter(
        instrument=(await rest.instruments())[SYMBOL],
        paper=PaperFills(taker_fee_rate=D("0.001")),
        venue=rest,
        taker_fee_rate=D("0.001"),
        clock=SystemClock(),
        status_backoff_s=0.01,
    )
    second = OrderRequest("l2c-buy-2", SYMBOL, Side.BUY, D("0.00229"))
    result, fills = await router.send(second, 43500.0)
    again = await rest.order_status("l2c-buy-2", SYMBOL)
    await rest.close()
    assert len(order_requests(sim)) == 2  # one per decision, none resent
    assert result.status is OrderStatus.FILLED
    assert sum(f.quantity for f in fills) == result.filled_quantity > 0
    assert again is not None and again.fills == result.fills
    assert rest.held(SYMBOL) == result.filled_quantity  # booked once, however often asked
    assert await rest_for(sim).order_status("l2c-never-sent", SYMBOL) is None


async def test_a_ban_is_respected_for_its_retry_after(sim: BinanceUsSimServer) -> None:
    rest = rest_for(sim)
    sim.faults.fail_rest("account", status=418, error="-1003", retry_after_s=120)
    with pytest.raises(RateLimited, match=r"IP banned for a while \(HTTP 418\)") as banned:
        await rest.account()
    blocked = await rest.place_order(BUY)
    await rest.close()
    assert banned.value.retry_after_s == 120
    assert blocked.status is OrderStatus.REJECTED
    assert "not sent" in blocked.reason
    assert order_requests(sim) == []
    assert sim.rest.requests_while_limited == 0


async def test_positions_are_what_the_strategy_bought_never_the_users_own_coins() -> None:
    balances = {"USDT": D(10_000), "BTC": D(1)}  # the user already holds 1 BTC
    async with BinanceUsSimServer(seed=6, starting_balances=balances) as sim:
        rest = rest_for(sim)
        assert await rest.open_positions() == []
        bought = await rest.place_order(BUY)
        (position,) = await rest.open_positions()
        await rest.cancel_all_orders(SYMBOL)  # nothing open: that is fine, not an error
        orders = await rest.open_orders()
        rate = await rest.taker_fee_rate(SYMBOL)
        await rest.close()
    assert position.product == SYMBOL
    # 0.00229 bought, 0.00000229 BTC commission: 0.00228771 landed, 0.00228 holdable.
    assert position.quantity == bought.filled_quantity == D("0.00228")
    assert orders == []
    assert rate == D("0.001")
