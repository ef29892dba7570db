"""One trading run: the venue connection, the engine, the tasks that feed it, and its record.

Shared by the headless runner and the Textual console, so both start and stop the same way.
With a named session, the run is recorded in the SQLite store and continues the session where
its last run stopped: position, P&L, today's risk tallies, signal numbering and gate clock.

* ``start()``: a named session first takes its control socket (``console.control``: refuses a
  second process for the same session, lets ``l2console flatten`` reach it); live, the venue's
  positions and orders are reconciled with the session and the dead-man's switch is armed
  (``live``), before the feed and the watchdog start (``lifecycle``);
* ``flatten(reason)``: the kill switch, for every trigger (console key, signals, the flatten
  command); its result goes to the observers (printed, shown, recorded);
* ``stop(flatten=…)``: flatten if asked, stop the tasks, close the record (``recording``, with
  the gate verdict: ``verdict``), disarm the dead-man's switch (a clean exit), release the
  control socket.

The parts: ``setup`` (the engine's configuration, the session's record, a resumed session's
state), ``live`` (the doors to live trading), ``recording`` (the periodic record and kill switch
results), ``verdict`` (the facts a run's end is decided on) and ``lifecycle`` (``TradingSession``,
which puts them in order). Time is read only from the injected clock.
"""

from console.session.lifecycle import TradingSession
from console.session.recording import KillSwitchRecord
from console.session.setup import (
    adopt_spot_holding,
    open_store,
    restore,
    session_engine_config,
    session_spec,
)

__all__ = [
    "KillSwitchRecord",
    "TradingSession",
    "adopt_spot_holding",
    "open_store",
    "restore",
    "session_engine_config",
    "session_spec",
]
