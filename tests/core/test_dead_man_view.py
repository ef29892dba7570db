"""The dead man's switch in words (``core.dead_man``): what the console and STATE lines say."""

from __future__ import annotations

from core.dead_man import OFF_REPLAY, DeadManPhase, DeadManView, clock_of

S = 1_000_000_000
NOW = 1_800_000_000 * S


def test_armed_and_refreshed_counts_seconds_since_the_venues_confirmation() -> None:
    view = DeadManView(DeadManPhase.ARMED, timeout_s=60, refreshed_wall_ns=NOW - 12 * S)
    assert view.text(NOW) == "armed 60 s · refreshed 12 s ago"
    assert view.text(NOW - 20 * S) == "armed 60 s · refreshed 0 s ago"  # never negative
    assert view.text(NOW + 50 * S).endswith(
        "62 s ago (past its timeout: the venue has likely fired it)"
    )


def test_fired_then_re_armed_says_when_by_the_venues_trigger_time() -> None:
    view = DeadManView(
        DeadManPhase.ARMED,
        timeout_s=60,
        refreshed_wall_ns=NOW - 2 * S,
        fired_at="2026-12-05T12:03:04Z",
    )
    assert view.text(NOW) == "FIRED at 12:03:04 — re-armed 60 s · refreshed 2 s ago"


def test_failing_refreshes_say_so_and_past_the_timeout_that_it_has_fired() -> None:
    failing = DeadManView(
        DeadManPhase.ARMED, timeout_s=60, refreshed_wall_ns=NOW - 20 * S, failures=2
    )
    assert failing.text(NOW) == "armed 60 s · refresh FAILING (2) · confirmed 20 s ago"
    late = DeadManView(DeadManPhase.ARMED, timeout_s=60, refreshed_wall_ns=NOW - 75 * S, failures=5)
    assert late.text(NOW).endswith(
        "confirmed 75 s ago (past its timeout: the venue has likely fired it)"
    )


def test_off_and_maintenance() -> None:
    assert DeadManView(DeadManPhase.OFF, why="paper").text(NOW) == "off (paper)"
    assert DeadManView(DeadManPhase.MAINTENANCE).text(NOW) == "disarmed for maintenance"
    assert OFF_REPLAY.text(NOW) == "off (replay)"
    assert clock_of("2026-12-05T12:03:04.123Z") == "12:03:04"
    assert clock_of("1700000000") == "1700000000"
