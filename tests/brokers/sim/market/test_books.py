"""SimMarket: deterministic, deep, never crossed, imbalances that swing, an honest edge knob."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal

import pytest

from brokers.sim import (
    BTCUSDT,
    KRAKEN_FUTURES_PRODUCTS,
    PF_ETHUSD,
    PF_XBTUSD,
    PI_XBTUSD,
    LevelChange,
    SimMarket,
)
from core.enums import Side

T0 = 1_700_000_000_000_000_000
MS = 1_000_000


def run(market: SimMarket, product: str, steps: int, every_ms: float = 10) -> list[LevelChange]:
    market.step(product, T0)
    changes: list[LevelChange] = []
    for i in range(1, steps + 1):
        changes.extend(market.step(product, T0 + int(i * every_ms * MS)))
    return changes


class ReplayedBook:
    """A book rebuilt from the market's own snapshot and level changes, one at a time."""

    def __init__(self, market: SimMarket, product: str) -> None:
        view = market.book(product)
        self.bids = dict(view.bids)
        self.asks = dict(view.asks)

    def apply(self, change: LevelChange) -> None:
        side = self.bids if change.side is Side.BUY else self.asks
        if change.size == 0:
            del side[change.price]  # a delete always names an existing level
        else:
            side[change.price] = change.size

    def assert_sound(self) -> None:
        assert len(self.bids) >= 50 and len(self.asks) >= 50
        assert max(self.bids) < min(self.asks), "crossed or locked book"


def test_same_seed_same_calls_give_identical_messages() -> None:
    first = SimMarket(KRAKEN_FUTURES_PRODUCTS, seed=42)
    second = SimMarket(KRAKEN_FUTURES_PRODUCTS, seed=42)
    for product in first.products:
        assert run(first, product, 500) == run(second, product, 500)
        assert first.book(product) == second.book(product)


def test_a_different_seed_gives_a_different_market() -> None:
    assert run(SimMarket([PF_XBTUSD], seed=1), "PF_XBTUSD", 300) != run(
        SimMarket([PF_XBTUSD], seed=2), "PF_XBTUSD", 300
    )


def test_products_do_not_depend_on_the_order_they_are_stepped_in() -> None:
    together = SimMarket([PF_XBTUSD, PF_ETHUSD], seed=5)
    alone = SimMarket([PF_ETHUSD], seed=5)
    run(together, "PF_XBTUSD", 200)
    assert run(together, "PF_ETHUSD", 200) == run(alone, "PF_ETHUSD", 200)


@pytest.mark.parametrize("spec", [PF_XBTUSD, PF_ETHUSD, PI_XBTUSD, BTCUSDT])
def test_the_book_starts_60_levels_deep_around_the_start_price(spec) -> None:
    view = SimMarket([spec], seed=3).book(spec.symbol)
    assert len(view.bids) == len(view.asks) == 60
    assert view.best_bid <= spec.start_price <= view.best_ask
    assert 0 < (view.best_ask - view.best_bid) / spec.tick_size <= 3 * spec.level_gap_ticks
    for price, size in view.bids + view.asks:
        assert price % spec.tick_size == 0 and size % spec.size_step == 0 and size > 0
    assert [p for p, _ in view.bids] == sorted((p for p, _ in view.bids), reverse=True)
    assert [p for p, _ in view.asks] == sorted(p for p, _ in view.asks)
    near = sum(size for _, size in view.bids[:10]) / 10
    far = sum(size for _, size in view.bids[-10:]) / 10
    assert far > near, "levels further out are bigger"


