"""The monthly habit: remind the trader when the kill switch was last tested over 30 days ago."""

from __future__ import annotations

from pathlib import Path

from core.checklists import last_kill_switch_test
from core.checklists.live import KILL_SWITCH_TEST_DAYS, days_since
from core.enums import Mode
from core.store import SessionReader, StoreError


def kill_switch_reminder(db_path: Path, session: str, mode: Mode, now_ns: int) -> str | None:
    """The notice to show at a session's start, or None when the last test is recent.

    A kill switch confirmed flat in any session counts. Never tested at all is said to a live
    run only: a newcomer's first paper runs have nothing to test it on yet.
    """
    try:
        with SessionReader(db_path) as reader:
            last = last_kill_switch_test(tuple(reader.kill_switch_tests()))
    except StoreError:
        return None  # the run itself reports database trouble
    how = f"test it monthly: l2console flatten --session {session} (while it runs)"
    if last is None:
        return f"Kill switch never tested: {how}" if mode is Mode.LIVE else None
    age = days_since(last, now_ns)
    if age <= KILL_SWITCH_TEST_DAYS:
        return None
    return f"Kill switch last tested {age} days ago (session {last.session}): {how}"
