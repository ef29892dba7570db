"""Binance.us request signatures, as the simulated venue checks them (the sim's own reading of
the docs, written apart from the adapter's signing code so two readings meet over the wire).

docs.binance.us, "Signature Authentication": SIGNED endpoints take ``signature`` =
HMAC-SHA256 keyed with the secret over ``totalParams``, "the query string concatenated with the
request body" (no separator: the docs' mixed example signs ``…timeInForce=GTCquantity=1…``);
the signature is "not case sensitive". The ``signature`` parameter itself is of course not part
of what it signs: it is cut out of whichever part carries it, and everything else is used
byte for byte as received.
"""

from __future__ import annotations

import hashlib
import hmac

BINANCE_SIM_API_KEY = "SIM-BINANCE-US-PUBLIC-DEMO-KEY-NOT-A-REAL-CREDENTIAL-0000000000000"
"""The simulated Binance.us venue's API key: a public constant, deliberately fake."""

BINANCE_SIM_API_SECRET = "SIM-BINANCE-US-PUBLIC-DEMO-SECRET-NOT-A-REAL-CREDENTIAL-111111111"
"""The matching secret; public and fake, like the key."""


def hmac_sha256_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def split_signature(raw: str) -> tuple[str, str | None]:
    """``raw`` without its ``signature=…`` parameter, and the signature (None when absent)."""
    kept, signature = [], None
    for part in raw.split("&") if raw else []:
        if part.startswith("signature="):
            signature = part[len("signature=") :]
        else:
            kept.append(part)
    return "&".join(kept), signature


def total_params(query: str, body: str) -> tuple[str, str | None]:
    """(``totalParams`` as the venue signs it, the signature sent in either part)."""
    query_rest, in_query = split_signature(query)
    body_rest, in_body = split_signature(body)
    return query_rest + body_rest, in_query or in_body


def verify(secret: str, message: str, given: str) -> bool:
    expected = hmac_sha256_hex(secret, message)
    return hmac.compare_digest(expected.encode("ascii"), given.lower().encode("ascii", "replace"))
