"""The imbalance gauge: where the active signal sits between bearish and bullish, its entry
thresholds marked, and a sparkline of the recent history.

For the guide's ratio the scale is logarithmic and symmetric around 1.0 (balanced): 3x bullish
sits as far right as 1/3x sits left, and the ends are twice the entry ratio either way. Every
other signal is signed around 0 on a linear scale whose ends are twice its entry threshold; the
title then names the signal.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

from textual.content import Content, Span

from console.app import format as fmt
from console.app.widgets.pane import Pane
from core.engine_state import EngineState
from core.signal import ImbalanceHistory
from core.strategy import StrategyParams

SPARKS = "▁▂▃▄▅▆▇█"
SAMPLE_EVERY_NS = 250_000_000  # one history point per quarter second of engine time


@dataclass(frozen=True, slots=True)
class GaugeFacts:
    ratio: float
    history: tuple[float, ...]
    live: bool


class ImbalancePane(Pane):
    def __init__(
        self, *, strategy: StrategyParams, id: str | None = None, capacity: int = 240
    ) -> None:
        super().__init__(id=id, title="Imbalance")
        self._signal = info = strategy.signal_info
        self._log = info.multiplicative
        self._sell_at, self._entry = strategy.thresholds[:2]
        self._centre = 1.0 if self._log else 0.0
        self._span = math.log(self._entry * 2) if self._log else self._entry * 2
        self._history = ImbalanceHistory(capacity)
        self._last_bucket: int | None = None
        self._scales: dict[int, Content] = {}

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
        if self._log:
            return f"Imbalance {fmt.ratio(facts.ratio)}"
        return f"Imbalance · {self._signal.name} {self._signal.format(facts.ratio)}"

    def position(self, ratio: float, width: int) -> int:
        """The cell (0..width-1) where ``ratio`` (the signal's value) sits on the gauge."""
        if self._log and ratio <= 0:
            return 0
        if math.isinf(ratio):
            return width - 1 if ratio > 0 else 0
        if math.isnan(ratio):
            return self.position(self._centre, width)
        scaled = math.log(ratio) if self._log else ratio
        x = max(-1.0, min(1.0, scaled / self._span))
        return round((x + 1) / 2 * (width - 1))

    def draw(self, facts: Hashable, width: int, height: int) -> list[Content]:
        assert isinstance(facts, GaugeFacts)
        lines = [self._gauge(facts, width), self._scale(width)]
        if height > 2:
            lines.append(self._sparkline(facts.history, width))
        return lines[:height]

    def _gauge(self, facts: GaugeFacts, width: int) -> Content:
        centre = self.position(self._centre, width)
        here = self.position(facts.ratio, width)
        chars = ["─"] * width
        styles = [".pane--muted"] * width
        for at in (self.position(self._sell_at, width), self.position(self._entry, width)):
            chars[at], styles[at] = "┃", ".pane--caution"
        chars[centre] = "│"
        side = ".pane--up" if here > centre else ".pane--down"
        for i in range(min(here, centre) + 1, max(here, centre)):
            chars[i], styles[i] = "━", side
        chars[here] = "●"
        styles[here] = (
            ".pane--muted" if not facts.live else side if here != centre else ".pane--strong"
        )
        return runs(chars, styles)

    def _scale(self, width: int) -> Content:
        cached = self._scales.get(width)
        if cached is not None:
            return cached
        sell_at = self.position(self._sell_at, width)
        buy_at = self.position(self._entry, width)
        centre = self.position(self._centre, width)
        if self._log:
            left = f"SELL ≤{self._sell_at:.2f}"
            right = f"≥{self._entry:g} BUY"
        else:
            unit = f" {self._signal.unit}" if self._signal.unit else ""
            left = f"SELL ≤{self._sell_at:g}{unit}"
            right = f"≥{self._entry:g}{unit} BUY"
        chars = [" "] * width
        styles = [".pane--muted"] * width

        def put(text: str, start: int, style: str) -> None:
            start = max(0, min(width - len(text), start))
            chars[start : start + len(text)] = list(text)
            styles[start : start + len(text)] = [style] * len(text)

        put(f"{self._centre:g}", centre, ".pane--muted")
        put(left, sell_at - len(left) + 1, ".pane--down")
        put(right, buy_at, ".pane--up")
        self._scales[width] = scale = runs(chars, styles)
        return scale

    def _sparkline(self, history: tuple[float, ...], width: int) -> Content:
        values = history[-width:]
        if not values:
            return Content.styled("history: waiting for a live book", ".pane--muted")
        top = len(SPARKS) - 1
        chars, styles = [], []
        for ratio in values:
            x = self.position(ratio, 2 * top + 1) - top  # -top..top around balanced
            chars.append(SPARKS[min(top, abs(x))])
            styles.append(".pane--up" if x > 0 else ".pane--down" if x < 0 else ".pane--muted")
        return runs(chars, styles)


def runs(chars: list[str], styles: list[str]) -> Content:
    """One cell per character, each with its style, as Content with one span per run of a style."""
    spans = []
    start = 0
    for i in range(1, len(chars) + 1):
        if i == len(chars) or styles[i] != styles[start]:
            spans.append(Span(start, i, styles[start]))
            start = i
    return Content("".join(chars), spans)
