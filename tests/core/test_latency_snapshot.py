"""Histogram copies for the store and the console, and the exact minimum the store keeps."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from core.latency import LatencyHistogram, LatencySnapshot


def filled(samples: list[int]) -> LatencyHistogram:
    histogram = LatencyHistogram()
    for ns in samples:
        histogram.record(ns)
    return histogram


def test_min_is_exact_and_zero_when_empty() -> None:
    assert LatencyHistogram().min_ns == 0
    histogram = filled([90_001, 1_234_567, 55_555])
    assert histogram.min_ns == 55_555
    histogram.record(-3)  # a clock glitch counts as 0
    assert histogram.min_ns == 0


def test_merge_and_reset_keep_the_minimum_right() -> None:
    low, high = filled([7_000, 9_000]), filled([3_000_000])
    high.merge(low)
    assert (high.min_ns, high.max_ns, high.count) == (7_000, 3_000_000, 3)
    high.reset()
    assert (high.min_ns, high.count) == (0, 0)
    high.record(42_000)
    assert high.min_ns == 42_000


@settings(max_examples=150, deadline=None)
@given(samples=st.lists(st.integers(-10, 10**11), min_size=1, max_size=200))
def test_a_snapshot_answers_exactly_like_the_histogram(samples: list[int]) -> None:
    histogram = filled(samples)
    snapshot = histogram.snapshot()
    assert snapshot.summary() == histogram.summary()
    assert snapshot.bucket_counts() == histogram.bucket_counts()
    assert (snapshot.count, snapshot.sum_ns, snapshot.min_ns, snapshot.max_ns) == (
        histogram.count,
        histogram.sum_ns,
        histogram.min_ns,
        histogram.max_ns,
    )
    for q in (0.0, 37.5, 99.99, 100.0):
        assert snapshot.percentile(q) == histogram.percentile(q)


def test_a_snapshot_does_not_move_when_the_histogram_does() -> None:
    histogram = filled([5_000])
    snapshot = histogram.snapshot()
    histogram.record(9_000_000)
    assert (snapshot.count, snapshot.max_ns) == (1, 5_000)


def test_octaves_count_every_sample_once_from_the_lowest_to_the_highest_power_of_two() -> None:
    snapshot = filled([1_500, 1_900, 3_000, 70_000]).snapshot()
    octaves = snapshot.octaves()
    assert octaves[0] == (2_047, 2)  # 1,024..2,047 ns
    assert octaves[1] == (4_095, 1)
    assert octaves[-1] == (131_071, 1)  # 65,536..131,071 ns
    assert all(count == 0 for _, count in octaves[2:-1])
    assert sum(count for _, count in octaves) == 4


def test_an_empty_snapshot_has_nothing_to_draw() -> None:
    empty = LatencyHistogram().snapshot()
    assert empty == LatencySnapshot(0, 0, 0, 0, 0, ())
    assert empty.octaves() == ()
    assert empty.summary().count == 0
