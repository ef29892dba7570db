"""The benchmark's results: one JSON object (keys documented in the README), or a table."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from typing import Any

from console.bench.live import LiveResult
from console.bench.pipeline import PipelineResult
from console.bench.replay import REPLAY_RATIO_TARGET, ReplayBenchResult
from console.bench.sweep import SWEEP_RATIO_TARGET, SweepBenchResult
from core.latency import LatencySummary
from core.signals import signal_info

PIPELINE_RATIO_TARGET = 4.0
UNIFIED_TO_V1_TARGET = 1.5  # issue 16: the checksum on every message costs at most 50 % over v1
HEADLESS_P99_TARGET_US = 100.0
UI_P99_TARGET_US = 5_000.0
UI_REDRAWS_TARGET = 10.0
RSS_PEAK_TARGET_MB = 150.0
RSS_GROWTH_TARGET_PCT = 10.0


@dataclass(frozen=True, slots=True)
class UiResult:
    """Part 3: tick→decision with the console drawing, and how often it actually drew."""

    live: LiveResult
    redraws_per_s: float
    loop_lag: LatencySummary  # how late a 1 ms timer fired while the console drew


@dataclass(frozen=True, slots=True)
class MemoryResult:
    peak_mb: float
    growth_pct: float | None  # None when there were too few samples (or no /proc)
    seconds: float  # the window the growth was measured over
    start_mb: float | None = None  # RSS when the window opened (after the warm-up)
    end_mb: float | None = None


@dataclass(frozen=True, slots=True)
class BenchReport:
    pipeline: PipelineResult | None = None
    # Kraken Unified frames of the same market changes, measured in turns with ``pipeline``
    pipeline_unified: PipelineResult | None = None
    pipeline_source: str = ""
    replay: ReplayBenchResult | None = None  # the pipeline's frames, replayed at --speed max
    headless: LiveResult | None = None
    ui: UiResult | None = None
    ui_unavailable: str = ""  # why part 3 could not run, when it was asked for
    memory: MemoryResult | None = None
    # Nanoseconds each signal adds per book update (core/signals/bench.py), with the pipeline.
    signal_costs: dict[str, float] | None = None
    active_signal: str = ""
    sweep: SweepBenchResult | None = None

    def to_json(self) -> dict[str, Any]:
        p, h, u, m = self.pipeline, self.headless, self.ui, self.memory
        r = self.replay
        return {
            "frames": p.frames if p else None,
            "pipeline": {
                "ns_per_frame": _round(p.ns_per_frame if p else None),
                "frames_per_s": _round(p.frames_per_s if p else None),
                "orjson_ns_per_frame": _round(p.orjson_ns_per_frame if p else None),
                "ratio": _round(p.ratio if p else None, 2),
                "source": self.pipeline_source or None,
                "decisions": p.decisions if p else None,
                "resyncs": p.resyncs if p else None,
                "dropped": p.dropped if p else None,
                "signal": self.active_signal or None,
                "level_changes_per_frame": _round(p.level_changes_per_frame if p else None, 3),
            },
            "pipeline_unified": _unified_json(p, self.pipeline_unified),
            "replay": {
                "ns_per_frame": _round(r.ns_per_frame if r else None),
                "frames_per_s": _round(r.frames_per_s if r else None),
                "ratio_to_pipeline": _round(_replay_ratio(p, r), 2),
                "signals": r.signals if r else None,
            },
            "signals_ns_per_update": (
                {name: _round(ns) for name, ns in self.signal_costs.items()}
                if self.signal_costs is not None
                else None
            ),
            "latency_headless_us": {
                **_percentiles_us(h.latency if h else None, ("p50", "p99", "p999", "max")),
                **_run_facts(h),
            },
            "latency_ui_us": {
                **_percentiles_us(u.live.latency if u else None, ("p50", "p99", "max")),
                **_run_facts(u.live if u else None),
            },
            "ui_redraws_per_s": _round(u.redraws_per_s if u else None, 1),
            "ui_loop_lag_us": _percentiles_us(u.loop_lag if u else None, ("p50", "p99", "max")),
            "rss_mb": {
                "peak": _round(m.peak_mb if m else None, 1),
                "growth_pct": _round(m.growth_pct if m else None, 2),
                "start": _round(m.start_mb if m else None, 1),
                "end": _round(m.end_mb if m else None, 1),
                "seconds": _round(m.seconds if m else None, 1),
            },
            "sweep": _sweep_json(self.sweep),
            "machine": {
                "cpus": os.cpu_count(),
                "python": f"{platform.python_implementation()} {platform.python_version()}",
                "platform": platform.platform(terse=True),
            },
        }

    def table(self) -> str:
        lines = [
            f"l2console bench: {os.cpu_count()} CPUs, "
            f"{platform.python_implementation()} {platform.python_version()}",
        ]
        if self.pipeline is not None:
            lines += _pipeline_lines(self.pipeline, self.pipeline_source)
            if self.replay is not None:
                lines += _replay_lines(self.pipeline, self.replay)
            if self.pipeline_unified is not None:
                lines += _unified_lines(self.pipeline, self.pipeline_unified)
        if self.signal_costs is not None:
            lines += _signal_lines(self.signal_costs, self.active_signal)
        if self.headless is not None:
            lines += _latency_lines(
                "Tick → decision, headless", self.headless, HEADLESS_P99_TARGET_US
            )
        if self.ui is not None:
            lines += _latency_lines(
                "Tick → decision, console drawing", self.ui.live, UI_P99_TARGET_US
            )
            ok = self.ui.redraws_per_s >= UI_REDRAWS_TARGET
            lag = self.ui.loop_lag
            lines += [
                _row(
                    "console redraws",
                    f"{self.ui.redraws_per_s:.1f}/s",
                    f"target ≥ {UI_REDRAWS_TARGET:g}/s",
                    ok,
                ),
                _row(
                    "loop held p99 / max",
                    f"{lag.p99_ns / 1e3:,.0f} / {lag.max_ns / 1e3:,.0f} µs (frames wait unread)",
                ),
            ]
        elif self.ui_unavailable:
            lines += [
                "",
                "Tick → decision, console drawing",
                f"  not measured: {self.ui_unavailable}",
            ]
        if self.memory is not None:
            lines += _memory_lines(self.memory)
        if self.sweep is not None:
            lines += _sweep_lines(self.sweep)
        return "\n".join(lines)


def _round(value: float | None, digits: int = 0) -> float | None:
    if value is None:
        return None
    return round(value, digits) if digits else float(round(value))


def _percentiles_us(summary: LatencySummary | None, keys: tuple[str, ...]) -> dict[str, Any]:
    fields = {"p50": "p50_ns", "p99": "p99_ns", "p999": "p999_ns", "max": "max_ns"}
    if summary is None or not summary.count:
        return dict.fromkeys(keys)
    return {key: round(getattr(summary, fields[key]) / 1e3, 1) for key in keys}


def _run_facts(live: LiveResult | None) -> dict[str, Any]:
    if live is None:
        return {"rate_hz": None, "seconds": None, "updates": None}
    return {
        "rate_hz": live.rate_hz,
        "seconds": round(live.seconds, 1),
        "updates": live.latency.count,
    }


def _row(label: str, value: str, target: str = "", ok: bool | None = None) -> str:
    verdict = "" if ok is None else ("MET" if ok else "MISSED")
    return f"  {label:<20} {value:<38} {target:<22} {verdict}".rstrip()


def _pipeline_lines(p: PipelineResult, source: str) -> list[str]:
    return [
        "",
        f"Pipeline: parse → book → imbalance → strategy → risk ({p.frames:,} frames, {source})",
        _row("per frame", f"{p.ns_per_frame / 1e3:.2f} µs   {p.frames_per_s:,.0f} frames/s"),
        _row("bare orjson.loads", f"{p.orjson_ns_per_frame / 1e3:.2f} µs"),
        _row(
            "ratio",
            f"{p.ratio:.2f}×",
            f"target ≤ {PIPELINE_RATIO_TARGET:g}×",
            p.ratio <= PIPELINE_RATIO_TARGET,
        ),
    ]


def _to_v1(v1: PipelineResult | None, u: PipelineResult | None) -> tuple[float, float] | None:
    """Unified over v1: per frame, and per level change."""
    if v1 is None or u is None or not v1.ns_per_frame or not v1.ns_per_level_change:
        return None
    return u.ns_per_frame / v1.ns_per_frame, u.ns_per_level_change / v1.ns_per_level_change


def _unified_json(v1: PipelineResult | None, u: PipelineResult | None) -> dict[str, Any]:
    ratios = _to_v1(v1, u)
    return {
        "frames": u.frames if u else None,
        "ns_per_frame": _round(u.ns_per_frame if u else None),
        "frames_per_s": _round(u.frames_per_s if u else None),
        "orjson_ns_per_frame": _round(u.orjson_ns_per_frame if u else None),
        "ratio": _round(u.ratio if u else None, 2),
        "level_changes_per_frame": _round(u.level_changes_per_frame if u else None, 3),
        "ratio_to_v1": _round(ratios[0] if ratios else None, 2),
        "ratio_to_v1_per_level_change": _round(ratios[1] if ratios else None, 2),
        "decisions": u.decisions if u else None,
        "resyncs": u.resyncs if u else None,
        "dropped": u.dropped if u else None,
    }


def _unified_lines(v1: PipelineResult, u: PipelineResult) -> list[str]:
    per_frame, per_level = _to_v1(v1, u) or (0.0, 0.0)
    return [
        "",
        f"Kraken Unified pipeline, checksum verified on every message ({u.frames:,} frames, "
        "synthetic:",
        "  the same market changes, one book message per change that reaches depth 25)",
        _row(
            "a frame is",
            f"Unified: 1 book message, {u.level_changes_per_frame:.2f} level changes; "
            f"v1: 1 delta, {v1.level_changes_per_frame:.2f}",
        ),
        _row("per frame", f"{u.ns_per_frame / 1e3:.2f} µs   {u.frames_per_s:,.0f} frames/s"),
        _row("bare orjson.loads", f"{u.orjson_ns_per_frame / 1e3:.2f} µs   ratio {u.ratio:.2f}×"),
        _row(
            "Unified / v1",
            f"{per_frame:.2f}× per frame ({per_level:.2f}× per level)",
            f"target ≤ {UNIFIED_TO_V1_TARGET:g}×",
            per_frame <= UNIFIED_TO_V1_TARGET,
        ),
    ]


def _replay_ratio(p: PipelineResult | None, r: ReplayBenchResult | None) -> float | None:
    if p is None or r is None or not p.ns_per_frame:
        return None
    return r.ns_per_frame / p.ns_per_frame


def _replay_lines(p: PipelineResult, r: ReplayBenchResult) -> list[str]:
    ratio = _replay_ratio(p, r) or 0.0
    return [
        _row(
            "replay --speed max",
            f"{r.ns_per_frame / 1e3:.2f} µs   {r.frames_per_s:,.0f} frames/s (same frames)",
        ),
        _row(
            "replay / pipeline",
            f"{ratio:.2f}×",
            f"target ≤ {REPLAY_RATIO_TARGET:g}×",
            ratio <= REPLAY_RATIO_TARGET,
        ),
    ]


def _signal_lines(costs: dict[str, float], active: str) -> list[str]:
    lines = ["", "Signals: cost per book update, beyond the book's own (synthetic book)"]
    for name, ns in costs.items():
        trading = "  ← trading" if name == active else ""
        lines.append(_row(name, f"{ns:>6,.0f} ns  {signal_info(name).title}{trading}"))
    return lines


def _latency_lines(title: str, live: LiveResult, p99_target_us: float) -> list[str]:
    s = live.latency
    if not s.count:
        return ["", title, "  no book update reached the strategy"]

    def us(ns: int) -> str:
        return f"{ns / 1e3:,.1f}"

    achieved = live.frames / live.seconds if live.seconds else 0.0
    return [
        "",
        f"{title} (sim at {live.rate_hz:,.0f} frames/s, got {achieved:,.0f}/s over "
        f"{live.seconds:.0f} s, {s.count:,} decisions)",
        _row("p50 / p99 / p99.9", f"{us(s.p50_ns)} / {us(s.p99_ns)} / {us(s.p999_ns)} µs"),
        _row(
            "p99",
            f"{us(s.p99_ns)} µs",
            f"target ≤ {p99_target_us:,.0f} µs",
            s.p99_ns / 1e3 <= p99_target_us,
        ),
        _row("max", f"{us(s.max_ns)} µs"),
    ]


def _memory_lines(m: MemoryResult) -> list[str]:
    growth = "-"
    if m.growth_pct is not None:
        growth = (
            f"{m.growth_pct:+.1f} % over {m.seconds:.0f} s ({m.start_mb:.1f} → {m.end_mb:.1f} MB)"
        )
    return [
        "",
        "Memory",
        _row(
            "peak RSS",
            f"{m.peak_mb:.1f} MB",
            f"target < {RSS_PEAK_TARGET_MB:g} MB",
            m.peak_mb < RSS_PEAK_TARGET_MB,
        ),
        _row(
            "RSS growth",
            growth,
            f"target ±{RSS_GROWTH_TARGET_PCT:g} % (1 h)",
            None if m.growth_pct is None else abs(m.growth_pct) <= RSS_GROWTH_TARGET_PCT,
        ),
    ]


def _sweep_json(s: SweepBenchResult | None) -> dict[str, Any]:
    return {
        "frames": s.frames if s else None,
        "combinations": s.combinations if s else None,
        "one_replay_s": _round(s.one_replay_s if s else None, 3),
        "sweep_s": _round(s.sweep_s if s else None, 3),
        "ratio": _round(s.ratio if s else None, 2),
        "round_trips": s.round_trips if s else None,
        "source": s.source if s else None,
    }


def _sweep_lines(s: SweepBenchResult) -> list[str]:
    return [
        "",
        f"Sweep: {s.combinations} combinations on one shared pass ({s.frames:,} frames, "
        f"{s.source}; CPU time, best run)",
        _row("one replay", f"{s.one_replay_s:.3f} s"),
        _row(f"{s.combinations} combinations", f"{s.sweep_s:.3f} s ({s.round_trips:,} trades)"),
        _row(
            "ratio",
            f"{s.ratio:.2f}×",
            f"target ≤ {SWEEP_RATIO_TARGET:g}×",
            s.ratio <= SWEEP_RATIO_TARGET,
        ),
    ]
