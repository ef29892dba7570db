"""``--no-ui``: the same facts as the console, as log lines (for systemd, tmux logs, CI).

The lines the guide shows are printed word for word (``SIGNAL #n: ...``, ``STATE | ...``, the
summary block); extra lines (book state changes, notices, round trips) carry their own prefix.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import TextIO

from console.durations import format_duration
from console.options import RunOptions, mode_label
from console.report.bands import band_lines
from console.report.formatting import feed_faults_text
from console.session import TradingSession, open_store
from console.settings import Settings
from console.venue_setup import StartupError, VenueConnection, open_venue
from core.engine_state import EngineState, KillSwitchPhase, KillSwitchStatus
from core.enums import BookState
from core.events import RoundTrip, Signal, SignalOutcome
from core.gate_clock import coverage
from core.instrument import Instrument
from core.latency import DECISION_TO_ORDER, ORDER_TO_ACK, LatencySnapshot, LatencySummary
from core.observer import EngineObserver
from core.store import ResumeState, RunEnd, SessionStore, StoreError

LATENCY_TARGET_MS = 50.0
KILL_SWITCH_RESULT = "KILL SWITCH: "
RULE = "=" * 60


def money(value: Decimal) -> str:
    """``$1,234.56`` / ``-$32.18``."""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def ms(ns: float) -> str:
    return f"{ns / 1e6:.3f}ms"


class HeadlessPrinter(EngineObserver):
    def __init__(self, out: TextIO, instrument: Instrument) -> None:
        self._out = out
        self._instrument = instrument

    def line(self, text: str) -> None:
        print(text, file=self._out, flush=True)

    def price(self, value: float | Decimal | None) -> str:
        if value is None:
            return "-"
        return f"{value:.{self._instrument.price_decimals}f}"

    # --- engine events --------------------------------------------------------------------
    def on_snapshot_loaded(self, product: str, bids: int, asks: int) -> None:
        if product == self._instrument.symbol:
            self.line(f"Order book snapshot loaded: {bids} bids, {asks} asks")

    def on_book_state(self, product: str, state: BookState, reason: str) -> None:
        if state is not BookState.LIVE or reason != "snapshot loaded":
            self.line(f"BOOK | {product} {state.value} ({reason})")

    def on_signal(self, signal: Signal) -> None:
        text = (
            f"SIGNAL #{signal.number}: {signal.action.value} | Price: {self.price(signal.price)} "
            f"| Qty: {signal.quantity} | Reason: {signal.reason}"
        )
        if signal.outcome is SignalOutcome.BLOCKED:
            text += f" | BLOCKED: {signal.block_reason}"
        elif signal.outcome is SignalOutcome.IGNORED:
            text += f" | ignored ({signal.block_reason})"
        self.line(text)

    def on_round_trip(self, round_trip: RoundTrip) -> None:
        side = "LONG" if round_trip.side.value == "BUY" else "SHORT"
        self.line(
            f"TRADE CLOSED | {side} {round_trip.quantity} | Entry: {self.price(round_trip.entry_price)}"
            f" | Exit: {self.price(round_trip.exit_price)} | Net P&L: {money(round_trip.net_pnl)}"
            f" (fees {money(round_trip.fees)})"
        )

    def on_notice(self, text: str) -> None:
        if not text.startswith(KILL_SWITCH_RESULT):  # printed by on_kill_switch, as one line
            self.line(f"NOTICE | {text}")

    def on_kill_switch(self, status: KillSwitchStatus, reason: str) -> None:
        verdict = "FLAT" if status.phase is KillSwitchPhase.FLAT else "NOT FLAT"
        self.line(f"KILL SWITCH | {verdict} | {status.detail}")

    # --- periodic and final -----------------------------------------------------------------
    def state(self, state: EngineState) -> None:
        book = state.book
        spread = "-" if book.spread_bps is None else f"{book.spread_bps:.2f}"
        self.line(
            f"STATE | Imbalance: {book.ratio:.2f} | Mid: {self.price(book.mid)} "
            f"| Spread: {spread} bps | Signals: {state.signals_total} "
            f"| Latency: {ms(state.latency.avg_ns)}"
        )

    def summary(
        self, state: EngineState, *, mode: str, elapsed_s: float, flatten: KillSwitchStatus | None
    ) -> None:
        latency = state.latency
        self.line(RULE)
        self.line("SESSION SUMMARY")
        self.line(RULE)
        self.line(f"Duration: {elapsed_s:.1f}s")
        self.line(f"Signals Generated: {state.signals_total}")
        self.line(f"Trades Executed: {state.trades_executed} ({mode})")
        self.line(f"Avg Latency: {ms(latency.avg_ns)}")
        self.line(f"P95 Latency: {ms(latency.p95_ns)}")
        self.line(f"Max Latency: {ms(latency.max_ns)}")
        self.line(latency_verdict(latency))
        breakdown = state.latency_breakdown
        for name, label, none in _ORDER_LATENCIES:
            snapshot = breakdown.get(name)
            self.line(f"{label}: {order_latency_text(snapshot, none)}")
        blocked = ", ".join(f"{why}: {n}" for why, n in sorted(state.blocked_by_reason.items()))
        self.line(f"Blocked Signals: {state.blocked_total}" + (f" ({blocked})" if blocked else ""))
        if state.ignored_total:
            self.line(f"Ignored Signals: {state.ignored_total} (spot: no shorting)")
        self.line(
            f"Round Trips: {state.round_trips} | Realized P&L: {money(state.realized_pnl)} "
            f"| Fees: {money(state.fees_paid)} | Net P&L: {money(state.net_pnl)}"
        )
        self.line(f"Position: {position_text(state, self.price)}")
        if flatten is not None:
            self.line(f"Kill switch: {flatten.detail}")
        c = state.counters
        self.line(
            f"Feed: {c.frames} book updates | {c.gaps} gaps | {c.crossed} crossed | "
            f"{c.resyncs} resyncs | {c.dropped_frames} dropped frames | {c.reconnects} reconnects"
            f" | {c.stale_silence + c.stale_lag} stale{feed_faults_text(c)}"
        )
        self.line(RULE)


_ORDER_LATENCIES = (
    (DECISION_TO_ORDER, "Decision→Order Latency", "no orders"),
    (ORDER_TO_ACK, "Order→Ack Latency", "no live orders"),
)


def order_latency_text(snapshot: LatencySnapshot | None, none: str) -> str:
    """``avg 0.031ms | p95 0.045ms | max 0.050ms (4 orders)``, or what there was none of."""
    if snapshot is None or not snapshot.count:
        return none
    summary = snapshot.summary()
    orders = "order" if summary.count == 1 else "orders"
    return (
        f"avg {ms(summary.avg_ns)} | p95 {ms(summary.p95_ns)} | max {ms(summary.max_ns)}"
        f" ({summary.count} {orders})"
    )


def latency_verdict(latency: LatencySummary) -> str:
    if latency.count and latency.p95_ns / 1e6 < LATENCY_TARGET_MS:
        return f"✓ Latency target MET (<{LATENCY_TARGET_MS:g}ms)"
    return f"✗ Latency target MISSED (<{LATENCY_TARGET_MS:g}ms)"


def position_text(state: EngineState, price: Callable[[Decimal], str]) -> str:
    quantity = state.position.quantity
    if quantity == 0:
        return "flat"
    side = "LONG" if quantity > 0 else "SHORT"
    return (
        f"{side} {abs(quantity)} @ {price(state.position.entry_price)}"
        f" | Unrealized: {money(state.unrealized_pnl)}"
    )


def banner(options: RunOptions, banner_name: str, symbol: str) -> str:
    duration = (
        "until stopped" if options.duration_s is None else format_duration(options.duration_s)
    )
    return (
        f"{banner_name} L2 Demo initialized | Symbol: {symbol} | "
        f"Mode: {mode_label(options.mode, options)} | Duration: {duration}"
    )


async def run_headless(options: RunOptions, settings: Settings, out: TextIO = sys.stdout) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    stop_reason: list[str] = []

    def request_stop(signame: str) -> None:
        if stop.is_set():
            print(f"NOTICE | {signame} again: still stopping (bounded)", file=out, flush=True)
        stop_reason.append(signame)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, request_stop, sig.name)
    try:
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            store = None
            if options.session is not None:
                store = await open_session(options, settings, connection)
            printer = HeadlessPrinter(out, connection.instrument)
            session = TradingSession(
                options, settings, connection, observers=[printer], store=store
            )
            printer.line(banner(options, connection.banner_name, connection.instrument.symbol))
            printer.line(f"Venue: {connection.venue_name} | {connection.ws_url}")
            if store is not None:
                printer.line(session_line(store.resume, printer))
            if connection.recorder is not None:
                printer.line(f"Recording raw frames to {connection.recorder.path}")
            if options.real_money:
                printer.line("!!! LIVE REAL MONEY: every order below is real !!!")
            started = loop.time()
            how = RunEnd.CRASHED
            try:
                await session.start()
                announce_control(session, printer)
                await _run_until_stopped(session, printer, settings, stop, options.duration_s)
                how = RunEnd.INTERRUPTED if stop_reason else RunEnd.COMPLETED
                if stop_reason:
                    printer.line(f"NOTICE | {stop_reason[0]} received: stopping")
            finally:
                flatten = await session.stop(flatten=options.flatten_on_exit is not False, how=how)
            state = session.engine.state()
            printer.state(state)
            label = mode_label(session.engine.mode, options)
            printer.summary(state, mode=label, elapsed_s=loop.time() - started, flatten=flatten)
            if session.bands is not None:
                for line in band_lines(session.bands.default(), session.bands.results()):
                    printer.line(line)
            if connection.recorder is not None and (stats := connection.recorder.stats).error:
                printer.line(f"NOTICE | recording to {stats.path} stopped early: {stats.error}")
            elif connection.recorder is not None and stats.dropped:
                printer.line(f"NOTICE | recording to {stats.path}: {stats.dropped} frames dropped")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    return 0


def announce_control(session: TradingSession, printer: HeadlessPrinter) -> None:
    """A named session can be flattened from another shell: say how."""
    if session.control is not None:
        name = session.control.session
        printer.line(f"Control: l2console flatten --session {name} (kill switch)")


async def open_session(
    options: RunOptions, settings: Settings, connection: VenueConnection
) -> SessionStore:
    assert options.session is not None
    db_path = options.db_path or settings.l2console_db
    try:
        return await open_store(options.session, db_path, options, settings, connection)
    except StoreError as exc:
        raise StartupError(f"session {options.session!r} in {db_path}: {exc}") from None


def session_line(resume: ResumeState, printer: HeadlessPrinter) -> str:
    name = resume.session.name
    if not resume.resumed:
        return f"Session: {name} (new)"
    covered = coverage([run.span for run in resume.runs[:-1]]).days
    position = resume.position(resume.session.symbol)
    held = "flat"
    if not position.is_flat:
        side = "LONG" if position.quantity > 0 else "SHORT"
        held = f"{side} {abs(position.quantity)} @ {printer.price(position.entry_price)}"
    crashed = (
        f" | {len(resume.crashed_run_ids)} crashed run(s) closed" if resume.crashed_run_ids else ""
    )
    return (
        f"Session: {name} resumed | run #{len(resume.runs)} | {covered:.1f} days covered "
        f"| position {held} | next signal #{resume.next_signal_number}{crashed}"
    )


async def _run_until_stopped(
    session: TradingSession,
    printer: HeadlessPrinter,
    settings: Settings,
    stop: asyncio.Event,
    duration_s: float | None,
) -> None:
    ticker = asyncio.create_task(
        _print_state(session, printer, settings.state_interval_seconds), name="state printer"
    )
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), duration_s)
    finally:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker


async def _print_state(session: TradingSession, printer: HeadlessPrinter, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        printer.state(session.engine.state())
