"""What the user asked for on the command line, validated into one frozen object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from brokers import registry
from brokers.venue import VenueSpec
from core.enums import Mode


@dataclass(frozen=True, slots=True)
class RunOptions:
    broker: str  # the venue's name in ``brokers.registry`` (an alias is made canonical)
    symbol: str
    mode: Mode
    duration_s: float | None  # None: until stopped
    ui: bool
    production: bool = False
    real_money_ack: bool = False
    seed: int | None = None  # simulated venue only
    # paper/live: SIGINT/SIGTERM and the duration end flatten; None: POSITION_ON_EXIT decides
    flatten_on_exit: bool | None = True
    session: str | None = None
    db_path: Path | None = None
    record_path: Path | None = None  # write every raw venue frame here (``--record``)
    record_rotate_bytes: int = 64 * 1024 * 1024  # a new part of the recording past this size

    def __post_init__(self) -> None:
        object.__setattr__(self, "broker", registry.canonical(self.broker))

    @property
    def venue(self) -> VenueSpec:
        return registry.venue(self.broker)

    @property
    def real_money(self) -> bool:
        """Live orders of this run are real money (no demo for this venue, or ``--production``)."""
        if self.mode is not Mode.LIVE:
            return False
        return self.venue.real_money(started_live=True, production=self.production)


def mode_label(mode: Mode, options: RunOptions) -> str:
    """The words the user sees for the mode: DRY RUN, PAPER, LIVE DEMO, LIVE REAL MONEY, LIVE (SIM)."""
    if mode is not Mode.LIVE:
        return mode.value
    if options.venue.simulated:
        return "LIVE (SIM)"
    return "LIVE REAL MONEY" if options.real_money else "LIVE DEMO"
