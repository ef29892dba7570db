"""Keep the cyclic garbage collector's pauses short once a run is under way.

Start-up builds most of what the process will ever hold: modules, settings, the adapters, and
with the console the Textual app, its widgets and styles. A full collection walks all of it,
and while it runs nothing else does: with the console loaded one took ~110 ms here, and every
book update arriving meanwhile waited. ``settle_startup_heap`` collects once, then freezes
what is left (``gc.freeze``) so later collections walk only what the run itself allocates (the
same full collection: ~30 ms). Objects still alive keep being freed by reference counting when
they go; only cycles among them are never collected, and start-up leaves none behind after the
collection. Once per process.
"""

from __future__ import annotations

import gc

_settled = False


def settle_startup_heap() -> None:
    global _settled  # noqa: PLW0603 - once per process, by design
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
