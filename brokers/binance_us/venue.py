"""Binance.us spot as the registry knows it (``binance_us``): its facts and its factories.

Long only, and every live order is real money (there is no testnet): a session can only ever
send orders when it was started with the real-money flag. Keys: ``BINANCE_US_API_KEY``/
``_SECRET``; ``BINANCE_US_WS_URL``/``_REST_URL`` point the adapter elsewhere (e.g. towards
``l2console sim --protocol binance_us``). Live runs check the keys with ``GET /api/v3/account``
before anything else and take the taker rate from the account (``trading-fee``).
"""

from __future__ import annotations

import contextlib
import logging
from decimal import Decimal

from pydantic import SecretStr

from brokers.binance_us.feed import BinanceUsFeed
from brokers.binance_us.maintenance import BinanceUsMaintenance
from brokers.binance_us.parse import DepthParser
from brokers.binance_us.replay import BinanceUsReplay
from brokers.binance_us.rest import BinanceUsRest
from brokers.binance_us.urls import BinanceUsEndpoints
from brokers.venue import (
    ApiCredentials,
    SimServer,
    Target,
    VenueConnection,
    VenueRequest,
    VenueSetupError,
    VenueSpec,
)
from core.ports import FeedSink, VenueError, VenueUnreachable

log = logging.getLogger(__name__)

KEYS = ("BINANCE_US_API_KEY", "BINANCE_US_API_SECRET")


class BinanceUs(VenueSpec):
    name = "binance_us"
    title = "Binance.us"
    banner_name = "Binance.us"
    default_symbol = "BTCUSDT"
    long_only = True
    fee_setting = "BINANCE_US_TAKER_FEE_BPS"
    ws_url_setting = "BINANCE_US_WS_URL"
    rest_url_setting = "BINANCE_US_REST_URL"
    settings = (
        *KEYS,
        ws_url_setting,
        rest_url_setting,
        fee_setting,
        "REST_TIMEOUT_SECONDS",
        "WEBSOCKET_TIMEOUT_SECONDS",
    )
    real_money_keys = KEYS
    sim_port = 8081

    async def open(
        self, request: VenueRequest, stack: contextlib.AsyncExitStack
    ) -> VenueConnection:
        settings = request.settings
        ws_override = settings[self.ws_url_setting]
        try:
            endpoints = BinanceUsEndpoints.with_overrides(
                ws_url=ws_override, rest_url=settings[self.rest_url_setting]
            )
        except ValueError as exc:
            raise VenueSetupError(str(exc)) from None
        credentials = ApiCredentials.from_settings(settings, *KEYS)
        if request.live and credentials.missing:
            raise VenueSetupError(
                f"live trading on Binance.us (real money) needs "
                f"{' and '.join(credentials.missing)} in .env"
            )
        target = Target(
            ws_url=endpoints.ws_url,
            rest_url=endpoints.rest_url,
            credentials=credentials,
            venue_name=self.title,
            environment="production" if ws_override is None else "custom endpoint",
        )
        return await self.connect(request, stack, target)

    async def connect(
        self, request: VenueRequest, stack: contextlib.AsyncExitStack, target: Target
    ) -> VenueConnection:
        settings = request.settings
        endpoints = BinanceUsEndpoints(ws_url=target.ws_url, rest_url=target.rest_url)
        credentials = target.credentials
        fee_rate = self.fee_rate(settings)
        rest = BinanceUsRest(
            rest_url=endpoints.rest_url,
            api_key=credentials.key,
            api_secret=credentials.secret,
            symbols=(request.symbol,),
            commission_estimate_rate=fee_rate,
            key_setting=credentials.key_setting,
            secret_setting=credentials.secret_setting,
            timeout_s=settings["REST_TIMEOUT_SECONDS"],
        )
        stack.push_async_callback(rest.close)
        instrument = await self.listed_instrument(rest, request, target)
        fee_source = ""  # the setting
        if request.live:
            fee_rate, fee_source = await _account_checks(rest, instrument.symbol, fee_rate)
        stream_url = endpoints.stream_url((instrument.symbol,))
        recorder = await self.start_recorder(request, stack, target, instrument, ws_url=stream_url)
        if recorder is not None:
            rest.on_depth_body = recorder.rest_snapshot
        timeout_s = settings["WEBSOCKET_TIMEOUT_SECONDS"]
        feed = BinanceUsFeed(
            [instrument.symbol],
            endpoints=endpoints,
            snapshots=rest,
            # A half-open socket is found within 1.5 x WEBSOCKET_TIMEOUT_SECONDS at worst.
            ping_interval_s=min(5.0, timeout_s / 2),
            pong_timeout_s=timeout_s,
            on_raw_frame=recorder.ws_frame if recorder is not None else None,
            on_connect=recorder.connected if recorder is not None else None,
        )
        return self.connection(
            target,
            feed=feed,
            venue=rest,
            instrument=instrument,
            taker_fee_rate=fee_rate,
            taker_fee_source=fee_source,
            # Real money only on purpose: no switching a dry run or paper session to live later.
            can_trade_live=not credentials.missing and request.real_money_ack,
            ws_url=feed.url,
            rest_url=endpoints.rest_url,
            recorder=recorder,
            spot_holdings=rest,
            maintenance=None if credentials.missing else BinanceUsMaintenance(rest.http),
        )

    def replay_decoder(self, sink: FeedSink) -> BinanceUsReplay:
        return BinanceUsReplay(sink)

    def frame_parser(self, sink: FeedSink) -> DepthParser:
        return DepthParser(sink)

    def sim_server(self, *, seed: int, rate_hz: float, edge: float) -> SimServer:
        from brokers.sim.binance_us import BinanceUsSimServer  # noqa: PLC0415 - on demand

        return BinanceUsSimServer(seed=seed, rate_hz=rate_hz, edge=edge)

    @property
    def sim_credentials(self) -> ApiCredentials:
        from brokers.sim.binance_us import BINANCE_SIM_API_KEY, BINANCE_SIM_API_SECRET  # noqa: PLC0415

        return ApiCredentials(
            SecretStr(BINANCE_SIM_API_KEY),
            SecretStr(BINANCE_SIM_API_SECRET),
            "BINANCE_SIM_API_KEY",
            "BINANCE_SIM_API_SECRET",
        )


async def _account_checks(
    rest: BinanceUsRest, symbol: str, fee_rate: Decimal
) -> tuple[Decimal, str]:
    """The keys work (or one line why not); the account's own taker rate when it tells it, and
    where the rate came from ("" for the setting)."""
    try:
        await rest.account()
    except VenueUnreachable as exc:
        raise VenueSetupError(f"cannot reach Binance.us: {exc}") from None
    except VenueError as exc:
        raise VenueSetupError(f"Binance.us refused the account check: {exc}") from None
    try:
        rate = await rest.taker_fee_rate(symbol)
    except VenueError as exc:
        log.warning("Binance.us trading-fee not available (%s); using the configured rate", exc)
        return fee_rate, f"setting BINANCE_US_TAKER_FEE_BPS; trading-fee failed: {exc}"
    return (fee_rate, "") if rate is None else (rate, "account, trading-fee")


VENUE = BinanceUs()
