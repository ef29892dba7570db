"""The gate clock (covered time, gaps, overlaps) and the promotion gates' verdicts."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.gate_clock import NS_PER_DAY, Span, coverage
from core.gates import (
    ConfidenceNote,
    Gate,
    LiveGateThresholds,
    PaperGateThresholds,
    RequirementKind,
    evaluate_live_gate,
    evaluate_paper_gate,
)
from core.stats import INFINITY, Interval, compute_stats

HOUR = 3_600 * 1_000_000_000
D = Decimal


def test_overlapping_runs_count_once_and_gaps_are_listed() -> None:
    clock = coverage(
        [
            Span(20 * HOUR, 30 * HOUR),
            Span(0, 10 * HOUR),
            Span(5 * HOUR, 12 * HOUR),  # overlaps the first run
            Span(30 * HOUR, 31 * HOUR),  # starts the moment the previous one ended
            Span(25 * HOUR, 26 * HOUR),  # inside another run
            Span(40 * HOUR, 39 * HOUR),  # backwards (clock stepped): counts nothing
            Span(50 * HOUR, 50 * HOUR),  # empty
        ]
    )
    assert clock.covered == (Span(0, 12 * HOUR), Span(20 * HOUR, 31 * HOUR))
    assert clock.covered_ns == 23 * HOUR
    assert clock.gaps == (Span(12 * HOUR, 20 * HOUR),)
    assert clock.calendar_span == Span(0, 31 * HOUR)
    assert clock.days == D(23) / D(24)
    assert clock.calendar_days == D(31) / D(24)
    assert clock.covered_within(Span(10 * HOUR, 22 * HOUR)) == 4 * HOUR


def test_no_runs_cover_nothing() -> None:
    clock = coverage([])
    assert clock.covered_ns == 0
    assert clock.gaps == ()
    assert clock.calendar_span is None
    assert clock.calendar_days == D(0)


def paper_stats(wins: int, losses: int, win: str = "45.23", loss: str = "-32.18"):
    from tests.core.test_stats import trip  # noqa: PLC0415 - one builder for both files

    return compute_stats([trip(win)] * wins + [trip(loss)] * losses)


def test_a_session_meeting_everything_is_ready() -> None:
    report = evaluate_paper_gate(paper_stats(189, 158), coverage([Span(0, 61 * NS_PER_DAY)]))
    assert report.gate is Gate.PAPER_TO_LIVE
    assert report.ready
    assert report.missing == ()
    assert [r.kind for r in report.requirements] == [
        RequirementKind.DAYS,
        RequirementKind.WIN_RATE,
        RequirementKind.PROFIT_FACTOR,
        RequirementKind.MIN_TRADES,
    ]
    assert report.requirement(RequirementKind.MIN_TRADES).actual == D(347)


@pytest.mark.parametrize(
    ("days", "wins", "losses", "missing"),
    [
        (D("59.99"), 189, 158, [RequirementKind.DAYS]),
        (D(60), 50, 50, [RequirementKind.WIN_RATE]),  # exactly 50 %: not above it
        (D(60), 98, 1, [RequirementKind.MIN_TRADES]),
        (
            D(60),
            0,
            0,
            [RequirementKind.WIN_RATE, RequirementKind.PROFIT_FACTOR, RequirementKind.MIN_TRADES],
        ),
    ],
)
def test_each_unmet_requirement_is_named(
    days: Decimal, wins: int, losses: int, missing: list[RequirementKind]
) -> None:
    clock = coverage([Span(0, int(days * NS_PER_DAY))])
    report = evaluate_paper_gate(paper_stats(wins, losses, "10", "-5"), clock)
    assert not report.ready
    assert [r.kind for r in report.missing] == missing


def test_a_profit_factor_of_exactly_one_is_not_above_one() -> None:
    stats = paper_stats(120, 80, "10", "-15")  # 1200 / 1200
    report = evaluate_paper_gate(stats, coverage([Span(0, 60 * NS_PER_DAY)]))
    assert stats.profit_factor == D(1)
    assert [r.kind for r in report.missing] == [RequirementKind.PROFIT_FACTOR]


def test_no_losses_meets_the_profit_factor_requirement() -> None:
    stats = paper_stats(150, 0)
    report = evaluate_paper_gate(stats, coverage([Span(0, 60 * NS_PER_DAY)]))
    assert report.requirement(RequirementKind.PROFIT_FACTOR).actual == INFINITY
    assert report.ready


def test_thresholds_come_from_settings() -> None:
    strict = PaperGateThresholds(
        days=D(90), win_rate=D("0.55"), profit_factor=D("1.7"), min_trades=500
    )
    report = evaluate_paper_gate(
        paper_stats(189, 158), coverage([Span(0, 61 * NS_PER_DAY)]), strict
    )
    assert [r.kind for r in report.missing] == list(RequirementKind)[:4]


def test_confidence_sentences_say_when_chance_cannot_be_ruled_out() -> None:
    crossing = ConfidenceNote(RequirementKind.WIN_RATE, Interval(0.481, 0.609), D("0.50"))
    assert crossing.sentence == (
        "Win rate 95% interval 48.1%–60.9% still includes 50%: not yet distinguishable from chance"
    )
    above = ConfidenceNote(RequirementKind.WIN_RATE, Interval(0.512, 0.579), D("0.50"))
    assert above.sentence == "Win rate 95% interval 51.2%–57.9% is above 50%"
    below = ConfidenceNote(RequirementKind.PROFIT_FACTOR, Interval(0.61, 0.93), D(1))
    assert below.sentence == "Profit factor 95% interval 0.61–0.93 is below 1.0"
    pf = ConfidenceNote(RequirementKind.PROFIT_FACTOR, Interval(0.91, 1.42), D("1.0"))
    assert pf.sentence == (
        "Profit factor 95% interval 0.91–1.42 still includes 1.0: "
        "not yet distinguishable from break-even"
    )
    endless = ConfidenceNote(RequirementKind.PROFIT_FACTOR, Interval(2.5, float("inf")), D(1))
    assert endless.sentence == "Profit factor 95% interval 2.50–∞ is above 1.0"


def test_the_paper_gate_carries_both_confidence_notes() -> None:
    report = evaluate_paper_gate(paper_stats(189, 158), coverage([Span(0, 61 * NS_PER_DAY)]))
    kinds = [note.kind for note in report.confidence]
    assert kinds == [RequirementKind.WIN_RATE, RequirementKind.PROFIT_FACTOR]
    win_rate = report.confidence[0]
    assert win_rate.includes_threshold  # 189 of 347 is not yet clear of a coin
    assert win_rate.interval.low == pytest.approx(0.4921, abs=1e-4)


def test_the_live_gate_needs_thirty_days_and_break_even_with_evidence() -> None:
    thirty = coverage([Span(0, 30 * NS_PER_DAY)])
    report = evaluate_live_gate(paper_stats(10, 10, "5", "-5"), thirty)
    assert report.gate is Gate.LIVE_TO_SCALE
    assert report.ready  # exactly break-even is enough
    losing = evaluate_live_gate(paper_stats(10, 11, "5", "-5"), thirty)
    assert [r.kind for r in losing.missing] == [RequirementKind.NET_PNL]
    idle = evaluate_live_gate(paper_stats(0, 0), thirty)
    assert [r.kind for r in idle.missing] == [RequirementKind.NET_PNL]
    short = evaluate_live_gate(
        paper_stats(10, 1, "5", "-5"),
        coverage([Span(0, 29 * NS_PER_DAY)]),
        replace(LiveGateThresholds(), net_pnl=D(0)),
    )
    assert [r.kind for r in short.missing] == [RequirementKind.DAYS]


spans_strategy = st.lists(
    st.tuples(st.integers(0, 200), st.integers(0, 60)).map(lambda t: Span(t[0], t[0] + t[1])),
    max_size=12,
)


@given(spans_strategy)
def test_covered_time_is_the_union_of_the_runs(spans: list[Span]) -> None:
    clock = coverage(spans)
    # brute force on the integer grid: each unit [t, t+1) is covered if some run contains it
    units = {t for s in spans for t in range(s.start_ns, s.end_ns)}
    assert clock.covered_ns == len(units)
    assert coverage(reversed(spans)) == clock
    for a, b in itertools.pairwise(clock.covered):
        assert a.end_ns < b.start_ns  # merged, in order, with a real gap between
    if clock.calendar_span is not None:
        gaps = sum(g.duration_ns for g in clock.gaps)
        assert clock.covered_ns + gaps == clock.calendar_span.duration_ns
