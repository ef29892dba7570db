"""Each running session's small status file, and ``l2console status`` reading them back.

A run writes ``<run dir>/<pid>.json`` every ``STATUS_EVERY_S`` seconds (written beside, then
renamed over: a reader never sees half a file) and removes it when it stops. The run dir is the
user's own (``L2CONSOLE_RUN_DIR``, else ``~/.local/state/l2console/run``), so ``status`` lists
this user's sessions from any shell. A file whose process is gone, or whose heartbeat is old, is
shown as such: the run stopped answering.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATUS_EVERY_S = 2.0
SILENT_AFTER_S = 15.0  # a heartbeat older than this: the run stopped answering
SCHEMA = 1


def run_dir(configured: Path | None) -> Path:
    """``L2CONSOLE_RUN_DIR``, else ``~/.local/state/l2console/run``. Not ``$XDG_RUNTIME_DIR``: a
    systemd service has none, and ``status`` from a login shell must find the service's files."""
    if configured is not None:
        return configured
    return Path.home() / ".local" / "state" / "l2console" / "run"


def write_status(folder: Path, status: dict[str, Any]) -> Path:
    """Atomically replace this process's status file (blocking: call it in a thread)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{os.getpid()}.json"
    partial = folder / f".{os.getpid()}.json.tmp"
    partial.write_text(json.dumps(status, sort_keys=True), encoding="utf-8")
    partial.replace(path)
    return path


def remove_status(folder: Path) -> None:
    with contextlib.suppress(OSError):
        (folder / f"{os.getpid()}.json").unlink()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process holds the number: not ours, but alive
        return True
    except OSError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class SessionStatus:
    pid: int
    health: str  # "running", "not answering" (old heartbeat), "gone" (process ended uncleanly)
    heartbeat_age_s: float
    fields: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            **self.fields,
            "pid": self.pid,
            "health": self.health,
            "heartbeat_age_s": round(self.heartbeat_age_s, 1),
        }


def read_statuses(folder: Path, *, now_ns: int | None = None) -> list[SessionStatus]:
    """Every status file in ``folder``, oldest run first; unreadable ones are skipped."""
    now = time.time_ns() if now_ns is None else now_ns
    found = []
    try:
        paths = sorted(folder.glob("*.json"))
    except OSError:
        return []
    for path in paths:
        try:
            fields = json.loads(path.read_text(encoding="utf-8"))
            pid = int(fields["pid"])
            beat = int(fields["heartbeat_ns"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        age = max(0.0, (now - beat) / 1e9)
        silent_after = max(SILENT_AFTER_S, 5 * float(fields.get("every_s", STATUS_EVERY_S)))
        if not pid_alive(pid):
            health = "gone"
        elif age > silent_after:
            health = "not answering"
        else:
            health = "running"
        found.append(SessionStatus(pid, health, age, fields))
    found.sort(key=lambda s: (str(s.fields.get("started_utc", "")), s.pid))
    return found


def prune_gone(folder: Path) -> None:
    """Remove files of processes that no longer exist (a start tidies up after a crash)."""
    for status in read_statuses(folder):
        if status.health == "gone":
            with contextlib.suppress(OSError):
                (folder / f"{status.pid}.json").unlink()
