"""Endpoints: the venue's hosts, the user's overrides, and the stream URL built on them."""

from __future__ import annotations

import pytest

from brokers.binance_us import PRODUCTION_REST_URL, PRODUCTION_WS_URL, BinanceUsEndpoints


def test_defaults_are_the_venue_hosts_and_the_stream_is_lower_case_depth_100ms() -> None:
    endpoints = BinanceUsEndpoints.with_overrides()
    assert endpoints.ws_url == PRODUCTION_WS_URL == "wss://stream.binance.us:9443"
    assert endpoints.rest_url == PRODUCTION_REST_URL == "https://api.binance.us"
    assert endpoints.stream_url(["BTCUSDT"]) == (
        "wss://stream.binance.us:9443/ws/btcusdt@depth@100ms"
    )


def test_several_symbols_use_one_combined_stream() -> None:
    endpoints = BinanceUsEndpoints.with_overrides(ws_url="ws://127.0.0.1:8081/")
    assert endpoints.stream_url(["BTCUSDT", "ETHUSDT", "BTCUSDT"]) == (
        "ws://127.0.0.1:8081/stream?streams=btcusdt@depth@100ms/ethusdt@depth@100ms"
    )


def test_overrides_are_hosts_and_a_path_prefix_is_kept() -> None:
    endpoints = BinanceUsEndpoints.with_overrides(
        ws_url="ws://proxy:9/binance", rest_url="http://127.0.0.1:8081"
    )
    assert endpoints.stream_url(["BTCUSDT"]) == "ws://proxy:9/binance/ws/btcusdt@depth@100ms"
    assert endpoints.rest_url == "http://127.0.0.1:8081"


@pytest.mark.parametrize(
    ("ws", "rest", "fragment"),
    [
        ("http://127.0.0.1:8081", None, "BINANCE_US_WS_URL must be a ws or wss URL"),
        ("ws://127.0.0.1:8081/ws", None, "the adapter appends /ws"),
        (None, "ws://127.0.0.1:8081", "BINANCE_US_REST_URL must be a http or https URL"),
        (None, "http://127.0.0.1:8081/api/v3", "the adapter appends /api/v3"),
    ],
)
def test_a_malformed_override_names_the_setting(
    ws: str | None, rest: str | None, fragment: str
) -> None:
    with pytest.raises(ValueError, match=fragment):
        BinanceUsEndpoints.with_overrides(ws_url=ws, rest_url=rest)
