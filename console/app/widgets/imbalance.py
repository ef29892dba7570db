"""The imbalance gauge: where bid/ask size sits between bearish and bullish, entry thresholds
marked, and a sparkline of the recent history.

The scale is logarithmic and symmetric around 1.0 (balanced): 3x bullish sits as far right as
1/3x sits left, and the ends are twice the entry ratio either way.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

from textual.content import Content

from console.app import format as fmt
from console.app.widgets.pane import Pane
from core.engine_state import EngineState
from core.signal import ImbalanceHistory

SPARKS = "▁▂▃▄▅▆▇█"
SAMPLE_EVERY_NS = 250_000_000  # one history point per quarter second of engine time


@dataclass(frozen=True, slots=True)
class GaugeFacts:
    ratio: float
    history: tuple[float, ...]
    live: bool


class ImbalancePane(Pane):
    def __init__(self, *, entry_ratio: float, id: str | None = None, capacity: int = 240) -> None:
        super().__init__(id=id, title="Imbalance")
        self._entry = entry_ratio
        self._span = math.log(entry_ratio * 2)
        self._history = ImbalanceHistory(capacity)
        self._last_bucket: int | None = None

    def facts(self, state: EngineState) -> Hashable:
        live = state.book.state.value == "LIVE"
        ratio = state.book.ratio
        bucket = state.wall_ns // SAMPLE_EVERY_NS
        if live and bucket != self._last_bucket:
            self._last_bucket = bucket
            self._history.append(ratio)
        return GaugeFacts(round(ratio, 2), tuple(self._history.values()), live)

    def title(self, facts: Hashable) -> str | None:
        assert isinstance(facts, GaugeFacts)
        return f"Imbalance {fmt.ratio(facts.ratio)}"

    def position(self, ratio: float, width: int) -> int:
        """The cell (0..width-1) where ``ratio`` sits on the gauge."""
        if ratio <= 0:
            return 0
        if math.isinf(ratio):
            return width - 1
        x = max(-1.0, min(1.0, math.log(ratio) / self._span))
        return round((x + 1) / 2 * (width - 1))

    def draw(self, facts: Hashable, width: int, height: int) -> list[Content]:
        assert isinstance(facts, GaugeFacts)
        lines = [self._gauge(facts, width), self._scale(width)]
        if height > 2:
            lines.append(self._sparkline(facts.history, width))
        return lines[:height]

    def _gauge(self, facts: GaugeFacts, width: int) -> Content:
        centre = self.position(1.0, width)
        sell = self.position(1 / self._entry, width)
        buy = self.position(self._entry, width)
        here = self.position(facts.ratio, width)
        cells: list[tuple[str, str]] = []
        for i in range(width):
            if i == here:
                style = (
                    ".pane--muted"
                    if not facts.live
                    else (".pane--up" if here > centre else ".pane--down" if here < centre else "")
                )
                cells.append(("●", style or ".pane--strong"))
            elif min(here, centre) < i < max(here, centre):
                cells.append(("━", ".pane--up" if here > centre else ".pane--down"))
            elif i in (sell, buy):
                cells.append(("┃", ".pane--caution"))
            elif i == centre:
                cells.append(("│", ".pane--muted"))
            else:
                cells.append(("─", ".pane--muted"))
        return Content.assemble(*cells).simplify()

    def _scale(self, width: int) -> Content:
        sell_at = self.position(1 / self._entry, width)
        buy_at = self.position(self._entry, width)
        centre = self.position(1.0, width)
        left = f"SELL ≤{1 / self._entry:.2f}"
        right = f"≥{self._entry:g} BUY"
        line = [" "] * width

        def put(text: str, start: int) -> None:
            start = max(0, min(width - len(text), start))
            line[start : start + len(text)] = list(text)

        put("1", centre)
        put(left, sell_at - len(left) + 1)
        put(right, buy_at)
        text = "".join(line)
        return Content.assemble(
            *(
                (
                    ch,
                    ".pane--down"
                    if i < centre - 1 and ch != " "
                    else ".pane--up"
                    if i > centre + 1 and ch != " "
                    else ".pane--muted",
                )
                for i, ch in enumerate(text)
            )
        ).simplify()

    def _sparkline(self, history: tuple[float, ...], width: int) -> Content:
        values = history[-width:]
        if not values:
            return Content.styled("history: waiting for a live book", ".pane--muted")
        cells = []
        top = len(SPARKS) - 1
        for ratio in values:
            x = self.position(ratio, 2 * top + 1) - top  # -top..top around balanced
            style = ".pane--up" if x > 0 else ".pane--down" if x < 0 else ".pane--muted"
            cells.append((SPARKS[min(top, abs(x))], style))
        return Content.assemble(*cells).simplify()
