"""``--set`` / ``--grid`` keys: the settings' own names, the issue's short aliases, one-line errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from console.replay.overrides import (
    ALIASES,
    TUNABLE,
    apply_overrides,
    changed_settings,
    parse_assignment,
    setting_name,
)
from console.settings import Settings, SettingsError

BASE = Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("entry_ratio", "entry_imbalance_ratio"),
        ("take_profit", "take_profit_pct"),
        ("ENTRY_IMBALANCE_RATIO", "entry_imbalance_ratio"),
        ("max-hold", "max_hold_seconds"),
        ("cooldown_seconds", "cooldown_seconds"),
    ],
)
def test_keys_are_setting_names_or_the_short_aliases(key: str, name: str) -> None:
    assert setting_name(key, "kraken_futures") == name


def test_taker_fee_means_the_recording_venues_fee() -> None:
    assert setting_name("taker_fee_bps", "kraken_futures") == "kraken_taker_fee_bps"
    assert setting_name("taker_fee_bps", "binance_us") == "binance_us_taker_fee_bps"


def test_every_alias_names_a_tunable_setting_of_the_model() -> None:
    assert set(ALIASES.values()) <= TUNABLE
    assert set(Settings.model_fields) >= TUNABLE


@pytest.mark.parametrize("key", ["kraken_api_key", "l2console_db", "sim_seed", "nonsense"])
def test_keys_that_do_not_shape_trading_are_refused_in_one_line(key: str) -> None:
    with pytest.raises(SettingsError, match=f"cannot set '{key}'") as info:
        setting_name(key, "kraken_futures")
    assert "\n" not in str(info.value)
    assert "entry_ratio" in str(info.value)


def test_values_are_validated_like_the_env_file() -> None:
    tuned = apply_overrides(
        BASE, [("entry_ratio", "2.5"), ("notional", "250"), ("depth", "5")], "kraken_futures"
    )
    assert tuned.strategy_params.entry_ratio == 2.5
    assert tuned.trade_notional_usd == Decimal(250)
    assert tuned.imbalance_depth == 5
    assert BASE.entry_imbalance_ratio == 3.0  # the base is not touched
    assert changed_settings(tuned, BASE) == {
        "entry_imbalance_ratio": "2.5",
        "imbalance_depth": "5",
        "trade_notional_usd": "250",
    }


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        (("entry_ratio", "0.5"), "bad value for entry_ratio"),
        (("take_profit", "lots"), "bad value for take_profit"),
        (("max_trades", "-1"), "bad value for max_trades"),
    ],
)
def test_a_bad_value_names_the_key_as_typed(pair: tuple[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as info:
        apply_overrides(BASE, [pair], "kraken_futures")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("text", ["entry_ratio", "=3", "entry_ratio=", ""])
def test_an_assignment_needs_a_key_and_a_value(text: str) -> None:
    with pytest.raises(SettingsError, match="expected key=value"):
        parse_assignment(text)


def test_credentials_never_leak_into_an_override_error() -> None:
    secret = Settings(_env_file=None, kraken_api_secret="very-secret")  # type: ignore[call-arg]
    with pytest.raises(SettingsError) as info:
        apply_overrides(secret, [("stop_loss", "-3")], "kraken_futures")
    assert "very-secret" not in str(info.value)


def test_the_trading_signal_and_its_thresholds_can_be_set() -> None:
    tuned = apply_overrides(
        BASE, [("signal", "OFI"), ("signal_entry", "2"), ("signal_exit", "0.5")], "kraken_futures"
    )
    params = tuned.strategy_params
    assert (params.signal, params.thresholds) == ("ofi", (-2.0, 2.0, -0.5, 0.5))
    assert changed_settings(tuned, BASE)["imbalance_signal"] == "ofi"
    with pytest.raises(SettingsError, match=r"bad value for signal: choose one of ratio, queue"):
        apply_overrides(BASE, [("signal", "vibes")], "kraken_futures")
