"""Start-up objects are frozen out of the cyclic GC's walks, once per process."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import gc
from console.heap import settle_startup_heap
from console.session import TradingSession  # what a run has loaded by the time it starts
before = gc.get_freeze_count()
settle_startup_heap()
first = gc.get_freeze_count()
[object() for _ in range(10)]
cycle = []
cycle.append(cycle)
settle_startup_heap()
print(before, first, gc.get_freeze_count())
"""


def test_settling_freezes_what_start_up_built_and_only_once() -> None:
    # A fresh interpreter: freezing this test process would outlive the test.
    out = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    before, first, second = map(int, out)
    assert before == 0
    assert first > 10_000  # modules, classes, settings models: thousands of objects
    assert second == first  # the second call neither collects nor freezes again
