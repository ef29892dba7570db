"""A start that failed (bad keys, venue unreachable, the session taken) is told too.

A service restarting every few seconds into the same failure is told once an hour (with how many
more failed since), not on every restart: the run dir remembers when it last told.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from console.settings import Settings
from console.unattended.events import NotifyEvent
from console.unattended.notifier import Post
from console.unattended.runtime import CLOSE_TIMEOUT_S, make_sender
from console.unattended.status_board import run_dir

log = logging.getLogger(__name__)


def notify_start_failure(settings: Settings, label: str, reason: str) -> None:
    """A start that failed (bad keys, venue unreachable, session taken) is told too; blocking
    for at most ``CLOSE_TIMEOUT_S``, and silent when nothing is configured or it cannot send.

    A service restarting every few seconds into the same failure is told once an hour (with how
    many more failed since), not on every restart: the run dir remembers when it last told.
    """
    sender, _ = make_sender(settings, label)
    if sender is None or NotifyEvent.RUN not in settings.notify_event_set:
        return
    more = start_failures_since_told(run_dir(settings.l2console_run_dir), label, time.time_ns())
    if more is None:
        return
    body = reason + (f"\n({more} more failed starts since the last message)" if more else "")
    sender.start()
    Post(sender.post, settings.notify_event_set)(NotifyEvent.RUN, "start FAILED", body)
    sender.close(CLOSE_TIMEOUT_S)


START_FAILURE_QUIET_NS = 3600 * 1_000_000_000


def start_failures_since_told(folder: Path, label: str, now_ns: int) -> int | None:
    """None: told within the hour (this failure is counted); else how many were not told."""
    path = folder / "start-failures.json"
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    entry = known.get(label) if isinstance(known, dict) else None
    if not isinstance(known, dict):
        known = {}
    told = (
        isinstance(entry, dict) and now_ns - int(entry.get("told_ns", 0)) < START_FAILURE_QUIET_NS
    )
    if told:
        entry["untold"] = int(entry.get("untold", 0)) + 1
        more = None
    else:
        more = int(entry.get("untold", 0)) if isinstance(entry, dict) else 0
        known[label] = {"told_ns": now_ns, "untold": 0}
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = folder / ".start-failures.json.tmp"
        partial.write_text(json.dumps(known), encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        log.warning("start failures not remembered in %s: %s", folder, exc)
    return more
