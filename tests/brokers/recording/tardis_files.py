"""tardis.dev ``incremental_book_L2`` CSV fixture files, written by the tests."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence
from pathlib import Path

import orjson

from brokers.recording import RecordingReader
from brokers.recording.tardis import HEADER_LINE

T0_US = 1_714_564_800_000_000  # 2024-05-01 12:00:00 UTC
Row = tuple[str, str, int, int, bool, str, str, str]


def row(
    us: int,
    side: str,
    price: str,
    amount: str,
    *,
    snapshot: bool = False,
    symbol: str = "PF_XBTUSD",
    exchange: str = "cryptofacilities",
) -> Row:
    return (exchange, symbol, us - 500, us, snapshot, side, price, amount)


def snapshot_rows(
    us: int,
    bids: Sequence[tuple[str, str]],
    asks: Sequence[tuple[str, str]],
    **keys: str,
) -> list[Row]:
    return [row(us, "bid", p, a, snapshot=True, **keys) for p, a in bids] + [
        row(us, "ask", p, a, snapshot=True, **keys) for p, a in asks
    ]


def write_tardis(path: Path, rows: Iterable[Row | str], *, gz: bool = False) -> Path:
    """``rows`` as a tardis CSV file (a ``str`` is written as a raw line: a malformed row)."""
    lines = [HEADER_LINE]
    for item in rows:
        if isinstance(item, str):
            lines.append(item)
        else:
            exchange, symbol, stamp, local, snap, side, price, amount = item
            lines.append(
                f"{exchange},{symbol},{stamp},{local},{'true' if snap else 'false'},"
                f"{side},{price},{amount}"
            )
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def rows_of_recording(recording: Path) -> list[Row]:
    """A Kraken Futures recording's book frames as tardis rows (wall clock as local time)."""
    out: list[Row] = []
    for record in RecordingReader(recording).records():
        frame = orjson.loads(record.payload)
        local_us = record.wall_ns // 1000
        feed = None if "event" in frame else frame.get("feed")
        if feed == "book_snapshot":
            stamp = frame["timestamp"] * 1000
            for key, side in (("bids", "bid"), ("asks", "ask")):
                for level in frame[key]:
                    out.append(
                        (
                            "cryptofacilities",
                            frame["product_id"],
                            stamp,
                            local_us,
                            True,
                            side,
                            _num(level["price"]),
                            _num(level["qty"]),
                        )
                    )
        elif feed == "book":
            side = "bid" if frame["side"] == "buy" else "ask"
            out.append(
                (
                    "cryptofacilities",
                    frame["product_id"],
                    frame["timestamp"] * 1000,
                    local_us,
                    False,
                    side,
                    _num(frame["price"]),
                    _num(frame["qty"]),
                )
            )
    return out


def _num(value: float) -> str:
    return repr(float(value))
