"""Signals: every decision numbered, timestamped, journaled and announced, with its fate.

The strategy's decisions and the kill switch's closes share one numbering, continued from the
session's last run. The recent ones and the counts by outcome and by block reason are kept for
the screen.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, deque
from decimal import Decimal

from core.clock import Clock
from core.engine.recording import Recording
from core.events import Signal, SignalOutcome
from core.observer import EngineObserver
from core.strategy import Decision

RECENT_SIGNALS = 200


class SignalLog:
    def __init__(
        self,
        *,
        symbol: str,
        clock: Clock,
        recording: Recording,
        observers: EngineObserver,
        first_number: int = 1,
    ) -> None:
        self._symbol = symbol
        self._clock = clock
        self._recording = recording
        self._observers = observers
        self.next_number = first_number
        self.recent: deque[Signal] = deque(maxlen=RECENT_SIGNALS)
        self.total = 0
        self.outcomes: Counter[SignalOutcome] = Counter()
        self.blocked_reasons: Counter[str] = Counter()

    def emit(
        self,
        decision: Decision,
        price: Decimal,
        quantity: Decimal,
        outcome: SignalOutcome = SignalOutcome.ACTED,
        why: str = "",
    ) -> Signal:
        """Number, timestamp, record and announce a decision (the strategy's or the kill switch's)."""
        signal = Signal(
            number=self.next_number,
            product=self._symbol,
            action=decision.action,
            price=price,
            quantity=quantity,
            ratio=decision.ratio,
            reason=decision.reason,
            wall_ns=self._clock.wall_ns(),
            outcome=outcome,
            block_reason=why,
        )
        self.next_number += 1
        self.total += 1
        self.outcomes[outcome] += 1
        if outcome is SignalOutcome.BLOCKED:
            self.blocked_reasons[why] += 1
        self.recent.appendleft(signal)
        self._recording.signal(signal)
        self._observers.on_signal(signal)
        return signal

    def answered(self, number: int, *, price: Decimal | None, quantity: Decimal) -> bool:
        """The venue filled signal ``number``: a market close (price 0) takes its fill price,
        a part fill its filled size, in the recent list. True if the price was "market"."""
        for index, signal in enumerate(self.recent):
            if signal.number == number:
                market = signal.price == 0 and price is not None
                self.recent[index] = dataclasses.replace(
                    signal, price=price if market else signal.price, quantity=quantity
                )
                return market
        return False
