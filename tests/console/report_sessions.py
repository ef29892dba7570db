"""Sessions with known numbers, written through the real store, for the report tests."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from core.enums import Mode, Side, SignalAction
from core.events import Fill, RoundTrip, Signal
from core.fill_bands import DEFAULT, OPTIMISTIC, PESSIMISTIC, BandResult
from core.ledger import Position
from core.store import BookedFill, SessionReader, SessionSpec, SessionStore
from core.store.records import ReportData

SECOND = 1_000_000_000
HOUR = 3_600 * SECOND
DAY = 24 * HOUR
T0 = 1_717_200_000 * SECOND  # 2024-06-01 00:00 UTC, a Saturday
PRODUCT = "PF_XBTUSD"
FEES = Decimal("0.10")  # per round trip: 0.05 in, 0.05 out
D = Decimal


def guide_nets() -> list[Decimal]:
    """347 round trips whose report reproduces the guide's block.

    The guide's own numbers cannot all hold at once (189 wins averaging $45.23 and 158 losses
    averaging $32.18 make $3,464.03, not $4,235.67, and a profit factor of 1.68, not 1.53), so
    this keeps its counts, win rate, total P&L, profit factor and drawdown, and lets the averages
    follow: 189 wins of $12,227.50 ($64.70 each on average) and 158 losses of $7,991.83 ($50.58).

    Order: ten wins make the peak ($647.00); nine losses in a row ($487.32) make the maximum
    drawdown; then win/loss pairs that climb (each loss alone is smaller than that fall), and
    the remaining wins.
    """
    win, loss = D("64.70"), D("-50.58")
    block = [loss] * 8 + [D("-82.68")]
    pairs: list[Decimal] = []
    for i in range(149):
        pairs += [win, loss if i < 148 else D("-18.67")]
    return [win] * 10 + block + pairs + [win] * 29 + [D("63.90")]


def trips_from_nets(
    nets: Sequence[Decimal], first_close_ns: int, spacing_ns: int
) -> list[RoundTrip]:
    trips = []
    for i, net in enumerate(nets):
        closed = first_close_ns + i * spacing_ns
        side = Side.BUY if i % 3 else Side.SELL
        trips.append(
            RoundTrip(
                PRODUCT,
                side,
                D("1"),
                D("100"),
                D("100") + (net + FEES) * side.sign,
                net + FEES,
                FEES,
                net,
                closed - 60 * SECOND,
                closed,
            )
        )
    return trips


def write_session(
    path: Path,
    name: str,
    trips: Sequence[RoundTrip],
    runs: Sequence[tuple[int, int]],
    *,
    mode: Mode = Mode.PAPER,
) -> None:
    asyncio.run(write_session_async(path, name, trips, runs, mode=mode))


async def write_session_async(
    path: Path,
    name: str,
    trips: Sequence[RoundTrip],
    runs: Sequence[tuple[int, int]],
    *,
    mode: Mode = Mode.PAPER,
) -> None:
    """Write ``trips`` (each during one of ``runs``) through ``SessionStore``: signals, an entry
    fill and an exit fill per trip."""

    class Clock:
        now_ns = 0

        def __call__(self) -> int:
            return self.now_ns

    spec = SessionSpec(name, "kraken", PRODUCT, mode, {"entry_ratio": "3.0"})
    clock, realized, fees, number = Clock(), D(0), D(0), 0
    for start, end in runs:
        clock.now_ns = start
        store = await SessionStore.open(path, spec, clock=clock, heartbeat_s=3600)
        booked = []
        for trip in (t for t in trips if start <= t.closed_wall_ns < end):
            number += 1
            action = SignalAction(trip.side.value)
            store.record_signal(
                Signal(
                    2 * number - 1,
                    PRODUCT,
                    action,
                    trip.entry_price,
                    trip.quantity,
                    3.2,
                    "Strong imbalance (3.2x)",
                    trip.opened_wall_ns,
                )
            )
            store.record_signal(
                Signal(
                    2 * number,
                    PRODUCT,
                    SignalAction.CLOSE,
                    trip.exit_price,
                    trip.quantity,
                    1.0,
                    "Take profit hit (+0.20%)",
                    trip.closed_wall_ns,
                )
            )
            entry = Fill(
                PRODUCT,
                trip.side,
                trip.entry_price,
                trip.quantity,
                FEES / 2,
                trip.opened_wall_ns,
                f"o{number}a",
                f"f{number}a",
                D("1.5"),
            )
            leave = Fill(
                PRODUCT,
                trip.side.opposite,
                trip.exit_price,
                trip.quantity,
                FEES / 2,
                trip.closed_wall_ns,
                f"o{number}b",
                f"f{number}b",
                D("0.5"),
            )
            held = Position(
                PRODUCT,
                trip.quantity * trip.side.sign,
                trip.entry_price,
                trip.opened_wall_ns,
                FEES / 2,
            )
            flat = Position(PRODUCT, D(0), D(0), 0, D(0))
            fees += FEES / 2
            booked.append(BookedFill(entry, held, realized, fees))
            realized += trip.gross_pnl
            fees += FEES / 2
            booked.append(BookedFill(leave, flat, realized, fees, trip))
        await store.record_fills(booked)
        if mode is not Mode.LIVE:
            record_bands(store, [t for t in trips if start <= t.closed_wall_ns < end], end)
        clock.now_ns = end
        await store.close()


def record_bands(store: SessionStore, trips: Sequence[RoundTrip], wall_ns: int) -> None:
    """Bands as a paper run records them: here the pessimistic one missed the run's last trade
    (still open when the run ended) and the optimistic one filled as the default did."""
    default = BandResult(DEFAULT, tuple(trips), D(0), len(trips) * 2, 0)
    worse = BandResult(PESSIMISTIC, tuple(trips[:-1]), D(1) if trips else D(0), len(trips) * 2, 0)
    better = BandResult(OPTIMISTIC, tuple(trips), D(0), len(trips) * 2, 0)
    store.record_fill_bands(default, (worse, better), wall_ns)


def read(path: Path, name: str) -> ReportData:
    with SessionReader(path) as reader:
        return reader.report_data(name)


def guide_session(path: Path) -> ReportData:
    """The guide's 60days_kraken: 60.2 covered days in two runs with a one-day gap."""
    trips = [
        replace(t, opened_wall_ns=t.opened_wall_ns + DAY, closed_wall_ns=t.closed_wall_ns + DAY)
        if t.closed_wall_ns >= T0 + 30 * DAY
        else t
        for t in trips_from_nets(guide_nets(), T0 + HOUR, 4 * HOUR)
    ]
    runs = [(T0, T0 + 30 * DAY), (T0 + 31 * DAY, T0 + 31 * DAY + int(D("30.2") * DAY))]
    write_session(path, "60days_kraken", trips, runs)
    return read(path, "60days_kraken")
