"""Hooks through which the engine tells the outside world what happened.

Subclass ``EngineObserver`` and override what you need: the headless printer prints, the store
records, the console refreshes. Observers are called synchronously on the event loop and must not
block; anything slow is queued by the observer itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.engine_state import KillSwitchStatus
from core.enums import BookState
from core.events import Fill, RoundTrip, Signal
from core.ports import OrderRequest, OrderResult


class EngineObserver:
    def on_snapshot_loaded(self, product: str, bids: int, asks: int) -> None:
        """A fresh book snapshot was applied and the book is LIVE."""

    def on_book_state(self, product: str, state: BookState, reason: str) -> None:
        """A book changed state (LIVE / SYNCING / STALE)."""

    def on_signal(self, signal: Signal) -> None:
        """A decision, numbered, with its fate (acted, blocked, ignored)."""

    def on_order(self, request: OrderRequest, result: OrderResult | None) -> None:
        """An order went out (``result`` None while unknown)."""

    def on_fill(self, fill: Fill) -> None: ...

    def on_round_trip(self, round_trip: RoundTrip) -> None: ...

    def on_kill_switch(self, status: KillSwitchStatus, reason: str) -> None:
        """A flatten finished: FLAT (confirmed) or FAILED (``detail`` says what is still open);
        ``reason`` says who pulled it ("Flatten command …", "Shutdown: flatten", …)."""

    def on_notice(self, text: str) -> None:
        """Something the user should read: kill switch progress, mode changes, venue errors."""


class ObserverFanout(EngineObserver):
    """Hands each hook to every observer, in order: the engine holds this one object."""

    def __init__(self, observers: Iterable[EngineObserver] = ()) -> None:
        self._observers = tuple(observers)

    def on_snapshot_loaded(self, product: str, bids: int, asks: int) -> None:
        for observer in self._observers:
            observer.on_snapshot_loaded(product, bids, asks)

    def on_book_state(self, product: str, state: BookState, reason: str) -> None:
        for observer in self._observers:
            observer.on_book_state(product, state, reason)

    def on_signal(self, signal: Signal) -> None:
        for observer in self._observers:
            observer.on_signal(signal)

    def on_order(self, request: OrderRequest, result: OrderResult | None) -> None:
        for observer in self._observers:
            observer.on_order(request, result)

    def on_fill(self, fill: Fill) -> None:
        for observer in self._observers:
            observer.on_fill(fill)

    def on_round_trip(self, round_trip: RoundTrip) -> None:
        for observer in self._observers:
            observer.on_round_trip(round_trip)

    def on_kill_switch(self, status: KillSwitchStatus, reason: str) -> None:
        for observer in self._observers:
            observer.on_kill_switch(status, reason)

    def on_notice(self, text: str) -> None:
        for observer in self._observers:
            observer.on_notice(text)
