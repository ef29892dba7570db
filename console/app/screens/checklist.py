"""``c``: the running session's checklist (``l2console checklist``), read from the record."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.app.checklist_source import ChecklistSource

READING = "reading the session's record…"


class ChecklistScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,c", "dismiss", "Close")]

    def __init__(self, read: ChecklistSource) -> None:
        super().__init__()
        self._read = read
        self.body = Static(READING, id="checklist-body", markup=False)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="checklist"):
            yield Static("[b]Checklist[/b]  (c or esc closes; `l2console checklist` prints it)")
            yield self.body

    def on_mount(self) -> None:
        self.run_worker(self._load(), name="checklist", exit_on_error=False)

    async def _load(self) -> None:
        self.body.update(await asyncio.to_thread(self._read))
