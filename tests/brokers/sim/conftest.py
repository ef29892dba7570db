"""Raw clients for the simulated venue: a websockets client and a signed aiohttp REST client.

Deliberately independent of the Kraken adapter: these speak the wire as the docs describe it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import aiohttp
import orjson
import pytest
import yarl
from websockets.asyncio.client import ClientConnection, connect

from brokers.sim import SIM_API_KEY, SIM_API_SECRET, KrakenFuturesSimServer

Json = dict[str, Any]
T0_NS = 1_700_000_000_000_000_000


class FakeClock:
    """Epoch ns that only move when a test says so."""

    def __init__(self, now_ns: int = T0_NS) -> None:
        self.now_ns = now_ns

    def __call__(self) -> int:
        return self.now_ns

    def advance(self, ms: float) -> int:
        self.now_ns += int(ms * 1_000_000)
        return self.now_ns


class WsProbe:
    """A raw WebSocket client with bounded waits."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, message: Json) -> None:
        await self.ws.send(orjson.dumps(message).decode())

    async def recv_text(self, within: float = 3.0) -> str:
        frame = await asyncio.wait_for(self.ws.recv(), within)
        assert isinstance(frame, str), "the venue sends text frames"
        return frame

    async def recv(self, within: float = 3.0) -> Json:
        message = orjson.loads(await self.recv_text(within))
        assert isinstance(message, dict)
        return message

    async def until(self, predicate: Callable[[Json], bool], within: float = 5.0) -> Json:
        """The first message matching ``predicate`` (others are skipped)."""

        async def scan() -> Json:
            while True:
                message = await self.recv(within)
                if predicate(message):
                    return message

        return await asyncio.wait_for(scan(), within)

    async def subscribe_book(self, *product_ids: str) -> tuple[Json, list[Json]]:
        """Subscribe and return the ack and one snapshot per product."""
        await self.send({"event": "subscribe", "feed": "book", "product_ids": list(product_ids)})
        ack = await self.until(lambda m: m.get("event") in ("subscribed", "error"))
        snapshots = []
        if ack["event"] == "subscribed":
            for _ in product_ids:
                snapshots.append(await self.until(lambda m: m.get("feed") == "book_snapshot"))
        return ack, snapshots


@asynccontextmanager
async def ws_client(url: str, *, expect_info: bool = True) -> AsyncIterator[WsProbe]:
    # max_queue=None: a client closing with unread frames must still see the close frame
    async with connect(
        url, open_timeout=3, close_timeout=1, ping_interval=None, max_queue=None
    ) as ws:
        probe = WsProbe(ws)
        if expect_info:
            assert await probe.recv() == {"event": "info", "version": 1}
        yield probe


def authent(secret: str, post_data: str, nonce: str, endpoint_path: str) -> str:
    """The docs' construction, written out again here on purpose (tests are a third reading)."""
    digest = hashlib.sha256((post_data + nonce + endpoint_path).encode()).digest()
    mac = hmac.new(base64.b64decode(secret), digest, hashlib.sha512).digest()
    return base64.b64encode(mac).decode()


class RestProbe:
    """Signed REST calls as the docs describe: form body for POST, query string for GET."""

    def __init__(
        self,
        base_url: str,
        http: aiohttp.ClientSession,
        key: str = SIM_API_KEY,
        secret: str = SIM_API_SECRET,
    ) -> None:
        self.base_url = base_url
        self.http = http
        self.key = key
        self.secret = secret
        self._nonce = 1_000

    def headers(self, endpoint: str, post_data: str, *, nonce: bool = True) -> dict[str, str]:
        path = "/api/v3/" + endpoint
        headers = {"APIKey": self.key}
        value = ""
        if nonce:
            self._nonce += 1
            value = str(self._nonce)
            headers["Nonce"] = value
        headers["Authent"] = authent(self.secret, post_data, value, path)
        return headers

    async def get(
        self, endpoint: str, params: dict[str, str] | None = None, *, signed: bool = True
    ) -> tuple[int, Json]:
        query = urlencode(params or {})
        headers = self.headers(endpoint, query) if signed else {}
        url = yarl.URL(
            f"{self.base_url}/{endpoint}" + (f"?{query}" if query else ""), encoded=True
        )  # send the query exactly as signed
        async with self.http.get(url, headers=headers) as response:
            return response.status, await response.json(content_type=None)

    async def post(
        self,
        endpoint: str,
        params: dict[str, str] | list[tuple[str, str]],
        *,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Json]:
        body = urlencode(params)
        sent = headers if headers is not None else self.headers(endpoint, body)
        sent = {**sent, "Content-Type": "application/x-www-form-urlencoded"}
        async with self.http.post(
            f"{self.base_url}/{endpoint}", data=body, headers=sent
        ) as response:
            return response.status, await response.json(content_type=None)

    async def send_order(self, **params: str) -> Json:
        status, answer = await self.post("sendorder", params)
        assert status == 200, answer
        return answer


@pytest.fixture
async def server() -> AsyncIterator[KrakenFuturesSimServer]:
    async with KrakenFuturesSimServer(seed=11, heartbeat_interval_s=0.2) as venue:
        yield venue


@pytest.fixture
async def fast_server() -> AsyncIterator[KrakenFuturesSimServer]:
    """For tests that read many book messages: 400 a second per product."""
    async with KrakenFuturesSimServer(seed=12, rate_hz=400) as venue:
        yield venue


@pytest.fixture
async def rest(server: KrakenFuturesSimServer) -> AsyncIterator[RestProbe]:
    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        yield RestProbe(server.rest_url, http)


@dataclass
class ManualVenue:
    """A venue whose clock only moves when the test ticks it, and a signed client for it."""

    server: KrakenFuturesSimServer
    clock: FakeClock
    rest: RestProbe

    def tick(self, ms: float) -> None:
        self.server.tick(self.clock.advance(ms))


@asynccontextmanager
async def manual_venue(**settings: Any) -> AsyncIterator[ManualVenue]:
    clock = FakeClock()
    async with (
        KrakenFuturesSimServer(clock=clock, ticking=False, **settings) as server,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http,
    ):
        yield ManualVenue(server, clock, RestProbe(server.rest_url, http))


def apply_delta(book: dict[str, dict[float, float]], delta: Json) -> None:
    """What any client does with a ``book`` message: absolute size, 0 deletes."""
    side = book["bids" if delta["side"] == "buy" else "asks"]
    if delta["qty"] == 0:
        side.pop(delta["price"], None)
    else:
        side[delta["price"]] = delta["qty"]


def from_snapshot(snapshot: Json) -> dict[str, dict[float, float]]:
    return {
        "bids": {level["price"]: level["qty"] for level in snapshot["bids"]},
        "asks": {level["price"]: level["qty"] for level in snapshot["asks"]},
    }


def as_floats(levels: tuple[tuple[Decimal, Decimal], ...]) -> dict[float, float]:
    return {float(price): float(size) for price, size in levels}
