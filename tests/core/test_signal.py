"""The imbalance ratio and how it is shown."""

from __future__ import annotations

import math

import pytest

from core.signal import ImbalanceHistory, format_ratio, imbalance_ratio


def test_ratio_is_bid_size_over_ask_size() -> None:
    assert imbalance_ratio(32.0, 10.0) == pytest.approx(3.2)
    assert imbalance_ratio(3.0, 10.0) == pytest.approx(0.3)


def test_empty_sides_give_the_extremes_and_an_empty_book_is_balanced() -> None:
    assert imbalance_ratio(5.0, 0.0) == math.inf
    assert imbalance_ratio(0.0, 5.0) == 0.0
    assert imbalance_ratio(0.0, 0.0) == 1.0


def test_ratio_is_shown_with_one_decimal_and_an_x() -> None:
    assert format_ratio(3.2) == "3.2x"
    assert format_ratio(imbalance_ratio(1.0, 3.0)) == "0.3x"
    assert format_ratio(10.0) == "10.0x"
    assert format_ratio(math.inf) == "∞x"


def test_history_keeps_the_last_ratios_oldest_first() -> None:
    history = ImbalanceHistory(capacity=3)
    assert history.last is None
    for ratio in (1.0, 2.0, 3.0, 4.0):
        history.append(ratio)
    assert history.values() == [2.0, 3.0, 4.0]
    assert (len(history), history.last, history.capacity) == (3, 4.0, 3)
    history.clear()
    assert len(history) == 0


def test_history_needs_room_for_at_least_one_ratio() -> None:
    with pytest.raises(ValueError, match="capacity"):
        ImbalanceHistory(capacity=0)
