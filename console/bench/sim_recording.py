"""The sweep benchmark's data: the benchmark's synthetic frames (the simulated market, through the
venue registry) written as an l2console recording, each frame received 1 ms after its venue
timestamp."""

from __future__ import annotations

from pathlib import Path

import orjson

from brokers.recording import RecordingHeader, RecordingWriter
from console.bench.engine_setup import bench_instrument
from console.bench.frames import bench_venue

RECEIVED_AFTER_NS = 1_000_000
BATCH = 4_096


def write_bench_recording(path: Path, *, frames: int, seed: int = 1) -> int:
    """Write ``frames`` frames of the benchmarked venue's simulated market; returns the count."""
    venue = bench_venue()
    symbol = venue.default_symbol
    texts = venue.synthetic_frames(frames, (symbol,), seed)
    stamps = [int(orjson.loads(text)["timestamp"]) * 1_000_000 for text in texts]
    start = stamps[0] + RECEIVED_AFTER_NS
    header = RecordingHeader(
        venue=venue.name,
        environment="sim",
        venue_name=f"{venue.title} (simulated)",
        products=(symbol,),
        instrument=bench_instrument(symbol),
        recording_id="bench-sweep",
        started_wall_ns=start,
    )
    writer = RecordingWriter(path, header)
    batch: list[tuple[int, int, bytes | str]] = []
    for text, stamp in zip(texts, stamps, strict=True):
        wall = stamp + RECEIVED_AFTER_NS
        batch.append((wall - start, wall, text.encode()))  # monotonic from 0, as replays start
        if len(batch) >= BATCH:
            writer.write(batch)
            batch = []
    writer.write(batch)
    writer.close()
    return len(texts)
