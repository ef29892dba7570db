"""Gathering a checklist's evidence: one read of the session database, the settings, ``.env``."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from dotenv import dotenv_values

from brokers import registry
from console.report import build_report
from console.settings import Settings
from core.checklists import (
    Checklist,
    KeyCustody,
    LiveEvidence,
    RiskSettings,
    integration_checklist,
    live_checklist,
)
from core.store import SessionReader


def real_money_keys() -> tuple[str, ...]:
    """Every venue's key settings that trade real money (loads the venues: call when judging)."""
    return tuple(key for name in registry.names() for key in registry.venue(name).real_money_keys)


def integration_for(reader: SessionReader, name: str) -> Checklist:
    return integration_checklist(reader.evidence(name))


def live_for(
    reader: SessionReader,
    name: str,
    settings: Settings,
    *,
    env_file: Path,
    capital_usd: Decimal | None,
    key_names: Sequence[str] = (),
    now_ns: int | None = None,
) -> Checklist:
    """The live checklist of paper session ``name``; ``key_names``: the real-money keys that
    must sit in ``env_file`` (default: every venue's)."""
    report = build_report(reader.report_data(name), settings.gate_settings)
    every = reader.every_evidence()
    paper = next(evidence for evidence in every if evidence.name == name)
    names = tuple(key_names) or real_money_keys()
    evidence = LiveEvidence(
        paper=paper,
        gate=report.gate,
        max_drawdown_usd=report.stats.max_drawdown if report.stats.trades else None,
        max_acceptable_drawdown_usd=settings.max_acceptable_drawdown_usd,
        integration=_closest_integration([integration_checklist(e) for e in every]),
        kill_switch_tests=tuple(reader.kill_switch_tests()),
        keys=key_custody(env_file, names),
        risk=RiskSettings(
            settings.max_daily_loss_usd, settings.max_position_usd, settings.max_trades_per_day
        ),
        capital_usd=capital_usd,
        now_ns=time.time_ns() if now_ns is None else now_ns,
    )
    return live_checklist(evidence)


def _closest_integration(checklists: list[Checklist]) -> Checklist | None:
    """A complete one if any session has it, else the one with the most lines passed."""
    if not checklists:
        return None
    return max(checklists, key=lambda c: sum(line.passed for line in c.lines))


def key_custody(env_file: Path, names: Sequence[str]) -> KeyCustody:
    """Which of ``names`` are set in ``env_file`` and which come from the process environment
    (which wins over the file, and which a checklist cannot vouch for)."""
    try:
        mode: int | None = stat.S_IMODE(env_file.stat().st_mode)
        in_file = {k.upper(): v for k, v in dotenv_values(env_file).items()}
    except OSError:
        mode, in_file = None, {}
    environment = {k.upper(): v for k, v in os.environ.items()}
    return KeyCustody(
        env_file=str(env_file),
        file_mode=mode,
        in_file=tuple(n for n in names if (in_file.get(n) or "").strip()),
        elsewhere=tuple(n for n in names if (environment.get(n) or "").strip()),
    )
