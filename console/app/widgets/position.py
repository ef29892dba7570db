"""The position: side, size, entry, mark, unrealized and realized P&L, fees; flat says flat."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal

from textual.content import Content

from console.app import format as fmt
from console.app.widgets.pane import Pane, pack
from core.engine_state import EngineState


@dataclass(frozen=True, slots=True)
class PositionFacts:
    quantity: Decimal
    entry: Decimal
    mark: Decimal | None
    unrealized: Decimal
    realized: Decimal
    fees: Decimal
    round_trips: int


def pnl(value: Decimal) -> tuple[str, str]:
    style = ".pane--up" if value > 0 else ".pane--down" if value < 0 else ""
    return fmt.money(value, signed=True), style


class PositionPane(Pane):
    def __init__(self, *, price_decimals: int, id: str | None = None) -> None:
        super().__init__(id=id, title="Position")
        self._price_decimals = price_decimals

    def facts(self, state: EngineState) -> Hashable:
        position = state.position
        return PositionFacts(
            position.quantity,
            position.entry_price,
            state.mark_price,
            state.unrealized_pnl,
            state.realized_pnl,
            state.fees_paid,
            state.round_trips,
        )

    def draw(self, facts: Hashable, width: int, height: int) -> list[Content]:
        assert isinstance(facts, PositionFacts)
        muted = ".pane--muted"
        price = self._price_decimals
        chunks: list[Content] = []
        if facts.quantity == 0:
            chunks.append(Content.assemble(("FLAT", ".pane--strong"), (" no open position", muted)))
        else:
            side = ("LONG", ".pane--up") if facts.quantity > 0 else ("SHORT", ".pane--down")
            chunks += [
                Content.assemble(
                    side, f" {abs(facts.quantity)} ", ("@ ", muted), fmt.price(facts.entry, price)
                ),
                Content.assemble(("mark ", muted), fmt.price(facts.mark, price)),
                Content.assemble(("unrealized ", muted), pnl(facts.unrealized)),
            ]
        net = facts.realized - facts.fees + facts.unrealized
        chunks += [
            Content.assemble(("realized ", muted), pnl(facts.realized)),
            Content.assemble(("fees ", muted), fmt.money(facts.fees)),
            Content.assemble(("net ", muted), pnl(net)),
            Content.styled(f"{facts.round_trips} round trips", muted),
        ]
        return pack(chunks, width)[:height]
