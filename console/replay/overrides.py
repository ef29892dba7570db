"""``--set key=value`` for replays and ``--grid key=v1,v2`` for sweeps: which settings, how named.

Keys are the settings' own names in lower case (``entry_imbalance_ratio``, as in ``.env``), or
the short aliases below (``entry_ratio``, ``take_profit``…). Only what shapes trading can be set:
strategy (the signal too: ``signal=ofi``), risk, size, fees, book depth, staleness and the fill
bands. Values are validated by the same settings model as ``.env``, so a bad one is the same
one-line error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from brokers import registry
from console.settings import Settings, SettingsError

ALIASES: Mapping[str, str] = {
    "signal": "imbalance_signal",
    "signal_entry": "signal_entry_threshold",
    "signal_exit": "signal_exit_threshold",
    "entry_ratio": "entry_imbalance_ratio",
    "reversal_ratio": "reversal_imbalance_ratio",
    "take_profit": "take_profit_pct",
    "stop_loss": "stop_loss_pct",
    "max_hold": "max_hold_seconds",
    "cooldown": "cooldown_seconds",
    "spread_filter": "spread_filter_bps",
    "depth": "imbalance_depth",
    "notional": "trade_notional_usd",
    "max_daily_loss": "max_daily_loss_usd",
    "max_position": "max_position_usd",
    "max_trades": "max_trades_per_day",
    "stale_after": "websocket_timeout_seconds",
    "pessimistic_latency": "pessimistic_fill_latency_ms",
    "pessimistic_slippage": "pessimistic_fill_slippage_bps",
    "optimistic_improvement": "optimistic_fill_improvement_bps",
}
"""Short names the issue and the guide use, and the setting each stands for."""

TAKER_FEE_ALIAS = "taker_fee_bps"
"""Stands for the recording venue's fee setting (``kraken_taker_fee_bps``, ``binance_us_…``)."""


def fee_setting(venue: str) -> str:
    """The taker-fee setting of ``venue`` (a recording's header names it); for a venue this
    l2console does not know, the default market's."""
    name = venue if registry.is_known(venue) else registry.DEFAULT_MARKET_VENUE
    return registry.venue(name).fee_setting.lower()


TUNABLE = frozenset(
    {
        "imbalance_signal",
        "signal_entry_threshold",
        "signal_exit_threshold",
        "entry_imbalance_ratio",
        "reversal_imbalance_ratio",
        "take_profit_pct",
        "stop_loss_pct",
        "max_hold_seconds",
        "cooldown_seconds",
        "spread_filter_bps",
        "imbalance_depth",
        "trade_notional_usd",
        "max_daily_loss_usd",
        "max_position_usd",
        "max_trades_per_day",
        "websocket_timeout_seconds",
        *(fee_setting(venue) for venue in registry.names()),
        "pessimistic_fill_latency_ms",
        "pessimistic_fill_slippage_bps",
        "optimistic_fill_improvement_bps",
    }
)


def setting_name(key: str, venue: str) -> str:
    """The settings field ``key`` names (alias or own name, any case); SettingsError if none."""
    name = key.strip().lower().replace("-", "_")
    if name == TAKER_FEE_ALIAS:
        name = fee_setting(venue)
    name = ALIASES.get(name, name)
    if name not in TUNABLE:
        known = ", ".join(sorted({*ALIASES, TAKER_FEE_ALIAS}))
        raise SettingsError(f"cannot set {key!r} in a replay (use a setting name or: {known})")
    return name


def parse_assignment(text: str) -> tuple[str, str]:
    """``key=value`` -> (key, value); SettingsError naming the mistake."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise SettingsError(f"expected key=value, got {text!r}")
    return key.strip(), value.strip()


def apply_overrides(settings: Settings, pairs: Iterable[tuple[str, str]], venue: str) -> Settings:
    """A copy of ``settings`` with ``pairs`` applied and validated like ``.env`` values."""
    updates: dict[str, Any] = {}
    shown: dict[str, str] = {}
    for key, value in pairs:
        name = setting_name(key, venue)
        updates[name] = value
        shown[name] = key
    if not updates:
        return settings
    try:
        return Settings.model_validate({**settings.model_dump(), **updates})
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else ""
        key = shown.get(name, name)
        raise SettingsError(
            f"bad value for {key}: {str(first['msg']).removeprefix('Value error, ')} "
            f"(got {first.get('input')!r})"
        ) from None


def changed_settings(settings: Settings, base: Settings) -> dict[str, str]:
    """Tunable settings whose value differs from ``base``, by name, as text (sorted)."""
    return {
        name: str(getattr(settings, name))
        for name in sorted(TUNABLE)
        if getattr(settings, name) != getattr(base, name)
    }
