"""A named session's control socket: how ``l2console flatten --session NAME`` reaches it.

Mechanism: every process running a named session listens on a Unix socket
``<data dir>/control/<NAME>.sock`` (the data dir holds the session database), guarded by an
``flock`` on ``<NAME>.lock`` held for the life of the process. Why this and not a pid file plus
a signal:

* it answers: the flatten command sends one request and reads progress and the kill switch's
  result (confirmed flat, or what is still open) on the same connection — no result file to
  poll, no race with a second request;
* it cannot hit the wrong process: a pid file outlives a ``kill -9`` and the pid can be reused;
  a socket nobody listens on just refuses, and the ``flock`` dies with its process, so a stale
  socket is recognised and replaced safely, and two processes can never run one session;
* it works under systemd and over SSH alike: the same user, the same data dir (``--db`` or
  ``L2CONSOLE_DB``), no terminal needed; the directory is 0700, so only that user gets in.

AF_UNIX paths are limited to ~100 bytes: when ``<data dir>/control/NAME.sock`` is longer, the
socket goes to ``$TMPDIR/l2console-<uid>/<hash of data dir and name>.sock`` instead (the lock
stays in the data dir). Both sides compute the same path, so nothing needs configuring — except
under systemd's ``PrivateTmp=yes`` with a very long data path, where a shorter path is needed.

Protocol: one JSON object per line. Request ``{"command": "flatten"}`` or ``{"command":
"status"}``; answers ``{"type": "progress", "text": …}`` lines, then one ``{"type": "result", …}``
(or ``{"type": "error", "message": …}``).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from core.engine_state import KillSwitchStatus
from core.observer import EngineObserver

log = logging.getLogger(__name__)

CONTROL_DIR = "control"
MAX_SOCKET_PATH = 100  # bytes; Linux allows 107, macOS 103
SESSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_REQUEST_BYTES = 4096


class ControlError(Exception):
    """A control-socket problem fit to show as one line."""


class SessionAlreadyRunning(ControlError):
    pass


class SessionNotRunning(ControlError):
    pass


def check_session_name(name: str) -> str:
    if not SESSION_NAME.match(name):
        raise ControlError(
            f"bad session name {name!r}: use 1-64 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit"
        )
    return name


def control_dir(data_dir: Path) -> Path:
    return data_dir.expanduser().resolve() / CONTROL_DIR


def control_socket_path(data_dir: Path, session: str) -> Path:
    """Where the session ``session`` listens (see the module doc for the long-path fallback)."""
    check_session_name(session)
    home = control_dir(data_dir)
    path = home / f"{session}.sock"
    if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(f"{home}\0{session}".encode()).hexdigest()[:24]
    return Path(tempfile.gettempdir()) / f"l2console-{os.getuid()}" / f"{digest}.sock"


@dataclass(frozen=True, slots=True)
class ControlHandlers:
    """What the running session does for a request."""

    flatten: Callable[[str], Awaitable[KillSwitchStatus]]
    status: Callable[[], dict[str, Any]]


class ControlServer(EngineObserver):
    """Listens for control requests for one named session (module doc). Also an observer:
    the engine's notices stream to whoever is waiting on a flatten."""

    def __init__(self, data_dir: Path, session: str) -> None:
        self.session = check_session_name(session)
        self.path = control_socket_path(data_dir, session)
        self._lock_path = control_dir(data_dir) / f"{session}.lock"
        self._lock_fd: int | None = None
        self._server: asyncio.Server | None = None
        self._handlers: ControlHandlers | None = None
        self._listeners: set[asyncio.Queue[dict[str, Any]]] = set()
        self._connections: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"ControlServer(session={self.session!r}, path={str(self.path)!r})"

    async def start(self, handlers: ControlHandlers) -> None:
        """Take the session's lock and listen; ``SessionAlreadyRunning`` if another has it."""
        self._handlers = handlers
        try:
            self._lock_fd = self._take_lock()
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()  # left by a process that died: we hold the lock, it is ours
            self._server = await asyncio.start_unix_server(
                self._serve, path=str(self.path), limit=MAX_REQUEST_BYTES
            )
            self.path.chmod(0o600)
        except OSError as error:  # a read-only or someone else's data dir, a file in the way
            await self.stop()
            reason = error.strerror or str(error)
            where = error.filename or self.path
            raise ControlError(
                f"cannot set up the control socket of session {self.session!r}: {where}: "
                f"{reason[:1].lower()}{reason[1:]}"
            ) from None

    def _take_lock(self) -> int:
        for directory in {self.path.parent, self._lock_path.parent}:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise SessionAlreadyRunning(
                f"session {self.session!r} is already running in another process"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            os.close(fd)
            raise
        return fd

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
            await server.wait_closed()
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    # --- engine observer: progress for waiting clients ----------------------------------------
    def on_notice(self, text: str) -> None:
        for queue in self._listeners:
            queue.put_nowait({"type": "progress", "text": text})

    # --- one connection ----------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self._answer(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            log.info("control connection ended: %s", exc)
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._handlers is not None
        async with asyncio.timeout(10):
            line = await reader.readline()
        try:
            request = json.loads(line)
            command = request["command"] if isinstance(request, dict) else None
        except (ValueError, KeyError):
            command = None
        if command == "status":
            await _send(writer, {"type": "result", **self._handlers.status()})
        elif command == "flatten":
            await self._flatten(writer)
        else:
            await _send(writer, {"type": "error", "message": "unknown request"})

    async def _flatten(self, writer: asyncio.StreamWriter) -> None:
        assert self._handlers is not None
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._listeners.add(queue)
        try:
            job = asyncio.ensure_future(
                self._handlers.flatten("Flatten command (l2console flatten)")
            )
            while not job.done():
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({job, getter}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    await _send(writer, getter.result())
                else:
                    getter.cancel()
            while not queue.empty():
                await _send(writer, queue.get_nowait())
            status = job.result()
            result = {"type": "result", "phase": status.phase.value, "detail": status.detail}
            await _send(writer, result | self._handlers.status())
        finally:
            self._listeners.discard(queue)


async def _send(writer: asyncio.StreamWriter, message: dict[str, Any]) -> None:
    writer.write(json.dumps(message).encode() + b"\n")
    await writer.drain()


async def request(
    data_dir: Path,
    session: str,
    command: str,
    *,
    timeout_s: float,
    progress: TextIO | None = None,
) -> dict[str, Any]:
    """Send one request to a running session; returns its result (progress lines printed)."""
    path = control_socket_path(data_dir, session)
    try:
        async with asyncio.timeout(5):
            reader, writer = await asyncio.open_unix_connection(str(path))
    except (FileNotFoundError, ConnectionRefusedError):
        raise SessionNotRunning(
            f"session {session!r} is not running (nothing listens at {path}); "
            "is --db / L2CONSOLE_DB the one the session uses?"
        ) from None
    except PermissionError:
        raise ControlError(
            f"no permission to reach session {session!r} at {path}: run as the user that runs it"
        ) from None
    try:
        writer.write(json.dumps({"command": command}).encode() + b"\n")
        await writer.drain()
        async with asyncio.timeout(timeout_s):
            return await _read_answer(reader, progress)
    except TimeoutError:
        raise ControlError(
            f"session {session!r} did not answer within {timeout_s:g}s; it may still be "
            "flattening: check its log"
        ) from None
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def _read_answer(reader: asyncio.StreamReader, progress: TextIO | None) -> dict[str, Any]:
    while line := await reader.readline():
        try:
            message = json.loads(line)
        except ValueError:
            raise ControlError("the session answered something unreadable") from None
        if not isinstance(message, dict):
            raise ControlError("the session answered something unreadable")
        if message.get("type") == "progress":
            if progress is not None:
                print(f"FLATTEN | {message['text']}", file=progress, flush=True)
            continue
        if message.get("type") == "error":
            raise ControlError(f"the session refused the request: {message.get('message')}")
        return dict(message)
    raise ControlError("the session closed the connection without an answer")
