"""Composition root for venues: settings + options in, connected adapters out.

Everything that can go wrong at start-up for a user-facing reason (missing keys, a symbol the
venue does not list, a venue that cannot be reached, live real money without the explicit flag)
becomes one ``StartupError`` line, which the CLI prints and exits 2 on.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pydantic import SecretStr

from brokers.binance_us import BinanceUsEndpoints, BinanceUsFeed, BinanceUsRest
from brokers.kraken_futures import (
    KrakenFuturesEndpoints,
    KrakenFuturesFeed,
    KrakenFuturesRest,
    KrakenFuturesVenue,
)
from brokers.kraken_futures.urls import redacted
from brokers.recording import FrameRecorder, RecordingError, RecordingHeader
from brokers.sim import SIM_API_KEY, SIM_API_SECRET, KrakenFuturesSimServer
from console.options import Broker, RunOptions
from console.settings import ApiCredentials, Settings
from core.enums import Mode
from core.instrument import Instrument
from core.ports import ExecutionVenue, MarketFeed, VenueError, VenueUnreachable

log = logging.getLogger(__name__)


class StartupError(Exception):
    """Why the run cannot start, in one line for the user."""


@dataclass(frozen=True, slots=True)
class VenueConnection:
    venue_name: str  # shown in the status bar and the summary
    banner_name: str  # "Kraken" in "Kraken L2 Demo initialized"
    feed: MarketFeed
    venue: ExecutionVenue  # instruments and, when keys are present, orders
    instrument: Instrument
    taker_fee_rate: Decimal
    long_only: bool
    can_trade_live: bool  # keys present for this venue/environment
    ws_url: str
    rest_url: str
    recorder: FrameRecorder | None = None  # ``--record``: every raw frame goes to a file


BPS = Decimal(10_000)


async def open_venue(
    options: RunOptions, settings: Settings, stack: contextlib.AsyncExitStack
) -> VenueConnection:
    """Start (for the sim) and connect to the venue; everything opened is closed by ``stack``."""
    if options.mode is Mode.LIVE and options.real_money and not options.real_money_ack:
        raise StartupError(
            "refusing to trade real money: add --i-understand-this-is-real-money "
            "(start with --dry-run, then --paper; real money only on purpose)"
        )
    if options.record_path is not None and options.record_path.exists():
        raise StartupError(
            f"{options.record_path} already exists: choose another file to record to"
        )
    if options.broker is Broker.BINANCE_US:
        return await _open_binance(options, settings, stack)
    if options.broker is Broker.SIM:
        return await _open_sim(options, settings, stack)
    return await _open_kraken(options, settings, stack)


async def _open_sim(
    options: RunOptions, settings: Settings, stack: contextlib.AsyncExitStack
) -> VenueConnection:
    server = KrakenFuturesSimServer(
        seed=settings.sim_seed if options.seed is None else options.seed,
        rate_hz=settings.sim_rate_hz,
        edge=settings.sim_edge,
    )
    await server.start(host="127.0.0.1", port=0)
    stack.push_async_callback(server.stop)
    return await _connect_kraken(
        options,
        settings,
        stack,
        ws_url=server.ws_url,
        rest_url=server.rest_url,
        credentials=ApiCredentials(
            SecretStr(SIM_API_KEY), SecretStr(SIM_API_SECRET), "SIM_API_KEY", "SIM_API_SECRET"
        ),
        venue_name="Kraken Futures (simulated)",
        environment="sim",
    )


async def _open_kraken(
    options: RunOptions, settings: Settings, stack: contextlib.AsyncExitStack
) -> VenueConnection:
    # Orders must fill in the book the strategy watches: live trading uses the demo (or, with
    # --production, the production) venue for both. Dry-run and paper need no keys and watch
    # the production market, the only book worth validating a strategy on.
    demo = options.mode is Mode.LIVE and not options.production
    try:
        endpoints = KrakenFuturesEndpoints.for_venue(
            KrakenFuturesVenue.DEMO if demo else KrakenFuturesVenue.PRODUCTION,
            ws_url=settings.kraken_futures_ws_url,
            rest_url=settings.kraken_futures_rest_url,
        )
    except ValueError as exc:
        raise StartupError(str(exc)) from None
    credentials = settings.kraken_credentials(production=not demo)
    if options.mode is Mode.LIVE and credentials.missing:
        where = "the Kraken Futures demo" if demo else "Kraken Futures (production)"
        raise StartupError(
            f"live trading on {where} needs {' and '.join(credentials.missing)} in .env"
        )
    return await _connect_kraken(
        options,
        settings,
        stack,
        ws_url=endpoints.ws_url,
        rest_url=endpoints.rest_url,
        credentials=credentials,
        venue_name="Kraken Futures demo" if demo else "Kraken Futures",
        environment=(
            "custom endpoint"
            if settings.kraken_futures_ws_url
            else ("demo" if demo else "production")
        ),
    )


async def _connect_kraken(
    options: RunOptions,
    settings: Settings,
    stack: contextlib.AsyncExitStack,
    *,
    ws_url: str,
    rest_url: str,
    credentials: ApiCredentials,
    venue_name: str,
    environment: str,
) -> VenueConnection:
    rest = KrakenFuturesRest(
        rest_url=rest_url,
        api_key=credentials.key,
        api_secret=credentials.secret,
        key_setting=credentials.key_setting,
        secret_setting=credentials.secret_setting,
    )
    stack.push_async_callback(rest.close)
    instruments = await _instruments(rest, venue_name, rest_url)
    instrument = _pick_symbol(instruments, options.symbol, venue_name)
    recorder = await _start_recorder(
        options,
        stack,
        venue="kraken_futures",
        environment=environment,
        venue_name=venue_name,
        instrument=instrument,
        ws_url=redacted(ws_url),
    )
    feed = KrakenFuturesFeed(
        [instrument.symbol],
        ws_url=ws_url,
        silence_timeout_s=settings.websocket_timeout_seconds,
        on_raw_frame=recorder.ws_frame if recorder is not None else None,
    )
    return VenueConnection(
        venue_name=venue_name,
        banner_name="Kraken",
        feed=feed,
        venue=rest,
        instrument=instrument,
        taker_fee_rate=settings.kraken_taker_fee_bps / BPS,
        long_only=False,
        can_trade_live=not credentials.missing,
        ws_url=ws_url,
        rest_url=rest_url,
        recorder=recorder,
    )


async def _start_recorder(
    options: RunOptions,
    stack: contextlib.AsyncExitStack,
    *,
    venue: str,
    environment: str,
    venue_name: str,
    instrument: Instrument,
    ws_url: str,
    long_only: bool = False,
) -> FrameRecorder | None:
    """``--record FILE``: a started recorder (closed by ``stack``), else None."""
    if options.record_path is None:
        return None
    header = RecordingHeader(
        venue=venue,
        environment=environment,
        venue_name=venue_name,
        products=(instrument.symbol,),
        instrument=instrument,
        recording_id=str(time.time_ns()),
        started_wall_ns=time.time_ns(),
        ws_url=ws_url,
        extra={"long_only": long_only},
    )
    recorder = FrameRecorder(options.record_path, rotate_bytes=options.record_rotate_bytes)
    try:
        await recorder.start(header)
    except RecordingError as exc:
        raise StartupError(f"cannot record: {exc}") from None
    stack.push_async_callback(recorder.close)
    return recorder


async def _open_binance(
    options: RunOptions, settings: Settings, stack: contextlib.AsyncExitStack
) -> VenueConnection:
    """Binance.us spot: long only, and every live order is real money (there is no testnet).

    The endpoints may be overridden (``BINANCE_US_WS_URL``/``BINANCE_US_REST_URL``, e.g. towards
    ``l2console sim --protocol binance_us``). Live runs check the keys with ``GET /api/v3/account``
    before anything else and take the taker rate from the account (``trading-fee``); a session
    can only ever send orders when it was started with the real-money flag.
    """
    venue_name = "Binance.us"
    try:
        endpoints = BinanceUsEndpoints.with_overrides(
            ws_url=settings.binance_us_ws_url, rest_url=settings.binance_us_rest_url
        )
    except ValueError as exc:
        raise StartupError(str(exc)) from None
    credentials = settings.binance_us_credentials
    live = options.mode is Mode.LIVE
    if live and credentials.missing:
        raise StartupError(
            f"live trading on Binance.us (real money) needs {' and '.join(credentials.missing)} "
            "in .env"
        )
    fee_rate = settings.binance_us_taker_fee_bps / BPS
    rest = BinanceUsRest(
        rest_url=endpoints.rest_url,
        api_key=credentials.key,
        api_secret=credentials.secret,
        symbols=(options.symbol,),
        commission_estimate_rate=fee_rate,
        key_setting=credentials.key_setting,
        secret_setting=credentials.secret_setting,
    )
    stack.push_async_callback(rest.close)
    instruments = await _instruments(rest, venue_name, endpoints.rest_url)
    instrument = _pick_symbol(instruments, options.symbol, venue_name)
    if live:
        fee_rate = await _binance_account_checks(rest, instrument.symbol, fee_rate)
    environment = "production" if settings.binance_us_ws_url is None else "custom endpoint"
    stream_url = endpoints.stream_url((instrument.symbol,))
    recorder = await _start_recorder(
        options,
        stack,
        venue="binance_us",
        environment=environment,
        venue_name=venue_name,
        instrument=instrument,
        ws_url=stream_url,
        long_only=True,
    )
    if recorder is not None:
        rest.on_depth_body = recorder.rest_snapshot
    feed = BinanceUsFeed(
        [instrument.symbol],
        endpoints=endpoints,
        snapshots=rest,
        pong_timeout_s=settings.websocket_timeout_seconds,
        on_raw_frame=recorder.ws_frame if recorder is not None else None,
        on_connect=recorder.connected if recorder is not None else None,
    )
    return VenueConnection(
        venue_name=venue_name,
        banner_name="Binance.us",
        feed=feed,
        venue=rest,
        instrument=instrument,
        taker_fee_rate=fee_rate,
        long_only=True,
        # Real money only on purpose: no switching a dry run or paper session to live later.
        can_trade_live=not credentials.missing and options.real_money_ack,
        ws_url=feed.url,
        rest_url=endpoints.rest_url,
        recorder=recorder,
    )


async def _binance_account_checks(rest: BinanceUsRest, symbol: str, fee_rate: Decimal) -> Decimal:
    """The keys work (or one line why not); the account's own taker rate when it tells it."""
    try:
        await rest.account()
    except VenueUnreachable as exc:
        raise StartupError(f"cannot reach Binance.us: {exc}") from None
    except VenueError as exc:
        raise StartupError(f"Binance.us refused the account check: {exc}") from None
    try:
        rate = await rest.taker_fee_rate(symbol)
    except VenueError as exc:
        log.warning("Binance.us trading-fee not available (%s); using the configured rate", exc)
        return fee_rate
    return fee_rate if rate is None else rate


async def _instruments(
    venue: ExecutionVenue, venue_name: str, url: str
) -> Mapping[str, Instrument]:
    try:
        return await venue.instruments()
    except VenueUnreachable as exc:
        raise StartupError(f"cannot reach {venue_name} at {url}: {exc}") from None
    except VenueError as exc:
        raise StartupError(f"{venue_name} refused the instrument list: {exc}") from None


def _pick_symbol(instruments: Mapping[str, Instrument], symbol: str, venue_name: str) -> Instrument:
    instrument = instruments.get(symbol.upper())
    if instrument is None:
        listed = ", ".join(sorted(instruments)[:8])
        raise StartupError(f"{symbol} is not listed by {venue_name} (listed: {listed}, ...)")
    if not instrument.tradeable:
        raise StartupError(f"{instrument.symbol} is listed by {venue_name} but not tradeable now")
    return instrument
