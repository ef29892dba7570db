"""How numbers look in reports: the guide's ``$4,235.67``, ``-$32.18``, ``54.47%``, ``1.53``.

Money has one rule on every screen and in every text (headless lines, the console, reports): an
amount is shown exactly, never rounded. Whole cents print as cents (``$4,235.67``); anything finer
prints every decimal it has (``-$0.12758295``). A $100 position's P&L and fees are cents and
fractions of a cent: rounded, ``-$0.0319`` and ``$0.0957`` beside a net of ``-$0.1275`` (or at
cents ``-$0.03``, ``$0.10`` and ``-$0.13``) do not add up, and a trader stops trusting the rest.
Averages are not amounts but statistics: they are rounded, to the cent from a dollar up and to a
hundredth of a cent below (``average``). Machine formats (JSON, CSV) keep the exact decimal.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from core.engine_state import FeedCounters

NOT_AVAILABLE = "n/a"
_CENT = Decimal("0.01")
_CENT_OF_A_CENT = Decimal("0.0001")
_FINEST_EXPONENT = -10  # the ledger's P&L quantum (``core.money.PNL_QUANTUM``)
_FINEST = Decimal(1).scaleb(_FINEST_EXPONENT)
_TENTH = Decimal("0.1")


def usd(amount: Decimal, *, signed: bool = False) -> str:
    """``$4,235.67``, ``-$32.18``, ``-$0.12758295``: exact (see the module's money rule).

    Thousands separated, at least two decimals, the sign before the dollar sign, never
    ``-$0.00``; with ``signed`` a gain reads ``+$4.10``.
    """
    exact = amount.quantize(_FINEST) if amount.as_tuple().exponent < _FINEST_EXPONENT else amount
    if exact == 0:
        return "$0.00"
    whole, _, fraction = f"{abs(exact):f}".partition(".")
    fraction = fraction.rstrip("0").ljust(2, "0")
    sign = "-" if exact < 0 else "+" if signed else ""
    return f"{sign}${int(whole):,}.{fraction}"


def average(value: Decimal) -> Decimal:
    """A statistic in dollars, rounded: to the cent from $1 up, to $0.0001 below."""
    quantum = _CENT if abs(value) >= 1 else _CENT_OF_A_CENT
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


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
    return NOT_AVAILABLE if value is None else usd(average(value))


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
