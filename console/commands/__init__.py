"""One module per ``l2console`` sub-command.

Each module has ``register(commands)`` (adds its sub-parser and sets ``handler``) and a handler
``(args, settings) -> int``. Adding a command = a new module + one line in ``COMMANDS``.
"""

from __future__ import annotations

from console.commands import (
    bench,
    checklist,
    convert,
    export,
    flatten,
    notify_test,
    paper,
    record,
    replay,
    report,
    run,
    sessions,
    sim,
    status,
    study,
    sweep,
    systemd_unit,
)

COMMANDS = (
    run,
    paper,
    flatten,
    report,
    sessions,
    status,
    notify_test,
    systemd_unit,
    sim,
    record,
    replay,
    sweep,
    study,
    convert,
    export,
    bench,
    checklist,
)
