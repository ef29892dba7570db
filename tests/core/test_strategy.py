"""The guide's strategy: entries on strong imbalance, exits on TP/SL/time/reversal, with reasons."""

from __future__ import annotations

import pytest

from core.enums import Side, SignalAction
from core.strategy import Decision, ImbalanceStrategy, OpenPosition, StrategyParams

S = 1_000_000_000  # ns per second
T0 = 1_700_000_000 * S


def decide(
    strategy: ImbalanceStrategy,
    ratio: float,
    *,
    bid: float = 100.0,
    ask: float = 100.1,
    spread_bps: float = 10.0,
    position: OpenPosition | None = None,
    now_ns: int = T0,
) -> Decision | None:
    return strategy.decide(
        ratio=ratio,
        best_bid=bid,
        best_ask=ask,
        spread_bps=spread_bps,
        position=position,
        now_ns=now_ns,
    )


def fresh() -> ImbalanceStrategy:
    return ImbalanceStrategy(StrategyParams())


# -- entries -------------------------------------------------------------------------------


def test_strong_bullish_imbalance_buys_at_the_best_ask() -> None:
    decision = decide(fresh(), 3.2)
    assert decision == Decision(SignalAction.BUY, "Strong bullish imbalance (3.2x)", 3.2, 100.1)


def test_the_entry_threshold_itself_is_strong_enough() -> None:
    assert decide(fresh(), 3.0) is not None
    assert decide(fresh(), 1 / 3.0) is not None


def test_strong_bearish_imbalance_sells_at_the_best_bid() -> None:
    decision = decide(fresh(), 0.3)
    assert decision == Decision(SignalAction.SELL, "Strong bearish imbalance (0.3x)", 0.3, 100.0)


def test_a_mild_imbalance_does_nothing() -> None:
    strategy = fresh()
    assert decide(strategy, 2.9) is None
    assert decide(strategy, 0.34) is None
    assert decide(strategy, 1.0) is None


def test_no_entry_while_the_spread_is_wider_than_the_filter() -> None:
    strategy = fresh()
    assert decide(strategy, 5.0, spread_bps=50.1) is None
    assert decide(strategy, 5.0, spread_bps=float("nan")) is None
    assert decide(strategy, 5.0, spread_bps=50.0) is not None


def test_no_entry_during_the_cooldown_after_a_signal() -> None:
    strategy = fresh()
    assert decide(strategy, 4.0, now_ns=T0) is not None
    assert decide(strategy, 4.0, now_ns=T0 + 9 * S) is None
    assert strategy.cooldown_remaining_ns(T0 + 9 * S) == 1 * S
    assert decide(strategy, 4.0, now_ns=T0 + 10 * S) is not None


def test_an_exit_also_starts_the_entry_cooldown() -> None:
    strategy = fresh()
    long = OpenPosition(Side.BUY, 100.0, T0)
    assert decide(strategy, 0.2, bid=99.0, position=long, now_ns=T0 + S) is not None
    assert decide(strategy, 4.0, now_ns=T0 + 2 * S) is None


def test_the_engine_can_start_the_cooldown_itself() -> None:
    strategy = fresh()
    strategy.note_signal(T0)
    assert decide(strategy, 4.0, now_ns=T0 + S) is None


def test_without_shorting_a_bearish_entry_is_still_reported_as_sell() -> None:
    strategy = ImbalanceStrategy(StrategyParams(allow_short=False))
    decision = decide(strategy, 0.25)
    assert decision is not None
    assert decision.action is SignalAction.SELL


# -- exits ---------------------------------------------------------------------------------


def test_take_profit_on_a_long_is_judged_at_the_best_bid() -> None:
    long = OpenPosition(Side.BUY, 100.0, T0)
    assert decide(fresh(), 1.0, bid=100.19, ask=100.3, position=long) is None  # ask would be TP
    decision = decide(fresh(), 1.0, bid=100.2, ask=100.3, position=long)
    assert decision == Decision(SignalAction.CLOSE, "Take profit hit (+0.20%)", 1.0, 100.2)


def test_stop_loss_on_a_long() -> None:
    long = OpenPosition(Side.BUY, 100.0, T0)
    decision = decide(fresh(), 1.0, bid=99.85, position=long)
    assert decision is not None
    assert decision.reason == "Stop loss hit (-0.15%)"


def test_a_short_profits_when_the_best_ask_falls() -> None:
    short = OpenPosition(Side.SELL, 100.0, T0)
    decision = decide(fresh(), 1.0, bid=99.7, ask=99.8, position=short)
    assert decision == Decision(SignalAction.CLOSE, "Take profit hit (+0.20%)", 1.0, 99.8)
    decision = decide(fresh(), 1.0, bid=100.1, ask=100.2, position=short)
    assert decision is not None
    assert decision.reason == "Stop loss hit (-0.20%)"


def test_max_hold_time_closes_the_position() -> None:
    long = OpenPosition(Side.BUY, 100.0, T0)
    assert decide(fresh(), 1.0, bid=100.05, position=long, now_ns=T0 + 299 * S) is None
    decision = decide(fresh(), 1.0, bid=100.05, position=long, now_ns=T0 + 300 * S)
    assert decision is not None
    assert decision.reason == "Max hold time reached (300s)"


def test_an_imbalance_reversal_closes_the_position() -> None:
    long = OpenPosition(Side.BUY, 100.0, T0)
    assert decide(fresh(), 0.6, position=long) is None
    decision = decide(fresh(), 0.4, position=long)
    assert decision is not None
    assert decision.reason == "Imbalance reversal (0.4x)"
    short = OpenPosition(Side.SELL, 100.1, T0)
    decision = decide(fresh(), 2.0, position=short)
    assert decision is not None
    assert decision.reason == "Imbalance reversal (2.0x)"


def test_stop_loss_is_checked_before_everything_else() -> None:
    long = OpenPosition(Side.BUY, 100.0, T0)
    decision = decide(fresh(), 0.1, bid=99.0, position=long, now_ns=T0 + 999 * S)
    assert decision is not None
    assert decision.reason == "Stop loss hit (-1.00%)"


def test_take_profit_is_checked_before_max_hold() -> None:
    long = OpenPosition(Side.BUY, 100.0, T0)
    decision = decide(fresh(), 1.0, bid=100.5, position=long, now_ns=T0 + 999 * S)
    assert decision is not None
    assert decision.reason.startswith("Take profit hit")


def test_exits_ignore_the_spread_filter_and_the_cooldown() -> None:
    strategy = fresh()
    strategy.note_signal(T0)
    long = OpenPosition(Side.BUY, 100.0, T0)
    decision = decide(strategy, 1.0, bid=99.0, spread_bps=500.0, position=long, now_ns=T0 + 1)
    assert decision is not None


def test_in_a_position_no_new_entry_is_proposed() -> None:
    long = OpenPosition(Side.BUY, 100.0, T0)
    assert decide(fresh(), 5.0, bid=100.05, position=long) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("entry_ratio", 1.0),
        ("reversal_ratio", 0.5),
        ("take_profit_pct", 0.0),
        ("stop_loss_pct", -1.0),
        ("max_hold_s", 0.0),
        ("spread_filter_bps", -1.0),
        ("cooldown_s", -0.1),
    ],
)
def test_nonsense_parameters_are_refused_with_the_field_named(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field.split("_", maxsplit=1)[0]):
        StrategyParams(**{field: value})
