"""Signing exactly as the docs' worked example, and the venue clock that avoids -1021."""

from __future__ import annotations

from brokers.binance_us import ServerClock, sign
from brokers.binance_us.rest_http import encode_params
from tests.brokers.binance_us.conftest import DOCS_QUERY, DOCS_SECRET, DOCS_SIGNATURE


def test_the_docs_signature_vector() -> None:
    assert sign(DOCS_SECRET, DOCS_QUERY) == DOCS_SIGNATURE


def test_mixed_query_and_body_sign_their_concatenation_without_a_separator() -> None:
    # The docs' "Example 3": query "…timeInForce=GTC", body "quantity=1&…": "GTCquantity".
    query = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
    body = "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
    expected = "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"
    assert sign(DOCS_SECRET, query + body) == expected
    assert sign(DOCS_SECRET, f"{query}&{body}") != expected


def test_parameters_are_encoded_in_the_order_given() -> None:
    params = [
        ("symbol", "LTCBTC"),
        ("side", "BUY"),
        ("type", "LIMIT"),
        ("timeInForce", "GTC"),
        ("quantity", "1"),
        ("price", "0.1"),
        ("recvWindow", "5000"),
        ("timestamp", "1499827319559"),
    ]
    assert encode_params(params) == DOCS_QUERY
    assert sign(DOCS_SECRET, encode_params(params)) == DOCS_SIGNATURE


def test_the_clock_offset_is_the_venue_time_at_the_middle_of_the_round_trip() -> None:
    local = [1_000_000]
    clock = ServerClock(local_ms=lambda: local[0], monotonic=lambda: 5.0)
    assert clock.age_s() is None
    # Sent at 1_000_000, answered at 1_000_040; the venue read 970_020 half-way: 30 s behind.
    offset = clock.observe(1_000_000, 970_020, 1_000_040)
    assert offset == -30_000
    local[0] = 1_000_100
    assert clock.now_ms() == 970_100
    assert clock.age_s() == 0.0
