"""The engine the benchmarks drive: the real ``Engine``, dry-run, configured from the settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from brokers.sim.market.products import ALL_PRODUCTS
from console.bench.frames import bench_venue
from console.engine_config import engine_config_from
from console.settings import Settings
from core.clock import SystemClock
from core.engine import Engine, EngineConfig
from core.enums import ContractType, Mode
from core.freshness import FreshnessPolicy
from core.instrument import Instrument
from core.ports import FeedSink

BPS = Decimal(10_000)
# Synthetic and recorded frames carry venue times from another moment. The lag check still runs on
# every delta (its cost belongs to the hot path being measured) but with a limit no frame reaches.
_LAG_NEVER_TRIPS_S = 100 * 365 * 24 * 3600.0


class ResyncRecorder:
    """A ``MarketFeed`` with no connection: it only remembers which products asked to resync."""

    def __init__(self) -> None:
        self.resyncs: list[str] = []

    async def run(self, sink: FeedSink) -> None:
        """Nothing to connect to: frames are pushed through a parser by the benchmark."""

    def resync(self, product: str) -> None:
        self.resyncs.append(product)


def bench_instrument(symbol: str) -> Instrument:
    """The simulated venue's rules for its products; generic fine-grained ones otherwise."""
    for spec in ALL_PRODUCTS:
        if spec.symbol == symbol:
            return Instrument(
                symbol=symbol,
                contract_type=spec.contract_type,
                tick_size=spec.tick_size,
                size_step=spec.size_step,
                contract_size=spec.contract_size,
                base=spec.base,
                quote=spec.quote,
            )
    return Instrument(
        symbol=symbol,
        contract_type=ContractType.LINEAR,
        tick_size=Decimal("0.00000001"),
        size_step=Decimal("0.00000001"),
    )


def engine_config(
    settings: Settings, instrument: Instrument, other_products: Sequence[str] = ()
) -> EngineConfig:
    return engine_config_from(
        settings,
        venue_name="benchmark",
        instrument=instrument,
        mode=Mode.DRY_RUN,
        taker_fee_rate=getattr(settings, bench_venue().fee_setting.lower()) / BPS,
        freshness=_lag_check_that_never_trips(settings.freshness_policy),
        other_products=other_products,
    )


def _lag_check_that_never_trips(policy: FreshnessPolicy) -> FreshnessPolicy:
    return replace(policy, max_lag_s=_LAG_NEVER_TRIPS_S)


def dry_run_engine(
    settings: Settings, instrument: Instrument, other_products: Sequence[str] = ()
) -> tuple[Engine, ResyncRecorder]:
    feed = ResyncRecorder()
    engine = Engine(
        engine_config(settings, instrument, other_products), feed=feed, clock=SystemClock()
    )
    return engine, feed
