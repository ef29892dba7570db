"""The one answer to "may we trade now?": ACTIVE, REDUCING or HALTED, and why.

Every order passes it, the strategy's and the kill switch's alike:

* **ACTIVE** — the strategy decides, and entries and exits go out;
* **REDUCING** — the strategy decides, but only orders that reduce the position go out: entries
  are refused by the risk manager with the reason (the pause, a kill switch that holds);
* **HALTED** — the strategy takes no decision at all (each skipped update is counted); the only
  orders are the kill switch's reduce-only closes while it flattens.

The state is the strictest of the restrictions in force, each set and lifted by its owner (the
pause command, the kill switch, a caller holding decisions while it checks the venue, the venue's
refusals, an order whose outcome is uncertain, a ledger that disagrees with the venue); the reason
shown is that of the restriction that decides it, with its detail (the venue's words).

Venue maintenance is REDUCING, not HALTED: entries stop a lead time before a scheduled window
and for its length, while exits (and the kill switch) may still try — a position can still be
closed up to the window and as soon as the venue takes orders again; an exit the venue refuses
inside the window is a refusal like any other. Its detail says when ("from … to …").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class TradingState(Enum):
    ACTIVE = "active"
    REDUCING = "reducing"
    HALTED = "halted"


class Restriction(Enum):
    """Why trading is not ACTIVE; listed strictest first (the first in force gives the reason)."""

    KILL_SWITCH_FLATTENING = (TradingState.HALTED, "kill switch flattening")
    VENUE_REFUSED = (TradingState.HALTED, "venue refused trading")  # fatal: keys, account
    VENUE_CHECK = (TradingState.HALTED, "re-reading the venue's position")  # after a refusal
    VENUE_BACKOFF = (TradingState.HALTED, "venue refused an order; backing off")
    DECISIONS_HELD = (TradingState.HALTED, "decisions held")  # e.g. checking the venue first
    STORE_FAILED = (TradingState.REDUCING, "session store failed")
    KILL_SWITCH = (TradingState.REDUCING, "kill switch engaged")
    LEDGER_MISMATCH = (TradingState.REDUCING, "ledger and venue disagree")
    ORDER_UNCERTAIN = (TradingState.REDUCING, "an order's outcome is uncertain")
    MAINTENANCE = (TradingState.REDUCING, "venue maintenance")
    PAUSED = (TradingState.REDUCING, "paused")

    def __init__(self, state: TradingState, reason: str) -> None:
        self.state = state
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TradingStatus:
    state: TradingState = TradingState.ACTIVE
    restriction: Restriction | None = None  # the one that decides the state; None when ACTIVE
    detail: str = ""  # what its owner said when setting it (the venue's words), or ""

    @property
    def reason(self) -> str:
        """Why trading is not ACTIVE, in the words the signals use ("" when it is)."""
        if self.restriction is None:
            return ""
        return (
            f"{self.restriction.reason}: {self.detail}" if self.detail else self.restriction.reason
        )


ACTIVE = TradingStatus()


class TradingGate:
    """Holds the restrictions in force; ``status`` is the state every order is checked against."""

    def __init__(self) -> None:
        self._in_force: dict[Restriction, str] = {}  # restriction -> its detail
        self._status = ACTIVE
        self._listeners: list[Callable[[TradingStatus], None]] = []

    @property
    def status(self) -> TradingStatus:
        return self._status

    @property
    def state(self) -> TradingState:
        return self._status.state

    def restrict(self, restriction: Restriction, detail: str = "") -> None:
        self._in_force[restriction] = detail
        self._refresh()

    def lift(self, restriction: Restriction) -> None:
        self._in_force.pop(restriction, None)
        self._refresh()

    def holds(self, restriction: Restriction) -> bool:
        return restriction in self._in_force

    def admits(self, *, reduce_only: bool) -> bool:
        """May an order go out now? ACTIVE: any; otherwise only one that reduces the position."""
        return reduce_only or self._status.state is TradingState.ACTIVE

    def subscribe(self, listener: Callable[[TradingStatus], None]) -> None:
        """Call ``listener`` with the new status whenever it changes (and once now)."""
        self._listeners.append(listener)
        listener(self._status)

    def _refresh(self) -> None:
        first = next((r for r in Restriction if r in self._in_force), None)
        status = (
            ACTIVE if first is None else TradingStatus(first.state, first, self._in_force[first])
        )
        if status != self._status:
            self._status = status
            for listener in self._listeners:
                listener(status)
