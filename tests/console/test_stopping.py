"""Why a run stops, a stop that nothing cuts short, and the exit status it ends with."""

from __future__ import annotations

import asyncio
import io
import signal
from decimal import Decimal

import pytest

from console.exit_status import ExitStatus, run_exit_status
from console.output import GuardedStream
from console.stopping import StopRequest, run_to_end
from core.engine_state import KillSwitchPhase, KillSwitchStatus
from core.enums import Mode
from core.store import RunEnd

FLAT = KillSwitchStatus(KillSwitchPhase.FLAT, "flat confirmed by the venue")
NOT_FLAT = KillSwitchStatus(KillSwitchPhase.FAILED, "NOT FLAT after 8 tries: position 0.1")


async def test_sighup_is_the_terminal_going_away_and_the_first_reason_names_the_run_end() -> None:
    stops = StopRequest()
    assert stops.by_signal(signal.SIGHUP) is True
    assert stops.by_signal(signal.SIGTERM) is False, "only the first request starts the stop"
    assert stops.event.is_set()
    assert stops.reasons == ["SIGHUP received", "SIGTERM received"]
    assert stops.terminal_lost and stops.how is RunEnd.HANGUP


async def test_a_signal_first_then_lost_output_is_an_interruption_with_the_terminal_lost() -> None:
    stops = StopRequest()
    stops.by_signal(signal.SIGINT)
    stops.output_lost(GuardedStream(io.StringIO(), "stdout"), BrokenPipeError(32, "Broken pipe"))
    assert stops.how is RunEnd.INTERRUPTED
    assert stops.terminal_lost, "the exit status still says the output went away"
    assert stops.reasons[-1] == "stdout lost (Broken pipe)"


async def test_a_stop_runs_to_its_end_when_its_caller_is_cancelled() -> None:
    release = asyncio.Event()
    steps: list[str] = []

    async def flatten_then_close() -> str:
        steps.append("flatten sent")
        await release.wait()
        steps.append("flat confirmed, record closed")
        return "FLAT"

    work = asyncio.ensure_future(flatten_then_close())
    caller = asyncio.ensure_future(run_to_end(work))
    await asyncio.sleep(0)
    caller.cancel()  # e.g. the console's worker, cancelled as the app closes
    for _ in range(3):
        await asyncio.sleep(0)
    assert not caller.done(), "the caller waits for the stop before it honours the cancel"
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert steps == ["flatten sent", "flat confirmed, record closed"]
    assert work.result() == "FLAT"
    assert await run_to_end(work) == "FLAT", "a later caller gets the same result"


async def test_a_stop_that_fails_raises_to_its_caller() -> None:
    async def broken() -> None:
        raise RuntimeError("store gone")

    with pytest.raises(RuntimeError, match="store gone"):
        await run_to_end(broken())


@pytest.mark.parametrize(
    ("mode", "flatten", "position", "terminal_lost", "expected"),
    [
        (Mode.LIVE, FLAT, Decimal(0), False, ExitStatus.OK),
        (Mode.LIVE, FLAT, Decimal(0), True, ExitStatus.TERMINAL_LOST),
        (Mode.LIVE, NOT_FLAT, Decimal("0.1"), False, ExitStatus.VENUE_MAY_HOLD),
        (Mode.LIVE, NOT_FLAT, Decimal("0.1"), True, ExitStatus.VENUE_MAY_HOLD),
        (Mode.LIVE, None, Decimal("0.1"), False, ExitStatus.VENUE_MAY_HOLD),  # left open
        (Mode.LIVE, None, Decimal(0), False, ExitStatus.OK),
        (Mode.PAPER, NOT_FLAT, Decimal("0.1"), False, ExitStatus.OK),  # nothing at a venue
        (Mode.PAPER, None, Decimal("0.1"), True, ExitStatus.TERMINAL_LOST),
        (Mode.DRY_RUN, None, Decimal(0), False, ExitStatus.OK),
    ],
)
def test_exit_status_table(
    mode: Mode,
    flatten: KillSwitchStatus | None,
    position: Decimal,
    terminal_lost: bool,
    expected: ExitStatus,
) -> None:
    assert (
        run_exit_status(mode=mode, flatten=flatten, position=position, terminal_lost=terminal_lost)
        is expected
    )
