"""Quitting with a position open asks what to do with it."""

from __future__ import annotations

from enum import Enum
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class QuitChoice(Enum):
    FLATTEN_AND_QUIT = "flatten"
    LEAVE_AND_QUIT = "leave"
    CANCEL = "cancel"


class QuitScreen(ModalScreen[QuitChoice]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,y", "choose('flatten')", "Flatten and quit"),
        Binding("l", "choose('leave')", "Quit, leave it open"),
        Binding("escape,c,n", "choose('cancel')", "Cancel"),
    ]

    def __init__(self, position: str) -> None:
        super().__init__()
        self._position = position

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("A position is open", id="dialog-title")
            yield Static(
                f"{self._position}. Quit and leave it on the venue, or flatten it first?",
                id="dialog-body",
            )
            with Horizontal(id="dialog-buttons"):
                yield Button("⏎ Flatten & quit", id="flatten", variant="warning")
                yield Button("l Quit, leave it", id="leave", variant="default")
                yield Button("esc Cancel", id="cancel", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#flatten", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(QuitChoice(event.button.id))

    def action_choose(self, choice: str) -> None:
        self.dismiss(QuitChoice(choice))
