"""What a replay found: the recording's facts and everything the engine decided and booked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from brokers.recording import DecodeCounts, ReadReport, RecordingHeader
from console.settings import Settings
from core.engine_state import EngineState, KillSwitchStatus
from core.events import Fill, RoundTrip, Signal
from core.fill_bands import BandResult


@dataclass(frozen=True, slots=True)
class SignalAt:
    """A signal and the index of the recorded frame it was decided on."""

    frame: int
    signal: Signal


@dataclass(frozen=True, slots=True)
class ReplayResult:
    path: Path
    header: RecordingHeader
    read: ReadReport
    counts: DecodeCounts
    frames: int
    first_wall_ns: int  # of the first frame; 0 when the recording holds none
    last_wall_ns: int
    state: EngineState
    signals: tuple[SignalAt, ...]
    fills: tuple[Fill, ...]
    round_trips: tuple[RoundTrip, ...]
    bands: tuple[BandResult, ...]  # pessimistic, optimistic (as the settings define them)
    default_band: BandResult  # the engine's own paper fills, for the band table
    flatten: KillSwitchStatus | None
    resyncs_asked: int
    settings: Settings
