"""The real ``l2console`` in a subprocess, for tests of what the command line says and exits with."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from tests.console.report_sessions import DAY, HOUR, T0, trips_from_nets, write_session_async
from tests.e2e.conftest import clean_env

EXIT_USAGE = 2
NAME = "60days_kraken"


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def l2console(
    *args: str,
    cwd: Path,
    wrap: Callable[[Sequence[str]], list[str]] = list,
    env: Mapping[str, str] | None = None,
    env_file: str = os.devnull,
) -> Done:
    """Run ``l2console ARGS`` to completion; ``wrap`` puts it on a read-only mount, under
    another user... (``tests.restricted``)."""
    argv = wrap([sys.executable, "-m", "console.cli", "--env-file", env_file, *args])
    done = subprocess.run(
        argv,
        cwd=cwd,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Done(done.returncode, done.stdout, done.stderr)


def assert_one_line_error(done: Done, *words: str) -> str:
    """Exit status 2 and exactly one line on stderr, naming ``words``; returns that line."""
    lines = done.stderr.splitlines()
    assert done.returncode == EXIT_USAGE, done
    assert len(lines) == 1, done.stderr
    line = lines[0]
    assert line.startswith("l2console: "), line
    for word in words:
        assert word in line, f"{word!r} not in {line!r}"
    return line


def write_sample_session(path: Path) -> None:
    """A finished paper session with a few round trips, written through the real store."""
    nets = [Decimal("1.25"), Decimal("-0.75"), Decimal("2.10"), Decimal("-0.40")]
    trips = trips_from_nets(nets, T0 + HOUR, HOUR)
    asyncio.run(write_session_async(path, NAME, trips, [(T0, T0 + DAY)]))


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: what a refused command must leave alone."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
