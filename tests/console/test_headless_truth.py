"""Small lies the run's lines no longer tell (issue 15 §7)."""

from __future__ import annotations

import io
from decimal import Decimal

from console.headless import HeadlessPrinter, latency_verdict
from core.enums import Mode
from core.latency import LatencyHistogram
from tests.core.engine.test_engine import XBT, make_engine, snapshot


def printed(engine_state_lines: io.StringIO) -> list[str]:
    return engine_state_lines.getvalue().splitlines()


async def test_a_state_line_on_a_book_that_is_not_live_says_so_instead_of_old_numbers() -> None:
    engine, _, _, _ = make_engine()
    out = io.StringIO()
    printer = HeadlessPrinter(out, XBT)
    printer.state(engine.state())  # no snapshot yet: the book is not LIVE
    [line] = printed(out)
    state = engine.book.state.value
    assert f"Imbalance: {state} | Mid: {state} | Spread: - bps" in line
    engine.on_snapshot(snapshot(1, 1.0, 1.0))
    printer.state(engine.state())
    assert "Imbalance: 1.00 | Mid: 43500.2" in printed(out)[1]


def test_the_latency_verdict_without_samples_is_no_samples_not_missed() -> None:
    verdict = latency_verdict(LatencyHistogram().snapshot().summary())
    assert "no samples" in verdict
    assert "MISSED" not in verdict and "MET" not in verdict


async def test_a_kill_switch_close_reads_market_until_its_fill_price_is_known() -> None:
    out = io.StringIO()
    engine, _, recorder, _ = make_engine(mode=Mode.PAPER, observers=[HeadlessPrinter(out, XBT)])
    engine.on_snapshot(snapshot(1, 4.0, 1.0))  # a paper entry
    assert engine.ledger.position.quantity > 0
    await engine.flatten_all("Kill switch: flatten all (test)")
    close = recorder.signals[-1]
    lines = printed(out)
    [signal_line] = [line for line in lines if line.startswith(f"SIGNAL #{close.number}: CLOSE")]
    assert "| Price: market |" in signal_line
    assert "Price: 0" not in out.getvalue()
    filled = [line for line in lines if f"close #{close.number} SELL filled: 0.0022 at" in line]
    assert filled, lines
    shown = next(s for s in engine.state().recent_signals if s.number == close.number)
    assert shown.price == Decimal("43500.0")  # the fill's price on the screen's signal list


async def test_a_partly_filled_entry_is_announced_with_the_size_it_got() -> None:
    out = io.StringIO()
    engine, _, _, _ = make_engine(mode=Mode.PAPER, observers=[HeadlessPrinter(out, XBT)])
    engine.on_snapshot(snapshot(1, 0.0004, 0.0001))  # 20 asks of 0.0001: 0.0020 of 0.0022
    assert engine.ledger.position.quantity == Decimal("0.0020")
    notice = [line for line in printed(out) if "partly filled" in line]
    assert notice == [
        "NOTICE | entry #1 BUY partly filled: 0.0020 of 0.0022 at 43505.2 (the rest was not filled)"
    ], printed(out)
