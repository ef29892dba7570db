"""Fill bands: the same paper decisions, filled under a worse and a better execution model.

Paper fills are a model (``core.fills``): the order fills at the instant of the decision against
the book the decision saw. Real orders arrive later and pay more. ``FillBands`` shadows every
paper order into one extra account per ``ExecutionModel``:

* ``latency_ms``: the order fills against the book as it stands that long after the decision
  (the replay driver or a timer calls ``release_due`` as time passes; the book then is whatever
  the venue's updates made of it);
* ``extra_slippage_bps``: every fill price moves that far against us (negative: for us).

Decisions are the engine's, taken once: a band never decides, it only fills what the engine
sent, closing its own position when the engine closes. So the bands answer "how much of this
edge survives worse execution" without a second run. An exit the engine sends before a band's
delayed entry has filled is applied after it, in order.

Every band counts the same trades: the engine's round trips whose entry it saw (``trades``). A
band that could not fill one (its entry found no book, or only part of one) says so
(``unfilled_entries``, ``short_orders``) instead of showing fewer trades without a reason. A
round trip that closed a position opened before the bands started watching (a resumed session)
is in no band (``carried_in``).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from core.book import OrderBook
from core.clock import Clock
from core.enums import Mode, Side
from core.events import RoundTrip
from core.fills import PaperFills
from core.instrument import Instrument
from core.ledger import Ledger
from core.money import ZERO
from core.observer import EngineObserver
from core.ports import OrderRequest, OrderResult

_NEVER = 2**63 - 1


@dataclass(frozen=True, slots=True)
class ExecutionModel:
    """How a band fills: ``latency_ms`` after the decision, ``extra_slippage_bps`` worse."""

    name: str
    latency_ms: float = 0.0
    extra_slippage_bps: Decimal = ZERO

    def __post_init__(self) -> None:
        if not (math.isfinite(self.latency_ms) and self.latency_ms >= 0):
            raise ValueError(f"{self.name}: latency must be 0 or more ms, got {self.latency_ms}")

    @property
    def latency_ns(self) -> int:
        return round(self.latency_ms * 1_000_000)

    def describe(self) -> str:
        """``+250 ms, +2.0 bps`` — how this model differs from the default paper fill."""
        parts = []
        if self.latency_ns:
            parts.append(f"+{self.latency_ms:g} ms")
        if self.extra_slippage_bps:
            parts.append(f"{self.extra_slippage_bps:+.1f} bps")
        return ", ".join(parts) or "as the default"


PESSIMISTIC = ExecutionModel("pessimistic", latency_ms=250.0, extra_slippage_bps=Decimal(2))
OPTIMISTIC = ExecutionModel("optimistic", latency_ms=0.0, extra_slippage_bps=Decimal(-1))


DEFAULT = ExecutionModel("default")
"""The paper fills themselves, for a band table's middle row."""


@dataclass(frozen=True, slots=True)
class BandResult:
    """One band's closed trades, on the same footing as a report's Total P&L (net of fees)."""

    model: ExecutionModel
    round_trips: tuple[RoundTrip, ...]
    open_quantity: Decimal  # a position this band still holds: not in ``net_pnl``
    orders: int
    short_orders: int  # orders the band's book could not fill completely
    trades: int | None = None  # the engine's trades shadowed; None: its round trips, counted
    unfilled_entries: int = 0  # of ``trades``: the entry found no book at all (no round trip)
    carried_in: int = 0  # round trips of positions opened before the bands watched (default)

    @property
    def trade_count(self) -> int:
        """The decisions this band stands for: the same number in every band of a run."""
        return len(self.round_trips) if self.trades is None else self.trades

    @property
    def net_pnl(self) -> Decimal:
        return sum((rt.net_pnl for rt in self.round_trips), ZERO)

    @property
    def fees(self) -> Decimal:
        return sum((rt.fees for rt in self.round_trips), ZERO)


class _Order(NamedTuple):
    due_mono_ns: int
    wall_ns: int  # when the band's fill happens (decision wall time + latency)
    request: OrderRequest
    decision_mid: float


class _Band:
    __slots__ = (
        "ledger",
        "model",
        "orders",
        "paper",
        "pending",
        "round_trips",
        "short_orders",
        "unfilled_entries",
    )

    def __init__(self, model: ExecutionModel, instrument: Instrument, taker_fee_rate: Decimal):
        self.model = model
        self.paper = PaperFills(
            taker_fee_rate=taker_fee_rate, extra_slippage_bps=model.extra_slippage_bps
        )
        self.ledger = Ledger(instrument)
        self.pending: deque[_Order] = deque()
        self.round_trips: list[RoundTrip] = []
        self.orders = 0
        self.short_orders = 0
        self.unfilled_entries = 0

    def fill(self, order: _Order, book: OrderBook, instrument: Instrument) -> None:
        request = order.request
        side, quantity = request.side, request.quantity
        if request.reduce_only:  # the engine closes: close whatever this band holds
            held = self.ledger.position.quantity
            if held == 0:
                return
            side = Side.SELL if held > 0 else Side.BUY
            quantity = abs(held)
        self.orders += 1
        execution = self.paper.execute_market(
            book,
            instrument,
            side,
            quantity,
            client_order_id=request.client_order_id,
            now_wall_ns=order.wall_ns,
            decision_mid=order.decision_mid,
        )
        if not execution.complete:
            self.short_orders += 1
            if not request.reduce_only and not execution.fills:
                self.unfilled_entries += 1
        for fill in execution.fills:
            round_trip = self.ledger.apply(fill)
            if round_trip is not None:
                self.round_trips.append(round_trip)


