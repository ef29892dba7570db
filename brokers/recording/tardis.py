"""tardis.dev ``incremental_book_L2`` CSV files read as recordings of the venue's own frames.

A tardis file holds one row per changed level: ``exchange, symbol, timestamp, local_timestamp,
is_snapshot, side, price, amount`` (timestamps in µs since the epoch; ``amount`` is the new
absolute size, 0 removes the level). A run of ``is_snapshot=true`` rows is a full book: it
replaces the book, and a snapshot run that starts after deltas resets it (the venue
reconnected). The rows carry no venue sequence numbers.

``TardisReader`` turns the rows of one symbol into the frames the venue would have sent
(``brokers.recording.tardis_frames``), with sequence numbers made up contiguous, so the venue's
real parser, the real book and the real engine replay them unchanged, and ``l2console convert``
writes those frames as an ordinary recording. It has ``RecordingReader``'s face (``header``,
``records()``, ``report``, ``bytes_read``/``total_bytes``).

Rows that cannot be part of a true book are counted and left out, never guessed at: malformed
rows, exact repeats of the previous row, a side other than bid/ask, a price that is not
positive, an amount below zero, times going backwards (the row keeps the last time). A crossed
book is the real book's business: it goes SYNCING and counts it, as live, until the next snapshot.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from brokers.recording.format import Record, RecordingError, RecordingHeader
from brokers.recording.reader import ReadReport
from brokers.recording.tardis_frames import frames_for
from core.enums import ContractType
from core.instrument import Instrument

COLUMNS = (
    "exchange",
    "symbol",
    "timestamp",
    "local_timestamp",
    "is_snapshot",
    "side",
    "price",
    "amount",
)
HEADER_LINE = ",".join(COLUMNS)
GZIP_MAGIC = b"\x1f\x8b"
NS_PER_US = 1000

EXCHANGES = {
    # tardis.dev exchange id -> registry venue. Kraken Futures is ``cryptofacilities`` at
    # tardis (its name before Kraken bought it; tardis' ``kraken`` is Kraken spot).
    "cryptofacilities": "kraken",
    "binance-us": "binance_us",
}


READ_ERRORS = (OSError, EOFError, zlib.error, csv.Error)
"""What a torn gzip file or a binary one raises part way: the rest is skipped and reported."""


def is_tardis_csv(path: Path) -> bool:
    """Whether ``path`` (gzip or plain) starts with tardis' ``incremental_book_L2`` header."""
    try:
        with open_text(path) as text:
            first = text.readline(4096)
    except (*READ_ERRORS, UnicodeDecodeError):
        return False
    return first.strip().lstrip("\ufeff") == HEADER_LINE


