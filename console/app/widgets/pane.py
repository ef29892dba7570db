"""The base of every pane: draw from engine state, and only when what it shows changed.

The app hands each pane the latest ``EngineState`` at display rate. ``facts`` picks the few
values the pane shows (cheap, every frame); when they equal the last frame's, nothing happens.
Otherwise the pane asks for a repaint and ``draw`` builds its ``Content`` once, for its current
size. Colours live in the app stylesheet as component classes (``.pane--up`` ...), so the
Python side names meanings, never colours.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from textual.content import Content
from textual.widget import Widget

from core.engine_state import EngineState

WAITING = Content.styled("waiting for the engine…", ".pane--muted")


class Pane(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "pane--muted",
        "pane--strong",
        "pane--up",
        "pane--down",
        "pane--caution",
        "pane--info",
        "pane--up-bar",
        "pane--down-bar",
        "pane--mark",
    }

    def __init__(self, *, id: str | None = None, title: str = "") -> None:
        super().__init__(id=id)
        if title:
            self.border_title = title
        self._facts: Hashable | None = None

    def facts(self, state: EngineState) -> Hashable:
        """The values this pane shows, as something comparable."""
        raise NotImplementedError

    def draw(self, facts: Hashable, width: int, height: int) -> Content:
        raise NotImplementedError

    def show(self, state: EngineState) -> bool:
        """Take the new state; True when the pane will repaint."""
        return self.show_facts(self.facts(state))

    def show_facts(self, facts: Hashable) -> bool:
        if facts == self._facts:
            return False
        self._facts = facts
        self.refresh()
        return True

    def render(self) -> Content:
        if self._facts is None:
            return WAITING
        size = self.size
        return self.draw(self._facts, size.width, size.height)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis (the panes use single-cell characters)."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1] + "…"


def pack(chunks: list[Content], width: int, gap: str = "  ") -> list[Content]:
    """Lay ``chunks`` out left to right, starting a new line when the next one does not fit."""
    lines: list[Content] = []
    line: Content | None = None
    for chunk in chunks:
        if line is None:
            line = chunk
        elif line.cell_length + len(gap) + chunk.cell_length <= width:
            line = Content.assemble(line, gap, chunk)
        else:
            lines.append(line)
            line = chunk
    if line is not None:
        lines.append(line)
    return lines
