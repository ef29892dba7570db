"""The order-book ladder: asks above, bids below, size bars, mid and spread, your entry marked."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal

from textual.content import Content

from console.app import format as fmt
from console.app.widgets.pane import Pane
from core.engine_state import EngineState
from core.enums import BookState
from core.events import Level

EIGHTHS = " ▏▎▍▌▋▊▉"
ENTRY_MARK = "◆"
ASK = (".pane--down", ".pane--down-bar")
BID = (".pane--up", ".pane--up-bar")


@dataclass(frozen=True, slots=True)
class Columns:
    price: int
    size: int
    bar: int
    biggest: float  # the largest size shown: its bar is full width


@dataclass(frozen=True, slots=True)
class LadderFacts:
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]
    mid: float | None
    spread_bps: float | None
    state: BookState
    entry: Decimal | None  # the open position's entry price


def bar(fraction: float, width: int) -> str:
    """A horizontal bar ``fraction`` (0..1) of ``width`` cells, in eighths of a cell."""
    eighths = max(0, min(width * 8, round(fraction * width * 8)))
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


class OrderBookPane(Pane):
    def __init__(self, *, price_decimals: int, size_decimals: int, id: str | None = None) -> None:
        super().__init__(id=id, title="Book")
        self._price_decimals = price_decimals
        self._size_decimals = size_decimals

    @property
    def levels_wanted(self) -> int:
        """How many levels a side the pane can show at its current height."""
        return max(1, (self.size.height - 1) // 2)

    def facts(self, state: EngineState) -> Hashable:
        book = state.book
        n = self.levels_wanted
        entry = None if state.position.is_flat else state.position.entry_price
        return LadderFacts(
            book.bids[:n], book.asks[:n], book.mid, book.spread_bps, book.state, entry
        )

    def draw(self, facts: Hashable, width: int, height: int) -> list[Content]:
        assert isinstance(facts, LadderFacts)
        n = max(1, (height - 1) // 2)
        bids, asks = facts.bids[:n], facts.asks[:n]
        if not bids and not asks:
            return [Content.styled(f"no book ({facts.state.value})", ".pane--muted")]
        shown = bids + asks
        price_w = max(len(fmt.price(p, self._price_decimals)) for p, _ in shown)
        size_w = max(len(f"{s:.{self._size_decimals}f}") for _, s in shown)
        columns = Columns(
            price_w, size_w, max(0, width - price_w - size_w - 4), max(s for _, s in shown) or 1.0
        )
        marked = self._entry_level(facts)
        stale = facts.state is not BookState.LIVE
        rows = [Content("")] * (n - len(asks))
        rows += [
            self._row(level, ASK, columns, level[0] == marked, stale) for level in reversed(asks)
        ]
        rows.append(self._mid_line(facts, marked, width))
        rows += [self._row(level, BID, columns, level[0] == marked, stale) for level in bids]
        return rows

    def _row(
        self, level: Level, side: tuple[str, str], columns: Columns, marked: bool, stale: bool
    ) -> Content:
        price, size = level
        price_style, bar_style = (".pane--muted", ".pane--muted") if stale else side
        return Content.assemble(
            (ENTRY_MARK, ".pane--mark") if marked else " ",
            (fmt.price(price, self._price_decimals).rjust(columns.price), price_style),
            " ",
            f"{size:.{self._size_decimals}f}".rjust(columns.size),
            "  ",
            (bar(size / columns.biggest, columns.bar), bar_style),
        )

    def _mid_line(self, facts: LadderFacts, marked: float | None, width: int) -> Content:
        if facts.mid is None:
            return Content.styled(f" mid —  {facts.state.value}", ".pane--muted")
        muted = ".pane--muted"
        mid = (fmt.price(facts.mid, self._price_decimals + 1), ".pane--strong")
        spread = "—" if facts.spread_bps is None else f"{facts.spread_bps:.2f} bps"
        entry: list[str | tuple[str, str]] = []
        if facts.entry is not None and marked is None:  # not on a shown level: say where
            entry = [
                (f"{ENTRY_MARK} {fmt.price(facts.entry, self._price_decimals)}", ".pane--mark")
            ]
        state = [(facts.state.value, ".pane--caution")] if facts.state is not BookState.LIVE else []
        wide = Content.assemble(
            (" mid ", muted),
            mid,
            ("  spread ", muted),
            spread,
            *(["  ", ("entry ", muted), *entry] if entry else []),
            *(["  ", *state] if state else []),
        )
        if wide.cell_length <= width:
            return wide
        return Content.assemble(
            (" mid ", muted),
            mid,
            " ",
            spread.replace(" ", ""),
            *([" ", *entry] if entry else []),
            *([" ", *state] if state else []),
        )

    @staticmethod
    def _entry_level(facts: LadderFacts) -> float | None:
        """The shown level nearest the entry price, when the entry lies within the shown range."""
        if facts.entry is None:
            return None
        levels = [p for p, _ in facts.bids + facts.asks]
        entry = float(facts.entry)
        best_bid = facts.bids[0][0] if facts.bids else None
        best_ask = facts.asks[0][0] if facts.asks else None
        if best_bid is not None and best_ask is not None and best_bid < entry < best_ask:
            return None  # inside the spread: shown on the mid line
        if not levels or not min(levels) <= entry <= max(levels):
            return None
        return min(levels, key=lambda p: abs(p - entry))
