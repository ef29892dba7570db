"""Going live asks first: what the venue is and whose money it is, and safe by default."""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from console.app.modes import BADGES, Badge
from console.app.widgets.pane import Pane


class BadgeTitle(Pane):
    """ "Switch to <badge>?" with the badge in its stylesheet colours."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"status--{badge.css}" for badge in BADGES}

    def draw(self, facts: Hashable, width: int, height: int) -> list[Content]:
        assert isinstance(facts, Badge)
        return [Content.assemble("Switch to ", (f" {facts.label} ", f".status--{facts.css}"), "?")]


class ConfirmLiveScreen(ModalScreen[bool]):
    """Dismisses with True only on an explicit yes; Enter on the default button stays put."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Go live"),
        Binding("n,escape", "answer(False)", "Stay"),
    ]

    def __init__(self, *, badge: Badge, venue: str, symbol: str, stay_in: str) -> None:
        super().__init__()
        self._badge = badge
        self._venue = venue
        self._symbol = symbol
        self._stay_in = stay_in

    def compose(self) -> ComposeResult:
        real = self._badge.css == "live-real-money"
        money = "REAL MONEY" if real else "the venue's test money"
        with Vertical(id="dialog", classes="-danger" if real else ""):
            yield BadgeTitle(id="dialog-title")
            yield Static(
                f"Every decision from now on sends a market order for {self._symbol} to "
                f"{self._venue}, with {money}. The kill switch (f) stays armed.",
                id="dialog-body",
            )
            with Horizontal(id="dialog-buttons"):
                yield Button("y  Go live", id="yes", variant="error" if real else "warning")
                yield Button(f"n  Stay in {self._stay_in}", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one(BadgeTitle).show_facts(self._badge)
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
