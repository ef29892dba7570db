"""Unified frames for ``l2console bench``: synthetic ones from the simulated market, and the books a
file of raw Unified frames carries.

The synthetic frames carry the same market changes as the v1 benchmark's frames (same seed, same
products), so the two pipelines are compared like with like: a ``status`` and an ``instrument``
snapshot, then per product a ``book`` snapshot at depth 25, then one ``update`` per market level
change that touched the top 25: that level, plus the level that came up from below when one left
(the venue's own rule: levels falling below the depth are not deleted, the client truncates). Every
message carries its checksum, so every level change costs one verification, the most a venue can
ask. Changes below the subscribed depth make no message (the venue does not send them).
"""

from __future__ import annotations

import zlib
from bisect import bisect_left, insort
from collections.abc import Sequence
from decimal import Decimal

import orjson

from brokers.kraken_futures.unified.replay import RECORDED_DEPTH

CHECKSUM_LEVELS = 10
Level = tuple[Decimal, Decimal]

SYNTHETIC_START_NS = 1_700_000_000_000_000_000
SYNTHETIC_STEP_NS = 10_000_000  # the sim server's own tick
SYNTHETIC_RATE_HZ = 2_000.0


class _SideBook:
    """One side of the venue's full book, its prices kept sorted (ascending)."""

    def __init__(self, levels: Sequence[tuple[Decimal, Decimal]], bid: bool) -> None:
        self.sizes = dict(levels)
        self.bid = bid
        self._prices = sorted(self.sizes)

    def set(self, price: Decimal, size: Decimal) -> None:
        if size:
            if price not in self.sizes:
                insort(self._prices, price)
            self.sizes[price] = size
        elif self.sizes.pop(price, None) is not None:
            del self._prices[bisect_left(self._prices, price)]

    def top(self, depth: int) -> tuple[tuple[Decimal, Decimal], ...]:
        """The best ``depth`` levels, best first."""
        prices = self._prices[: -depth - 1 : -1] if self.bid else self._prices[:depth]
        return tuple((p, self.sizes[p]) for p in prices)


def _outside(price: Decimal, shown: tuple[tuple[Decimal, Decimal], ...], bid: bool) -> bool:
    """A change at ``price`` cannot alter a full view ``shown``: it lies beyond its worst level."""
    if len(shown) < RECORDED_DEPTH:
        return False
    worst = shown[-1][0]
    return price < worst if bid else price > worst


def _checksum_of(
    asks: Sequence[Level], bids: Sequence[Level], precisions: tuple[int, int], texts: dict
) -> int:
    """The sim's checksum (``wire.checksum``: its own formula from the exact Decimals), each
    level's text made once and kept in ``texts``."""
    from brokers.sim.kraken_unified.wire import fixed  # noqa: PLC0415 - benchmarks only

    parts = []
    for side in (asks[:CHECKSUM_LEVELS], bids[:CHECKSUM_LEVELS]):
        for level in side:
            text = texts.get(level)
            if text is None:
                price, qty = level
                pp, qp = precisions
                text = texts[level] = (fixed(price, pp).replace(".", "").lstrip("0") or "0") + (
                    fixed(qty, qp).replace(".", "").lstrip("0") or "0"
                )
            parts.append(text)
    return zlib.crc32("".join(parts).encode("ascii"))


def synthetic_frames(count: int, products: tuple[str, ...], seed: int) -> list[str]:
    from brokers.sim.kraken_unified import wire  # noqa: PLC0415 - the sim loads for benchmarks
    from brokers.sim.kraken_unified.ws import changed_levels  # noqa: PLC0415
    from brokers.sim.market import SimMarket  # noqa: PLC0415
    from core.enums import Side  # noqa: PLC0415

    market = SimMarket(seed=seed, rate_hz=SYNTHETIC_RATE_HZ)
    now = SYNTHETIC_START_NS
    specs = {p: market.spec(p) for p in products}
    frames = [  # what a connection starts with: the venue's status, then the instruments
        orjson.dumps(wire.status_message("online", 1)).decode(),
        orjson.dumps(wire.instrument_message("snapshot", list(specs.values()))).decode(),
    ]
    books: dict[str, tuple[_SideBook, _SideBook]] = {}
    sent = {}
    precisions = {s: (wire.price_precision(x), wire.qty_precision(x)) for s, x in specs.items()}
    texts: dict[str, dict[Level, str]] = {s: {} for s in specs}
    for symbol, spec in specs.items():
        market.step(symbol, now)
        full = market.book(symbol)
        books[symbol] = (_SideBook(full.bids, bid=True), _SideBook(full.asks, bid=False))
        bids, asks = full.bids[:RECORDED_DEPTH], full.asks[:RECORDED_DEPTH]
        crc = wire.checksum(asks, bids, spec)
        frames.append(wire.book_message("snapshot", spec, bids, asks, crc=crc, now_ns=now))
        sent[symbol] = (bids, asks)
    while len(frames) < count:
        now += SYNTHETIC_STEP_NS
        for symbol, spec in specs.items():
            bid_book, ask_book = books[symbol]
            for change in market.step(symbol, now):
                is_bid = change.side is Side.BUY
                book = bid_book if is_bid else ask_book
                book.set(change.price, change.size)
                old_bids, old_asks = sent[symbol]
                old = old_bids if is_bid else old_asks
                if _outside(change.price, old, is_bid):
                    continue
                new = book.top(RECORDED_DEPTH)
                levels = changed_levels(old, new, book.sizes)
                if not levels:
                    continue
                bids, asks = (new, old_asks) if is_bid else (old_bids, new)
                sent[symbol] = (bids, asks)
                crc = _checksum_of(asks, bids, precisions[symbol], texts[symbol])
                frames.append(
                    wire.book_message(
                        "update",
                        spec,
                        levels if is_bid else (),
                        () if is_bid else levels,
                        crc=crc,
                        now_ns=change.ts_ns,
                    )
                )
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
