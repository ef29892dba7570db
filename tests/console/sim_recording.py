"""A recording of the simulated market made without sockets: fast, deterministic test data.

The frames are the sim venue's own Kraken Futures messages (``brokers.sim.kraken_futures.wire``) for
``seconds`` of market time, written with the real ``RecordingWriter``: info, subscribed, one
snapshot, then every level change as a ``book`` message and a heartbeat each second.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from brokers.recording import RecordingHeader, RecordingWriter
from brokers.sim import PF_XBTUSD, SimMarket
from brokers.sim.kraken_futures import wire
from core.instrument import Instrument

T0 = 1_714_564_800_000_000_000  # 2024-05-01 12:00:00 UTC
MONO0 = 5_000_000_000
TICK_NS = 10_000_000

INSTRUMENT = Instrument(
    symbol="PF_XBTUSD",
    contract_type=PF_XBTUSD.contract_type,
    tick_size=PF_XBTUSD.tick_size,
    size_step=PF_XBTUSD.size_step,
    min_size=PF_XBTUSD.size_step,
    base="XBT",
)


def sim_header(recording_id: str = "sim-test") -> RecordingHeader:
    return RecordingHeader(
        venue="kraken_futures",
        environment="sim",
        venue_name="Kraken Futures (simulated)",
        products=("PF_XBTUSD",),
        instrument=INSTRUMENT,
        recording_id=recording_id,
        started_wall_ns=T0,
    )


def write_sim_recording(
    path: Path,
    *,
    seconds: float,
    seed: int = 3,
    rate_hz: float = 400.0,
    edge: float = 0.0,
    rotate_bytes: int = 64 * 1024 * 1024,
) -> int:
    """Write the recording; returns how many frames it holds."""
    market = SimMarket([PF_XBTUSD], seed=seed, rate_hz=rate_hz, edge=edge)
    product = PF_XBTUSD.symbol
    market.step(product, T0)
    writer = RecordingWriter(path, sim_header(), rotate_bytes=rotate_bytes)
    seq = 1000
    batch: list[tuple[int, int, bytes | str]] = []
    total = 0

    def frame(at_ns: int, message: dict[str, object]) -> None:
        nonlocal total
        total += 1
        batch.append((MONO0 + at_ns - T0, at_ns, orjson.dumps(message)))

    frame(T0, wire.info())
    frame(T0 + 1_000_000, wire.subscription_ack("subscribed", "book", [product]))
    frame(T0 + 2_000_000, wire.book_snapshot(market.book(product), seq, T0))
    now = T0 + TICK_NS
    end = T0 + int(seconds * 1e9)
    next_heartbeat = T0 + 1_000_000_000
    while now <= end:
        for change in market.step(product, now):
            seq += 1
            frame(max(change.ts_ns, now - TICK_NS + 1), wire.book_delta(product, change, seq, now))
        if now >= next_heartbeat:
            frame(now, wire.heartbeat(now))
            next_heartbeat += 1_000_000_000
        if len(batch) >= 2000:
            writer.write(batch)
            batch = []
        now += TICK_NS
    writer.write(batch)
    writer.close()
    return total
