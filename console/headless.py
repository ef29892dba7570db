"""``--no-ui``: the same facts as the console, as log lines (for systemd, tmux logs, CI).

The lines the guide shows are printed word for word (``SIGNAL #n: ...``, ``STATE | ...``, the
summary block); extra lines (book state changes, notices, round trips) carry their own prefix.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TextIO

from console import totals
from console.durations import describe_duration
from console.exit_status import run_exit_status
from console.options import RunOptions, mode_label, mode_meaning
from console.output import process_streams, run_output
from console.report.bands import band_lines
from console.report.formatting import feed_faults_text, usd
from console.session import TradingSession, open_store
from console.settings import Settings
from console.stopping import StopRequest, output_watched, stop_signals
from console.totals import SessionBase
from console.venue_setup import StartupError, VenueConnection, fee_line, open_venue
from core.dead_man import DeadManView
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
    """``$1,234.56`` / ``-$32.18`` / ``-$0.1221``: ``console.report.formatting.usd``'s rule."""
    return usd(value)


def ms(ns: float) -> str:
    return f"{ns / 1e6:.3f}ms"


class HeadlessPrinter(EngineObserver):
    def __init__(
        self, out: TextIO, instrument: Instrument, *, base: SessionBase | None = None
    ) -> None:
        """``base``: what a resumed session had booked before this run (``console.totals``);
        with it, STATE lines and the summary show this run and the session apart."""
        self._out = out
        self._instrument = instrument
        self._base = base
        self.store_note = ""  # the summary's word on a session store that failed mid-run

    def line(self, text: str) -> None:
        print(text, file=self._out, flush=True)

    def price(self, value: float | Decimal | None) -> str:
        if value is None:
            return "-"
        return f"{value:.{self._instrument.price_decimals}f}"

    def signal_price(self, value: Decimal) -> str:
        """A market close not yet filled carries no price: "market" (its fill is announced)."""
        return "market" if value == 0 else self.price(value)

    # --- engine events --------------------------------------------------------------------
    def on_snapshot_loaded(self, product: str, bids: int, asks: int) -> None:
        if product == self._instrument.symbol:
            self.line(f"Order book snapshot loaded: {bids} bids, {asks} asks")

    def on_book_state(self, product: str, state: BookState, reason: str) -> None:
        if state is not BookState.LIVE or reason != "snapshot loaded":
            self.line(f"BOOK | {product} {state.value} ({reason})")

    def on_signal(self, signal: Signal) -> None:
        text = (
            f"SIGNAL #{signal.number}: {signal.action.value} "
            f"| Price: {self.signal_price(signal.price)} "
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
    def state(self, state: EngineState, dead_man: DeadManView | None = None) -> None:
        """The guide's STATE line, stamped, with the position and the P&L behind it, and the
        venue's dead man's switch at the end (``core.dead_man``) when the run has one to say."""
        book = state.book
        if book.state is BookState.LIVE:
            spread = "-" if book.spread_bps is None else f"{book.spread_bps:.2f}"
            market = f"Imbalance: {book.ratio:.2f} | Mid: {self.price(book.mid)} | Spread: {spread}"
        else:  # the last numbers of a book that is not current would be a lie
            market = f"Imbalance: {book.state.value} | Mid: {book.state.value} | Spread: -"
        store = " | STORE FAILED: not recording, stopping" if state.store_failed else ""
        self.line(
            f"STATE | {stamp(state.wall_ns)}{store} | {market} bps | Signals: {state.signals_total}"
            f" | Position: {position_text(state, self.price, unrealized=', unrealized ')}"
            f" | {self._pnl_text(state)} | Latency: {ms(state.latency.avg_ns)} avg tick→decision"
            + ("" if dead_man is None else f" | Dead man's switch: {dead_man.text(state.wall_ns)}")
        )

    def _pnl_text(self, state: EngineState) -> str:
        """``Net P&L: x`` for a run; a named session's total, and this run's when resumed."""
        run = totals.this_run(state, self._base)
        if self._base is None:
            return f"Net P&L: {money(run.net_pnl)}"
        whole = totals.session(state, self._base)
        return f"Session P&L: {money(whole.net_pnl)} (this run {money(run.net_pnl)})"

    def summary(
        self, state: EngineState, *, mode: str, elapsed_s: float, flatten: KillSwitchStatus | None
    ) -> None:
        latency = state.latency
        base = self._base
        in_session = "" if base is None else " this run"
        self.line(RULE)
        self.line("SESSION SUMMARY")
        self.line(RULE)
        self.line(f"Duration: {elapsed_s:.1f}s")
        signals = f"Signals Generated: {state.signals_total}"
        if base is not None:
            signals += f" this run ({totals.session_signals(state, base)} in the session)"
        self.line(signals)
        self.line(f"Trades Executed: {state.trades_executed} ({mode}){in_session}")
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
        if base is None:
            self.line(f"Round Trips: {totals_text(totals.this_run(state, None))}")
        else:
            self.line(f"This Run: Round Trips: {totals_text(totals.this_run(state, base))}")
            self.line(f"Session: Round Trips: {totals_text(totals.session(state, base))}")
        self.line(f"Position: {position_text(state, self.price)}")
        if flatten is not None:
            self.line(f"Kill switch: {flatten.detail}")
        if self.store_note:
            self.line(f"Store: {self.store_note}")
        c = state.counters
        self.line(
            f"Feed: {c.frames} book updates | {c.gaps} gaps | {c.crossed} crossed | "
            f"{c.resyncs} resyncs | {c.dropped_frames} dropped frames | {c.reconnects} reconnects"
            f" | {c.stale_silence + c.stale_lag} stale{feed_faults_text(c)}"
        )
        if c.observers_detached:
            self.line(f"Observers detached after an error: {c.observers_detached} (see the log)")
        self.line(RULE)


def totals_text(scope: totals.Totals) -> str:
    """``2 | Realized P&L: -$0.0264 | Fees: $0.0957 | Net P&L: -$0.1221`` (net = realized - fees)."""
    return (
        f"{scope.round_trips} | Realized P&L: {money(scope.realized_pnl)} "
        f"| Fees: {money(scope.fees)} | Net P&L: {money(scope.net_pnl)}"
    )


def stamp(wall_ns: int) -> str:
    """``2026-01-01T10:00:05Z``: when a STATE line was true (logs under tmux carry no time)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(wall_ns // 1_000_000_000))


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
    if not latency.count:
        return f"- Latency target (<{LATENCY_TARGET_MS:g}ms): no samples (no decision was timed)"
    if latency.count and latency.p95_ns / 1e6 < LATENCY_TARGET_MS:
        return f"✓ Latency target MET (<{LATENCY_TARGET_MS:g}ms)"
    return f"✗ Latency target MISSED (<{LATENCY_TARGET_MS:g}ms)"


def position_text(
    state: EngineState, price: Callable[[Decimal], str], *, unrealized: str = " | Unrealized: "
) -> str:
    quantity = state.position.quantity
    if quantity == 0:
        return "flat"
    side = "LONG" if quantity > 0 else "SHORT"
    return (
        f"{side} {abs(quantity)} @ {price(state.position.entry_price)}"
        f"{unrealized}{usd(state.unrealized_pnl, signed=True)}"
    )


def banner(options: RunOptions, banner_name: str, symbol: str) -> str:
    """The guide's first line; the simulated venue says it is one, real money says so."""
    duration = (
        "until stopped" if options.duration_s is None else describe_duration(options.duration_s)
    )
    if options.venue.simulated:
        what = f"Simulated market ({banner_name} Futures protocol on 127.0.0.1)"
    elif options.real_money:
        what = f"{banner_name} L2 REAL MONEY"
    else:
        what = f"{banner_name} L2 Demo"
    return (
        f"{what} initialized | Symbol: {symbol} | "
        f"Mode: {mode_label(options.mode, options)} | Duration: {duration}"
    )


def startup_lines(options: RunOptions, connection: VenueConnection) -> list[str]:
    """The banner, the venue, and what the mode does (dry run and paper are easy to confuse)."""
    return [
        banner(options, connection.banner_name, connection.instrument.symbol),
        f"Venue: {connection.venue_name} | {connection.ws_url}",
        mode_meaning(options.mode, options),
        fee_line(connection, options.venue.fee_setting),
    ]


async def run_headless(options: RunOptions, settings: Settings, out: TextIO | None = None) -> int:
    """Run until the duration ends or a stop is asked; returns the exit status
    (``console.exit_status``). SIGINT, SIGTERM and SIGHUP stop the run; so does losing the
    output (``console.stopping``), whose lines then go to stderr when it still works."""
    loop = asyncio.get_running_loop()
    output = run_output(out)
    stops = StopRequest()

    def on_signal(sig: signal.Signals) -> None:
        if not stops.by_signal(sig):
            print(f"NOTICE | {sig.name} again: still stopping (bounded)", file=output, flush=True)

    watched = (output, *process_streams())
    with stop_signals(loop, on_signal), output_watched(loop, watched, stops.output_lost):
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            store = None
            if options.session is not None:
                store = await open_session(options, settings, connection)
            printer = HeadlessPrinter(output, connection.instrument, base=session_base(store))
            session = TradingSession(
                options, settings, connection, observers=[printer], store=store
            )
            session.engine.on_store_failure(stops.store_failed)
            for text in startup_lines(options, connection):
                printer.line(text)
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
                await _run_until_stopped(
                    session, printer, settings, stops.event, options.duration_s
                )
                how = stops.how if stops.requested else RunEnd.COMPLETED
                if stops.requested:
                    printer.line(f"NOTICE | {stops.reasons[0]}: stopping")
            finally:
                flatten = await session.stop(flatten=options.flatten_on_exit is not False, how=how)
            state = session.engine.state()
            printer.store_note = store_note(store, stops.store_lost)
            printer.state(state, session.dead_man())
            label = mode_label(session.engine.mode, options)
            printer.summary(state, mode=label, elapsed_s=loop.time() - started, flatten=flatten)
            if session.bands is not None:
                for line in band_lines(session.bands.default(), session.bands.results()):
                    printer.line(line)
            if connection.recorder is not None and (stats := connection.recorder.stats).error:
                printer.line(f"NOTICE | recording to {stats.path} stopped early: {stats.error}")
            elif connection.recorder is not None and stats.dropped:
                printer.line(f"NOTICE | recording to {stats.path}: {stats.dropped} frames dropped")
    return run_exit_status(
        mode=state.mode,
        flatten=flatten,
        position=state.position.quantity,
        terminal_lost=stops.terminal_lost or any(s.lost for s in watched),
        store_lost=bool(stops.store_lost),
    )


def store_note(store: SessionStore | None, reason: str) -> str:
    """What the summary says of a session store that failed mid-run ("" when it did not)."""
    if store is None or not reason:
        return ""
    note = f"FAILED mid-run ({reason}); not recorded after that"
    if store.journaled:
        note += f"; {store.journaled} fill(s) kept in {store.fallback_path}, merged on next start"
    if store.lost:
        note += f"; {store.lost} fill(s) NOT recorded anywhere (see the log)"
    return note


def session_base(store: SessionStore | None) -> SessionBase | None:
    return SessionBase.of(store.resume if store is not None else None)


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
    booked = resume.realized_pnl - resume.fees_paid
    if resume.merged_fills:
        crashed += f" | {resume.merged_fills} fill(s) merged from the fallback journal"
    return (
        f"Session: {name} resumed | run #{len(resume.runs)} | {covered:.1f} days covered "
        f"| {resume.round_trips} round trip{'' if resume.round_trips == 1 else 's'} so far, "
        f"net P&L {money(booked)} "
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
            async with asyncio.timeout(duration_s):
                await stop.wait()
    finally:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker


async def _print_state(session: TradingSession, printer: HeadlessPrinter, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        printer.state(session.engine.state(), session.dead_man())
