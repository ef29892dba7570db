"""The imbalance signal family: each value on books whose answer is worked out by hand, and
the incremental state (windows, flow) equal to a recomputation from scratch."""

from __future__ import annotations

import math
import random

import pytest

from core.book import OrderBook
from core.signals import (
    SIGNAL_NAMES,
    MicroPriceOffset,
    MultiLevelOrderFlowImbalance,
    OrderFlowImbalance,
    QueueImbalance,
    TopNRatio,
    WeightedImbalance,
    WindowSum,
    make_signal,
)
from core.signals.bench import signal_costs
from core.signals.flow import flow_at
from tests.core.factories import PRODUCT, snapshot


def book(bids: list[tuple[float, float]], asks: list[tuple[float, float]], depth: int = 2):
    b = OrderBook(PRODUCT, depth=depth)
    b.apply_snapshot(snapshot(1, bids, asks))
    return b


BIDS = [(100.0, 3.0), (99.0, 1.0), (98.0, 4.0)]
ASKS = [(101.0, 1.0), (102.0, 2.0), (103.0, 8.0)]


def test_the_guides_ratio_reads_the_books_depth_sums() -> None:
    assert TopNRatio().update(book(BIDS, ASKS, depth=2)) == pytest.approx(4.0 / 3.0)


def test_queue_imbalance_is_the_touch_only() -> None:
    assert QueueImbalance().update(book(BIDS, ASKS)) == pytest.approx((3 - 1) / (3 + 1))


def test_weighted_imbalance_halves_each_level_further_out() -> None:
    bid = 3 + 0.5 * 1 + 0.25 * 4
    ask = 1 + 0.5 * 2 + 0.25 * 8
    value = WeightedImbalance(levels=3, decay=0.5).update(book(BIDS, ASKS))
    assert value == pytest.approx((bid - ask) / (bid + ask))
    assert WeightedImbalance(levels=1).update(book(BIDS, ASKS)) == pytest.approx(0.5)


def test_micro_price_leans_towards_the_thin_side() -> None:
    micro = (3.0 * 101.0 + 1.0 * 100.0) / 4.0  # big bid queue: the ask is the likelier next price
    mid = 100.5
    value = MicroPriceOffset().update(book(BIDS, ASKS))
    assert value == pytest.approx((micro - mid) / mid * 10_000)
    assert value > 0


def test_flow_at_follows_cont_kukanov_stoikov() -> None:
    assert flow_at((100.0, 5.0), (101.0, 1.0), (100.0, 3.0), (101.0, 1.0)) == 2.0  # bid added
    assert flow_at((100.0, 3.0), (101.0, 4.0), (100.0, 3.0), (101.0, 1.0)) == -3.0  # ask added
    assert flow_at((100.5, 2.0), (101.0, 1.0), (100.0, 3.0), (101.0, 1.0)) == 2.0  # bid improved
    assert flow_at((99.0, 7.0), (101.0, 1.0), (100.0, 3.0), (101.0, 1.0)) == -3.0  # bid level gone
    assert flow_at((100.0, 3.0), (101.5, 9.0), (100.0, 3.0), (101.0, 1.0)) == 1.0  # ask level gone
    assert flow_at((100.0, 3.0), (101.0, 1.0), None, None) == 0.0


def test_ofi_sums_the_window_and_normalises_by_the_touch_depth() -> None:
    b = book([(100.0, 2.0)], [(101.0, 2.0)])
    ofi = OrderFlowImbalance(window=2)
    assert ofi.update(b) == 0.0  # nothing before it: no flow
    b.apply_level(2, True, 100.0, 4.0, 0, 0)  # +2 bid
    assert ofi.update(b) == pytest.approx(2.0 / ((2.0 + 3.0) / 2))  # depths (2+2)/2, (4+2)/2
    b.apply_level(3, False, 101.0, 5.0, 0, 0)  # +3 ask: selling pressure
    assert ofi.update(b) == pytest.approx((2.0 - 3.0) / ((3.0 + 4.5) / 2))  # window of 2
    ofi.reset()
    assert ofi.update(b) == 0.0


def test_one_level_multi_level_ofi_is_the_ofi() -> None:
    rng = random.Random(5)
    b = book([(100.0 - i, 1.0 + i) for i in range(10)], [(101.0 + i, 1.0 + i) for i in range(10)])
    ofi, one = OrderFlowImbalance(window=7), MultiLevelOrderFlowImbalance(levels=1, window=7)
    five = MultiLevelOrderFlowImbalance(levels=5, window=7)
    for seq in range(2, 400):
        bid = rng.random() < 0.5
        ticks = rng.randint(1, 6)
        price = 100.0 - ticks + 1 if bid else 101.0 + ticks - 1
        size = 0.0 if ticks > 1 and rng.random() < 0.3 else rng.uniform(0.5, 4.0)
        b.apply_level(seq, bid, price, size, 0, 0)
        assert one.update(b) == pytest.approx(ofi.update(b))
        assert math.isfinite(five.update(b))


def test_window_sum_matches_a_fresh_sum() -> None:
    rng = random.Random(1)
    window = WindowSum(13)
    values: list[float] = []
    for _ in range(10_000):
        value = rng.uniform(-1e6, 1e6)
        values.append(value)
        assert window.push(value) == pytest.approx(math.fsum(values[-13:]), abs=1e-3)
    with pytest.raises(ValueError):
        WindowSum(0)


def test_every_name_builds_its_signal_and_bench_measures_each() -> None:
    for name in SIGNAL_NAMES:
        assert make_signal(name).name == name
    with pytest.raises(ValueError, match="unknown signal"):
        make_signal("nope")
    costs = signal_costs(updates=500, runs=1)
    assert set(costs) == set(SIGNAL_NAMES) and all(c >= 0 for c in costs.values())


def test_the_books_touch_and_top_sizes_read_best_first() -> None:
    b = book(BIDS, ASKS)
    assert b.touch() == (100.0, 3.0, 101.0, 1.0)
    assert b.top_sizes(2) == ([3.0, 1.0], [1.0, 2.0])
    assert b.top_sizes(9) == ([3.0, 1.0, 4.0], [1.0, 2.0, 8.0])
    assert OrderBook(PRODUCT).touch() is None
