"""The ledger of one product: position, average entry, realized and unrealized P&L, fees.

Everything is ``Decimal``. The position keeps a signed quantity and a *cost basis*:

* linear and spot products: basis = sum of quantity x price of the fills that opened or
  increased the position (USD); average entry = basis / quantity; P&L = quantity x (exit -
  entry) x direction;
* inverse products (Kraken ``PI_``, quantity in USD contracts of ``contract_size``): basis =
  sum of contracts x contract_size / price, i.e. the position's value in the base currency at
  entry. P&L in the base currency is contracts x contract_size x (1/entry - 1/exit) x direction;
  it is converted to USD at the exit price, which gives direction x (basis x exit - contracts x
  contract_size). The average entry is the matching harmonic average.

A reduction realizes P&L on its pro-rata share of the basis. That share is a division, rounded
(``core.money``); the remainder stays in the basis, so the last close realizes exactly what is
left and the P&L of a whole round trip is exact for linear products (for inverse ones exact up
to the rounding of 1/price, 1e-20 of the base currency per fill).

A fill that crosses through zero closes the old round trip and opens a new position with the
rest; its fee is split pro rata to quantity (closing share rounded half-up to 1e-8 USD, the
opening share is the exact remainder, so no fee is lost or double-counted).

``fees_paid`` counts every fee, including the entry fees of a position still open, so
``net_realized = realized_pnl - fees_paid`` is what the account gained so far, net of costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.enums import ContractType, Side
from core.events import Fill, RoundTrip
from core.instrument import Instrument
from core.money import BASE_VALUE_QUANTUM, FEE_QUANTUM, PNL_QUANTUM, PRICE_QUANTUM, ZERO


@dataclass(frozen=True, slots=True)
class Position:
    """The open position of one product; flat is quantity 0 (entry price 0 then).

    ``quantity`` is signed (> 0 long, < 0 short); ``fees`` are those paid so far in this round
    trip (entry fills and any partial closes).
    """

    product: str
    quantity: Decimal
    entry_price: Decimal
    opened_wall_ns: int
    fees: Decimal

    @property
    def is_flat(self) -> bool:
        return self.quantity == 0

    @property
    def side(self) -> Side | None:
        """BUY for a long, SELL for a short, None when flat."""
        if self.quantity == 0:
            return None
        return Side.BUY if self.quantity > 0 else Side.SELL


@dataclass(frozen=True, slots=True)
class BookedFill:
    """A fill as the ledger booked it, with everything that must be committed together with it.

    ``position`` is the product's position right after this fill (flat included),
    ``realized_pnl``/``fees_paid`` the ledger's all-time totals right after it, ``round_trip``
    the round trip this fill completed, if any. ``decision_mid`` is the mid the slippage was
    measured against, when known.
    """

    fill: Fill
    position: Position
    realized_pnl: Decimal
    fees_paid: Decimal
    round_trip: RoundTrip | None = None
    decision_mid: Decimal | None = None


class _Trip:
    """Running totals of the round trip in progress, for its ``RoundTrip`` record."""

    __slots__ = ("entry_basis", "entry_qty", "exit_basis", "exit_qty", "fees", "gross")

    def __init__(self, entry_qty: Decimal = ZERO, entry_basis: Decimal = ZERO) -> None:
        self.entry_qty = entry_qty
        self.entry_basis = entry_basis
        self.exit_qty = ZERO
        self.exit_basis = ZERO
        self.gross = ZERO
        self.fees = ZERO


class Ledger:
    """Books fills of one instrument and answers what they add up to."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self._inverse = instrument.contract_type is ContractType.INVERSE
        self._quantity = ZERO  # signed
        self._basis = ZERO  # of the open quantity, see the module docstring
        self._opened_wall_ns = 0
        self._trip = _Trip()
        self.realized_pnl = ZERO  # gross, all time
        self.fees_paid = ZERO  # all time
        self._position: Position | None = None  # cached until the next fill or restore

    # -- booking -------------------------------------------------------------------------

    def apply(self, fill: Fill) -> RoundTrip | None:
        """Book one fill; returns the round trip when the position went back to flat."""
        if fill.product != self.symbol:
            raise ValueError(f"fill for {fill.product} booked in the {self.symbol} ledger")
        if fill.quantity < 0 or fill.price <= 0:
            raise ValueError(f"invalid fill {fill.fill_id}: quantity or price out of range")
        if fill.quantity == 0:
            return None
        self._position = None
        self.fees_paid += fill.fee
        direction = fill.side.sign
        held = self._quantity
        if held == 0 or (held > 0) == (direction > 0):
            self._open(fill.quantity, fill.price, fill.fee, direction, fill.wall_ns)
            return None

        closing = min(fill.quantity, abs(held))
        close_fee = fill.fee
        if closing < fill.quantity:
            close_fee = (fill.fee * closing / fill.quantity).quantize(
                FEE_QUANTUM, rounding=ROUND_HALF_UP
            )
        trip = self._trip
        share = self._basis
        if closing != abs(held):
            share = (self._basis * closing / abs(held)).quantize(self._basis_quantum)
        gross = self._pnl(closing, share, fill.price, -direction)
        self._basis -= share
        self._quantity += direction * closing
        self.realized_pnl += gross
        trip.gross += gross
        trip.fees += close_fee
        trip.exit_qty += closing
        trip.exit_basis += self._value(closing, fill.price)
        if self._quantity != 0:
            return None

        round_trip = RoundTrip(
            product=self.instrument.symbol,
            side=Side.SELL if direction > 0 else Side.BUY,  # the entry side: opposite of this fill
            quantity=trip.entry_qty,
            entry_price=self._average(trip.entry_qty, trip.entry_basis),
            exit_price=self._average(trip.exit_qty, trip.exit_basis),
            gross_pnl=trip.gross,
            fees=trip.fees,
            net_pnl=trip.gross - trip.fees,
            opened_wall_ns=self._opened_wall_ns,
            closed_wall_ns=fill.wall_ns,
        )
        self._basis = ZERO
        self._trip = _Trip()
        rest = fill.quantity - closing
        if rest > 0:  # crossed through zero: the rest opens a new position
            self._open(rest, fill.price, fill.fee - close_fee, direction, fill.wall_ns)
        return round_trip

    def _open(
        self, quantity: Decimal, price: Decimal, fee: Decimal, direction: int, wall_ns: int
    ) -> None:
        if self._quantity == 0:
            self._opened_wall_ns = wall_ns
            self._trip = _Trip()
        value = self._value(quantity, price)
        self._quantity += direction * quantity
        self._basis += value
        self._trip.entry_qty += quantity
        self._trip.entry_basis += value
        self._trip.fees += fee

    # -- reading -------------------------------------------------------------------------

    @property
    def symbol(self) -> str:
        return self.instrument.symbol

    @property
    def position(self) -> Position:
        if self._position is None:
            quantity = self._quantity
            self._position = Position(
                product=self.instrument.symbol,
                quantity=quantity,
                entry_price=self._average(abs(quantity), self._basis) if quantity else ZERO,
                opened_wall_ns=self._opened_wall_ns if quantity else 0,
                fees=self._trip.fees if quantity else ZERO,
            )
        return self._position

    @property
    def net_realized(self) -> Decimal:
        return self.realized_pnl - self.fees_paid

    def unrealized_pnl(self, mark: Decimal) -> Decimal:
        """Gross P&L of the open position if closed at ``mark`` (no fees), in USD."""
        if self._quantity == 0:
            return ZERO
        direction = 1 if self._quantity > 0 else -1
        return self._pnl(abs(self._quantity), self._basis, mark, direction)

    def notional_usd(self, mark: Decimal) -> Decimal:
        """Absolute USD value of the open position at ``mark``."""
        return self.instrument.notional_usd(self._quantity, mark)

    # -- resume --------------------------------------------------------------------------

    def restore(self, position: Position, *, realized_pnl: Decimal, fees_paid: Decimal) -> None:
        """Continue from a stored state. The open position's round trip restarts from it:
        P&L already realized by partial closes before the restart stays in ``realized_pnl`` but
        is not repeated in the next ``RoundTrip`` record."""
        if position.product != self.symbol:
            raise ValueError(f"position of {position.product} restored into {self.symbol}")
        quantity = position.quantity
        if quantity != 0 and position.entry_price <= 0:
            raise ValueError(f"open position of {position.product} without an entry price")
        self._quantity = quantity
        self._basis = self._value(abs(quantity), position.entry_price) if quantity else ZERO
        self._opened_wall_ns = position.opened_wall_ns if quantity else 0
        self._trip = _Trip(abs(quantity), self._basis)
        self._trip.fees = position.fees if quantity else ZERO
        self.realized_pnl = realized_pnl
        self.fees_paid = fees_paid
        self._position = None

    # -- arithmetic ----------------------------------------------------------------------

    @property
    def _basis_quantum(self) -> Decimal:
        return BASE_VALUE_QUANTUM if self._inverse else PNL_QUANTUM

    def _value(self, quantity: Decimal, price: Decimal) -> Decimal:
        """Basis contribution of ``quantity`` at ``price`` (exact for linear products)."""
        if self._inverse:
            return (quantity * self.instrument.contract_size / price).quantize(BASE_VALUE_QUANTUM)
        return quantity * price

    def _pnl(
        self, quantity: Decimal, basis: Decimal, exit_price: Decimal, direction: int
    ) -> Decimal:
        """USD P&L of closing ``quantity`` whose basis is ``basis`` at ``exit_price``."""
        if self._inverse:
            pnl = basis * exit_price - quantity * self.instrument.contract_size
            return (direction * pnl).quantize(PNL_QUANTUM)
        return direction * (quantity * exit_price - basis)

    def _average(self, quantity: Decimal, basis: Decimal) -> Decimal:
        if quantity == 0 or basis == 0:
            return ZERO
        if self._inverse:
            return (quantity * self.instrument.contract_size / basis).quantize(PRICE_QUANTUM)
        return (basis / quantity).quantize(PRICE_QUANTUM)
