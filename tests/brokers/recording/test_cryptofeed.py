"""cryptofeed raw data collection files replayed through the venues' real parsers."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from brokers.recording import RecordingError, RecordingReader, RecordKind
from brokers.recording.cryptofeed import CryptofeedReader, is_cryptofeed_raw
from brokers.recording.sources import open_recording

KF_URL = "wss://futures.kraken.com/ws/v1"
BUS_WS = "wss://stream.binance.us:9443/stream?streams=btcusd@depth@100ms"
BUS_REST = "https://api.binance.us/api/v3/depth?symbol=BTCUSD&limit=1000"
T0 = 1714564800.0


def cryptofeed_of_recording(recording: Path, target: Path, *, gz: bool = False) -> Path:
    """A Kraken Futures l2console recording as cryptofeed would have written it."""
    lines = ["configuration: {'log': {'filename': 'demo.log'}}", f"{KF_URL} <-> {T0}"]
    subscribe = {"event": "subscribe", "feed": "book", "product_ids": ["PF_XBTUSD"]}
    lines.append(f"{KF_URL} <- {T0}: {orjson.dumps(subscribe).decode()}")
    for record in RecordingReader(recording).records():
        lines.append(f"{record.wall_ns / 1e9}: {record.payload.decode()}")
    data = ("\n".join(lines) + "\n").encode()
    target.write_bytes(gzip.compress(data) if gz else data)
    return target


def binance_lines() -> list[str]:
    def update(first: int, last: int, bids: list[list[str]], asks: list[list[str]]) -> str:
        data = {
            "e": "depthUpdate",
            "E": int(T0 * 1000) + last,
            "s": "BTCUSD",
            "U": first,
            "u": last,
            "b": bids,
            "a": asks,
        }
        return orjson.dumps({"stream": "btcusd@depth@100ms", "data": data}).decode()

    snapshot = {"lastUpdateId": 10, "bids": [["100.00", "1.0"]], "asks": [["100.10", "2.0"]]}
    return [
        "configuration: {}",
        f"{BUS_WS} <-> {T0}",
        f"{T0 + 0.1}: {update(9, 10, [['99.90', '1.0']], [])}",
        f"{BUS_REST} -> {T0 + 0.2}: {orjson.dumps(snapshot).decode()}",
        f"{T0 + 0.3}: {update(11, 12, [['100.00', '3.0']], [['100.20', '1.0']])}",
        "this line is not cryptofeed's",
        f"{T0 + 0.4}: {update(13, 13, [], [['100.10', '0']])}",
    ]


def test_a_binance_us_file_becomes_connection_rest_and_stream_records(tmp_path: Path) -> None:
    path = tmp_path / "BINANCE_US.0"
    path.write_text("\n".join(binance_lines()) + "\n")
    assert is_cryptofeed_raw(path)
    reader = open_recording(path)
    records = list(reader.records())

    assert isinstance(reader, CryptofeedReader)
    assert reader.header.venue == "binance_us"
    assert reader.header.instrument.symbol == "BTCUSD"
    assert [r.kind for r in records] == [
        RecordKind.CONNECTED,
        RecordKind.WS_TEXT,
        RecordKind.REST_SNAPSHOT,
        RecordKind.WS_TEXT,
        RecordKind.WS_TEXT,
    ]
    assert records[2].tag == "BTCUSD"
    assert records[0].recv_ns == 1_714_564_800_000_000_000
    assert reader.report.skipped == ["BINANCE_US.0: 1 unreadable lines skipped"]


def test_a_kraken_futures_file_names_its_products_and_asks_for_one(tmp_path: Path) -> None:
    book = {"feed": "book_snapshot", "product_id": "PF_XBTUSD", "seq": 1, "bids": [], "asks": []}
    other = {**book, "product_id": "PF_ETHUSD"}
    path = tmp_path / "KRAKEN_FUTURES.0"
    path.write_text(
        f"{KF_URL} <-> {T0}\n{T0}: {orjson.dumps(book).decode()}\n"
        f"{T0}: {orjson.dumps(other).decode()}\n"
    )
    with pytest.raises(RecordingError, match="several symbols: PF_ETHUSD, PF_XBTUSD"):
        open_recording(path)
    header = open_recording(path, "pf_ethusd").header
    assert (header.venue, header.instrument.symbol) == ("kraken", "PF_ETHUSD")
    assert header.products == ("PF_ETHUSD", "PF_XBTUSD")


def test_a_file_of_another_exchange_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "COINBASE.0"
    path.write_text(f"wss://ws-feed.exchange.coinbase.com <-> {T0}\n{T0}: {{}}\n")
    with pytest.raises(RecordingError, match="no venue this l2console replays"):
        open_recording(path)


def test_a_torn_gzip_file_keeps_its_readable_lines(tmp_path: Path) -> None:
    lines = binance_lines() * 400
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    torn = tmp_path / "BINANCE_US.0.gz"
    torn.write_bytes(data[: len(data) // 2])
    reader = open_recording(torn)
    assert len(list(reader.records())) > 10
    assert any("unreadable part way" in note for note in reader.report.skipped)
