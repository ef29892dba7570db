"""The recording file format: what a record is, how it is laid out, how parts are named.

A recording is one or more *parts* (``FILE``, ``FILE.1``, ``FILE.2``, …; a part is closed and
the next one opened when it reaches the rotation size). Each part is a sequence of gzip members
(RFC 1952) written one per flush, so every part is an ordinary multi-member ``.gz`` file and a
crash can tear only the member being written. Inside the members is a stream of binary records::

    kind u8 | recv_ns i64 | wall_ns i64 | tag_len u16 | payload_len u32 | tag | payload

little-endian, 23 bytes of fixed header. A record never spans two members. The first record of
every part is a ``HEADER`` whose payload is JSON describing the recording (format, version,
venue, products, the instrument, which part this is). ``WS_TEXT``/``WS_BINARY`` payloads are a
venue WebSocket frame byte for byte (text frames UTF-8 encoded); ``REST_SNAPSHOT`` payloads are
a REST order-book answer's body, with the product in ``tag``; a ``CONNECTED`` record marks a new
WebSocket connection (payload: its URL, without credentials) for venues that do not greet a
connection with a frame of their own (Kraken Futures sends ``info``). Raw bytes, not JSON-in-JSON: a
replay feeds the venue parser exactly what the socket delivered, malformed frames included.

``recv_ns`` is the recording process's ``time.monotonic_ns()`` when the frame arrived (before
parsing), ``wall_ns`` its ``time.time_ns()`` at the same moment: the replay clock is driven by
both, so latency/staleness rules see monotonic time and trading rules see the wall clock.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum
from pathlib import Path
from typing import Any

import msgspec
import orjson

from core.enums import ContractType
from core.instrument import Instrument

FORMAT_NAME = "l2console-recording"
FORMAT_VERSION = 1

RECORD_HEAD = struct.Struct("<BqqHI")
MAX_TAG_BYTES = 0xFFFF
MAX_PAYLOAD_BYTES = 0xFFFFFFFF


class RecordKind(IntEnum):
    HEADER = 0
    WS_TEXT = 1
    WS_BINARY = 2
    REST_SNAPSHOT = 3
    CONNECTED = 4


class RecordingError(Exception):
    """A recording cannot be written or read; the message is one line for the user."""


class Record(msgspec.Struct, frozen=True, gc=False):
    """One recorded item. ``payload`` is bytes exactly as received (text frames UTF-8 encoded).

    A msgspec Struct, like the book events: a replay builds one per frame.
    """

    kind: RecordKind
    recv_ns: int
    wall_ns: int
    payload: bytes
    tag: str = ""


@dataclass(frozen=True, slots=True)
class RecordingHeader:
    """What the recording is: enough to replay it without the venue (instrument included).

    ``venue`` is the adapter that can parse the frames (``kraken_futures``, ``binance_us``);
    ``environment`` says which market it watched (``production``, ``demo``, ``sim``: a synthetic
    market). ``recording_id`` ties the parts of one recording together.
    """

    venue: str
    environment: str
    venue_name: str
    products: tuple[str, ...]
    instrument: Instrument
    recording_id: str
    started_wall_ns: int
    part: int = 0
    ws_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        return self.environment == "sim"

    def for_part(self, part: int) -> RecordingHeader:
        return RecordingHeader(
            venue=self.venue,
            environment=self.environment,
            venue_name=self.venue_name,
            products=self.products,
            instrument=self.instrument,
            recording_id=self.recording_id,
            started_wall_ns=self.started_wall_ns,
            part=part,
            ws_url=self.ws_url,
            extra=self.extra,
        )

    def to_json(self) -> bytes:
        inst = self.instrument
        return orjson.dumps(
            {
                "format": FORMAT_NAME,
                "version": FORMAT_VERSION,
                "venue": self.venue,
                "environment": self.environment,
                "venue_name": self.venue_name,
                "products": list(self.products),
                "instrument": {
                    "symbol": inst.symbol,
                    "contract_type": inst.contract_type.value,
                    "tick_size": str(inst.tick_size),
                    "size_step": str(inst.size_step),
                    "min_size": str(inst.min_size),
                    "min_notional": str(inst.min_notional),
                    "contract_size": str(inst.contract_size),
                    "base": inst.base,
                    "quote": inst.quote,
                },
                "recording_id": self.recording_id,
                "started_wall_ns": self.started_wall_ns,
                "part": self.part,
                "ws_url": self.ws_url,
                "extra": self.extra,
            },
            option=orjson.OPT_SORT_KEYS,
        )

    @classmethod
    def from_json(cls, payload: bytes, where: str) -> RecordingHeader:
        try:
            data = orjson.loads(payload)
        except orjson.JSONDecodeError:
            raise RecordingError(f"{where}: the recording header is not valid JSON") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise RecordingError(f"{where} is not an l2console recording")
        version = data.get("version")
        if version != FORMAT_VERSION:
            raise RecordingError(
                f"{where} is recording format version {version}; this l2console reads "
                f"version {FORMAT_VERSION}"
            )
        try:
            inst = data["instrument"]
            instrument = Instrument(
                symbol=inst["symbol"],
                contract_type=ContractType(inst["contract_type"]),
                tick_size=Decimal(inst["tick_size"]),
                size_step=Decimal(inst["size_step"]),
                min_size=Decimal(inst["min_size"]),
                min_notional=Decimal(inst["min_notional"]),
                contract_size=Decimal(inst["contract_size"]),
                base=inst["base"],
                quote=inst["quote"],
            )
            return cls(
                venue=data["venue"],
                environment=data["environment"],
                venue_name=data["venue_name"],
                products=tuple(data["products"]),
                instrument=instrument,
                recording_id=str(data["recording_id"]),
                started_wall_ns=int(data["started_wall_ns"]),
                part=int(data["part"]),
                ws_url=data.get("ws_url", ""),
                extra=data.get("extra") or {},
            )
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise RecordingError(f"{where}: incomplete recording header ({exc})") from None


def part_path(base: Path, part: int) -> Path:
    """``FILE`` for part 0, then ``FILE.1``, ``FILE.2``, …"""
    return base if part == 0 else base.with_name(f"{base.name}.{part}")


def encode_record(kind: int, recv_ns: int, wall_ns: int, payload: bytes, tag: bytes = b"") -> bytes:
    return RECORD_HEAD.pack(kind, recv_ns, wall_ns, len(tag), len(payload)) + tag + payload
