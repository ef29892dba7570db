"""``l2console export FILE --to features.parquet``: one row per book update, every signal in it.

The recording's book is rebuilt by the venue's real parser (as a replay does, no engine); each
update applied to the traded instrument's book while it is LIVE with both sides present is one
row: its times, the touch, the mid and spread, and the value of every signal of the strategy lab
after the update (``core.signals``, reset at each snapshot as the engine resets them). Rows are
written in batches, so a long recording never sits in memory whole. Columns: ``COLUMNS`` (the
README documents them).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brokers.recording import feed_record
from brokers.recording.sources import open_recording
from brokers.registry import decoder_for
from console.parquet.arrow import pyarrow_modules
from console.study.book_follower import BookFollower
from core.enums import BookState
from core.signals import SIGNAL_NAMES, make_signal

BATCH_ROWS = 65_536
_LIVE = BookState.LIVE
_INT_COLUMNS = ("recv_ns", "wall_ns", "venue_ns")
_TOUCH_COLUMNS = (
    "best_bid",
    "best_bid_size",
    "best_ask",
    "best_ask_size",
    "mid",
    "spread",
    "spread_bps",
)
COLUMNS = ("recv_ns", "time", "venue_time", *_TOUCH_COLUMNS, *SIGNAL_NAMES)


@dataclass(frozen=True, slots=True)
class ExportSummary:
    rows: int
    symbol: str
    frames: int


class _FeatureSink(BookFollower):
    """The decoder's sink: one product's book, every signal, and a row per applied update."""

    def __init__(self, product: str, depth: int) -> None:
        super().__init__(product, depth, [make_signal(name) for name in SIGNAL_NAMES])
        self.wall_ns = 0  # the current record's wall-clock receive time, set by the loop
        self.ints: dict[str, array] = {}
        self.floats: dict[str, array] = {}
        self.clear()

    def clear(self) -> None:
        self.ints = {name: array("q") for name in _INT_COLUMNS}
        self.floats = {name: array("d") for name in (*_TOUCH_COLUMNS, *SIGNAL_NAMES)}

    def __len__(self) -> int:
        return len(self.ints["recv_ns"])

    def updated(self, venue_ts_ns: int, recv_ns: int) -> None:
        book = self.book
        touch = book.touch()
        if touch is None or book.state is not _LIVE:
            return
        bid, bid_size, ask, ask_size = touch
        ints, floats = self.ints, self.floats
        ints["recv_ns"].append(recv_ns)
        ints["wall_ns"].append(self.wall_ns)
        ints["venue_ns"].append(venue_ts_ns)
        spread = ask - bid
        for name, value in (
            ("best_bid", bid),
            ("best_bid_size", bid_size),
            ("best_ask", ask),
            ("best_ask_size", ask_size),
            ("mid", (bid + ask) * 0.5),
            ("spread", spread),
            ("spread_bps", spread / (ask + bid) * 20_000.0),
        ):
            floats[name].append(value)
        for signal in self.signals:
            floats[signal.name].append(signal.update(book))


def export_features(
    path: Path, out: Path, *, depth: int = 10, symbol: str | None = None
) -> ExportSummary:
    """Write ``path``'s book updates with every signal to the Parquet file ``out``."""
    pa, pq = pyarrow_modules()
    reader = open_recording(path, symbol)
    header = reader.header
    product = header.instrument.symbol
    sink = _FeatureSink(product, depth)
    decoder = decoder_for(header, sink)
    schema = _schema(pa, header.venue, product)
    rows = frames = 0
    with pq.ParquetWriter(str(out), schema) as writer:
        for record in reader.records():
            sink.wall_ns = record.wall_ns
            feed_record(decoder, record)
            frames += 1
            if len(sink) >= BATCH_ROWS:
                rows += _write(pa, writer, schema, sink)
        rows += _write(pa, writer, schema, sink)
    return ExportSummary(rows, product, frames)


def _schema(pa: Any, venue: str, product: str) -> Any:
    utc = pa.timestamp("ns", tz="UTC")
    fields = [
        pa.field("recv_ns", pa.int64(), nullable=False),
        pa.field("time", utc, nullable=False),
        pa.field("venue_time", utc),
        *(pa.field(name, pa.float64(), nullable=False) for name in _TOUCH_COLUMNS),
        *(pa.field(name, pa.float64(), nullable=False) for name in SIGNAL_NAMES),
    ]
    return pa.schema(fields, metadata={"venue": venue, "symbol": product})


def _write(pa: Any, writer: Any, schema: Any, sink: _FeatureSink) -> int:
    count = len(sink)
    if not count:
        return 0
    ints, floats = sink.ints, sink.floats
    venue = pa.array([ns or None for ns in ints["venue_ns"]], type=pa.int64())  # 0: unstamped
    columns = [
        pa.array(ints["recv_ns"], type=pa.int64()),
        pa.array(ints["wall_ns"], type=pa.int64()).cast(schema.field("time").type),
        venue.cast(schema.field("venue_time").type),
        *(pa.array(floats[name], type=pa.float64()) for name in (*_TOUCH_COLUMNS, *SIGNAL_NAMES)),
    ]
    writer.write_table(pa.Table.from_arrays(columns, schema=schema))
    sink.clear()
    return count
