"""The benchmark's sim process never outlives the benchmark, however entering ends."""

from __future__ import annotations

import asyncio
import sys

from console.bench.sim_process import SimStartError, SimVenueProcess

SILENT = [sys.executable, "-c", "import time; time.sleep(60)"]  # never announces its URLs
GONE = [sys.executable, "-c", "import sys; sys.stderr.write('port taken\\n'); sys.exit(3)"]
READY = [
    sys.executable,
    "-c",
    "import time; print('KRAKEN_WS_PUBLIC_URL=ws://h/v2/public');"
    "print('KRAKEN_REST_URL=http://h/api', flush=True); time.sleep(60)",
]


async def test_cancelled_while_the_sim_starts_the_process_is_stopped() -> None:
    sim = SimVenueProcess(SILENT)
    entering = asyncio.create_task(sim.__aenter__())
    for _ in range(100):
        if sim.pid is not None:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    entering.cancel()
    try:
        await asyncio.wait_for(entering, 10)
    except asyncio.CancelledError:
        pass
    assert sim.pid is not None
    assert not sim.running  # stopped and reaped


async def test_a_sim_that_dies_at_start_up_is_one_line_with_its_last_error() -> None:
    sim = SimVenueProcess(GONE)
    try:
        async with sim:
            raise AssertionError("entering should have failed")
    except SimStartError as exc:
        assert "port taken" in str(exc)


async def test_the_announced_urls_are_read_and_the_process_stopped_on_the_way_out() -> None:
    async with SimVenueProcess(READY) as sim:
        assert sim.endpoints.ws_url == "ws://h/v2/public"
        assert sim.endpoints.rest_url == "http://h/api"
        assert sim.running
    assert not sim.running
