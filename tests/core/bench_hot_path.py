"""Per-frame cost of the pure core: ``python -m tests.core.bench_hot_path`` (not a test).

Feeds 200,000 Kraken-style one-level deltas (30 % deletes, the rest new or changed levels within
30 ticks of the touch, on a 500-level book) and Binance.us-style 10-level deltas, and prints the
best of three runs per delta. The pipeline line adds what the engine does per frame after the
book: imbalance ratio, strategy decision (flat, no signal: the common path) and a latency record.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import orjson

from core.book import OrderBook
from core.events import BookDelta, BookSnapshot
from core.latency import LatencyHistogram
from core.signal import imbalance_ratio
from core.strategy import ImbalanceStrategy, StrategyParams

N = 200_000
KRAKEN_FRAME = (
    b'{"feed":"book","product_id":"PF_XBTUSD","side":"sell","seq":233655,"price":50000.5,'
    b'"qty":1.2345,"timestamp":1612269825817}'
)


def fresh_book() -> OrderBook:
    book = OrderBook("PF_XBTUSD")
    bids = tuple((50_000.0 - i * 0.5, 1.0 + i % 7) for i in range(500))
    asks = tuple((50_000.5 + i * 0.5, 1.0 + i % 5) for i in range(500))
    book.apply_snapshot(BookSnapshot("PF_XBTUSD", 100, bids, asks, 0, 0))
    return book


def random_size(rng: random.Random) -> float:
    return 0.0 if rng.random() < 0.3 else round(rng.uniform(0.1, 5.0), 4)


def kraken_deltas(rng: random.Random) -> list[BookDelta]:
    deltas = []
    for seq in range(101, 101 + N):
        tick = rng.randint(0, 30) * 0.5
        if seq % 2:
            bids, asks = ((50_000.0 - tick, random_size(rng)),), ()
        else:
            bids, asks = (), ((50_000.5 + tick, random_size(rng)),)
        deltas.append(BookDelta("PF_XBTUSD", seq, seq, bids, asks, 0, 0))
    return deltas


def binance_deltas(rng: random.Random) -> list[BookDelta]:
    deltas = []
    seq = 100
    for _ in range(N // 10):
        bids = tuple((50_000.0 - rng.randint(0, 60) * 0.5, random_size(rng)) for _ in range(5))
        asks = tuple((50_000.5 + rng.randint(0, 60) * 0.5, random_size(rng)) for _ in range(5))
        deltas.append(BookDelta("PF_XBTUSD", seq + 1, seq + 10, bids, asks, 0, 0))
        seq += 10
    return deltas


def best_ns_per_item(run: Callable[[OrderBook, list], None], items: list) -> float:
    best = float("inf")
    for _ in range(3):
        book = fresh_book()
        start = time.perf_counter()
        run(book, items)
        best = min(best, time.perf_counter() - start)
    return best / len(items) * 1e9


def apply_only(book: OrderBook, deltas: list[BookDelta]) -> None:
    apply = book.apply_delta
    for delta in deltas:
        apply(delta)


def pipeline(book: OrderBook, deltas: list[BookDelta]) -> None:
    apply = book.apply_delta
    decide = ImbalanceStrategy(StrategyParams()).decide
    record = LatencyHistogram().record
    for delta in deltas:
        apply(delta)
        decide(
            ratio=imbalance_ratio(book.bid_depth_sum, book.ask_depth_sum),
            best_bid=book.best_bid,
            best_ask=book.best_ask,
            spread_bps=book.spread_bps,
            position=None,
            now_ns=0,
        )
        record(1234)


def parse_only(_: OrderBook, frames: list[bytes]) -> None:
    loads = orjson.loads
    for frame in frames:
        loads(frame)


def main() -> None:
    rng = random.Random(1)
    kraken, binance = kraken_deltas(rng), binance_deltas(rng)
    rows = [
        ("orjson.loads of one Kraken book frame", parse_only, [KRAKEN_FRAME] * N),
        ("apply_delta, Kraken one-level delta", apply_only, kraken),
        ("apply_delta, Binance.us 10-level delta", apply_only, binance),
        ("Kraken delta + imbalance + decide + latency", pipeline, kraken),
    ]
    for label, run, items in rows:
        print(f"{label:45s} {best_ns_per_item(run, items):6.0f} ns")


if __name__ == "__main__":
    main()
