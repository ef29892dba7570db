"""The frames the pipeline benchmark feeds: synthetic Kraken Futures frames, or a recording.

Frames are ``str``, as the WebSocket client hands text frames to the feed, and they are the very
objects both the pipeline and bare ``orjson.loads`` are timed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import msgspec
import orjson

from brokers.recording import RecordingError, RecordingReader, RecordKind
from brokers.sim import PF_XBTUSD, SimMarket
from brokers.sim import kraken_wire as wire
from core.instrument import Instrument

SYNTHETIC_START_NS = 1_700_000_000_000_000_000
SYNTHETIC_STEP_NS = 10_000_000  # the sim server's own tick
SYNTHETIC_RATE_HZ = 2_000.0
FIRST_SEQ = 1_000


GZIP_MAGIC = b"\x1f\x8b"  # every recording part is a multi-member gzip file
KRAKEN_FUTURES = "kraken_futures"


Frame = str | bytes  # text frames are str, as the WebSocket client delivers them


class FramesError(Exception):
    """A frames file that cannot be benchmarked, as one line."""


@dataclass(frozen=True, slots=True)
class FrameSet:
    """Raw frames and what they carry: ``traded`` gets decisions, every product gets a book."""

    frames: list[Frame]
    traded: str
    products: tuple[str, ...]  # every product with a book frame, ``traded`` first
    source: str  # "synthetic" or the file's path
    instrument: Instrument | None = None  # the venue's rules, when the source says them


def synthetic_frames(
    count: int, *, products: tuple[str, ...] = (PF_XBTUSD.symbol,), seed: int = 1
) -> FrameSet:
    """``count`` frames of the simulated market: one ``book_snapshot`` per product, then ``book``
    deltas exactly as the simulated venue sends them (``rate`` 2,000 changes/s per product)."""
    if count < len(products) + 1:
        raise ValueError(f"need at least {len(products) + 1} frames, got {count}")
    market = SimMarket(seed=seed, rate_hz=SYNTHETIC_RATE_HZ)
    now = SYNTHETIC_START_NS
    frames: list[Frame] = []
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
    """Kraken Futures frames from a file: an ``l2console record`` recording (its WebSocket text
    frames, its instrument and traded product), or one raw JSON frame per line (blank lines
    skipped; the first product with a ``book_snapshot`` is traded). Bad frames are kept: the
    parser counts them as drops, as it would live."""
    try:
        with path.open("rb") as file:
            recorded = file.read(2) == GZIP_MAGIC
    except OSError as exc:
        raise FramesError(f"cannot read frames from {path}: {exc}") from None
    if recorded:
        return _read_recording(path)
    try:
        with path.open(encoding="utf-8") as file:
            frames = [line.rstrip("\r\n") for line in file if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise FramesError(f"cannot read frames from {path}: {exc}") from None
    traded, products = _products(frames)
    if not traded:
        raise FramesError(f"{path} holds no Kraken Futures book_snapshot frame")
    return FrameSet(frames, traded, products, str(path))


def _read_recording(path: Path) -> FrameSet:
    try:
        reader = RecordingReader(path)
        if reader.header.venue != KRAKEN_FUTURES:
            raise FramesError(
                f"{path} is a {reader.header.venue} recording; the pipeline benchmark parses "
                "Kraken Futures frames"
            )
        frames = [
            _as_received(record.payload)
            for record in reader.records()
            if record.kind is RecordKind.WS_TEXT
        ]
    except RecordingError as exc:
        raise FramesError(str(exc)) from None
    instrument = reader.header.instrument
    _, seen = _products(frames)
    products = (instrument.symbol, *(p for p in seen if p != instrument.symbol))
    if not frames:
        raise FramesError(f"{path} holds no WebSocket frame")
    return FrameSet(frames, instrument.symbol, products, str(path), instrument)


def _as_received(payload: bytes) -> Frame:
    """A text frame as the WebSocket client hands it to the feed: ``str``. Bytes that are not
    UTF-8 stay bytes, so the parser counts the frame as a drop instead of it being mended."""
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload


def _products(frames: list[Frame]) -> tuple[str, tuple[str, ...]]:
    """The first product with a snapshot, and every product with a book frame (it first)."""
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
