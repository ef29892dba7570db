"""The observer fan-out: the one boundary between the engine and whatever watches it."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from core.engine_state import KillSwitchPhase, KillSwitchStatus
from core.enums import BookState, Mode, SignalAction
from core.events import Fill, RoundTrip, Signal, SignalOutcome
from core.observer import EngineObserver, ObserverFanout
from core.ports import OrderRequest, OrderResult
from tests.core.engine.test_engine import Recorder, bid_delta, make_engine, snapshot


class Diary(EngineObserver):
    """Writes down every hook it hears, by name."""

    def __init__(self, log: list[str], name: str) -> None:
        self._log = log
        self._name = name

    def on_snapshot_loaded(self, product: str, bids: int, asks: int) -> None:
        self._log.append(f"{self._name}.snapshot {product} {bids}/{asks}")

    def on_book_state(self, product: str, state: BookState, reason: str) -> None:
        self._log.append(f"{self._name}.book {state.value}")

    def on_signal(self, signal: Signal) -> None:
        self._log.append(f"{self._name}.signal")

    def on_order(self, request: OrderRequest, result: OrderResult | None) -> None:
        self._log.append(f"{self._name}.order")

    def on_fill(self, fill: Fill) -> None:
        self._log.append(f"{self._name}.fill")

    def on_round_trip(self, round_trip: RoundTrip) -> None:
        self._log.append(f"{self._name}.round_trip")

    def on_kill_switch(self, status: KillSwitchStatus, reason: str) -> None:
        self._log.append(f"{self._name}.kill_switch {status.phase.value} {reason}")

    def on_notice(self, text: str) -> None:
        self._log.append(f"{self._name}.notice {text}")


class ClosedPipePrinter(EngineObserver):
    """A printer whose terminal went away: every hook fails as ``print`` would."""

    def __init__(self) -> None:
        self.calls = 0

    def _write(self) -> None:
        self.calls += 1
        raise BrokenPipeError(32, "Broken pipe")

    def on_signal(self, signal: Signal) -> None:
        self._write()

    def on_notice(self, text: str) -> None:
        self._write()

    def on_kill_switch(self, status: KillSwitchStatus, reason: str) -> None:
        self._write()

    def on_book_state(self, product: str, state: BookState, reason: str) -> None:
        self._write()


def test_every_hook_reaches_every_observer_in_order() -> None:
    heard: list[str] = []
    fanout = ObserverFanout([Diary(heard, "a"), Diary(heard, "b")])
    fanout.on_snapshot_loaded("X", 3, 4)
    fanout.on_book_state("X", BookState.STALE, "quiet")
    fanout.on_kill_switch(KillSwitchStatus(KillSwitchPhase.FLAT, "ok"), "why")
    fanout.on_notice("hello")
    assert heard == [
        "a.snapshot X 3/4",
        "b.snapshot X 3/4",
        "a.book STALE",
        "b.book STALE",
        "a.kill_switch flat why",
        "b.kill_switch flat why",
        "a.notice hello",
        "b.notice hello",
    ]
    assert fanout.detached == ()


def test_an_observers_first_error_is_contained_logged_once_counted_and_it_is_detached(
    caplog: pytest.LogCaptureFixture,
) -> None:
    heard: list[str] = []
    told: list[str] = []
    printer = ClosedPipePrinter()
    fanout = ObserverFanout([printer, Diary(heard, "store")], on_detached=told.append)

    with caplog.at_level(logging.ERROR, logger="core.observer"):
        fanout.on_notice("one")  # raises inside: the caller never sees it
        fanout.on_notice("two")
        fanout.on_kill_switch(KillSwitchStatus(KillSwitchPhase.FLAT, "ok"), "Shutdown: flatten")

    assert printer.calls == 1, "detached after its first error: never called again"
    assert heard == [
        "store.notice one",
        "store.notice two",
        "store.kill_switch flat Shutdown: flatten",
    ], "the others go on hearing everything"
    [line] = fanout.detached
    assert line.startswith("ClosedPipePrinter detached after an error in on_notice")
    assert "BrokenPipeError" in line
    assert told == [line]
    assert [r.getMessage() for r in caplog.records] == [line], "logged once"
    assert caplog.records[0].exc_info is not None, "with its traceback, for the bug report"
    assert len(fanout.observers) == 1


def test_a_listener_that_notices_back_into_the_fanout_does_not_loop() -> None:
    """The engine turns a detach into a notice, which goes out through the same fan-out."""
    heard: list[str] = []
    first, second = ClosedPipePrinter(), ClosedPipePrinter()
    fanouts: list[ObserverFanout] = []

    def notice_back(line: str) -> None:
        fanouts[0].on_notice(line)

    fanout = ObserverFanout([first, second, Diary(heard, "ok")], on_detached=notice_back)
    fanouts.append(fanout)

    fanout.on_notice("start")

    assert first.calls == 1 and second.calls == 1
    assert len(fanout.detached) == 2
    assert heard[-1] == "ok.notice start"
    assert sum(line.startswith("ok.notice ClosedPipePrinter detached") for line in heard) == 2


def test_a_listener_that_fails_is_logged_and_never_reaches_the_caller(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken_listener(line: str) -> None:
        raise RuntimeError("listener bug")

    fanout = ObserverFanout([ClosedPipePrinter()], on_detached=broken_listener)
    with caplog.at_level(logging.ERROR, logger="core.observer"):
        fanout.on_notice("x")
    assert len(fanout.detached) == 1
    assert any("listener failed" in r.getMessage() for r in caplog.records)


async def test_a_printer_on_a_closed_pipe_interrupts_neither_trading_nor_the_kill_switch() -> None:
    """Before the fan-out, the printer's BrokenPipeError escaped from the kill switch's first
    notice: no flatten, and nobody after the printer heard the kill switch's result."""
    results: list[tuple[KillSwitchPhase, str]] = []

    class KillSwitchWitness(EngineObserver):
        def on_kill_switch(self, status: KillSwitchStatus, reason: str) -> None:
            results.append((status.phase, reason))

    printer = ClosedPipePrinter()
    after = Recorder()
    # The printer first, as the headless runner has it.
    engine, _, recorder, _ = make_engine(
        mode=Mode.PAPER, observers=[printer, after, KillSwitchWitness()]
    )
    engine.on_snapshot(snapshot(1, 4.0, 1.0))  # bullish: the printer fails on this signal
    assert engine.ledger.position.quantity > 0, "the decision was still routed and filled"

    status = await engine.flatten_all("Shutdown: flatten")

    assert status.phase is KillSwitchPhase.FLAT
    assert engine.ledger.position.quantity == Decimal(0)
    assert results == [(KillSwitchPhase.FLAT, "Shutdown: flatten")]
    assert [s.action for s in after.signals] == [SignalAction.BUY, SignalAction.CLOSE]
    assert printer.calls == 1
    state = engine.state()
    assert state.counters.observers_detached == 1
    assert any(n.startswith("ClosedPipePrinter detached") for n in state.notices)
    engine.on_delta(bid_delta(2, 43_500.0, 9.0))
    assert recorder.signals[-1].outcome is SignalOutcome.BLOCKED, "the engine goes on deciding"
