"""What one engine trades and how: built once by the console (or a replay, or the benchmark)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.enums import Mode
from core.freshness import FreshnessPolicy
from core.instrument import Instrument
from core.risk import RiskLimits
from core.strategy import StrategyParams


@dataclass(frozen=True, slots=True)
class EngineConfig:
    venue_name: str
    instrument: Instrument
    mode: Mode
    strategy: StrategyParams
    risk: RiskLimits
    trade_notional_usd: Decimal
    taker_fee_rate: Decimal
    imbalance_depth: int = 10
    stale_after_s: float = 10.0
    long_only: bool = False
    other_products: tuple[str, ...] = ()  # books kept (e.g. for a recording) but not traded
    freshness: FreshnessPolicy = field(default_factory=FreshnessPolicy)
    kill_switch_backoff_s: float = 0.25  # first pause between flatten tries (doubles, max 4 s)
    reconcile_interval_s: float = 30.0  # live: the ledger compared with the venue this often
    order_status_patience_s: float = 20.0  # a lost answer asked after this long, then uncertain
    mode_locked: str = ""  # why the mode may not change (a recorded session has one mode), or ""
