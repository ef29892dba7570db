"""All configuration in one pydantic-settings model, read from the environment and ``.env``.

The environment names are the ones venue users already write (``KRAKEN_API_KEY``,
``MAX_DAILY_LOSS_USD``, ...), so the model is flat; the code reads it through small typed views
(``strategy_params``, ``risk_limits``, ``kraken_credentials``...) and passes those in. Nothing deep
in the code reads the environment. Every field is documented in ``.env.example``.
"""

from __future__ import annotations

import logging
import os
import stat
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from brokers.venue import ApiCredentials
from console.report.model import GateSettings
from console.unattended.events import NotifyEvent, parse_events
from core.engine.reconcile import StartPositionAction
from core.fill_bands import ExecutionModel
from core.freshness import FreshnessPolicy, NotLiveAction
from core.gates import LiveGateThresholds, PaperGateThresholds
from core.risk import RiskLimits
from core.signals import DEFAULT_SIGNAL, SIGNAL_NAMES
from core.strategy import StrategyParams

# python-dotenv logs each line it cannot parse in its own words (and with its own logger format);
# console.settings_sources reports those lines as ours, one line each, so its logger stays quiet.
logging.getLogger("dotenv.main").setLevel(logging.ERROR)


class ExitPositionAction(Enum):
    """What SIGINT/SIGTERM/SIGHUP, lost output and the end of ``--duration`` do with an open
    position."""

    FLATTEN = "flatten"
    LEAVE = "leave"


