"""The replay player: stepping frame by frame decides exactly what a full-speed replay decides."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from console.replay import runner
from console.replay.overrides import apply_overrides, parse_assignment
from console.replay.runner import ReplayPlayer, replay
from console.settings import Settings
from tests.console.conftest import BUSY

pytestmark = pytest.mark.usefixtures("no_ambient_settings")


def busy() -> Settings:
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    return apply_overrides(base, [parse_assignment(p) for p in BUSY], "kraken_futures")


async def test_stepping_one_frame_at_a_time_gives_the_full_speed_result(
    sim_recording: Path,
) -> None:
    whole = await replay(sim_recording, busy())
    player = ReplayPlayer(sim_recording, busy())
    while player.step(1):
        pass
    stepped = await player.finish()
    assert player.done
    assert stepped.frames == whole.frames
    assert stepped.signals == whole.signals
    assert stepped.round_trips == whole.round_trips
    assert stepped.bands == whole.bands


async def test_step_to_signal_stops_on_the_frame_of_the_next_decision(
    sim_recording: Path,
) -> None:
    whole = await replay(sim_recording, busy())
    player = ReplayPlayer(sim_recording, busy())
    first, second = whole.signals[0], whole.signals[1]
    player.step_to_signal()
    assert player.frames == first.frame + 1
    assert player.engine.state().signals_total == 1
    player.step_to_signal()
    assert player.frames == second.frame + 1
    await player.play()  # and the rest at full speed
    assert (await player.finish()).signals == whole.signals


async def test_paced_play_waits_for_recorded_time_divided_by_speed(
    sim_recording: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [50.0]
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(runner.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(runner.asyncio, "sleep", fake_sleep)
    player = ReplayPlayer(sim_recording, busy())
    player.step(3)  # start in the middle: the pace is measured from the first paced frame
    start_mono = player.clock.mono_ns()
    await player.play(speed=10.0)
    played_ns = player.clock.mono_ns() - start_mono
    assert sum(waits) == pytest.approx(played_ns / 1e9 / 10, rel=1e-6)


def test_a_player_runs_outside_a_loop_until_it_must_flatten(sim_recording: Path) -> None:
    player = ReplayPlayer(sim_recording, busy())
    assert player.step(100) == 100
    result = asyncio.run(player.finish(flatten=False))
    assert result.frames == 100
