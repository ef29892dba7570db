"""Events that cross from the venue adapters into the core.

Book events are on the hot path (one per venue frame), so they are frozen ``msgspec.Struct``s:
about seven times cheaper to build than frozen dataclasses, with the same immutability.
Prices and sizes in book events are floats exactly as the venue sent them; money becomes
``Decimal`` only at the fill/ledger boundary. Times are integer nanoseconds: ``recv_ns`` is
``time.monotonic_ns()`` stamped by the adapter when the frame arrived, before parsing;
``venue_ts_ns`` is the venue's own wall-clock timestamp (Unix epoch), 0 when it sent none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

import msgspec

from core.enums import Side, SignalAction

Level = tuple[float, float]
"""One book level: (price, absolute size). Size 0 in a delta deletes the level."""


class BookSnapshot(msgspec.Struct, frozen=True, gc=False):
    """The whole visible book of one product; ``seq`` is the venue sequence it is valid at."""

    product: str
    seq: int
    bids: tuple[Level, ...]  # best (highest) first
    asks: tuple[Level, ...]  # best (lowest) first
    venue_ts_ns: int
    recv_ns: int


class BookDelta(msgspec.Struct, frozen=True, gc=False):
    """Changes to some levels of one product's book.

    It covers venue sequence numbers ``first_seq..last_seq`` inclusive. Kraken Futures sends one
    level per message, so ``first_seq == last_seq == seq``; a Binance.us ``depthUpdate`` is
    ``first_seq=U, last_seq=u`` with many levels.
    """

    product: str
    first_seq: int
    last_seq: int
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]
    venue_ts_ns: int
    recv_ns: int


_NO_LEVELS: tuple[Level, ...] = ()


def level_delta(  # noqa: PLR0917 - one level, positional: keywords cost ~10 ns each
    product: str, seq: int, bid: bool, price: float, size: float, venue_ts_ns: int, recv_ns: int
) -> BookDelta:
    """The ``BookDelta`` of one level changed at ``seq`` (what ``LevelSink.on_level`` carries)."""
    level = ((price, size),)
    return BookDelta(
        product,
        seq,
        seq,
        level if bid else _NO_LEVELS,
        _NO_LEVELS if bid else level,
        venue_ts_ns,
        recv_ns,
    )


class FeedEventKind(Enum):
    CONNECTED = "connected"
    SUBSCRIBED = "subscribed"
    DISCONNECTED = "disconnected"
    RESYNC_REQUESTED = "resync_requested"
    DROPPED_FRAME = "dropped_frame"  # malformed/unknown/out-of-order frame, counted and logged
    VENUE_ERROR = "venue_error"  # the venue said {"event":"error"} or similar
    HEARTBEAT = "heartbeat"
    VENUE_STATUS = "venue_status"  # the venue's trading state, ``detail`` "online" or not


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """Something about the connection, not the book. ``product`` is "" when not per product."""

    kind: FeedEventKind
    detail: str
    product: str = ""
    recv_ns: int = 0


class SignalOutcome(Enum):
    """What became of a signal."""

    ACTED = "acted"  # passed risk and went to the router (dry-run: logged as if executed)
    BLOCKED = "blocked"  # refused by the risk manager; ``block_reason`` says why
    IGNORED = "ignored"  # not applicable on this venue (e.g. a short on a spot venue)


@dataclass(frozen=True, slots=True)
class Signal:
    """A strategy decision as the user sees it: numbered, priced, explained, and its fate.

    ``price`` is the reference price at decision time: best ask for BUY, best bid for SELL, the
    exit side's best price for CLOSE. ``wall_ns`` is Unix-epoch nanoseconds.
    """

    number: int
    product: str
    action: SignalAction
    price: Decimal
    quantity: Decimal
    ratio: float
    reason: str
    wall_ns: int
    outcome: SignalOutcome = SignalOutcome.ACTED
    block_reason: str = ""


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution of one of our orders (paper-simulated or reported by the venue).

    ``fee`` is in the quote currency (USD) and is >= 0 when paid. ``slippage_bps`` is signed
    against us: positive means we paid worse than the mid at decision time.
    """

    product: str
    side: Side
    price: Decimal
    quantity: Decimal
    fee: Decimal
    wall_ns: int
    client_order_id: str
    fill_id: str
    slippage_bps: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """A position from flat back to flat. ``side`` is the entry side (BUY = long).

    ``gross_pnl`` excludes fees, ``fees`` sums every fill of the round trip, ``net_pnl`` is
    ``gross_pnl - fees``; all in quote currency (USD).
    """

    product: str
    side: Side
    quantity: Decimal
    entry_price: Decimal
    exit_price: Decimal
    gross_pnl: Decimal
    fees: Decimal
    net_pnl: Decimal
    opened_wall_ns: int
    closed_wall_ns: int

    @property
    def hold_ns(self) -> int:
        return self.closed_wall_ns - self.opened_wall_ns
