"""What ``l2console run`` / ``paper`` exit with, so a script, systemd or a supervisor can act.

* 0: stopped as asked (duration over, SIGINT, SIGTERM, quit) and nothing is left at the venue;
* 1: live, the venue may still hold a position or an order: the stop's flatten could not
  confirm flat (a position or order still open, or an order whose outcome is still uncertain:
  it may yet execute), or the position was left open on purpose (``POSITION_ON_EXIT=leave``); also
  a crash (the console's, or Python's own status for an uncaught error): check the venue;
* 2: a mistake: a bad argument or setting, a start refused (one line on stderr);
* 3: the terminal went away (SIGHUP, or stdout/stderr could not be written) and the stop
  completed with nothing left at the venue;
* 4: the session store failed mid-run (a full disk, an I/O error) and the stop completed with
  nothing left at the venue; fills it could not store are in the fallback journal beside the
  database (``<database>.unrecorded-fills.jsonl``), merged on the session's next start.

1 wins over 3: an open position matters more than a lost screen. Paper and dry-run hold nothing
at a venue: a paper position left open is kept in the session, it is no reason for 1.
"""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum

from core.engine_state import KillSwitchPhase, KillSwitchStatus
from core.enums import Mode


class ExitStatus(IntEnum):
    OK = 0
    VENUE_MAY_HOLD = 1
    USAGE = 2
    TERMINAL_LOST = 3
    STORE_LOST = 4


def run_exit_status(
    *,
    mode: Mode,
    flatten: KillSwitchStatus | None,
    position: Decimal,
    terminal_lost: bool,
    crashed: bool = False,
    store_lost: bool = False,
) -> ExitStatus:
    """The status of a trading run that stopped: ``mode`` as it ended, the stop's flatten
    (None when it did not flatten), the ledger's position after it; ``crashed``: the console
    failed (its traceback was shown) though the run was stopped the usual way."""
    if crashed or (mode is Mode.LIVE and venue_may_hold(flatten, position)):
        return ExitStatus.VENUE_MAY_HOLD
    if store_lost:
        return ExitStatus.STORE_LOST
    return ExitStatus.TERMINAL_LOST if terminal_lost else ExitStatus.OK


def venue_may_hold(flatten: KillSwitchStatus | None, position: Decimal) -> bool:
    """Live: the stop's flatten did not confirm flat, or there was none and a position is open."""
    if flatten is not None:
        return flatten.phase is not KillSwitchPhase.FLAT
    return position != 0


# ``--help`` of ``l2console``, ``run`` and ``paper`` (the README says the same, at more length).
HELP = """\
stopping: SIGINT, SIGTERM and SIGHUP (the terminal hung up) stop the run: paper and live
  flatten first (POSITION_ON_EXIT=flatten, or --leave-position-on-exit), then the summary is
  printed and the run's end stored. Output that can no longer be written (a closed pipe, a
  terminal gone, a full disk) stops the run as SIGHUP does; the summary then goes to stderr.
exit status:
  0  stopped as asked, nothing left at the venue
  1  live: the venue may still hold a position or an order (not confirmed flat, or left open)
  2  a mistake: bad argument or setting, a start refused
  3  the terminal or the output went away; the stop completed, nothing left at the venue
  4  the session store failed mid-run; the stop completed, nothing left at the venue
     (fills it could not store wait in <database>.unrecorded-fills.jsonl, merged next start)"""