class FillBands(EngineObserver):
    """Shadow accounts for paper orders; give it the engine's book with ``watch`` first."""

    def __init__(
        self,
        *,
        instrument: Instrument,
        taker_fee_rate: Decimal,
        clock: Clock,
        models: Iterable[ExecutionModel] = (PESSIMISTIC, OPTIMISTIC),
        schedule: Callable[[float, Callable[[], None]], object] | None = None,
    ) -> None:
        """``schedule(delay_s, callback)`` (e.g. ``loop.call_later``) makes delayed fills happen
        on time in a live session; a replay calls ``release_due`` itself instead."""
        self._instrument = instrument
        self._clock = clock
        self._schedule = schedule
        self._bands = [_Band(m, instrument, taker_fee_rate) for m in models]
        self._book: OrderBook | None = None
        self._mode: Callable[[], Mode] = lambda: Mode.PAPER
        # When the earliest pending order comes due (monotonic ns): a replay's loop reads it to
        # call ``release_due`` only then.
        self.next_due = _NEVER
        self._default_trips: list[RoundTrip] = []
        self._default_orders = 0
        self._entry_seen = False  # the engine's open trade began with an order shadowed here
        self._trades = 0
        self._carried_in = 0

    def watch(self, book: OrderBook, mode: Callable[[], Mode] | None = None) -> None:
        """The book orders fill against; ``mode`` tells live orders (never shadowed) apart."""
        self._book = book
        if mode is not None:
            self._mode = mode

    @property
    def models(self) -> tuple[ExecutionModel, ...]:
        return tuple(b.model for b in self._bands)

    def on_order(self, request: OrderRequest, result: OrderResult | None) -> None:
        book = self._book
        if result is not None or book is None or self._mode() is Mode.LIVE:
            return
        now_mono, now_wall = self._clock.mono_ns(), self._clock.wall_ns()
        mid = book.mid or 0.0
        self._default_orders += 1
        if not request.reduce_only:
            self._entry_seen = True
        for band in self._bands:
            latency = band.model.latency_ns
            band.pending.append(_Order(now_mono + latency, now_wall + latency, request, mid))
            self.next_due = min(self.next_due, now_mono + latency)
            if latency and self._schedule is not None:
                self._schedule(latency / 1e9, self._release_now)
        self.release_due(now_mono)  # zero-latency bands fill now, against the decision's book

    @property
    def next_due_ns(self) -> int:
        """When the first pending order comes due (monotonic; far in the future when none is)."""
        return self.next_due

    def _release_now(self) -> None:
        self.release_due(self._clock.mono_ns())

    def on_round_trip(self, round_trip: RoundTrip) -> None:
        if not self._entry_seen:  # opened before this run (resumed), or while live
            self._carried_in += 1
            return
        self._entry_seen = False
        self._trades += 1
        self._default_trips.append(round_trip)

    def release_due(self, now_mono_ns: int) -> None:
        """Fill every order due by ``now_mono_ns`` against the book as it is now.

        Call it before applying the first book update at or after that time: the book then is
        the one that stood when the order came due.
        """
        if now_mono_ns < self.next_due:
            return
        book = self._book
        assert book is not None
        next_due = _NEVER
        for band in self._bands:
            pending = band.pending
            while pending and pending[0].due_mono_ns <= now_mono_ns:
                band.fill(pending.popleft(), book, self._instrument)
            if pending:
                next_due = min(next_due, pending[0].due_mono_ns)
        self.next_due = next_due

    def finish(self) -> None:
        """Fill everything still pending against the book as it is (the data ran out)."""
        self.release_due(_NEVER - 1)

    def results(self) -> tuple[BandResult, ...]:
        """One result per model, in the order given."""
        return tuple(
            BandResult(
                model=band.model,
                round_trips=tuple(band.round_trips),
                open_quantity=band.ledger.position.quantity,
                orders=band.orders,
                short_orders=band.short_orders,
                trades=self._trades,
                unfilled_entries=band.unfilled_entries,
            )
            for band in self._bands
        )

    def default(self) -> BandResult:
        """The engine's own paper fills over the same orders (its closed round trips)."""
        return BandResult(
            DEFAULT,
            tuple(self._default_trips),
            ZERO,
            self._default_orders,
            0,
            trades=self._trades,
            carried_in=self._carried_in,
        )
