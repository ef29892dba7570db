"""A realistic 60-day session database, and how long the report takes on it.

``build_sample_database`` writes, through the real ``SessionStore``, what 60 days of paper
trading leave behind: several runs with restarts and a few gaps, 20,000 round trips (40,000
fills, signals and orders, a share of blocked signals), an equity point a minute and a latency
histogram per run. ``time_report`` then measures the ``report`` command's work on it: read the
snapshot, compute, render. Deterministic under ``seed``.

    python -m console.report.benchmark [--round-trips 20000] [--days 60] [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from console.report import render_report
from core.enums import Mode, OrderStatus, Side, SignalAction
from core.events import Fill, RoundTrip, Signal, SignalOutcome
from core.gate_clock import NS_PER_DAY, NS_PER_SECOND
from core.ledger import Position
from core.ports import OrderRequest, OrderResult
from core.store import (
    BookedFill,
    EquityPoint,
    SessionReader,
    SessionSpec,
    SessionStore,
)

START_NS = 1_717_200_000 * NS_PER_SECOND  # 2024-06-01 00:00 UTC
PRODUCT = "PF_XBTUSD"
FEE_RATE = Decimal("0.0005")
QUANTITY = Decimal("0.0016")
CENT = Decimal("0.01")
FILLS_PER_COMMIT = 500


@dataclass(frozen=True, slots=True)
class ReportTiming:
    round_trips: int
    read_s: float
    text_s: float
    json_s: float

    @property
    def text_total_s(self) -> float:
        return self.read_s + self.text_s


def build_sample_database(
    path: Path, *, round_trips: int = 20_000, days: int = 60, seed: int = 4, session: str = "bench"
) -> None:
    asyncio.run(_write_sample(path, round_trips, days, seed, session))


def time_report(path: Path, session: str = "bench") -> ReportTiming:
    """Seconds to read the session, and to render it as text and as JSON."""
    started = time.perf_counter()
    with SessionReader(path) as reader:
        data = reader.report_data(session)
    read = time.perf_counter()
    render_report(data, fmt="text")
    text = time.perf_counter()
    render_report(data, fmt="json")
    done = time.perf_counter()
    return ReportTiming(len(data.round_trips), read - started, text - read, done - text)


class _Clock:
    def __init__(self, now_ns: int) -> None:
        self.now_ns = now_ns

    def __call__(self) -> int:
        return self.now_ns


def _run_plan(days: int, rng: random.Random) -> list[tuple[int, int]]:
    """Runs of one to six days, restarted after 10 s to 3 h: a real 60-day session's shape."""
    runs, start, end_of_test = [], START_NS, START_NS + days * NS_PER_DAY
    while start < end_of_test:
        end = min(end_of_test, start + rng.randint(1, 6) * NS_PER_DAY)
        runs.append((start, end))
        start = end + rng.choice((10, 30, 120, 600, 3 * 3600)) * NS_PER_SECOND
    return runs


async def _write_sample(path: Path, round_trips: int, days: int, seed: int, name: str) -> None:
    rng = random.Random(seed)
    runs = _run_plan(days, rng)
    covered = sum(end - start for start, end in runs)
    spacing = covered // round_trips
    per_run = [round(round_trips * (end - start) / covered) for start, end in runs]
    per_run[-1] += round_trips - sum(per_run)
    spec = SessionSpec(name, "sim", PRODUCT, Mode.PAPER, {"entry_ratio": "3.0", "notional": 100})
    writer = _SampleWriter(rng)
    for (start, end), count in zip(runs, per_run, strict=True):
        clock = _Clock(start)
        store = await SessionStore.open(path, spec, clock=clock, heartbeat_s=3600)
        await writer.write_run(store, clock, count, spacing, end)
        clock.now_ns = end
        await store.close()


