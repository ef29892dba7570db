"""A restart settles what was in flight (issue 15 §3), against the sim over real sockets.

The live console is killed with ``kill -9`` while the venue holds the answer to an order it has
already executed (``hang_rest(..., after_execute=True)``), several times at random moments, and
restarted each time. What must hold at the end: every fill the venue made for the session is in
the store (same ids, prices, sizes), and the session's stored P&L equals the P&L of the venue's
own fills with the venue's fees, to the cent; nothing was booked as "closed outside l2console".
"""

from __future__ import annotations

import asyncio
import random
import signal
from decimal import Decimal
from pathlib import Path

import pytest

from brokers.sim import SIM_API_KEY, KrakenFuturesSimServer
from core.events import Fill
from core.ledger import Ledger
from core.store import SessionReader
from tests.core.factories import linear_instrument
from tests.e2e.console_process import LIVE_FLAGS, console, live_env
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

XBT = "PF_XBTUSD"
NAME = "settle"
RUN = ("run", "--broker", "kraken", "--live", *LIVE_FLAGS, "--no-ui", "--session", NAME)
# In and out every second or so: the held answer is an entry one time, an exit another.
TRADE_OFTEN = {
    "TAKE_PROFIT_PCT": "50",
    "STOP_LOSS_PCT": "50",
    "MAX_HOLD_SECONDS": "1",
    "REVERSAL_IMBALANCE_RATIO": "1000000",
}
KILLS = 3
HOLD_S = 4.0


def sendorders(server: KrakenFuturesSimServer) -> int:
    return sum(1 for endpoint, _ in server.rest_calls if endpoint == "sendorder")


def venue_net(server: KrakenFuturesSimServer, ledger: Ledger) -> Decimal:
    """The venue's own fills, with the venue's fees, through a fresh ledger: realized - fees."""
    account = server.exchange.account(SIM_API_KEY)
    for f in account.fills:
        if f.product == XBT and f.client_id is not None:
            ledger.apply(Fill(XBT, f.side, f.price, f.size, f.fee, f.ts_ns, f.client_id, f.fill_id))
    return ledger.realized_pnl - ledger.fees_paid


async def test_kill_9_while_an_order_answer_is_held_then_restart_books_every_venue_fill(
    tmp_path: Path,
) -> None:
    rng = random.Random(15)
    async with KrakenFuturesSimServer(seed=15, rate_hz=400, heartbeat_interval_s=0.2) as server:
        env = live_env(server, tmp_path / "data", POSITION_ON_START="flatten", **TRADE_OFTEN)
        settled_lines = []
        for kill in range(KILLS):
            async with console(*RUN, env=env, cwd=tmp_path) as run:
                await run.line(r"^Order book snapshot loaded", 60)
                before = sendorders(server)
                server.faults.hang_rest("sendorder", HOLD_S, after_execute=True)
                await eventually(lambda n=before: sendorders(server) > n, 60, what="an order sent")
                # A random moment while the venue holds the answer of an executed order.
                await asyncio.sleep(rng.uniform(0.05, HOLD_S / 2))
                run.signal(signal.SIGKILL)
                assert await run.wait() == -signal.SIGKILL
                settled_lines += [line for line in run.lines if "settled" in line]
                assert kill == 0 or settled_lines, run.stdout
        async with console(*RUN, env=env, cwd=tmp_path) as last:
            settled = await last.line(r"start-up: settled (\d+) order\(s\) .*: (\d+) filled", 60)
            assert int(settled.group(1)) >= 1 and int(settled.group(2)) >= 1
            await last.line(r"start-up check: venue holds \S+ PF_XBTUSD, session \S+: consistent")
            await last.line(r"^STATE \|", 60)
            last.signal(signal.SIGTERM)
            assert await last.wait() == 0, last.stderr
            assert "Traceback" not in last.stderr
        for line in settled_lines:
            assert "closed outside" not in line

    account = server.exchange.account(SIM_API_KEY)
    venue_fills = {
        (f.fill_id, f.client_id, f.side, f.price, f.size)
        for f in account.fills
        if f.product == XBT and f.client_id is not None
    }
    with SessionReader(tmp_path / "data" / "l2console.sqlite") as reader:
        stored = {
            (f.fill_id, f.client_order_id, f.side, f.price, f.quantity) for f in reader.fills(NAME)
        }
        data = reader.report_data(NAME)
    assert stored == venue_fills, "every venue fill is in the store, and nothing else"
    assert len(venue_fills) >= KILLS  # an order executed before each kill
    session_net = data.realized_pnl - data.fees_paid
    cent = Decimal("0.01")
    assert session_net.quantize(cent) == venue_net(server, Ledger(linear_instrument(XBT))).quantize(
        cent
    )
    # The daily loss tally of a restart is summed from the stored round trips: they carry it all.
    trips_net = sum((t.net_pnl for t in data.round_trips), Decimal(0))
    assert trips_net.quantize(cent) == session_net.quantize(cent)
    assert all(p.quantity == 0 for p in data.positions.values())
