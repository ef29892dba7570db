"""The daily report at 00:00 UTC, the weekly one on Monday 00:00 UTC, and the gate reached or
lost: read from the session's own record (in a thread, on a reader connection of its own)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable

from console.report.formatting import usd
from console.report.model import SessionReport
from console.report.periods import Period, PeriodRow, period_rows
from console.report.text import guide_block
from console.unattended.events import NotifyEvent
from console.unattended.notifier import Post

log = logging.getLogger(__name__)

GATE_CHECK_S = 3600.0  # the gate is looked at hourly (and at every report)


def next_midnight(now_s: float) -> float:
    today = dt.datetime.fromtimestamp(now_s, dt.UTC).date()
    midnight = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), dt.UTC)
    return midnight.timestamp()


def period_text(row: PeriodRow | None) -> str:
    if row is None:
        return "no trading recorded"
    return (
        f"{row.label}: {row.trades} trades, {row.wins} wins, net {usd(row.net_pnl)}, "
        f"{float(row.covered_hours):.1f} h covered"
    )


def summary_lines(report: SessionReport, period: Period) -> list[str]:
    """The period just ended, then the guide's block cut short: days, trades, win rate, P&L,
    profit factor, drawdown and the gate's verdict."""
    rows = period_rows(report, period)
    ended = rows[-2] if len(rows) >= 2 else (rows[-1] if rows else None)
    block = guide_block(report)
    wanted = ("Days Running", "Total Trades", "Win Rate", "Total P&L", "Profit Factor", "Max Draw")
    return [period_text(ended), *(line for line in block if line.startswith(wanted)), block[-1]]


class SessionReports:
    """Sends the reports and watches the gate; ``read`` builds the report (blocking: it runs in
    a thread). Its failures are logged and skipped: a report never stops a run."""

    def __init__(
        self,
        post: Post,
        read: Callable[[], SessionReport],
        *,
        wall_s: Callable[[], float] = time.time,
    ) -> None:
        self._post = post
        self._read = read
        self._wall_s = wall_s
        self._gate_ready: bool | None = None

    async def run(self) -> None:
        await self.look(daily=False, weekly=False)
        while True:
            now = self._wall_s()
            midnight = next_midnight(now)
            await asyncio.sleep(min(midnight - now, GATE_CHECK_S))
            if self._wall_s() >= midnight - 0.5:
                weekday = dt.datetime.fromtimestamp(midnight, dt.UTC).weekday()
                await self.look(daily=True, weekly=weekday == 0)
            else:
                await self.look(daily=False, weekly=False)

    async def look(self, *, daily: bool, weekly: bool) -> None:
        try:
            report = await asyncio.to_thread(self._read)
        except Exception as exc:  # a busy or damaged record: try again next time
            log.warning("session report for notifications not read: %s", exc)
            return
        name = report.name
        if daily:
            lines = summary_lines(report, Period.DAILY)
            self._post(NotifyEvent.DAILY, f"daily report {name}", "\n".join(lines))
        if weekly:
            lines = summary_lines(report, Period.WEEKLY)
            self._post(NotifyEvent.WEEKLY, f"weekly report {name}", "\n".join(lines))
        self.gate(report)

    def gate(self, report: SessionReport) -> None:
        ready = report.gate.ready
        before, self._gate_ready = self._gate_ready, ready
        if before is None or before == ready:
            return
        gate = report.gate.gate.value
        title = f"gate {gate} reached" if ready else f"gate {gate} lost"
        self._post(NotifyEvent.GATE, title, guide_block(report)[-1])
