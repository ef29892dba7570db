"""Each venue's maintenance status read by its adapter from the simulated venue, over real
sockets: Kraken Futures' public notifications, Binance.us' signed system status; a poll that
fails is counted and the poller goes on."""

from __future__ import annotations

import asyncio
import time

from brokers.binance_us.maintenance import BinanceUsMaintenance
from brokers.kraken_futures import KrakenFuturesRest
from brokers.kraken_futures.maintenance import KrakenFuturesMaintenance
from brokers.maintenance import MaintenancePoller
from brokers.sim import KrakenFuturesSimServer
from brokers.sim.binance_us import BinanceUsSimServer
from core.maintenance import MaintenanceStatus
from tests.brokers.binance_us.conftest import rest_for
from tests.waiting import eventually

S = 1_000_000_000
MINUTE = 60 * S


async def test_kraken_futures_reads_a_scheduled_window_from_its_notifications() -> None:
    async with KrakenFuturesSimServer(seed=1, rate_hz=50) as server:
        rest = KrakenFuturesRest(rest_url=server.rest_url)  # public: no keys
        source = KrakenFuturesMaintenance(rest.http)
        try:
            assert await source() == MaintenanceStatus("Kraken Futures")
            start = (time.time_ns() // S + 600) * S
            server.faults.schedule_maintenance(start, start + 90 * S, "matching engine upgrade")
            status = await source()
            # expectedDowntimeMinutes is whole minutes: 90 s is announced as 2.
            assert status == MaintenanceStatus(
                "Kraken Futures", False, start, start + 2 * MINUTE, "matching engine upgrade"
            )
            assert not status.stops_entries(time.time_ns(), 300 * S)
            assert status.stops_entries(time.time_ns(), 900 * S)
            server.faults.clear_maintenance()
            assert (await source()).start_ns is None
        finally:
            await rest.close()
        assert ("notifications", {}) in server.rest_calls


async def test_binance_us_reads_its_signed_system_status() -> None:
    async with BinanceUsSimServer(seed=2, rate_hz=50) as server:
        rest = rest_for(server)
        source = BinanceUsMaintenance(rest.http)
        try:
            assert await source() == MaintenanceStatus("Binance.us")
            now = time.time_ns()
            server.faults.schedule_maintenance(now - S, now + 600 * S)
            status = await source()
            assert status.in_effect and status.start_ns is None and status.end_ns is None
        finally:
            await rest.close()
        calls = [r for r in server.rest.requests if r.endpoint == "system/status"]
        assert calls and all("signature" in r.params for r in calls)


async def test_a_failed_poll_is_counted_and_the_poller_goes_on() -> None:
    async with KrakenFuturesSimServer(seed=1, rate_hz=50) as server:
        rest = KrakenFuturesRest(rest_url=server.rest_url)
        server.faults.fail_rest("notifications", times=2, status=503)
        poller = MaintenancePoller(KrakenFuturesMaintenance(rest.http), interval_s=0.05)
        seen: list[MaintenanceStatus] = []

        async def keep(status: MaintenanceStatus) -> None:
            seen.append(status)

        task = asyncio.create_task(poller.run(keep))
        try:
            await eventually(lambda: seen, 30, what="a status after the failures")
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await rest.close()
        assert poller.stats.failures == 2 and poller.stats.polls >= 1
