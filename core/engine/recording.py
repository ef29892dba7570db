"""The journal while it works, and the policy when it does not: never trade unrecorded.

Signals and orders are queued (``record_signal``, ``record_order`` never block); fills are
committed (``record_fills`` returns once they are durable). The first recording that fails stops
the journal, says so, and flattens with the kill switch, which then holds: no entry until the user
resumes, and nothing more is recorded by this run.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from core.events import Signal
from core.ledger import BookedFill
from core.ports import Journal, OrderRequest, OrderResult

log = logging.getLogger(__name__)

FLATTEN_REASON = "Recording failed: flatten"


class Recording:
    def __init__(
        self,
        journal: Journal | None,
        *,
        notice: Callable[[str], None],
        spawn: Callable[[Awaitable[object], str], None],
        flatten: Callable[[str], Awaitable[object]],
    ) -> None:
        self._journal = journal
        self._notice = notice
        self._spawn = spawn
        self._flatten = flatten

    def signal(self, signal: Signal) -> None:
        if self._journal is not None:
            try:
                self._journal.record_signal(signal)
            except Exception as exc:  # any recording failure stops trading
                self.failed(exc)

    def order(
        self,
        request: OrderRequest,
        result: OrderResult | None,
        *,
        wall_ns: int,
        signal_number: int | None,
    ) -> None:
        if self._journal is not None:
            try:
                self._journal.record_order(
                    request, result, wall_ns=wall_ns, signal_number=signal_number
                )
            except Exception as exc:  # any recording failure stops trading
                self.failed(exc)

    async def durable(self) -> None:
        """Wait until everything recorded so far is committed (a live order's id, before it is
        sent). A journal that fails here stops trading like any other recording failure."""
        if self._journal is None:
            return
        try:
            await self._journal.flush()
        except Exception as exc:  # any recording failure stops trading
            self.failed(exc)

    def fills(self, booked: Sequence[BookedFill]) -> Awaitable[None] | None:
        """The commit to await (None when there is no journal)."""
        if self._journal is None:
            return None
        return self._commit(self._journal, booked)

    async def _commit(self, journal: Journal, booked: Sequence[BookedFill]) -> None:
        try:
            await journal.record_fills(booked)
        except Exception as exc:  # any recording failure stops trading
            self.failed(exc)

    def failed(self, exc: Exception) -> None:
        """Stop entries and flatten, once, and say why."""
        if self._journal is None:
            return
        self._journal = None
        log.error("recording failed: %s", exc)
        self._notice(f"RECORDING FAILED ({exc}): trading stopped, flattening")
        self._spawn(self._flatten(FLATTEN_REASON), "flatten after recording failure")
