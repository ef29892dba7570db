"""The Spot REST envelope every Unified REST caller reads (token, fees, system status)."""

from __future__ import annotations

import orjson
import pytest

from brokers.kraken_futures.unified.spot_rest import read_result
from core.ports import VenueError


def test_the_result_object_is_returned() -> None:
    body = orjson.dumps({"error": [], "result": {"status": "online"}})
    assert read_result(body, 200, "SystemStatus") == {"status": "online"}


@pytest.mark.parametrize(
    ("body", "words", "code", "retryable"),
    [
        (b"<html>502 Bad Gateway</html>", "unreadable answer (HTTP 502)", "bad_answer", True),
        (b"[1, 2]", "unreadable answer (HTTP 502)", "bad_answer", True),
        (b'{"error": ["EService:Unavailable"]}', "refused: EService:Unavailable", "EService", True),
        (
            b'{"error": ["EGeneral:Invalid arguments"]}',
            "refused: EGeneral:Invalid",
            "EGeneral",
            False,
        ),
        (
            b'{"error": "EAPI:Rate limit exceeded"}',
            "refused: EAPI:Rate limit exceeded",
            "EAPI",
            False,
        ),
        (b'{"error": [], "result": []}', "no result in the answer", "bad_answer", False),
    ],
)
def test_an_answer_without_a_result_is_one_line(
    body: bytes, words: str, code: str, retryable: bool
) -> None:
    with pytest.raises(VenueError) as refused:
        read_result(body, 502, "TradeVolume")
    message = str(refused.value)
    assert message.startswith("Kraken TradeVolume") and words in message and "\n" not in message
    assert (refused.value.code, refused.value.retryable) == (code, retryable)


def test_a_refused_key_says_where_the_keys_are_set_and_nothing_else_does() -> None:
    hint = "KRAKEN_API_KEY / KRAKEN_API_SECRET in .env"
    with pytest.raises(VenueError) as refused:
        read_result(b'{"error": ["EAPI:Invalid key"]}', 200, "GetWebSocketsToken", keys_hint=hint)
    assert str(refused.value).endswith(f"refused: EAPI:Invalid key; check {hint}")
    with pytest.raises(VenueError) as busy:
        read_result(b'{"error": ["EService:Busy"]}', 200, "GetWebSocketsToken", keys_hint=hint)
    assert "check" not in str(busy.value)
