"""systemd's notify protocol: READY=1 once the book is live, WATCHDOG=1 from the event loop.

The unit (``l2console systemd-unit``) says ``Type=notify`` and ``WatchdogSec=``; systemd then
passes ``NOTIFY_SOCKET`` (a unix datagram socket) and ``WATCHDOG_USEC``. The heartbeat is a task
on the event loop itself, so it stops when the loop hangs and systemd kills and restarts the
process (the restart resumes the session). Without ``NOTIFY_SOCKET`` nothing is sent.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class SystemdNotifier:
    """Datagrams to ``NOTIFY_SOCKET`` (a path, or ``@name`` in the abstract namespace)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self._address = _address(env.get("NOTIFY_SOCKET", ""))
        self.watchdog_s = _watchdog_s(env)
        self.sent: dict[str, int] = {}
        self._socket: socket.socket | None = None
        if self._address is not None:
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._socket.setblocking(False)

    @property
    def enabled(self) -> bool:
        return self._socket is not None

    def notify(self, *fields: str) -> bool:
        """Send ``READY=1``, ``WATCHDOG=1``, ``STATUS=...``: one datagram, never blocking; a
        failure is logged, never raised (systemd may be gone during a shutdown)."""
        if self._socket is None or self._address is None:
            return False
        try:
            self._socket.sendto("\n".join(fields).encode(), self._address)
        except OSError as exc:
            log.warning("systemd notify %s failed: %s", fields[0].split("=")[0], exc)
            return False
        for field in fields:
            key = field.split("=", 1)[0]
            self.sent[key] = self.sent.get(key, 0) + 1
        return True

    async def heartbeat(self) -> None:
        """``WATCHDOG=1`` every half watchdog interval, while this loop runs."""
        if self.watchdog_s is None or not self.enabled:
            return
        every = self.watchdog_s / 2
        while True:
            self.notify("WATCHDOG=1")
            await asyncio.sleep(every)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _address(value: str) -> str | bytes | None:
    if not value:
        return None
    if value.startswith("@"):
        return b"\0" + value[1:].encode()
    return value if value.startswith("/") else None


def _watchdog_s(env: Mapping[str, str]) -> float | None:
    """``WATCHDOG_USEC`` in seconds, when it is meant for this process (``WATCHDOG_PID``)."""
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    pid = env.get("WATCHDOG_PID")
    if pid and pid != str(os.getpid()):
        return None
    return usec / 1e6 if usec > 0 else None
