"""tardis.dev CSV files read as the venue's own frames: detection, symbols, counted bad rows."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from brokers.recording import RecordingError, RecordKind
from brokers.recording.sources import open_recording
from brokers.recording.tardis import TardisReader, is_tardis_csv
from tests.brokers.recording.tardis_files import T0_US, row, snapshot_rows, write_tardis

BOOK = snapshot_rows(T0_US, [("100.0", "1"), ("99.5", "2")], [("100.5", "1"), ("101.0", "3")])


def test_gzip_and_plain_files_are_told_by_content_not_by_name(tmp_path: Path) -> None:
    rows = [*BOOK, row(T0_US + 10, "bid", "100.0", "4")]
    plain = write_tardis(tmp_path / "book.gz", rows)  # plain text, misleading name
    packed = write_tardis(tmp_path / "book.data", rows, gz=True)
    other = tmp_path / "notes.csv"
    other.write_text("a,b,c\n1,2,3\n")

    assert is_tardis_csv(plain) and is_tardis_csv(packed)
    assert not is_tardis_csv(other)
    assert [r.payload for r in open_recording(plain).records()] == [
        r.payload for r in open_recording(packed).records()
    ]
    with pytest.raises(RecordingError, match="not an l2console recording"):
        open_recording(other)


def test_kraken_futures_rows_become_info_snapshot_and_book_frames_with_contiguous_seq(
    tmp_path: Path,
) -> None:
    path = write_tardis(
        tmp_path / "kf.csv",
        [
            *BOOK,
            row(T0_US + 10, "bid", "100.0", "4"),
            row(T0_US + 20, "ask", "100.5", "0"),
            row(T0_US + 30, "ask", "1.005E+2", "2.5e1"),  # another spelling: written plain
        ],
    )
    reader = open_recording(path)
    frames = [orjson.loads(r.payload) for r in reader.records()]

    assert reader.header.venue == "kraken"
    assert reader.header.instrument.symbol == "PF_XBTUSD"
    assert reader.header.started_wall_ns == T0_US * 1000
    assert frames[0] == {"event": "info", "version": 1}
    snapshot = frames[1]
    assert snapshot["feed"] == "book_snapshot"
    assert snapshot["bids"] == [{"price": 100.0, "qty": 1}, {"price": 99.5, "qty": 2}]
    assert snapshot["asks"] == [{"price": 100.5, "qty": 1}, {"price": 101.0, "qty": 3}]
    assert [(f["feed"], f["seq"], f["side"], f["qty"]) for f in frames[2:]] == [
        ("book", 2, "buy", 4),
        ("book", 3, "sell", 0),
        ("book", 4, "sell", 25),
    ]
    assert frames[-1]["price"] == 100.5
    assert reader.report.clean


def test_binance_us_rows_become_a_rest_snapshot_and_depth_updates(tmp_path: Path) -> None:
    keys = {"exchange": "binance-us", "symbol": "BTCUSD"}
    path = write_tardis(
        tmp_path / "bus.csv",
        [
            *snapshot_rows(T0_US, [("100.00", "0.5")], [("100.10", "0.7")], **keys),
            row(T0_US + 10, "ask", "100.20", "1.5", **keys),
        ],
        gz=True,
    )
    reader = open_recording(path)
    records = list(reader.records())

    assert reader.header.venue == "binance_us"
    assert reader.header.extra["long_only"] is True
    assert [r.kind for r in records] == [
        RecordKind.CONNECTED,
        RecordKind.REST_SNAPSHOT,
        RecordKind.WS_TEXT,
    ]
    assert records[1].tag == "BTCUSD"
    assert orjson.loads(records[1].payload) == {
        "lastUpdateId": 1,
        "bids": [["100.00", "0.5"]],
        "asks": [["100.10", "0.7"]],
    }
    update = orjson.loads(records[2].payload)
    assert (update["e"], update["U"], update["u"], update["a"]) == (
        "depthUpdate",
        2,
        2,
        [["100.20", "1.5"]],
    )


def test_bad_repeated_and_early_rows_and_other_symbols_are_counted_not_used(
    tmp_path: Path,
) -> None:
    path = write_tardis(
        tmp_path / "messy.csv",
        [
            row(T0_US - 10, "bid", "99.0", "1"),  # before any snapshot: no book yet
            *BOOK,
            row(T0_US + 10, "bid", "100.0", "4"),
            row(T0_US + 10, "bid", "100.0", "4"),  # an exact repeat
            "cryptofacilities,PF_XBTUSD,1,2,false,bid",  # too short
            row(T0_US + 20, "middle", "100.0", "4"),
            row(T0_US + 20, "bid", "-1", "4"),
            row(T0_US + 20, "bid", "abc", "4"),
            row(T0_US + 20, "bid", "100.0", "-4"),
            row(T0_US + 20, "bid", "100.0", "nan"),
            row(T0_US + 20, "bid", "inf", "1"),
            row(T0_US + 30, "bid", "100.0", "2", symbol="PF_ETHUSD"),
            row(T0_US + 5, "ask", "101.0", "2"),  # earlier than the row before: kept, counted
        ],
    )
    reader = TardisReader(path, "PF_XBTUSD")
    records = list(reader.records())
    counts = reader.rows

    assert len(records) == 2 + 2  # info + snapshot, then two deltas
    assert (counts.malformed, counts.repeated, counts.backwards) == (7, 1, 1)
    assert counts.other_symbols == {"PF_ETHUSD": 1}
    assert records[-1].recv_ns == (T0_US + 10) * 1000, "time never goes backwards"
    notes = "\n".join(reader.report.skipped)
    assert "7 malformed rows" in notes
    assert "1 repeated rows" in notes
    assert "PF_ETHUSD (1)" in notes
    assert "1 rows before the first snapshot" in notes


def test_a_file_of_several_symbols_asks_which_one_and_lists_them(tmp_path: Path) -> None:
    path = write_tardis(
        tmp_path / "two.csv",
        [*BOOK, *snapshot_rows(T0_US, [("10", "1")], [("11", "1")], symbol="PF_ETHUSD")],
    )
    with pytest.raises(RecordingError, match=r"several symbols: PF_ETHUSD \(2 rows\), PF_XBTUSD"):
        open_recording(path)
    with pytest.raises(RecordingError, match="holds no PF_SOLUSD rows; it holds PF_ETHUSD"):
        open_recording(path, "PF_SOLUSD")
    assert open_recording(path, "pf_ethusd").header.instrument.symbol == "PF_ETHUSD"


def test_an_exchange_or_symbol_the_registry_does_not_know(tmp_path: Path) -> None:
    path = write_tardis(tmp_path / "bitmex.csv", [row(T0_US, "bid", "1", "1", exchange="bitmex")])
    with pytest.raises(RecordingError, match="exchange 'bitmex'; this l2console replays"):
        open_recording(path)
    odd = write_tardis(
        tmp_path / "odd.csv", snapshot_rows(T0_US, [("1", "1")], [("2", "1")], symbol="PF_ODDUSD")
    )
    header = open_recording(odd).header
    assert header.instrument.symbol == "PF_ODDUSD"
    assert header.extra["instrument_rules"].startswith("unknown")


def test_a_recording_is_read_as_before_and_must_match_the_symbol_asked(
    tmp_path: Path,
) -> None:
    from tests.console.sim_recording import write_sim_recording  # noqa: PLC0415

    path = tmp_path / "sim.l2rec"
    write_sim_recording(path, seconds=1)
    assert open_recording(path, "PF_XBTUSD").header.venue == "kraken_futures"
    with pytest.raises(RecordingError, match="recording of PF_XBTUSD, not PF_ETHUSD"):
        open_recording(path, "PF_ETHUSD")


def test_a_torn_gzip_file_keeps_its_readable_rows_and_says_where_it_stopped(
    tmp_path: Path,
) -> None:
    rows = [*BOOK, *(row(T0_US + 10 * i, "bid", "99.0", str(i)) for i in range(1, 3000))]
    whole = write_tardis(tmp_path / "whole.csv.gz", rows, gz=True)
    torn = tmp_path / "torn.csv.gz"
    torn.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])

    reader = open_recording(torn)
    records = list(reader.records())
    assert 3 < len(records) < 3000
    assert any("unreadable after row" in note for note in reader.report.skipped)
    assert [r.payload for r in reader.records()] == [r.payload for r in records], "read again"
