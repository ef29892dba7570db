"""The traded product's position: the ledger, kept in line with the venue, and how it looks to
the strategy (``OpenPosition``) and on the screen (mark price, unrealized P&L)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from core.book import OrderBook
from core.clock import Clock
from core.engine.counters import EngineCounters
from core.enums import Side
from core.instrument import Instrument
from core.ledger import Ledger, Position
from core.ports import VenuePosition
from core.strategy import OpenPosition


class Positions:
    def __init__(
        self,
        *,
        instrument: Instrument,
        book: OrderBook,
        clock: Clock,
        counters: EngineCounters,
        notice: Callable[[str], None],
    ) -> None:
        self.ledger = Ledger(instrument)
        self.symbol = instrument.symbol
        self.instrument = instrument
        self._instrument = instrument
        self._book = book
        self._clock = clock
        self._counters = counters
        self._notice = notice
        self._listeners: list[Callable[[OpenPosition | None], None]] = []

    @property
    def position(self) -> Position:
        return self.ledger.position

    def subscribe(self, listener: Callable[[OpenPosition | None], None]) -> None:
        """Call ``listener`` with the strategy's view of the position after every change."""
        self._listeners.append(listener)
        listener(self._open_position())

    def changed(self) -> None:
        """The ledger moved (fills booked, a position restored or adopted)."""
        open_position = self._open_position()
        for listener in self._listeners:
            listener(open_position)

    def _open_position(self) -> OpenPosition | None:
        position = self.ledger.position
        if position.quantity == 0:
            return None
        return OpenPosition(
            side=Side.BUY if position.quantity > 0 else Side.SELL,
            entry_price=float(position.entry_price),
            opened_wall_ns=position.opened_wall_ns,
        )

    def restore(self, position: Position, *, realized_pnl: Decimal, fees_paid: Decimal) -> None:
        self.ledger.restore(position, realized_pnl=realized_pnl, fees_paid=fees_paid)
        self.changed()

    def adopt(self, position: VenuePosition) -> None:
        """Make the ledger hold what the venue holds (start-up reconciliation, or a position
        the ledger missed). Realized P&L and fees so far are kept; the hold clock starts now."""
        ledger = self.ledger
        quantity = position.quantity
        self.restore(
            Position(
                product=self.symbol,
                quantity=quantity,
                entry_price=position.entry_price if quantity else Decimal(0),
                opened_wall_ns=self._clock.wall_ns() if quantity else 0,
                fees=Decimal(0),
            ),
            realized_pnl=ledger.realized_pnl,
            fees_paid=ledger.fees_paid,
        )

    def align_with_venue(self, position: VenuePosition | None) -> None:
        """Live: the venue is the truth. Adopt its position when the ledger disagrees."""
        held = self.ledger.position.quantity
        venue_quantity = Decimal(0) if position is None else position.quantity
        if held == venue_quantity:
            return
        self._counters.ledger_corrections += 1
        self._notice(
            f"ledger said {held} {self.symbol}, the venue says {venue_quantity}: "
            "following the venue"
        )
        self.adopt(position or VenuePosition(self.symbol, Decimal(0), Decimal(0)))

    def mark_price(self) -> Decimal | None:
        """Where the open position could close now: best bid for a long, best ask for a short."""
        quantity = self.ledger.position.quantity
        book = self._book
        price = book.best_bid if quantity >= 0 else book.best_ask
        if price is None:
            price = book.mid
        return None if price is None else self._instrument.price_to_decimal(price)

    def unrealized(self) -> Decimal:
        mark = self.mark_price()
        return Decimal(0) if mark is None else self.ledger.unrealized_pnl(mark)
