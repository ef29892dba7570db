"""How numbers read on screen: prices at the venue's precision, money, latencies, UTC time."""

from __future__ import annotations

import math
import time
from decimal import Decimal

from console.report.formatting import usd


def price(value: float | Decimal | None, decimals: int) -> str:
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


def money(value: Decimal, *, signed: bool = False) -> str:
    """``$1,234.56``; ``-$32.18``; ``-$0.1221`` below a dollar; with ``signed`` ``+$4.10``."""
    return usd(value, signed=signed)


def latency(ns: int) -> str:
    """``<1µs``, ``42µs``, ``1.25ms``, ``310ms``."""
    if ns < 1_000:
        return "<1µs"
    if ns < 1_000_000:
        return f"{ns // 1_000}µs"
    if ns < 100_000_000:
        return f"{ns / 1e6:.2f}ms"
    return f"{ns / 1e6:.0f}ms"


def rate(per_second: float | None) -> str:
    return "—" if per_second is None else f"{per_second:,.0f}/s"


def ratio(value: float) -> str:
    if math.isinf(value):
        return "∞x"
    return f"{value:.2f}x"


def utc_clock(wall_ns: int) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(wall_ns // 1_000_000_000))


def utc_date(wall_ns: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(wall_ns // 1_000_000_000))
