"""The docs' own examples: the Spot REST signature and the v2 book checksum."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs

from brokers.kraken_futures.auth import decode_secret
from brokers.kraken_futures.unified.checksum import book_checksum, checksum_text
from brokers.kraken_futures.unified.signing import (
    WEBSOCKETS_TOKEN_PATH,
    api_sign,
    token_request,
)

DOCS_SECRET = (
    "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
)
DOCS_NONCE = 1616492376594
DOCS_BODY = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
DOCS_SIGN = (
    "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
)


def test_api_sign_reproduces_the_docs_example() -> None:
    key = decode_secret(DOCS_SECRET)
    sign = api_sign(key, uri_path="/0/private/AddOrder", nonce=DOCS_NONCE, post_data=DOCS_BODY)
    assert sign == DOCS_SIGN


def test_the_signature_depends_on_path_nonce_and_body() -> None:
    key = decode_secret(DOCS_SECRET)
    base = {"uri_path": "/0/private/AddOrder", "nonce": DOCS_NONCE, "post_data": DOCS_BODY}
    for change in (
        {"uri_path": "/0/private/CancelOrder"},
        {"nonce": DOCS_NONCE + 1},
        {"post_data": DOCS_BODY.replace("1.25", "1.26")},
    ):
        assert api_sign(key, **{**base, **change}) != DOCS_SIGN


def test_token_request_signs_its_own_form_body_and_hides_the_key() -> None:
    request = token_request("the-public-key", DOCS_SECRET, 1700000000000)
    assert request.path == WEBSOCKETS_TOKEN_PATH
    assert parse_qs(request.body) == {"nonce": ["1700000000000"]}
    expected = api_sign(
        decode_secret(DOCS_SECRET),
        uri_path=WEBSOCKETS_TOKEN_PATH,
        nonce=1700000000000,
        post_data=request.body,
    )
    assert request.headers["API-Sign"] == expected
    assert request.headers["API-Key"] == "the-public-key"
    assert "the-public-key" not in repr(request) and expected not in repr(request)


BIDS = [
    ("45283.5", "0.10000000"), ("45283.4", "1.54582015"), ("45282.1", "0.10000000"),
    ("45281.0", "0.10000000"), ("45280.3", "1.54592586"), ("45279.0", "0.07990000"),
    ("45277.6", "0.03310103"), ("45277.5", "0.30000000"), ("45277.3", "1.54602737"),
    ("45276.6", "0.15445238"),
]  # fmt: skip
ASKS = [
    ("45285.2", "0.00100000"), ("45286.4", "1.54571953"), ("45286.6", "1.54571109"),
    ("45289.6", "1.54560911"), ("45290.2", "0.15890660"), ("45291.8", "1.54553491"),
    ("45294.7", "0.04454749"), ("45296.1", "0.35380000"), ("45297.5", "0.09945542"),
    ("45299.5", "0.18772827"),
]  # fmt: skip
DOCS_ASKS_TEXT = (
    "45285210000045286415457195345286615457110945289615456091145290215890660452918154553491"
    "452947445474945296135380000452975994554245299518772827"
)
DOCS_BIDS_TEXT = (
    "45283510000000452834154582015452821100000004528101000000045280315459258645279079900004527"
    "7633101034527753000000045277315460273745276615445238"
)


def _decimals(levels: list[tuple[str, str]]) -> list[tuple[Decimal, Decimal]]:
    return [(Decimal(p), Decimal(q)) for p, q in levels]


def test_checksum_reproduces_the_docs_example_from_exact_decimals() -> None:
    asks, bids = _decimals(ASKS), _decimals(BIDS)
    assert checksum_text(asks, bids, 1, 8) == DOCS_ASKS_TEXT + DOCS_BIDS_TEXT
    assert book_checksum(asks, bids, 1, 8) == 3310070434


def test_checksum_from_floats_equals_the_docs_example() -> None:
    # A wire that trims zeros ("0.1") decodes to the same float: precision comes from the
    # instrument, not from the text.
    asks = [(float(p), float(q)) for p, q in ASKS]
    bids = [(float(p), float(q)) for p, q in BIDS]
    assert book_checksum(asks, bids, 1, 8) == 3310070434


def test_checksum_uses_only_the_top_ten_levels_and_sees_any_change() -> None:
    asks, bids = _decimals(ASKS), _decimals(BIDS)
    deeper = [*asks, (Decimal("45300.0"), Decimal("9"))]
    assert book_checksum(deeper, bids, 1, 8) == 3310070434
    changed = [*bids[:-1], (bids[-1][0], bids[-1][1] + Decimal("0.00000001"))]
    assert book_checksum(asks, changed, 1, 8) != 3310070434


def test_the_v1_guide_vector_and_an_all_zero_value() -> None:
    assert checksum_text([(Decimal("0.05000"), Decimal("0.00000304"))], [], 5, 8) == "5000304"
    assert checksum_text([(0.0, 0.0)], [], 1, 8) == "00"
