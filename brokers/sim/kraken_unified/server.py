"""``KrakenUnifiedSimServer``: the simulated venue speaking Kraken's Unified WebSocket.

One aiohttp application serves ``/v2/public`` and ``/v2/private`` over the shared synthetic
market, and the Spot REST ``POST /0/private/GetWebSocketsToken`` that private access needs (its
``API-Sign`` checked), ``POST /0/private/TradeVolume`` (the account's fee tier) and the public
``GET /0/public/SystemStatus`` (scheduled maintenance: ``announce_maintenance``). The ticker
steps the market with the wall clock, brings every ``book`` subscriber up to date (one message
per symbol per tick that changed something), works resting orders and the dead man's switch (its
cancels streamed on ``executions``), sends heartbeats and applies the armed faults. ``ws_url`` is
the public socket, ``private_ws_url`` the private one, ``rest_url`` the Spot REST base.

    async with KrakenUnifiedSimServer(seed=1) as server:
        ...  # point a client at server.ws_url
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Unpack

from aiohttp import web

from brokers.sim.kraken_unified.auth import SIM_UNIFIED_API_KEY, SIM_UNIFIED_API_SECRET, TokenBook
from brokers.sim.kraken_unified.faults import UnifiedFaults
from brokers.sim.kraken_unified.private import UnifiedPrivateFeed
from brokers.sim.kraken_unified.system_status import SystemStatusApi
from brokers.sim.kraken_unified.token_api import TokenApi
from brokers.sim.kraken_unified.trade_volume import TradeVolumeAnswers
from brokers.sim.kraken_unified.ws import UnifiedPublicFeed
from brokers.sim.market.books import BookView
from brokers.sim.market.futures import SimExchange
from brokers.sim.market.orders import EndReason
from brokers.sim.market.products import KRAKEN_FUTURES_PRODUCTS, SimProductSpec, resolve_products
from brokers.sim.serving import MarketOptions, ProtocolServer

log = logging.getLogger(__name__)

PUBLIC_PATH = "/v2/public"
PRIVATE_PATH = "/v2/private"
SYSTEM_STATES = ("online", "maintenance", "cancel_only", "post_only")


class KrakenUnifiedSimServer(ProtocolServer):
    """A Unified WebSocket look-alike over a synthetic market. See the module docstring.

    ``faults`` holds the shared knobs, ``unified_faults`` the Unified-only ones
    (``wrong_checksum``); ``set_system`` pushes a ``status`` change (maintenance),
    ``announce_maintenance`` a scheduled window. With ``ticking=False`` nothing moves by itself
    and a test drives ``tick(now_ns)``.
    """

    title = "Kraken Unified"
    ticker_name = "kraken-unified-sim-ticker"
    ws_path = PUBLIC_PATH

    def __init__(
        self,
        *,
        products: Iterable[SimProductSpec | str] | None = None,
        heartbeat_interval_s: float = 1.0,
        credentials: dict[str, str] | None = None,
        starting_balance_usd: Decimal = Decimal(10_000),
        taker_fee_rate: Decimal = Decimal("0.0005"),
        maker_fee_rate: Decimal = Decimal("0.0002"),
        ticking: bool = True,
        **market: Unpack[MarketOptions],
    ) -> None:
        specs = resolve_products(products, default=KRAKEN_FUTURES_PRODUCTS)
        super().__init__(specs, **market)
        self.heartbeat_interval_s = heartbeat_interval_s
        self.ticking = ticking
        self.unified_faults = UnifiedFaults()
        self.feed = UnifiedPublicFeed(self.market, self.faults, self.unified_faults, self.clock)
        self.exchange = SimExchange(
            self.market,
            starting_balance_usd=starting_balance_usd,
            taker_fee_rate=taker_fee_rate,
            maker_fee_rate=maker_fee_rate,
        )
        self.tokens = TokenBook()
        self.token_api = TokenApi(
            credentials or {SIM_UNIFIED_API_KEY: SIM_UNIFIED_API_SECRET},
            self.tokens,
            self.clock,
            trade_volume=TradeVolumeAnswers(self.exchange, self.unified_faults),
            faults=self.unified_faults,
        )
        self.system_status = SystemStatusApi(
            self.faults, self.unified_faults, self.clock, lambda: self.feed.system
        )
        self.feed.upcoming_maintenance = self.system_status.upcoming
        self.dead_man_fired = 0
        self.private = UnifiedPrivateFeed(
            self.exchange,
            self.tokens,
            self.faults,
            self.unified_faults,
            self.clock,
            publish_book=self.feed.publish,
        )

    @property
    def connections(self) -> UnifiedPublicFeed:
        return self.feed

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(PUBLIC_PATH, self.feed.handle)
        app.router.add_get(PRIVATE_PATH, self.private.handle)
        self.token_api.add_routes(app)
        self.system_status.add_routes(app)

    @property
    def private_ws_url(self) -> str:
        return self.ws_url.removesuffix(PUBLIC_PATH) + PRIVATE_PATH

    async def stop(self) -> None:
        await self.private.close_all()
        await super().stop()

    def set_fee_tier(
        self, taker_rate: Decimal, maker_rate: Decimal, *, key: str = SIM_UNIFIED_API_KEY
    ) -> None:
        """The account's own fee tier (fractions of notional): what ``TradeVolume`` reports and
        what its fills are charged."""
        account = self.exchange.account(key)
        account.taker_fee_rate, account.maker_fee_rate = taker_rate, maker_rate

    def expire_tokens(self) -> None:
        """Every token handed out so far is forgotten (the expired-token fault): a request
        carrying one, even on a socket where it was good, gets ``EAPI:Invalid token`` and the
        socket stays open. ``unified_faults.issue_expired_tokens`` ages tokens before first use."""
        self.tokens.expire_all()

    @property
    def private_requests(self) -> list[tuple[int, Any]]:
        """Every private request received (last 1000): (connection number, parsed JSON)."""
        return list(self.private.requests)

    # --- what tests may look at and turn -----------------------------------------------------
    def book_at(self, product: str, depth: int) -> BookView:
        """The venue's book at a subscription's depth: what a synced client holds."""
        return self.market.book(product.upper(), depth=depth)

    @property
    def ws_requests(self) -> list[tuple[int, Any]]:
        """Every request received (last 1000): (connection number, parsed JSON)."""
        return list(self.feed.requests)

    def set_system(self, system: str) -> None:
        """Change the trading engine's state (``status`` pushed to every connection)."""
        if system not in SYSTEM_STATES:
            raise ValueError(f"system must be one of {SYSTEM_STATES}, got {system!r}")
        self.feed.set_system(system)
        self.private.set_system(system)

    def refine_tick(self, product: str) -> None:
        """List ``product`` with one more price decimal from now on (an ``instrument`` update,
        then book messages and checksums at the new precision); see ``UnifiedPublicFeed``."""
        self.feed.refine_tick(product.upper())

    def announce_maintenance(
        self,
        start_ns: int,
        end_ns: int,
        note: str = "Scheduled maintenance",
        *,
        services: tuple[str, ...] = ("futures_trading",),
    ) -> None:
        """Announce a window (by the sim's clock) in ``upcoming_maintenance``, on
        ``SystemStatus`` and in the next ``status`` pushed (each socket open, each ``system``
        change), until it starts; ``faults.clear_maintenance`` withdraws it."""
        self.unified_faults.maintenance_services = services
        self.faults.schedule_maintenance(start_ns, end_ns, note)

    # --- the ticker ---------------------------------------------------------------------------
    async def _tick_forever(self) -> None:
        next_heartbeat = time.monotonic() + self.heartbeat_interval_s
        try:
            while True:
                self.tick(self.clock())
                if time.monotonic() >= next_heartbeat:
                    self.private.heartbeat()
                    next_heartbeat = time.monotonic() + self.heartbeat_interval_s
                await self.apply_disconnect_fault()
                await asyncio.sleep(self.tick_interval_s)
        except Exception:
            log.exception("the simulated Unified venue's ticker failed; the market is frozen")
            raise

    def tick(self, now_ns: int) -> None:
        """One step of everything that happens by itself (public for deterministic tests)."""
        self.apply_connection_faults()
        for product in self.market.products:
            if self.market.step(product, now_ns):
                self.feed.publish(product, now_ns)
        self.feed.heartbeat(self.heartbeat_interval_s)
        self.work_accounts(now_ns)

    def work_accounts(self, now_ns: int) -> None:
        """Fire due dead man's switches (each then off until re-armed) and fill resting orders,
        streaming what happened on ``executions``."""
        accounts = list(self.exchange.accounts.items())
        for key, account in accounts:
            deadline = account.dead_man_deadline_ns
            if deadline is not None and now_ns >= deadline:
                account.dead_man_deadline_ns = None
                cancelled = self.exchange.cancel_all(key, None, now_ns, EndReason.DEAD_MAN_SWITCH)
                self.dead_man_fired += 1
                log.info("sim: dead man's switch fired for an account (%d orders)", len(cancelled))
                self.private.publish_cancels(key, cancelled, now_ns)
        before = {key: len(account.fills) for key, account in accounts}
        self.exchange.on_time(now_ns)
        for key, account in accounts:
            if len(account.fills) > before[key]:
                self.private.publish_fills(key, account.fills[before[key] :], now_ns)
