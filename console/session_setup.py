"""A named session's setup: the engine's configuration from the settings, what the session
records about itself, and opening (creating or resuming) its record."""

from __future__ import annotations

import dataclasses
import time
from decimal import Decimal
from pathlib import Path

from console.door import door_record
from console.options import RunOptions
from console.settings import Settings
from console.venue_setup import VenueConnection
from core.engine import EngineConfig
from core.store import SessionSpec, SessionStore


def engine_config(
    options: RunOptions, settings: Settings, connection: VenueConnection
) -> EngineConfig:
    return EngineConfig(
        venue_name=connection.venue_name,
        instrument=connection.instrument,
        mode=options.mode,
        strategy=settings.strategy_params,
        risk=settings.risk_limits,
        trade_notional_usd=settings.trade_notional_usd,
        taker_fee_rate=connection.taker_fee_rate,
        imbalance_depth=settings.imbalance_depth,
        stale_after_s=settings.websocket_timeout_seconds,
        long_only=connection.long_only,
        freshness=settings.freshness_policy,
        mode_locked=(
            f"session {options.session} records {options.mode.value} trading only; "
            "start another session to trade in another mode"
            if options.session
            else ""
        ),
    )


def session_spec(
    name: str, options: RunOptions, settings: Settings, connection: VenueConnection
) -> SessionSpec:
    """What the session records about itself: where it trades and the parameters as run."""
    config = engine_config(options, settings, connection)
    return SessionSpec(
        name=name,
        venue=options.broker,
        symbol=connection.instrument.symbol,
        mode=options.mode,
        parameters={
            "strategy": _plain(dataclasses.asdict(config.strategy)),
            "risk": _plain(dataclasses.asdict(config.risk)),
            "trade_notional_usd": str(config.trade_notional_usd),
            "taker_fee_rate": str(config.taker_fee_rate),
            "imbalance_depth": config.imbalance_depth,
            **door_record(options),
        },
    )


def _plain(values: dict[str, object]) -> dict[str, object]:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


async def open_store(
    name: str,
    db_path: Path,
    options: RunOptions,
    settings: Settings,
    connection: VenueConnection,
) -> SessionStore:
    """Create or resume the named session (``StoreError`` subclasses carry one-line reasons,
    also for a folder that cannot be created or written)."""
    spec = session_spec(name, options, settings, connection)
    return await SessionStore.open(db_path, spec, clock=time.time_ns)
