"""The replay progress bar: on a terminal only, after a moment, and erased before other output."""

from __future__ import annotations

import io

import pytest

from console.replay import progress
from console.replay.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [100.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: now[0])
    return now


def test_nothing_is_drawn_when_stderr_is_not_a_terminal(clock: list[float]) -> None:
    out = io.StringIO()
    bar = ProgressBar(stream=out)
    clock[0] += 5
    bar(50, 100, 1000)
    bar.close()
    assert out.getvalue() == ""


def test_a_short_replay_finishes_before_the_bar_appears(clock: list[float]) -> None:
    out = Terminal()
    bar = ProgressBar(stream=out)
    clock[0] += 0.2
    bar(100, 100, 500)
    bar.close()
    assert out.getvalue() == ""


def test_a_long_replay_shows_share_frames_and_rate_then_erases_it(clock: list[float]) -> None:
    out = Terminal()
    bar = ProgressBar(stream=out)
    clock[0] += 2.0
    bar(25, 100, 200_000)
    drawn = out.getvalue()
    assert drawn.startswith("\rREPLAY  25% [")
    assert "200,000 frames (100,000/s)" in drawn
    bar.close()
    assert out.getvalue().endswith("\r")
    clock[0] += 0.01
    bar(30, 100, 210_000)  # redraws are throttled
    assert out.getvalue().count("REPLAY") == 1
