"""`l2console sim --protocol binance_us`: the simulated Binance.us venue on its own, announcing the
two settings a client needs, usable by the real adapter, stopped cleanly by SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from brokers.binance_us import BinanceUsEndpoints, BinanceUsRest
from tests.e2e.conftest import clean_env, l2console_argv

pytestmark = pytest.mark.e2e


async def test_the_standalone_sim_prints_the_two_settings_and_serves_them(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        *l2console_argv("sim", "--protocol", "binance_us", "--port", "0", env_file=tmp_path / "x"),
        cwd=tmp_path,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    try:
        lines = [
            (await asyncio.wait_for(proc.stdout.readline(), 20)).decode().strip() for _ in range(3)
        ]
        assert lines[0].startswith("Simulated Binance.us venue")
        settings = dict(line.split("=", 1) for line in lines[1:])
        assert set(settings) == {"BINANCE_US_WS_URL", "BINANCE_US_REST_URL"}
        endpoints = BinanceUsEndpoints.with_overrides(
            ws_url=settings["BINANCE_US_WS_URL"], rest_url=settings["BINANCE_US_REST_URL"]
        )
        rest = BinanceUsRest(rest_url=endpoints.rest_url)
        try:
            instruments = await rest.instruments()
            snapshot = await rest.depth_snapshot("BTCUSDT")
        finally:
            await rest.close()
        proc.send_signal(signal.SIGTERM)
        rest_out, _ = await asyncio.wait_for(proc.communicate(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert "BTCUSDT" in instruments
    assert snapshot.seq > 0 and snapshot.bids and snapshot.asks
    assert proc.returncode == 0
    assert "simulated venue stopped" in rest_out.decode()
