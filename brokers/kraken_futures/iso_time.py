"""Kraken's ISO 8601 times (``2019-09-05T16:33:50.734Z``) to and from Unix ns, exact to the µs.

One reading for every place the venue writes a time (fills, maintenance windows, the server's
clock): a time without an offset is UTC, as the docs print them all.
"""

from __future__ import annotations

import datetime as dt

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def iso_ns(text: str) -> int:
    """``text`` as Unix ns; ``ValueError`` if it is not an ISO 8601 time."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return (moment - EPOCH) // _MICROSECOND * 1_000


def iso_time(wall_ns: int) -> str:
    """``2019-09-05T16:33:50.734Z``: the docs' date-time, to the millisecond, UTC."""
    moment = dt.datetime.fromtimestamp(wall_ns // 1_000_000 / 1000, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
