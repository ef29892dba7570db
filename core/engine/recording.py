"""The journal while it works, and the policy when it does not: never trade unrecorded.

Signals and orders are queued (``record_signal``, ``record_order`` never block); fills are
committed (``record_fills`` returns once they are durable), and a live order's id is committed
before it is sent (``durable``). The first recording that fails (or the store saying its writer
stopped) is reported once to ``on_failure`` (the engine halts entries and the session stops the
run, as when the terminal is lost). From then on signals and orders are not recorded, but fills
still go to the journal: the store keeps them in its fallback journal, merged on the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from core.events import Signal
from core.ledger import BookedFill
from core.ports import Journal, OrderRequest, OrderResult

log = logging.getLogger(__name__)


class Recording:
    def __init__(
        self,
        journal: Journal | None,
        *,
        on_failure: Callable[[str], None],
    ) -> None:
        self._journal = journal
        self._on_failure = on_failure
        self.failure = ""  # why recording stopped ("" while it works)

    def signal(self, signal: Signal) -> None:
        if self._journal is not None and not self.failure:
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
        if self._journal is not None and not self.failure:
            try:
                self._journal.record_order(
                    request, result, wall_ns=wall_ns, signal_number=signal_number
                )
            except Exception as exc:  # any recording failure stops trading
                self.failed(exc)

    async def durable(self) -> bool:
        """Wait until everything recorded so far is committed (a live order's id, before it is
        sent); False when recording has failed (then only a reduce-only order may still go)."""
        if self._journal is None:
            return True
        if self.failure:
            return False
        try:
            await self._journal.flush()
        except Exception as exc:  # any recording failure stops trading
            self.failed(exc)
            return False
        return True

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
        """Report the first failure (module doc); later ones are only logged."""
        if self._journal is None or self.failure:
            log.error("recording failed again: %s", exc)
            return
        self.failure = str(exc) or type(exc).__name__
        log.error("recording failed: %s", exc)
        self._on_failure(self.failure)
