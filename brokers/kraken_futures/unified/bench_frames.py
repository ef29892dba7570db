"""Unified frames for ``l2console bench``: synthetic ones, as the simulated Unified venue sends
them (``status``, an ``instrument`` snapshot, then per product a ``book`` snapshot at depth 25 and updates
with their checksum), and the books a file of raw Unified frames carries."""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from brokers.kraken_futures.unified.replay import RECORDED_DEPTH

SYNTHETIC_START_NS = 1_700_000_000_000_000_000
SYNTHETIC_STEP_NS = 10_000_000  # the sim server's own tick
SYNTHETIC_RATE_HZ = 2_000.0


def synthetic_frames(count: int, products: tuple[str, ...], seed: int) -> list[str]:
    from brokers.sim.kraken_unified import wire  # noqa: PLC0415 - the sim loads for benchmarks
    from brokers.sim.kraken_unified.ws import changed_levels  # noqa: PLC0415
    from brokers.sim.market import SimMarket  # noqa: PLC0415

    market = SimMarket(seed=seed, rate_hz=SYNTHETIC_RATE_HZ)
    now = SYNTHETIC_START_NS
    specs = [market.spec(p) for p in products]
    frames = [  # what a connection starts with: the venue's status, then the instruments
        orjson.dumps(wire.status_message("online", 1)).decode(),
        orjson.dumps(wire.instrument_message("snapshot", specs)).decode(),
    ]
    held = {}
    for spec in specs:
        market.step(spec.symbol, now)
        view = market.book(spec.symbol, depth=RECORDED_DEPTH)
        crc = wire.checksum(view.asks, view.bids, spec)
        frames.append(
            wire.book_message("snapshot", spec, view.bids, view.asks, crc=crc, now_ns=now)
        )
        held[spec.symbol] = (view.bids, view.asks)
    while len(frames) < count:
        now += SYNTHETIC_STEP_NS
        for spec in specs:
            if not market.step(spec.symbol, now):
                continue
            view = market.book(spec.symbol, depth=RECORDED_DEPTH)
            full = market.book(spec.symbol)
            old_bids, old_asks = held[spec.symbol]
            bids = changed_levels(old_bids, view.bids, dict(full.bids))
            asks = changed_levels(old_asks, view.asks, dict(full.asks))
            held[spec.symbol] = (view.bids, view.asks)
            if bids or asks:
                crc = wire.checksum(view.asks, view.bids, spec)
                frames.append(wire.book_message("update", spec, bids, asks, crc=crc, now_ns=now))
    del frames[count:]
    return frames


def book_products(frames: Sequence[str | bytes]) -> tuple[str, tuple[str, ...]]:
    """The first product with a snapshot ("" if none), and every product with a book frame."""
    products: dict[str, None] = {}
    traded = ""
    for frame in frames:
        try:
            message = orjson.loads(frame)
            data = message["data"][0] if message.get("channel") == "book" else None
            symbol = str(data["symbol"]).upper() if isinstance(data, dict) else ""
        except (orjson.JSONDecodeError, KeyError, IndexError, TypeError, AttributeError):
            continue
        if symbol:
            products.setdefault(symbol)
            if not traded and message.get("type") == "snapshot":
                traded = symbol
    if not traded:
        return "", tuple(products)
    return traded, (traded, *(p for p in products if p != traded))
