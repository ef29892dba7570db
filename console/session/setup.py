"""What a run is built from: the engine's configuration, the session's record and what a
resumed session had, from the settings, the options and the venue connection."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from console.account_lock import AccountKey, AccountLock, default_lock_dir
from console.door import door_record
from console.engine_config import engine_config_from
from console.options import RunOptions
from console.settings import Settings
from console.venue_setup import VenueConnection
from core.clock import Clock, SystemClock
from core.engine import Engine, EngineConfig
from core.engine.settle import InFlightOrder
from core.enums import Mode
from core.fill_bands import FillBands
from core.ledger import Position
from core.ports import OrderRequest
from core.store import ResumeState, SessionSpec, SessionStore


def session_engine_config(
    options: RunOptions, settings: Settings, connection: VenueConnection
) -> EngineConfig:
    """The run's engine: the settings' rules on the connected venue, in the asked mode; a named
    session keeps the one mode it records."""
    return engine_config_from(
        settings,
        venue_name=connection.venue_name,
        instrument=connection.instrument,
        mode=options.mode,
        taker_fee_rate=connection.taker_fee_rate,
        long_only=connection.long_only,
        mode_locked=(
            f"session {options.session} records {options.mode.value} trading only; "
            "start another session to trade in another mode"
            if options.session
            else ""
        ),
    )


def fill_bands(
    options: RunOptions, settings: Settings, connection: VenueConnection, clock: Clock
) -> FillBands | None:
    """Paper and dry-run: this run's fills as they would have been filled worse and better."""
    if options.mode is Mode.LIVE:
        return None
    return FillBands(
        instrument=connection.instrument,
        taker_fee_rate=connection.taker_fee_rate,
        clock=clock,
        models=settings.fill_bands,
        schedule=_call_later,
    )


def _call_later(delay_s: float, callback: Callable[[], None]) -> None:
    asyncio.get_running_loop().call_later(delay_s, callback)


def session_spec(
    name: str, options: RunOptions, settings: Settings, connection: VenueConnection
) -> SessionSpec:
    """What the session records about itself: where it trades and the parameters as run."""
    config = session_engine_config(options, settings, connection)
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
            "taker_fee_source": connection.taker_fee_source
            or f"setting {options.venue.fee_setting}",
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
    *,
    clock: Clock | None = None,
) -> SessionStore:
    """Create or resume the named session (``StoreError`` subclasses carry one-line reasons,
    also for a folder that cannot be created or written); the store stamps with ``clock``'s
    wall time (the system's by default)."""
    spec = session_spec(name, options, settings, connection)
    return await SessionStore.open(db_path, spec, clock=(clock or SystemClock()).wall_ns)


def restore(engine: Engine, resume: ResumeState, symbol: str) -> None:
    """Continue a resumed session: its position, P&L, today's tallies and signal numbering."""
    engine.restore(
        position=resume.position(symbol),
        realized_pnl=resume.realized_pnl,
        fees_paid=resume.fees_paid,
        day=resume.today.day,
        trades_today=resume.today.trades,
        realized_today=resume.today.realized_pnl_usd,
        next_signal_number=resume.next_signal_number,
    )


def adopt_spot_holding(connection: VenueConnection, position: Position) -> None:
    """A spot venue knows only what this process bought: a resumed long is the strategy's too,
    so the kill switch can see (and sell) it."""
    holdings = connection.spot_holdings
    if holdings is not None and position.quantity > 0:
        holdings.adopt_holding(position.product, position.quantity, position.entry_price)


def in_flight_orders(resume: ResumeState) -> tuple[InFlightOrder, ...]:
    """The orders the last run sent without a final answer, oldest first (live: the venue
    settles them before anything else, ``core.engine.settle``)."""
    return tuple(
        InFlightOrder(
            request=OrderRequest(
                client_order_id=order.client_order_id,
                product=order.product,
                side=order.side,
                quantity=order.quantity,
                order_type=order.order_type,
                limit_price=order.limit_price,
                reduce_only=order.reduce_only,
            ),
            signal_number=order.signal_number,
            stored_fill_ids=resume.unsettled_fill_ids,
        )
        for order in resume.unsettled_orders
    )


def account_lock(
    options: RunOptions, settings: Settings, connection: VenueConnection
) -> AccountLock:
    """The lock a live run holds on its venue account and product (``console.account_lock``)."""
    key = AccountKey(
        connection.rest_url,
        connection.account,
        connection.instrument.symbol,
        connection.venue_name,
    )
    return AccountLock(
        settings.account_lock_dir or default_lock_dir(), key, session=options.session
    )
