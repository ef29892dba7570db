"""The signal log, newest first: what the strategy wanted, at which price and size, and why;
blocked and ignored signals in their own style with the reason they did not trade."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from textual.content import Content

from console.app import format as fmt
from console.app.widgets.pane import Pane, fit
from core.engine_state import EngineState
from core.enums import SignalAction
from core.events import Signal, SignalOutcome

ACTION_STYLE = {
    SignalAction.BUY: ".pane--up",
    SignalAction.SELL: ".pane--down",
    SignalAction.CLOSE: ".pane--info",
}
SHOWN_MAX = 100


@dataclass(frozen=True, slots=True)
class LogFacts:
    total: int
    blocked: int
    ignored: int
    signals: tuple[Signal, ...]


class SignalLogPane(Pane):
    def __init__(
        self, *, price_decimals: int, resumed: bool = False, id: str | None = None
    ) -> None:
        """``resumed``: the numbering goes on from earlier runs, the count is this run's."""
        super().__init__(id=id, title="Signals")
        self._price_decimals = price_decimals
        self._scope = " this run" if resumed else ""

    def facts(self, state: EngineState) -> Hashable:
        return LogFacts(
            state.signals_total,
            state.blocked_total,
            state.ignored_total,
            state.recent_signals[: max(self.size.height, 1)],
        )

    def title(self, facts: Hashable) -> str | None:
        assert isinstance(facts, LogFacts)
        title = f"Signals {facts.total}{self._scope}"
        if facts.blocked:
            title += f" · {facts.blocked} blocked"
        if facts.ignored:
            title += f" · {facts.ignored} ignored"
        return title

    def draw(self, facts: Hashable, width: int, height: int) -> list[Content]:
        assert isinstance(facts, LogFacts)
        if not facts.signals:
            return [Content.styled("no signal yet: waiting for an imbalance", ".pane--muted")]
        return [self._line(s, width) for s in facts.signals[:height]]

    def _line(self, signal: Signal, width: int) -> Content:
        acted = signal.outcome is SignalOutcome.ACTED
        head = Content.assemble(
            (fmt.utc_clock(signal.wall_ns), ".pane--muted"),
            f" #{signal.number:<3} ",
            (f"{signal.action.value:<5}", ACTION_STYLE[signal.action] if acted else ".pane--muted"),
            f" {fmt.price(signal.price, self._price_decimals) if signal.price else 'market'} ",
            (f"{signal.quantity}", ".pane--muted"),
            " ",
        )
        room = width - head.cell_length
        if signal.outcome is SignalOutcome.BLOCKED:
            tail = (fit(f"BLOCKED {signal.block_reason} · {signal.reason}", room), ".pane--caution")
            return Content.assemble(head, tail)
        if signal.outcome is SignalOutcome.IGNORED:
            tail = (fit(f"ignored ({signal.block_reason}) · {signal.reason}", room), ".pane--muted")
            return Content.assemble(head, tail)
        return Content.assemble(head, fit(signal.reason, room))
