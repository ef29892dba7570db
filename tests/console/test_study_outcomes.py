"""The study's building blocks on hand-made series: horizons, disjoint cases, deciles."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest

from console.study.buckets import decile_buckets, decile_edges, threshold_buckets
from console.study.outcomes import (
    Horizon,
    HorizonUnit,
    disjoint_cases,
    outcomes,
    parse_horizon,
)
from console.study.series import Series
from tests.console.sim_recording import sim_header

S = 1_000_000_000


def series(mids: list[float], times_s: list[float]) -> Series:
    return Series(
        path=Path("hand-made"),
        header=sim_header(),
        recv_ns=array("q", [int(t * S) for t in times_s]),
        mids=array("d", mids),
        spreads_bps=array("d", [1.0] * len(mids)),
    )


def test_a_mid_change_horizon_ends_at_the_kth_change_after_the_update() -> None:
    s = series([100, 100, 101, 101, 100, 102], [0, 1, 2, 3, 4, 5])
    one = outcomes(s, Horizon(1, HorizonUnit.CHANGES))
    assert list(one.ends) == [2, 2, 4, 4, 5, -1]
    assert one.moves_bps[0] == pytest.approx(100.0)  # 100 -> 101: +1 %
    two = outcomes(s, Horizon(2, HorizonUnit.CHANGES))
    assert list(two.ends) == [4, 4, 5, 5, -1, -1]
    assert two.moves_bps[0] == 0.0  # up then down: back where it started


def test_a_seconds_horizon_reads_the_mid_standing_then_and_needs_data_after_it() -> None:
    s = series([100, 101, 102, 103, 104], [0.0, 0.5, 1.2, 1.9, 3.5])
    result = outcomes(s, Horizon(1, HorizonUnit.SECONDS))
    assert list(result.ends) == [1, 2, 3, 3, -1]  # 1.9 + 1 s: nothing recorded after 2.9 s
    assert result.moves_bps[3] == 0.0


def test_cases_within_a_bucket_never_share_a_stretch_of_the_future() -> None:
    s = series([100, 100, 100, 101, 101, 102, 103], [0, 1, 2, 3, 4, 5, 6])
    result = outcomes(s, Horizon(1, HorizonUnit.CHANGES))
    taken = disjoint_cases([0, 0, 1, 0, 0, -1, 0], result, 2)
    assert taken == [[0, 3], [2]]  # 1 would share 0's move; 4 shares 3's; 6 has no future


def test_deciles_merge_ties_and_thresholds_pick_both_sides() -> None:
    values = [float(v) for v in range(100)]
    edges = decile_edges(values)
    assert edges == [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0]
    assert decile_edges([1.0] * 50 + [2.0] * 50) == [1.0]
    bucketing = decile_buckets(edges, [values])
    assert bucketing.ids[0][0] == 0 and bucketing.ids[0][10] == 0 and bucketing.ids[0][11] == 1
    assert bucketing.buckets[0].direction == -1 and bucketing.buckets[-1].direction == 1
    thresholds = threshold_buckets("ratio", 3.0, 1 / 3, [[3.0, 1.0, 0.2, float("inf")]])
    assert thresholds.ids == [[0, -1, 1, 0]]


@pytest.mark.parametrize(
    ("text", "horizon"),
    [("5", Horizon(5, HorizonUnit.CHANGES)), ("30s", Horizon(30, HorizonUnit.SECONDS))],
)
def test_horizons_are_read_from_the_command_line(text: str, horizon: Horizon) -> None:
    assert parse_horizon(text) == horizon
    with pytest.raises(ValueError, match="bad horizon"):
        parse_horizon("soon")
