"""`l2console run` opens the console only on a terminal; elsewhere one line says what to do."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import clean_env, l2console_argv

pytestmark = pytest.mark.e2e


def test_without_a_terminal_the_console_asks_for_no_ui(tmp_path: Path) -> None:
    proc = subprocess.run(
        l2console_argv("run", "--duration", "5", env_file=tmp_path / "absent.env"),
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "--no-ui" in lines[0]
    assert "Traceback" not in proc.stderr
