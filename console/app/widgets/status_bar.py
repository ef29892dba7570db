"""The status bar: mode badge, venue, symbol, book state, latency, feed rate, session, UTC clock.

One line when the terminal is wide enough, two when it is not (nothing is dropped).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import ClassVar

from textual.content import Content

from console.app import format as fmt
from console.app.modes import BADGES, Badge
from console.app.widgets.pane import Pane
from core.engine_state import EngineState
from core.enums import BookState

BOOK_STYLE = {
    BookState.LIVE: ".pane--up",
    BookState.SYNCING: ".pane--caution",
    BookState.STALE: ".status--stale",
}


@dataclass(frozen=True, slots=True)
class StatusFacts:
    badge: Badge
    venue: str
    symbol: str
    book: BookState
    paused: bool
    p50_ns: int | None  # None: nothing measured (a replay's clock stands still while it works)
    p99_ns: int | None
    frames_per_s: int | None
    session: str
    clock: str


class StatusBar(Pane):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status--stale",
        "status--paused",
        *(f"status--{badge.css}" for badge in BADGES),
    }

    def __init__(
        self,
        *,
        latency_measured: bool = True,
        session_label: str = "session ",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._latency_measured = latency_measured
        self._session_label = session_label

    def status_facts(
        self, state: EngineState, badge: Badge, frames_per_s: float | None, session: str
    ) -> StatusFacts:
        latency = state.latency
        measured = self._latency_measured
        return StatusFacts(
            badge=badge,
            venue=state.venue,
            symbol=state.symbol,
            book=state.book.state,
            paused=state.paused,
            p50_ns=latency.p50_ns if measured else None,
            p99_ns=latency.p99_ns if measured else None,
            frames_per_s=None if frames_per_s is None else round(frames_per_s),
            session=session,
            clock=fmt.utc_clock(state.wall_ns),
        )

    def draw(self, facts: Hashable, width: int, height: int) -> list[Content]:
        assert isinstance(facts, StatusFacts)
        sep = (" · ", ".pane--muted")
        muted = ".pane--muted"
        paused = [" ", (" PAUSED ", ".status--paused")] if facts.paused else []
        where = Content.assemble(
            (f" {facts.badge.label} ", f".status--{facts.badge.css}"),
            *paused,
            f" {facts.venue}",
            sep,
            (facts.symbol, ".pane--strong"),
        )
        if facts.p50_ns is None or facts.p99_ns is None:
            latency = Content.styled("latency n/a", muted)  # nothing measured: no figure
        else:
            latency = Content.assemble(
                ("p50 ", muted),
                fmt.latency(facts.p50_ns),
                ("  p99 ", muted),
                fmt.latency(facts.p99_ns),
            )
        health = Content.assemble(
            ("book ", muted),
            (facts.book.value, BOOK_STYLE[facts.book]),
            sep,
            latency,
            sep,
            ("feed ", muted),
            fmt.rate(facts.frames_per_s),
            sep,
            (self._session_label, muted),
            facts.session,
        )
        clock = (f"{facts.clock} UTC", ".pane--strong")
        one_line = Content.assemble(where, sep, health)
        if height < 2 or one_line.cell_length + len(clock[0]) + 2 <= width:
            return [_spread(one_line, clock, width)]
        return [_spread(where, clock, width), Content.assemble(" ", health)]


def _spread(left: Content, right: tuple[str, str], width: int) -> Content:
    gap = width - left.cell_length - len(right[0])
    if gap < 1:
        return left
    return Content.assemble(left, " " * gap, right)
