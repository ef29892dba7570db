from __future__ import annotations

import pytest

from brokers.kraken_futures import KrakenFuturesFeed, KrakenFuturesRest
from brokers.kraken_futures.urls import KrakenFuturesEndpoints, KrakenFuturesVenue, redacted


def test_demo_and_production_defaults_are_the_venues_own_urls() -> None:
    demo = KrakenFuturesEndpoints.for_venue(KrakenFuturesVenue.DEMO)
    production = KrakenFuturesEndpoints.for_venue(KrakenFuturesVenue.PRODUCTION)
    assert demo == KrakenFuturesEndpoints(
        ws_url="wss://demo-futures.kraken.com/ws/v1",
        rest_url="https://demo-futures.kraken.com/derivatives/api/v3",
    )
    assert production == KrakenFuturesEndpoints(
        ws_url="wss://futures.kraken.com/ws/v1",
        rest_url="https://futures.kraken.com/derivatives/api/v3",
    )


def test_overrides_replace_each_url_on_its_own() -> None:
    endpoints = KrakenFuturesEndpoints.for_venue(
        KrakenFuturesVenue.PRODUCTION, rest_url="http://127.0.0.1:8080/derivatives/api/v3/"
    )
    assert endpoints.ws_url == "wss://futures.kraken.com/ws/v1"
    assert endpoints.rest_url == "http://127.0.0.1:8080/derivatives/api/v3"
    endpoints = KrakenFuturesEndpoints.for_venue(
        KrakenFuturesVenue.DEMO, ws_url="ws://127.0.0.1:8080/ws/v1"
    )
    assert endpoints.ws_url == "ws://127.0.0.1:8080/ws/v1"
    assert endpoints.rest_url == "https://demo-futures.kraken.com/derivatives/api/v3"


@pytest.mark.parametrize(
    ("kwargs", "setting"),
    [
        ({"ws_url": "http://127.0.0.1:8080/ws/v1"}, "KRAKEN_FUTURES_WS_URL"),
        ({"rest_url": "ws://127.0.0.1:8080/derivatives/api/v3"}, "KRAKEN_FUTURES_REST_URL"),
        ({"rest_url": "127.0.0.1:8080"}, "KRAKEN_FUTURES_REST_URL"),
    ],
)
def test_a_malformed_override_is_a_one_line_error_naming_the_setting(
    kwargs: dict[str, str], setting: str
) -> None:
    with pytest.raises(ValueError, match=setting) as caught:
        KrakenFuturesEndpoints.for_venue(KrakenFuturesVenue.DEMO, **kwargs)
    assert "\n" not in str(caught.value)


def test_endpoints_are_frozen() -> None:
    endpoints = KrakenFuturesEndpoints.for_venue(KrakenFuturesVenue.DEMO)
    with pytest.raises(AttributeError):
        endpoints.ws_url = "ws://elsewhere"  # type: ignore[misc]


def test_urls_shown_to_people_carry_no_credentials() -> None:
    assert redacted("wss://bob:hunter2@proxy.example:8443/ws/v1?token=abc") == (
        "wss://proxy.example:8443/ws/v1"
    )
    feed = KrakenFuturesFeed(["PF_XBTUSD"], ws_url="ws://bob:hunter2@127.0.0.1:9/ws/v1")
    rest = KrakenFuturesRest(rest_url="http://bob:hunter2@127.0.0.1:9/derivatives/api/v3")
    for shown in (repr(feed), feed.ws_url, repr(rest)):
        assert "hunter2" not in shown and "bob" not in shown
