"""``l2console study`` tells the truth on a market whose answer is known: the simulated one.

The sim's ``edge`` knob is how strongly its top-N imbalance steers the next move of the mid
(0: not at all). Five minutes of market per edge, one signal (the guide's ratio, the one the
knob drives), the shortest horizons: with no edge no interval leaves the null, with an edge the
extreme buckets beat it, the more so the stronger the edge.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from console.cli import main
from console.settings import Settings
from console.study.analysis import Cell
from console.study.outcomes import Horizon, HorizonUnit
from console.study.run import StudyResult, run_study
from tests.console.sim_recording import write_sim_recording

pytestmark = pytest.mark.usefixtures("no_ambient_settings")
SHORT = (Horizon(1, HorizonUnit.CHANGES), Horizon(2, HorizonUnit.CHANGES))
EDGES = (0.0, 0.5, 1.0)


@pytest.fixture(scope="module")
def edge_recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[float, Path]:
    folder = tmp_path_factory.mktemp("study")
    paths = {}
    for edge in EDGES:
        paths[edge] = folder / f"edge{edge}.l2rec"
        write_sim_recording(paths[edge], seconds=300, edge=edge)
    return paths


@pytest.fixture(scope="module")
def studies(edge_recordings: dict[float, Path]) -> dict[float, StudyResult]:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return {
        edge: run_study([path], settings, signals=["ratio"], horizons=SHORT)
        for edge, path in edge_recordings.items()
    }


def directional(result: StudyResult) -> list[Cell]:
    """The cells of buckets that predict a direction (thresholds, lowest and highest decile)."""
    return [c for c in result.cells if c.bucket.direction and c.up_share_interval is not None]


def excluding_the_null(result: StudyResult) -> int:
    return sum(
        1
        for c in directional(result)
        if c.null_up_share is not None and not c.up_share_interval.contains(c.null_up_share)  # type: ignore[union-attr]
    )


def extreme_excess(result: StudyResult) -> float:
    """Mean up-share excess over the null, in the predicted direction, of the extreme deciles
    in sample at the next mid change."""
    cells = [
        c
        for c in directional(result)
        if c.bucket.label.startswith("D")
        and c.segment.value == "in_sample"
        and c.horizon == SHORT[0]
    ]
    assert len(cells) == 2
    return sum(
        c.bucket.direction * (c.up_share - c.null_up_share)  # type: ignore[operator]
        for c in cells
    ) / len(cells)


def test_no_edge_in_the_market_no_edge_in_the_study(studies: dict[float, StudyResult]) -> None:
    result = studies[0.0]
    assert directional(result), "the study found no cases to judge"
    assert excluding_the_null(result) == 0
    (verdict,) = result.verdicts
    assert not verdict.predicts and not verdict.tradable
    assert "no tradable edge" in verdict.text


def test_an_edge_in_the_market_is_found(studies: dict[float, StudyResult]) -> None:
    result = studies[1.0]
    assert excluding_the_null(result) >= 8
    (verdict,) = result.verdicts
    assert verdict.predicts  # in sample and out of sample
    assert not verdict.tradable  # moves of a few tenths of a bps never pay 10 bps of fees


def test_the_stronger_the_edge_the_stronger_the_finding(
    studies: dict[float, StudyResult],
) -> None:
    excess = [extreme_excess(studies[edge]) for edge in EDGES]
    assert excess[0] < excess[1] < excess[2], excess
    counts = [excluding_the_null(studies[edge]) for edge in EDGES]
    assert counts[0] < counts[1] < counts[2], counts


def test_json_has_the_documented_keys_and_is_deterministic(
    edge_recordings: dict[float, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--env-file", os.devnull, "study", str(edge_recordings[1.0])]
    args += ["--signals", "ratio,queue,ofi", "--horizons", "1,5s", "--format", "json"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first
    document = orjson.loads(first)
    result = document["results"][0]
    for key in (
        "signal",
        "bucket",
        "horizon",
        "segment",
        "n",
        "up_share",
        "up_share_interval",
        "null_up_share",
        "mean_move_bps",
        "mean_move_interval",
    ):
        assert key in result
    assert {r["horizon"] for r in document["results"]} == {"1_changes", "5_s"}
    assert [v["signal"] for v in document["verdicts"]] == ["ratio", "queue", "ofi"]
    for verdict in document["verdicts"]:
        assert set(verdict) >= {"signal", "tradable", "text"}
        assert isinstance(verdict["tradable"], bool)


def test_text_table_picture_and_csv(
    edge_recordings: dict[float, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--env-file", os.devnull, "study", str(edge_recordings[0.5])]
    base += ["--signals", "ratio,microprice", "--horizons", "1,2"]
    assert main(base) == 0
    out = capsys.readouterr().out
    assert "EDGE STUDY" in out and "IN-SAMPLE" in out and "OUT-OF-SAMPLE" in out
    assert "ratio >= 3" in out and "VERDICTS" in out
    assert "mean next move (bps) by in-sample decile" in out  # the terminal picture
    assert main([*base, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("signal,scheme,bucket,direction,horizon,segment,n,")
    assert len(lines) > 10


def test_the_picture_file(edge_recordings: dict[float, Path], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    picture = tmp_path / "study.svg"
    args = ["--env-file", os.devnull, "study", str(edge_recordings[1.0])]
    args += ["--signals", "ratio", "--horizons", "1,2", "--no-picture", "--plot", str(picture)]
    assert main(args) == 0
    assert picture.read_text().lstrip().startswith(("<?xml", "<svg"))


def test_without_matplotlib_the_picture_file_is_a_one_line_hint(
    edge_recordings: dict[float, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
    args = ["--env-file", os.devnull, "study", str(edge_recordings[0.0])]
    args += ["--signals", "ratio", "--horizons", "1", "--plot", str(tmp_path / "x.png")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'l2console[plot]'" in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--signals", "nope"], "unknown signal 'nope'"),
        (["--horizons", "0"], "bad horizon '0'"),
        (["--plot", "x.txt"], "--plot writes .svg or .png"),
        (["--split", "1.5"], "--split must be between 0 and 1"),
    ],
)
def test_mistakes_are_one_line(
    edge_recordings: dict[float, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    args = ["--env-file", os.devnull, "study", str(edge_recordings[0.0])]
    assert main([*args, *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_a_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--env-file", os.devnull, "study", str(tmp_path / "none.l2rec")]
    assert main(args) == 2
    assert capsys.readouterr().err.count("\n") == 1
