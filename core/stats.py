"""Trading statistics from round trips: what the paper validator and the reports show.

Money stays ``Decimal`` from the round trips to the result. Only the confidence intervals use
floats: they are estimates about chance, not amounts of money.

A round trip is a *win* when its net P&L (after fees) is above zero, a *loss* when below zero,
and *flat* otherwise; flat trades count as trades but neither as wins nor as losses.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.enums import Side
from core.events import RoundTrip

INFINITY = Decimal("Infinity")
Z_95 = 1.959963984540054  # two-sided 95 % quantile of the standard normal

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20_240_601
EXACT_BOOTSTRAP_MAX_TRADES = 1000
"""Up to this many trades every resample draws every trade (the textbook bootstrap)."""
EXACT_SUM_MAX_DRAWS = 200
"""In the large-sample bootstrap, a sum of more draws than this is taken from its normal limit."""
EXACT_COUNT_MAX_MEAN = 50.0
"""In the large-sample bootstrap, a count with variance n·p·(1−p) below this is drawn exactly."""

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Interval:
    """A two-sided 95 % interval. ``high`` may be ``math.inf`` (profit factor with no losses)."""

    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True, slots=True)
class SideStats:
    """Trades opened in one direction (BUY = long, SELL = short)."""

    trades: int
    wins: int
    net_pnl: Decimal

    @property
    def win_rate(self) -> Decimal | None:
        return Decimal(self.wins) / self.trades if self.trades else None


@dataclass(frozen=True, slots=True)
class TradeStats:
    """Everything the report says about a set of round trips.

    ``profit_factor`` is gross wins / gross losses (net of fees per trade): ``INFINITY`` when there
    are wins and no losses, ``None`` when there is neither (no trades, or only flat ones).
    ``avg_loss`` is negative. ``max_drawdown`` is the largest fall of cumulative net P&L from its
    running peak (the peak starts at zero, before the first trade), as a positive amount.
    """

    trades: int
    wins: int
    losses: int
    flat: int
    win_rate: Decimal | None
    profit_factor: Decimal | None
    total_pnl: Decimal
    gross_pnl: Decimal
    avg_pnl: Decimal | None
    avg_win: Decimal | None
    avg_loss: Decimal | None
    gross_wins: Decimal
    gross_losses: Decimal
    max_drawdown: Decimal
    fees_paid: Decimal
    avg_slippage_bps: Decimal | None
    trades_per_day: Decimal | None
    longest_losing_streak: int
    longs: SideStats
    shorts: SideStats
    win_rate_interval: Interval | None
    profit_factor_interval: Interval | None


def compute_stats(
    round_trips: Sequence[RoundTrip],
    *,
    slippages_bps: Iterable[Decimal] = (),
    days: Decimal | None = None,
) -> TradeStats:
    """Statistics of ``round_trips`` in the order they closed.

    ``slippages_bps`` are the fills' slippage against the decision mid; ``days`` is the time the
    trades were collected over (covered days of the gate clock) for trades per day.
    """
    nets = [rt.net_pnl for rt in round_trips]
    trades = len(nets)
    wins = [p for p in nets if p > 0]
    losses = [p for p in nets if p < 0]
    gross_wins = sum(wins, _ZERO)
    gross_losses = -sum(losses, _ZERO)
    total = sum(nets, _ZERO)
    slips = list(slippages_bps)
    return TradeStats(
        trades=trades,
        wins=len(wins),
        losses=len(losses),
        flat=trades - len(wins) - len(losses),
        win_rate=Decimal(len(wins)) / trades if trades else None,
        profit_factor=profit_factor(gross_wins, gross_losses),
        total_pnl=total,
        gross_pnl=sum((rt.gross_pnl for rt in round_trips), _ZERO),
        avg_pnl=total / trades if trades else None,
        avg_win=gross_wins / len(wins) if wins else None,
        avg_loss=-gross_losses / len(losses) if losses else None,
        gross_wins=gross_wins,
        gross_losses=gross_losses,
        max_drawdown=max_drawdown(nets),
        fees_paid=sum((rt.fees for rt in round_trips), _ZERO),
        avg_slippage_bps=sum(slips, _ZERO) / len(slips) if slips else None,
        # A rate per day needs a day: 12 trades in 20 minutes are not 864 a day.
        trades_per_day=Decimal(trades) / days if days is not None and days >= 1 else None,
        longest_losing_streak=longest_losing_streak(nets),
        longs=_side_stats(round_trips, Side.BUY),
        shorts=_side_stats(round_trips, Side.SELL),
        win_rate_interval=wilson_interval(len(wins), trades) if trades else None,
        profit_factor_interval=bootstrap_profit_factor_interval(nets) if wins or losses else None,
    )


def profit_factor(gross_wins: Decimal, gross_losses: Decimal) -> Decimal | None:
    if gross_losses > 0:
        return gross_wins / gross_losses
    return INFINITY if gross_wins > 0 else None


def max_drawdown(nets: Iterable[Decimal]) -> Decimal:
    peak = cumulative = worst = _ZERO
    for pnl in nets:
        cumulative += pnl
        peak = max(peak, cumulative)
        worst = max(worst, peak - cumulative)
    return worst


def longest_losing_streak(nets: Iterable[Decimal]) -> int:
    longest = current = 0
    for pnl in nets:
        current = current + 1 if pnl < 0 else 0
        longest = max(longest, current)
    return longest


def _side_stats(round_trips: Sequence[RoundTrip], side: Side) -> SideStats:
    nets = [rt.net_pnl for rt in round_trips if rt.side is side]
    return SideStats(trades=len(nets), wins=sum(1 for p in nets if p > 0), net_pnl=sum(nets, _ZERO))


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Interval:
    """Wilson score interval for a proportion (well behaved at 0 %, 100 % and small counts)."""
    if trials <= 0:
        raise ValueError("a Wilson interval needs at least one trial")
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / trials + z2n / (4 * trials))
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def bootstrap_profit_factor_interval(
    nets: Sequence[Decimal],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    exact_max_trades: int = EXACT_BOOTSTRAP_MAX_TRADES,
) -> Interval:
    """Percentile bootstrap 95 % interval of the profit factor; deterministic under ``seed``.

    Up to ``exact_max_trades`` trades, each of the ``resamples`` resamples draws ``n`` trades
    with replacement (the textbook bootstrap). Beyond that (20,000 trades would take seconds in
    pure Python) each resample first draws how many wins, losses and flat trades it holds
    (exactly when such a count is rare, from its normal limit otherwise), then the sum of its
    wins and of its losses: draw by draw up to ``EXACT_SUM_MAX_DRAWS`` draws, from the sum's
    normal limit (central limit theorem, exact mean and variance) above. That matches the
    textbook bootstrap to within its own resampling noise, at a cost independent of the number
    of trades. A resample of flat trades only has no profit factor and is left out.
    """
    values = [float(p) for p in nets]
    if not any(values):
        raise ValueError("a profit factor needs at least one winning or losing trade")
    rng = random.Random(seed)
    if len(values) <= exact_max_trades:
        draws = [_resampled_factor(rng, values) for _ in range(resamples)]
    else:
        sampler = _LargeSampleBootstrap(values)
        draws = [sampler.resampled_factor(rng) for _ in range(resamples)]
    factors = sorted(f for f in draws if f is not None)
    return Interval(_percentile(factors, 0.025), _percentile(factors, 0.975))


def _resampled_factor(rng: random.Random, values: list[float]) -> float | None:
    wins = losses = 0.0
    for value in rng.choices(values, k=len(values)):
        if value > 0:
            wins += value
        else:
            losses -= value
    return _factor(wins, losses)


def _factor(wins: float, losses: float) -> float | None:
    """None for a resample of flat trades only: its profit factor is undefined, not 1."""
    if losses > 0:
        return wins / losses
    return math.inf if wins > 0 else None


class _LargeSampleBootstrap:
    """Stratified resampling: category counts first, then the sum within each category."""

    def __init__(self, values: list[float]) -> None:
        self.n = len(values)
        self.wins = [v for v in values if v > 0]
        self.losses = [-v for v in values if v < 0]
        self.p_win = len(self.wins) / self.n
        # P(loss | not a win): the second step of drawing the multinomial counts.
        rest = self.n - len(self.wins)
        self.p_loss_given_not_win = len(self.losses) / rest if rest else 0.0
        self.win_moments = _moments(self.wins)
        self.loss_moments = _moments(self.losses)

    def resampled_factor(self, rng: random.Random) -> float | None:
        k = _binomial(rng, self.n, self.p_win)
        j = _binomial(rng, self.n - k, self.p_loss_given_not_win)
        wins = _sum_of_draws(rng, self.wins, k, self.win_moments)
        losses = _sum_of_draws(rng, self.losses, j, self.loss_moments)
        return _factor(wins, losses)


def _moments(values: list[float]) -> tuple[float, float]:
    if not values:
        return 0.0, 0.0
    mean = math.fsum(values) / len(values)
    return mean, math.fsum((v - mean) ** 2 for v in values) / len(values)


def _sum_of_draws(
    rng: random.Random, values: list[float], draws: int, moments: tuple[float, float]
) -> float:
    if draws <= 0 or not values:
        return 0.0
    if draws <= EXACT_SUM_MAX_DRAWS:
        return math.fsum(rng.choices(values, k=draws))
    mean, variance = moments
    return max(0.0, rng.gauss(draws * mean, math.sqrt(draws * variance)))


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """A Binomial(n, p) draw: exact when successes or failures are rare, else its normal limit."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - _binomial(rng, n, 1.0 - p)
    if n * p * (1 - p) < EXACT_COUNT_MAX_MEAN:
        # Count successes by jumping geometric gaps between them: O(n·p) expected steps.
        log_q = math.log1p(-p)
        count, position = 0, 0
        while True:
            position += int(math.log(1.0 - rng.random()) / log_q) + 1
            if position > n:
                return count
            count += 1
    draw = round(rng.gauss(n * p, math.sqrt(n * p * (1 - p))))
    return min(n, max(0, draw))


def _percentile(ordered: list[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default)."""
    position = q * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    low, high = ordered[lower], ordered[upper]
    if low == high or math.isinf(low) or math.isinf(high):
        return low if position == lower else high
    return low + (high - low) * (position - lower)


def bootstrap_mean_interval(
    values: Sequence[float],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    exact_max_values: int = EXACT_SUM_MAX_DRAWS,
) -> Interval:
    """Percentile bootstrap 95 % interval of the mean; deterministic under ``seed``.

    Up to ``exact_max_values`` values each resample draws them all with replacement (the
    textbook bootstrap); beyond, a resample's mean is drawn from its normal limit (exact mean
    and variance of the resampled mean), as the profit factor's large-sample bootstrap does.
    """
    if not values:
        raise ValueError("a mean needs at least one value")
    n = len(values)
    rng = random.Random(seed)
    if n <= exact_max_values:
        data = list(values)
        means = sorted(math.fsum(rng.choices(data, k=n)) / n for _ in range(resamples))
    else:
        mean, variance = _moments(list(values))
        spread = math.sqrt(variance / n)
        means = sorted(rng.gauss(mean, spread) for _ in range(resamples))
    return Interval(_percentile(means, 0.025), _percentile(means, 0.975))
