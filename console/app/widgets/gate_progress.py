"""Gate progress: days covered of the days required as a bar, win rate and profit factor against
their targets, trades against the minimum, and the verdict (READY only when all of them hold)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from textual.content import Content

from console.app.gates import GateProgress
from console.app.widgets.order_book import bar
from console.app.widgets.pane import Pane, fit, pack

READY_SHORT = "✓ READY FOR LIVE TRADING"
NO_SESSION = ("no paper session", "(start one with l2console paper)")


def mark(met: bool) -> tuple[str, str]:
    return ("✓", ".pane--up") if met else ("✗", ".pane--down")


class GatePane(Pane):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"gate--ready", "gate--not-met"}

    def __init__(self, *, id: str | None = None, link: str | None = None) -> None:
        super().__init__(id=id, title="Gate")
        self._link = f" · {link}" if link else ""  # "c checklist": the key that opens it

    def show_gate(self, progress: GateProgress | None) -> bool:
        return self.show_facts(("gate", progress))

    def title(self, facts: Hashable) -> str | None:
        assert isinstance(facts, tuple)
        progress = facts[1]
        if progress is None:
            return "Gate"
        return f"{progress.gate} · {progress.session}{self._link}"

    def draw(self, facts: Hashable, width: int, height: int) -> list[Content]:
        assert isinstance(facts, tuple)
        progress = facts[1]
        if progress is None:
            return [Content.styled(fit(line, width), ".pane--muted") for line in NO_SESSION]
        assert isinstance(progress, GateProgress)
        muted = ".pane--muted"
        days = f" {progress.days_covered:.1f}/{progress.days_required:g} days "
        bar_w = max(4, width - len(days) - 2)
        filled = min(1.0, progress.days_covered / progress.days_required)
        bar_text = bar(filled, bar_w)
        days_line = Content.assemble(
            (bar_text, ".pane--up-bar" if progress.days_met else ".pane--info"),
            ("·" * (bar_w - len(bar_text)), muted),
            days,
            mark(progress.days_met),
        )
        lines = [days_line, *self._requirements(progress, width, compact=False)]
        if len(lines) + 1 > height:
            lines = [days_line, *self._requirements(progress, width, compact=True)]
        verdict_style = ".gate--ready" if progress.ready else ".gate--not-met"
        text = progress.verdict
        if len(text) > width and progress.ready:
            text = READY_SHORT
        elif len(text) > width and "NOT MET" in text:  # keep what is missing in view
            text = "✗ NOT MET" + text.split("NOT MET", 1)[1]
        verdict = Content.styled(fit(text, width), verdict_style)
        return [*lines[: max(0, height - 1)], verdict]

    @staticmethod
    def _requirements(progress: GateProgress, width: int, *, compact: bool) -> list[Content]:
        muted = ".pane--muted"
        win = "—" if progress.win_rate_pct is None else f"{progress.win_rate_pct:.1f}%"
        pf = "—" if progress.profit_factor is None else f"{progress.profit_factor:.2f}"
        win_target = f"{progress.win_rate_target_pct:g}%"
        pf_target = f"{progress.profit_factor_target:g}"
        if compact:
            chunks = [
                Content.assemble(
                    ("win ", muted), win, (f">{win_target} ", muted), mark(progress.win_rate_met)
                ),
                Content.assemble(
                    ("PF ", muted), pf, (f">{pf_target} ", muted), mark(progress.profit_factor_met)
                ),
                Content.assemble(
                    ("n ", muted),
                    str(progress.trades),
                    (f"/{progress.trades_minimum} ", muted),
                    mark(progress.trades_met),
                ),
            ]
            return pack(chunks, width, gap=" ")
        chunks = [
            Content.assemble(
                ("win rate ", muted),
                win,
                (f" (>{win_target}) ", muted),
                mark(progress.win_rate_met),
            ),
            Content.assemble(
                ("profit factor ", muted),
                pf,
                (f" (>{pf_target}) ", muted),
                mark(progress.profit_factor_met),
            ),
            Content.assemble(
                ("trades ", muted),
                str(progress.trades),
                (f" (min {progress.trades_minimum}) ", muted),
                mark(progress.trades_met),
            ),
        ]
        return pack(chunks, width)
