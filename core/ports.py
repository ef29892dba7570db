"""What the core needs from a venue, as Protocols the adapters in ``brokers/`` implement.

The core never imports a broker: the console builds an adapter and hands it to the engine as
one of these. Every method that can fail raises ``VenueError`` (or a subclass) with a message
that is fit to show a user in one line and that never contains a secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from core.enums import OrderStatus, OrderType, Side
from core.events import BookDelta, BookSnapshot, FeedEvent, Signal
from core.instrument import Instrument

if TYPE_CHECKING:
    from core.ledger import BookedFill


class Refusal(Enum):
    """What a venue's refusal means for the next step; each adapter maps its codes to one, in
    one place (``brokers/<venue>/refusals.py``), and the engine acts on the class alone.

    * ``RETRY_LATER`` — nothing was done and the same order may succeed later (market
      suspended, rate limited, venue busy): back off, never re-send at once;
    * ``VENUE_TRUTH`` — the order rests on a position or balance the venue does not see
      (``wouldNotReducePosition``, insufficient funds): re-read the venue and correct the
      ledger before anything else is sent;
    * ``FATAL`` — asking again cannot help (keys revoked or refused, account inactive, an
      order the venue's rules never accept): halt trading with the reason.
    """

    RETRY_LATER = "retry later"
    VENUE_TRUTH = "needs the venue's truth"
    FATAL = "fatal"


class VenueError(Exception):
    """A venue refused or failed a request. ``retryable`` says whether trying again may help;
    ``refusal`` (when the venue answered with a refusal) what that refusal means."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        code: str = "",
        refusal: Refusal | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code
        self.refusal = refusal or (Refusal.RETRY_LATER if retryable else Refusal.FATAL)


class VenueUnreachable(VenueError):
    """The venue could not be reached at all (DNS, refused, timeout)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True, code="unreachable")


class FeedSink(Protocol):
    """Receives what a market-data feed produces. Called on the event loop, must not block."""

    def on_snapshot(self, snapshot: BookSnapshot) -> None: ...

    def on_delta(self, delta: BookDelta) -> None: ...

    def on_feed_event(self, event: FeedEvent) -> None: ...


class LevelSink(FeedSink, Protocol):
    """A ``FeedSink`` that also takes a one-level change without a ``BookDelta`` built for it.

    ``on_level(product, seq, bid, price, size, venue_ts_ns, recv_ns)`` means exactly
    ``on_delta(level_delta(product, seq, bid, price, size, venue_ts_ns, recv_ns))``. Kraken
    Futures sends one level per message, so its parser hands every level here when the sink has
    ``on_level`` (the engine does); building the event costs ~0.1 µs of the ~3 µs a frame costs.
    """

    def on_level(  # noqa: PLR0917 - one level, positional: keywords cost ~10 ns each
        self,
        product: str,
        seq: int,
        bid: bool,
        price: float,
        size: float,
        venue_ts_ns: int,
        recv_ns: int,
    ) -> None: ...


class MarketFeed(Protocol):
    """A venue's streaming order-book connection for a set of products."""

    async def run(self, sink: FeedSink) -> None:
        """Connect, subscribe, deliver events until cancelled; reconnect with backoff by itself."""
        ...

    def resync(self, product: str) -> None:
        """Throw away this product's book and fetch a fresh snapshot; other products untouched."""
        ...


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """One order the engine wants sent. ``client_order_id`` is unique per decision."""

    client_order_id: str
    product: str
    side: Side
    quantity: Decimal
    order_type: OrderType = OrderType.MARKET
    limit_price: Decimal | None = None
    reduce_only: bool = False
    deadline_wall_ns: int | None = None
    """Where the venue supports it (Kraken Futures ``processBefore``): the venue refuses the
    order if it reaches the matching engine after this time, so an order not seen after it has
    provably not executed."""


@dataclass(frozen=True, slots=True)
class VenueFill:
    """One execution the venue reports for an order."""

    price: Decimal
    quantity: Decimal
    fee: Decimal | None = None  # None when the venue does not say; the engine then applies its rate
    fill_id: str = ""
    wall_ns: int = 0  # when the venue says it filled (Unix ns); 0: unknown, the engine's now


@dataclass(frozen=True, slots=True)
class AccountFill:
    """One execution on the account as the venue's history lists it (ours or made outside)."""

    product: str
    side: Side
    price: Decimal
    quantity: Decimal
    wall_ns: int
    fill_id: str
    client_order_id: str = ""  # "" when the order had none (sent outside any session)
    fee: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OrderResult:
    client_order_id: str
    status: OrderStatus
    venue_order_id: str = ""
    fills: tuple[VenueFill, ...] = ()
    reason: str = ""  # venue's words when rejected or not filled
    refusal: Refusal | None = None  # REJECTED by the venue: what the refusal means

    @property
    def filled_quantity(self) -> Decimal:
        return sum((f.quantity for f in self.fills), Decimal(0))


@dataclass(frozen=True, slots=True)
class VenuePosition:
    """An open position as the venue reports it. ``quantity`` is signed: > 0 long, < 0 short."""

    product: str
    quantity: Decimal
    entry_price: Decimal


@dataclass(frozen=True, slots=True)
class OpenOrder:
    client_order_id: str
    venue_order_id: str
    product: str
    side: Side
    quantity: Decimal
    limit_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Balance:
    asset: str
    free: Decimal
    locked: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    balances: Mapping[str, Balance] = field(default_factory=dict)


class ExecutionVenue(Protocol):
    """Order entry and account queries on one venue (REST).

    Optional capabilities, read with ``getattr`` (a venue without them works, more cautiously):
    ``rate_limits: tuple[core.rate_budget.RateLimit, ...]`` — the budget the engine keeps below
    the venue's documented limits; ``order_deadline_s: float`` — orders carry a deadline
    (``OrderRequest.deadline_wall_ns``) after which the venue refuses them;
    ``async recent_fills() -> list[AccountFill]`` — the account's latest executions, so a
    position changed outside the session is booked from its fills, not merely adopted.
    """

    async def instruments(self) -> Mapping[str, Instrument]:
        """Every product the venue lists, keyed by upper-case symbol."""
        ...

    async def place_order(self, order: OrderRequest) -> OrderResult: ...

    async def order_status(self, client_order_id: str, product: str) -> OrderResult | None:
        """What became of an order we sent, by our id; None if the venue never saw it."""
        ...

    async def cancel_all_orders(self, product: str | None = None) -> None: ...

    async def open_positions(self) -> list[VenuePosition]: ...

    async def open_orders(self) -> list[OpenOrder]: ...

    async def account(self) -> AccountSnapshot: ...

    async def close(self) -> None:
        """Release connections."""
        ...


class Journal(Protocol):
    """Where the engine records what happened (``core.store.SessionStore`` is one).

    ``record_signal`` and ``record_order`` queue and never block; ``record_fills`` returns once the
    fills, the round trips they closed and the ledger state after them are durable, and the
    engine takes no new decision until then. A journal that cannot record raises; the engine then
    stops trading rather than trade unrecorded.
    """

    def record_signal(self, signal: Signal) -> None: ...

    def record_order(
        self,
        request: OrderRequest,
        result: OrderResult | None = None,
        *,
        wall_ns: int,
        signal_number: int | None = None,
    ) -> None: ...

    async def record_fills(self, booked: Sequence[BookedFill]) -> int: ...

    async def flush(self) -> None:
        """Return once everything recorded so far is durable (a live order's id, before it is
        sent: after a crash the restart asks the venue about every order recorded as sent)."""
        ...
