"""The steps every venue's ``open`` shares: the traded instrument, and the ``--record`` recorder.

Each turns a user-facing failure into one ``VenueSetupError`` line.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping

from brokers.recording import FrameRecorder, RecordingError, RecordingHeader
from brokers.venue import RecordTo, VenueSetupError
from core.instrument import Instrument
from core.ports import ExecutionVenue, VenueError, VenueUnreachable


async def listed_instrument(
    venue: ExecutionVenue, symbol: str, venue_name: str, url: str
) -> Instrument:
    """The instrument ``symbol`` as the venue lists it, tradeable now."""
    try:
        instruments = await venue.instruments()
    except VenueUnreachable as exc:
        raise VenueSetupError(f"cannot reach {venue_name} at {url}: {exc}") from None
    except VenueError as exc:
        raise VenueSetupError(f"{venue_name} refused the instrument list: {exc}") from None
    return _pick_symbol(instruments, symbol, venue_name)


def _pick_symbol(instruments: Mapping[str, Instrument], symbol: str, venue_name: str) -> Instrument:
    instrument = instruments.get(symbol.upper())
    if instrument is None:
        listed = ", ".join(sorted(instruments)[:8])
        raise VenueSetupError(f"{symbol} is not listed by {venue_name} (listed: {listed}, ...)")
    if not instrument.tradeable:
        raise VenueSetupError(
            f"{instrument.symbol} is listed by {venue_name} but not tradeable now"
        )
    return instrument


async def start_recorder(
    record: RecordTo | None,
    stack: contextlib.AsyncExitStack,
    *,
    venue: str,
    environment: str,
    venue_name: str,
    instrument: Instrument,
    ws_url: str,
    long_only: bool = False,
) -> FrameRecorder | None:
    """``--record FILE``: a started recorder (closed by ``stack``), else None."""
    if record is None:
        return None
    header = RecordingHeader(
        venue=venue,
        environment=environment,
        venue_name=venue_name,
        products=(instrument.symbol,),
        instrument=instrument,
        recording_id=str(time.time_ns()),
        started_wall_ns=time.time_ns(),
        ws_url=ws_url,
        extra={"long_only": long_only},
    )
    recorder = FrameRecorder(record.path, rotate_bytes=record.rotate_bytes)
    try:
        await recorder.start(header)
    except RecordingError as exc:
        raise VenueSetupError(f"cannot record: {exc}") from None
    stack.push_async_callback(recorder.close)
    return recorder
