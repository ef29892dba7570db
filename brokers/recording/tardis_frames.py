"""Book rows as the frames the venue itself sends, for ``brokers.recording.tardis``.

Kraken Futures (WebSocket v1): an ``info`` frame opens a connection, a ``book_snapshot`` frame
carries the full book, a ``book`` frame one level, each with a ``seq``. Binance.us: a
``CONNECTED`` record, the REST depth answer (``lastUpdateId``) as a ``REST_SNAPSHOT`` record, a
``depthUpdate`` frame (``U..u``) per level. The numbers are made up contiguous: tardis rows carry
none, and a file is already in order. A snapshot that follows deltas is a new connection: the
engine throws its book away there and waits for the snapshot, which is tardis' reset rule.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from brokers.recording.format import Record, RecordKind

NS_PER_US = 1000
US_PER_MS = 1000
TARDIS_URL = "tardis.dev incremental_book_L2"


class VenueFrames:
    """Collects a snapshot run, then hands out records; subclasses speak one venue's wire."""

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self._product_json = orjson.dumps(symbol)
        self.records = 0
        self.unused_deltas = 0  # delta rows before the first snapshot
        self._seq = 0
        self._connections = 0
        self._bids: dict[str, str] = {}
        self._asks: dict[str, str] = {}
        self._run: tuple[int, int] | None = None  # (venue µs, local µs) of the pending snapshot
        self._have_book = False

    def start_snapshot(self, venue_us: int, local_us: int) -> None:
        self._run = (venue_us, local_us)
        self._bids, self._asks = {}, {}

    def snapshot_level(self, bid: bool, price: str, amount: str) -> None:
        (self._bids if bid else self._asks)[price] = amount

    def flush(self) -> Iterator[Record]:
        """The pending snapshot run's records (none when no run is pending)."""
        if self._run is None:
            return
        venue_us, local_us = self._run
        self._run = None
        self._seq += 1
        bids = sorted(
            ((p, a) for p, a in self._bids.items() if float(a) > 0),
            key=lambda level: -float(level[0]),
        )
        asks = sorted(
            ((p, a) for p, a in self._asks.items() if float(a) > 0),
            key=lambda level: float(level[0]),
        )
        self._have_book = True
        yield from self._counted(self.snapshot_records(venue_us, local_us, bids, asks))

    def delta(
        self, venue_us: int, local_us: int, bid: bool, price: str, amount: str
    ) -> Iterator[Record]:
        if not self._have_book:
            self.unused_deltas += 1
            return
        self._seq += 1
        yield from self._counted(self.delta_records(venue_us, local_us, bid, price, amount))

    def _counted(self, records: Iterator[Record]) -> Iterator[Record]:
        for record in records:
            self.records += 1
            yield record

    def new_connection(self) -> bool:
        """Counts a connection; True for every one after the first (a reset)."""
        self._connections += 1
        return self._connections > 1

    def snapshot_records(
        self, venue_us: int, local_us: int, bids: list[tuple[str, str]], asks: list[tuple[str, str]]
    ) -> Iterator[Record]:
        raise NotImplementedError

    def delta_records(
        self, venue_us: int, local_us: int, bid: bool, price: str, amount: str
    ) -> Iterator[Record]:
        raise NotImplementedError


def _text(local_us: int, payload: dict[str, object]) -> Record:
    ns = local_us * NS_PER_US
    return Record(RecordKind.WS_TEXT, ns, ns, orjson.dumps(payload))


def _json_levels(levels: list[tuple[str, str]]) -> list[dict[str, object]]:
    return [{"price": orjson.Fragment(p), "qty": orjson.Fragment(a)} for p, a in levels]


class KrakenFuturesFrames(VenueFrames):
    def snapshot_records(
        self, venue_us: int, local_us: int, bids: list[tuple[str, str]], asks: list[tuple[str, str]]
    ) -> Iterator[Record]:
        self.new_connection()
        yield _text(local_us, {"event": "info", "version": 1})
        yield _text(
            local_us,
            {
                "feed": "book_snapshot",
                "product_id": self.symbol,
                "timestamp": venue_us // US_PER_MS,
                "seq": self._seq,
                "tickSize": None,
                "bids": _json_levels(bids),
                "asks": _json_levels(asks),
            },
        )

    def delta_records(
        self, venue_us: int, local_us: int, bid: bool, price: str, amount: str
    ) -> Iterator[Record]:
        # One frame a row: formatted, not built as a dict (numbers are checked plain decimals).
        ns = local_us * NS_PER_US
        frame = _KRAKEN_BOOK % (
            self._product_json,
            _BUY if bid else _SELL,
            self._seq,
            price.encode(),
            amount.encode(),
            venue_us // US_PER_MS,
        )
        yield Record(RecordKind.WS_TEXT, ns, ns, frame)


_KRAKEN_BOOK = (
    b'{"feed":"book","product_id":%s,"side":%s,"seq":%d,"price":%s,"qty":%s,"timestamp":%d}'
)
_BUY, _SELL = b'"buy"', b'"sell"'


class BinanceUsFrames(VenueFrames):
    def snapshot_records(
        self, venue_us: int, local_us: int, bids: list[tuple[str, str]], asks: list[tuple[str, str]]
    ) -> Iterator[Record]:
        ns = local_us * NS_PER_US
        self.new_connection()
        yield Record(RecordKind.CONNECTED, ns, ns, TARDIS_URL.encode())
        body = {
            "lastUpdateId": self._seq,
            "bids": [list(level) for level in bids],
            "asks": [list(level) for level in asks],
        }
        yield Record(RecordKind.REST_SNAPSHOT, ns, ns, orjson.dumps(body), self.symbol)

    def delta_records(
        self, venue_us: int, local_us: int, bid: bool, price: str, amount: str
    ) -> Iterator[Record]:
        level = [[price, amount]]
        yield _text(
            local_us,
            {
                "e": "depthUpdate",
                "E": venue_us // US_PER_MS,
                "s": self.symbol,
                "U": self._seq,
                "u": self._seq,
                "b": level if bid else [],
                "a": [] if bid else level,
            },
        )


def frames_for(venue: str, symbol: str) -> VenueFrames:
    if venue == "kraken":
        return KrakenFuturesFrames(symbol)
    if venue == "binance_us":
        return BinanceUsFrames(symbol)
    raise ValueError(f"no frames for venue {venue!r}")
