"""The console's pure parts: mode badges, the feed rate meter, number formats, bars, layout."""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.content import Content

from console.app import format as fmt
from console.app.modes import (
    DRY_RUN,
    LIVE_DEMO,
    LIVE_REAL_MONEY,
    LIVE_SIM,
    PAPER,
    badge,
    live_refusal,
    mode_after_live,
)
from console.app.rates import FrameRate
from console.app.replay import replay_options
from console.app.screens.latency import duration, histogram_text
from console.app.widgets.imbalance import GaugeFacts, ImbalancePane
from console.app.widgets.order_book import bar
from console.app.widgets.pane import fit, pack
from console.app.widgets.position import PositionFacts, PositionPane
from console.totals import Totals
from core.enums import Mode
from core.latency import ORDER_TO_ACK, TICK_TO_DECISION, LatencyHistogram
from core.strategy import StrategyParams


@pytest.mark.parametrize(
    ("mode", "changes", "expected"),
    [
        (Mode.DRY_RUN, {}, DRY_RUN),
        (Mode.PAPER, {}, PAPER),
        (Mode.LIVE, {}, LIVE_SIM),
        # Kraken has no demo any more (retired 14 July 2026): started live or not, real money
        (Mode.LIVE, {"broker": "kraken", "mode": Mode.LIVE}, LIVE_REAL_MONEY),
        (Mode.LIVE, {"broker": "kraken"}, LIVE_REAL_MONEY),
        (Mode.LIVE, {"broker": "binance_us"}, LIVE_REAL_MONEY),
    ],
)
def test_each_mode_has_its_own_unmistakable_badge(mode, changes, expected) -> None:  # type: ignore[no-untyped-def]
    options = replay_options(changes.pop("mode", Mode.DRY_RUN), **changes)
    assert badge(mode, options) == expected


D = Decimal


def test_badges_differ_in_words_and_colour() -> None:
    badges = [DRY_RUN, PAPER, LIVE_SIM, LIVE_DEMO, LIVE_REAL_MONEY]
    assert len({b.label for b in badges}) == len({b.css for b in badges}) == 5


def test_real_money_needs_the_flag_before_even_asking() -> None:
    assert live_refusal(replay_options(Mode.DRY_RUN)) is None
    refusal = live_refusal(replay_options(Mode.PAPER, broker="binance_us"))
    assert refusal is not None and "--i-understand-this-is-real-money" in refusal
    acked = replay_options(Mode.PAPER, broker="binance_us", real_money_ack=True)
    assert live_refusal(acked) is None


def test_d_from_live_goes_back_to_the_mode_the_run_started_in() -> None:
    assert mode_after_live(replay_options(Mode.PAPER)) is Mode.PAPER
    assert mode_after_live(replay_options(Mode.LIVE)) is Mode.DRY_RUN


def test_frame_rate_is_the_average_until_a_second_passed_then_the_last_second() -> None:
    rate = FrameRate(started_wall_ns=0)
    assert rate.sample(500_000_000, 100) == pytest.approx(200)
    rate.sample(1_000_000_000, 200)
    rate.sample(1_500_000_000, 1200)  # a burst in the last half second
    assert rate.sample(2_000_000_000, 1300) == pytest.approx(1100)
    assert rate.sample(2_000_000_000, 1300) == pytest.approx(1100)  # no time passed: unchanged


@pytest.mark.parametrize(
    ("ns", "text"),
    [(0, "<1µs"), (999, "<1µs"), (42_300, "42µs"), (1_250_000, "1.25ms"), (310_000_000, "310ms")],
)
def test_latency_reads_in_the_right_unit(ns: int, text: str) -> None:
    assert fmt.latency(ns) == text


def test_money_signs_and_every_decimal_it_has() -> None:
    assert fmt.money(Decimal("1234.567")) == "$1,234.567"
    assert fmt.money(Decimal("-32.18")) == "-$32.18"
    assert fmt.money(Decimal("4.1"), signed=True) == "+$4.10"
    assert fmt.money(Decimal(0), signed=True) == "$0.00"
    assert fmt.money(Decimal("-0.001"), signed=True) == "-$0.001"


def test_bars_scale_in_eighths_and_never_overflow() -> None:
    assert bar(1.0, 4) == "████"
    assert bar(0.5, 4) == "██"
    assert bar(0.5, 1) == "▌"
    assert bar(1 / 8, 1) == "▏"
    assert bar(2.0, 3) == "███"
    assert bar(0.0, 5) == ""


