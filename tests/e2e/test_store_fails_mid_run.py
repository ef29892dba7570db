"""The session database failing mid-run (issue 15 §6), against the sim over real sockets.

A live console holds a position; then its database can no longer grow: the test lowers the
running process's file-size limit (``RLIMIT_FSIZE``) to what the write-ahead log already holds,
so SQLite's next write fails for real (``EFBIG``: Python ignores ``SIGXFSZ``), as on a full disk,
while a new small file (the fallback journal) can still be written. What must hold: the failure
is shown at once, entries stop, the run stops and flattens (``POSITION_ON_EXIT=flatten``), the
flatten's fill goes to the fallback journal, the summary is printed, the exit status is 4; the
next start merges the journal, and then every venue fill is in the store.
"""

from __future__ import annotations

import json
import resource
import signal
from decimal import Decimal
from pathlib import Path

import pytest

from brokers.sim import SIM_API_KEY, KrakenFuturesSimServer
from core.store import SessionReader
from tests.e2e.console_process import HOLD_POSITIONS, LIVE_FLAGS, console, live_env
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

XBT = "PF_XBTUSD"
NAME = "fragile"
RUN = ("run", "--broker", "kraken", "--live", *LIVE_FLAGS, "--no-ui", "--session", NAME)


def venue_position(server: KrakenFuturesSimServer) -> Decimal:
    position = server.exchange.account(SIM_API_KEY).positions.get(XBT)
    return Decimal(0) if position is None else position.size


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="needs Linux prlimit")
async def test_the_store_failing_mid_run_stops_the_run_and_keeps_its_fills(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    db = data / "l2console.sqlite"
    journal = db.with_name(db.name + ".unrecorded-fills.jsonl")
    async with KrakenFuturesSimServer(seed=6, rate_hz=400, heartbeat_interval_s=0.2) as server:
        env = live_env(server, data, POSITION_ON_EXIT="flatten", **HOLD_POSITIONS)
        async with console(*RUN, env=env, cwd=tmp_path) as run:
            await run.line(r"^Order book snapshot loaded", 60)
            await eventually(lambda: venue_position(server) != 0, 60, what="a position")
            wal = db.with_name(db.name + "-wal")
            limit = max(wal.stat().st_size, 16_384)
            _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
            resource.prlimit(run.proc.pid, resource.RLIMIT_FSIZE, (limit, hard))
            failed = await run.line(r"^NOTICE \| STORE FAILED \((.+)\): entries halted", 60)
            assert "disk" in failed.group(1) or "full" in failed.group(1), failed.group(0)
            assert await run.wait(90) == 4, run.stdout + run.stderr
        out = run.stdout
        assert "KILL SWITCH | FLAT | flat confirmed by the venue" in out
        assert "SESSION SUMMARY" in out
        assert "Store: FAILED mid-run" in out and str(journal) in out
        assert "Traceback" not in run.stderr
        assert venue_position(server) == 0
        lines = [json.loads(line) for line in journal.read_text().splitlines()]
        assert lines and all(record["session"] == NAME for record in lines)
        assert all(isinstance(record["fill"]["price"], str) for record in lines)

        # The next start merges the journal: every venue fill is in the store.
        async with console(*RUN, env=env, cwd=tmp_path) as again:
            merged = await again.line(r"^Session: fragile resumed .* (\d+) fill\(s\) merged", 60)
            assert int(merged.group(1)) == len(lines)
            await again.line(
                r"start-up check: venue holds 0 PF_XBTUSD, session 0\S*: consistent", 60
            )
            again.signal(signal.SIGTERM)
            assert await again.wait() == 0, again.stderr
    assert not journal.exists()
    account = server.exchange.account(SIM_API_KEY)
    venue_fills = {(f.fill_id, f.price, f.size) for f in account.fills if f.client_id}
    with SessionReader(db) as reader:
        stored = {(f.fill_id, f.price, f.quantity) for f in reader.fills(NAME)}
    assert stored == venue_fills
