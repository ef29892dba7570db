"""Output that may go away: a text stream behind a guard that never raises.

A write or flush that fails with ``OSError`` — a closed pipe (``| head``, a dead ``tee``), a
terminal gone (EIO), a full disk under a redirect (ENOSPC) — marks the stream *lost*, once:

* its listeners hear it (a trading run treats it as losing the terminal, ``console.stopping``);
* what was written since the last good flush, and everything after, goes to the fallback stream
  if there is one (a trading run's stdout falls back to stderr: its summary after ``| head``
  exited still reaches the terminal), else nowhere;
* its file descriptor is pointed at ``/dev/null``, so nothing later fails on it — not the
  interpreter's own flush at exit, which would otherwise print a traceback and exit 120.

Nothing ever raises to the writer: a printer, a log handler or the console's screen writer keep
running, and whoever must know asks ``lost`` or listens.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TextIO

log = logging.getLogger(__name__)

LostListener = Callable[["GuardedStream", OSError], None]


class GuardedStream:
    """A file-like text stream (``write``/``flush``) over ``stream`` that never raises."""

    def __init__(
        self,
        stream: TextIO,
        name: str,
        *,
        fallback: GuardedStream | None = None,
        silence_fd: bool = True,
    ) -> None:
        self.name = name
        self._stream = stream
        self.fallback = fallback  # where the text goes once lost (set it before writing)
        self._silence_fd = silence_fd
        self._pending: list[str] = []  # since the last good flush: the fallback gets it on loss
        self._lost: OSError | None = None
        self._listeners: list[LostListener] = []
        self._lock = threading.Lock()  # the console's screen is written from a thread

    @property
    def lost(self) -> OSError | None:
        """Why the stream was lost, or None while it works."""
        return self._lost

    @property
    def stream(self) -> TextIO:
        return self._stream

    def write(self, text: str) -> int:
        if self._lost is not None:
            if self.fallback is not None:
                self.fallback.write(text)
            return len(text)
        if self.fallback is not None:
            self._pending.append(text)
        try:
            self._stream.write(text)
        except OSError as exc:
            self.mark_lost(exc)
        return len(text)

    def flush(self) -> None:
        if self._lost is not None:
            if self.fallback is not None:
                self.fallback.flush()
            return
        try:
            self._stream.flush()
        except OSError as exc:
            self.mark_lost(exc)
            return
        self._pending.clear()

    def fileno(self) -> int:
        return self._stream.fileno()

    def isatty(self) -> bool:
        try:
            return self._lost is None and self._stream.isatty()
        except (OSError, ValueError):
            return False

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"

    @contextlib.contextmanager
    def listening(self, listener: LostListener) -> Iterator[None]:
        """Call ``listener(stream, error)`` when the stream is lost (at once if it already is),
        from the thread whose write failed."""
        with self._lock:
            self._listeners.append(listener)
            lost = self._lost
        if lost is not None:
            _tell(listener, self, lost)
        try:
            yield
        finally:
            with self._lock:
                self._listeners.remove(listener)

    def mark_lost(self, exc: OSError) -> None:
        """The stream is gone (a write failed, or its reader found the terminal gone)."""
        with self._lock:
            if self._lost is not None:
                return
            self._lost = exc
            pending, self._pending = self._pending, []
            listeners = list(self._listeners)
        if self._silence_fd:
            _point_at_devnull(self._stream)
        if self.fallback is not None and pending:
            self.fallback.write("".join(pending))
            self.fallback.flush()
        for listener in listeners:
            _tell(listener, self, exc)


def _tell(listener: LostListener, stream: GuardedStream, exc: OSError) -> None:
    try:
        listener(stream, exc)
    except Exception:  # a listener's bug must not reach the writer either
        log.exception("output-lost listener failed")


def _point_at_devnull(stream: TextIO) -> None:
    try:
        fd = stream.fileno()
    except (OSError, ValueError):  # not backed by a file descriptor (a test's StringIO)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def guarded(stream: TextIO | GuardedStream, name: str = "output") -> GuardedStream:
    """``stream`` behind a guard (itself if it already is one)."""
    if isinstance(stream, GuardedStream):
        return stream
    return GuardedStream(stream, name)


@contextlib.contextmanager
def guarded_process_output() -> Iterator[tuple[GuardedStream, GuardedStream]]:
    """``sys.stdout`` and ``sys.stderr`` replaced by guards while the command runs."""
    original_out, original_err = sys.stdout, sys.stderr
    with contextlib.ExitStack() as stack:
        # Closed before we started (``2>&-``): the caller chose no output, as with /dev/null.
        devnull = (
            stack.enter_context(open(os.devnull, "w", encoding="utf-8"))  # noqa: PTH123
            if original_out is None or original_err is None
            else None
        )
        err = GuardedStream(original_err or devnull, "stderr")  # type: ignore[arg-type]
        out = GuardedStream(original_out or devnull, "stdout")  # type: ignore[arg-type]
        sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
        try:
            yield out, err
        finally:
            out.flush()  # here, not at the interpreter's exit: a failure is only a lost stream
            err.flush()
            sys.stdout, sys.stderr = original_out, original_err


def run_output(out: TextIO | None) -> GuardedStream:
    """A trading run's output: ``out`` (default stdout) guarded, falling back to the guarded
    stderr when there is one (a report cut by ``| head`` stays cut; a run's summary does not)."""
    output = guarded(out if out is not None else sys.stdout, "stdout")
    if output.fallback is None and isinstance(sys.stderr, GuardedStream):
        output.fallback = sys.stderr
    return output


def process_streams() -> tuple[GuardedStream, ...]:
    """The guarded stdout/stderr in place now (none outside ``guarded_process_output``)."""
    return tuple(s for s in (sys.stdout, sys.stderr) if isinstance(s, GuardedStream))
