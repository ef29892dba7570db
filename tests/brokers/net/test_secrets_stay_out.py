"""The shared network layer shows URLs and clients without the secrets they may carry, for every
venue alike."""

from __future__ import annotations

import pytest

from brokers.binance_us import BinanceUsEndpoints, BinanceUsRest
from brokers.kraken_futures import KrakenFuturesRest

SECRET_URL = "https://user:hunter2@proxy.example:8443/prefix?token=s3cr3t"


@pytest.mark.parametrize("client", [KrakenFuturesRest, BinanceUsRest])
def test_a_rest_client_shows_neither_the_urls_credentials_nor_its_keys(client: type) -> None:
    rest = client(rest_url=SECRET_URL, api_key="KEY-abc", api_secret="c2VjcmV0")
    shown = repr(rest)
    assert "proxy.example:8443/prefix" in shown and "keys configured" in shown
    for secret in ("hunter2", "s3cr3t", "KEY-abc", "c2VjcmV0", "user:"):
        assert secret not in shown


@pytest.mark.parametrize("client", [KrakenFuturesRest, BinanceUsRest])
def test_a_bad_rest_url_is_refused_without_echoing_its_credentials(client: type) -> None:
    with pytest.raises(ValueError, match="REST URL must be http") as caught:
        client(rest_url="ftp://user:hunter2@host/x?token=s3cr3t")
    assert "hunter2" not in str(caught.value) and "s3cr3t" not in str(caught.value)


def test_a_bad_binance_override_is_refused_without_echoing_its_credentials() -> None:
    with pytest.raises(ValueError, match="BINANCE_US_REST_URL must be a host") as caught:
        BinanceUsEndpoints.with_overrides(rest_url="https://user:hunter2@host/x?token=s3cr3t")
    assert "hunter2" not in str(caught.value) and "s3cr3t" not in str(caught.value)
