"""Which engine events become notifications, and how often."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

from console.unattended.events import DEFAULT_EVENTS, Notification, NotifyEvent, parse_events
from console.unattended.notifier import NotifyingObserver, Post
from core.engine_state import KillSwitchPhase, KillSwitchStatus
from core.enums import BookState, OrderStatus, Side, SignalAction
from core.events import RoundTrip, Signal, SignalOutcome
from core.ports import OrderRequest, OrderResult
from tests.waiting import eventually

DAY_NS = 86_400 * 1_000_000_000
T0 = 1_780_000_000 * 1_000_000_000


def observer(
    wanted: frozenset[NotifyEvent] = frozenset(NotifyEvent), grace_s: float = 0.3
) -> tuple[NotifyingObserver, list[Notification]]:
    sent: list[Notification] = []
    return NotifyingObserver(
        Post(sent.append, wanted), symbol="PF_XBTUSD", book_grace_s=grace_s
    ), sent


def blocked(reason: str, wall_ns: int) -> Signal:
    return Signal(
        number=1,
        product="PF_XBTUSD",
        action=SignalAction.BUY,
        price=Decimal(100),
        quantity=Decimal(1),
        ratio=3.5,
        reason="imbalance",
        wall_ns=wall_ns,
        outcome=SignalOutcome.BLOCKED,
        block_reason=reason,
    )


def test_a_risk_limit_is_told_once_a_day_and_other_blocks_not_at_all() -> None:
    notifier, sent = observer()
    notifier.on_signal(blocked("daily loss limit reached (-$50.00 of $50.00)", T0))
    notifier.on_signal(blocked("daily loss limit reached (-$51.00 of $50.00)", T0 + 1))
    notifier.on_signal(blocked("book STALE", T0 + 2))
    notifier.on_signal(blocked("position limit ($100.00)", T0 + 3))
    notifier.on_signal(blocked("trades per day limit (10)", T0 + 4))
    notifier.on_signal(blocked("daily loss limit reached (-$50.00 of $50.00)", T0 + DAY_NS))
    assert [n.event for n in sent] == [NotifyEvent.RISK_LIMIT] * 3
    assert "daily loss limit" in sent[0].body and "trades per day" in sent[1].body


def test_kill_switch_results_are_told_but_a_stops_routine_flatten_is_not() -> None:
    notifier, sent = observer()
    notifier.on_notice("KILL SWITCH engaged (Flatten command (l2console flatten)): entries stopped")
    notifier.on_kill_switch(
        KillSwitchStatus(KillSwitchPhase.FAILED, "still open: LONG 0.01 PF_XBTUSD"), "Kill switch"
    )
    notifier.on_notice("KILL SWITCH engaged (Shutdown: flatten): entries stopped, flattening")
    notifier.on_kill_switch(KillSwitchStatus(KillSwitchPhase.FLAT, "flat"), "Shutdown: flatten")
    assert [n.title for n in sent] == ["kill switch engaged", "kill switch: NOT FLAT, still open"]
    assert "LONG 0.01" in sent[1].body


def test_refusals_and_unanswered_orders_are_told_fills_are_not() -> None:
    notifier, sent = observer()
    request = OrderRequest("l2c-1", "PF_XBTUSD", Side.BUY, Decimal("0.01"))
    notifier.on_order(request, OrderResult("l2c-1", OrderStatus.REJECTED, reason="insufficient"))
    notifier.on_order(request, OrderResult("l2c-1", OrderStatus.UNKNOWN))
    notifier.on_order(request, OrderResult("l2c-1", OrderStatus.FILLED))
    notifier.on_order(request, None)
    assert [n.title for n in sent] == [
        "order refused by the venue",
        "order not answered by the venue",
    ]
    assert "insufficient" in sent[0].body


def test_only_the_wanted_events_are_sent() -> None:
    notifier, sent = observer(wanted=DEFAULT_EVENTS)
    trip = RoundTrip(
        product="PF_XBTUSD",
        side=Side.BUY,
        quantity=Decimal("0.01"),
        entry_price=Decimal(100),
        exit_price=Decimal(101),
        gross_pnl=Decimal("0.01"),
        fees=Decimal("0.001"),
        net_pnl=Decimal("0.009"),
        opened_wall_ns=T0,
        closed_wall_ns=T0 + 1,
    )
    notifier.on_round_trip(trip)
    assert sent == []
    everything, sent_all = observer()
    everything.on_round_trip(trip)
    assert sent_all[0].title.startswith("round trip LONG 0.01 net +0.01")


def test_event_names_parse_and_a_wrong_one_names_the_choices() -> None:
    assert parse_events("default") == DEFAULT_EVENTS
    assert NotifyEvent.ROUND_TRIP not in DEFAULT_EVENTS
    assert parse_events("all") == frozenset(NotifyEvent)
    assert parse_events(" kill_switch , gate") == {NotifyEvent.KILL_SWITCH, NotifyEvent.GATE}
    with pytest.raises(ValueError, match=r"unknown event .kill.*kill_switch"):
        parse_events("kill")


async def test_a_book_down_past_its_grace_is_told_and_then_back_a_short_blip_is_not() -> None:
    notifier, sent = observer(grace_s=0.3)
    notifier.on_book_state("PF_XBTUSD", BookState.STALE, "no data for 10s")
    notifier.on_book_state("PF_XBTUSD", BookState.LIVE, "snapshot loaded")  # a blip
    notifier.on_book_state("PF_ETHUSD", BookState.STALE, "not ours")
    await asyncio.sleep(0.5)
    assert sent == []
    down_at = time.monotonic()
    notifier.on_book_state("PF_XBTUSD", BookState.SYNCING, "gap in sequence")
    await eventually(lambda: sent, 10, what="the book-down notification")
    assert time.monotonic() - down_at >= 0.3
    assert sent[0].title == "book PF_XBTUSD SYNCING for over 0.3s"
    notifier.on_book_state("PF_XBTUSD", BookState.LIVE, "snapshot loaded")
    assert sent[1].title.startswith("book PF_XBTUSD LIVE again after")
    assert len(sent) == 2


def test_maintenance_notices_are_told_as_maintenance_not_as_a_dead_man_failure() -> None:
    watcher, sent = observer()
    watcher.on_notice("venue maintenance (under way, end not given): no new entries, exits go on")
    watcher.on_notice("venue maintenance: dead-man's switch disarmed for the window")
    watcher.on_notice("venue maintenance over: dead-man's switch re-armed")
    watcher.on_notice("paused: no new entries")
    assert [n.event for n in sent] == [NotifyEvent.MAINTENANCE] * 3
    assert NotifyEvent.MAINTENANCE in DEFAULT_EVENTS
    assert "re-armed" in sent[-1].body