@pytest.mark.parametrize("rate_hz", [50.0, 2000.0])
def test_never_crossed_and_never_thin_after_any_single_level_change(rate_hz: float) -> None:
    market = SimMarket([PF_XBTUSD], seed=9, rate_hz=rate_hz, volatility_bps=3.0)
    product = "PF_XBTUSD"
    market.step(product, T0)
    replay = ReplayedBook(market, product)
    count = 0
    now = T0
    while count < 6000:
        now += 10 * MS
        for change in market.step(product, now):
            replay.apply(change)
            replay.assert_sound()
            count += 1
        if count % 700 < 10:  # our own orders eat through levels now and then
            side = Side.BUY if (now // MS) % 2 else Side.SELL
            for change in market.execute_market(product, side, Decimal("3"), now_ns=now)[1]:
                replay.apply(change)
                replay.assert_sound()
    view = market.book(product)
    assert replay.bids == dict(view.bids) and replay.asks == dict(view.asks)


def test_messages_flow_at_the_configured_rate() -> None:
    changes = run(SimMarket([PF_XBTUSD], seed=4, rate_hz=200), "PF_XBTUSD", 1000)  # 10 s
    assert 1600 <= len(changes) <= 2400
    assert all(T0 <= c.ts_ns <= T0 + 10_000 * MS for c in changes)
    assert [c.ts_ns for c in changes] == sorted(c.ts_ns for c in changes)


def test_a_long_pause_skips_ahead_instead_of_bursting() -> None:
    market = SimMarket([PF_XBTUSD], seed=4, rate_hz=100)
    market.step("PF_XBTUSD", T0)
    burst = market.step("PF_XBTUSD", T0 + 60_000 * MS)  # a minute later
    assert len(burst) < 250


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_strong_imbalances_occur_within_a_minute_at_the_default_settings(seed: int) -> None:
    """A newcomer sees signals: the top-10 ratio passes 3x (or 1/3x) a few times a minute."""
    market = SimMarket([PF_XBTUSD], seed=seed)
    market.step("PF_XBTUSD", T0)
    episodes, strong = 0, False
    for i in range(1, 6001):  # 60 s, looked at every 10 ms
        market.step("PF_XBTUSD", T0 + i * 10 * MS)
        ratio = market.imbalance("PF_XBTUSD")
        now_strong = ratio >= 3 or ratio <= 1 / 3
        episodes += now_strong and not strong
        strong = now_strong
    assert episodes >= 2


def agreement(edge: float, seed: int = 21, seconds: int = 120) -> float:
    """How often the mid moves the way the top-10 imbalance pointed just before."""
    market = SimMarket([PF_XBTUSD], seed=seed, edge=edge)
    market.step("PF_XBTUSD", T0)
    previous_mid = market.book("PF_XBTUSD", depth=1).mid
    ratio = market.imbalance("PF_XBTUSD")
    agree = moves = 0
    for i in range(1, seconds * 100 + 1):
        market.step("PF_XBTUSD", T0 + i * 10 * MS)
        mid = market.book("PF_XBTUSD", depth=1).mid
        if mid != previous_mid:
            moves += 1
            agree += (mid > previous_mid) == (ratio > 1)
        previous_mid, ratio = mid, market.imbalance("PF_XBTUSD")
    assert moves > 200
    return agree / moves


def test_edge_zero_means_the_imbalance_predicts_nothing_and_edge_one_measurably_does() -> None:
    without = agreement(0.0)
    with_edge = agreement(1.0)
    assert abs(without - 0.5) < 0.06
    assert with_edge > without + 0.1


def test_execute_market_consumes_exactly_what_it_fills() -> None:
    market = SimMarket([PF_XBTUSD], seed=8)
    before = market.book("PF_XBTUSD")
    wanted = before.asks[0][1] + before.asks[1][1] + Decimal("0.0003")
    executions, changes = market.execute_market("PF_XBTUSD", Side.BUY, wanted, now_ns=T0)
    assert [e.price for e in executions] == [p for p, _ in before.asks[:3]]
    assert sum(e.size for e in executions) == wanted
    after = market.book("PF_XBTUSD")
    assert after.asks[0] == (before.asks[2][0], before.asks[2][1] - Decimal("0.0003"))
    assert after.bids == before.bids
    assert len(after.asks) == len(before.asks), "the far end is refilled, depth kept"
    assert after.update_id == before.update_id + len(changes)
    assert all(c.ts_ns == T0 for c in changes)
    asks_left = dict(after.asks)
    for price, size in before.asks[:2]:
        assert price not in asks_left and size > 0


def test_execute_market_respects_a_limit_and_never_fills_more_than_the_book_shows() -> None:
    market = SimMarket([PF_XBTUSD], seed=8)
    book = market.book("PF_XBTUSD")
    limit = book.bids[1][0]
    executions, _ = market.execute_market(
        "PF_XBTUSD", Side.SELL, Decimal("1000"), limit_price=limit
    )
    assert [e.price for e in executions] == [book.bids[0][0], book.bids[1][0]]
    assert sum(e.size for e in executions) == book.bids[0][1] + book.bids[1][1]
    executions, _ = market.execute_market(
        "PF_XBTUSD", Side.BUY, Decimal("0.0001"), limit_price=book.best_bid
    )
    assert executions == []


def test_bad_settings_and_inputs_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="edge"):
        SimMarket([PF_XBTUSD], edge=1.5)
    with pytest.raises(ValueError, match="50 levels"):
        SimMarket([PF_XBTUSD], levels=20)
    market = SimMarket([PF_XBTUSD])
    with pytest.raises(KeyError, match="unknown product"):
        market.step("PF_DOGEUSD", T0)
    with pytest.raises(ValueError, match="multiple of the step"):
        market.execute_market("PF_XBTUSD", Side.BUY, Decimal("0.00001"))


def test_volatility_sets_the_size_of_mid_moves() -> None:
    def one_second_std_bps(volatility: float, rate_hz: float) -> float:
        market = SimMarket([PF_XBTUSD], seed=6, volatility_bps=volatility, rate_hz=rate_hz)
        market.step("PF_XBTUSD", T0)
        mids = []
        for second in range(1, 121):
            market.step("PF_XBTUSD", T0 + second * 1000 * MS)
            mids.append(float(market.book("PF_XBTUSD", depth=1).mid))
        returns = [math.log(b / a) * 1e4 for a, b in itertools.pairwise(mids)]
        return math.sqrt(sum(r * r for r in returns) / len(returns))

    calm = one_second_std_bps(0.5, 50)
    wild = one_second_std_bps(3.0, 500)  # big moves need the message rate to carry them
    assert 0.25 < calm < 1.0
    assert 1.8 < wild < 4.5
