"""The run summary shows the order path's latency beside tick→decision."""

from __future__ import annotations

import io

from console.headless import HeadlessPrinter, order_latency_text
from core.enums import Mode
from core.latency import LatencyHistogram
from tests.core.engine.test_engine import XBT, make_engine, snapshot


def test_order_latency_reads_avg_p95_max_and_how_many_orders() -> None:
    histogram = LatencyHistogram()
    for ns in (30_000, 40_000, 50_000):
        histogram.record(ns)
    text = order_latency_text(histogram.snapshot(), "no orders")
    assert text.startswith("avg 0.040ms | p95 0.050ms | max 0.050ms")
    assert text.endswith("(3 orders)")
    assert order_latency_text(LatencyHistogram().snapshot(), "no live orders") == "no live orders"


async def test_the_summary_has_a_line_for_each_order_latency() -> None:
    engine, _, _, _ = make_engine(mode=Mode.PAPER)
    engine.on_snapshot(snapshot(1, 4.0, 1.0))  # one paper order
    out = io.StringIO()
    HeadlessPrinter(out, XBT).summary(engine.state(), mode="PAPER", elapsed_s=1.0, flatten=None)
    lines = out.getvalue().splitlines()
    assert "Decision→Order Latency: avg 0.000ms | p95 0.000ms | max 0.000ms (1 order)" in lines
    assert "Order→Ack Latency: no live orders" in lines
    # the guide's own latency lines stay where they were, word for word
    assert lines.index("Order→Ack Latency: no live orders") > lines.index("Max Latency: 0.000ms")
