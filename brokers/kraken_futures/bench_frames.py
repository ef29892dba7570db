"""Kraken Futures frames for ``l2console bench``: synthetic ones, exactly as the simulated venue
sends them, and the books a file of raw frames carries.

Frames are ``str``, as the WebSocket client hands text frames to the feed.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import orjson

SYNTHETIC_START_NS = 1_700_000_000_000_000_000
SYNTHETIC_STEP_NS = 10_000_000  # the sim server's own tick
SYNTHETIC_RATE_HZ = 2_000.0
FIRST_SEQ = 1_000


def synthetic_frames(count: int, products: tuple[str, ...], seed: int) -> list[str]:
    """``count`` frames of the simulated market: one ``book_snapshot`` per product, then ``book``
    deltas exactly as the simulated venue sends them (``rate`` 2,000 changes/s per product)."""
    from brokers.sim.kraken_futures import wire  # noqa: PLC0415
    from brokers.sim.market import SimMarket  # noqa: PLC0415 - the sim loads for benchmarks only

    market = SimMarket(seed=seed, rate_hz=SYNTHETIC_RATE_HZ)
    now = SYNTHETIC_START_NS
    frames: list[str] = []
    seqs: dict[str, int] = {}
    for product in products:
        market.step(product, now)
        book = market.book(product)
        seqs[product] = FIRST_SEQ + book.update_id
        frames.append(orjson.dumps(wire.book_snapshot(book, seqs[product], now)).decode())
    while len(frames) < count:
        now += SYNTHETIC_STEP_NS
        for product in products:
            for change in market.step(product, now):
                seqs[product] += 1
                frames.append(
                    orjson.dumps(wire.book_delta(product, change, seqs[product], now)).decode()
                )
    del frames[count:]
    return frames


class _BookFrame(msgspec.Struct):
    feed: str = ""
    product_id: str = ""


_PEEK = msgspec.json.Decoder(_BookFrame)


def book_products(frames: Sequence[str | bytes]) -> tuple[str, tuple[str, ...]]:
    """The first product with a snapshot ("" if none), and every product with a book frame (it
    first)."""
    products: dict[str, None] = {}
    traded = ""
    for frame in frames:
        try:
            peek = _PEEK.decode(frame)
        except msgspec.MsgspecError:
            continue
        if peek.feed in ("book", "book_snapshot") and peek.product_id:
            product = peek.product_id.upper()
            products.setdefault(product)
            if not traded and peek.feed == "book_snapshot":
                traded = product
    if not traded:
        return "", tuple(products)
    return traded, (traded, *(p for p in products if p != traded))
