"""A paper session keeps the run's three latency histograms in the store."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.e2e.test_paper_sessions import db_rows, finish, read_until, start_paper

pytestmark = pytest.mark.e2e


async def test_the_run_record_holds_tick_decision_and_order_latency(tmp_path: Path) -> None:
    seen: list[str] = []
    proc = await start_paper(tmp_path, "--session", "lat")
    try:
        await read_until(proc, r"^SIGNAL #\d+: (BUY|SELL) .*Reason: Strong", seen)
        proc.send_signal(signal.SIGTERM)
        assert await finish(proc, seen) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()

    stored = {
        name: json.loads(buckets)
        for name, buckets in db_rows(tmp_path, "SELECT name, buckets FROM latency_histograms")
    }
    assert set(stored) == {"tick_to_decision", "decision_to_order", "order_to_ack"}
    assert stored["tick_to_decision"]["count"] > 0
    assert stored["decision_to_order"]["count"] >= 1  # the entry that was printed
    assert stored["order_to_ack"]["count"] == 0  # paper: no venue answers anything
    ticks = stored["tick_to_decision"]
    assert sum(n for _, n in ticks["buckets"]) == ticks["count"]
    assert any(line.startswith("Decision→Order Latency: avg ") for line in seen), seen[-20:]
