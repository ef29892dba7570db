"""``--cluster ADDRESS``: sweeps and studies on a Dask cluster (one started here on 127.0.0.1),
with the same results as the local run; a lost worker's job is run again."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.cli import main
from console.replay.overrides import apply_overrides, parse_assignment
from console.replay.sweep import parse_grid, run_sweep
from console.settings import Settings
from console.study.outcomes import parse_horizon
from console.study.run import run_study
from console.workers import CLUSTER_HINT, run_jobs
from tests.console import cluster_jobs
from tests.console.conftest import BUSY

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")
pytestmark = pytest.mark.usefixtures("no_ambient_settings")
VENUE = "kraken_futures"


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """Two single-threaded worker processes with nannies, on 127.0.0.1 (every port ephemeral)."""
    cloudpickle.register_pickle_by_value(cluster_jobs)
    local = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # None still binds :8787 here; an ephemeral port
        silence_logs=40,
        death_timeout=120,
    )
    try:
        yield local.scheduler_address
    finally:
        local.close(timeout=60)
        cloudpickle.unregister_pickle_by_value(cluster_jobs)


def busy_base() -> Settings:
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    return apply_overrides(base, [parse_assignment(p) for p in BUSY], VENUE)


def test_a_sweep_on_the_cluster_is_the_local_sweep(sim_recording: Path, cluster: str) -> None:
    grid = parse_grid(["entry_ratio=1.6,2.2", "depth=5,10", "take_profit=0.004,0.02"], VENUE)
    seen: list[tuple[int, int]] = []
    remote = run_sweep(
        sim_recording, busy_base(), grid, VENUE, cluster=cluster, on_done=lambda *d: seen.append(d)
    )
    local = run_sweep(sim_recording, busy_base(), grid, VENUE, workers=2)
    assert remote == local
    assert sum(r.in_sample.stats.trades for r in remote.rows) > 0
    assert seen == [(1, 2), (2, 2)]  # two books (depth 5, 10): one pass each


def test_a_study_on_the_cluster_is_the_local_study(sim_recording: Path, cluster: str) -> None:
    args = {"signals": ["ratio", "ofi"], "horizons": [parse_horizon("5"), parse_horizon("1s")]}
    base = busy_base()
    remote = run_study([sim_recording, sim_recording], base, cluster=cluster, **args)
    local = run_study([sim_recording, sim_recording], base, **args)
    assert remote == local
    assert remote.rows > 0


def test_a_job_whose_worker_dies_is_run_again(tmp_path: Path, cluster: str) -> None:
    marker = tmp_path / "died"
    (pid,) = run_jobs(cluster_jobs.die_once, [marker], cluster=cluster)
    assert marker.exists()
    assert pid != int(marker.read_text(encoding="utf-8"))  # answered by another process


def test_results_come_back_in_job_order(cluster: str) -> None:
    assert run_jobs(cluster_jobs.square, list(range(12)), cluster=cluster) == [
        n * n for n in range(12)
    ]


def test_the_command_runs_on_the_cluster(
    sim_recording: Path, cluster: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--env-file", os.devnull, "sweep", str(sim_recording), "--cluster", cluster]
    assert main([*args, "--grid", "entry_ratio=1.6,2.2"]) == 0
    assert "entry_ratio=2.2" in capsys.readouterr().out


def test_an_unreachable_scheduler_is_one_line(
    sim_recording: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("console.workers.CONNECT_TIMEOUT_S", 2.0)
    args = ["--env-file", os.devnull, "study", str(sim_recording), "--cluster"]
    assert main([*args, "tcp://127.0.0.1:9", "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_without_dask_the_cluster_option_says_how_to_install_it(
    sim_recording: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    args = ["--env-file", os.devnull, "sweep", str(sim_recording), "--cluster", "tcp://x:1"]
    assert main([*args, "--grid", "entry_ratio=1.6,2.2"]) == 2
    assert capsys.readouterr().err.strip() == f"l2console: {CLUSTER_HINT}"
