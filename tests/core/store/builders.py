"""Small builders for store tests: a fake clock and records that add up like a real ledger's."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.enums import Mode, Side, SignalAction
from core.events import Fill, RoundTrip, Signal
from core.ledger import Position
from core.store import BookedFill, SessionSpec

SECOND = 1_000_000_000
DAY = 86_400 * SECOND
T0 = 1_717_200_000 * SECOND  # 2024-06-01 00:00:00 UTC
PRODUCT = "PF_XBTUSD"


class FakeClock:
    """Wall-clock ns that only moves when told to."""

    def __init__(self, now_ns: int = T0 + 9 * 3600 * SECOND) -> None:
        self.now_ns = now_ns

    def __call__(self) -> int:
        return self.now_ns

    def advance(self, seconds: float) -> None:
        self.now_ns += round(seconds * SECOND)


def spec(name: str = "60days_kraken", **overrides: object) -> SessionSpec:
    fields: dict[str, object] = {
        "name": name,
        "venue": "kraken",
        "symbol": PRODUCT,
        "mode": Mode.PAPER,
        "parameters": {"entry_ratio": Decimal("3.0"), "max_trades_per_day": 10},
    }
    fields.update(overrides)
    return SessionSpec(**fields)  # type: ignore[arg-type]


def signal(
    number: int, wall_ns: int, action: SignalAction = SignalAction.BUY, **kw: object
) -> Signal:
    fields: dict[str, object] = {
        "number": number,
        "product": PRODUCT,
        "action": action,
        "price": Decimal("43500.5"),
        "quantity": Decimal("0.0023"),
        "ratio": 3.2,
        "reason": "Strong bullish imbalance (3.2x)",
        "wall_ns": wall_ns,
    }
    fields.update(kw)
    return Signal(**fields)  # type: ignore[arg-type]


@dataclass
class PaperLedger:
    """A tiny long-only ledger for tests: open with a BUY, close with a SELL of the same size."""

    realized: Decimal = Decimal(0)
    fees_paid: Decimal = Decimal(0)
    entry: Fill | None = None
    counter: int = 0

    def open(self, price: str, qty: str, wall_ns: int, fee: str = "0.05") -> BookedFill:
        fill = self._fill(Side.BUY, price, qty, fee, wall_ns)
        self.entry = fill
        self.fees_paid += fill.fee
        position = Position(PRODUCT, fill.quantity, fill.price, wall_ns, fill.fee)
        return BookedFill(fill, position, self.realized, self.fees_paid)

    def close(self, price: str, wall_ns: int, fee: str = "0.05") -> BookedFill:
        entry = self.entry
        assert entry is not None
        fill = self._fill(Side.SELL, price, str(entry.quantity), fee, wall_ns)
        gross = (fill.price - entry.price) * entry.quantity
        fees = entry.fee + fill.fee
        self.realized += gross
        self.fees_paid += fill.fee
        trip = RoundTrip(
            product=PRODUCT,
            side=Side.BUY,
            quantity=entry.quantity,
            entry_price=entry.price,
            exit_price=fill.price,
            gross_pnl=gross,
            fees=fees,
            net_pnl=gross - fees,
            opened_wall_ns=entry.wall_ns,
            closed_wall_ns=wall_ns,
        )
        self.entry = None
        flat = Position(PRODUCT, Decimal(0), Decimal(0), 0, Decimal(0))
        return BookedFill(fill, flat, self.realized, self.fees_paid, trip)

    def _fill(self, side: Side, price: str, qty: str, fee: str, wall_ns: int) -> Fill:
        self.counter += 1
        return Fill(
            product=PRODUCT,
            side=side,
            price=Decimal(price),
            quantity=Decimal(qty),
            fee=Decimal(fee),
            wall_ns=wall_ns,
            client_order_id=f"order-{self.counter}",
            fill_id=f"fill-{self.counter}",
            slippage_bps=Decimal("1.25"),
        )
