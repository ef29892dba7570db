"""cryptofeed's raw data collection files read as recordings (Kraken Futures, Binance.us).

cryptofeed (``FeedHandler(raw_data_collection=AsyncFileCallback(dir))``) writes, per
connection, one line per event: ``configuration: {…}`` first, then ``URL <-> TS`` when a
WebSocket connection opens, ``URL <- TS: DATA`` for a message it sent, ``URL -> TS: DATA`` for a
REST answer, and ``TS: DATA`` for a message received (``TS``: seconds since the epoch, a float).
Those are the venue's own frames: received messages become WebSocket records, REST depth answers
REST snapshot records (the symbol from the URL), openings connections, so the venue's real parser
replays them as it replays an l2console recording. Sent messages are counted, not replayed.
Lines that are none of these are counted and reported, never guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlsplit

from brokers.recording.format import Record, RecordingError, RecordingHeader, RecordKind
from brokers.recording.reader import ReadReport
from brokers.recording.tardis import READ_ERRORS, instrument_for, open_text

CONNECT = re.compile(r"^(?P<url>\S+://\S+) <-> (?P<ts>\d+(?:\.\d+)?)$")
SENT = re.compile(r"^(?P<url>\S+://\S+) <- (?P<ts>\d+(?:\.\d+)?): (?P<data>.*)$")
REST = re.compile(r"^(?P<url>\S+://\S+) -> (?P<ts>\d+(?:\.\d+)?): (?P<data>.*)$")
RECEIVED = re.compile(r"^(?P<ts>\d+(?:\.\d+)?): (?P<data>.*)$")
HEADER_PREFIX = "configuration: "
NS_PER_S = Decimal(1_000_000_000)
HOSTS = {"futures.kraken.com": "kraken", "binance.us": "binance_us"}
_KRAKEN_PRODUCT = re.compile(rb'"feed"\s*:\s*"book_snapshot".*?"product_id"\s*:\s*"([^"]+)"')


def is_cryptofeed_raw(path: Path) -> bool:
    """Whether ``path`` starts like a cryptofeed raw data collection file."""
    try:
        with open_text(path) as text:
            first = text.readline(1 << 16).rstrip("\r\n")
            while first == "":
                line = text.readline(1 << 16)
                if not line:
                    return False
                first = line.rstrip("\r\n")
    except (*READ_ERRORS, UnicodeDecodeError):
        return False
    return first.startswith(HEADER_PREFIX) or CONNECT.match(first) is not None


def venue_of(url: str) -> str | None:
    host = urlsplit(url).hostname or ""
    for suffix, venue in HOSTS.items():
        if host == suffix or host.endswith("." + suffix):
            return venue
    return None


def _ns(ts: str) -> int | None:
    try:
        return int(Decimal(ts) * NS_PER_S)
    except InvalidOperation:
        return None


def _rest_symbol(url: str) -> str:
    return (parse_qs(urlsplit(url).query).get("symbol") or [""])[0].upper()


class CryptofeedReader:
    """A cryptofeed raw data collection file (gzip or plain) with ``RecordingReader``'s face."""

    def __init__(self, path: Path, symbol: str | None = None) -> None:
        from brokers import registry  # noqa: PLC0415 - the registry imports this package lazily

        if not path.is_file():
            raise RecordingError(f"{path}: no such file")
        self.path = path
        self.parts = [path]
        venue, products, first_ns = self._scan()
        if venue is None:
            raise RecordingError(
                f"{path} is a cryptofeed file of no venue this l2console replays "
                "(Kraken Futures, Binance.us)"
            )
        if not products:
            raise RecordingError(f"{path} holds no order book of {registry.venue(venue).title}")
        held = ", ".join(sorted(products))
        if symbol is None:
            if len(products) > 1:
                raise RecordingError(
                    f"{path} holds several symbols: {held}; choose one with --symbol"
                )
            (chosen,) = products
        elif symbol.upper() in products:
            chosen = symbol.upper()
        else:
            raise RecordingError(f"{path} holds no {symbol} book; it holds {held}")
        instrument, listed = instrument_for(venue, chosen)
        extra: dict[str, object] = {
            "long_only": registry.venue(venue).long_only,
            "source": "cryptofeed raw data collection",
        }
        if not listed:
            extra["instrument_rules"] = "unknown: generic tick and size steps"
        self.header = RecordingHeader(
            venue=venue,
            environment="production",
            venue_name=f"{registry.venue(venue).title} (cryptofeed)",
            products=(chosen, *sorted(p for p in products if p != chosen)),
            instrument=instrument,
            recording_id=f"cryptofeed:{path.name}",
            started_wall_ns=first_ns,
            extra=extra,
        )
        self.total_bytes = path.stat().st_size
        self.bytes_read = 0
        self.report = ReadReport()
        self.sent = 0
        self.unreadable = 0

    def _scan(self) -> tuple[str | None, set[str], int]:
        venue: str | None = None
        products: set[str] = set()
        first_ns = 0
        with open_text(self.path) as text:
            for raw in _lines(text, []):
                line = raw.rstrip("\r\n")
                if match := CONNECT.match(line) or SENT.match(line) or REST.match(line):
                    venue = venue or venue_of(match["url"])
                    first_ns = first_ns or (_ns(match["ts"]) or 0)
                    if match.re is REST and (symbol := _rest_symbol(match["url"])):
                        products.add(symbol)
                elif (match := RECEIVED.match(line)) and b"book_snapshot" in (
                    data := match["data"].encode()
                ):
                    first_ns = first_ns or (_ns(match["ts"]) or 0)
                    if found := _KRAKEN_PRODUCT.search(data):
                        products.add(found.group(1).decode().upper())
        return venue, products, first_ns

    def records(self) -> Iterator[Record]:
        """Every record, from the first line (each call reads the file again)."""
        self.report, self.sent, self.unreadable = ReadReport(parts=1), 0, 0
        report = self.report
        last_ns = 0
        problems: list[str] = []
        with open_text(self.path) as text:
            for number, raw in enumerate(_lines(text, problems), start=1):
                line = raw.rstrip("\r\n")
                if number % 4096 == 0:
                    self.bytes_read = min(self.total_bytes, self.bytes_read + 4096 * 64)
                if not line or line.startswith(HEADER_PREFIX):
                    continue
                record = self._record(line)
                if record is None:
                    continue
                if record.recv_ns < last_ns:  # never backwards: the replay clock only advances
                    record = Record(record.kind, last_ns, last_ns, record.payload, record.tag)
                last_ns = record.recv_ns
                report.records += 1
                yield record
        self.bytes_read = report.compressed_bytes = self.total_bytes
        for problem in problems:
            report.skipped.append(
                f"{self.path.name}: unreadable part way ({problem}): the rest skipped"
            )
        if self.unreadable:
            report.skipped.append(f"{self.path.name}: {self.unreadable} unreadable lines skipped")
        if self.sent:
            report.skipped.append(
                f"{self.path.name}: {self.sent} messages cryptofeed sent (not replayed)"
            )

    def _record(self, line: str) -> Record | None:
        if match := RECEIVED.match(line):
            kind, tag = RecordKind.WS_TEXT, ""
        elif match := CONNECT.match(line):
            ns = _ns(match["ts"])
            if ns is None:
                self.unreadable += 1
                return None
            return Record(RecordKind.CONNECTED, ns, ns, match["url"].encode())
        elif match := REST.match(line):
            kind, tag = RecordKind.REST_SNAPSHOT, _rest_symbol(match["url"])
        elif SENT.match(line):
            self.sent += 1
            return None
        else:
            self.unreadable += 1
            return None
        ns = _ns(match["ts"])
        if ns is None:
            self.unreadable += 1
            return None
        return Record(kind, ns, ns, match["data"].encode(), tag)


def _lines(text: IO[str], problems: list[str]) -> Iterator[str]:
    try:
        yield from text
    except READ_ERRORS as exc:
        problems.append(str(exc) or type(exc).__name__)