def open_text(path: Path) -> IO[str]:
    """``path`` as text, gzip or plain (the caller closes it)."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    raw: IO[bytes] = (
        gzip.open(path, "rb")  # noqa: SIM115 - handed to the caller, who closes it
        if magic == GZIP_MAGIC
        else path.open("rb")
    )
    return io.TextIOWrapper(raw, encoding="utf-8", newline="", errors="replace")


def readable_rows(text: IO[str], problems: list[str] | None = None) -> Iterator[list[str]]:
    """The CSV rows of ``text`` after the header, up to the first unreadable byte (the reason
    appended to ``problems``)."""
    rows = csv.reader(text)
    try:
        next(rows, None)
        yield from rows
    except READ_ERRORS as exc:
        if problems is not None:
            problems.append(str(exc) or type(exc).__name__)


@dataclass(slots=True)
class RowCounts:
    """What reading the rows found, for the report (``ReadReport.skipped``)."""

    rows: int = 0
    used: int = 0
    other_symbols: dict[str, int] = field(default_factory=dict)
    malformed: int = 0
    repeated: int = 0
    backwards: int = 0
    snapshots: int = 0

    def lines(self, path: Path) -> list[str]:
        out = []
        if self.malformed:
            out.append(f"{path.name}: {self.malformed} malformed rows skipped")
        if self.repeated:
            out.append(f"{path.name}: {self.repeated} repeated rows skipped")
        if self.backwards:
            out.append(f"{path.name}: {self.backwards} rows earlier than the row before (kept)")
        if self.other_symbols:
            held = ", ".join(f"{s} ({n})" for s, n in sorted(self.other_symbols.items()))
            out.append(f"{path.name}: rows of other symbols skipped: {held}")
        return out


def scan_symbols(path: Path) -> tuple[str, dict[str, int]]:
    """The exchange and the rows per symbol of a tardis file (one pass)."""
    exchange = ""
    counts: dict[str, int] = {}
    with open_text(path) as text:
        for row in readable_rows(text):
            if len(row) != len(COLUMNS):
                continue
            exchange = exchange or row[0]
            counts[row[1]] = counts.get(row[1], 0) + 1
    return exchange, counts


def choose_symbol(path: Path, symbol: str | None) -> tuple[str, str]:
    """(exchange, symbol) to replay; a one-line ``RecordingError`` when it is not clear."""
    exchange, counts = scan_symbols(path)
    if not counts:
        raise RecordingError(f"{path} is a tardis.dev CSV file without any book row")
    held = ", ".join(f"{s} ({n} rows)" for s, n in sorted(counts.items()))
    if symbol is None:
        if len(counts) > 1:
            raise RecordingError(f"{path} holds several symbols: {held}; choose one with --symbol")
        return exchange, next(iter(counts))
    if symbol not in counts:
        upper = {s.upper(): s for s in counts}
        if symbol.upper() in upper:
            return exchange, upper[symbol.upper()]
        raise RecordingError(f"{path} holds no {symbol} rows; it holds {held}")
    return exchange, symbol


def instrument_for(venue: str, symbol: str) -> tuple[Instrument, bool]:
    """The symbol's trading rules as the simulated venue knows them; generic fine-grained ones
    (and False) for a symbol it does not list."""
    from brokers.sim.market.products import ALL_PRODUCTS  # noqa: PLC0415 - only for tardis files

    for spec in ALL_PRODUCTS:
        if spec.symbol.upper() == symbol.upper():
            return Instrument(
                symbol=spec.symbol,
                contract_type=spec.contract_type,
                tick_size=spec.tick_size,
                size_step=spec.size_step,
                contract_size=spec.contract_size,
                base=spec.base,
                quote=spec.quote,
            ), True
    contract = ContractType.SPOT if venue == "binance_us" else ContractType.LINEAR
    return Instrument(
        symbol=symbol.upper(),
        contract_type=contract,
        tick_size=Decimal("0.00000001"),
        size_step=Decimal("0.00000001"),
    ), False


class TardisReader:
    """One symbol of a tardis.dev ``incremental_book_L2`` file, as venue frames (module doc)."""

    def __init__(self, path: Path, symbol: str | None = None) -> None:
        from brokers import registry  # noqa: PLC0415 - the registry imports this package lazily

        if not path.is_file():
            raise RecordingError(f"{path}: no such file")
        self.path = path
        self.parts = [path]
        exchange, self.symbol = choose_symbol(path, symbol)
        venue = EXCHANGES.get(exchange)
        if venue is None:
            known = ", ".join(sorted(EXCHANGES))
            raise RecordingError(
                f"{path} is tardis.dev data of exchange {exchange!r}; this l2console replays {known}"
            )
        instrument, listed = instrument_for(venue, self.symbol)
        self.total_bytes = path.stat().st_size
        self.bytes_read = 0
        self.report = ReadReport()
        self.rows = RowCounts()
        first_us = self._first_local_us()
        extra: dict[str, object] = {
            "long_only": registry.venue(venue).long_only,
            "source": "tardis.dev incremental_book_L2",
            "tardis_exchange": exchange,
            "tardis_symbol": self.symbol,
        }
        if not listed:
            extra["instrument_rules"] = "unknown: generic tick and size steps"
        self.header = RecordingHeader(
            venue=venue,
            environment="production",
            venue_name=f"{registry.venue(venue).title} (tardis.dev)",
            products=(instrument.symbol,),
            instrument=instrument,
            recording_id=f"tardis:{path.name}:{self.symbol}",
            started_wall_ns=first_us * NS_PER_US,
            extra=extra,
        )

    def _first_local_us(self) -> int:
        with open_text(self.path) as text:
            for row in readable_rows(text):
                if len(row) == len(COLUMNS) and row[1] == self.symbol:
                    try:
                        return int(row[3])
                    except ValueError:
                        continue
        return 0

    def records(self) -> Iterator[Record]:
        """Every record, from the first row (each call reads the file again)."""
        self.report, self.rows = ReadReport(parts=1), RowCounts()
        report = self.report
        frames = frames_for(self.header.venue, self.header.instrument.symbol)
        in_snapshot = False
        run_us = -1
        for venue_us, local_us, snapshot, bid, price, amount in self._levels():
            if snapshot:
                # Rows of one snapshot share its time: a new time starts another snapshot.
                if not in_snapshot or venue_us != run_us:
                    run_us = venue_us
                    yield from frames.flush()
                    frames.start_snapshot(venue_us, local_us)
                    self.rows.snapshots += 1
                    in_snapshot = True
                frames.snapshot_level(bid, price, amount)
                continue
            if in_snapshot:
                yield from frames.flush()
                in_snapshot = False
            yield from frames.delta(venue_us, local_us, bid, price, amount)
        yield from frames.flush()
        report.records = frames.records
        self.bytes_read = report.compressed_bytes = self.total_bytes
        report.skipped.extend(self.rows.lines(self.path))
        if frames.unused_deltas:
            report.skipped.append(
                f"{self.path.name}: {frames.unused_deltas} rows before the first snapshot "
                "skipped (no book to apply them to)"
            )

    def _levels(self) -> Iterator[Level]:
        """The symbol's rows that can be part of a true book, in order (the rest counted)."""
        counts, symbol = self.rows, self.symbol
        previous: list[str] | None = None
        last_us = -1
        problems: list[str] = []
        with open_text(self.path) as text:
            raw_file = text.buffer
            for row in readable_rows(text, problems):
                counts.rows += 1
                if counts.rows % 4096 == 0:
                    self.bytes_read = _position(raw_file)
                if len(row) != len(COLUMNS):
                    counts.malformed += 1
                    continue
                if row[1] != symbol:
                    counts.other_symbols[row[1]] = counts.other_symbols.get(row[1], 0) + 1
                    continue
                if row == previous:
                    counts.repeated += 1
                    continue
                level = _level(row)
                if level is None:
                    counts.malformed += 1
                    continue
                previous = row
                if level[1] < last_us:
                    counts.backwards += 1
                    level = (level[0], last_us, *level[2:])
                last_us = level[1]
                counts.used += 1
                yield level
        for problem in problems:
            self.report.skipped.append(
                f"{self.path.name}: unreadable after row {counts.rows} ({problem}): the rest skipped"
            )


