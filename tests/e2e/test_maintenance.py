"""Venue maintenance windows, end to end over real sockets against the sim: the venue announces
a window (``faults.schedule_maintenance``), the session's poller reads it from the venue's own
status endpoint (Kraken v1: REST v3 notifications; Kraken Unified: Spot REST SystemStatus),
entries stop ahead of it with the window in the reason, exits still go out, the dead-man's switch
is disarmed for the window and re-armed after it, entries resume, and the trader is told
(notices, and a notification to a ``json://`` service on 127.0.0.1). On Unified the venue drops a
window from its list once it starts: the session still holds it until its end."""

from __future__ import annotations

import time

import pytest
from pydantic import SecretStr

from brokers.sim import BINANCE_SIM_API_KEY, BINANCE_SIM_API_SECRET
from core.engine_state import KillSwitchPhase
from core.events import SignalOutcome
from core.trading_state import Restriction, TradingState
from tests.console.unattended.receiver import receiver
from tests.e2e.binance_rig import binance_rig
from tests.e2e.rig import PROTOCOLS, Protocol, Rig, trading_rig
from tests.waiting import eventually

NS = 1_000_000_000


def dead_man_timeouts(rig: Rig) -> list[str]:
    """Every arming request the venue received, its timeout as text ("0": disarm)."""
    if rig.unified:
        return [
            str(r["params"]["timeout"])
            for _, r in rig.unified_server.private_requests
            if isinstance(r, dict) and r.get("method") == "cancel_all_orders_after"
        ]
    calls = rig.server.rest_calls  # type: ignore[attr-defined]
    return [p["timeout"][0] for e, p in calls if e == "cancelallordersafter"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_scheduled_window_stops_entries_ahead_holds_the_dead_man_and_resumes_after(
    protocol: Protocol,
) -> None:
    """v1 reads the window from REST v3 notifications, Unified from Spot REST SystemStatus."""
    with receiver() as service:
        async with trading_rig(
            protocol=protocol,
            maintenance_poll_seconds=0.2,
            maintenance_lead_seconds=600,
            notify_urls=service.url,
            notify_events="maintenance",
        ) as rig:
            await rig.trading(fills=1, timeout_s=60)
            account = rig.server.exchange.account(rig.api_key)  # type: ignore[attr-defined]
            assert account.dead_man_deadline_ns is not None
            assert rig.engine.trading.state is TradingState.ACTIVE

            # A window 5 minutes from now, 30 minutes long: within the 10-minute lead.
            now = time.time_ns()
            rig.server.faults.schedule_maintenance(now + 300 * NS, now + 2100 * NS, "upgrade")
            to_stop_s = await eventually(
                lambda: rig.engine.trading.restriction is Restriction.MAINTENANCE,
                30,
                what="entries stopped for maintenance",
            )
            status = rig.engine.trading
            assert status.state is TradingState.REDUCING
            assert status.reason.startswith("venue maintenance: from ")
            assert " to " in status.reason and status.reason.endswith("UTC")
            stopped_at = time.monotonic()

            # The dead-man's switch is switched off at the venue for the window.
            await eventually(lambda: account.dead_man_deadline_ns is None, 30, what="disarmed")
            assert dead_man_timeouts(rig)[-1] == "0"
            assert rig.session.dead_man().text(time.time_ns()) == "disarmed for maintenance"
            arms_while_held = len(dead_man_timeouts(rig))

            # Entries are refused with the reason; no entry order goes out.
            await eventually(
                lambda: any(
                    s.outcome is SignalOutcome.BLOCKED and "venue maintenance" in s.block_reason
                    for s, _ in rig.witness.decisions
                ),
                60,
                what="an entry blocked for maintenance",
            )
            # Exits still go out: a protective close (released once flat) during the lead.
            if rig.engine.ledger.position.quantity != 0:
                closed = await rig.engine.flatten_all("Kill switch: test exit", hold=False)
                assert closed.phase is KillSwitchPhase.FLAT, closed.detail
            sent_while_stopped = [
                r for t, r, res in rig.witness.orders if t > stopped_at + 0.5 and res is None
            ]
            assert all(r.reduce_only for r in sent_while_stopped), sent_while_stopped
            assert len(dead_man_timeouts(rig)) == arms_while_held, "not re-armed in the window"

            # The venue withdraws the window (over): entries resume, the switch is armed again.
            rig.server.faults.clear_maintenance()
            resumed_at = time.monotonic()
            to_resume_s = await eventually(
                lambda: rig.engine.trading.restriction is not Restriction.MAINTENANCE,
                30,
                what="entries resumed",
            )
            await eventually(lambda: account.dead_man_deadline_ns is not None, 30, what="re-armed")
            assert dead_man_timeouts(rig)[-1] != "0"
            shown = rig.session.dead_man().text(time.time_ns())
            assert shown.startswith("armed 5 s · refreshed "), shown  # the rig: 5 s
            await eventually(
                lambda: any(
                    t > resumed_at and res is None and not r.reduce_only
                    for t, r, res in rig.witness.orders
                ),
                60,
                what="an entry after the window",
            )
            notices = rig.witness.notices
            assert any(n.startswith("venue maintenance (from ") for n in notices), notices
            assert "venue maintenance: dead-man's switch disarmed for the window" in notices
            assert "venue maintenance over: entries resume" in notices
            assert "venue maintenance over: dead-man's switch re-armed" in notices

            def told() -> bool:
                texts = "\n".join(service.texts())
                return "no new entries" in texts and "re-armed" in texts

            await eventually(told, 30, poll_s=0.1, what="maintenance notifications")
            print(
                f"maintenance ({protocol}): entries stopped {to_stop_s:.2f}s after the announcement, "
                f"resumed {to_resume_s:.2f}s after it was withdrawn (poll 0.2 s)"
            )


async def test_unified_holds_a_window_the_venue_stopped_listing_until_its_end() -> None:
    async with trading_rig(
        protocol="unified", maintenance_poll_seconds=0.2, maintenance_lead_seconds=600
    ) as rig:
        await rig.trading()
        server = rig.unified_server
        account = server.exchange.account(rig.api_key)
        await eventually(lambda: account.dead_man_deadline_ns is not None, 30, what="armed")
        now = server.clock()
        start, end = now + 3 * NS, now + 8 * NS
        server.announce_maintenance(start, end, "engine upgrade", services=("futures_trading",))
        await eventually(
            lambda: rig.engine.trading.restriction is Restriction.MAINTENANCE,
            30,
            what="entries stopped for maintenance",
        )
        await eventually(lambda: account.dead_man_deadline_ns is None, 30, what="disarmed")
        # The window starts: SystemStatus lists it no more, the session keeps it until its end.
        await eventually(lambda: server.system_status.upcoming(server.clock()) == [], 30)
        polls = server.system_status.calls
        await eventually(lambda: server.system_status.calls >= polls + 3, 30, what="polls")
        if server.clock() < end - NS:  # judged by the venue's clock: still in the window
            assert rig.engine.trading.restriction is Restriction.MAINTENANCE
            assert account.dead_man_deadline_ns is None
        await eventually(
            lambda: rig.engine.trading.restriction is not Restriction.MAINTENANCE,
            60,
            what="entries resumed after the window",
        )
        assert server.clock() >= end
        await eventually(lambda: account.dead_man_deadline_ns is not None, 30, what="re-armed")
        assert dead_man_timeouts(rig)[-1] != "0"
        assert "venue maintenance over: dead-man's switch re-armed" in rig.witness.notices


async def test_unified_tells_of_an_open_incident_and_when_it_closes_and_trades_on() -> None:
    async with trading_rig(protocol="unified", maintenance_poll_seconds=0.2) as rig:
        await rig.trading()
        server = rig.unified_server
        incident = {"event_id": 7, "title": "Futures order delays", "affected_services": []}
        server.unified_faults.add_emergency_entries(incident)
        told = (
            "venue maintenance: Kraken reports an incident — Futures order delays "
            "(entries go on while the venue's status is online)"
        )
        await eventually(lambda: told in rig.witness.notices, 30, what="the incident told")
        assert rig.engine.trading.state is TradingState.ACTIVE
        decisions = len(rig.witness.decisions)
        await eventually(lambda: len(rig.witness.decisions) > decisions, 60, what="trading on")
        server.unified_faults.emergency_entries.clear()
        await eventually(
            lambda: "venue maintenance: Kraken reports no open incident now" in rig.witness.notices,
            30,
            what="the incident closed",
        )
        assert rig.witness.notices.count(told) == 1


async def test_binance_us_maintenance_under_way_stops_entries_until_its_status_is_normal() -> None:
    async with binance_rig(
        maintenance_poll_seconds=0.2,
        binance_us_api_key=SecretStr(BINANCE_SIM_API_KEY),
        binance_us_api_secret=SecretStr(BINANCE_SIM_API_SECRET),
    ) as rig:
        await rig.trading(decisions=1)
        now = time.time_ns()
        rig.server.faults.schedule_maintenance(now, now + 4 * NS)
        await eventually(
            lambda: rig.engine.trading.restriction is Restriction.MAINTENANCE,
            30,
            what="entries stopped for maintenance",
        )
        assert rig.engine.trading.reason == "venue maintenance: under way, end not given"
        await eventually(
            lambda: rig.engine.trading.state is TradingState.ACTIVE,
            60,
            what="entries resumed once the venue says normal",
        )
        assert "venue maintenance over: entries resume" in rig.witness.notices
        assert rig.session.connection.dead_man is None  # spot: no switch to hold
