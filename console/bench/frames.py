"""The frames the pipeline benchmark feeds: synthetic ones of the benchmarked venue, or a recording.

The benchmarked venue is ``BENCH_VENUE`` (Kraken's v1 protocol); its
spec makes the synthetic frames and reads which books a file of its raw frames carries. Frames
are ``str``, as the WebSocket client hands text frames to the feed, and they are the very
objects both the pipeline and bare ``orjson.loads`` are timed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from brokers import registry
from brokers.recording import RecordingError, RecordKind
from brokers.recording.sources import is_foreign_recording, open_recording
from brokers.venue import VenueSpec
from core.instrument import Instrument

BENCH_VENUE = "kraken"
"""The Derivatives v1 pipeline: what a ``--frames`` file holds and what the replay row plays."""
UNIFIED_BENCH_VENUE = "kraken_unified"
"""The Unified pipeline, measured beside v1 on synthetic frames of the same market changes (its
book verified against the venue's checksum on every message)."""
GZIP_MAGIC = b"\x1f\x8b"  # every recording part is a multi-member gzip file


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
    # (recv_ns, wall_ns) of each frame, when the source recorded them (the replay row plays them)
    times: list[tuple[int, int]] | None = None
    venue: str = BENCH_VENUE  # whose frames these are (the registry name)


LIVE_BENCH_VENUE = registry.DEFAULT_MARKET_VENUE
"""The live parts (latency over a simulated venue process) run the default market venue's
adapter: the Unified one."""


def bench_venue() -> VenueSpec:
    return registry.venue(BENCH_VENUE)


def live_bench_venue() -> VenueSpec:
    return registry.venue(LIVE_BENCH_VENUE)


def synthetic_frames(
    count: int,
    *,
    products: tuple[str, ...] | None = None,
    seed: int = 1,
    venue_name: str = BENCH_VENUE,
) -> FrameSet:
    """``count`` frames of the simulated market: one snapshot per product, then deltas exactly as
    the simulated venue sends them (2,000 changes/s per product). ``venue_name``'s frames: v1's,
    or Unified ones of the same market changes (``UNIFIED_BENCH_VENUE``)."""
    venue = registry.venue(venue_name)
    products = products or (venue.default_symbol,)
    if count < len(products) + 1:
        raise ValueError(f"need at least {len(products) + 1} frames, got {count}")
    frames: list[Frame] = list(venue.synthetic_frames(count, products, seed))
    return FrameSet(frames, products[0], products, "synthetic", venue=venue_name)


def read_frames(path: Path, symbol: str | None = None) -> FrameSet:
    """Frames of the benchmarked venue from a file: an ``l2console record`` recording (its
    WebSocket text frames, its instrument and traded product), or one raw JSON frame per line
    (blank lines skipped; the first product with a snapshot is traded). Bad frames are kept: the
    parser counts them as drops, as it would live."""
    try:
        with path.open("rb") as file:
            recorded = file.read(2) == GZIP_MAGIC
    except OSError as exc:
        raise FramesError(f"cannot read frames from {path}: {exc}") from None
    if recorded or is_foreign_recording(path):  # tardis.dev, cryptofeed: the venue's frames
        return _read_recording(path, symbol)
    try:
        with path.open(encoding="utf-8") as file:
            frames: list[Frame] = [line.rstrip("\r\n") for line in file if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise FramesError(f"cannot read frames from {path}: {exc}") from None
    traded, products = bench_venue().book_products(frames)
    if not traded:
        raise FramesError(f"{path} holds no {bench_venue().title} book_snapshot frame")
    return FrameSet(frames, traded, products, str(path))


def _read_recording(path: Path, symbol: str | None) -> FrameSet:
    venue = bench_venue()
    try:
        reader = open_recording(path, symbol)
        if registry.resolve_alias(reader.header.venue) != venue.name:
            raise FramesError(
                f"{path} is a {reader.header.venue} recording; the pipeline benchmark parses "
                f"{venue.title} frames"
            )
        records = [r for r in reader.records() if r.kind is RecordKind.WS_TEXT]
    except RecordingError as exc:
        raise FramesError(str(exc)) from None
    frames = [_as_received(record.payload) for record in records]
    times = [(record.recv_ns, record.wall_ns) for record in records]
    instrument = reader.header.instrument
    _, seen = venue.book_products(frames)
    products = (instrument.symbol, *(p for p in seen if p != instrument.symbol))
    if not frames:
        raise FramesError(f"{path} holds no WebSocket frame")
    return FrameSet(frames, instrument.symbol, products, str(path), instrument, times)


def _as_received(payload: bytes) -> Frame:
    """A text frame as the WebSocket client hands it to the feed: ``str``. Bytes that are not
    UTF-8 stay bytes, so the parser counts the frame as a drop instead of it being mended."""
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload
