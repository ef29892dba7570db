"""Composition root for venues: settings + options in, a connected venue out.

The venue is asked of ``brokers.registry`` by name and opens itself (``VenueSpec.open``) from a
``VenueRequest`` holding exactly the settings it declares. Everything that can go wrong at
start-up for a user-facing reason (missing keys, a symbol the venue does not list, a venue that
cannot be reached, live real money without the explicit flag) becomes one ``StartupError``
line, which the CLI prints and exits 2 on.
"""

from __future__ import annotations

import contextlib

from brokers.venue import RecordTo, VenueConnection, VenueRequest, VenueSetupError, VenueSpec
from console.options import RunOptions
from console.settings import Settings

__all__ = ["StartupError", "VenueConnection", "fee_line", "open_venue", "venue_request"]


class StartupError(Exception):
    """Why the run cannot start, in one line for the user."""


def venue_request(options: RunOptions, settings: Settings, spec: VenueSpec) -> VenueRequest:
    """What ``options`` ask of the venue, with the settings it reads (by their .env names)."""
    record = (
        None
        if options.record_path is None
        else RecordTo(options.record_path, options.record_rotate_bytes)
    )
    return VenueRequest(
        symbol=options.symbol,
        mode=options.mode,
        settings={name: getattr(settings, name.lower()) for name in spec.settings},
        production=options.production,
        real_money_ack=options.real_money_ack,
        seed=options.seed,
        record=record,
    )


async def open_venue(
    options: RunOptions, settings: Settings, stack: contextlib.AsyncExitStack
) -> VenueConnection:
    """Start (for the sim) and connect to the venue; everything opened is closed by ``stack``."""
    if options.real_money and not options.real_money_ack:
        rehearsal = f"; {options.venue.rehearsal_note}" if options.venue.rehearsal_note else ""
        raise StartupError(
            "refusing to trade real money: add --i-understand-this-is-real-money "
            f"(start with --dry-run, then --paper; real money only on purpose){rehearsal}"
        )
    if options.record_path is not None and options.record_path.exists():
        raise StartupError(
            f"{options.record_path} already exists: choose another file to record to"
        )
    spec = options.venue
    try:
        return await spec.open(venue_request(options, settings, spec), stack)
    except VenueSetupError as exc:
        raise StartupError(str(exc)) from None


def fee_line(connection: VenueConnection, fee_setting: str) -> str:
    """``Taker fee: 0.05% (account, TradeVolume)``: the rate paper fills and edges use, and
    where it came from (the account, or the setting and why)."""
    percent = format((connection.taker_fee_rate * 100).normalize(), "f")
    return f"Taker fee: {percent}% ({connection.taker_fee_source or f'setting {fee_setting}'})"
