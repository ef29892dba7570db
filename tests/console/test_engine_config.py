"""``console.engine_config.engine_config_from``: the one place settings become an engine's
configuration (a run, a replay and a sweep, the benchmark)."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

from console.bench.engine_setup import bench_instrument
from console.bench.engine_setup import engine_config as bench_engine_config
from console.engine_config import engine_config_from
from console.settings import Settings
from core.enums import Mode
from core.freshness import FreshnessPolicy, NotLiveAction

ROOT = Path(__file__).resolve().parents[2]
XBT = bench_instrument("PF_XBTUSD")


def tuned_settings() -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        entry_imbalance_ratio=4.5,
        max_position_usd=Decimal(250),
        trade_notional_usd=Decimal(40),
        imbalance_depth=7,
        websocket_timeout_seconds=12.5,
        max_book_lag_seconds=2.0,
        not_live_grace_seconds=45.0,
        not_live_position_action=NotLiveAction.HOLD,
    )


def test_every_rule_comes_from_the_settings_and_the_venue_facts_from_the_caller() -> None:
    settings = tuned_settings()
    config = engine_config_from(
        settings,
        venue_name="Kraken Futures",
        instrument=XBT,
        mode=Mode.PAPER,
        taker_fee_rate=Decimal("0.0005"),
        long_only=True,
        other_products=["PF_ETHUSD"],
        mode_locked="paper only",
    )
    assert config.strategy == settings.strategy_params
    assert config.strategy.entry_ratio == 4.5
    assert config.risk == settings.risk_limits
    assert config.risk.max_position_usd == Decimal(250)
    assert config.trade_notional_usd == Decimal(40)
    assert config.imbalance_depth == 7
    assert config.stale_after_s == 12.5
    assert config.freshness == FreshnessPolicy(
        max_lag_s=2.0,
        resync_timeout_s=12.5,
        not_live_grace_s=45.0,
        not_live_action=NotLiveAction.HOLD,
    )
    assert (config.venue_name, config.instrument, config.mode) == (
        "Kraken Futures",
        XBT,
        Mode.PAPER,
    )
    assert config.taker_fee_rate == Decimal("0.0005")
    assert config.long_only is True
    assert config.other_products == ("PF_ETHUSD",)
    assert config.mode_locked == "paper only"


def test_a_caller_that_holds_freshness_differently_says_so() -> None:
    settings = tuned_settings()
    own = FreshnessPolicy(max_lag_s=0)
    config = engine_config_from(
        settings,
        venue_name="replay",
        instrument=XBT,
        mode=Mode.PAPER,
        taker_fee_rate=Decimal(0),
        freshness=own,
    )
    assert config.freshness is own
    assert (config.long_only, config.other_products, config.mode_locked) == (False, (), "")


def test_the_benchmark_keeps_the_settings_rules_but_a_lag_rule_that_never_trips() -> None:
    settings = tuned_settings()
    config = bench_engine_config(settings, XBT, ["PF_ETHUSD"])
    assert config.strategy == settings.strategy_params
    assert config.risk == settings.risk_limits
    assert config.mode is Mode.DRY_RUN
    assert config.freshness.not_live_action is NotLiveAction.HOLD
    assert config.freshness.max_lag_s > 3600
    assert config.other_products == ("PF_ETHUSD",)


def engine_configs_built_in(package: str) -> list[str]:
    """Where ``EngineConfig(...)`` is called in ``package``'s modules."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name == "EngineConfig":
                    found.append(path.relative_to(ROOT).as_posix())
    return found


def test_the_console_builds_an_engine_config_in_one_place() -> None:
    # console/app/replay.py is the console's scenes: a simulated market with its own fixed
    # parameters, no settings at all.
    assert engine_configs_built_in("console") == [
        "console/app/replay.py",
        "console/engine_config.py",
    ]
