"""Durations as users type them: ``300``, ``90s``, ``5m``, ``2 min``, ``1h30m``, ``7 days``.

A bare number is in the command's own unit (``run``: seconds, ``paper``: minutes, as the guide
has it); any number may carry a unit instead, and parts add up (``1h 30m``). What was understood
is echoed in words at start-up (``describe_duration``: ``Duration: 2 min``), so a bare ``2`` on
``paper`` can never silently mean two seconds or two hours.
"""

from __future__ import annotations

import re

UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_SPELLINGS = {
    "s": ("s", "sec", "secs", "second", "seconds"),
    "m": ("m", "min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "d": ("d", "day", "days"),
}
_UNIT_OF = {spelling: unit for unit, names in _SPELLINGS.items() for spelling in names}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]*)\s*", re.IGNORECASE)


class DurationError(ValueError):
    pass


def parse_duration(text: str, *, bare_unit: str = "s") -> float:
    """Seconds for ``text``; a bare number is in ``bare_unit`` (``run``: seconds, ``paper``: minutes)."""
    source = text.strip()
    position, seconds, parts = 0, 0.0, 0
    while position < len(source):
        match = _PART.match(source, position)
        unit = _UNIT_OF.get(match.group(2).lower()) if match else None
        bare = match is not None and not match.group(2)
        if match is None or (unit is None and not bare) or (bare and parts):
            raise DurationError(
                f"bad duration {text!r}: use a number of {unit_name(bare_unit)} "
                "or 90s, 5m, 2 min, 1h30m, 24h, 7d"
            )
        seconds += float(match.group(1)) * UNITS[unit or bare_unit]
        parts += 1
        position = match.end()
    if not parts:
        raise DurationError(f"bad duration {text!r}: use a number of {unit_name(bare_unit)}")
    if seconds <= 0:
        raise DurationError(f"bad duration {text!r}: must be more than zero")
    return seconds


def unit_name(unit: str) -> str:
    return {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]


def format_duration(seconds: float) -> str:
    """``300s`` under an hour, else ``1h30m`` / ``2d4h`` (compact, for status lines)."""
    if seconds < 3600:
        return f"{seconds:g}s"
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return "".join(parts) or "0s"


def describe_duration(seconds: float) -> str:
    """The length in words, as echoed at start-up: ``45 s``, ``2 min``, ``1 h 30 min``, ``7 days``.

    The two largest units that are not zero; a fraction of a second is kept below a minute.
    """
    if seconds < 60:
        return f"{seconds:g} s"
    whole = round(seconds)
    parts = []
    for size, one, many in ((86_400, "day", "days"), (3600, "h", "h"), (60, "min", "min")):
        count, whole = divmod(whole, size)
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    if whole:
        parts.append(f"{whole} s")
    return " ".join(parts[:2])