class _SampleWriter:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.price = Decimal(60_000)
        self.signal_number = 0
        self.fill_number = 0
        self.realized = Decimal(0)
        self.fees_paid = Decimal(0)

    async def write_run(
        self, store: SessionStore, clock: _Clock, count: int, spacing: int, end_ns: int
    ) -> None:
        pending: list[BookedFill] = []
        next_equity = clock.now_ns
        for _ in range(count):
            clock.now_ns = min(end_ns - 1, clock.now_ns + spacing)
            while next_equity <= clock.now_ns:
                store.record_equity(
                    EquityPoint(
                        next_equity,
                        self.realized - self.fees_paid,
                        self.realized,
                        Decimal(0),
                        Decimal(0),
                        self.price,
                    )
                )
                next_equity += 60 * NS_PER_SECOND
            pending += self._round_trip(store, clock.now_ns)
            if len(pending) >= FILLS_PER_COMMIT:
                await store.record_fills(pending)
                pending = []
        await store.record_fills(pending)

    def _round_trip(self, store: SessionStore, now_ns: int) -> list[BookedFill]:
        rng = self.rng
        if rng.random() < 0.1:
            self._signal(store, SignalAction.BUY, now_ns - 2 * NS_PER_SECOND, blocked=True)
        self.price = (self.price * Decimal(1 + rng.gauss(0, 0.002))).quantize(Decimal("0.5"))
        side = Side.BUY if rng.random() < 0.55 else Side.SELL
        opened_ns = now_ns - rng.randint(5, 300) * NS_PER_SECOND
        move = Decimal(rng.gauss(0.0011, 0.0025))
        exit_price = (self.price * (1 + move * side.sign)).quantize(Decimal("0.5"))
        entry = self._fill(store, side, self.price, opened_ns, SignalAction(side.value))
        leave = self._fill(store, side.opposite, exit_price, now_ns, SignalAction.CLOSE)
        gross = (exit_price - self.price) * QUANTITY * side.sign
        self.realized += gross
        self.fees_paid += entry.fee + leave.fee
        trip = RoundTrip(
            PRODUCT,
            side,
            QUANTITY,
            self.price,
            exit_price,
            gross,
            entry.fee + leave.fee,
            gross - entry.fee - leave.fee,
            opened_ns,
            now_ns,
        )
        held = Position(PRODUCT, QUANTITY * side.sign, self.price, opened_ns, entry.fee)
        flat = Position(PRODUCT, Decimal(0), Decimal(0), 0, Decimal(0))
        fees_before_exit = self.fees_paid - leave.fee
        return [
            BookedFill(entry, held, self.realized - gross, fees_before_exit, None, self.price),
            BookedFill(leave, flat, self.realized, self.fees_paid, trip, exit_price),
        ]

    def _fill(
        self, store: SessionStore, side: Side, price: Decimal, wall_ns: int, action: SignalAction
    ) -> Fill:
        number = self._signal(store, action, wall_ns)
        self.fill_number += 1
        order_id = f"bench-{self.fill_number}"
        request = OrderRequest(
            order_id, PRODUCT, side, QUANTITY, reduce_only=action is SignalAction.CLOSE
        )
        store.record_order(request, wall_ns=wall_ns, signal_number=number)
        store.record_order(
            request, OrderResult(order_id, OrderStatus.FILLED, f"v{number}"), wall_ns=wall_ns
        )
        fee = (price * QUANTITY * FEE_RATE).quantize(Decimal("0.00000001"), rounding=ROUND_HALF_UP)
        slippage = Decimal(abs(self.rng.gauss(0, 1.5))).quantize(CENT)
        return Fill(
            PRODUCT,
            side,
            price,
            QUANTITY,
            fee,
            wall_ns,
            order_id,
            f"fill-{self.fill_number}",
            slippage,
        )

    def _signal(
        self, store: SessionStore, action: SignalAction, wall_ns: int, *, blocked: bool = False
    ) -> int:
        self.signal_number += 1
        store.record_signal(
            Signal(
                self.signal_number,
                PRODUCT,
                action,
                self.price,
                QUANTITY,
                3.4,
                "Strong bullish imbalance (3.4x)",
                wall_ns,
                SignalOutcome.BLOCKED if blocked else SignalOutcome.ACTED,
                "trades per day limit (10)" if blocked else "",
            )
        )
        return self.signal_number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round-trips", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--db", type=Path, help="keep the database here (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.db is not None and args.db.exists():
        print(f"{args.db} exists: give a new path (the sample would resume its session)")
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        path = args.db or Path(scratch) / "bench.db"
        started = time.perf_counter()
        build_sample_database(path, round_trips=args.round_trips, days=args.days)
        built = time.perf_counter() - started
        size_mb = path.stat().st_size / 1e6
        timing = time_report(path)
    print(
        f"built {args.round_trips:,} round trips over {args.days} days in {built:.1f} s "
        f"({size_mb:.1f} MB)"
    )
    print(
        f"report: read {timing.read_s * 1e3:.0f} ms, text {timing.text_s * 1e3:.0f} ms "
        f"(total {timing.text_total_s * 1e3:.0f} ms), json {timing.json_s * 1e3:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
