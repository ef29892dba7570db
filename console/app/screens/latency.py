"""``l``: the run's latency histograms, tick → decision, decision → order, order → ack."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from core.latency import DECISION_TO_ORDER, ORDER_TO_ACK, TICK_TO_DECISION, LatencySnapshot

REFRESH_S = 1.0
BAR_WIDTH = 40
TITLES = {
    TICK_TO_DECISION: ("tick → decision", "updates"),
    DECISION_TO_ORDER: ("decision → order", "orders"),
    ORDER_TO_ACK: ("order → venue ack", "live orders"),
}

HistogramSource = Callable[[], Mapping[str, LatencySnapshot]]


def duration(ns: float) -> str:
    """``512ns``, ``8.2µs``, ``66µs``, ``1.0ms``, ``262ms``, ``2.1s``: three digits at most."""
    for unit, scale in (("ns", 1.0), ("µs", 1e3), ("ms", 1e6)):
        value = ns / scale
        if value < 999.5:
            return f"{value:.1f}{unit}" if value < 9.95 and unit != "ns" else f"{value:.0f}{unit}"
    return f"{ns / 1e9:.1f}s"


def histogram_text(name: str, snapshot: LatencySnapshot, *, bar_width: int = BAR_WIDTH) -> str:
    """One histogram as console markup: a summary line, then a bar per power of two."""
    title, samples = TITLES.get(name, (name, "samples"))
    if not snapshot.count:
        return f"[b]{title}[/b]  no {samples} yet"
    s = snapshot.summary()
    lines = [
        f"[b]{title}[/b]  {s.count:,} {samples}  p50 {duration(s.p50_ns)}"
        f"  p99 {duration(s.p99_ns)}  p99.9 {duration(s.p999_ns)}  max {duration(s.max_ns)}"
    ]
    octaves = snapshot.octaves()
    tallest = max(n for _, n in octaves)
    for upper_ns, n in octaves:
        bar = "█" * (round(n / tallest * bar_width) if n else 0)
        if n and not bar:
            bar = "▏"  # present, but too few to reach one cell
        lines.append(
            f"  < {duration(upper_ns + 1):>6} {bar} {n:,}"
            if n
            else f"  < {duration(upper_ns + 1):>6}"
        )
    return "\n".join(lines)


def histograms_text(histograms: Mapping[str, LatencySnapshot]) -> str:
    return "\n\n".join(histogram_text(name, snap) for name, snap in histograms.items())


class LatencyScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,l", "dismiss", "Close")]

    def __init__(self, read: HistogramSource) -> None:
        super().__init__()
        self._read = read
        self._body = Static(id="latency-body")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="latency"):
            yield Static("[b]Latency, this run[/b]  (l or esc closes)")
            yield self._body

    def on_mount(self) -> None:
        self.show_latest()
        self.set_interval(REFRESH_S, self.show_latest, name="latency refresh")

    def show_latest(self) -> None:
        self._body.update(histograms_text(self._read()))