def _position(raw: IO[bytes]) -> int:
    """Compressed bytes consumed so far (the file under a gzip reader)."""
    inner = getattr(raw, "fileobj", None) or getattr(raw, "raw", None) or raw
    try:
        return inner.tell()
    except (OSError, ValueError, AttributeError):
        return 0


Level = tuple[int, int, bool, bool, str, str]
"""(timestamp µs, local_timestamp µs, is_snapshot, is bid, price, amount)."""


def _level(row: list[str]) -> Level | None:
    """(timestamp µs, local_timestamp µs, is_snapshot, is bid, price, amount), or None if bad."""
    _, _, stamp, local, snap, side, price, amount = row
    if side == "bid":
        bid = True
    elif side == "ask":
        bid = False
    else:
        return None
    if snap == "true":
        snapshot = True
    elif snap == "false":
        snapshot = False
    else:
        return None
    try:
        venue_us, local_us = int(stamp), int(local)
    except ValueError:
        return None
    if venue_us < 0 or local_us < 0:
        return None
    price_text, amount_text = _number(price), _number(amount)
    if price_text is None or amount_text is None or float(price_text) <= 0:
        return None
    return venue_us, local_us, snapshot, bid, price_text, amount_text


_PLAIN = re.compile(r"\d+(?:\.\d+)?")


def _number(text: str) -> str | None:
    """``text`` as a plain non-negative decimal (written into JSON frames as a number), or
    None. The common spelling passes as it is; any other (``1e-05``) goes through Decimal."""
    if _PLAIN.fullmatch(text):
        return text
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0:
        return None
    return format(value, "f")
