"""The ``c`` key's text: the running session's checklist, judged from the store in a thread.

A paper session shows the Live Trading Preparation (the door to real money); any other session
its Integration Testing Checklist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from console.checklists import integration_for, live_for, render_checklist
from console.settings import Settings
from core.enums import Mode
from core.store import SessionReader, StoreError

ChecklistSource = Callable[[], str]
"""Blocking: call it from a thread (``asyncio.to_thread``)."""


def session_checklist(
    db_path: Path, name: str, settings: Settings, env_file: Path
) -> ChecklistSource:
    return partial(checklist_text, db_path, name, settings, env_file)


def checklist_text(db_path: Path, name: str, settings: Settings, env_file: Path) -> str:
    try:
        with SessionReader(db_path) as reader:
            if reader.session(name).mode is Mode.PAPER:
                checklist = live_for(reader, name, settings, env_file=env_file, capital_usd=None)
            else:
                checklist = integration_for(reader, name)
    except StoreError as exc:
        return f"cannot read the checklist's evidence: {exc}"
    return render_checklist(checklist)
