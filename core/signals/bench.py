"""What each signal costs per book update, measured on a synthetic book (no venue, no I/O).

``signal_costs`` applies the same seeded stream of one-level changes near the touch to a book
once bare and once per signal; the difference per update is the signal's own cost. It is for
``l2console bench`` and for judging a signal before it goes on the hot path, not for tests.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable

from core.book import OrderBook
from core.events import BookSnapshot
from core.signals.registry import SIGNAL_NAMES, make_signal

_TICK = 0.5
_MID = 60_000.0


def _changes(count: int, seed: int) -> list[tuple[bool, float, float]]:
    """One-level changes within 20 ticks of a fixed touch; a side never loses its best level."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        bid = rng.random() < 0.5
        ticks = rng.randint(1, 20)
        price = _MID - ticks * _TICK if bid else _MID + ticks * _TICK
        size = 0.0 if ticks > 1 and rng.random() < 0.2 else round(rng.uniform(0.1, 5.0), 3)
        out.append((bid, price, size))
    return out


def _book() -> OrderBook:
    book = OrderBook("BENCH", depth=10)
    bids = tuple((_MID - i * _TICK, 1.0) for i in range(1, 51))
    asks = tuple((_MID + i * _TICK, 1.0) for i in range(1, 51))
    book.apply_snapshot(BookSnapshot("BENCH", 0, bids, asks, 0, 0))
    return book


def _run(changes: list[tuple[bool, float, float]], name: str | None) -> float:
    book = _book()
    signal = make_signal(name) if name is not None else None
    apply_level = book.apply_level
    started = time.perf_counter_ns()
    for seq, (bid, price, size) in enumerate(changes, 1):
        apply_level(seq, bid, price, size, 0, 0)
        if signal is not None:
            signal.update(book)
    return (time.perf_counter_ns() - started) / len(changes)


def signal_costs(
    names: Iterable[str] = SIGNAL_NAMES, *, updates: int = 50_000, seed: int = 7, runs: int = 3
) -> dict[str, float]:
    """Nanoseconds per update each signal adds to the book's own update (best of ``runs``)."""
    changes = _changes(updates, seed)
    names = list(names)
    best: dict[str | None, float] = {}
    for _ in range(runs):  # alternating, so a busy moment hurts every signal alike
        for name in [None, *names]:
            cost = _run(changes, name)
            best[name] = min(best.get(name, cost), cost)
    bare = best[None]
    return {name: max(0.0, best[name] - bare) for name in names}
