"""The position: side, size, entry, mark, unrealized and realized P&L, fees; flat says flat.

Under it, the venue's dead man's switch (``core.dead_man``): armed and refreshed, FIRED and
re-armed, held off for maintenance, or off (paper, dry run), which goes first when space is short.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal

from textual.content import Content

from console import totals
from console.app import format as fmt
from console.app.widgets.pane import Pane, pack
from console.totals import SessionBase, Totals
from core.dead_man import DeadManPhase, DeadManView
from core.engine_state import EngineState


@dataclass(frozen=True, slots=True)
class PositionFacts:
    quantity: Decimal
    entry: Decimal
    mark: Decimal | None
    unrealized: Decimal
    run: Totals
    session: Totals | None  # a resumed session's totals; None when this run is all there is
    switch: tuple[str, DeadManView] | None = None  # the dead man's switch: its words, its state


def pnl(value: Decimal) -> tuple[str, str]:
    style = ".pane--up" if value > 0 else ".pane--down" if value < 0 else ""
    return fmt.money(value, signed=True), style


# A piece of a line, and when it may go if space is short: 0 never, 1 first, 2 next.
Chunk = tuple[Content, int]
ALWAYS, FIRST_TO_GO, NEXT_TO_GO = 0, 1, 2


class PositionPane(Pane):
    """Net is closed trades minus fees; the open position's unrealized P&L stands beside it.

    A resumed session shows this run and the session on their own lines: its ledger (realized,
    fees) is the session's, its round-trip count starts with the process (``console.totals``).
    """

    def __init__(
        self, *, price_decimals: int, base: SessionBase | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id, title="Position")
        self._price_decimals = price_decimals
        self._base = base
        self.dead_man: DeadManView | None = None  # the host's, set by the app each frame

    def facts(self, state: EngineState) -> Hashable:
        position = state.position
        base = self._base
        return PositionFacts(
            position.quantity,
            position.entry_price,
            state.mark_price,
            state.unrealized_pnl,
            totals.this_run(state, base),
            totals.session(state, base) if base is not None else None,
            None if self.dead_man is None else (self.dead_man.text(state.wall_ns), self.dead_man),
        )

    def draw(self, facts: Hashable, width: int, height: int) -> list[Content]:
        assert isinstance(facts, PositionFacts)
        held = self._position(facts)
        if facts.session is None:
            paragraphs = [held + self._money(facts.run, None)]
        else:
            label_width = len(f"{facts.session.round_trips}")
            paragraphs = [
                held,
                self._money(facts.run, ("this run", label_width)),
                self._money(facts.session, ("session ", label_width)),
            ]
        kept: list[Content] = []  # the switch's lines when it must show (live): never cut
        if facts.switch is not None:
            chunks, goes = _switch(*facts.switch)
            if goes == ALWAYS:
                kept = pack(chunks, width)[:height]
            else:
                paragraphs.append([(Content.assemble(*_spaced(chunks)), goes)])
        room = height - len(kept)
        for dropped in (ALWAYS, FIRST_TO_GO, NEXT_TO_GO):
            lines = [
                line
                for paragraph in paragraphs
                for line in pack([c for c, goes in paragraph if not 0 < goes <= dropped], width)
            ]
            if len(lines) <= room:
                break
        return lines[:room] + kept

    def _position(self, facts: PositionFacts) -> list[Chunk]:
        muted = ".pane--muted"
        price = self._price_decimals
        if facts.quantity == 0:
            return [
                (Content.assemble(("FLAT", ".pane--strong"), (" no open position", muted)), ALWAYS)
            ]
        side = ("LONG", ".pane--up") if facts.quantity > 0 else ("SHORT", ".pane--down")
        return [
            (
                Content.assemble(
                    side, f" {abs(facts.quantity)} ", ("@ ", muted), fmt.price(facts.entry, price)
                ),
                ALWAYS,
            ),
            (Content.assemble(("mark ", muted), fmt.price(facts.mark, price)), NEXT_TO_GO),
            (Content.assemble(("unrealized ", muted), pnl(facts.unrealized)), ALWAYS),
        ]

    @staticmethod
    def _money(scope: Totals, label: tuple[str, int] | None) -> list[Chunk]:
        """Realized, fees and net (= realized - fees) of one scope, with its round trips."""
        muted = ".pane--muted"
        detail = ALWAYS if label is None else FIRST_TO_GO
        amounts: list[Chunk] = [
            (Content.assemble(("realized ", muted), pnl(scope.realized_pnl)), detail),
            (Content.assemble(("fees ", muted), fmt.money(scope.fees)), detail),
            (Content.assemble(("net ", muted), pnl(scope.net_pnl)), ALWAYS),
        ]
        trips = "round trip" if scope.round_trips == 1 else "round trips"
        if label is None:
            return [*amounts, (Content.styled(f"{scope.round_trips} {trips}", muted), ALWAYS)]
        name, count_width = label
        head = Content.assemble(
            (name, ".pane--strong"), f" {scope.round_trips:>{count_width}} ", (trips, muted)
        )
        return [(head, ALWAYS), *amounts]


def _switch(text: str, view: DeadManView) -> tuple[list[Content], int]:
    """``dead man's switch armed 60 s  refreshed 12 s ago`` as chunks that wrap, and when it
    may go: off first when space is short; armed, fired or held for maintenance never."""
    if view.phase is DeadManPhase.OFF:
        style, goes = ".pane--muted", FIRST_TO_GO
    elif view.fired_at or view.failures or view.phase is DeadManPhase.MAINTENANCE:
        style, goes = ".pane--caution", ALWAYS
    else:
        style, goes = ".pane--up", ALWAYS
    first, *rest = text.split(" · ")
    label = Content.assemble(("dead man's switch ", ".pane--muted"), (first, style))
    return [label, *(Content.styled(part, style) for part in rest)], goes


def _spaced(chunks: list[Content]) -> list[Content | str]:
    spaced: list[Content | str] = []
    for chunk in chunks:
        spaced += [" · ", chunk] if spaced else [chunk]
    return spaced
