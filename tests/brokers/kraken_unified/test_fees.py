"""``TradeVolume``: the signed request and the tolerant reading of its answer (no network)."""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest

from brokers.kraken_futures.unified.fees import AccountFeeSource, parse_trade_volume
from brokers.kraken_futures.unified.signing import TRADE_VOLUME_PATH, trade_volume_request
from brokers.sim.kraken_unified.auth import SIM_UNIFIED_API_KEY, SIM_UNIFIED_API_SECRET, api_sign
from core.ports import VenueError

# docs.kraken.com, Get Trade Volume: the response example, verbatim in its shape.
DOCS_EXAMPLE = {
    "error": [],
    "result": {
        "currency": "ZUSD",
        "volume": "200709587.4223",
        "fees": {
            "XXBTZUSD": {
                "fee": "0.1000",
                "min_fee": "0.1000",
                "max_fee": "0.2600",
                "next_fee": None,
                "next_volume": None,
                "tier_volume": "10000000.0000",
            }
        },
        "fees_maker": {
            "XXBTZUSD": {
                "fee": "0.0000",
                "min_fee": "0.0000",
                "max_fee": "0.1600",
                "next_fee": None,
                "next_volume": None,
                "tier_volume": "10000000.0000",
            }
        },
    },
}


def test_the_docs_example_reads_as_percent_turned_into_a_fraction() -> None:
    fees = parse_trade_volume(orjson.dumps(DOCS_EXAMPLE), "XXBTZUSD")
    assert fees.taker_rate == Decimal("0.001")  # "0.1000" percent
    assert fees.maker_rate == Decimal(0)
    assert fees.volume_30d_usd == Decimal("200709587.4223")
    assert fees.unknown_fields == 0
    assert isinstance(fees.taker_rate, Decimal)


def test_unknown_fields_are_ignored_and_counted_and_a_sole_entry_is_the_pairs() -> None:
    answer = {
        "error": [],
        "result": {
            "currency": "ZUSD",
            "volume": "0",
            "fees": {"pf_xbtusd": {"fee": "0.0500", "tier_name": "base"}},  # any case
            "rebate": "0",
        },
        "new_envelope_field": 1,
    }
    fees = parse_trade_volume(orjson.dumps(answer), "PF_XBTUSD")
    assert fees.taker_rate == Decimal("0.0005")
    assert fees.maker_rate is None
    assert fees.unknown_fields == 2  # "rebate" and "tier_name"
    only = {"error": [], "result": {"fees": {"SOMETHING_ELSE": {"fee": "0.02"}}}}
    assert parse_trade_volume(orjson.dumps(only), "PF_XBTUSD").taker_rate == Decimal("0.0002")


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ({"error": ["EAPI:Invalid key"], "result": {}}, "refused: EAPI:Invalid key"),
        ({"error": [], "result": {"currency": "ZUSD", "volume": "0"}}, "no taker fee"),
        ({"error": [], "result": {"fees": {"A": {"fee": "x"}, "B": {"fee": "1"}}}}, "no taker fee"),
        ({"error": [], "result": {"fees": {"PF_XBTUSD": {"fee": "-1"}}}}, "no taker fee"),
        ([1, 2], "unreadable"),
    ],
)
def test_an_answer_without_a_usable_taker_fee_is_one_line(answer: object, words: str) -> None:
    with pytest.raises(VenueError) as refused:
        parse_trade_volume(orjson.dumps(answer), "PF_XBTUSD")
    assert words in str(refused.value) and "\n" not in str(refused.value)
    with pytest.raises(VenueError):
        parse_trade_volume(b"<html>502</html>", "PF_XBTUSD")


def test_the_request_is_signed_json_with_asset_and_aclass() -> None:
    signed = trade_volume_request(SIM_UNIFIED_API_KEY, SIM_UNIFIED_API_SECRET, 1_700, "PF_XBTUSD")
    assert signed.path == TRADE_VOLUME_PATH == "/0/private/TradeVolume"
    assert orjson.loads(signed.body) == {
        "nonce": 1_700,
        "pair": [{"asset": "PF_XBTUSD", "aclass": "derivatives"}],
    }
    assert signed.headers["Content-Type"] == "application/json"
    # The sim's own reading of the docs' formula (written apart) agrees over the exact body.
    expected = api_sign(SIM_UNIFIED_API_SECRET, TRADE_VOLUME_PATH, "1700", signed.body)
    assert signed.headers["API-Sign"] == expected
    assert SIM_UNIFIED_API_SECRET not in repr(signed)
    with pytest.raises(ValueError, match="nonce"):
        trade_volume_request(SIM_UNIFIED_API_KEY, SIM_UNIFIED_API_SECRET, 0, "PF_XBTUSD")


def test_the_fee_source_never_shows_its_keys() -> None:
    source = AccountFeeSource("https://api.kraken.com", "the-key", SIM_UNIFIED_API_SECRET)
    assert "the-key" not in repr(source) and SIM_UNIFIED_API_SECRET not in repr(source)
