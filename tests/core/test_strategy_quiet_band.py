"""The engine skips ``decide`` inside the strategy's quiet band: that must never lose a signal."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from core.strategy import ImbalanceStrategy, StrategyParams


@settings(max_examples=300, deadline=None)
@given(
    entry=st.floats(1.01, 50.0),
    fraction=st.floats(0.0, 1.0),
    spread=st.floats(0.0, 100.0),
    now_ns=st.integers(0, 2**62),
)
def test_flat_inside_the_quiet_band_nothing_is_ever_decided(
    entry: float, fraction: float, spread: float, now_ns: int
) -> None:
    strategy = ImbalanceStrategy(StrategyParams(entry_ratio=entry, cooldown_s=0.0))
    low, high = strategy.quiet_band
    ratio = low + (high - low) * fraction
    decision = strategy.decide(
        ratio=ratio,
        best_bid=100.0,
        best_ask=100.5,
        spread_bps=spread,
        position=None,
        now_ns=now_ns,
    )
    assert decision is None or not low < ratio < high


def test_the_band_edges_are_the_entry_thresholds() -> None:
    strategy = ImbalanceStrategy(StrategyParams(entry_ratio=4.0))
    assert strategy.quiet_band == (0.25, 4.0)
    assert strategy.cooldown_remaining_ns(0) == 0
