from __future__ import annotations

import gzip
import random
import shutil
from pathlib import Path

import pytest

from brokers.recording import (
    RecordingError,
    RecordingReader,
    RecordingWriter,
    RecordKind,
    part_path,
)
from brokers.recording.writer import OtherItem
from tests.brokers.recording.helpers import PF_XBTUSD, frames, header


def write(path: Path, batches: list[list], **kwargs: int) -> RecordingWriter:
    writer = RecordingWriter(path, header(), **kwargs)
    for batch in batches:
        writer.write(batch)
    writer.close()
    return writer


def as_raw(item: tuple[int, int, bytes | str]) -> tuple[int, int, bytes]:
    recv, wall, raw = item
    return recv, wall, raw.encode() if isinstance(raw, str) else raw


def test_frames_come_back_byte_for_byte_with_their_times_and_kind(tmp_path: Path) -> None:
    items = frames(50)
    path = tmp_path / "rec.l2rec"
    write(path, [items[:20], items[20:]])

    reader = RecordingReader(path)
    records = list(reader.records())

    assert [(r.recv_ns, r.wall_ns, r.payload) for r in records] == [as_raw(i) for i in items]
    assert [r.kind for r in records[:2]] == [RecordKind.WS_TEXT, RecordKind.WS_BINARY]
    assert reader.header.instrument == PF_XBTUSD
    assert reader.header.venue == "kraken_futures"
    assert reader.report.clean
    assert reader.report.records == 50


def test_each_flush_is_one_gzip_member_so_the_part_is_plain_gzip(tmp_path: Path) -> None:
    path = tmp_path / "rec.l2rec"
    write(path, [frames(3), frames(3, 3)])
    data = gzip.decompress(path.read_bytes())  # multi-member gzip, readable by any gzip tool
    assert b"l2console-recording" in data
    assert data.count(b'"feed":"book"') == 6


def test_rest_snapshots_keep_their_product_and_connections_their_url(tmp_path: Path) -> None:
    path = tmp_path / "rec.l2rec"
    body = b'{"lastUpdateId":7,"bids":[["1.0","2.0"]],"asks":[]}'
    url = "wss://stream.binance.us:9443/stream?streams=btcusdt@depth@100ms"
    write(
        path,
        [
            [
                OtherItem(RecordKind.CONNECTED, 1, 2, "", url),
                OtherItem(RecordKind.REST_SNAPSHOT, 5, 6, "BTCUSDT", body),
                *frames(1),
            ]
        ],
    )
    connected, snapshot, _frame = RecordingReader(path).records()
    assert (connected.kind, connected.payload, connected.recv_ns) == (
        RecordKind.CONNECTED,
        url.encode(),
        1,
    )
    assert (snapshot.kind, snapshot.tag, snapshot.payload, snapshot.recv_ns) == (
        RecordKind.REST_SNAPSHOT,
        "BTCUSDT",
        body,
        5,
    )


def test_parts_rotate_by_size_and_read_back_as_one_stream(tmp_path: Path) -> None:
    items = frames(400)
    path = tmp_path / "rec.l2rec"
    writer = write(path, [items[i : i + 20] for i in range(0, 400, 20)], rotate_bytes=2_000)

    assert writer.part >= 2
    assert part_path(path, 1).name == "rec.l2rec.1"
    reader = RecordingReader(path)
    assert len(reader.parts) == writer.part + 1
    assert [as_raw((r.recv_ns, r.wall_ns, r.payload)) for r in reader.records()] == [
        as_raw(i) for i in items
    ]
    assert reader.bytes_read == reader.total_bytes


def test_an_existing_recording_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "rec.l2rec"
    write(path, [frames(2)])
    before = path.read_bytes()
    with pytest.raises(RecordingError, match="already exists"):
        RecordingWriter(path, header())
    assert path.read_bytes() == before


def test_a_part_of_another_recording_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "rec.l2rec"
    write(path, [frames(2)])
    other = tmp_path / "other.l2rec"
    writer = RecordingWriter(other, header("rec-2"), rotate_bytes=1)
    writer.write(frames(2))
    writer.close()
    shutil.copy(part_path(other, 1), part_path(path, 1))

    with pytest.raises(RecordingError, match="another recording") as info:
        list(RecordingReader(path).records())
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not an l2console recording"),
        (b"hello, world\n", "not an l2console recording"),
        (gzip.compress(b'{"feed":"book"}'), "not an l2console recording"),
    ],
)
def test_something_else_is_not_a_recording(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x"
    path.write_bytes(content)
    with pytest.raises(RecordingError, match=message):
        RecordingReader(path)


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no such recording"):
        RecordingReader(tmp_path / "absent")


def test_a_torn_file_yields_an_exact_prefix_at_every_cut(tmp_path: Path) -> None:
    items = frames(120)
    path = tmp_path / "rec.l2rec"
    write(path, [items[i : i + 15] for i in range(0, 120, 15)])
    whole = path.read_bytes()
    expected = [as_raw(i) for i in items]
    header_only = tmp_path / "empty.l2rec"
    write(header_only, [])
    header_member = header_only.stat().st_size
    rng = random.Random(8)
    cuts = sorted({rng.randrange(header_member, len(whole)) for _ in range(250)})
    longest = 0
    torn = tmp_path / "torn.l2rec"
    for cut in cuts:
        torn.write_bytes(whole[:cut])
        reader = RecordingReader(torn)
        got = [(r.recv_ns, r.wall_ns, r.payload) for r in reader.records()]
        assert got == expected[: len(got)], f"cut at {cut}"
        assert not reader.report.clean
        longest = max(longest, len(got))
    assert 0 < longest < len(items)


def test_zeros_after_the_last_member_are_skipped_and_reported(tmp_path: Path) -> None:
    items = frames(30)
    path = tmp_path / "rec.l2rec"
    write(path, [items])
    with path.open("ab") as file:
        file.write(b"\0" * 4096)  # what a crash can leave at the end of a file
    reader = RecordingReader(path)
    assert len(list(reader.records())) == 30
    assert any("4096 bytes" in line for line in reader.report.skipped), reader.report.skipped


def test_a_corrupt_block_is_dropped_whole_not_half_believed(tmp_path: Path) -> None:
    path = tmp_path / "rec.l2rec"
    write(path, [frames(10), frames(10, 10), frames(10, 20)])
    data = bytearray(path.read_bytes())
    # Flip a byte inside the last member's compressed data (before its CRC trailer).
    data[-20] ^= 0xFF
    path.write_bytes(bytes(data))
    reader = RecordingReader(path)
    got = list(reader.records())
    assert [r.recv_ns for r in got] == [f[0] for f in frames(20)]
    assert reader.report.skipped


def test_a_file_torn_inside_its_header_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "rec.l2rec"
    write(path, [frames(3)])
    whole = path.read_bytes()
    torn = tmp_path / "torn.l2rec"
    for cut in (1, 10, 40, 120):
        torn.write_bytes(whole[:cut])
        with pytest.raises(RecordingError) as info:
            RecordingReader(torn)
        assert "\n" not in str(info.value)
