"""The family of order-book imbalance signals, each one small, pure and incremental.

A signal is fed the book after every applied update (``update(book) -> value``) and keeps
whatever state it needs between updates; none re-sums the book per frame. The top-N ratio reads
the book's own incremental depth sums; the others read at most a fixed handful of levels at the
touch (``OrderBook.touch``, ``top_sizes``, ``top``) and keep windowed sums in O(1) per update.

``make_signal(name)`` builds one by name (``SIGNAL_NAMES``), so settings can later select one.
Nothing here is wired into the engine yet.
"""

from core.signals.base import BookSignal, WindowSum
from core.signals.flow import MultiLevelOrderFlowImbalance, OrderFlowImbalance
from core.signals.registry import (
    DEFAULT_SIGNAL,
    SIGNAL_NAMES,
    SignalInfo,
    make_signal,
    signal_info,
)
from core.signals.static import (
    MicroPriceOffset,
    QueueImbalance,
    TopNRatio,
    WeightedImbalance,
)

__all__ = [
    "DEFAULT_SIGNAL",
    "SIGNAL_NAMES",
    "BookSignal",
    "MicroPriceOffset",
    "MultiLevelOrderFlowImbalance",
    "OrderFlowImbalance",
    "QueueImbalance",
    "SignalInfo",
    "TopNRatio",
    "WeightedImbalance",
    "WindowSum",
    "make_signal",
    "signal_info",
]
