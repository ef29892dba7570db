"""``l2console run`` (and ``paper``) with the console: venue, session, app, and the same summary
the headless runner prints once the console closes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Iterator
from typing import TextIO

from console.app.app import ConsoleOutcome, L2ConsoleApp
from console.app.checklist_source import ChecklistSource, session_checklist
from console.app.format import latency
from console.app.gates import GateSource
from console.app.modes import badge
from console.app.session_gates import SessionGates
from console.app.terminal import terminal_driver
from console.exit_status import run_exit_status
from console.headless import HeadlessPrinter, open_session, session_line, store_note
from console.options import RunOptions
from console.output import GuardedStream, process_streams, run_output
from console.report.bands import band_lines
from console.session import TradingSession
from console.settings import Settings
from console.stopping import StopRequest, output_watched, stop_signals
from console.totals import SessionBase
from console.venue_setup import VenueConnection, fee_line, open_venue
from core.store import RunEnd, SessionStore


class HeldLogs(logging.Handler):
    """While the console owns the terminal, log records are kept (and warnings shown on screen)
    instead of being written over the screen; they are written out once it closes."""

    def __init__(self, app: L2ConsoleApp) -> None:
        super().__init__(level=logging.NOTSET)
        self.records: list[logging.LogRecord] = []
        self._app = app

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if record.levelno >= logging.WARNING and self._app.is_running:
            self._app.call_later(self._app.say, record.getMessage(), severity="warning")


@contextlib.contextmanager
def logs_held(app: L2ConsoleApp) -> Iterator[HeldLogs]:
    root = logging.getLogger()
    streams = [h for h in root.handlers if type(h) is logging.StreamHandler]
    held = HeldLogs(app)
    for handler in streams:
        root.removeHandler(handler)
    root.addHandler(held)
    try:
        yield held
    finally:
        root.removeHandler(held)
        for handler in streams:
            root.addHandler(handler)
            for record in held.records:
                if record.levelno >= handler.level and record.levelno >= root.level:
                    handler.handle(record)


async def _open_record(
    options: RunOptions,
    settings: Settings,
    connection: VenueConnection,
    gates: GateSource | None,
) -> tuple[SessionStore | None, GateSource | None, ChecklistSource | None]:
    """A named session's store, its gate pane source and its checklist (none without a name)."""
    if options.session is None:
        return None, gates, None
    store = await open_session(options, settings, connection)
    name = store.resume.session.name
    if gates is None:
        gates = SessionGates(store.path, name, settings.gate_settings)
    return store, gates, session_checklist(store.path, name, settings, options.env_file)


async def run_console(
    options: RunOptions,
    settings: Settings,
    *,
    gates: GateSource | None = None,
    out: TextIO | None = None,
) -> int:
    """The console until it is quit, the duration ends or a stop is asked, then the summary;
    returns the exit status (``console.exit_status``). SIGINT, SIGTERM and SIGHUP stop the run
    as the quit key does; so does the terminal going away (``console.stopping``)."""
    loop = asyncio.get_running_loop()
    output = run_output(out)
    terminal = GuardedStream(sys.__stderr__, "terminal")  # Textual draws on stderr
    stops = StopRequest()
    async with contextlib.AsyncExitStack() as stack:
        connection = await open_venue(options, settings, stack)
        store, gates, checklist = await _open_record(options, settings, connection, gates)
        session = TradingSession(options, settings, connection, store=store)
        session.engine.notice(fee_line(connection, options.venue.fee_setting))
        # Start before the console draws: a refused start (live checks, a session already
        # running) is then one line and exit 2, like headless, not an error inside the app.
        try:
            await session.start()
        except BaseException:
            await session.stop(flatten=False, how=RunEnd.CRASHED)
            raise
        app = L2ConsoleApp(
            session,
            gates=gates,
            checklist=checklist,
            duration_s=options.duration_s,
            driver_class=terminal_driver(terminal),
        )

        def stop_run(first: bool) -> None:
            if first:
                app.request_stop(flatten=options.flatten_on_exit, how=stops.how)

        def on_signal(sig: signal.Signals) -> None:
            stop_run(stops.by_signal(sig))

        def on_output_lost(stream: GuardedStream, exc: OSError) -> None:
            stop_run(stops.output_lost(stream, exc))

        session.engine.on_store_failure(lambda reason: stop_run(stops.store_failed(reason)))

        started = time.monotonic()
        outcome: ConsoleOutcome | None = None
        flatten = None
        watched = (terminal, output, *process_streams())
        with (
            logs_held(app),
            stop_signals(loop, on_signal),
            output_watched(loop, watched, on_output_lost),
        ):
            try:
                outcome = await app.run_async()
            finally:
                if not app.host_stopped:  # the console closed on its own: stop the usual way
                    flatten = await session.stop(
                        flatten=options.flatten_on_exit,
                        how=stops.how if stops.requested else RunEnd.CRASHED,
                    )
        state = session.engine.state()
        base = SessionBase.of(store.resume if store is not None else None)
        printer = HeadlessPrinter(output, connection.instrument, base=base)
        printer.store_note = store_note(store, stops.store_lost)
        if store is not None:
            printer.line(session_line(store.resume, printer))
        if outcome is not None and outcome.flatten is not None:
            flatten = outcome.flatten
        printer.summary(
            state,
            mode=badge(state.mode, options).label,
            elapsed_s=time.monotonic() - started,
            flatten=flatten,
        )
        if session.bands is not None:
            for line in band_lines(session.bands.default(), session.bands.results()):
                printer.line(line)
        if outcome is not None:
            lat = state.latency
            printer.line(
                f"Console: {outcome.redraws_per_s:.1f} redraws/s | tick→decision "
                f"p50 {latency(lat.p50_ns)} p99 {latency(lat.p99_ns)} max {latency(lat.max_ns)}"
            )
    return run_exit_status(
        mode=state.mode,
        flatten=flatten,
        position=state.position.quantity,
        terminal_lost=stops.terminal_lost or any(s.lost for s in watched),
        crashed=bool(app.return_code),
        store_lost=bool(stops.store_lost),
    )
