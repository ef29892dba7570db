"""Every signal of the family trades through the real engine: the same entries, exits and risk
checks, only the number they read differs. The guide's ratio stays the default."""

from __future__ import annotations

import pytest

from core.engine import Engine
from core.enums import SignalAction
from core.events import BookDelta, SignalOutcome
from core.signals import SIGNAL_NAMES
from core.strategy import StrategyParams
from tests.core.engine.test_engine import SYMBOL, Recorder, make_engine, snapshot

_BID, _ASK = 43_500.0, 43_500.5

# The touch's half-spread is 0.057 bps here: the micro-price's default entry (sized for a wider
# spread) can never be reached, so this test sets its thresholds, as a trader would.
_OVERRIDES = {"microprice": {"signal_entry": 0.02, "signal_exit": 0.02}}


def touch(seq: int, bid: float, ask: float) -> BookDelta:
    """Both sizes at the touch changed in one update."""
    return BookDelta(SYMBOL, seq, seq, ((_BID, bid),), ((_ASK, ask),), 0, 0)


def engine_trading(signal: str) -> tuple[Engine, Recorder]:
    params = StrategyParams(cooldown_s=0.0, signal=signal, **_OVERRIDES.get(signal, {}))
    engine, _, recorder, _ = make_engine(strategy=params)
    return engine, recorder


@pytest.mark.parametrize("signal", SIGNAL_NAMES)
async def test_each_signal_opens_on_its_bullish_book_and_closes_on_the_reversal(
    signal: str,
) -> None:
    engine, recorder = engine_trading(signal)
    engine.on_snapshot(snapshot(1, 1.0, 1.0))
    assert recorder.signals == [], "a balanced book is inside every signal's quiet band"
    engine.on_delta(touch(2, 30.0, 1.0))  # buyers pile onto the touch
    [entry] = recorder.signals
    assert (entry.action, entry.outcome) == (SignalAction.BUY, SignalOutcome.ACTED)
    assert entry.ratio == engine.state().book.ratio
    if signal != "ratio":
        assert entry.reason.startswith(f"Strong bullish imbalance ({signal} +")
    engine.on_delta(touch(3, 0.01, 30.0))  # and leave it to the sellers
    exit_ = recorder.signals[-1]
    assert exit_.action is SignalAction.CLOSE
    assert exit_.reason.startswith("Imbalance reversal")
    assert engine.ledger.position.quantity == 0


@pytest.mark.parametrize("signal", SIGNAL_NAMES)
async def test_each_signal_opens_a_short_on_its_bearish_book_and_the_risk_manager_still_vets(
    signal: str,
) -> None:
    engine, recorder = engine_trading(signal)
    engine.on_snapshot(snapshot(1, 1.0, 1.0))
    engine.pause()  # entries are refused with the reason, whichever signal asked
    engine.on_delta(touch(2, 1.0, 30.0))
    [entry] = recorder.signals
    assert (entry.action, entry.outcome, entry.block_reason) == (
        SignalAction.SELL,
        SignalOutcome.BLOCKED,
        "paused",
    )


def test_the_default_is_the_guides_ratio_on_its_own_lean_path() -> None:
    params = StrategyParams()
    assert params.signal == "ratio"
    assert params.thresholds == (1 / 3.0, 3.0, 1 / 2.0, 2.0)
    engine, _ = engine_trading("ratio")
    assert "on_book_update" not in vars(engine._trader), "the ratio keeps the class's hot path"


def test_thresholds_are_on_each_signals_scale_and_can_be_overridden() -> None:
    assert StrategyParams(signal="queue").thresholds == (-0.5, 0.5, -1 / 3, 1 / 3)
    params = StrategyParams(signal="ofi", signal_entry=2.0, signal_exit=0.0)
    assert params.thresholds == (-2.0, 2.0, -0.0, 0.0)
    with pytest.raises(ValueError, match="unknown signal 'nope'"):
        StrategyParams(signal="nope")
    with pytest.raises(ValueError, match="signal entry must be positive"):
        StrategyParams(signal="queue", signal_entry=0.0)


async def test_a_new_snapshot_starts_the_order_flow_afresh() -> None:
    engine, _ = engine_trading("ofi")
    engine.pause()  # only the signal's value matters here
    engine.on_snapshot(snapshot(1, 1.0, 1.0))
    engine.on_delta(touch(2, 30.0, 1.0))
    assert engine.state().book.ratio > 1.0
    engine.on_snapshot(snapshot(3, 5.0, 1.0))  # a resync: the queues jumped, nobody traded
    assert engine.state().book.ratio == 0.0, "no flow measured across the snapshot"
