from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from console.settings import (
    Settings,
    SettingsError,
    env_file_permission_warning,
    load_settings,
)


@pytest.fixture(autouse=True)
def no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("KRAKEN", "BINANCE", "MAX_", "SIM_", "L2CONSOLE")):
            monkeypatch.delenv(name)


def test_defaults_are_the_guides() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.max_daily_loss_usd == Decimal(50)
    assert settings.max_position_usd == Decimal(100)
    assert settings.max_trades_per_day == 10
    assert settings.websocket_timeout_seconds == 10
    assert settings.spread_filter_bps == 50
    assert settings.take_profit_pct == pytest.approx(0.20)
    assert settings.strategy_params.entry_ratio == 3.0
    assert settings.risk_limits.max_trades_per_day == 10


def test_env_file_names_are_the_venues_own(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "KRAKEN_API_KEY=a-key\nMAX_TRADES_PER_DAY=3\nKRAKEN_FUTURES_WS_URL=ws://127.0.0.1:9/ws/v1\n"
        "KRAKEN_DEMO_API_KEY=demo-key\n",  # retired with the demo: ignored (and warned about)
        encoding="utf-8",
    )
    settings = load_settings(env)
    assert settings.kraken_credentials.missing == ["KRAKEN_API_SECRET"]
    assert settings.kraken_protocol == "unified"
    assert settings.max_trades_per_day == 3
    assert settings.kraken_futures_ws_url == "ws://127.0.0.1:9/ws/v1"


def test_secrets_never_show_in_repr_or_errors(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("KRAKEN_API_SECRET=very-secret-value\n", encoding="utf-8")
    settings = load_settings(env)
    assert "very-secret-value" not in repr(settings)
    assert "very-secret-value" not in str(settings.kraken_credentials)


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("MAX_DAILY_LOSS_USD=-5", "MAX_DAILY_LOSS_USD"),
        ("MAX_TRADES_PER_DAY=lots", "MAX_TRADES_PER_DAY"),
        ("ENTRY_IMBALANCE_RATIO=0.5", "ENTRY_IMBALANCE_RATIO"),
        ("SIM_EDGE=2", "SIM_EDGE"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(tmp_path: Path, line: str, named: str) -> None:
    env = tmp_path / ".env"
    env.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        load_settings(env)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"bad setting {named}:")


def test_loose_env_file_permissions_get_a_warning(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("KRAKEN_API_KEY=x\n", encoding="utf-8")
    env.chmod(0o644)
    warning = env_file_permission_warning(env)
    assert warning is not None
    assert "chmod 600" in warning
    env.chmod(0o600)
    assert env_file_permission_warning(env) is None


def test_env_example_documents_every_setting_and_loads_as_the_defaults() -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    text = example.read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    settings = {(field.alias or name).upper() for name, field in Settings.model_fields.items()}
    assert settings - documented == set(), "settings missing from .env.example"
    assert documented - settings == set(), ".env.example names settings that do not exist"

    loaded = load_settings(example)
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    for name in Settings.model_fields:
        value, default = getattr(loaded, name), getattr(defaults, name)
        if "api_key" in name or "api_secret" in name:  # left empty in the example: missing
            assert value is None or not value.get_secret_value()
        else:
            assert value == default, f"{name.upper()} in .env.example is not the default"
