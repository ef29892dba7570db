"""Signing: the docs' WebSocket challenge vector and REST vectors computed independently.

The REST vectors were computed with openssl from the docs' formula, not with this code:
  printf '%s' "$postData$nonce$endpointPath" | openssl dgst -sha256 -binary \
    | openssl dgst -sha512 -mac HMAC -macopt hexkey:<hex of base64-decoded secret> -binary | base64
(the same pipeline reproduces the docs' challenge vector, which checks the pipeline itself).
"""

from __future__ import annotations

import pytest

from brokers.kraken_futures.auth import (
    InvalidSecret,
    decode_secret,
    rest_authent,
    sign_challenge,
    signed_endpoint_path,
)
from tests.brokers.kraken_futures.conftest import DOCS_SECRET

DOCS_CHALLENGE = "c100b894-1729-464d-ace1-52dbce11db42"
DOCS_SIGNED_CHALLENGE = (
    "4JEpF3ix66GA2B+ooK128Ift4XQVtc137N9yeg4Kqsn9PI0Kpzbysl9M1IeCEdjg0zl00wkVqcsnG4bmnlMb3A=="
)
SENDORDER_POST_DATA = (
    "orderType=mkt&symbol=PF_XBTUSD&side=buy&size=0.0023&reduceOnly=false&cliOrdId=l2c-test-1"
)


def test_signed_challenge_matches_the_docs_example() -> None:
    assert sign_challenge(decode_secret(DOCS_SECRET), DOCS_CHALLENGE) == DOCS_SIGNED_CHALLENGE


def test_rest_authent_for_the_docs_orderbook_inputs() -> None:
    authent = rest_authent(
        decode_secret(DOCS_SECRET),
        post_data="symbol=fi_xbtusd_180615",
        nonce="1415957147987",
        endpoint_path="/api/v3/orderbook",
    )
    assert authent == (
        "JHLjN8OUDYaXjHRGT0z4nUvJorORrXoL9omot4BK5ihtp6jKHPHfzX9MrpVjqAgKqGJejoO3gySwoVCMJQlx/Q=="
    )


def test_rest_authent_for_a_sendorder_body_signs_the_path_without_derivatives() -> None:
    key = decode_secret(DOCS_SECRET)
    path = signed_endpoint_path("/derivatives/api/v3/sendorder")
    authent = rest_authent(
        key, post_data=SENDORDER_POST_DATA, nonce="1700000000000", endpoint_path=path
    )
    assert path == "/api/v3/sendorder"
    assert authent == (
        "peCbdoqIQq8f9Db/lCe9Y7ZRc7l5O6oYJF51Cn03c6OGXQ6JgfS2fUAVTnUBouYgjffu1lyfSIKFIyCwhHV9+A=="
    )
    # Signing the full request path (the classic mistake) gives a different, wrong value.
    wrong = rest_authent(
        key,
        post_data=SENDORDER_POST_DATA,
        nonce="1700000000000",
        endpoint_path="/derivatives/api/v3/sendorder",
    )
    assert wrong == (
        "nfNMJDNBe9Lc3x2m2ZlrLOy9rKUIBZF+IzrdnPUjP64sfmxaFDcowKWX94cFqq3y369Hz6LQvpi6uvU+NIuxHQ=="
    )


def test_rest_authent_without_nonce_or_parameters() -> None:
    authent = rest_authent(
        decode_secret(DOCS_SECRET), post_data="", nonce="", endpoint_path="/api/v3/openpositions"
    )
    assert authent == (
        "97NHlfPZy2jSPglkvI5ZaYjteN2sBRIK32YTyrR8Op+S0+TKyqJvZPeUuV0CQhcW0oq7DKYxq3B/Vq0H+PJGWQ=="
    )


def test_rest_authent_hashes_post_data_as_url_encoded() -> None:
    # The docs' 2024 change: hash "greeting=hello%20world", not the decoded "hello world".
    authent = rest_authent(
        decode_secret(DOCS_SECRET),
        post_data="greeting=hello%20world",
        nonce="",
        endpoint_path="/api/v3/orderbook",
    )
    assert authent == (
        "j8jiSC6eJTIKd5qaVW+EBocnYhzPZqexnrN/Drn4lu+IjkSxuJyuJKl9fFTglj1B/iWi+Z9Yh4UZJbAbVU/XyA=="
    )


@pytest.mark.parametrize(
    ("request_path", "signed"),
    [
        ("/derivatives/api/v3/sendorder", "/api/v3/sendorder"),
        ("/derivatives/api/v3/orders/status", "/api/v3/orders/status"),
        ("/api/v3/sendorder", "/api/v3/sendorder"),  # already without the prefix
        ("/derivativesx/api/v3/x", "/derivativesx/api/v3/x"),  # only the whole segment
    ],
)
def test_signed_endpoint_path_strips_only_a_leading_derivatives_segment(
    request_path: str, signed: str
) -> None:
    assert signed_endpoint_path(request_path) == signed


def test_a_secret_that_is_not_base64_is_refused_without_echoing_it() -> None:
    secret = "not base64 at all!"
    with pytest.raises(InvalidSecret) as caught:
        decode_secret(secret)
    assert secret not in str(caught.value)
