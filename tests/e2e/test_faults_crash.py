"""``kill -9`` of a live console mid-session, then a restart, against the sim venue.

What must hold: the venue's dead-man's switch cancels whatever order the dead console left
resting; the restart takes over the session name (stale socket, free lock), resumes the session
record (which kept the position) and checks it against the venue before trading; nothing
was ever decided on a book that was not LIVE; one order per decision across both runs; a clean
stop leaves the venue flat with the switch disarmed.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from brokers.sim import SIM_API_KEY, KrakenFuturesSimServer
from brokers.sim.market.orders import EndReason, OrderKind, OrderState
from core.enums import Side
from tests.e2e.console_process import (
    HOLD_POSITIONS,
    LIVE_FLAGS,
    console,
    decisions_on_a_book_not_live,
    live_env,
)
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

XBT = "PF_XBTUSD"
RUN = ("run", "--broker", "kraken", "--live", "--no-ui", "--session", "crashy", *LIVE_FLAGS)


def venue_position(server: KrakenFuturesSimServer) -> Decimal:
    position = server.exchange.account(SIM_API_KEY).positions.get(XBT)
    return Decimal(0) if position is None else position.size


async def test_kill_9_mid_session_then_restart(
    tmp_path: Path, recovery_log: Callable[[str, float], None], report_line: Callable[[str], None]
) -> None:
    async with KrakenFuturesSimServer(seed=9, rate_hz=400, heartbeat_interval_s=0.2) as server:
        env = live_env(
            server,
            tmp_path / "data",
            DEAD_MAN_TIMEOUT_SECONDS="3",
            DEAD_MAN_REFRESH_SECONDS="1",
            POSITION_ON_START="flatten",
            **HOLD_POSITIONS,
        )
        account = server.exchange.account(SIM_API_KEY)
        async with console(*RUN, env=env, cwd=tmp_path) as first:
            await first.line(r"^Session: crashy ")
            await eventually(lambda: venue_position(server) != 0, 30, what="a position")
            # An order left resting (l2console itself only sends market orders).
            bid = server.book(XBT).best_bid - 50
            left = server.exchange.place(
                SIM_API_KEY,
                XBT,
                Side.BUY,
                OrderKind.LIMIT,
                Decimal("0.01"),
                limit_price=bid,
                now_ns=server.clock(),
            ).order
            assert left is not None and left.state is OrderState.OPEN
            await asyncio.sleep(random.Random(6).uniform(0, 0.5))  # a random moment
            first.signal(signal.SIGKILL)
            killed_ns = server.clock()  # the venue's time: the switch runs on it
            assert await first.wait() == -signal.SIGKILL
        held = venue_position(server)
        assert held != 0, "the dead run left its position at the venue"

        await eventually(
            lambda: left.state is OrderState.CANCELLED, 10, what="the dead-man's switch"
        )
        assert left.reason is EndReason.DEAD_MAN_SWITCH
        fired_s = (left.updated_ns - killed_ns) / 1e9  # by the venue's clock, not this test's
        assert fired_s <= 3 + 1.5, "within the timeout of the last refresh"
        report_line(
            f"dead-man's switch cancelled the order {fired_s:.2f}s after kill -9 (timeout 3 s)"
        )

        async with console(*RUN, env=env, cwd=tmp_path) as second:
            restarted = time.monotonic()
            # The session's record survived the kill: it knows the position, and so does the
            # venue. (Without the record, POSITION_ON_START would flatten it: test_startup_*.)
            await second.line(r"^Session: crashy resumed \| run #2 .* 1 crashed run\(s\) closed")
            reconciled = await second.line(
                r"start-up check: venue holds (\S+) PF_XBTUSD, session (\S+): consistent"
            )
            assert Decimal(reconciled.group(1)) == Decimal(reconciled.group(2)) == held
            await second.line(r"^Order book snapshot loaded")
            recovery_log(
                "restart after kill -9 -> reconciled, book LIVE", time.monotonic() - restarted
            )
            await second.line(r"^STATE \|")
            second.signal(signal.SIGTERM)
            assert await second.wait() == 0, second.stderr
            assert "KILL SWITCH | FLAT | flat confirmed by the venue" in second.stdout
            assert "Traceback" not in second.stderr
        assert not decisions_on_a_book_not_live(first.lines + second.lines)
        assert venue_position(server) == 0
        assert not [o for o in account.orders.values() if o.state is OrderState.OPEN]
        ids = [o.client_id for o in account.orders.values() if o.client_id]
        assert len(ids) == len(set(ids)), "one order per decision, across the crash"
        timeouts = [p["timeout"][0] for e, p in server.rest_calls if e == "cancelallordersafter"]
        assert timeouts[-1] == "0", "the clean stop disarmed the switch"
