"""Sessions written through the real store with or without each piece of checklist evidence."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from decimal import Decimal
from pathlib import Path

from core.enums import Mode, OrderStatus, Side, SignalAction
from core.events import SignalOutcome
from core.latency import DECISION_TO_ORDER, ORDER_TO_ACK, TICK_TO_DECISION, LatencyHistogram
from core.ports import OrderRequest, OrderResult
from core.store import RunEnd, SessionStore
from tests.core.store.builders import PRODUCT, FakeClock, PaperLedger, signal, spec

SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 3_600 * SECOND
DAY = 24 * HOUR

BOOK = "book"  # LIVE book updates counted (tick_to_decision)
SIGNALS = "signals"  # a BUY and its CLOSE
LIMIT_BLOCK = "limit_block"  # an entry the position limit refused
ORDERS = "orders"  # orders the venue filled, with their fills
HOUR_RUN = "hour_run"  # a run of 1 h 30 that completed
KILL_SWITCH = "kill_switch"  # a kill switch the venue confirmed flat
EVERYTHING = frozenset({BOOK, SIGNALS, LIMIT_BLOCK, ORDERS, HOUR_RUN, KILL_SWITCH})


def histogram(count: int, each_ns: int) -> LatencyHistogram:
    recorded = LatencyHistogram()
    for _ in range(count):
        recorded.record(each_ns)
    return recorded


def write_integration_session(
    path: Path,
    name: str,
    pieces: Collection[str] = EVERYTHING,
    *,
    venue: str = "kraken",
    mode: Mode = Mode.LIVE,
    real_money: bool = False,
    tick_ns: int = 40_000,
    failed_kill_switch: bool = False,
    crash: bool = False,
    start_ns: int | None = None,
    routine_flatten: bool = False,
) -> FakeClock:
    clock = FakeClock() if start_ns is None else FakeClock(start_ns)
    asyncio.run(
        _write(
            path,
            name,
            pieces=set(pieces),
            venue=venue,
            mode=mode,
            real_money=real_money,
            tick_ns=tick_ns,
            failed_kill_switch=failed_kill_switch,
            crash=crash,
            routine_flatten=routine_flatten,
            clock=clock,
        )
    )
    return clock


async def _write(
    path: Path,
    name: str,
    *,
    pieces: set[str],
    venue: str,
    mode: Mode,
    real_money: bool,
    tick_ns: int,
    failed_kill_switch: bool,
    crash: bool,
    routine_flatten: bool,
    clock: FakeClock,
) -> None:
    session = spec(name, venue=venue, mode=mode, parameters={"real_money": real_money})
    store = await SessionStore.open(path, session, clock=clock, heartbeat_s=3600)
    start = clock.now_ns
    number = 0
    if SIGNALS in pieces:
        number += 1
        store.record_signal(signal(number, start + SECOND))
        number += 1
        store.record_signal(signal(number, start + 2 * SECOND, SignalAction.CLOSE))
    if LIMIT_BLOCK in pieces:
        number += 1
        store.record_signal(
            signal(
                number,
                start + 3 * SECOND,
                outcome=SignalOutcome.BLOCKED,
                block_reason="position limit ($100.00)",
            )
        )
    # A block that is not a limit: never counts for the risk line.
    number += 1
    store.record_signal(
        signal(number, start + 4 * SECOND, outcome=SignalOutcome.BLOCKED, block_reason="book STALE")
    )
    if ORDERS in pieces:
        ledger = PaperLedger()
        for i, booked in enumerate(
            (
                ledger.open("43500.5", "0.002", start + 5 * SECOND),
                ledger.close("43510", start + 6 * SECOND),
            )
        ):
            # client order ids are unique across the file, as the venues' are
            request = OrderRequest(f"{name}-{i}", PRODUCT, booked.fill.side, Decimal("0.002"))
            store.record_order(request, wall_ns=start + 5 * SECOND + i)
            store.record_order(
                request,
                OrderResult(request.client_order_id, OrderStatus.FILLED, f"v{i}"),
                wall_ns=start + 6 * SECOND,
            )
            await store.record_fills([booked])
    elif mode is Mode.LIVE:
        request = OrderRequest(f"{name}-rejected", PRODUCT, Side.BUY, Decimal("0.002"))
        rejected = OrderResult(request.client_order_id, OrderStatus.REJECTED, reason="no")
        store.record_order(request, rejected, wall_ns=start)
    if KILL_SWITCH in pieces or failed_kill_switch:
        phase, detail = (
            ("failed", "1 order still open")
            if failed_kill_switch
            else ("flat", "flat confirmed by the venue")
        )
        store.record_kill_switch(
            reason="Flatten command", phase=phase, detail=detail, wall_ns=start + 7 * SECOND
        )
    if routine_flatten:  # a stop's flatten: the same kill switch, but nobody tested it
        store.record_kill_switch(
            reason="Shutdown: flatten", phase="flat", detail="flat", wall_ns=start + 8 * SECOND
        )
    clock.advance(90 * 60 if HOUR_RUN in pieces else 10 * 60)
    if BOOK in pieces:
        store.record_latency(TICK_TO_DECISION, histogram(5_000, tick_ns), clock.now_ns)
        store.record_latency(DECISION_TO_ORDER, histogram(10, 200_000), clock.now_ns)
        store.record_latency(ORDER_TO_ACK, histogram(10, 120_000_000), clock.now_ns)
    await store.close(RunEnd.CRASHED if crash else RunEnd.COMPLETED)
