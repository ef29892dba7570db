"""The frames the pipeline benchmark feeds: synthetic Kraken Futures frames, or a recording.

Frames are ``str``, as the WebSocket client hands text frames to the feed, and they are the very
objects both the pipeline and bare ``orjson.loads`` are timed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import msgspec
import orjson

from brokers.sim import PF_XBTUSD, SimMarket
from brokers.sim import kraken_wire as wire

SYNTHETIC_START_NS = 1_700_000_000_000_000_000
SYNTHETIC_STEP_NS = 10_000_000  # the sim server's own tick
SYNTHETIC_RATE_HZ = 2_000.0
FIRST_SEQ = 1_000


class FramesError(Exception):
    """A frames file that cannot be benchmarked, as one line."""


@dataclass(frozen=True, slots=True)
class FrameSet:
    """Raw frames and what they carry: ``traded`` gets decisions, every product gets a book."""

    frames: list[str]
    traded: str
    products: tuple[str, ...]  # every product with a book frame, ``traded`` first
    source: str  # "synthetic" or the file's path


def synthetic_frames(
    count: int, *, products: tuple[str, ...] = (PF_XBTUSD.symbol,), seed: int = 1
) -> FrameSet:
    """``count`` frames of the simulated market: one ``book_snapshot`` per product, then ``book``
    deltas exactly as the simulated venue sends them (``rate`` 2,000 changes/s per product)."""
    if count < len(products) + 1:
        raise ValueError(f"need at least {len(products) + 1} frames, got {count}")
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
    return FrameSet(frames, products[0], products, "synthetic")


class _BookFrame(msgspec.Struct):
    feed: str = ""
    product_id: str = ""


_PEEK = msgspec.json.Decoder(_BookFrame)


def read_frames(path: Path) -> FrameSet:
    """One raw JSON frame per line (blank lines skipped; bad lines are kept: the parser counts
    them as drops, as it would live). The first product with a ``book_snapshot`` is traded."""
    try:
        with path.open(encoding="utf-8") as file:
            frames = [line.rstrip("\r\n") for line in file if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise FramesError(f"cannot read frames from {path}: {exc}") from None
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
        raise FramesError(f"{path} holds no Kraken Futures book_snapshot frame")
    ordered = (traded, *(p for p in products if p != traded))
    return FrameSet(frames, traded, ordered, str(path))