class SettingsError(ValueError):
    """A bad setting, as one line that names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        validate_default=True,
    )

    # --- venue credentials --------------------------------------------------------------------
    kraken_api_key: SecretStr | None = None
    kraken_api_secret: SecretStr | None = None
    binance_us_api_key: SecretStr | None = None
    binance_us_api_secret: SecretStr | None = None

    # --- endpoint overrides (full bases; None = the venue's own URL for the mode) -------------
    kraken_futures_ws_url: str | None = None
    kraken_futures_rest_url: str | None = None
    # Kraken's Unified WebSocket (the default protocol; see KRAKEN_PROTOCOL).
    kraken_ws_public_url: str | None = None
    kraken_ws_private_url: str | None = None
    kraken_rest_url: str | None = None  # the Spot REST base, for the WebSocket token
    # Which Kraken protocol `--broker kraken` speaks: unified (the default), or v1 (the Derivatives
    # WebSocket v1 + REST v3, decommissioned on 1 March 2027 and refused from that day).
    kraken_protocol: str = "unified"
    binance_us_ws_url: str | None = None
    binance_us_rest_url: str | None = None

    # --- risk ------------------------------------------------------------------------------------
    max_daily_loss_usd: Decimal = Field(Decimal(50), gt=0)
    max_position_usd: Decimal = Field(Decimal(100), gt=0)
    max_trades_per_day: int = Field(10, ge=1)
    trade_notional_usd: Decimal = Field(Decimal(100), gt=0)
    # The most the trader accepts losing from a peak; the live checklist holds the paper max
    # drawdown against it. None: not stated yet (that checklist line stays open).
    max_acceptable_drawdown_usd: Decimal | None = Field(None, gt=0)

    # --- strategy --------------------------------------------------------------------------------
    imbalance_depth: int = Field(10, ge=1, le=500)
    entry_imbalance_ratio: float = Field(3.0, gt=1.0)
    reversal_imbalance_ratio: float = Field(2.0, gt=1.0)
    take_profit_pct: float = Field(0.20, gt=0)
    stop_loss_pct: float = Field(0.15, gt=0)
    max_hold_seconds: float = Field(300.0, gt=0)
    spread_filter_bps: float = Field(50.0, gt=0)
    cooldown_seconds: float = Field(10.0, ge=0)
    # Which imbalance signal trades (core.signals); the ratio keeps ENTRY/REVERSAL_IMBALANCE_RATIO,
    # the others read these two on their own scale (None: the signal's default).
    imbalance_signal: str = DEFAULT_SIGNAL
    signal_entry_threshold: float | None = Field(None, gt=0)
    signal_exit_threshold: float | None = Field(None, ge=0)

    # --- fees (taker, basis points of notional) -------------------------------------------------
    # Kraken: with KRAKEN_API_KEY/SECRET the account's own taker rate is read at start (Spot REST
    # TradeVolume, the futures fee schedules were deprecated on 22 June 2026); this one without
    # keys, or when that query fails (said in one line at start).
    kraken_taker_fee_bps: Decimal = Field(Decimal(5), ge=0, le=1000)
    # Binance.us charges per account and symbol (GET /sapi/v1/asset/query/trading-fee, whose
    # docs example is 0.006 = 60 bps at the base tier); live runs read the account's own rate.
    # Dry-run and paper use this one: the base tier, so a paper result is never flattered.
    binance_us_taker_fee_bps: Decimal = Field(Decimal(60), ge=0, le=1000)

    # --- fill bands (paper reports and replays) ------------------------------------------------
    pessimistic_fill_latency_ms: float = Field(250.0, ge=0, le=60_000)
    pessimistic_fill_slippage_bps: Decimal = Field(Decimal(2), ge=0, le=1000)
    optimistic_fill_improvement_bps: Decimal = Field(Decimal(1), ge=0, le=1000)

    # --- timing ----------------------------------------------------------------------------------
    websocket_timeout_seconds: float = Field(10.0, gt=0, le=600)
    state_interval_seconds: float = Field(5.0, gt=0)
    rest_timeout_seconds: float = Field(10.0, gt=0, le=120)

    # --- safety ----------------------------------------------------------------------------------
    max_book_lag_seconds: float = Field(5.0, ge=0, le=3600)
    not_live_position_action: NotLiveAction = NotLiveAction.FLATTEN
    not_live_grace_seconds: float = Field(30.0, gt=0, le=86_400)
    position_on_start: StartPositionAction = StartPositionAction.FLATTEN
    position_on_exit: ExitPositionAction = ExitPositionAction.FLATTEN
    dead_man_timeout_seconds: int = Field(60, ge=1, le=86_400)
    dead_man_refresh_seconds: float = Field(15.0, gt=0)
    # Where live runs lock their venue account and product (None: the user's runtime/state dir).
    account_lock_dir: Path | None = None
    reconcile_interval_seconds: float = Field(30.0, ge=1, le=86_400)
    maintenance_poll_seconds: float = Field(60.0, gt=0, le=86_400)
    maintenance_lead_seconds: float = Field(300.0, ge=0, le=86_400)

    # --- simulated venue ----------------------------------------------------------------------
    sim_seed: int = 7
    sim_rate_hz: float = Field(50.0, gt=0, le=100_000)
    sim_edge: float = Field(0.0, ge=0, le=1)

    # --- persistence -----------------------------------------------------------------------------
    l2console_db: Path = Path("data/l2console.sqlite")

    # --- unattended runs (console.unattended) ------------------------------------------------
    # apprise URLs, separated by commas (json://host/path, tgram://token/chat, ntfy://topic ...).
    notify_urls: SecretStr | None = None
    # Which events: default (all but round_trip), all, or names separated by commas.
    notify_events: str = "default"
    # Where running sessions keep their status files (`l2console status`); None: the user's own.
    l2console_run_dir: Path | None = None

    # --- promotion gates -------------------------------------------------------------------------
    paper_gate_days: Decimal = Field(Decimal(60), gt=0)
    paper_gate_win_rate_pct: Decimal = Field(Decimal(50), ge=0, le=100)
    paper_gate_profit_factor: Decimal = Field(Decimal("1.0"), ge=0)
    gate_min_trades: int = Field(100, ge=0)
    live_gate_days: Decimal = Field(Decimal(30), gt=0)
    live_gate_net_pnl_usd: Decimal = Decimal(0)

    @field_validator(
        "not_live_position_action", "position_on_start", "position_on_exit", mode="before"
    )
    @classmethod
    def _lower_case_choice(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("kraken_protocol", mode="before")
    @classmethod
    def _known_kraken_protocol(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower()
            if value not in ("unified", "v1"):
                raise ValueError("choose unified (the default) or v1")
        return value

    @field_validator("imbalance_signal", mode="before")
    @classmethod
    def _known_signal(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower()
            if value not in SIGNAL_NAMES:
                raise ValueError(f"choose one of {', '.join(SIGNAL_NAMES)}")
        return value

    @field_validator("notify_events")
    @classmethod
    def _known_events(cls, value: str) -> str:
        parse_events(value)  # ValueError names the unknown event
        return value

    @model_validator(mode="after")
    def _refresh_before_the_switch_fires(self) -> Settings:
        if self.dead_man_refresh_seconds >= self.dead_man_timeout_seconds:
            raise ValueError(
                "DEAD_MAN_REFRESH_SECONDS must be shorter than DEAD_MAN_TIMEOUT_SECONDS"
            )
        return self

    @property
    def freshness_policy(self) -> FreshnessPolicy:
        return FreshnessPolicy(
            max_lag_s=self.max_book_lag_seconds,
            resync_timeout_s=self.websocket_timeout_seconds,
            not_live_grace_s=self.not_live_grace_seconds,
            not_live_action=self.not_live_position_action,
        )

    @property
    def notify_event_set(self) -> frozenset[NotifyEvent]:
        return parse_events(self.notify_events)

    @property
    def notify_url_list(self) -> list[str]:
        """The notification URLs (secrets: never print them, see ``console.unattended``)."""
        text = self.notify_urls.get_secret_value() if self.notify_urls is not None else ""
        return [url.strip() for url in text.split(",") if url.strip()]

    @property
    def data_dir(self) -> Path:
        """Where the session database lives; named sessions' control sockets go under it."""
        return self.l2console_db.parent

    @property
    def strategy_params(self) -> StrategyParams:
        return StrategyParams(
            entry_ratio=self.entry_imbalance_ratio,
            reversal_ratio=self.reversal_imbalance_ratio,
            take_profit_pct=self.take_profit_pct,
            stop_loss_pct=self.stop_loss_pct,
            max_hold_s=self.max_hold_seconds,
            spread_filter_bps=self.spread_filter_bps,
            cooldown_s=self.cooldown_seconds,
            signal=self.imbalance_signal,
            signal_entry=self.signal_entry_threshold,
            signal_exit=self.signal_exit_threshold,
        )

    @property
    def fill_bands(self) -> tuple[ExecutionModel, ExecutionModel]:
        """The pessimistic and optimistic execution models shown beside the paper fills."""
        return (
            ExecutionModel(
                "pessimistic",
                latency_ms=self.pessimistic_fill_latency_ms,
                extra_slippage_bps=self.pessimistic_fill_slippage_bps,
            ),
            ExecutionModel("optimistic", extra_slippage_bps=-self.optimistic_fill_improvement_bps),
        )

    @property
    def risk_limits(self) -> RiskLimits:
        return RiskLimits(
            max_daily_loss_usd=self.max_daily_loss_usd,
            max_position_usd=self.max_position_usd,
            max_trades_per_day=self.max_trades_per_day,
        )

    @property
    def gate_settings(self) -> GateSettings:
        return GateSettings(
            paper=PaperGateThresholds(
                days=self.paper_gate_days,
                win_rate=self.paper_gate_win_rate_pct / 100,
                profit_factor=self.paper_gate_profit_factor,
                min_trades=self.gate_min_trades,
            ),
            live=LiveGateThresholds(days=self.live_gate_days, net_pnl=self.live_gate_net_pnl_usd),
        )

    @property
    def kraken_credentials(self) -> ApiCredentials:
        """Kraken's one key pair (there is no demo any more: it is real money)."""
        return ApiCredentials(
            self.kraken_api_key, self.kraken_api_secret, "KRAKEN_API_KEY", "KRAKEN_API_SECRET"
        )

    @property
    def binance_us_credentials(self) -> ApiCredentials:
        return ApiCredentials(
            self.binance_us_api_key,
            self.binance_us_api_secret,
            "BINANCE_US_API_KEY",
            "BINANCE_US_API_SECRET",
        )


def load_settings(env_file: Path | None = Path(".env")) -> Settings:
    """Read settings; a bad value becomes one ``SettingsError`` line naming the setting."""
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    if not first["loc"]:  # a rule across settings: its input is every setting, keys included
        message = str(first["msg"]).removeprefix("Value error, ")
        return f"bad settings: {message}{more}"
    name = ".".join(str(part) for part in first["loc"]).upper()
    shown = first.get("input")
    # Credentials are never echoed back, even when malformed.
    secret = ("API_KEY", "API_SECRET", "NOTIFY_URLS")
    value = "" if any(word in name for word in secret) else f" (got {shown!r})"
    return f"bad setting {name}: {first['msg']}{value}{more}"


def env_file_permission_warning(env_file: Path) -> str | None:
    """A warning when ``.env`` (which holds keys) can be read by other users."""
    try:
        mode = env_file.stat().st_mode
    except OSError:
        return None
    if not stat.S_ISREG(mode):  # /dev/null, a pipe: nothing kept in it
        return None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (
            f"warning: {env_file} is readable by other users (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {env_file}"
        )
    return None
