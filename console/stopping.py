"""Why a run stops before its time, and a stop that nothing cuts short.

SIGINT and SIGTERM ask for a stop. SIGHUP — the terminal hung up: a dropped SSH connection
without tmux — and output that can no longer be written (``console.output``) are *the terminal
going away*: the same stop (flatten per ``POSITION_ON_EXIT``, the summary, the run's end stored),
remembered as such (``RunEnd.HANGUP``, exit status 3, ``console.exit_status``).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

from console.output import GuardedStream
from core.store import RunEnd

T = TypeVar("T")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
TERMINAL_GONE = frozenset({signal.SIGHUP})


class StopRequest:
    """The reasons a run was asked to stop, first one first; ``event`` is set by the first."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.reasons: list[str] = []
        self.terminal_lost = False  # SIGHUP, or output lost, at any point of the run
        self.store_lost = ""  # why the session store failed mid-run ("" if it did not)
        self._first_was_terminal = False

    @property
    def requested(self) -> bool:
        return bool(self.reasons)

    @property
    def how(self) -> RunEnd:
        """How the run ended, as the store keeps it (only meaningful once requested)."""
        return RunEnd.HANGUP if self._first_was_terminal else RunEnd.INTERRUPTED

    def by_signal(self, sig: signal.Signals) -> bool:
        """``True`` when this is the first request."""
        return self._ask(f"{sig.name} received", terminal=sig in TERMINAL_GONE)

    def output_lost(self, stream: GuardedStream, exc: OSError) -> bool:
        why = exc.strerror or str(exc)
        return self._ask(f"{stream.name} lost ({why})", terminal=True)

    def store_failed(self, reason: str) -> bool:
        """The session store failed mid-run: a stop, as when the terminal is lost."""
        self.store_lost = self.store_lost or reason
        return self._ask(f"session store failed ({reason})", terminal=False)

    def _ask(self, reason: str, *, terminal: bool) -> bool:
        first = not self.reasons
        self.reasons.append(reason)
        self.terminal_lost |= terminal
        if first:
            self._first_was_terminal = terminal
        self.event.set()
        return first


@contextlib.contextmanager
def stop_signals(
    loop: asyncio.AbstractEventLoop, handler: Callable[[signal.Signals], None]
) -> Iterator[None]:
    """``handler(signal)`` on SIGINT, SIGTERM and SIGHUP while inside (on the loop)."""
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, handler, sig)
    try:
        yield
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)


@contextlib.contextmanager
def output_watched(
    loop: asyncio.AbstractEventLoop,
    streams: tuple[GuardedStream, ...],
    on_lost: Callable[[GuardedStream, OSError], object],
) -> Iterator[None]:
    """``on_lost(stream, error)`` on the loop when one of ``streams`` is lost (from any thread)."""

    def lost(stream: GuardedStream, exc: OSError) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(on_lost, stream, exc)

    with contextlib.ExitStack() as stack:
        for stream in dict.fromkeys(streams):  # one listener per stream, even if named twice
            stack.enter_context(stream.listening(lost))
        yield


async def run_to_end(work: Awaitable[T]) -> T:
    """Await ``work`` (a task, or made one) to its end even if the caller is cancelled meanwhile;
    the cancellation is raised once it ended. For a stop that must finish its flatten."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(task)
            break
        except asyncio.CancelledError:
            if task.cancelled():  # the work itself was cancelled, not only its caller
                raise
            if task.done():
                result = task.result()
                cancelled = True
                break
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return result
