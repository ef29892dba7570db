"""How the venue's answers and failures become ``VenueError``s; secrets never leak."""

from __future__ import annotations

import asyncio
import socket
from decimal import Decimal

import pytest
from pydantic import SecretStr

from brokers.kraken_futures.errors import VenueAnswerLost
from brokers.kraken_futures.rest import KrakenFuturesRest
from brokers.kraken_futures.rest_http import checked_answer, encode_params
from core.enums import OrderStatus, Side
from core.ports import OrderRequest, VenueError, VenueUnreachable
from tests.brokers.kraken_futures.conftest import DOCS_SECRET

HINT = "KRAKEN_DEMO_API_KEY and KRAKEN_DEMO_API_SECRET"


def test_success_returns_the_body() -> None:
    body = b'{"result":"success","openPositions":[]}'
    assert checked_answer("openpositions", 200, body) == body


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        ("apiLimitExceeded", True),
        ("Server Error", True),
        ("Unavailable", True),
        ("nonceBelowThreshold", True),
        ("invalidArgument", False),
        ("requiredArgumentMissing", False),
        ("accountInactive", False),
        ("authenticationError", False),
    ],
)
def test_venue_error_strings_set_retryable(error: str, retryable: bool) -> None:
    body = f'{{"result":"error","serverTime":"2016-02-25T09:45:53.818Z","error":"{error}"}}'
    with pytest.raises(VenueError) as caught:
        checked_answer("sendorder", 200, body.encode(), credentials_hint=HINT)
    assert caught.value.retryable is retryable
    assert caught.value.code == error
    message = str(caught.value)
    assert message.startswith("Kraken Futures sendorder: ") and "\n" not in message
    assert (HINT in message) is (error == "authenticationError")


def test_error_list_form_is_read_too() -> None:
    with pytest.raises(VenueError, match="invalidArgument"):
        checked_answer("sendorder", 200, b'{"result":"error","errors":["invalidArgument"]}')


@pytest.mark.parametrize("status", [401, 403])
def test_http_auth_failures_name_the_settings(status: int) -> None:
    with pytest.raises(VenueError) as caught:
        checked_answer("accounts", status, b"Forbidden", credentials_hint=HINT)
    assert not caught.value.retryable
    assert caught.value.code == "authenticationError"
    assert HINT in str(caught.value)


def test_rate_limit_is_retryable() -> None:
    with pytest.raises(VenueError) as caught:
        checked_answer("sendorder", 429, b"")
    assert caught.value.retryable and caught.value.code == "http_429"
    assert not isinstance(caught.value, VenueAnswerLost)  # 429: the venue did not act


@pytest.mark.parametrize(("status", "body"), [(500, b"oops"), (503, b""), (200, b"<html>")])
def test_server_errors_and_garbled_answers_lose_the_answer(status: int, body: bytes) -> None:
    with pytest.raises(VenueAnswerLost) as caught:
        checked_answer("sendorder", status, body)
    assert caught.value.retryable
    assert isinstance(caught.value, VenueUnreachable)


def test_parameters_are_percent_encoded_in_order() -> None:
    assert encode_params([("symbol", "PF_XBTUSD"), ("greeting", "hello world"), ("a", "1/2")]) == (
        "symbol=PF_XBTUSD&greeting=hello%20world&a=1%2F2"
    )


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_an_unreachable_venue_is_one_clear_retryable_error() -> None:
    rest = KrakenFuturesRest(rest_url=f"http://127.0.0.1:{closed_port()}/derivatives/api/v3")
    try:
        with pytest.raises(VenueUnreachable) as caught:
            await rest.instruments()
        assert caught.value.retryable
        assert "unreachable at 127.0.0.1" in str(caught.value)
        assert not isinstance(caught.value, VenueAnswerLost)  # nothing was sent
    finally:
        await rest.close()


async def test_signed_calls_without_keys_say_which_settings_are_missing() -> None:
    rest = KrakenFuturesRest(
        rest_url=f"http://127.0.0.1:{closed_port()}/derivatives/api/v3",
        key_setting="KRAKEN_DEMO_API_KEY",
        secret_setting="KRAKEN_DEMO_API_SECRET",
    )
    try:
        with pytest.raises(VenueError, match=HINT) as caught:
            await rest.open_positions()
        assert caught.value.code == "missing_credentials"
        with pytest.raises(VenueError, match="not configured"):
            await rest.place_order(OrderRequest("c1", "PF_XBTUSD", Side.BUY, Decimal(1)))
    finally:
        await rest.close()


async def test_a_malformed_secret_is_reported_by_setting_name_only() -> None:
    secret = "this is not base64 ###"
    rest = KrakenFuturesRest(
        rest_url=f"http://127.0.0.1:{closed_port()}/derivatives/api/v3",
        api_key="public-key",
        api_secret=SecretStr(secret),
        secret_setting="KRAKEN_DEMO_API_SECRET",
    )
    try:
        with pytest.raises(VenueError, match="KRAKEN_DEMO_API_SECRET") as caught:
            await rest.open_positions()
        assert secret not in str(caught.value)
    finally:
        await rest.close()


def test_secrets_never_appear_in_repr() -> None:
    rest = KrakenFuturesRest(
        rest_url="https://demo-futures.kraken.com/derivatives/api/v3",
        api_key="my-public-key",
        api_secret=DOCS_SECRET,
    )
    text = repr(rest)
    assert DOCS_SECRET not in text and "my-public-key" not in text
    assert "configured" in text


async def test_a_venue_that_takes_the_order_and_never_answers_leaves_it_unknown() -> None:
    # A silent peer on 127.0.0.1: it accepts the request and never answers (the sim server
    # has no knob for a hung REST call yet).
    received = bytearray()

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while chunk := await reader.read(65536):  # until the client gives up and closes
            received.extend(chunk)
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    rest = KrakenFuturesRest(
        rest_url=f"http://127.0.0.1:{port}/derivatives/api/v3",
        api_key="k",
        api_secret=DOCS_SECRET,
        timeout_s=0.3,
    )
    try:
        result = await rest.place_order(OrderRequest("c-1", "PF_XBTUSD", Side.BUY, Decimal(1)))
        assert result.status is OrderStatus.UNKNOWN
        assert "no answer within 0.3 s" in result.reason
        assert b"cliOrdId=c-1" in received  # the order did leave
        with pytest.raises(VenueAnswerLost) as caught:
            await rest.open_positions()
        assert caught.value.code == "timeout" and caught.value.retryable
    finally:
        await rest.close()
        server.close()
        await server.wait_closed()
