"""Kraken's Unified WebSocket as the registry knows it (``kraken_unified``).

The protocol Kraken supports after 1 March 2027 (``PROTOCOL.md``): the public book on
``/v2/public``, orders, executions and positions on ``/v2/private`` with a token from the Spot
REST ``GetWebSocketsToken``. ``--broker kraken`` speaks it by default (``KRAKEN_PROTOCOL``);
``--broker sim`` serves it on 127.0.0.1. There is no demo: live orders are real money.

Settings: ``KRAKEN_API_KEY``/``KRAKEN_API_SECRET`` (a Kraken API key with WebSocket and trading
permissions, not a Derivatives key); ``KRAKEN_WS_PUBLIC_URL``, ``KRAKEN_WS_PRIVATE_URL`` and
``KRAKEN_REST_URL`` (the Spot REST base, for the token) point the adapter elsewhere. With keys,
the dead man's switch (``cancel_all_orders_after``) is armed for live trading. Scheduled
maintenance comes from the public Spot REST ``SystemStatus`` (``maintenance.py``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import SecretStr

from brokers.kraken_futures.dead_man import DeadMansSwitch
from brokers.kraken_futures.unified.execution import KrakenUnifiedExecution
from brokers.kraken_futures.unified.feed import KrakenUnifiedFeed
from brokers.kraken_futures.unified.fees import AccountFeeSource
from brokers.kraken_futures.unified.maintenance import KrakenUnifiedMaintenance
from brokers.kraken_futures.unified.parse import UnifiedParser
from brokers.kraken_futures.unified.private import UnifiedPrivateSession
from brokers.kraken_futures.unified.replay import KrakenUnifiedReplay
from brokers.kraken_futures.unified.stats import UnifiedFeedStats
from brokers.kraken_futures.unified.token import TokenSource
from brokers.kraken_futures.unified.wire import PRIVATE_URL, PUBLIC_URL
from brokers.kraken_futures.urls import DEMO_RETIRED, REHEARSAL
from brokers.net.urls import redacted
from brokers.venue import (
    ApiCredentials,
    SimServer,
    Target,
    VenueConnection,
    VenueRequest,
    VenueSetupError,
    VenueSpec,
)
from core.ports import FeedSink, VenueError

log = logging.getLogger(__name__)

KEYS = ("KRAKEN_API_KEY", "KRAKEN_API_SECRET")
SPOT_REST_URL = "https://api.kraken.com"
PUBLIC_PATH, PRIVATE_PATH = "/v2/public", "/v2/private"
UNIFIED_SETTINGS = (
    *KEYS,
    "KRAKEN_WS_PUBLIC_URL",
    "KRAKEN_WS_PRIVATE_URL",
    "KRAKEN_REST_URL",
    "KRAKEN_TAKER_FEE_BPS",
    "REST_TIMEOUT_SECONDS",
    "WEBSOCKET_TIMEOUT_SECONDS",
    "DEAD_MAN_TIMEOUT_SECONDS",
    "DEAD_MAN_REFRESH_SECONDS",
)


def private_url_for(public_url: str, settings: Mapping[str, Any]) -> str:
    """``KRAKEN_WS_PRIVATE_URL``, else the public URL's ``/v2/public`` turned ``/v2/private``."""
    override = settings.get("KRAKEN_WS_PRIVATE_URL")
    if override:
        return str(override)
    if public_url == PUBLIC_URL:
        return PRIVATE_URL
    if public_url.rstrip("/").endswith(PUBLIC_PATH):
        return public_url.rstrip("/").removesuffix(PUBLIC_PATH) + PRIVATE_PATH
    raise VenueSetupError(
        f"cannot tell the private URL from KRAKEN_WS_PUBLIC_URL={redacted(public_url)}: "
        "set KRAKEN_WS_PRIVATE_URL too"
    )


