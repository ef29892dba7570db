"""The maintenance rule: entries stop a lead time before a scheduled window (or at once when the
venue says it is under way), with the window in the reason, and resume when it is over."""

from __future__ import annotations

from core.clock import ManualClock
from core.maintenance import MaintenanceGuard, MaintenanceStatus
from core.trading_state import Restriction, TradingGate, TradingState

S = 1_000_000_000
T0 = 1_796_464_800 * S  # 2026-12-05 10:00:00 UTC


def guard() -> tuple[MaintenanceGuard, TradingGate, ManualClock, list[str]]:
    gate, clock, notices = TradingGate(), ManualClock(wall_ns=T0 - 3600 * S), []
    return MaintenanceGuard(gate, notices.append, clock), gate, clock, notices


def test_entries_stop_a_lead_ahead_of_a_window_and_resume_after_it() -> None:
    watch, gate, clock, notices = guard()
    window = MaintenanceStatus("Kraken Futures", start_ns=T0, end_ns=T0 + 1800 * S)
    assert not watch.apply(window, lead_s=300)
    assert gate.state is TradingState.ACTIVE and notices == []

    clock.set(wall_ns=T0 - 300 * S)
    assert watch.apply(window, lead_s=300)
    assert gate.state is TradingState.REDUCING
    assert gate.status.restriction is Restriction.MAINTENANCE
    assert gate.status.reason == (
        "venue maintenance: from 2026-12-05 10:00:00 UTC to 2026-12-05 10:30:00 UTC"
    )
    assert gate.admits(reduce_only=True) and not gate.admits(reduce_only=False)
    assert watch.apply(window, lead_s=300)  # the same window again: no second notice
    assert len(notices) == 1 and notices[0].endswith("no new entries, exits go on")

    clock.set(wall_ns=T0 + 1800 * S)
    assert not watch.apply(window, lead_s=300)
    assert gate.state is TradingState.ACTIVE
    assert notices[-1] == "venue maintenance over: entries resume"


def test_maintenance_under_way_without_a_window_stops_entries_until_the_venue_says_otherwise() -> (
    None
):
    watch, gate, _, notices = guard()
    assert watch.apply(MaintenanceStatus("Binance.us", in_effect=True), lead_s=300)
    assert gate.status.reason == "venue maintenance: under way, end not given"
    assert not watch.apply(MaintenanceStatus("Binance.us"), lead_s=300)
    assert gate.state is TradingState.ACTIVE and len(notices) == 2


def test_a_stricter_restriction_still_decides_and_maintenance_outlasts_a_pause() -> None:
    watch, gate, clock, _ = guard()
    clock.set(wall_ns=T0)
    gate.restrict(Restriction.KILL_SWITCH_FLATTENING)
    watch.apply(MaintenanceStatus("x", in_effect=True), lead_s=0)
    assert gate.state is TradingState.HALTED
    gate.lift(Restriction.KILL_SWITCH_FLATTENING)
    gate.restrict(Restriction.PAUSED)
    gate.lift(Restriction.PAUSED)
    assert gate.status.restriction is Restriction.MAINTENANCE


def test_an_open_incident_is_told_when_it_appears_and_when_the_last_closes_and_stops_nothing() -> (
    None
):
    watch, gate, _, notices = guard()
    delays = MaintenanceStatus("Kraken", incidents=("Futures order delays",))
    for _ in range(3):
        assert watch.apply(delays, lead_s=600) is False
    assert notices == [
        "venue maintenance: Kraken reports an incident — Futures order delays "
        "(entries go on while the venue's status is online)"
    ]
    both = MaintenanceStatus("Kraken", incidents=("Futures order delays", "Funding late"))
    watch.apply(both, lead_s=600)
    assert len(notices) == 2 and "Funding late" in notices[-1]
    watch.apply(MaintenanceStatus("Kraken", incidents=("Funding late",)), lead_s=600)
    assert len(notices) == 2  # one still open: nothing new to say
    watch.apply(MaintenanceStatus("Kraken"), lead_s=600)
    assert notices[-1] == "venue maintenance: Kraken reports no open incident now"
    assert gate.state is TradingState.ACTIVE
