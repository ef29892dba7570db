"""The base of every pane: draw from engine state, and only when what it shows changed.

The app hands each pane the latest ``EngineState`` at display rate. ``facts`` picks the few
values the pane shows (cheap, every frame); when they equal the last frame's, nothing happens.
Otherwise the pane asks for a repaint and ``draw`` lays its lines out once, for its current size.
Painting uses Textual's line API: each line becomes a ``Strip`` only when its text or styles
changed since the last frame (a ladder row whose level did not move is not rebuilt). Colours live
in the app stylesheet as component classes (``.pane--up`` ...), so the Python side names
meanings, never colours.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from rich.segment import Segment
from textual.color import Color
from textual.content import Content, Span
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

from core.engine_state import EngineState

WAITING = [Content.styled("waiting for the engine…", ".pane--muted")]
LineKey = tuple[str, tuple[Span, ...]]


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
        self._version = 0
        self._strips: list[Strip] = []
        self._strips_key: tuple[int, int, int] | None = None
        self._strip_cache: dict[LineKey, Strip] = {}
        self._styles: dict[str | Style, Style] = {}

    def facts(self, state: EngineState) -> Hashable:
        """The values this pane shows, as something comparable."""
        raise NotImplementedError

    def draw(self, facts: Hashable, width: int, height: int) -> list[Content]:
        """The pane's lines for these facts at this size (longer lines are cut at the edge)."""
        raise NotImplementedError

    def title(self, facts: Hashable) -> str | None:
        """The border title for these facts (None: keep the one given at construction)."""
        return None

    def show(self, state: EngineState) -> bool:
        """Take the new state; True when the pane will repaint."""
        return self.show_facts(self.facts(state))

    def show_facts(self, facts: Hashable) -> bool:
        if facts == self._facts:
            return False
        self._facts = facts
        self._version += 1
        title = self.title(facts)
        if title is not None and title != self.border_title:
            self.border_title = title  # set here, never while painting: it repaints the border
        self._refresh_changed_lines()
        return True

    def _refresh_changed_lines(self) -> None:
        """Repaint only the lines whose strip changed (a whole pane when its size changed)."""
        width, height = self.size
        before, before_key = self._strips, self._strips_key
        if (
            not self.is_mounted
            or not width
            or before_key is None
            or before_key[1:] != (width, height)
        ):
            self.refresh()
            return
        after = self._current_strips()
        for y in range(max(len(before), len(after))):
            if y >= len(before) or y >= len(after) or before[y] is not after[y]:
                self.refresh(Region(0, y, width, 1))

    @property
    def plain_text(self) -> str:
        """What the pane shows now, without styles (tests, logs)."""
        width, height = self.size
        lines = WAITING if self._facts is None else self.draw(self._facts, width, height)
        return "\n".join(line.plain for line in lines[:height])

    def _style(self, name: str | Style) -> Style:
        """A span's style; ``.component`` names come from the stylesheet, background included
        (Textual's own lookup keeps only the foreground of a component class)."""
        style = self._styles.get(name)
        if style is None:
            style = self._get_style(name)
            if isinstance(name, str) and name.startswith("."):
                background = self.get_component_rich_style(name[1:], partial=True).bgcolor
                if background is not None:
                    style = style + Style(background=Color.from_rich_color(background))
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        strips = self._current_strips()
        if y < len(strips):
            return strips[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)

    def _current_strips(self) -> list[Strip]:
        width, height = self.size
        key = (self._version, width, height)
        if key == self._strips_key:
            return self._strips
        if self._strips_key is None or self._strips_key[1] != width:
            self._strip_cache = {}
        lines = WAITING if self._facts is None else self.draw(self._facts, width, height)
        base = self.visual_style
        previous = self._strip_cache
        cache: dict[LineKey, Strip] = {}
        strips = []
        for line in lines[:height]:
            line_key = (line.plain, tuple(line.spans))
            strip = cache.get(line_key) or previous.get(line_key)
            if strip is None:
                segments = [
                    Segment(text, style.rich_style)
                    for text, style in line.render(base, end="", parse_style=self._style)
                ]
                strip = Strip(segments).adjust_cell_length(width, base.rich_style)
            cache[line_key] = strip
            strips.append(strip)
        self._strip_cache = cache
        self._strips = strips
        self._strips_key = key
        return strips


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
