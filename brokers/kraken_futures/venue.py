"""Kraken Futures as the registry knows it (``kraken``): its facts and its factories.

``KRAKEN_PROTOCOL`` picks the protocol: ``unified`` (the default) opens Kraken's Unified
WebSocket (``brokers.kraken_futures.unified.venue``, the registry's ``kraken_unified``); ``v1``
the Derivatives WebSocket v1 and REST v3 below, which Kraken decommissions on 1 March 2027: from
that day (by ``today``, a clock tests inject) starting on v1 is refused with one line. Recordings
made with v1 replay forever.

There is no demo any more (Kraken retired the Futures demo on 14 July 2026): live trading is real
money with ``KRAKEN_API_KEY``/``_SECRET``; dry-run and paper need no keys.
``KRAKEN_FUTURES_WS_URL``/``_REST_URL`` point the v1 adapter elsewhere (a proxy, ``l2console
sim --protocol kraken``). With keys, the dead-man's switch is armed for live trading.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from pydantic import SecretStr

from brokers import registry
from brokers.kraken_futures.dead_man import DeadMansSwitch
from brokers.kraken_futures.feed import KrakenFuturesFeed
from brokers.kraken_futures.maintenance import KrakenFuturesMaintenance
from brokers.kraken_futures.parse import FrameParser
from brokers.kraken_futures.replay import KrakenFuturesReplay
from brokers.kraken_futures.rest import KrakenFuturesRest
from brokers.kraken_futures.unified.venue import UNIFIED_SETTINGS
from brokers.kraken_futures.urls import (
    DEMO_RETIRED,
    REHEARSAL,
    KrakenFuturesEndpoints,
    KrakenFuturesVenue,
    redacted,
)
from brokers.venue import (
    ApiCredentials,
    SimServer,
    Target,
    VenueConnection,
    VenueRequest,
    VenueSetupError,
    VenueSpec,
)
from core.ports import FeedSink

PRODUCTION_KEYS = ("KRAKEN_API_KEY", "KRAKEN_API_SECRET")
V1_DECOMMISSIONED = date(2027, 3, 1)
V1_REFUSED = (
    "Kraken decommissioned the Derivatives WebSocket v1 and REST v3 on 1 March 2027: "
    "set KRAKEN_PROTOCOL=unified (the default) to use the Unified WebSocket"
)
UNIFIED_VENUE = "kraken_unified"


def utc_today() -> date:
    return datetime.now(UTC).date()


class KrakenFutures(VenueSpec):
    name = "kraken"
    title = "Kraken Futures"
    banner_name = "Kraken"
    default_symbol = "PF_XBTUSD"
    long_only = False
    has_demo = False  # the Futures demo was retired on 14 July 2026: live is real money
    rehearsal_note = f"{DEMO_RETIRED}; {REHEARSAL}"
    fee_setting = "KRAKEN_TAKER_FEE_BPS"
    ws_url_setting = "KRAKEN_FUTURES_WS_URL"
    rest_url_setting = "KRAKEN_FUTURES_REST_URL"
    real_money_keys = PRODUCTION_KEYS
    settings = tuple(
        dict.fromkeys((*UNIFIED_SETTINGS, ws_url_setting, rest_url_setting, "KRAKEN_PROTOCOL"))
    )
    sim_port = 8080

    def __init__(self, today: Callable[[], date] = utc_today) -> None:
        self.today = today

    def check_protocol(self, protocol: str) -> None:
        """``VenueSetupError`` (one line) for v1 on or after its decommissioning day."""
        if protocol == "v1" and self.today() >= V1_DECOMMISSIONED:
            raise VenueSetupError(V1_REFUSED)

    async def open(
        self, request: VenueRequest, stack: contextlib.AsyncExitStack
    ) -> VenueConnection:
        settings = request.settings
        protocol = settings.get("KRAKEN_PROTOCOL") or "unified"
        if protocol == "unified":
            return await registry.venue(UNIFIED_VENUE).open(request, stack)
        self.check_protocol(protocol)
        ws_override = settings[self.ws_url_setting]
        try:
            endpoints = KrakenFuturesEndpoints.for_venue(
                KrakenFuturesVenue.PRODUCTION,
                ws_url=ws_override,
                rest_url=settings[self.rest_url_setting],
            )
        except ValueError as exc:
            raise VenueSetupError(str(exc)) from None
        credentials = ApiCredentials.from_settings(settings, *PRODUCTION_KEYS)
        if request.live and credentials.missing:
            raise VenueSetupError(
                "live trading on Kraken Futures (real money) needs "
                f"{' and '.join(credentials.missing)} in .env"
            )
        target = Target(
            ws_url=endpoints.ws_url,
            rest_url=endpoints.rest_url,
            credentials=credentials,
            venue_name="Kraken Futures v1",
            environment="custom endpoint" if ws_override else "production",
        )
        return await self.connect(request, stack, target)

    async def connect(
        self, request: VenueRequest, stack: contextlib.AsyncExitStack, target: Target
    ) -> VenueConnection:
        settings = request.settings
        credentials = target.credentials
        rest = KrakenFuturesRest(
            rest_url=target.rest_url,
            api_key=credentials.key,
            api_secret=credentials.secret,
            key_setting=credentials.key_setting,
            secret_setting=credentials.secret_setting,
            timeout_s=settings["REST_TIMEOUT_SECONDS"],
        )
        stack.push_async_callback(rest.close)
        instrument = await self.listed_instrument(rest, request, target)
        recorder = await self.start_recorder(
            request, stack, target, instrument, ws_url=redacted(target.ws_url)
        )
        feed = KrakenFuturesFeed(
            [instrument.symbol],
            ws_url=target.ws_url,
            silence_timeout_s=settings["WEBSOCKET_TIMEOUT_SECONDS"],
            on_raw_frame=recorder.ws_frame if recorder is not None else None,
        )
        return self.connection(
            target,
            feed=feed,
            venue=rest,
            instrument=instrument,
            taker_fee_rate=self.fee_rate(settings),
            can_trade_live=not credentials.missing,
            ws_url=target.ws_url,
            rest_url=target.rest_url,
            dead_man=None
            if credentials.missing
            else DeadMansSwitch(
                rest,
                timeout_s=settings["DEAD_MAN_TIMEOUT_SECONDS"],
                refresh_s=settings["DEAD_MAN_REFRESH_SECONDS"],
            ),
            recorder=recorder,
            maintenance=KrakenFuturesMaintenance(rest.http),
        )

    def replay_decoder(self, sink: FeedSink) -> KrakenFuturesReplay:
        return KrakenFuturesReplay(sink)

    def frame_parser(self, sink: FeedSink) -> FrameParser:
        return FrameParser(sink)

    def synthetic_frames(self, count: int, products: tuple[str, ...], seed: int) -> list[str]:
        from brokers.kraken_futures import bench_frames  # noqa: PLC0415 - benchmarks only

        return bench_frames.synthetic_frames(count, products, seed)

    def book_products(self, frames: Sequence[str | bytes]) -> tuple[str, tuple[str, ...]]:
        from brokers.kraken_futures import bench_frames  # noqa: PLC0415 - benchmarks only

        return bench_frames.book_products(frames)

    def sim_server(self, *, seed: int, rate_hz: float, edge: float) -> SimServer:
        from brokers.sim.kraken_futures import KrakenFuturesSimServer  # noqa: PLC0415 - on demand

        return KrakenFuturesSimServer(seed=seed, rate_hz=rate_hz, edge=edge)

    @property
    def sim_credentials(self) -> ApiCredentials:
        from brokers.sim.kraken_futures import SIM_API_KEY, SIM_API_SECRET  # noqa: PLC0415

        return ApiCredentials(
            SecretStr(SIM_API_KEY), SecretStr(SIM_API_SECRET), "SIM_API_KEY", "SIM_API_SECRET"
        )


VENUE = KrakenFutures()