def test_gauge_is_symmetric_around_balanced_with_thresholds_inside() -> None:
    pane = ImbalancePane(strategy=StrategyParams(entry_ratio=3.0))
    width = 41
    centre = pane.position(1.0, width)
    assert centre == 20
    assert pane.position(3.0, width) - centre == centre - pane.position(1 / 3, width)
    assert pane.position(float("inf"), width) == width - 1
    assert pane.position(0.0, width) == 0
    assert pane.position(1000.0, width) == width - 1


def test_a_signed_signal_sits_linearly_around_zero_and_the_gauge_names_it() -> None:
    pane = ImbalancePane(strategy=StrategyParams(signal="microprice", signal_entry=0.05))
    width = 41
    centre = pane.position(0.0, width)
    assert centre == 20
    assert pane.position(0.05, width) - centre == centre - pane.position(-0.05, width) == 10
    assert pane.position(-1.0, width) == 0 and pane.position(float("-inf"), width) == 0
    assert pane.position(float("nan"), width) == centre
    facts = GaugeFacts(0.03, (), live=True)
    assert pane.title(facts) == "Imbalance · microprice +0.03 bps"
    scale = pane.draw(facts, width, 2)[1].plain
    assert "SELL ≤-0.05 bps" in scale and "≥0.05 bps BUY" in scale and " 0 " in scale


def test_fit_and_pack_keep_lines_within_the_width() -> None:
    assert fit("abcdef", 4) == "abc…"
    assert fit("abc", 4) == "abc"
    chunks = [Content("aaaa"), Content("bbbb"), Content("cccc")]
    lines = pack(chunks, 10)
    assert [line.plain for line in lines] == ["aaaa  bbbb", "cccc"]
    assert all(line.cell_length <= 10 for line in lines)


@pytest.mark.parametrize(
    ("ns", "text"),
    [(512, "512ns"), (8_192, "8.2µs"), (65_536, "66µs"), (1_048_576, "1.0ms"), (2.1e9, "2.1s")],
)
def test_histogram_bounds_read_in_three_digits(ns: float, text: str) -> None:
    assert duration(ns) == text


def test_a_latency_histogram_has_a_bar_per_octave_scaled_to_the_tallest() -> None:
    histogram = LatencyHistogram()
    for ns, times in ((5_000, 100), (20_000, 50), (70_000, 1)):
        for _ in range(times):
            histogram.record(ns)
    summary, *rows = histogram_text(TICK_TO_DECISION, histogram.snapshot(), bar_width=20).split(
        "\n"
    )
    assert summary.startswith("[b]tick → decision[/b]  151 updates  p50 ")
    assert [row.split()[1] for row in rows] == ["8.2µs", "16µs", "33µs", "66µs", "131µs"]
    bars = {row.split()[1]: row.split()[2:] for row in rows}
    assert bars["8.2µs"] == ["█" * 20, "100"]
    assert bars["33µs"] == ["█" * 10, "50"]
    assert bars["16µs"] == [] and bars["66µs"] == []  # empty octaves keep their place
    assert bars["131µs"] == ["▏", "1"]  # one sample still shows


def test_an_empty_histogram_says_so() -> None:
    assert histogram_text(ORDER_TO_ACK, LatencyHistogram().snapshot()).endswith(
        "no live orders yet"
    )


def test_a_resumed_session_shows_this_run_and_the_session_apart_and_each_adds_up() -> None:
    pane = PositionPane(price_decimals=1)
    run, session = Totals(2, D("-0.0264"), D("0.0957")), Totals(87, D("9.49185"), D("8.2557"))
    held = PositionFacts(D("-0.0022"), D("43513.5"), D("43519.5"), D("-0.0132"), run, session)
    assert [line.plain for line in pane.draw(held, 40, 4)] == [
        "SHORT 0.0022 @ 43,513.5  mark 43,519.5",
        "unrealized -$0.0132",
        "this run  2 round trips  net -$0.1221",
        "session  87 round trips  net +$1.23615",
    ]
    wide = [line.plain for line in pane.draw(held, 80, 4)]
    assert wide[1] == "this run  2 round trips  realized -$0.0264  fees $0.0957  net -$0.1221"
    alone = PositionFacts(D(0), D(0), None, D(0), run, None)  # no earlier run: one set
    assert [line.plain for line in pane.draw(alone, 40, 3)] == [
        "FLAT no open position  realized -$0.0264",
        "fees $0.0957  net -$0.1221",
        "2 round trips",
    ]
