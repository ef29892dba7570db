"""The trading state: one answer to "may we trade", the strictest restriction in force, and why."""

from __future__ import annotations

from core.trading_state import Restriction, TradingGate, TradingState, TradingStatus


def test_nothing_in_force_is_active_and_admits_every_order() -> None:
    gate = TradingGate()
    assert gate.status == TradingStatus(TradingState.ACTIVE, None)
    assert gate.status.reason == ""
    assert gate.admits(reduce_only=False) and gate.admits(reduce_only=True)


def test_reducing_and_halted_admit_only_orders_that_reduce_the_position() -> None:
    gate = TradingGate()
    gate.restrict(Restriction.PAUSED)
    assert (gate.state, gate.status.reason) == (TradingState.REDUCING, "paused")
    assert not gate.admits(reduce_only=False)
    assert gate.admits(reduce_only=True)
    gate.restrict(Restriction.KILL_SWITCH_FLATTENING)
    assert (gate.state, gate.status.reason) == (TradingState.HALTED, "kill switch flattening")
    assert not gate.admits(reduce_only=False)
    assert gate.admits(reduce_only=True), "the kill switch's own closes go out"


def test_the_strictest_restriction_gives_the_state_and_the_reason() -> None:
    gate = TradingGate()
    gate.restrict(Restriction.PAUSED)
    gate.restrict(Restriction.KILL_SWITCH)
    assert gate.status.reason == "kill switch engaged", "the kill switch wins over the pause"
    gate.restrict(Restriction.DECISIONS_HELD)
    assert (gate.state, gate.status.reason) == (TradingState.HALTED, "decisions held")
    gate.lift(Restriction.DECISIONS_HELD)
    gate.lift(Restriction.KILL_SWITCH)
    assert (gate.state, gate.status.reason) == (TradingState.REDUCING, "paused")
    gate.lift(Restriction.PAUSED)
    assert gate.state is TradingState.ACTIVE


def test_each_owner_lifts_only_its_own_restriction() -> None:
    gate = TradingGate()
    gate.restrict(Restriction.DECISIONS_HELD)  # e.g. the session checking the venue
    gate.restrict(Restriction.KILL_SWITCH_FLATTENING)
    gate.lift(Restriction.KILL_SWITCH_FLATTENING)  # the flatten is done
    assert gate.state is TradingState.HALTED, "the session still holds decisions"
    assert gate.holds(Restriction.DECISIONS_HELD)
    assert not gate.holds(Restriction.KILL_SWITCH_FLATTENING)


def test_listeners_hear_every_change_once_and_the_state_at_once() -> None:
    gate = TradingGate()
    heard: list[TradingState] = []
    gate.subscribe(lambda status: heard.append(status.state))
    gate.restrict(Restriction.PAUSED)
    gate.restrict(Restriction.PAUSED)  # no change, nothing said
    gate.restrict(Restriction.KILL_SWITCH)  # still REDUCING, but for another reason
    gate.lift(Restriction.KILL_SWITCH)
    gate.lift(Restriction.PAUSED)
    assert heard == [
        TradingState.ACTIVE,
        TradingState.REDUCING,
        TradingState.REDUCING,
        TradingState.REDUCING,
        TradingState.ACTIVE,
    ]
