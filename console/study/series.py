"""A recording's book, replayed update by update, with every signal's value at each update."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from brokers.recording import RecordingHeader, feed_record
from brokers.recording.sources import open_recording
from brokers.registry import decoder_for
from console.study.book_follower import BookFollower
from core.enums import BookState
from core.signals import BookSignal, make_signal


@dataclass(slots=True)
class Series:
    """Parallel columns, one row per venue timestamp of a LIVE two-sided book.

    A row is the book after the last update stamped with one venue time: a sweep through five
    levels arrives as five Kraken messages with one timestamp, and the book between them (and
    any signal read there) is a picture no trader could act on. Signals still see every update.

    ``recv_ns`` is the recording's monotonic receive time, ``mids`` the mid after the update,
    ``spreads_bps`` the spread then; ``values[name]`` each signal's value after the update.
    """

    path: Path
    header: RecordingHeader
    recv_ns: array = field(default_factory=lambda: array("q"))
    mids: array = field(default_factory=lambda: array("d"))
    spreads_bps: array = field(default_factory=lambda: array("d"))
    values: dict[str, array] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.mids)


class _StudySink(BookFollower):
    """The decoder's sink: updates one product's book, then every signal, and keeps the row."""

    def __init__(
        self, product: str, depth: int, signals: Sequence[BookSignal], series: Series
    ) -> None:
        super().__init__(product, depth, signals)
        self.series = series
        self._columns = [series.values[s.name] for s in self.signals]
        self._pending: tuple[int, int, float, float, list[float]] | None = None

    def before_snapshot(self) -> None:
        self.flush()

    def updated(self, venue_ts_ns: int, recv_ns: int) -> None:
        pending = self._pending
        if pending is not None and (venue_ts_ns != pending[0] or not venue_ts_ns):
            self.flush()
        book = self.book
        bid, ask = book.best_bid, book.best_ask
        if bid is None or ask is None or book.state is not BookState.LIVE:
            self._pending = None
            return
        values = [signal.update(book) for signal in self.signals]
        spread = (ask - bid) / (ask + bid) * 20_000.0
        self._pending = (venue_ts_ns, recv_ns, (bid + ask) * 0.5, spread, values)

    def flush(self) -> None:
        """Keep the row of the last venue time seen (at a new time, a snapshot, the end)."""
        pending = self._pending
        if pending is None:
            return
        self._pending = None
        _, recv_ns, mid, spread, values = pending
        series = self.series
        series.recv_ns.append(recv_ns)
        series.mids.append(mid)
        series.spreads_bps.append(spread)
        for column, value in zip(self._columns, values, strict=True):
            column.append(value)


def read_series(
    path: Path, names: Sequence[str], *, depth: int = 10, symbol: str | None = None
) -> Series:
    """Replay ``path``'s book for its instrument and compute the named signals at every update.

    ``depth`` is the top-N of the guide's ratio (the ``imbalance_depth`` setting).
    """
    reader = open_recording(path, symbol)
    header = reader.header
    series = Series(path=path, header=header, values={name: array("d") for name in names})
    sink = _StudySink(header.instrument.symbol, depth, [make_signal(n) for n in names], series)
    decoder = decoder_for(header, sink)
    for record in reader.records():
        feed_record(decoder, record)
    sink.flush()
    return series
