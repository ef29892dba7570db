"""Durations as users type them: ``300``, ``90s``, ``5m``, ``24h``, ``7d``."""

from __future__ import annotations

import re

UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)


class DurationError(ValueError):
    pass


def parse_duration(text: str, *, bare_unit: str = "s") -> float:
    """Seconds for ``text``; a bare number is in ``bare_unit`` (``run``: seconds, ``paper``: minutes)."""
    match = PATTERN.match(text)
    if match is None:
        raise DurationError(
            f"bad duration {text!r}: use a number of {unit_name(bare_unit)} or 90s, 5m, 24h, 7d"
        )
    value = float(match.group(1))
    unit = (match.group(2) or bare_unit).lower()
    seconds = value * UNITS[unit]
    if seconds <= 0:
        raise DurationError(f"bad duration {text!r}: must be more than zero")
    return seconds


def unit_name(unit: str) -> str:
    return {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]


def format_duration(seconds: float) -> str:
    """``300s`` under an hour (the guide's banner), else ``1h30m`` / ``2d4h``."""
    if seconds < 3600:
        return f"{seconds:g}s"
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return "".join(parts) or "0s"
