"""The sim's own signature check, anchored on the docs' challenge example."""

from __future__ import annotations

import pytest

from brokers.sim.kraken_futures.auth import (
    SIM_API_SECRET,
    authent,
    endpoint_path,
    rest_authent,
    sign_challenge,
    verify,
)
from tests.brokers.sim.conftest import authent as docs_construction

DOCS_SECRET = (
    "7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm"
)
DOCS_CHALLENGE = "c100b894-1729-464d-ace1-52dbce11db42"
DOCS_SIGNED = (
    "4JEpF3ix66GA2B+ooK128Ift4XQVtc137N9yeg4Kqsn9PI0Kpzbysl9M1IeCEdjg0zl00wkVqcsnG4bmnlMb3A=="
)


def test_signed_challenge_matches_the_docs_example() -> None:
    assert sign_challenge(DOCS_SECRET, DOCS_CHALLENGE) == DOCS_SIGNED


def test_one_changed_character_changes_the_signature() -> None:
    assert sign_challenge(DOCS_SECRET, DOCS_CHALLENGE[:-1] + "3") != DOCS_SIGNED


def test_the_signed_path_drops_the_derivatives_prefix() -> None:
    assert endpoint_path("/derivatives/api/v3/sendorder") == "/api/v3/sendorder"
    assert endpoint_path("/api/v3/sendorder") == "/api/v3/sendorder"


def test_rest_authent_hashes_post_data_then_nonce_then_path() -> None:
    post_data = "orderType=mkt&symbol=PF_XBTUSD&side=buy&size=0.0023&cliOrdId=a%3Ab"
    signed = rest_authent(DOCS_SECRET, post_data, "1415957147987", "/derivatives/api/v3/sendorder")
    assert signed == docs_construction(DOCS_SECRET, post_data, "1415957147987", "/api/v3/sendorder")
    assert signed == authent(DOCS_SECRET, post_data + "1415957147987/api/v3/sendorder")
    # order matters, and the path is the one without /derivatives
    assert signed != authent(DOCS_SECRET, "1415957147987" + post_data + "/api/v3/sendorder")
    assert signed != docs_construction(
        DOCS_SECRET, post_data, "1415957147987", "/derivatives/api/v3/sendorder"
    )


def test_verify_accepts_only_the_exact_signature() -> None:
    assert verify(DOCS_SIGNED, DOCS_SIGNED)
    assert not verify(DOCS_SIGNED, DOCS_SIGNED.lower())
    assert not verify(DOCS_SIGNED, "")


def test_the_sim_secret_is_valid_base64_and_a_bad_secret_is_a_clear_error() -> None:
    assert authent(SIM_API_SECRET, "x")
    with pytest.raises(ValueError, match="base64"):
        authent("not base64!!", "x")
