"""One run's unattended side: its notifications, its systemd heartbeat and its status file.

``TradingSession`` makes one ``Unattended`` and passes its observers to the engine; ``started``
and ``stopped`` bracket the run. Nothing here can stop or slow trading: sending is off the loop
(``sender``), status files are written in a thread, and every failure is logged and skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import time
from pathlib import Path
from typing import Any, Protocol

from console import totals
from console.options import RunOptions
from console.report.model import SessionReport, build_report
from console.settings import Settings
from console.totals import SessionBase
from console.unattended.channels import NotifyUnavailable, open_channels
from console.unattended.events import NotifyEvent
from console.unattended.notifier import NotifyingObserver, Post
from console.unattended.reports import SessionReports
from console.unattended.sender import NotificationSender
from console.unattended.status_board import (
    STATUS_EVERY_S,
    prune_gone,
    remove_status,
    run_dir,
    write_status,
)
from console.unattended.systemd import SystemdNotifier
from core.engine import Engine
from core.engine.reconcile import Reconciliation
from core.engine_state import KillSwitchStatus
from core.observer import EngineObserver
from core.store import RunEnd, SessionReader, SessionStore

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_S = 10.0  # the last messages (run stopped) get this long to go out


class RunningSession(Protocol):
    options: RunOptions
    settings: Settings
    engine: Engine
    store: SessionStore | None
    session_base: SessionBase | None
    reconciliation: Reconciliation | None


def make_sender(settings: Settings, label: str) -> tuple[NotificationSender | None, str]:
    """The sender for ``NOTIFY_URLS`` (None when there are none), and a one-line hint when
    they cannot be used (apprise missing, a URL apprise does not know)."""
    urls = settings.notify_url_list
    if not urls:
        return None, ""
    try:
        return NotificationSender(open_channels(urls), label=label), ""
    except NotifyUnavailable as exc:
        return None, str(exc)


class ReadyWhenLive(EngineObserver):
    """systemd's READY=1 when the traded book first goes LIVE."""

    def __init__(self, systemd: SystemdNotifier, symbol: str) -> None:
        self._systemd = systemd
        self._symbol = symbol
        self.ready = False

    def on_snapshot_loaded(self, product: str, bids: int, asks: int) -> None:
        if product == self._symbol and not self.ready:
            self.ready = True
            self._systemd.notify("READY=1", f"STATUS=book {product} live")


