"""Kraken's scheduled maintenance on the Unified path: the adapter's ``SystemStatus`` source
against the Unified sim over real sockets (a window announced, held once it starts and leaves
the array, over at its end; withdrawn before it starts; malformed and unknown entries counted,
never fatal), and the ``status`` channel carrying the same arrays."""

from __future__ import annotations

import time

import aiohttp
import orjson

from brokers.kraken_futures.unified.maintenance import KrakenUnifiedMaintenance
from brokers.sim.kraken_unified import KrakenUnifiedSimServer
from core.maintenance import MaintenanceStatus

S = 1_000_000_000


class SkewClock:
    """The venue's wall clock, moved forward by a test."""

    def __init__(self) -> None:
        self.ahead_ns = 0

    def __call__(self) -> int:
        return time.time_ns() + self.ahead_ns


async def test_a_window_is_announced_held_after_it_starts_and_over_at_its_end() -> None:
    clock = SkewClock()
    async with KrakenUnifiedSimServer(seed=1, ticking=False, clock=clock) as server:
        source = KrakenUnifiedMaintenance(server.rest_url, clock=clock)
        try:
            assert await source() == MaintenanceStatus("Kraken")
            start = (time.time_ns() // S + 600) * S
            server.announce_maintenance(start, start + 1800 * S, "engine upgrade")
            announced = MaintenanceStatus(
                "Kraken", False, start, start + 1800 * S, "engine upgrade"
            )
            assert await source() == announced
            clock.ahead_ns = 700 * S  # the window has started: the venue lists it no more
            assert server.system_status.upcoming(clock()) == []
            assert await source() == announced  # held until its end
            server.set_system("maintenance")
            assert (await source()).in_effect
            server.set_system("online")
            clock.ahead_ns = 2500 * S  # past its end
            assert await source() == MaintenanceStatus("Kraken")
            assert source.held == {}
        finally:
            await source.close()
        assert server.system_status.calls == 5


async def test_a_window_withdrawn_before_it_starts_is_dropped() -> None:
    async with KrakenUnifiedSimServer(seed=1, ticking=False) as server:
        source = KrakenUnifiedMaintenance(server.rest_url)
        try:
            start = (time.time_ns() // S + 600) * S
            server.announce_maintenance(start, start + 60 * S)
            assert (await source()).start_ns is not None
            server.faults.clear_maintenance()
            assert await source() == MaintenanceStatus("Kraken")
        finally:
            await source.close()


async def test_malformed_and_unknown_entries_are_counted_not_fatal() -> None:
    async with KrakenUnifiedSimServer(seed=1, ticking=False) as server:
        source = KrakenUnifiedMaintenance(server.rest_url)
        start = (time.time_ns() // S + 600) * S
        server.unified_faults.add_maintenance_entries(
            "not an object",
            {"event_id": 7, "expected_start_utc": "soon"},  # unreadable start: dropped
            {
                "event_id": 8,
                "expected_start_utc": "2026-12-05T10:00:00Z",
                "phase": "announced",
                "affected_services": ["spot_ws"],
            },  # spot only: not ours
            {
                "event_id": 9,
                "expected_start_utc": "2099-01-01T00:00:00Z",
                "affected_services": ["futures_ws", "moon_base"],
                "phase": "lunar",
                "l2c_new_key": 1,
            },  # unknown service, phase and key: counted, still read
        )
        server.announce_maintenance(start, start + 60 * S, "the real one", services=("all",))
        try:
            status = await source()
        finally:
            await source.close()
        assert status.note == "the real one" and status.end_ns == start + 60 * S
        assert source.reader.dropped == 2
        assert source.reader.unknown == {
            "service:moon_base": 1,
            "phase:lunar": 1,
            "key:l2c_new_key": 1,
        }
        assert set(source.held) == {"1", "9"}


async def test_the_status_channel_carries_the_arrays() -> None:
    async with KrakenUnifiedSimServer(seed=1, ticking=False) as server:
        start = (time.time_ns() // S + 600) * S
        server.announce_maintenance(start, start + 60 * S, "upgrade")
        async with aiohttp.ClientSession() as http, http.ws_connect(server.ws_url) as ws:
            status = orjson.loads((await ws.receive(timeout=10)).data)
        data = status["data"][0]
        assert status["channel"] == "status" and data["emergency"] == []
        (entry,) = data["upcoming_maintenance"]
        assert entry["title"] == "upgrade" and entry["affected_services"] == ["futures_trading"]


async def test_an_incident_on_futures_is_reported_and_a_spot_one_not() -> None:
    async with KrakenUnifiedSimServer(seed=1, ticking=False) as server:
        source = KrakenUnifiedMaintenance(server.rest_url)
        server.unified_faults.add_emergency_entries(
            {"event_id": 3, "title": "Futures order delays", "affected_services": ["futures_ws"]},
            {"event_id": 4, "title": "Spot funding delays", "affected_services": ["spot_rest"]},
            "not an object",
        )
        try:
            for _ in range(3):
                status = await source()
                assert status.start_ns is None  # an incident is not a window
                assert status.incidents == ("Futures order delays",)
        finally:
            await source.close()
        assert source.emergencies == 3
