"""A sweep's shared pass: one decode, one book, each signal once — and every combination's
signals, fills, round trips and fill bands exactly (Decimal) those of replaying it alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from brokers.recording import RecordingWriter
from brokers.recording.sources import open_recording
from console.replay.overrides import apply_overrides, parse_assignment
from console.replay.result import ReplayResult
from console.replay.runner import replay
from console.replay.shared_pass import SharedPass, market_key, replay_shared
from console.replay.sweep import combinations, parse_grid, run_sweep
from console.settings import Settings
from tests.console.conftest import BUSY
from tests.console.sim_recording import sim_header

pytestmark = pytest.mark.usefixtures("no_ambient_settings")
VENUE = "kraken_futures"


def busy_base(*extra: str) -> Settings:
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    return apply_overrides(base, [parse_assignment(p) for p in (*BUSY, *extra)], VENUE)


def trading_outcome(result: ReplayResult) -> tuple[object, ...]:
    """Everything a replay decided and booked (not the market counters: the leader keeps those)."""
    return (
        result.signals,
        result.fills,
        result.round_trips,
        result.bands,
        result.default_band,
        result.flatten,
        result.frames,
        result.first_wall_ns,
        result.last_wall_ns,
        result.state.position,
        result.state.realized_pnl,
    )


@pytest.mark.parametrize(
    ("extra", "grid"),
    [
        ((), ["entry_ratio=1.6,2.2", "take_profit=0.004,0.02", "cooldown=0.15,1"]),
        (("signal=ofi",), ["signal_entry=0.3,0.6", "signal_exit=0.1,0.3", "stop_loss=0.002,0.004"]),
    ],
    ids=["ratio", "ofi-flow-state"],
)
def test_each_combination_on_the_shared_pass_is_exactly_its_solo_replay(
    sim_recording: Path, extra: tuple[str, ...], grid: list[str]
) -> None:
    base = busy_base(*extra)
    settings = [apply_overrides(base, c, VENUE) for c in combinations(parse_grid(grid, VENUE))]
    shared = asyncio.run(replay_shared(sim_recording, settings))
    solo = [asyncio.run(replay(sim_recording, s)) for s in settings]
    assert len(shared) == len(solo) == len(settings)
    trades = [len(r.round_trips) for r in solo]
    assert sum(trades) > 0 and len(set(trades)) > 1, "the grid must change the trading"
    for alone, together in zip(solo, shared, strict=True):
        assert trading_outcome(together) == trading_outcome(alone)


def test_a_grid_over_the_book_depth_makes_one_pass_per_depth(sim_recording: Path) -> None:
    grid = parse_grid(["depth=5,10", "entry_ratio=1.6,2.2"], VENUE)
    settings = [apply_overrides(busy_base(), c, VENUE) for c in combinations(grid)]
    assert len({market_key(s) for s in settings}) == 2
    with pytest.raises(ValueError, match="one market key"):
        SharedPass(sim_recording, settings)
    result = run_sweep(sim_recording, busy_base(), grid, VENUE, workers=1)
    for row, s in zip(result.rows, settings, strict=True):
        alone = asyncio.run(replay(sim_recording, s))
        assert row.in_sample.stats.trades + row.out_of_sample.stats.trades == len(alone.round_trips)


def test_recorded_gaps_run_the_watchdog_the_same_on_the_shared_pass(
    sim_recording: Path, tmp_path: Path
) -> None:
    """Two silences longer than the staleness timeout: the leader marks the book STALE, each
    follower reviews its own position (the not-LIVE rule), exactly as each would alone."""
    gapped = tmp_path / "gapped.l2rec"
    records = list(open_recording(sim_recording).records())
    writer = RecordingWriter(gapped, sim_header("gapped"))
    shift, batch = 0, []
    for n, record in enumerate(records):
        if n in {len(records) // 3, 2 * len(records) // 3}:
            shift += 45 * 1_000_000_000
        batch.append((record.recv_ns + shift, record.wall_ns + shift, record.payload))
    writer.write(batch)
    writer.close()
    base = busy_base("stale_after=5", "max_hold=60", "take_profit=0.5", "stop_loss=0.5")
    grid = parse_grid(["entry_ratio=1.6,2.2", "cooldown=0.15,1"], VENUE)
    settings = [apply_overrides(base, c, VENUE) for c in combinations(grid)]
    shared = asyncio.run(replay_shared(gapped, settings))
    for s, together in zip(settings, shared, strict=True):
        alone = asyncio.run(replay(gapped, s))
        assert trading_outcome(together) == trading_outcome(alone)
    assert any(r.round_trips for r in shared)
