"""cryptofeed raw data collection files through replay and ``convert``: the real parsers."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.cli import main
from console.replay.report import render_replay
from console.replay.runner import ReplayPlayer, replay
from core.enums import BookState, Side
from tests.brokers.recording.test_cryptofeed import binance_lines, cryptofeed_of_recording
from tests.console.test_tardis_replay import busy

pytestmark = pytest.mark.usefixtures("no_ambient_settings")


def _decisions(result: object) -> list[tuple[object, ...]]:
    return [
        (s.signal.action, s.signal.price, s.signal.quantity, s.signal.outcome)
        for s in result.signals  # type: ignore[attr-defined]
    ]


async def test_a_kraken_futures_file_trades_as_the_recording_it_was_made_of(
    sim_recording: Path, tmp_path: Path
) -> None:
    path = cryptofeed_of_recording(sim_recording, tmp_path / "KRAKEN_FUTURES.0.gz", gz=True)
    original = await replay(sim_recording, busy(), flatten_at_end=False)
    from_cryptofeed = await replay(path, busy(), flatten_at_end=False)

    assert len(original.round_trips) > 3
    # cryptofeed keeps float seconds: the decisions are the same, their times to ~1 µs.
    assert _decisions(from_cryptofeed) == _decisions(original)
    assert [(r.side, r.net_pnl) for r in from_cryptofeed.round_trips] == [
        (r.side, r.net_pnl) for r in original.round_trips
    ]
    assert from_cryptofeed.counts.deltas == original.counts.deltas
    assert from_cryptofeed.header.venue_name == "Kraken Futures (cryptofeed)"


async def test_a_binance_us_file_replays_through_the_rest_snapshot_and_the_stream(
    tmp_path: Path,
) -> None:
    path = tmp_path / "BINANCE_US.0"
    path.write_text("\n".join(binance_lines()) + "\n")
    player = ReplayPlayer(path, busy())
    await player.play()
    book = player.engine.book
    assert book.state is BookState.LIVE
    assert list(book.levels_from_best(Side.SELL)) == [(100.0, 3.0)]  # bids
    assert list(book.levels_from_best(Side.BUY)) == [(100.2, 1.0)]  # asks
    result = await player.finish()
    assert result.counts.snapshots == 1
    assert "1 unreadable lines skipped" in render_replay(result, base=busy())


async def test_a_converted_cryptofeed_file_replays_to_the_same_round_trips(
    sim_recording: Path, tmp_path: Path
) -> None:
    path = cryptofeed_of_recording(sim_recording, tmp_path / "KRAKEN_FUTURES.0")
    out = tmp_path / "converted.l2rec"
    assert main(["convert", str(path), str(out)]) == 0
    source = await replay(path, busy())
    converted = await replay(out, busy())
    assert converted.round_trips == source.round_trips
    assert converted.fills == source.fills
    assert converted.counts == source.counts
