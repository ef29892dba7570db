"""What the engine does when the venue refuses one of the strategy's orders: act on the class.

A refused order is never sent again blindly (on the next book update, the same close again):
each refusal sets a restriction on the trading state, with the venue's words, before anything
else can go out (``core.trading_state``):

* ``RETRY_LATER`` (market suspended, rate limited): HALTED for a backoff that doubles with each
  refusal in a row (``first_backoff_s`` up to ``max_backoff_s``), then decisions resume;
* ``VENUE_TRUTH`` (``wouldNotReducePosition``, insufficient funds): HALTED while the venue's
  position is read again and reconciled (``core.engine.live_check``: the venue's fills booked,
  or its position adopted, with a notice), then a backoff as above;
* ``FATAL`` (keys revoked or refused, account inactive, an order the rules never accept):
  HALTED with the reason until the user resumes (``release_fatal``).

An order the venue accepted resets the backoff.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from core.engine.tasks import EngineTasks
from core.ports import OrderRequest, OrderResult, Refusal
from core.trading_state import Restriction, TradingGate

READ_RETRY_S = 1.0  # between tries to reconcile after a refusal (the venue unreadable, busy)
READ_TRIES = 60


class RefusalPolicy:
    def __init__(
        self,
        *,
        reconcile: Callable[[str], Awaitable[bool]],
        trading: TradingGate,
        tasks: EngineTasks,
        notice: Callable[[str], None],
        first_backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
    ) -> None:
        self._reconcile = reconcile
        self._trading = trading
        self._tasks = tasks
        self._notice = notice
        self._first_backoff_s = first_backoff_s
        self._max_backoff_s = max_backoff_s
        self._in_a_row = 0
        self.refusals: dict[Refusal, int] = dict.fromkeys(Refusal, 0)
        """Refusals seen, by class (for the screen and the tests)."""

    def accepted(self) -> None:
        """The venue took an order: the next refusal backs off from the start again."""
        self._in_a_row = 0

    def refused(self, request: OrderRequest, result: OrderResult) -> None:
        kind = result.refusal or Refusal.RETRY_LATER
        self.refusals[kind] += 1
        words = f"order {request.client_order_id} refused ({kind.value}): {result.reason}"
        if kind is Refusal.FATAL:
            self._trading.restrict(Restriction.VENUE_REFUSED, result.reason)
            self._notice(f"{words}; trading HALTED until resumed (fix the cause first)")
        elif kind is Refusal.VENUE_TRUTH:
            self._trading.restrict(Restriction.VENUE_CHECK, result.reason)
            self._notice(f"{words}; re-reading the venue's position before anything else")
            why = f"order {request.client_order_id} refused"
            self._tasks.spawn(self._reread(why, result.reason), "re-read the venue's position")
        else:
            self._back_off(words, result.reason)

    def release_fatal(self) -> None:
        self._trading.lift(Restriction.VENUE_REFUSED)

    def _back_off(self, words: str, reason: str) -> None:
        pause = min(self._max_backoff_s, self._first_backoff_s * 2**self._in_a_row)
        self._in_a_row += 1
        self._trading.restrict(Restriction.VENUE_BACKOFF, f"{reason}; next try in {pause:g} s")
        self._notice(f"{words}; no order for {pause:g} s")
        self._tasks.spawn(self._lift_after(pause), "refusal backoff")

    async def _lift_after(self, pause: float) -> None:
        await asyncio.sleep(pause)
        self._trading.lift(Restriction.VENUE_BACKOFF)

    async def _reread(self, why: str, reason: str) -> None:
        try:
            for _attempt in range(READ_TRIES):
                if await self._reconcile(why):
                    break
                await asyncio.sleep(READ_RETRY_S)  # the venue unreadable, or a moment not quiet
            else:  # the venue's truth could not be had: never trade on the ledger's guess
                detail = f"{reason}; the venue's position could not be read again"
                self._trading.restrict(Restriction.VENUE_REFUSED, detail)
                self._notice(f"{why}: {detail}; trading HALTED until resumed")
                return
        finally:
            self._trading.lift(Restriction.VENUE_CHECK)
        self._back_off("after the venue's position was read again", reason)
