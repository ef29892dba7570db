"""The simulated Kraken Futures REST v3 endpoints, over real sockets with a raw signed client."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import yarl

from brokers.sim import SIM_API_KEY, KrakenFuturesSimServer
from tests.brokers.sim.conftest import RestProbe, authent, manual_venue, ws_client

ISO_LENGTH = len("2019-09-05T16:33:50.734Z")


async def test_instruments_are_public_and_documented(
    server: KrakenFuturesSimServer, rest: RestProbe
) -> None:
    status, answer = await rest.get("instruments", signed=False)
    assert status == 200 and answer["result"] == "success"
    assert len(answer["serverTime"]) == ISO_LENGTH and answer["serverTime"].endswith("Z")
    by_symbol = {i["symbol"]: i for i in answer["instruments"]}
    assert set(by_symbol) == {"PF_XBTUSD", "PF_ETHUSD", "PI_XBTUSD"}
    xbt = by_symbol["PF_XBTUSD"]
    assert (xbt["type"], xbt["tickSize"], xbt["contractValueTradePrecision"]) == (
        "flexible_futures",
        0.5,
        4,
    )
    assert (xbt["base"], xbt["quote"], xbt["tradeable"], xbt["contractSize"]) == (
        "XBT",
        "USD",
        True,
        1,
    )
    assert by_symbol["PF_ETHUSD"]["contractValueTradePrecision"] == 3
    assert by_symbol["PF_ETHUSD"]["tickSize"] == 0.1
    inverse = by_symbol["PI_XBTUSD"]
    assert (inverse["type"], inverse["contractValueTradePrecision"]) == ("futures_inverse", 0)


async def test_a_signed_call_is_accepted_and_a_bad_signature_refused(
    server: KrakenFuturesSimServer, rest: RestProbe
) -> None:
    status, answer = await rest.get("openpositions")
    assert (status, answer["result"], answer["openPositions"]) == (200, "success", [])

    body = "orderType=mkt&symbol=PF_XBTUSD&side=buy&size=0.001"
    good = rest.headers("sendorder", body)
    forged = {
        **good,
        "Authent": authent(rest.secret, body + "0", good["Nonce"], "/api/v3/sendorder"),
    }
    for headers in (
        forged,
        {**good, "APIKey": "someone-else"},
        {"APIKey": SIM_API_KEY},
        # signed over the path with the /derivatives prefix: the docs say without
        {
            **good,
            "Authent": authent(rest.secret, body, good["Nonce"], "/derivatives/api/v3/sendorder"),
        },
    ):
        status, answer = await rest.post(
            "sendorder",
            [(k, v) for k, v in (p.split("=") for p in body.split("&"))],
            headers=headers,
        )
        assert status == 200
        assert answer["result"] == "error" and answer["error"] == "authenticationError"
        assert set(answer) == {"result", "error", "serverTime"}
    _, positions = await rest.get("openpositions")
    assert positions["openPositions"] == [], "refused orders must not trade"
    assert [endpoint for endpoint, _ in server.rest_calls] == ["openpositions"] * 2


async def test_a_reused_nonce_is_refused(rest: RestProbe) -> None:
    headers = rest.headers("openorders", "")
    url = f"{rest.base_url}/openorders"
    answers = []
    for _ in range(2):
        async with rest.http.get(url, headers=headers) as response:
            answers.append(await response.json())
    assert answers[0]["result"] == "success"
    assert answers[1] == {**answers[1], "result": "error", "error": "nonceDuplicate"}


async def test_the_query_string_is_verified_exactly_as_sent_and_the_nonce_is_optional(
    rest: RestProbe,
) -> None:
    query = "lastFillTime=2030-01-01T00%3A00%3A00.000Z"
    headers = rest.headers("fills", query, nonce=False)
    assert "Nonce" not in headers
    exact = yarl.URL(f"{rest.base_url}/fills?{query}", encoded=True)
    async with rest.http.get(exact, headers=headers) as response:
        answer = await response.json()
    assert answer["result"] == "success" and answer["fills"] == []
    # the same bytes signed, but the client library re-encodes ':' on the way out
    async with rest.http.get(f"{rest.base_url}/fills?{query}", headers=headers) as response:
        answer = await response.json()
    assert answer["error"] == "authenticationError"


async def test_a_market_order_fills_against_the_book_and_the_position_shows(
    server: KrakenFuturesSimServer, rest: RestProbe
) -> None:
    asks = server.book("PF_XBTUSD").asks
    size = asks[0][1] + Decimal("0.0001")  # one level and a bit of the next
    answer = await rest.send_order(
        orderType="mkt", symbol="PF_XBTUSD", side="buy", size=str(size), cliOrdId="entry-1"
    )
    send = answer["sendStatus"]
    assert answer["result"] == "success" and send["status"] == "placed"
    assert send["cliOrdId"] == "entry-1" and len(send["receivedTime"]) == ISO_LENGTH
    executions = [e for e in send["orderEvents"] if e["type"] == "EXECUTION"]
    assert [e["price"] for e in executions] == [float(asks[0][0]), float(asks[1][0])]
    assert sum(Decimal(str(e["amount"])) for e in executions) == size
    prior = executions[0]["orderPriorExecution"]
    assert (prior["orderId"], prior["cliOrdId"], prior["symbol"], prior["side"]) == (
        send["order_id"],
        "entry-1",
        "PF_XBTUSD",
        "buy",
    )
    assert prior["filled"] == 0 and executions[1]["orderPriorExecution"]["filled"] == float(
        asks[0][1]
    )

    _, positions = await rest.get("openpositions")
    [position] = positions["openPositions"]
    assert (position["side"], position["symbol"], Decimal(str(position["size"]))) == (
        "long",
        "PF_XBTUSD",
        size,
    )
    expected_entry = (asks[0][0] * asks[0][1] + asks[1][0] * Decimal("0.0001")) / size
    assert abs(Decimal(str(position["price"])) - expected_entry) < Decimal("0.0001")
    assert {"unrealizedPnl", "unrealizedFunding", "fillTime"} <= set(position)
    assert server.book("PF_XBTUSD").asks[0][0] > asks[0][0], "the fill consumed the best ask"


async def test_an_execution_moves_the_public_book_and_is_broadcast(
    server: KrakenFuturesSimServer, rest: RestProbe
) -> None:
    async with ws_client(server.ws_url) as client:
        _, [snapshot] = await client.subscribe_book("PF_XBTUSD")
        best_ask = snapshot["asks"][0]
        await rest.send_order(
            orderType="mkt", symbol="PF_XBTUSD", side="buy", size=str(Decimal(str(best_ask["qty"])))
        )
        deleted = await client.until(
            lambda m: (
                m.get("feed") == "book"
                and m["price"] == best_ask["price"]
                and m["side"] == "sell"
                and m["qty"] == 0
            )
        )
        assert deleted["product_id"] == "PF_XBTUSD"


async def test_reduce_only_never_opens_increases_or_flips(rest: RestProbe) -> None:
    refused = await rest.send_order(
        orderType="mkt", symbol="PF_ETHUSD", side="sell", size="1", reduceOnly="true"
    )
    send = refused["sendStatus"]
    assert send["status"] == "wouldNotReducePosition"
    [reject] = send["orderEvents"]
    assert (reject["type"], reject["reason"]) == ("REJECT", "WOULD_NOT_REDUCE_POSITION")

    await rest.send_order(orderType="mkt", symbol="PF_ETHUSD", side="buy", size="0.5")
    same_side = await rest.send_order(
        orderType="mkt", symbol="PF_ETHUSD", side="buy", size="0.1", reduceOnly="true"
    )
    assert same_side["sendStatus"]["status"] == "wouldNotReducePosition"
    closing = await rest.send_order(
        orderType="mkt", symbol="PF_ETHUSD", side="sell", size="2", reduceOnly="true"
    )
    executions = closing["sendStatus"]["orderEvents"]
    assert sum(Decimal(str(e["amount"])) for e in executions) == Decimal("0.5")
    assert executions[0]["takerReducedQuantity"] == 1.5
    _, positions = await rest.get("openpositions")
    assert positions["openPositions"] == []


async def test_an_ioc_that_cannot_execute_is_rejected_as_documented(
    server: KrakenFuturesSimServer, rest: RestProbe
) -> None:
    far_below = server.book("PF_XBTUSD").best_bid - 100
    answer = await rest.send_order(
        orderType="ioc",
        symbol="PF_XBTUSD",
        side="buy",
        size="0.01",
        limitPrice=str(far_below),
        cliOrdId="ioc-1",
    )
    send = answer["sendStatus"]
    assert send["status"] == "iocWouldNotExecute"
    [reject] = send["orderEvents"]
    assert (reject["type"], reject["reason"], reject["uid"]) == (
        "REJECT",
        "IOC_WOULD_NOT_EXECUTE",
        send["order_id"],
    )
    assert reject["order"]["type"] == "ioc" and reject["order"]["limitPrice"] == float(far_below)


async def test_a_limit_order_rests_shows_in_openorders_and_cancelallorders_cancels_it(
    server: KrakenFuturesSimServer, rest: RestProbe
) -> None:
    price = server.book("PF_XBTUSD").best_bid - 200
    placed = await rest.send_order(
        orderType="lmt",
        symbol="PF_XBTUSD",
        side="buy",
        size="0.01",
        limitPrice=str(price),
        cliOrdId="rest-1",
    )
    send = placed["sendStatus"]
    assert send["status"] == "placed"
    [place] = send["orderEvents"]
    assert place["type"] == "PLACE" and place["order"]["type"] == "lmt"
    _, open_orders = await rest.get("openorders")
    [order] = open_orders["openOrders"]
    assert (order["order_id"], order["cliOrdId"], order["status"], order["orderType"]) == (
        send["order_id"],
        "rest-1",
        "untouched",
        "lmt",
    )
    assert (order["limitPrice"], order["unfilledSize"], order["filledSize"]) == (
        float(price),
        0.01,
        0,
    )

    _status, cancelled = await rest.post("cancelallorders", {"symbol": "pf_xbtusd"})
    cancel = cancelled["cancelStatus"]
    assert (cancel["status"], cancel["cancelOnly"]) == ("cancelled", "PF_XBTUSD")
    assert cancel["cancelledOrders"] == [{"order_id": send["order_id"], "cliOrdId": "rest-1"}]
    assert cancel["orderEvents"][0]["type"] == "CANCEL"
    _, open_orders = await rest.get("openorders")
    assert open_orders["openOrders"] == []
    _, again = await rest.post("cancelallorders", {})
    assert again["cancelStatus"]["status"] == "noOrdersToCancel"


async def test_cancelallordersafter_really_cancels_when_it_expires(
    server: KrakenFuturesSimServer, rest: RestProbe
) -> None:
    price = server.book("PF_XBTUSD").best_bid - 200
    await rest.send_order(
        orderType="lmt", symbol="PF_XBTUSD", side="buy", size="0.01", limitPrice=str(price)
    )
    _status, armed = await rest.post("cancelallordersafter", {"timeout": "1"})
    assert armed["result"] == "success" and armed["status"]["triggerTime"] != "0"
    _, open_orders = await rest.get("openorders")
    assert len(open_orders["openOrders"]) == 1, "not before the timeout"

    async def until_cancelled() -> None:
        while True:
            _, current = await rest.get("openorders")
            if not current["openOrders"]:
                return
            await asyncio.sleep(0.05)

    await asyncio.wait_for(until_cancelled(), 5)


async def test_cancelallordersafter_fires_on_time_and_zero_disarms_it() -> None:
    async with manual_venue(seed=5) as venue:
        server, rest = venue.server, venue.rest
        price = server.book("PF_XBTUSD").best_bid - 200
        ids = []
        for _ in range(2):
            placed = await rest.send_order(
                orderType="lmt", symbol="PF_XBTUSD", side="buy", size="0.01", limitPrice=str(price)
            )
            ids.append(placed["sendStatus"]["order_id"])
        _, armed = await rest.post("cancelallordersafter", {"timeout": "60"})
        assert armed["status"]["currentTime"] < armed["status"]["triggerTime"]
        venue.tick(59_900)
        assert len((await rest.get("openorders"))[1]["openOrders"]) == 2
        await rest.post("cancelallordersafter", {"timeout": "60"})
        venue.tick(59_900)
        assert len((await rest.get("openorders"))[1]["openOrders"]) == 2, "pushed back"
        venue.tick(200)
        assert (await rest.get("openorders"))[1]["openOrders"] == []
        _, status = await rest.post("orders/status", {"orderIds": ",".join(ids)})
        assert [(o["status"], o["updateReason"]) for o in status["orders"]] == [
            ("CANCELLED", "DEAD_MAN_SWITCH")
        ] * 2
        await rest.send_order(
            orderType="lmt", symbol="PF_XBTUSD", side="buy", size="0.01", limitPrice=str(price)
        )
        await rest.post("cancelallordersafter", {"timeout": "1"})
        _, disarmed = await rest.post("cancelallordersafter", {"timeout": "0"})
        assert disarmed["status"]["triggerTime"] == "0"
        venue.tick(5_000)
        assert len((await rest.get("openorders"))[1]["openOrders"]) == 1


async def test_order_status_by_client_ids(server: KrakenFuturesSimServer, rest: RestProbe) -> None:
    await rest.send_order(
        orderType="mkt", symbol="PF_XBTUSD", side="buy", size="0.01", cliOrdId="s-1"
    )
    price = server.book("PF_XBTUSD").best_bid - 200
    await rest.send_order(
        orderType="lmt",
        symbol="PF_XBTUSD",
        side="buy",
        size="0.01",
        limitPrice=str(price),
        cliOrdId="s-2",
    )
    _, answer = await rest.post(
        "orders/status", [("cliOrdIds", "s-1"), ("cliOrdIds", "s-2"), ("cliOrdIds", "never-sent")]
    )
    by_id = {entry["order"]["cliOrdId"]: entry for entry in answer["orders"]}
    assert set(by_id) == {"s-1", "s-2"}
    assert (by_id["s-1"]["status"], by_id["s-1"]["order"]["filled"]) == ("FULLY_EXECUTED", 0.01)
    assert by_id["s-2"]["status"] == "ENTERED_BOOK" and by_id["s-2"]["error"] is None
    _, comma = await rest.post("orders/status", {"cliOrdIds": "s-1,s-2"})
    assert len(comma["orders"]) == 2


async def test_fills_and_accounts_reflect_trades_and_the_taker_fee(
    server: KrakenFuturesSimServer, rest: RestProbe
) -> None:
    _, before = await rest.get("accounts")
    start = Decimal(str(before["accounts"]["flex"]["balanceValue"]))
    answer = await rest.send_order(
        orderType="mkt", symbol="PF_XBTUSD", side="buy", size="0.01", cliOrdId="fee-1"
    )
    [execution] = answer["sendStatus"]["orderEvents"]
    price = Decimal(str(execution["price"]))
    _, fills = await rest.get("fills")
    [fill] = fills["fills"]
    assert (fill["cliOrdId"], fill["fillType"], fill["side"], fill["size"]) == (
        "fee-1",
        "taker",
        "buy",
        0.01,
    )
    assert fill["fill_id"] == execution["executionId"]
    _, after = await rest.get("accounts")
    flex = after["accounts"]["flex"]
    fee = (price * Decimal("0.01") * Decimal("0.0005")).quantize(Decimal("0.00000001"))
    assert Decimal(str(flex["balanceValue"])) == start - fee
    assert flex["type"] == "multiCollateralMarginAccount"
    assert flex["initialMargin"] > 0 and "USD" in flex["currencies"]


async def test_bad_orders_get_documented_statuses_and_errors(rest: RestProbe) -> None:
    async def status_of(**params: str) -> str:
        return (await rest.send_order(**params))["sendStatus"]["status"]

    base = {"symbol": "PF_XBTUSD", "side": "buy"}
    assert await status_of(orderType="mkt", size="0.00001", **base) == "invalidSize"
    assert (
        await status_of(orderType="lmt", size="0.01", limitPrice="43000.25", **base)
        == "invalidPrice"
    )
    assert await status_of(orderType="stp", size="0.01", **base) == "invalidOrderType"
    assert (
        await status_of(orderType="mkt", size="0.01", symbol="PF_XBTUSD", side="up")
        == "invalidSide"
    )
    assert (
        await status_of(orderType="mkt", size="0.01", cliOrdId="x" * 101, **base)
        == "clientOrderIdTooLong"
    )
    await rest.send_order(orderType="mkt", size="0.01", cliOrdId="dup", **base)
    assert (
        await status_of(orderType="mkt", size="0.01", cliOrdId="dup", **base)
        == "clientOrderIdAlreadyExist"
    )
    assert await status_of(orderType="mkt", size="50", **base) == "insufficientAvailableFunds"
    _, missing = await rest.post("sendorder", {"orderType": "mkt", "symbol": "PF_XBTUSD"})
    assert missing["error"] == "requiredArgumentMissing"
    _, unknown = await rest.post(
        "sendorder", {"orderType": "mkt", "symbol": "PF_NOPE", "side": "buy", "size": "1"}
    )
    assert unknown["error"] == "invalidArgument"


async def test_accounts_are_kept_per_api_key() -> None:
    other_secret = "c2Vjb25kIHNpbSBhY2NvdW50IHNlY3JldA=="
    credentials = {SIM_API_KEY: "YQ==", "second-key": other_secret}
    async with manual_venue(seed=2, credentials=credentials) as venue:
        first = RestProbe(venue.server.rest_url, venue.rest.http, SIM_API_KEY, "YQ==")
        second = RestProbe(venue.server.rest_url, venue.rest.http, "second-key", other_secret)
        await first.send_order(orderType="mkt", symbol="PF_XBTUSD", side="buy", size="0.01")
        _, mine = await first.get("openpositions")
        _, theirs = await second.get("openpositions")
        assert len(mine["openPositions"]) == 1 and theirs["openPositions"] == []


async def test_a_resting_limit_order_fills_as_maker_when_the_market_reaches_it() -> None:
    async with manual_venue(seed=7, rate_hz=1000, volatility_bps=5) as venue:
        server, rest = venue.server, venue.rest
        limit = server.book("PF_XBTUSD").best_bid - 5
        placed = await rest.send_order(
            orderType="lmt",
            symbol="PF_XBTUSD",
            side="buy",
            size="0.02",
            limitPrice=str(limit),
            cliOrdId="m-1",
        )
        assert placed["sendStatus"]["orderEvents"][0]["type"] == "PLACE"
        for _ in range(3000):
            venue.tick(10)
            if server.book("PF_XBTUSD").best_ask <= limit:
                break
        else:
            raise AssertionError("the market never came down to the order")
        _, fills = await rest.get("fills")
        [fill] = fills["fills"]
        assert (fill["fillType"], fill["price"], fill["size"], fill["cliOrdId"]) == (
            "maker",
            float(limit),
            0.02,
            "m-1",
        )
        _, status = await rest.post("orders/status", {"cliOrdIds": "m-1"})
        assert status["orders"][0]["status"] == "FULLY_EXECUTED"
        assert (await rest.get("openorders"))[1]["openOrders"] == []


async def test_orders_status_forgets_finished_orders_after_five_seconds() -> None:
    async with manual_venue(seed=7) as venue:
        clock, rest = venue.clock, venue.rest
        await rest.send_order(
            orderType="mkt", symbol="PF_XBTUSD", side="buy", size="0.01", cliOrdId="old-1"
        )
        clock.advance(4_900)
        assert len((await rest.post("orders/status", {"cliOrdIds": "old-1"}))[1]["orders"]) == 1
        clock.advance(200)
        assert (await rest.post("orders/status", {"cliOrdIds": "old-1"}))[1]["orders"] == []
        assert len((await rest.get("fills"))[1]["fills"]) == 1, "the fill is still on record"


async def test_inverse_contracts_trade_in_whole_usd_contracts(rest: RestProbe) -> None:
    answer = await rest.send_order(orderType="mkt", symbol="PI_XBTUSD", side="sell", size="100")
    assert answer["sendStatus"]["status"] == "placed"
    _, positions = await rest.get("openpositions")
    [position] = positions["openPositions"]
    assert (position["symbol"], position["side"], position["size"]) == ("PI_XBTUSD", "short", 100)
    fractional = await rest.send_order(orderType="mkt", symbol="PI_XBTUSD", side="sell", size="0.5")
    assert fractional["sendStatus"]["status"] == "invalidSize"
    _, accounts = await rest.get("accounts")
    assert accounts["accounts"]["flex"]["balanceValue"] == 10_000 - 0.05  # 100 USD x 0.05 %
