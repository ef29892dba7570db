"""Hooks through which the engine tells the outside world what happened.

Subclass ``EngineObserver`` and override what you need: the headless printer prints, the store
records, the console refreshes. Observers are called synchronously on the event loop and must not
block; anything slow is queued by the observer itself.

The engine never calls an observer directly: it holds one ``ObserverFanout``, the single place
where an observer's error is contained, so nothing an observer does (a printer writing to a closed
pipe, a bug in a widget) can interrupt the engine, the router or the kill switch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from core.engine_state import KillSwitchStatus
from core.enums import BookState
from core.events import Fill, RoundTrip, Signal
from core.ports import OrderRequest, OrderResult

log = logging.getLogger(__name__)


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
    """One observer that forwards every hook to each of ``observers``, in order, each call inside
    its own containment boundary.

    The first error an observer raises is logged (once, with its traceback), counted, and the
    observer is detached: it hears nothing more, the others go on, and the caller never sees the
    error. ``on_detached`` is told in one line (the engine makes it a notice).
    """

    def __init__(
        self,
        observers: Iterable[EngineObserver] = (),
        *,
        on_detached: Callable[[str], None] | None = None,
    ) -> None:
        self._observers: tuple[EngineObserver, ...] = tuple(observers)
        self._detached: list[str] = []
        self._on_detached = on_detached

    @property
    def observers(self) -> tuple[EngineObserver, ...]:
        """The observers still attached."""
        return self._observers

    @property
    def detached(self) -> tuple[str, ...]:
        """One line per observer detached after an error: which, in which hook, and the error."""
        return tuple(self._detached)

    def on_snapshot_loaded(self, product: str, bids: int, asks: int) -> None:
        self._call("on_snapshot_loaded", product, bids, asks)

    def on_book_state(self, product: str, state: BookState, reason: str) -> None:
        self._call("on_book_state", product, state, reason)

    def on_signal(self, signal: Signal) -> None:
        self._call("on_signal", signal)

    def on_order(self, request: OrderRequest, result: OrderResult | None) -> None:
        self._call("on_order", request, result)

    def on_fill(self, fill: Fill) -> None:
        self._call("on_fill", fill)

    def on_round_trip(self, round_trip: RoundTrip) -> None:
        self._call("on_round_trip", round_trip)

    def on_kill_switch(self, status: KillSwitchStatus, reason: str) -> None:
        self._call("on_kill_switch", status, reason)

    def on_notice(self, text: str) -> None:
        self._call("on_notice", text)

    def _call(self, hook: str, *args: object) -> None:
        observers = self._observers
        for observer in observers:
            if observers is not self._observers and not self._attached(observer):
                continue  # detached meanwhile, by a re-entrant call
            try:
                getattr(observer, hook)(*args)
            except Exception as exc:  # the boundary: an observer never reaches the caller
                self._detach(observer, hook, exc)

    def _attached(self, observer: EngineObserver) -> bool:
        return any(o is observer for o in self._observers)

    def _detach(self, observer: EngineObserver, hook: str, exc: Exception) -> None:
        if not self._attached(observer):  # its error came back through a re-entrant call
            return
        self._observers = tuple(o for o in self._observers if o is not observer)
        line = (
            f"{type(observer).__name__} detached after an error in {hook} "
            f"({type(exc).__name__}: {exc}); trading goes on"
        )
        self._detached.append(line)
        log.error("%s", line, exc_info=exc)
        if self._on_detached is not None:
            try:
                self._on_detached(line)
            except Exception:  # the listener is outside the boundary's care, never its caller's
                log.exception("observer detach listener failed")
