"""The console's terminal, behind a guard: a terminal that went away is a stop, never a crash.

Textual writes the screen from a thread through a bounded queue. If a write to the terminal
fails (EIO once an SSH connection dropped), that thread dies, the queue fills, and the next
frame blocks the event loop — the engine and the kill switch with it. Here the screen is written
through a ``GuardedStream`` instead: a failed write marks the terminal lost (the run stops as on
SIGHUP) and later frames go nowhere. A key reader that finds the terminal gone says so the same
way instead of ending the app with a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

from textual.driver import Driver

from console.output import GuardedStream


def terminal_driver(terminal: GuardedStream) -> type[Driver] | None:
    """A Textual driver class writing the screen to ``terminal`` (None: Textual's own choice,
    on a platform without the POSIX driver)."""
    if sys.platform == "win32":
        return None
    from textual.drivers.linux_driver import LinuxDriver  # noqa: PLC0415 - POSIX only

    class GuardedTerminalDriver(LinuxDriver):
        def __init__(self, app: Any, **kwargs: Any) -> None:
            super().__init__(app, **kwargs)
            self._file = terminal  # what the screen-writer thread writes to

        def run_input_thread(self) -> None:
            try:
                super().run_input_thread()
            except OSError as exc:  # the terminal went away under the key reader
                terminal.mark_lost(exc)

    return GuardedTerminalDriver
