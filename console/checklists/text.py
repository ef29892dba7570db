"""A checklist as text: one line per item, its verdict first, the evidence under it."""

from __future__ import annotations

from core.checklists import Checklist, ChecklistLine, Verdict

_MARKS = {Verdict.PASSED: "✓      ", Verdict.FAILED: "✗      ", Verdict.NOT_YET: "not yet"}


def render_checklist(checklist: Checklist) -> str:
    lines = [checklist.title, f"Evidence: {checklist.subject} (replays never count)", ""]
    for line in checklist.lines:
        lines += _item(line)
    passed = len(checklist.lines) - len(checklist.open_lines)
    total = len(checklist.lines)
    lines.append("")
    lines.append(
        f"Complete: all {total} lines passed."
        if checklist.complete
        else f"Not complete: {passed} of {total} lines passed."
    )
    return "\n".join(lines) + "\n"


def verdict_mark(verdict: Verdict) -> str:
    return _MARKS[verdict]


def _item(line: ChecklistLine) -> list[str]:
    rows = [f"{_MARKS[line.verdict]}  {line.title}", f"         {line.why}"]
    rows += [f"         → {note}" for note in line.notes]
    return rows
