"""The monthly habit: remind the trader when the kill switch was last tested over 30 days ago.

``kill_switch_reminder`` decides from the record (``kill_switch_habit`` is the line the monthly
review ends with); ``KillSwitchReminders`` says it at a run's start and again once per UTC day
of a long run (a 60-day unattended run is not only judged on its first day), as a console/STATE
notice and as a notification (``kill_switch_test``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

from console.unattended.events import NotifyEvent
from core.checklists import KillSwitchTest, last_kill_switch_test
from core.checklists.live import KILL_SWITCH_TEST_DAYS, days_since
from core.clock import Clock
from core.engine import Engine
from core.enums import Mode
from core.store import SessionReader, SessionStore, StoreError

log = logging.getLogger(__name__)

NS_PER_DAY = 86_400 * 1_000_000_000
LOOK_EVERY_S = 600.0  # how often a run looks whether its clock passed into a new UTC day
TITLE = "kill switch test due"


def kill_switch_reminder(db_path: Path, session: str, mode: Mode, now_ns: int) -> str | None:
    """The notice to show at a session's start, or None when the last test is recent.

    A kill switch the trader pulled and the venue confirmed flat, in any session, counts (a
    stop's routine flatten does not). Never tested at all is said to a live run only: a
    newcomer's first paper runs have nothing to test it on yet.
    """
    try:
        with SessionReader(db_path) as reader:
            last = last_kill_switch_test(tuple(reader.kill_switch_tests()))
    except StoreError:
        return None  # the run itself reports database trouble
    how = f"test it monthly: l2console flatten --session {session} (while it runs)"
    if last is None:
        return f"Kill switch never tested: {how}" if mode is Mode.LIVE else None
    age = days_since(last, now_ns)
    if age <= KILL_SWITCH_TEST_DAYS:
        return None
    return f"Kill switch last tested {age} days ago (session {last.session}): {how}"


def kill_switch_habit(tests: tuple[KillSwitchTest, ...], now_ns: int) -> str:
    """The monthly review's line on the habit: when the trader last pulled the kill switch and
    the venue confirmed flat."""
    last = last_kill_switch_test(tests)
    if last is None:
        return "Kill switch: never tested in any session: test it monthly (l2console flatten)"
    age = days_since(last, now_ns)
    due = "; test it monthly: it is due" if age > KILL_SWITCH_TEST_DAYS else ""
    ago = "today" if age == 0 else f"{age} day{'' if age == 1 else 's'} ago"
    return f"Kill switch: last confirmed flat {ago} (session {last.session}, {last.venue}){due}"


Check = Callable[[Mode, int], str | None]
"""The reminder for (the run's mode now, the session clock's wall time); blocking (a read)."""
Notify = Callable[[NotifyEvent, str, str], None]  # console.unattended's ``Post``


class KillSwitchReminders:
    """Says the reminder at most once per UTC day of the session's clock: at the start
    (``at_start``), then on the first look in each later day (``daily``). A test made during the
    run is seen at the next day's look, and the reminder stops."""

    def __init__(
        self,
        check: Check,
        *,
        clock: Clock,
        mode: Callable[[], Mode],
        notice: Callable[[str], None],
        post: Notify,
        look_every_s: float = LOOK_EVERY_S,
    ) -> None:
        self._check = check
        self._clock = clock
        self._mode = mode
        self._notice = notice
        self._post = post
        self._every_s = look_every_s
        self._day: int | None = None  # the UTC day last judged (on the session's clock)

    @classmethod
    def of_run(
        cls, store: SessionStore, engine: Engine, clock: Clock, post: Notify
    ) -> KillSwitchReminders:
        """The reminders of one run of ``store``'s session: its notices go to the engine (the
        console, STATE lines), its notifications to ``post``."""
        return cls(
            partial(kill_switch_reminder, store.path, store.resume.session.name),
            clock=clock,
            mode=lambda: engine.mode,
            notice=engine.notice,
            post=post,
        )

    async def at_start(self) -> None:
        await self.look()

    async def daily(self) -> None:
        """Runs until cancelled: a look whenever the session's clock entered a new UTC day."""
        while True:
            await asyncio.sleep(self._every_s)
            await self.look()

    async def look(self) -> None:
        """Judge and remind, unless this UTC day was judged already."""
        now_ns = self._clock.wall_ns()
        day = now_ns // NS_PER_DAY
        if day == self._day:
            return
        self._day = day
        try:
            text = await asyncio.to_thread(self._check, self._mode(), now_ns)
        except Exception as exc:  # a reminder never stops a run: try again tomorrow
            log.warning("kill switch reminder not judged: %s", exc)
            return
        if text is not None:
            self._notice(text)
            self._post(NotifyEvent.KILL_SWITCH_TEST, TITLE, text)
