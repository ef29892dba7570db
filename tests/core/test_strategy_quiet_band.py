"""The engine skips ``decide`` inside the strategy's quiet band: that must never lose a signal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.enums import Side
from core.strategy import ImbalanceStrategy, OpenPosition, StrategyParams


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


@settings(max_examples=500, deadline=None)
@given(
    long=st.booleans(),
    entry_price=st.floats(0.01, 1e6),
    take=st.floats(0.0001, 5.0),
    stop=st.floats(0.0001, 5.0),
    move=st.floats(-0.06, 0.06),
    ratio=st.floats(0.01, 100.0),
    held_s=st.floats(0.0, 20.0),
)
def test_inside_an_exit_zone_an_open_position_never_decides(  # noqa: PLR0917
    long: bool,
    entry_price: float,
    take: float,
    stop: float,
    move: float,
    ratio: float,
    held_s: float,
) -> None:
    """A sweep's shared pass skips asking a position inside its zone: never a lost exit."""
    strategy = ImbalanceStrategy(
        StrategyParams(take_profit_pct=take, stop_loss_pct=stop, max_hold_s=10.0)
    )
    position = OpenPosition(Side.BUY if long else Side.SELL, entry_price, 1_000)
    zone = strategy.exit_zone(position)
    price = entry_price * (1.0 + move)
    now = 1_000 + round(held_s * 1e9)
    inside = (
        now < zone.until_ns
        and zone.signal_above < ratio < zone.signal_below
        and zone.low < price < zone.high
    )
    decision = strategy.decide(ratio, price, price, position, now)
    assert not (inside and decision is not None), decision


def test_an_exit_zone_is_the_exits_bounds() -> None:
    strategy = ImbalanceStrategy(
        StrategyParams(take_profit_pct=0.2, stop_loss_pct=0.1, max_hold_s=5.0, reversal_ratio=2.0)
    )
    zone = strategy.exit_zone(OpenPosition(Side.BUY, 100.0, 7))
    assert zone.long and zone.until_ns == 7 + 5_000_000_000
    assert zone.low == pytest.approx(99.9) and zone.high == pytest.approx(100.2)
    assert zone.signal_above == 0.5
    # Exactly on a bound is outside the zone: the exit there is decided.
    assert strategy.decide(1.0, 100.2, 100.3, OpenPosition(Side.BUY, 100.0, 7), 8) is not None
    short = strategy.exit_zone(OpenPosition(Side.SELL, 100.0, 7))
    assert short.low == pytest.approx(99.8) and short.high == pytest.approx(100.1)
    assert short.signal_below == 2.0
