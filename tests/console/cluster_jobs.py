"""Jobs for the cluster tests, sent to the workers by value (they may not import ``tests``)."""

from __future__ import annotations

import os
from pathlib import Path


def die_once(marker: Path) -> int:
    """The first attempt kills its worker process; the retry (a new worker) answers."""
    if not marker.exists():
        marker.write_text(str(os.getpid()), encoding="utf-8")
        os._exit(1)
    return os.getpid()


def square(n: int) -> int:
    return n * n
