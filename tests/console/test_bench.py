"""`l2console bench` runs and prints what the README documents (never a timing assertion)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
from pathlib import Path

import orjson
import pytest

from brokers.recording import RecordingWriter
from console.cli import main
from core.signals import SIGNAL_NAMES
from tests.brokers.recording.helpers import header
from tests.e2e.conftest import clean_env, l2console_argv

DOCUMENTED_KEYS = (
    "frames",
    "pipeline.ns_per_frame",
    "pipeline.frames_per_s",
    "pipeline.orjson_ns_per_frame",
    "pipeline.ratio",
    "pipeline.signal",
    "pipeline.level_changes_per_frame",
    "pipeline_unified.frames",
    "pipeline_unified.ns_per_frame",
    "pipeline_unified.frames_per_s",
    "pipeline_unified.orjson_ns_per_frame",
    "pipeline_unified.ratio",
    "pipeline_unified.level_changes_per_frame",
    "pipeline_unified.ratio_to_v1",
    "pipeline_unified.ratio_to_v1_per_level_change",
    "replay.ns_per_frame",
    "replay.frames_per_s",
    "replay.ratio_to_pipeline",
    *(f"signals_ns_per_update.{name}" for name in SIGNAL_NAMES),
    "latency_headless_us.p50",
    "latency_headless_us.p99",
    "latency_headless_us.p999",
    "latency_headless_us.max",
    "latency_ui_us.p50",
    "latency_ui_us.p99",
    "latency_ui_us.max",
    "ui_redraws_per_s",
    "rss_mb.peak",
    "rss_mb.growth_pct",
)


def lookup(report: dict[str, object], dotted: str) -> object:
    value: object = report
    for part in dotted.split("."):
        assert isinstance(value, dict), dotted
        assert part in value, dotted
        value = value[part]
    return value


def bench(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["--env-file", os.devnull, "bench", *args])
    out, err = capsys.readouterr()
    return status, out, err


def book_frame(product: str, seq: int, side: str, price: float, qty: float) -> str:
    return orjson.dumps(
        {
            "feed": "book",
            "product_id": product,
            "side": side,
            "seq": seq,
            "price": price,
            "qty": qty,
            "timestamp": 1_700_000_000_000,
        }
    ).decode()


def snapshot_frame(product: str, seq: int, mid: float) -> str:
    return orjson.dumps(
        {
            "feed": "book_snapshot",
            "product_id": product,
            "timestamp": 1_700_000_000_000,
            "seq": seq,
            "tickSize": None,
            "bids": [{"price": mid - 0.5 - i, "qty": 1.0 + i} for i in range(10)],
            "asks": [{"price": mid + 0.5 + i, "qty": 1.0 + i} for i in range(10)],
        }
    ).decode()


def test_the_pipeline_part_prints_every_documented_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = bench(
        tmp_path, capsys, "--only", "pipeline", "--count", "400", "--repeats", "1", "--json"
    )
    assert status == 0, err
    report = orjson.loads(out)
    for key in DOCUMENTED_KEYS:
        lookup(report, key)
    assert report["frames"] == 400
    pipeline = report["pipeline"]
    assert pipeline["ns_per_frame"] > 0 and pipeline["orjson_ns_per_frame"] > 0
    assert pipeline["ratio"] == pytest.approx(
        pipeline["ns_per_frame"] / pipeline["orjson_ns_per_frame"], rel=0.01
    )
    assert pipeline["frames_per_s"] == pytest.approx(1e9 / pipeline["ns_per_frame"], rel=0.01)
    assert pipeline["decisions"] > 0  # frames of the traded product reached the strategy
    assert pipeline["source"] == "synthetic"
    unified = report["pipeline_unified"]  # Unified frames of the same market, beside v1's
    assert unified["frames"] == 400 and unified["decisions"] > 0
    assert unified["resyncs"] == 0 and unified["dropped"] == 0  # every checksum matched
    assert unified["ratio"] == pytest.approx(
        unified["ns_per_frame"] / unified["orjson_ns_per_frame"], rel=0.01
    )
    assert unified["ratio_to_v1"] == pytest.approx(
        unified["ns_per_frame"] / pipeline["ns_per_frame"], rel=0.01
    )
    assert pipeline["level_changes_per_frame"] == pytest.approx(1.0, abs=0.01)  # one per delta
    assert 1.0 <= unified["level_changes_per_frame"] < 1.5  # one change, and what it moved
    replayed = report["replay"]  # the same frames, replayed
    assert replayed["ratio_to_pipeline"] == pytest.approx(
        replayed["ns_per_frame"] / pipeline["ns_per_frame"], rel=0.01
    )
    assert replayed["frames_per_s"] == pytest.approx(1e9 / replayed["ns_per_frame"], rel=0.01)
    # parts that did not run are there, and empty
    assert lookup(report, "latency_headless_us.p99") is None
    assert lookup(report, "rss_mb.peak") is None
    assert "bench: pipeline" in err  # progress goes to stderr, the JSON alone to stdout


def test_a_recording_keeps_every_products_book(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        snapshot_frame("PF_XBTUSD", 100, 43_500.0),
        snapshot_frame("PF_ETHUSD", 500, 2_300.0),
        book_frame("PF_XBTUSD", 101, "buy", 43_499.5, 2.5),
        book_frame("PF_ETHUSD", 501, "sell", 2_300.5, 0.0),
        book_frame("PF_ETHUSD", 503, "buy", 2_299.5, 4.0),  # 502 missing: ETH resyncs
        '{"feed":"book","product_id":"PF_XBTUSD","side":"buy","seq":',  # cut off: dropped
        "",
        book_frame("PF_XBTUSD", 102, "sell", 43_500.5, 3.0),
    ]
    recording = tmp_path / "frames.jsonl"
    recording.write_text("\n".join(lines) + "\n", encoding="utf-8")

    status, out, err = bench(
        tmp_path,
        capsys,
        "--only",
        "pipeline",
        "--frames",
        str(recording),
        "--repeats",
        "1",
        "--json",
    )

    assert status == 0, err
    report = orjson.loads(out)
    assert report["frames"] == 7  # the blank line is not a frame
    pipeline = report["pipeline"]
    assert pipeline["source"] == str(recording)
    assert pipeline["resyncs"] == 1  # only a kept book can ask for a resync
    assert pipeline["dropped"] == 1
    assert pipeline["decisions"] == 3  # PF_XBTUSD (traded): its snapshot and two deltas


def test_the_table_says_what_was_measured_and_against_which_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = bench(
        tmp_path, capsys, "--only", "pipeline", "--count", "300", "--repeats", "1"
    )
    assert status == 0
    assert "Pipeline: parse → book → imbalance → strategy → risk (300 frames, synthetic)" in out
    assert "bare orjson.loads" in out
    assert "target ≤ 4×" in out
    assert "Kraken Unified pipeline, checksum verified on every message (300 frames" in out
    assert "Unified: 1 book message" in out and "v1: 1 delta" in out
    assert "target ≤ 1.5×" in out
    assert "Signals: cost per book update" in out
    assert "ratio" in out and "← trading" in out


def test_each_signal_has_its_cost_and_the_pipeline_runs_the_chosen_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMBALANCE_SIGNAL", "queue")
    status, out, err = bench(
        tmp_path, capsys, "--only", "pipeline", "--count", "300", "--repeats", "1", "--json"
    )
    assert status == 0, err
    report = orjson.loads(out)
    assert report["pipeline"]["signal"] == "queue"
    costs = report["signals_ns_per_update"]
    assert list(costs) == list(SIGNAL_NAMES)
    assert all(isinstance(ns, float) and ns >= 0 for ns in costs.values())
    assert report["pipeline"]["decisions"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--only", "speed"), "--only takes pipeline, latency, ui, memory, sweep"),
        (("--frames", "nowhere.jsonl"), "cannot read frames from nowhere.jsonl"),
        (("--count", "1"), "--count must be at least 2"),
        (("--duration", "soon"), "bad duration 'soon'"),
        (("--rate", "0"), "--rate must be within"),
    ],
)
def test_a_bad_argument_is_one_line_and_exit_status_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = bench(tmp_path, capsys, "--only", "pipeline", *args)
    assert status == 2
    assert out == ""
    error_lines = [line for line in err.splitlines() if not line.startswith("bench: ")]
    assert len(error_lines) == 1 and message in error_lines[0], err


def test_a_file_without_a_snapshot_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = tmp_path / "deltas.jsonl"
    recording.write_text(book_frame("PF_XBTUSD", 5, "buy", 1.0, 1.0) + "\n", encoding="utf-8")
    status, _, err = bench(tmp_path, capsys, "--frames", str(recording), "--only", "pipeline")
    assert status == 2
    assert "holds no Kraken Futures book_snapshot frame" in err


@pytest.mark.e2e
def test_the_live_parts_measure_latency_and_memory_over_the_simulated_venue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = bench(
        tmp_path,
        capsys,
        "--only",
        "latency,memory",
        "--rate",
        "400",
        "--duration",
        "1s",
        "--warmup",
        "0",
        "--json",
    )
    assert status == 0, err
    report = orjson.loads(out)
    latency = report["latency_headless_us"]
    assert 0 < latency["p50"] <= latency["p99"] <= latency["p999"] <= latency["max"]
    assert latency["updates"] > 0 and latency["rate_hz"] == 400
    assert report["rss_mb"]["peak"] > 0
    assert report["rss_mb"]["growth_pct"] is not None
    assert report["pipeline"]["ns_per_frame"] is None


def children_of(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (Linux ``/proc``)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.e2e
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("after_s", [0.0, 3.0], ids=["while-the-sim-starts", "while-measuring"])
async def test_sigterm_stops_a_live_run_and_its_sim_process_with_status_130(
    tmp_path: Path, after_s: float
) -> None:
    proc = await asyncio.create_subprocess_exec(
        *l2console_argv("bench", "--only", "latency", "--duration", "60s", env_file=tmp_path / "x"),
        cwd=tmp_path,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    sims: set[int] = set()
    try:
        assert proc.stderr is not None
        line = await asyncio.wait_for(proc.stderr.readline(), 30)
        assert "tick→decision, headless" in line.decode()
        for _ in range(100):  # the sim process is spawned right after that line
            sims = children_of(proc.pid)
            if sims:
                break
            await asyncio.sleep(0.02)
        assert sims, "no sim process was started"
        await asyncio.sleep(after_s)
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 130
    assert out == b""
    assert b"interrupted" in err and b"Traceback" not in err
    for _ in range(50):
        if not any(alive(pid) for pid in sims):
            break
        await asyncio.sleep(0.1)
    assert not any(alive(pid) for pid in sims), "the sim process outlived the benchmark"


@pytest.mark.e2e
def test_the_ui_part_measures_latency_while_the_console_draws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = bench(
        tmp_path,
        capsys,
        "--only",
        "ui",
        "--rate",
        "400",
        "--duration",
        "1.5s",
        "--warmup",
        "0",
        "--json",
    )
    assert status == 0, err
    report = orjson.loads(out)
    latency = report["latency_ui_us"]
    assert 0 < latency["p50"] <= latency["p99"] <= latency["max"]
    assert latency["updates"] > 0
    assert report["ui_redraws_per_s"] > 0  # the book moved, so the console drew
    assert report["ui_loop_lag_us"]["max"] is not None
    assert report["latency_headless_us"]["p50"] is None


def test_an_l2console_recording_is_benchmarked_on_its_text_frames_and_instrument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = [
        snapshot_frame("PF_XBTUSD", 10, 43_500.0),
        book_frame("PF_XBTUSD", 11, "buy", 43_499.5, 3.0),
        book_frame("PF_XBTUSD", 12, "sell", 43_500.5, 0.0),
    ]
    recording = tmp_path / "session.l2rec"
    writer = RecordingWriter(recording, header())
    items: list[tuple[int, int, bytes | str]] = [
        (1_000 + i, 1_700_000_000_000_000_000 + i, text) for i, text in enumerate(texts)
    ]
    items.append((2_000, 1_700_000_000_000_000_999, b"\x00binary"))  # not a text frame
    writer.write(items)
    writer.close()

    status, out, err = bench(
        tmp_path,
        capsys,
        "--only",
        "pipeline",
        "--frames",
        str(recording),
        "--repeats",
        "1",
        "--json",
    )

    assert status == 0, err
    report = orjson.loads(out)
    assert report["frames"] == 3
    assert report["pipeline"]["decisions"] == 3
    assert report["pipeline"]["dropped"] == 0


def test_a_recording_of_another_venue_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = tmp_path / "binance.l2rec"
    other = dataclasses.replace(header(), venue="binance_us")
    writer = RecordingWriter(recording, other)
    writer.write([(1, 1, '{"e":"depthUpdate"}')])
    writer.close()
    status, _, err = bench(tmp_path, capsys, "--only", "pipeline", "--frames", str(recording))
    assert status == 2
    assert "is a binance_us recording" in err


def test_the_sweep_part_times_27_combinations_on_one_pass_against_one_replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sim_recording: Path
) -> None:
    status, out, err = bench(
        tmp_path, capsys, "--only", "sweep", "--frames", str(sim_recording), "--repeats", "1"
    )
    assert status == 0, err
    sweep = orjson.loads(out)["sweep"] if out.lstrip().startswith("{") else None
    assert sweep is None  # a table unless --json
    assert "Sweep: 27 combinations on one shared pass" in out
    assert "target ≤ 3×" in out
    status, out, err = bench(
        tmp_path,
        capsys,
        *("--only", "sweep", "--frames", str(sim_recording), "--repeats", "1", "--json"),
    )
    assert status == 0, err
    report = orjson.loads(out)
    assert lookup(report, "sweep.combinations") == 27
    assert lookup(report, "sweep.frames") == 10_965
    assert lookup(report, "sweep.source") == str(sim_recording)
    one, every = lookup(report, "sweep.one_replay_s"), lookup(report, "sweep.sweep_s")
    assert isinstance(one, float) and isinstance(every, float) and one > 0 and every > 0
    assert lookup(report, "pipeline.ns_per_frame") is None  # only the part asked for ran


def test_the_unified_row_is_measured_on_unified_frames_of_the_same_market() -> None:
    from console.bench.frames import UNIFIED_BENCH_VENUE, synthetic_frames  # noqa: PLC0415
    from console.bench.pipeline import measure_pipelines  # noqa: PLC0415
    from console.settings import Settings  # noqa: PLC0415

    v1 = synthetic_frames(500, seed=2)
    unified = synthetic_frames(500, seed=2, venue_name=UNIFIED_BENCH_VENUE)
    assert unified.venue == "kraken_unified" and v1.venue == "kraken"
    kinds = [orjson.loads(frame).get("channel") for frame in unified.frames]
    assert kinds[:3] == ["status", "instrument", "book"] and set(kinds[3:]) == {"book"}
    assert all('"checksum":' in frame for frame in unified.frames[2:])
    assert unified.traded == v1.traded  # the same market, the same traded product
    results = measure_pipelines([v1, unified], Settings(_env_file=None), repeats=1)
    assert [r.venue for r in results] == ["kraken", "kraken_unified"]
    assert results[1].frames == 500 and results[1].dropped == 0 and results[1].resyncs == 0
    assert results[1].level_changes >= 497  # every update carried at least its one change
    # A wrong checksum is caught there too: that book resyncs and its later updates are dropped.
    frames = list(unified.frames)
    crc = orjson.loads(frames[100])["data"][0]["checksum"]
    frames[100] = frames[100].replace(f'"checksum":{crc}', f'"checksum":{(crc + 1) % 2**32}')
    broken = dataclasses.replace(unified, frames=frames)
    (result,) = measure_pipelines([broken], Settings(_env_file=None), repeats=1)
    assert result.resyncs == 1 and result.dropped == 500 - 101
