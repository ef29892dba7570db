"""A checklist line's verdict and the checklist as a whole."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    PASSED = "✓"
    FAILED = "✗"
    NOT_YET = "not yet"  # no evidence either way: the trader has something left to do


@dataclass(frozen=True, slots=True)
class ChecklistLine:
    """One line of the guide's checklist: what it asks, the verdict, and why (the evidence).

    ``notes`` are further sentences shown under the line (the gate's confidence sentences, a
    suggested command that produces the missing evidence).
    """

    title: str
    verdict: Verdict
    why: str
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASSED


@dataclass(frozen=True, slots=True)
class Checklist:
    title: str
    subject: str  # whose evidence: "session demo1 on the Kraken Futures demo (LIVE)"
    lines: tuple[ChecklistLine, ...]

    @property
    def complete(self) -> bool:
        return all(line.passed for line in self.lines)

    @property
    def open_lines(self) -> tuple[ChecklistLine, ...]:
        return tuple(line for line in self.lines if not line.passed)

    def line(self, title_start: str) -> ChecklistLine:
        return next(line for line in self.lines if line.title.startswith(title_start))