class KrakenUnified(VenueSpec):
    name = "kraken_unified"
    title = "Kraken Futures"
    banner_name = "Kraken"
    default_symbol = "PF_XBTUSD"
    long_only = False
    has_demo = False  # the Futures demo was retired on 14 July 2026: live is real money
    rehearsal_note = f"{DEMO_RETIRED}; {REHEARSAL}"
    fee_setting = "KRAKEN_TAKER_FEE_BPS"
    ws_url_setting = "KRAKEN_WS_PUBLIC_URL"
    rest_url_setting = "KRAKEN_REST_URL"
    real_money_keys = KEYS
    settings = UNIFIED_SETTINGS
    sim_port = 8082

    async def open(
        self, request: VenueRequest, stack: contextlib.AsyncExitStack
    ) -> VenueConnection:
        settings = request.settings
        ws_override = settings.get(self.ws_url_setting)
        credentials = ApiCredentials.from_settings(settings, *KEYS)
        if request.live and credentials.missing:
            raise VenueSetupError(
                f"live trading on Kraken (real money) needs {' and '.join(credentials.missing)} "
                "in .env: a Kraken API key with WebSocket and trading permissions"
            )
        target = Target(
            ws_url=ws_override or PUBLIC_URL,
            rest_url=settings.get(self.rest_url_setting) or SPOT_REST_URL,
            credentials=credentials,
            venue_name="Kraken Futures (Unified WebSocket)",
            environment="custom endpoint" if ws_override else "production",
        )
        return await self.connect(request, stack, target)

    async def connect(
        self, request: VenueRequest, stack: contextlib.AsyncExitStack, target: Target
    ) -> VenueConnection:
        settings = request.settings
        credentials = target.credentials
        timeout_s = settings["REST_TIMEOUT_SECONDS"]
        session = None
        if not credentials.missing:
            tokens = TokenSource(
                target.rest_url,
                credentials.key,
                credentials.secret,
                key_setting=credentials.key_setting,
                secret_setting=credentials.secret_setting,
                timeout_s=timeout_s,
            )
            session = UnifiedPrivateSession(
                private_url_for(target.ws_url, settings),
                tokens,
                request_timeout_s=timeout_s,
                silence_timeout_s=max(5.0, settings["WEBSOCKET_TIMEOUT_SECONDS"]),
            )
        venue = KrakenUnifiedExecution(
            public_ws_url=target.ws_url, session=session, timeout_s=timeout_s
        )
        stack.push_async_callback(venue.close)
        instrument = await self.listed_instrument(venue, request, target)
        recorder = await self.start_recorder(
            request, stack, target, instrument, ws_url=redacted(target.ws_url)
        )
        feed = KrakenUnifiedFeed(
            [instrument.symbol],
            ws_url=target.ws_url,
            silence_timeout_s=settings["WEBSOCKET_TIMEOUT_SECONDS"],
            on_raw_frame=recorder.ws_frame if recorder is not None else None,
            on_connect=recorder.connected if recorder is not None else None,
        )
        fee_rate, fee_source = await self.account_fee(settings, target, instrument.symbol)
        dead_man = None
        if session is not None:
            dead_man = DeadMansSwitch(
                venue,
                timeout_s=settings["DEAD_MAN_TIMEOUT_SECONDS"],
                refresh_s=settings["DEAD_MAN_REFRESH_SECONDS"],
            )
        maintenance = KrakenUnifiedMaintenance(target.rest_url, timeout_s=timeout_s)
        stack.push_async_callback(maintenance.close)
        return self.connection(
            target,
            feed=feed,
            venue=venue,
            instrument=instrument,
            taker_fee_rate=fee_rate,
            taker_fee_source=fee_source,
            can_trade_live=session is not None,
            ws_url=target.ws_url,
            rest_url=target.rest_url,
            dead_man=dead_man,
            maintenance=maintenance,
            recorder=recorder,
        )

    async def account_fee(
        self, settings: Mapping[str, Any], target: Target, symbol: str
    ) -> tuple[Decimal, str]:
        """The account's taker rate from ``TradeVolume`` when there are keys, and where the rate
        came from; without keys, or when the call fails (one line), the fee setting."""
        setting = self.fee_rate(settings)
        credentials = target.credentials
        if credentials.missing:
            return setting, f"setting {self.fee_setting}, no keys"
        try:
            source = AccountFeeSource(
                target.rest_url,
                credentials.key,
                credentials.secret,
                key_setting=credentials.key_setting,
                secret_setting=credentials.secret_setting,
                timeout_s=settings["REST_TIMEOUT_SECONDS"],
            )
            fees = await source.fetch(symbol)
        except (VenueError, ValueError) as exc:
            log.warning("Kraken TradeVolume failed (%s); using %s", exc, self.fee_setting)
            return setting, f"setting {self.fee_setting}; TradeVolume failed: {exc}"
        if fees.unknown_fields:
            log.info("Kraken TradeVolume: %d unknown field(s) ignored", fees.unknown_fields)
        return fees.taker_rate, "account, TradeVolume"

    def replay_decoder(self, sink: FeedSink) -> KrakenUnifiedReplay:
        return KrakenUnifiedReplay(sink)

    def frame_parser(self, sink: FeedSink) -> UnifiedParser:
        return UnifiedParser(
            sink,
            UnifiedFeedStats(),
            depth=25,
            on_resync=lambda symbol, reason: None,
            on_status=lambda system: None,
        )

    def synthetic_frames(self, count: int, products: tuple[str, ...], seed: int) -> list[str]:
        from brokers.kraken_futures.unified import bench_frames  # noqa: PLC0415 - benchmarks only

        return bench_frames.synthetic_frames(count, products, seed)

    def book_products(self, frames: Sequence[str | bytes]) -> tuple[str, tuple[str, ...]]:
        from brokers.kraken_futures.unified import bench_frames  # noqa: PLC0415 - benchmarks only

        return bench_frames.book_products(frames)

    def sim_server(self, *, seed: int, rate_hz: float, edge: float) -> SimServer:
        from brokers.sim.kraken_unified import KrakenUnifiedSimServer  # noqa: PLC0415 - on demand

        return KrakenUnifiedSimServer(seed=seed, rate_hz=rate_hz, edge=edge)

    @property
    def sim_credentials(self) -> ApiCredentials:
        from brokers.sim.kraken_unified.auth import (  # noqa: PLC0415 - on demand
            SIM_UNIFIED_API_KEY,
            SIM_UNIFIED_API_SECRET,
        )

        return ApiCredentials(
            SecretStr(SIM_UNIFIED_API_KEY),
            SecretStr(SIM_UNIFIED_API_SECRET),
            "SIM_API_KEY",
            "SIM_API_SECRET",
        )


VENUE = KrakenUnified()
