"""One line above the footer: the kill switch while it is engaged (impossible to miss), else the
engine's latest notice (mode changes, venue errors, resyncs)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import ClassVar

from textual.content import Content

from console.app.widgets.pane import Pane, fit
from core.engine_state import EngineState, KillSwitchPhase

BANNER = {
    KillSwitchPhase.FLATTENING: (".kill--flattening", "KILL SWITCH flattening: "),
    KillSwitchPhase.FLAT: (".kill--flat", "KILL SWITCH "),
    KillSwitchPhase.FAILED: (".kill--failed", "KILL SWITCH "),
}
HINT = {
    KillSwitchPhase.FLAT: " · entries stopped (p resumes)",
    KillSwitchPhase.FAILED: " · entries stopped (f tries again)",
}


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    phase: KillSwitchPhase
    detail: str
    notice: str


class NoticeBar(Pane):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"kill--flattening", "kill--flat", "kill--failed"}

    def __init__(
        self, *, hints: dict[KillSwitchPhase, str] | None = None, id: str | None = None
    ) -> None:
        """``hints``: what the user can do next, per kill switch phase (the keys differ)."""
        super().__init__(id=id)
        self._hints = HINT if hints is None else hints

    def facts(self, state: EngineState) -> Hashable:
        kill = state.kill_switch
        return NoticeFacts(kill.phase, kill.detail, state.notices[-1] if state.notices else "")

    def draw(self, facts: Hashable, width: int, height: int) -> list[Content]:
        assert isinstance(facts, NoticeFacts)
        if facts.phase is KillSwitchPhase.IDLE:
            return [Content.styled(fit(f" {facts.notice}", width), ".pane--muted")]
        style, prefix = BANNER[facts.phase]
        text = f"{prefix}{facts.detail}{self._hints.get(facts.phase, '')}"
        return [Content.styled(fit(text, width).ljust(width), style)]
