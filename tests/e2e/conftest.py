"""Whole-program runs: the real `l2console` in a subprocess, the sim venue inside it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]

# Settings that make the simulated market show signals within a couple of seconds.
FAST_SIM = {
    "SIM_RATE_HZ": "400",
    "COOLDOWN_SECONDS": "1",
    "STATE_INTERVAL_SECONDS": "1",
}


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The parent's environment minus anything l2console would read, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KRAKEN", "BINANCE", "SIM_", "MAX_", "L2CONSOLE", "NOTIFY"))
    }
    if "L2CONSOLE_RUN_DIR" in os.environ:  # the tests' own status folder (tests/conftest.py)
        env["L2CONSOLE_RUN_DIR"] = os.environ["L2CONSOLE_RUN_DIR"]
    env["PYTHONPATH"] = str(REPO)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def l2console_argv(*args: str, env_file: Path) -> list[str]:
    """``env_file``: the settings file the run reads; one the test did not write means none
    (``--env-file`` naming a missing file is an error, so the run is given the empty device)."""
    settings = env_file if env_file.exists() else Path(os.devnull)
    return [sys.executable, "-m", "console.cli", "--env-file", str(settings), *args]


@pytest.fixture
def l2console(tmp_path: Path) -> Iterator[object]:
    """Run ``l2console ARGS`` to completion in a temp dir with a clean environment."""

    def run(*args: str, env: Mapping[str, str] | None = None, timeout: float = 60) -> Run:
        proc = subprocess.run(
            l2console_argv(*args, env_file=tmp_path / "absent.env"),
            cwd=tmp_path,
            env=clean_env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    yield run


# --- recovery times, measured by the fault-injection tests and reported at the end --------------
RECOVERY_TIMES: list[tuple[str, float]] = []
RECOVERY_TARGET_S = 2.0


@pytest.fixture
def recovery_log(request: pytest.FixtureRequest) -> Callable[[str, float], None]:
    """``recovery_log(what, seconds)``: keep a measured recovery time for the summary."""

    def log(what: str, seconds: float) -> None:
        RECOVERY_TIMES.append((f"{request.node.name}: {what}", seconds))

    return log


REPORT_LINES: list[str] = []


@pytest.fixture
def report_line() -> Callable[[str], None]:
    """``report_line(text)``: a measured result for the end-of-run summary (soak numbers)."""
    return REPORT_LINES.append


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if REPORT_LINES:
        terminalreporter.section("measured")
        for line in REPORT_LINES:
            terminalreporter.write_line(line)
    if not RECOVERY_TIMES:
        return
    terminalreporter.section("recovery after a fault (venue healthy again -> book LIVE)")
    for what, seconds in RECOVERY_TIMES:
        mark = "" if seconds <= RECOVERY_TARGET_S else f"  (over the {RECOVERY_TARGET_S:g}s target)"
        terminalreporter.write_line(f"{seconds:7.3f}s  {what}{mark}")
    worst = max(seconds for _, seconds in RECOVERY_TIMES)
    terminalreporter.write_line(f"worst: {worst:.3f}s over {len(RECOVERY_TIMES)} measurements")
