"""Binance.us refusals carry the core's class (``core.ports.Refusal``), decided in one place."""

from __future__ import annotations

import pytest

from brokers.binance_us.errors import api_error
from core.ports import Refusal


@pytest.mark.parametrize(
    ("code", "msg", "refusal"),
    [
        (-2015, "Invalid API-key, IP, or permissions for action.", Refusal.FATAL),
        (-2014, "API-key format invalid.", Refusal.FATAL),
        (-1022, "Signature for this request is not valid.", Refusal.FATAL),
        (-2010, "Account has insufficient balance for requested action.", Refusal.VENUE_TRUTH),
        (-2010, "Market is closed.", Refusal.RETRY_LATER),
        (-1013, "Filter failure: LOT_SIZE", Refusal.FATAL),
        (-1003, "Too many requests.", Refusal.RETRY_LATER),
        (-1015, "Too many new orders.", Refusal.RETRY_LATER),
        (-1121, "Invalid symbol.", Refusal.FATAL),
    ],
)
def test_each_refusal_code_has_its_class(code: int, msg: str, refusal: Refusal) -> None:
    error = api_error("order", code, msg, http_status=400)
    assert error.refusal is refusal
    assert str(code) in str(error)
