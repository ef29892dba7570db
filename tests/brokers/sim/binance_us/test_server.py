"""The simulated Binance.us venue, checked against the docs with a plain HTTP/WebSocket client
(no adapter code): signatures and timestamps, depth and its stream ids, orders with commission
in the asset received, filters and errors, weight limits, keep-alive and the lifetime cut."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import aiohttp
import orjson
import pytest

from brokers.sim import BINANCE_SIM_API_KEY, BINANCE_SIM_API_SECRET, BinanceUsSimServer

DOCS_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
DOCS_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
DOCS_BODY = (
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
    "&recvWindow=5000&timestamp=1499827319559"
)
DOCS_SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
DOCS_TIME_NS = 1_499_827_319_559_000_000 + 200_000_000  # the venue reads its clock 200 ms later
D = Decimal


class Client:
    """Just enough of a Binance.us client to talk to the sim: signs with hmac, nothing shared."""

    def __init__(self, server: BinanceUsSimServer, session: aiohttp.ClientSession) -> None:
        self.base = server.rest_url
        self.session = session
        self.key, self.secret = BINANCE_SIM_API_KEY, BINANCE_SIM_API_SECRET

    async def public(self, path: str, **params: str) -> tuple[int, Any]:
        async with self.session.get(self.base + path, params=params) as response:
            return response.status, orjson.loads(await response.read())

    async def signed(self, method: str, path: str, **params: str) -> tuple[int, Any]:
        query = urlencode({**params, "timestamp": str(time.time_ns() // 1_000_000)})
        signature = hmac.new(self.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
        body = f"{query}&signature={signature}"
        headers = {"X-MBX-APIKEY": self.key}
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            request = self.session.post(self.base + path, data=body, headers=headers)
        else:
            request = self.session.request(method, f"{self.base}{path}?{body}", headers=headers)
        async with request as response:
            return response.status, orjson.loads(await response.read())


@pytest.fixture
async def server() -> AsyncIterator[BinanceUsSimServer]:
    async with BinanceUsSimServer(seed=3, rate_hz=400) as sim:
        yield sim


@pytest.fixture
async def client(server: BinanceUsSimServer) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as session:
        yield Client(server, session)


# --- signatures and time ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "body", "signature", "code"),
    [
        ("", DOCS_BODY, DOCS_SIGNATURE, -1121),  # the docs' example 1: a request body
        (DOCS_BODY, "", DOCS_SIGNATURE, -1121),  # example 2: a query string
        (  # example 3: mixed, signed without a separator between the two parts
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
            "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
            "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77",
            -1121,
        ),
        ("", DOCS_BODY, DOCS_SIGNATURE.upper(), -1121),  # "the signature is not case sensitive"
        ("", DOCS_BODY, "d" + DOCS_SIGNATURE[1:], -1022),
    ],
)
async def test_the_docs_signed_examples_pass_the_signature_check(
    query: str, body: str, signature: str, code: int
) -> None:
    # LTCBTC is not listed here: -1121 proves signature and timestamp were both accepted.
    async with (
        BinanceUsSimServer(credentials={DOCS_KEY: DOCS_SECRET}, clock=lambda: DOCS_TIME_NS) as sim,
        aiohttp.ClientSession() as session,
    ):
        target = f"{sim.rest_url}/api/v3/order/test"
        if query:
            target += f"?{query}"
        signed_part = "&signature=" + signature
        if body:
            body += signed_part
        else:
            target += signed_part
        async with session.post(
            target,
            data=body,
            headers={"X-MBX-APIKEY": DOCS_KEY, "Content-Type": "application/x-www-form-urlencoded"},
        ) as response:
            answer = orjson.loads(await response.read())
    assert answer["code"] == code, answer


@pytest.mark.parametrize(("skew_ms", "words"), [(1500, "1000ms ahead"), (-6000, "recvWindow")])
async def test_a_timestamp_outside_the_window_is_1021(
    server: BinanceUsSimServer, skew_ms: int, words: str
) -> None:
    async with aiohttp.ClientSession() as session:
        query = f"timestamp={time.time_ns() // 1_000_000 + skew_ms}"
        signature = hmac.new(BINANCE_SIM_API_SECRET.encode(), query.encode(), hashlib.sha256)
        async with session.get(
            f"{server.rest_url}/api/v3/account?{query}&signature={signature.hexdigest()}",
            headers={"X-MBX-APIKEY": BINANCE_SIM_API_KEY},
        ) as response:
            status, answer = response.status, orjson.loads(await response.read())
    assert (status, answer["code"]) == (400, -1021)
    assert words in answer["msg"]


async def test_time_and_an_unknown_key(client: Client) -> None:
    status, answer = await client.public("/api/v3/time")
    assert status == 200 and abs(answer["serverTime"] - time.time_ns() // 1_000_000) < 5_000
    client.key = "unknown"
    status, answer = await client.signed("GET", "/api/v3/account")
    assert (status, answer["code"]) == (401, -2015)


# --- market data --------------------------------------------------------------------------------
async def test_exchange_info_lists_the_spot_filters(client: Client) -> None:
    status, info = await client.public("/api/v3/exchangeInfo")
    assert status == 200
    (symbol,) = info["symbols"]
    assert (symbol["symbol"], symbol["baseAsset"], symbol["quoteAsset"]) == (
        "BTCUSDT",
        "BTC",
        "USDT",
    )
    filters = {f["filterType"]: f for f in symbol["filters"]}
    assert filters["PRICE_FILTER"]["tickSize"] == "0.01000000"
    assert filters["LOT_SIZE"]["stepSize"] == "0.00001000"
    assert filters["NOTIONAL"]["minNotional"] == "10.00000000"
    status, answer = await client.public("/api/v3/exchangeInfo", symbol="NOPEUSDT")
    assert (status, answer) == (400, {"code": -1121, "msg": "Invalid symbol."})


async def test_depth_and_the_stream_ids_follow_on_exactly(
    server: BinanceUsSimServer, client: Client
) -> None:
    async with client.session.ws_connect(f"{server.ws_url}/ws/btcusdt@depth@100ms") as ws:
        status, snapshot = await client.public("/api/v3/depth", symbol="BTCUSDT", limit="1000")
        events = [orjson.loads((await ws.receive(timeout=2)).data) for _ in range(8)]
    assert status == 200
    assert len(snapshot["bids"]) >= 50 and all(len(level) == 2 for level in snapshot["asks"])
    assert all(isinstance(x, str) for level in snapshot["bids"] for x in level)
    for event in events:
        assert (event["e"], event["s"]) == ("depthUpdate", "BTCUSDT")
        assert event["U"] <= event["u"]
    for before, after in itertools.pairwise(events):
        assert after["U"] == before["u"] + 1
    # The snapshot sits inside the stream: some event straddles lastUpdateId + 1.
    last = snapshot["lastUpdateId"]
    assert any(e["U"] <= last + 1 <= e["u"] for e in events) or events[0]["U"] > last


async def test_a_combined_stream_wraps_each_event(
    server: BinanceUsSimServer, client: Client
) -> None:
    url = f"{server.ws_url}/stream?streams=btcusdt@depth@100ms"
    async with client.session.ws_connect(url) as ws:
        frame = orjson.loads((await ws.receive(timeout=2)).data)
        await ws.send_str(orjson.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 3}).decode())
        answers = [orjson.loads((await ws.receive(timeout=2)).data) for _ in range(4)]
        await ws.send_str("{nope")
        errors = [orjson.loads((await ws.receive(timeout=2)).data) for _ in range(4)]
    assert frame["stream"] == "btcusdt@depth@100ms"
    assert frame["data"]["e"] == "depthUpdate"
    assert {"result": ["btcusdt@depth@100ms"], "id": 3} in answers
    assert any(e.get("code") == 3 for e in errors)


async def test_an_unknown_stream_is_refused_before_the_upgrade(
    server: BinanceUsSimServer, client: Client
) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.session.ws_connect(f"{server.ws_url}/ws/nopeusdt@depth@100ms")
    assert refused.value.status == 400


async def test_connections_are_cut_at_the_end_of_their_lifetime() -> None:
    async with (
        BinanceUsSimServer(max_connection_age_s=0.3) as sim,
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{sim.ws_url}/ws/btcusdt@depth@100ms") as ws,
    ):

        async def until_closed() -> aiohttp.WSMessage:
            async for msg in ws:
                if msg.type is not aiohttp.WSMsgType.TEXT:
                    return msg
            return await ws.receive()

        await asyncio.wait_for(until_closed(), 3)
        assert ws.close_code == 1001
        assert sim.streams.lifetime_cuts == 1


# --- orders and accounts --------------------------------------------------------------------------
async def test_commission_is_charged_in_the_asset_received(
    server: BinanceUsSimServer, client: Client
) -> None:
    status, buy = await client.signed(
        "POST",
        "/api/v3/order",
        symbol="BTCUSDT",
        side="BUY",
        type="MARKET",
        quantity="0.01",
        newClientOrderId="c-1",
    )
    assert status == 200, buy
    assert buy["status"] == "FILLED" and buy["clientOrderId"] == "c-1"
    assert {f["commissionAsset"] for f in buy["fills"]} == {"BTC"}
    for fill in buy["fills"]:
        assert D(fill["commission"]) == (D(fill["qty"]) * D("0.001")).quantize(D("1e-8"))
    status, sell = await client.signed(
        "POST", "/api/v3/order", symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.005"
    )
    assert status == 200, sell
    assert {f["commissionAsset"] for f in sell["fills"]} == {"USDT"}
    _, account = await client.signed("GET", "/api/v3/account")
    balances = {b["asset"]: D(b["free"]) for b in account["balances"]}
    bought = sum(D(f["qty"]) - D(f["commission"]) for f in buy["fills"])
    assert balances["BTC"] == bought - D("0.005")
    spent = sum(D(f["qty"]) * D(f["price"]) for f in buy["fills"])
    got = sum(D(f["qty"]) * D(f["price"]) - D(f["commission"]) for f in sell["fills"])
    assert balances["USDT"] == D(10_000) - spent + got
    _, trades = await client.signed("GET", "/api/v3/myTrades", symbol="BTCUSDT")
    assert len(trades) == len(buy["fills"]) + len(sell["fills"])
    _, queried = await client.signed(
        "GET", "/api/v3/order", symbol="BTCUSDT", origClientOrderId="c-1"
    )
    assert (queried["orderId"], queried["status"]) == (buy["orderId"], "FILLED")


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"side": "SELL", "type": "MARKET", "quantity": "1"}, 400, -2010),
        ({"side": "BUY", "type": "MARKET", "quantity": "0.000015"}, 400, -1013),
        ({"side": "BUY", "type": "MARKET", "quantity": "0.0001"}, 400, -1013),
        (
            {"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1", "price": "1"},
            400,
            -1014,
        ),
        (
            {"side": "BUY", "type": "MARKET", "quantity": "1", "newClientOrderId": "no spaces"},
            400,
            -1100,
        ),
    ],
)
async def test_refused_orders_change_nothing(
    server: BinanceUsSimServer, client: Client, params: dict[str, str], status: int, code: int
) -> None:
    got_status, answer = await client.signed("POST", "/api/v3/order", symbol="BTCUSDT", **params)
    assert (got_status, answer["code"]) == (status, code), answer
    account = server.exchange.account(BINANCE_SIM_API_KEY)
    assert account.orders == {} and account.balances == {"USDT": D(10_000)}


async def test_a_test_order_validates_but_places_nothing(
    server: BinanceUsSimServer, client: Client
) -> None:
    status, answer = await client.signed(
        "POST", "/api/v3/order/test", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01"
    )
    assert (status, answer) == (200, {})
    assert server.exchange.account(BINANCE_SIM_API_KEY).orders == {}


async def test_nothing_rests_so_there_is_nothing_to_cancel(client: Client) -> None:
    assert await client.signed("GET", "/api/v3/openOrders", symbol="BTCUSDT") == (200, [])
    status, answer = await client.signed("DELETE", "/api/v3/openOrders", symbol="BTCUSDT")
    assert (status, answer["code"]) == (400, -2011)
    status, answer = await client.signed("GET", "/api/v3/order", symbol="BTCUSDT", orderId="77")
    assert (status, answer["code"]) == (400, -2013)


async def test_the_trade_fee_endpoint_tells_the_rate(client: Client) -> None:
    status, fees = await client.signed("GET", "/sapi/v1/asset/query/trading-fee", symbol="BTCUSDT")
    assert status == 200
    assert fees == [{"symbol": "BTCUSDT", "makerCommission": "0.001", "takerCommission": "0.001"}]


# --- limits ---------------------------------------------------------------------------------------
async def test_going_over_the_weight_limit_is_429_then_418_for_a_client_that_keeps_going() -> None:
    async with BinanceUsSimServer(weight_limit_1m=25) as sim, aiohttp.ClientSession() as session:
        client = Client(sim, session)
        statuses = []
        for _ in range(6):
            async with session.get(f"{sim.rest_url}/api/v3/exchangeInfo") as response:
                statuses.append((response.status, response.headers.get("Retry-After")))
        assert [s for s, _ in statuses[:3]] == [200, 200, 429]
        assert statuses[2][1] is not None and int(statuses[2][1]) >= 1
        assert statuses[-1][0] == 418
        assert sim.rest.requests_while_limited == 3
        status, answer = await client.public("/api/v3/time")
        assert (status, answer["code"]) == (418, -1003)
