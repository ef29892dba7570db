"""Small builders shared by the recording tests."""

from __future__ import annotations

from decimal import Decimal

from brokers.recording import RecordingHeader
from core.enums import ContractType
from core.instrument import Instrument

PF_XBTUSD = Instrument(
    symbol="PF_XBTUSD",
    contract_type=ContractType.LINEAR,
    tick_size=Decimal("0.5"),
    size_step=Decimal("0.0001"),
    min_size=Decimal("0.0001"),
    base="XBT",
)


def header(recording_id: str = "rec-1") -> RecordingHeader:
    return RecordingHeader(
        venue="kraken_futures",
        environment="sim",
        venue_name="Kraken Futures (simulated)",
        products=("PF_XBTUSD",),
        instrument=PF_XBTUSD,
        recording_id=recording_id,
        started_wall_ns=1_700_000_000_000_000_000,
    )


def frames(count: int, start: int = 0) -> list[tuple[int, int, bytes | str]]:
    """Kraken-like book frames, alternating text and binary, with increasing times."""
    out: list[tuple[int, int, bytes | str]] = []
    for i in range(start, start + count):
        text = (
            f'{{"feed":"book","product_id":"PF_XBTUSD","side":"buy","seq":{i},'
            f'"price":{43000 + i % 7}.5,"qty":{i % 5}.25,"timestamp":{1_700_000_000_000 + i}}}'
        )
        raw: bytes | str = text if i % 2 == 0 else text.encode()
        out.append((1_000_000 + i * 1_000, 1_700_000_000_000_000_000 + i * 1_000, raw))
    return out
