"""The latency histogram: percentiles within 1 % of the true samples, exact count/mean/max."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.latency import LatencyHistogram, LatencySummary, bucket_bounds, bucket_index


def nearest_rank(sorted_samples: list[int], q: float) -> int:
    rank = max(1, math.ceil(q / 100 * len(sorted_samples)))
    return sorted_samples[rank - 1]


def filled(samples: list[int]) -> LatencyHistogram:
    histogram = LatencyHistogram()
    for ns in samples:
        histogram.record(ns)
    return histogram


def test_percentiles_are_within_one_percent_of_the_sorted_samples() -> None:
    rng = random.Random(7)
    samples = [int(rng.lognormvariate(10, 1.2)) for _ in range(20_000)]  # ~22 us median
    samples += [rng.randint(2_000_000, 9_000_000) for _ in range(50)]  # a few GC-ish outliers
    histogram = filled(samples)
    ordered = sorted(samples)
    for q in (1, 10, 50, 90, 95, 99, 99.9, 99.99, 100):
        true = nearest_rank(ordered, q)
        assert abs(histogram.percentile(q) - true) <= 0.01 * true, q
    assert histogram.count == len(samples)
    assert histogram.max_ns == max(samples)
    assert histogram.mean_ns == sum(samples) / len(samples)


@settings(max_examples=200, deadline=None)
@given(
    samples=st.lists(st.integers(0, 10**12), min_size=1, max_size=300),
    q=st.floats(min_value=0, max_value=100),
)
def test_any_percentile_of_any_samples_is_within_one_percent(samples: list[int], q: float) -> None:
    true = nearest_rank(sorted(samples), q)
    assert abs(filled(samples).percentile(q) - true) <= 0.01 * true


def test_small_values_are_exact() -> None:
    histogram = filled(list(range(256)))
    assert histogram.percentile(50) == 127
    assert histogram.bucket_counts()[:3] == [(0, 1), (1, 1), (2, 1)]


def test_summary_gives_avg_p50_p95_p99_p999_and_max() -> None:
    summary = filled([1000] * 98 + [5000, 100_000]).summary()
    assert (summary.count, summary.avg_ns, summary.max_ns) == (100, 2030, 100_000)
    assert summary.p50_ns == pytest.approx(1000, rel=0.01)
    assert summary.p95_ns == pytest.approx(1000, rel=0.01)
    assert summary.p99_ns == pytest.approx(5000, rel=0.01)
    assert summary.p999_ns == 100_000  # the top bucket is clamped to the exact maximum


def test_an_empty_histogram_summarises_to_zeros() -> None:
    assert LatencyHistogram().summary() == LatencySummary(0, 0, 0, 0, 0, 0, 0)
    assert LatencyHistogram().mean_ns == 0.0


def test_merge_is_the_same_as_recording_everything_in_one() -> None:
    a, b = filled([100, 2_000, 30_000]), filled([5, 400_000])
    a.merge(b)
    everything = filled([100, 2_000, 30_000, 5, 400_000])
    assert a.summary() == everything.summary()
    assert a.bucket_counts() == everything.bucket_counts()
    empty = LatencyHistogram()
    empty.merge(b)
    assert empty.summary() == b.summary()


def test_reset_empties_the_histogram() -> None:
    histogram = filled([10, 20_000])
    histogram.reset()
    assert histogram.summary() == LatencySummary(0, 0, 0, 0, 0, 0, 0)
    assert histogram.bucket_counts() == []


def test_bucket_counts_list_the_non_empty_buckets_with_their_upper_bounds() -> None:
    buckets = filled([3, 3, 1000, 1001, 10**9]).bucket_counts()
    assert [count for _, count in buckets] == [2, 2, 1]
    assert buckets[0][0] == 3
    assert 1001 <= buckets[1][0] <= 1001 * 1.01
    assert 10**9 <= buckets[2][0] <= 10**9 * 1.01


def test_every_bucket_is_at_most_1_128th_of_its_value_wide() -> None:
    for ns in [256, 257, 1000, 123_456, 10**9, 2**62 + 1]:
        low, high = bucket_bounds(bucket_index(ns))
        assert low <= ns <= high
        assert high - low + 1 <= low / 128


def test_negative_and_enormous_values_are_clamped_not_fatal() -> None:
    histogram = filled([-5, 2**70])
    assert histogram.percentile(0) == 0
    assert histogram.max_ns == 2**63 - 1


def test_a_percentile_outside_0_to_100_is_refused() -> None:
    with pytest.raises(ValueError, match="percentile"):
        LatencyHistogram().percentile(101)


def test_min_is_the_lower_bound_of_the_smallest_samples_bucket() -> None:
    histogram = LatencyHistogram()
    assert histogram.min_ns == 0
    for ns in (50_000, 12_345, 900_000):
        histogram.record(ns)
    assert 12_345 * 0.99 <= histogram.min_ns <= 12_345


def test_reading_between_records_changes_nothing_whatever_the_batching() -> None:
    # ``record`` buffers samples and buckets them in batches; reads fold the buffer first.
    rng = random.Random(3)
    samples = [rng.randint(1_000, 5_000_000) for _ in range(3_000)]
    samples[1_500] = -7  # a clock glitch in the middle of a batch counts as 0
    read_often = LatencyHistogram()
    for i, ns in enumerate(samples):
        read_often.record(ns)
        if i % 97 == 0:
            assert read_often.count == i + 1
            assert read_often.max_ns == max(samples[: i + 1])
    at_once = filled(samples)
    assert read_often.snapshot() == at_once.snapshot()
    assert at_once.sum_ns == sum(max(ns, 0) for ns in samples)
    assert at_once.min_ns == 0


def test_every_value_lands_in_its_bucket_on_both_sides_of_the_lookup_table() -> None:
    # Folding looks buckets up in a table below 2**15 ns and computes them above.
    for ns in [*range(0, 40_000, 7), *range(32_700, 32_800)]:
        upper = bucket_bounds(bucket_index(ns))[1]
        assert filled([ns]).bucket_counts() == [(upper, 1)], ns
