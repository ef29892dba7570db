"""The engine's events as notifications: an observer like the printer, so the engine knows
nothing of it, and every hook only decides and queues (``NotificationSender.post`` never blocks).

Kill switch results, the dead-man's switch failing to refresh, a risk limit stopping entries for
the day (once per limit and day), venue maintenance (entries stopped ahead of a window, the
dead-man's switch held off, the window over), the book down longer than its grace time and back, orders the
venue refused or left unanswered, and (when asked) every round trip.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from console.unattended.events import Notification, NotifyEvent
from core.engine_state import KillSwitchPhase, KillSwitchStatus
from core.enums import BookState, OrderStatus
from core.events import RoundTrip, Signal, SignalOutcome
from core.maintenance import NOTICE_PREFIX as MAINTENANCE_NOTICE
from core.observer import EngineObserver
from core.ports import OrderRequest, OrderResult

NS_PER_DAY = 86_400 * 1_000_000_000
DAY_LIMITS = ("daily loss limit", "trades per day limit")  # core.risk's words for them
KILL_SWITCH_ENGAGED = "KILL SWITCH engaged"
DEAD_MAN = "dead-man's switch"
SHUTDOWN = "Shutdown"  # console.session's reason for the flatten of a stop


class Post:
    """Queues a notification when its event is wanted (``NOTIFY_EVENTS``)."""

    def __init__(
        self, send: Callable[[Notification], object], wanted: frozenset[NotifyEvent]
    ) -> None:
        self._send = send
        self.wanted = wanted

    def __call__(self, event: NotifyEvent, title: str, body: str = "") -> None:
        if event in self.wanted:
            self._send(Notification(event, title, body, time.time_ns()))


class NotifyingObserver(EngineObserver):
    def __init__(self, post: Post, *, symbol: str, book_grace_s: float) -> None:
        self._post = post
        self._symbol = symbol
        self._grace_s = book_grace_s
        self._down_since: float | None = None
        self._down_timer: asyncio.TimerHandle | None = None
        self._down_told = False
        self._limits_told: set[tuple[int, str]] = set()

    def on_notice(self, text: str) -> None:
        if text.startswith(MAINTENANCE_NOTICE):
            self._post(NotifyEvent.MAINTENANCE, MAINTENANCE_NOTICE, text)
        elif text.startswith(KILL_SWITCH_ENGAGED) and SHUTDOWN not in text:
            self._post(NotifyEvent.KILL_SWITCH, "kill switch engaged", text)
        elif DEAD_MAN in text:
            self._post(NotifyEvent.DEAD_MAN, "dead-man's switch", text)

    def on_kill_switch(self, status: KillSwitchStatus, reason: str) -> None:
        if reason.startswith(SHUTDOWN):  # the routine flatten of a stop: "run stopped" says it
            return
        if status.phase is KillSwitchPhase.FLAT:
            title = "kill switch: flat confirmed"
        else:
            title = "kill switch: NOT FLAT, still open"
        self._post(NotifyEvent.KILL_SWITCH, title, f"{status.detail} ({reason})")

    def on_signal(self, signal: Signal) -> None:
        if signal.outcome is not SignalOutcome.BLOCKED:
            return
        limit = next((name for name in DAY_LIMITS if signal.block_reason.startswith(name)), None)
        if limit is None:
            return
        key = (signal.wall_ns // NS_PER_DAY, limit)
        if key not in self._limits_told:
            self._limits_told.add(key)
            self._post(
                NotifyEvent.RISK_LIMIT,
                "entries stopped for today (UTC)",
                f"{signal.block_reason}; exits go on",
            )

    def on_order(self, request: OrderRequest, result: OrderResult | None) -> None:
        if result is None or result.status not in (OrderStatus.REJECTED, OrderStatus.UNKNOWN):
            return
        what = "refused" if result.status is OrderStatus.REJECTED else "not answered"
        self._post(
            NotifyEvent.REFUSAL,
            f"order {what} by the venue",
            f"{request.side.value} {request.quantity} {request.product} "
            f"({request.client_order_id}): {result.reason or result.status.value}",
        )

    def on_round_trip(self, round_trip: RoundTrip) -> None:
        side = "LONG" if round_trip.side.value == "BUY" else "SHORT"
        self._post(
            NotifyEvent.ROUND_TRIP,
            f"round trip {side} {round_trip.quantity} net {round_trip.net_pnl:+.2f} USD",
            f"entry {round_trip.entry_price}, exit {round_trip.exit_price}, "
            f"fees {round_trip.fees:.4f}",
        )

    def on_book_state(self, product: str, state: BookState, reason: str) -> None:
        if product != self._symbol:
            return
        if state is BookState.LIVE:
            self._book_back()
        elif self._down_since is None:
            self._down_since = time.monotonic()
            loop = asyncio.get_running_loop()
            self._down_timer = loop.call_later(self._grace_s, self._book_down, state, reason)

    def _book_down(self, state: BookState, reason: str) -> None:
        self._down_timer = None
        self._down_told = True
        self._post(
            NotifyEvent.BOOK_DOWN,
            f"book {self._symbol} {state.value} for over {self._grace_s:g}s",
            f"{reason}; no entries until it is LIVE again",
        )

    def _book_back(self) -> None:
        if self._down_timer is not None:
            self._down_timer.cancel()
            self._down_timer = None
        if self._down_since is not None and self._down_told:
            down_s = time.monotonic() - self._down_since
            self._post(NotifyEvent.BOOK_DOWN, f"book {self._symbol} LIVE again after {down_s:.0f}s")
        self._down_since = None
        self._down_told = False

    def close(self) -> None:
        if self._down_timer is not None:
            self._down_timer.cancel()
            self._down_timer = None
