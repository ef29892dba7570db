"""Every venue by name: the one place that lists them.

A venue is a folder under ``brokers/`` whose ``venue.py`` defines ``VENUE``, a
``brokers.venue.VenueSpec``. Adding one is that folder and one line in ``VENUES``. Venue modules
are imported on first use, by name (``importlib``), so listing the names (``l2console --help``)
loads no adapter, and nothing here depends on a venue's code.

Each venue has one name everywhere: ``--broker``, ``l2console sim --protocol``, a recording's
header and the session store. Older spellings are still accepted wherever a name is read
(``aliases``): ``kraken_futures``, written in the headers of recordings made before the names
were unified and once taken by ``l2console sim --protocol``, means ``kraken``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from brokers.recording.decoding import RecordDecoder
    from brokers.recording.format import RecordingHeader
    from brokers.venue import VenueSpec
    from core.ports import FeedSink


@dataclass(frozen=True, slots=True)
class VenueEntry:
    name: str
    module: str  # defines ``VENUE``
    aliases: tuple[str, ...] = ()


VENUES = (
    VenueEntry("sim", "brokers.sim.venue"),
    VenueEntry("kraken", "brokers.kraken_futures.venue", aliases=("kraken_futures",)),
    VenueEntry("kraken_unified", "brokers.kraken_futures.unified.venue"),
    VenueEntry("binance_us", "brokers.binance_us.venue"),
)

SIMULATED_VENUE = "sim"
"""The simulated venue: another venue's protocol served in this process (``brokers.sim``)."""

DEFAULT_VENUE = SIMULATED_VENUE
"""Where a run goes when no ``--broker`` is given: the simulated venue, no keys, no risk."""

DEFAULT_MARKET_VENUE = "kraken_unified"
"""The real market the simulated venue imitates (it speaks this venue's protocol), and the
default of ``systemd-unit`` and of the benchmark."""

_BY_NAME = {entry.name: entry for entry in VENUES}
_ALIASES = {alias: entry.name for entry in VENUES for alias in entry.aliases}


class UnknownVenue(LookupError):
    """A venue name this l2console does not know, in one line."""


def names() -> tuple[str, ...]:
    """The canonical names, in the registry's order."""
    return tuple(entry.name for entry in VENUES)


def protocols() -> tuple[str, ...]:
    """The venues whose protocol a simulated server speaks (``l2console sim --protocol``)."""
    return tuple(name for name in names() if name != SIMULATED_VENUE)


def resolve_alias(name: str) -> str:
    """The canonical name for ``name`` (an alias or a name); anything else as given.

    Fit for ``argparse``'s ``type=``: an unknown name then fails its ``choices`` check with the
    usual message.
    """
    return _ALIASES.get(name, name)


def canonical(name: str) -> str:
    """The canonical name for a name or an alias; ``UnknownVenue`` for anything else."""
    resolved = resolve_alias(name)
    if resolved not in _BY_NAME:
        raise UnknownVenue(f"unknown venue {name!r} (known: {', '.join(names())})")
    return resolved


def is_known(name: str) -> bool:
    return resolve_alias(name) in _BY_NAME


def venue(name: str) -> VenueSpec:
    """The spec of the venue ``name`` (or an alias), its module imported on first use."""
    return _load(canonical(name))


@cache
def _load(name: str) -> VenueSpec:
    spec: VenueSpec = importlib.import_module(_BY_NAME[name].module).VENUE
    if spec.name != name:
        raise RuntimeError(f"{_BY_NAME[name].module}.VENUE is named {spec.name!r}, not {name!r}")
    return spec


def decoder_for(header: RecordingHeader, sink: FeedSink) -> RecordDecoder:
    """The replay decoder of the recording's venue, delivering to ``sink``."""
    from brokers.recording.format import RecordingError  # noqa: PLC0415 - only when replaying

    if not is_known(header.venue):
        raise RecordingError(
            f"recordings of venue {header.venue!r} cannot be replayed by this l2console"
        )
    return venue(header.venue).replay_decoder(sink)
