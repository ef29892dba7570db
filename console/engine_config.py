"""Settings → the engine's configuration, in one place.

Every engine the console builds from the user's settings — a run (``console.session``), a replay
and each point of a sweep (``console.replay.runner``), the benchmark (``console.bench``) — gets its
strategy, risk limits, trade size, imbalance depth, staleness and freshness rules here. The caller
says only what settings cannot: which venue and instrument, the mode, the fee, and any rule it
holds differently (a replay's paper-only lock, the benchmark's lag rule that never trips).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from console.settings import Settings
from core.engine import EngineConfig
from core.enums import Mode
from core.freshness import FreshnessPolicy
from core.instrument import Instrument


def engine_config_from(
    settings: Settings,
    *,
    venue_name: str,
    instrument: Instrument,
    mode: Mode,
    taker_fee_rate: Decimal,
    long_only: bool = False,
    other_products: Sequence[str] = (),
    freshness: FreshnessPolicy | None = None,
    mode_locked: str = "",
) -> EngineConfig:
    """The engine's configuration for ``settings``; ``freshness`` None: the settings' own rules
    (``Settings.freshness_policy``); ``mode_locked``: why the mode may not change, or ""."""
    return EngineConfig(
        venue_name=venue_name,
        instrument=instrument,
        mode=mode,
        strategy=settings.strategy_params,
        risk=settings.risk_limits,
        trade_notional_usd=settings.trade_notional_usd,
        taker_fee_rate=taker_fee_rate,
        imbalance_depth=settings.imbalance_depth,
        stale_after_s=settings.websocket_timeout_seconds,
        long_only=long_only,
        other_products=tuple(other_products),
        freshness=settings.freshness_policy if freshness is None else freshness,
        reconcile_interval_s=settings.reconcile_interval_seconds,
        mode_locked=mode_locked,
    )
