"""What the user asked for on the command line, validated into one frozen object."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
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
    # paper/live: stop signals, lost output and the duration end flatten; None: POSITION_ON_EXIT
    flatten_on_exit: bool | None = True
    session: str | None = None
    db_path: Path | None = None
    record_path: Path | None = None  # write every raw venue frame here (``--record``)
    record_rotate_bytes: int = 64 * 1024 * 1024  # a new part of the recording past this size
    # The door to real money (console.door): the paper session whose live checklist must pass,
    # or the trader's recorded choice to skip it; the capital stated for the checklist.
    validated_by: str | None = None
    skip_checklist: bool = False
    capital_usd: Decimal | None = None
    env_file: Path = Path(".env")  # where keys belong (the live checklist checks it)

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


def mode_meaning(mode: Mode, options: RunOptions) -> str:
    """What the mode does, in one line: dry run and paper are easy to confuse."""
    if mode is Mode.DRY_RUN:
        return (
            "DRY RUN: a look, not a record: the strategy trades a simulated position on the live "
            "book so its entries and exits show; nothing reaches the venue, and at exit the "
            "position is dropped, not closed"
        )
    if mode is Mode.PAPER:
        return (
            "PAPER: every order is filled by simulation against the live book (fees, slippage) "
            "and the position is closed at exit, so the P&L is complete; nothing reaches the "
            "venue; with a session it is recorded, resumed and judged by the gate"
        )
    if options.venue.simulated:
        return "LIVE (SIM): real orders through the venue adapter, to the simulated venue"
    if options.real_money:
        return "LIVE REAL MONEY: every order is sent to the venue and spends real money"
    return "LIVE DEMO: every order is sent to the venue's demo (fake money)"
