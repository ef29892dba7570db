"""The signals by name, with what a trader needs to read them: units and entry thresholds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.signal import format_ratio
from core.signals.base import BookSignal
from core.signals.flow import MultiLevelOrderFlowImbalance, OrderFlowImbalance
from core.signals.static import MicroPriceOffset, QueueImbalance, TopNRatio, WeightedImbalance


@dataclass(frozen=True, slots=True)
class SignalInfo:
    """``title`` for tables; ``unit`` after a value (``x``, ``bps`` or none).

    ``entry`` and ``exit`` are the default trading thresholds on the signal's own scale. The
    ratio's are multiplicative (BUY at >= entry, SELL at <= 1/entry; close a long at <= 1/exit,
    a short at >= exit); every other signal is signed around 0 (BUY at >= entry, SELL at
    <= -entry; close a long at <= -exit, a short at >= exit).
    """

    name: str
    title: str
    unit: str
    factory: Callable[[], BookSignal]
    entry: float
    exit: float

    @property
    def multiplicative(self) -> bool:
        return self.unit == "x"

    def format(self, value: float) -> str:
        """A value as a trader reads it: ``3.21x``, ``+0.62``, ``+0.35 bps``."""
        if self.multiplicative:
            return format_ratio(value)
        return f"{value:+.2f} {self.unit}" if self.unit else f"{value:+.2f}"

    def describe(self, value: float) -> str:
        """A value with the signal's name, for a reason: ``3.21x`` (the guide's), ``queue +0.62``."""
        return self.format(value) if self.multiplicative else f"{self.name} {self.format(value)}"


# Bounded signals: 0.5 is the guide's 3x in queue terms ((3 - 1) / (3 + 1)), 1/3 its 2x reversal.
# The flow signals sum 50 updates of touch-queue changes over the mean touch depth: one queue's
# worth of net flow to enter. The micro-price offset is half the spread times the queue
# imbalance, so it never exceeds half the spread: 0.05 bps is a queue imbalance of about 0.6 on
# the ~0.17 bps spread of a BTC perpetual (wider markets want more). Starting points to check
# with `l2console study`, not findings.
_INFOS = (
    SignalInfo("ratio", "top-N bid/ask ratio (the guide's)", "x", TopNRatio, 3.0, 2.0),
    SignalInfo("queue", "level-1 queue imbalance", "", QueueImbalance, 0.5, 1 / 3),
    SignalInfo(
        "weighted", "depth-weighted imbalance (5 levels)", "", WeightedImbalance, 0.5, 1 / 3
    ),
    SignalInfo("ofi", "order-flow imbalance (50 updates)", "", OrderFlowImbalance, 1.0, 0.5),
    SignalInfo(
        "mlofi",
        "multi-level order-flow imbalance (5 levels)",
        "",
        MultiLevelOrderFlowImbalance,
        1.0,
        0.5,
    ),
    SignalInfo("microprice", "micro-price minus mid", "bps", MicroPriceOffset, 0.05, 0.03),
)
_BY_NAME = {info.name: info for info in _INFOS}

SIGNAL_NAMES: tuple[str, ...] = tuple(info.name for info in _INFOS)
DEFAULT_SIGNAL = "ratio"


def signal_info(name: str) -> SignalInfo:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"unknown signal {name!r}; choose from {', '.join(SIGNAL_NAMES)}"
        ) from None


def make_signal(name: str) -> BookSignal:
    """A fresh signal of that name with its default parameters."""
    return signal_info(name).factory()
