"""The monthly habit: a notice and a notification when the last kill switch test is older than
30 days, at a run's start and then at most once per UTC day of the session's clock."""

from __future__ import annotations

import asyncio
import time
from functools import partial
from pathlib import Path

import pytest

from console.checklists.reminder import KillSwitchReminders, kill_switch_reminder
from console.unattended.events import NotifyEvent, parse_events
from core.cancelling import cancel_and_wait
from core.clock import ManualClock
from core.enums import Mode
from tests.console.checklist_sessions import (
    DAY,
    EVERYTHING,
    KILL_SWITCH,
    SECOND,
    write_integration_session,
)
from tests.waiting import eventually

TESTED = 1_750_000_000 * SECOND
RECORDED = TESTED + 9 * 3_600 * SECOND + 7 * SECOND  # the builder's kill switch moment


@pytest.fixture
def tested_db(tmp_path: Path) -> Path:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo", start_ns=TESTED + 9 * 3_600 * SECOND)
    return db


def test_a_recent_test_says_nothing_and_an_old_one_reminds(tested_db: Path) -> None:
    assert kill_switch_reminder(tested_db, "live1", Mode.LIVE, RECORDED + 30 * DAY) is None
    reminder = kill_switch_reminder(tested_db, "live1", Mode.PAPER, RECORDED + 31 * DAY)
    assert reminder == (
        "Kill switch last tested 31 days ago (session demo): test it monthly: "
        "l2console flatten --session live1 (while it runs)"
    )


def test_never_tested_is_said_to_live_runs_only(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo", EVERYTHING - {KILL_SWITCH})
    now = time.time_ns()
    assert kill_switch_reminder(db, "demo", Mode.PAPER, now) is None
    reminder = kill_switch_reminder(db, "demo", Mode.LIVE, now)
    assert reminder is not None and reminder.startswith("Kill switch never tested")


def test_a_stops_routine_flatten_is_no_test(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo", EVERYTHING - {KILL_SWITCH}, routine_flatten=True)
    reminder = kill_switch_reminder(db, "demo", Mode.LIVE, time.time_ns())
    assert reminder is not None and reminder.startswith("Kill switch never tested")


def test_a_failed_kill_switch_is_no_test(tmp_path: Path) -> None:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo", EVERYTHING - {KILL_SWITCH}, failed_kill_switch=True)
    reminder = kill_switch_reminder(db, "demo", Mode.LIVE, time.time_ns())
    assert reminder is not None and reminder.startswith("Kill switch never tested")


class Heard:
    """What the reminders said: notices (console, STATE) and notifications."""

    def __init__(self) -> None:
        self.notices: list[str] = []
        self.sent: list[tuple[NotifyEvent, str, str]] = []

    def post(self, event: NotifyEvent, title: str, body: str = "") -> None:
        self.sent.append((event, title, body))


def reminders(
    db: Path, clock: ManualClock, heard: Heard, mode: list[Mode], every_s: float = 600.0
) -> KillSwitchReminders:
    return KillSwitchReminders(
        partial(kill_switch_reminder, db, "live1"),
        clock=clock,
        mode=lambda: mode[0],
        notice=heard.notices.append,
        post=heard.post,
        look_every_s=every_s,
    )


async def test_the_start_reminds_once_as_a_notice_and_a_notification(tested_db: Path) -> None:
    clock, heard = ManualClock(wall_ns=RECORDED + 40 * DAY), Heard()
    told = reminders(tested_db, clock, heard, [Mode.LIVE])
    await told.at_start()
    clock.advance(3_600 * SECOND)  # later the same UTC day: already said
    await told.look()
    assert heard.notices == [
        "Kill switch last tested 40 days ago (session demo): test it monthly: "
        "l2console flatten --session live1 (while it runs)"
    ]
    assert heard.sent == [(NotifyEvent.KILL_SWITCH_TEST, "kill switch test due", heard.notices[0])]
    assert NotifyEvent.KILL_SWITCH_TEST in parse_events("default")
    assert parse_events("kill_switch_test") == {NotifyEvent.KILL_SWITCH_TEST}


async def test_a_long_run_looks_again_each_utc_day_of_its_clock(tested_db: Path) -> None:
    """A run started 25 days after the last test says nothing at first; once its clock passes
    30 days it reminds, at most once a day."""
    start = (RECORDED // DAY + 25) * DAY + 12 * 3_600 * SECOND  # noon UTC, day 25
    clock, heard = ManualClock(wall_ns=start), Heard()
    told = reminders(tested_db, clock, heard, [Mode.PAPER])
    await told.at_start()
    days_said = []
    for _ in range(8 * 24):  # 8 days, looked at every hour
        clock.advance(3_600 * SECOND)
        await told.look()
        days_said = [text.split(" days ago")[0].rsplit(" ", 1)[1] for text in heard.notices]
    assert days_said == ["31", "32"]  # days 31 and 32 only: day 30 is within the month
    assert [event for event, *_ in heard.sent] == [NotifyEvent.KILL_SWITCH_TEST] * 2


async def test_the_daily_task_judges_by_the_session_clock_not_the_wall(tested_db: Path) -> None:
    clock, heard = ManualClock(wall_ns=RECORDED + 29 * DAY), Heard()
    mode = [Mode.PAPER]
    told = reminders(tested_db, clock, heard, mode, every_s=0.01)
    await told.at_start()
    task = asyncio.create_task(told.daily())
    try:
        await asyncio.sleep(0.1)  # many looks, the clock still on the same day: nothing
        assert heard.notices == []
        clock.advance(2 * DAY)
        await eventually(lambda: heard.notices, 30, what="the next day's reminder")
        await asyncio.sleep(0.1)
        assert len(heard.notices) == 1 and "31 days ago" in heard.notices[0]
    finally:
        await cancel_and_wait([task])


@pytest.fixture
def untested_db(tmp_path: Path) -> Path:
    db = tmp_path / "l2.sqlite"
    write_integration_session(db, "demo", EVERYTHING - {KILL_SWITCH})
    return db


async def test_never_tested_is_said_once_the_run_went_live(untested_db: Path) -> None:
    db = untested_db
    clock, heard, mode = ManualClock(wall_ns=time.time_ns()), Heard(), [Mode.PAPER]
    told = reminders(db, clock, heard, mode)
    await told.at_start()
    assert heard.notices == []
    mode[0] = Mode.LIVE  # switched to live in the console
    clock.advance(DAY)
    await told.look()
    assert len(heard.notices) == 1 and heard.notices[0].startswith("Kill switch never tested")