class Unattended:
    def __init__(self, options: RunOptions, settings: Settings, symbol: str, label: str) -> None:
        self._settings = settings
        self.sender, self.hint = make_sender(settings, label)
        wanted = settings.notify_event_set if self.sender is not None else frozenset()
        self.post = Post(self.sender.post if self.sender else _nowhere, wanted)
        self.notifier = NotifyingObserver(
            self.post, symbol=symbol, book_grace_s=settings.not_live_grace_seconds
        )
        self.systemd = SystemdNotifier()
        self.ready = ReadyWhenLive(self.systemd, symbol)
        self.status_dir = run_dir(settings.l2console_run_dir)
        self._tasks: list[asyncio.Task[None]] = []
        self._session: RunningSession | None = None
        self._reports: SessionReports | None = None
        self.last_report: SessionReport | None = None
        self.status_error = ""

    @property
    def observers(self) -> list[EngineObserver]:
        return [self.notifier, self.ready]

    async def started(self, session: RunningSession) -> None:
        """The run is trading: say so (and how the last run ended), start the heartbeats."""
        self._session = session
        if self.hint:
            session.engine.notice(self.hint)
        if self.sender is not None:
            self.sender.start()
        self.post(NotifyEvent.RUN, "run started", self._start_text(session))
        if session.reconciliation is not None:
            self.post(
                NotifyEvent.RECONCILE, "live start reconciled", session.reconciliation.describe()
            )
        spawn = asyncio.create_task
        self._tasks = [
            spawn(self.systemd.heartbeat(), name="systemd watchdog"),
            spawn(self._status_forever(), name="status file"),
        ]
        if session.store is not None:
            path, name = session.store.path, session.store.resume.session.name
            self._reports = SessionReports(self.post, lambda: self._read(path, name))
            self._tasks.append(spawn(self._reports.run(), name="session reports"))

    async def stopped(self, how: RunEnd, flatten: KillSwitchStatus | None) -> None:
        """The run ended: stop the heartbeats, say how, give the last messages a bounded time."""
        if self._session is None:
            return
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.notifier.close()
        self.systemd.notify("STOPPING=1")
        self.systemd.close()
        with contextlib.suppress(OSError):
            await asyncio.to_thread(remove_status, self.status_dir)
        detail = f"ended: {how.value}" + (f"; kill switch: {flatten.detail}" if flatten else "")
        self.post(NotifyEvent.RUN, "run stopped", detail)
        if self.sender is not None:
            await asyncio.to_thread(self.sender.close, CLOSE_TIMEOUT_S)

    def _start_text(self, session: RunningSession) -> str:
        options = session.options
        state = session.engine.state(depth=0)
        lines = [f"{state.mode.value} {state.venue} {state.symbol}, pid {os.getpid()}"]
        if session.store is not None:
            resume = session.store.resume
            run = f"session {resume.session.name}, run #{len(resume.runs)}"
            lines.append(run + (" (resumed)" if resume.resumed else " (new)"))
            if resume.crashed_run_ids:
                lines.append(
                    f"the previous run CRASHED (ended without a record: "
                    f"{len(resume.crashed_run_ids)} run(s)); resumed where it stopped"
                )
        elif options.session is None:
            lines.append("no session: nothing is recorded")
        return "\n".join(lines)

    def _read(self, path: Path, name: str) -> SessionReport:
        with SessionReader(path) as reader:
            report = build_report(reader.report_data(name), self._settings.gate_settings)
        self.last_report = report
        return report

    async def _status_forever(self) -> None:
        with contextlib.suppress(OSError):
            await asyncio.to_thread(prune_gone, self.status_dir)
        while True:
            try:
                await asyncio.to_thread(write_status, self.status_dir, self.status())
                self.status_error = ""
            except Exception as exc:  # the status file is a convenience: say it once, go on
                if not self.status_error:
                    log.warning("status file in %s not written: %s", self.status_dir, exc)
                self.status_error = str(exc)
            await asyncio.sleep(STATUS_EVERY_S)

    def status(self) -> dict[str, Any]:
        """What ``l2console status`` shows about this run (no secrets)."""
        assert self._session is not None
        session = self._session
        engine = session.engine
        state = engine.state(depth=0)
        run = totals.this_run(state, session.session_base)
        whole = totals.session(state, session.session_base)
        position = state.position
        now = time.time_ns()
        sender = self.sender
        return {
            "schema": 1,
            "pid": os.getpid(),
            "session": session.options.session,
            "venue": state.venue,
            "symbol": state.symbol,
            "mode": state.mode.value,
            "position": str(position.quantity),
            "entry_price": None if position.quantity == 0 else str(position.entry_price),
            "unrealized_pnl": str(state.unrealized_pnl),
            "today_pnl": str(engine.realized_today + state.unrealized_pnl),
            "run_pnl": str(run.net_pnl),
            "session_pnl": str(whole.net_pnl),
            "book": state.book.state.value,
            "trading": state.trading.state.value,
            "kill_switch": state.kill_switch.phase.value,
            "gate": _gate(self.last_report),
            "started_utc": _utc(state.started_wall_ns),
            "heartbeat_utc": _utc(now),
            "heartbeat_ns": now,
            "every_s": STATUS_EVERY_S,
            "notifications": None
            if sender is None
            else {
                "sent": sender.stats.delivered,
                "failed": sender.stats.failed,
                "dropped": sender.stats.dropped,
            },
        }


def _gate(report: SessionReport | None) -> dict[str, Any] | None:
    if report is None:
        return None
    gate = report.gate
    return {
        "gate": gate.gate.value,
        "days_covered": round(float(report.clock.days), 2),
        "ready": gate.ready,
        "missing": [r.kind.value for r in gate.missing],
    }


def _utc(wall_ns: int) -> str:
    return dt.datetime.fromtimestamp(wall_ns / 1e9, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _nowhere(_: object) -> None:
    """Where notifications go when none are configured."""
