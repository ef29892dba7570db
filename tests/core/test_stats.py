"""Statistics against cases computed by hand."""

from __future__ import annotations

import math
import random
from decimal import Decimal

import pytest

from core.enums import Side
from core.events import RoundTrip
from core.stats import (
    INFINITY,
    bootstrap_profit_factor_interval,
    compute_stats,
    wilson_interval,
)

D = Decimal


def trip(net: str, side: Side = Side.BUY, fees: str = "0.20", closed: int = 0) -> RoundTrip:
    return RoundTrip(
        product="PF_XBTUSD",
        side=side,
        quantity=D("0.01"),
        entry_price=D("100"),
        exit_price=D("101"),
        gross_pnl=D(net) + D(fees),
        fees=D(fees),
        net_pnl=D(net),
        opened_wall_ns=closed,
        closed_wall_ns=closed,
    )


MIXED = [
    trip("10.00"),
    trip("-5.00", Side.SELL),
    trip("20.00"),
    trip("-5.00"),
    trip("-5.00", Side.SELL),
    trip("0.00", Side.SELL),
]


def test_a_mixed_session_adds_up_as_computed_by_hand() -> None:
    stats = compute_stats(MIXED, slippages_bps=[D("1.5"), D("-0.5"), D("2")], days=D(3))
    assert (stats.trades, stats.wins, stats.losses, stats.flat) == (6, 2, 3, 1)
    assert stats.win_rate == D(2) / D(6)
    assert stats.profit_factor == D(2)  # 30 / 15
    assert stats.total_pnl == D("15.00")
    assert stats.gross_pnl == D("16.20")
    assert stats.avg_pnl == D("2.5")
    assert stats.avg_win == D("15")
    assert stats.avg_loss == D("-5")
    assert stats.gross_wins == D("30") and stats.gross_losses == D("15")
    # cumulative 10, 5, 25, 20, 15, 15: the deepest fall from a peak is 25 -> 15
    assert stats.max_drawdown == D("10")
    assert stats.fees_paid == D("1.20")
    assert stats.avg_slippage_bps == D("1")
    assert stats.trades_per_day == D(2)
    assert stats.longest_losing_streak == 2  # the flat trade ends the streak
    assert (stats.longs.trades, stats.longs.wins, stats.longs.net_pnl) == (3, 2, D("25.00"))
    assert (stats.shorts.trades, stats.shorts.wins, stats.shorts.net_pnl) == (3, 0, D("-10.00"))
    assert stats.shorts.win_rate == D(0)


def test_zero_trades_give_nothing_to_divide_and_no_error() -> None:
    stats = compute_stats([], days=D(2))
    assert (stats.trades, stats.wins, stats.losses) == (0, 0, 0)
    assert stats.win_rate is None
    assert stats.profit_factor is None
    assert stats.avg_pnl is None and stats.avg_win is None and stats.avg_loss is None
    assert stats.total_pnl == D(0) and stats.max_drawdown == D(0)
    assert stats.avg_slippage_bps is None
    assert stats.trades_per_day == D(0)
    assert stats.longest_losing_streak == 0
    assert stats.win_rate_interval is None and stats.profit_factor_interval is None
    assert stats.longs.win_rate is None


def test_zero_losses_make_an_infinite_profit_factor() -> None:
    stats = compute_stats([trip("5"), trip("3"), trip("0")])
    assert stats.profit_factor == INFINITY
    assert stats.avg_loss is None
    assert stats.max_drawdown == D(0)
    interval = stats.profit_factor_interval
    assert interval is not None
    assert interval.high == math.inf
    assert interval.low == math.inf  # no resample holds a loss; flat-only ones are left out


def test_all_losses_make_a_zero_profit_factor_and_a_full_drawdown() -> None:
    stats = compute_stats([trip("-1"), trip("-2"), trip("-3")])
    assert stats.profit_factor == D(0)
    assert stats.win_rate == D(0)
    assert stats.avg_win is None
    assert stats.avg_loss == D("-2")
    assert stats.max_drawdown == D("6")  # the peak is the starting zero
    assert stats.longest_losing_streak == 3
    assert stats.profit_factor_interval is not None
    assert (stats.profit_factor_interval.low, stats.profit_factor_interval.high) == (0.0, 0.0)
    assert stats.win_rate_interval is not None
    assert stats.win_rate_interval.high == pytest.approx(3.841459 / (3 + 3.841459), abs=1e-6)


def test_only_flat_trades_have_no_profit_factor() -> None:
    stats = compute_stats([trip("0"), trip("0")])
    assert stats.profit_factor is None
    assert stats.profit_factor_interval is None
    assert stats.win_rate == D(0)


def test_money_stays_exact_over_many_trades() -> None:
    stats = compute_stats([trip("0.10")] * 10_000 + [trip("-0.30")] * 1_000)
    assert stats.total_pnl == D("700.00")
    assert stats.profit_factor == D("1000.00") / D("300.00")


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (2, 6, 0.0968, 0.7000),
    ],
)
def test_wilson_interval_matches_published_values(
    successes: int, trials: int, low: float, high: float
) -> None:
    interval = wilson_interval(successes, trials)
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)


def test_wilson_interval_needs_a_trial() -> None:
    with pytest.raises(ValueError, match="at least one trial"):
        wilson_interval(0, 0)


def realistic_nets(count: int, seed: int = 7) -> list[Decimal]:
    rng = random.Random(seed)
    return [D(f"{rng.gauss(2.0, 40.0):.2f}") for _ in range(count)]


def test_the_bootstrap_is_deterministic_and_brackets_the_estimate() -> None:
    nets = realistic_nets(400)
    first = bootstrap_profit_factor_interval(nets)
    assert bootstrap_profit_factor_interval(nets) == first
    wins = sum(n for n in nets if n > 0)
    losses = -sum(n for n in nets if n < 0)
    assert first.low < float(wins / losses) < first.high
    assert bootstrap_profit_factor_interval(nets, seed=1) != first


def test_the_large_sample_bootstrap_agrees_with_the_textbook_one() -> None:
    nets = realistic_nets(3000)
    textbook = bootstrap_profit_factor_interval(nets, exact_max_trades=len(nets))
    fast = bootstrap_profit_factor_interval(nets)
    assert fast != textbook  # really the other method
    assert fast.low == pytest.approx(textbook.low, rel=0.02)
    assert fast.high == pytest.approx(textbook.high, rel=0.02)


def test_the_large_sample_bootstrap_handles_rare_losses() -> None:
    nets = [D("1")] * 5000 + [D("-50")] * 5  # PF 20, driven by five losses
    interval = bootstrap_profit_factor_interval(nets)
    textbook = bootstrap_profit_factor_interval(nets, exact_max_trades=len(nets), resamples=300)
    assert interval.low < 20 < interval.high
    assert interval.low == pytest.approx(textbook.low, rel=0.15)
    assert interval.high == pytest.approx(textbook.high, rel=0.25)
