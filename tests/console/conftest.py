"""Shared fixtures for the console tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.console.cli_process import NAME, l2console, write_sample_session
from tests.console.sim_recording import write_sim_recording

BUSY = (
    "entry_ratio=1.6",
    "reversal_ratio=1.2",
    "take_profit=0.004",
    "stop_loss=0.004",
    "max_hold=0.4",
    "cooldown=0.15",
    "max_trades=100000",
    "max_daily_loss=1000000",
    "max_position=1000",
)
"""``--set`` pairs under which the simulated market trades every few seconds."""


@pytest.fixture(scope="session")
def sim_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 s of the simulated market (about 11,000 frames), recorded without sockets."""
    path = tmp_path_factory.mktemp("recordings") / "sim30.l2rec"
    write_sim_recording(path, seconds=30)
    return path


@pytest.fixture(scope="session")
def sample_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session database written once, where it may be written (copied by the tests that
    take rights away)."""
    path = tmp_path_factory.mktemp("original") / "l2console.sqlite"
    write_sample_session(path)
    return path


@pytest.fixture(scope="session")
def sample_outputs(sample_database: Path) -> dict[str, str]:
    """What `sessions` and `report` print from ``sample_database``, where they may write."""
    outputs = {}
    for command in (("sessions",), ("report", "--session", NAME)):
        done = l2console(*command, "--db", str(sample_database), cwd=sample_database.parent)
        assert done.returncode == 0, done
        outputs[command[0]] = done.stdout
    return outputs


@pytest.fixture
def no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        # The tests' own status folder stays (tests/conftest.py): it is no user's setting.
        if name.upper() in _SETTING_NAMES and name.upper() != "L2CONSOLE_RUN_DIR":
            monkeypatch.delenv(name)


def _setting_names() -> frozenset[str]:
    from console.settings import Settings  # noqa: PLC0415

    return frozenset(name.upper() for name in Settings.model_fields)


_SETTING_NAMES = _setting_names()
