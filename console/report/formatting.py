"""How numbers look in reports: the guide's ``$4,235.67``, ``-$32.18``, ``54.47%``, ``1.53``."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from core.engine_state import FeedCounters

NOT_AVAILABLE = "n/a"
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")


def usd(amount: Decimal) -> str:
    """Dollars and cents, thousands separated, sign before the dollar sign; never ``-$0.00``."""
    cents = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    if cents == 0:
        return "$0.00"
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"


def percent(fraction: Decimal | None) -> str:
    """A fraction as a percentage with two decimals (0.544668 -> ``54.47%``)."""
    if fraction is None:
        return NOT_AVAILABLE
    return f"{(fraction * 100).quantize(_CENT, rounding=ROUND_HALF_UP)}%"


def factor(value: Decimal | None) -> str:
    """A profit factor with two decimals; ``∞`` without losses, ``n/a`` without trades."""
    if value is None:
        return NOT_AVAILABLE
    if value.is_infinite():
        return "∞"
    return f"{value.quantize(_CENT, rounding=ROUND_HALF_UP)}"


def days(value: Decimal) -> str:
    """Covered days with one decimal, rounded *down*: never claim time that did not run."""
    return f"{value.quantize(_TENTH, rounding=ROUND_DOWN)}"


def average_or_na(value: Decimal | None) -> str:
    return NOT_AVAILABLE if value is None else usd(value)


def utc(wall_ns: int, *, seconds: bool = False) -> str:
    """``2024-06-01 09:00`` (UTC) for text reports."""
    moment = dt.datetime.fromtimestamp(wall_ns // 1_000_000_000, tz=dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def iso_utc(wall_ns: int) -> str:
    """ISO 8601 with microseconds and ``Z`` for JSON and CSV (``ns`` columns keep the rest)."""
    seconds, ns = divmod(wall_ns, 1_000_000_000)
    moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC).replace(microsecond=ns // 1000)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def duration(ns: int) -> str:
    """``3d 4h``, ``2h 14m``, ``45s``: the two largest units."""
    seconds = ns // 1_000_000_000
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        if seconds >= size or (unit == "s" and not parts):
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
        if len(parts) == 2:
            break
    return " ".join(parts)


def plain(value: Decimal) -> str:
    """Exact decimal text for machine formats (no exponent, no trailing-zero games)."""
    return format(value, "f")


def derived(value: Decimal | None, places: int = 8) -> str | None:
    """A computed ratio or average in machine formats: rounded to ``places`` decimals."""
    if value is None:
        return None
    return format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")


def feed_faults_text(c: FeedCounters) -> str:
    """The rarer feed counts, only when they happened: `` | 3 duplicates``."""
    counts = (
        (c.duplicates, "duplicates"),
        (c.buffer_overflows, "buffer overflows"),
        (c.unknown_product, "frames for other products"),
        (c.resync_retries, "resyncs asked again"),
    )
    return "".join(f" | {n} {what}" for n, what in counts if n)
