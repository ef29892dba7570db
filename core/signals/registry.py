"""The signals by name, with what a trader needs to read them: units and entry thresholds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.signals.base import BookSignal
from core.signals.flow import MultiLevelOrderFlowImbalance, OrderFlowImbalance
from core.signals.static import MicroPriceOffset, QueueImbalance, TopNRatio, WeightedImbalance


@dataclass(frozen=True, slots=True)
class SignalInfo:
    """``title`` for tables; ``unit`` after a value (``x``, ``bps`` or none)."""

    name: str
    title: str
    unit: str
    factory: Callable[[], BookSignal]


_INFOS = (
    SignalInfo("ratio", "top-N bid/ask ratio (the guide's)", "x", TopNRatio),
    SignalInfo("queue", "level-1 queue imbalance", "", QueueImbalance),
    SignalInfo("weighted", "depth-weighted imbalance (5 levels)", "", WeightedImbalance),
    SignalInfo("ofi", "order-flow imbalance (50 updates)", "", OrderFlowImbalance),
    SignalInfo(
        "mlofi", "multi-level order-flow imbalance (5 levels)", "", MultiLevelOrderFlowImbalance
    ),
    SignalInfo("microprice", "micro-price minus mid", "bps", MicroPriceOffset),
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
