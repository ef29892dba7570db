"""systemd's notify protocol over a real unix datagram socket, as systemd would receive it."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from console.unattended.runtime import ReadyWhenLive
from console.unattended.systemd import SystemdNotifier
from tests.waiting import eventually


class NotifySocket:
    """systemd's end: a datagram socket that keeps (arrival time, message) pairs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.got: list[tuple[float, str]] = []
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(str(path))
        self._socket.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._socket.recv(4096)
            except TimeoutError:
                continue
            self.got.append((time.monotonic(), data.decode()))

    def times(self, message: str) -> list[float]:
        return [at for at, text in list(self.got) if message in text.split("\n")]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._socket.close()


@contextlib.contextmanager
def notify_socket(tmp_path: Path) -> Iterator[NotifySocket]:
    receiver = NotifySocket(tmp_path / "notify.sock")
    try:
        yield receiver
    finally:
        receiver.close()


async def test_heartbeats_come_from_the_loop_and_stop_while_it_is_blocked(tmp_path: Path) -> None:
    with notify_socket(tmp_path) as systemd:
        env = {"NOTIFY_SOCKET": str(systemd.path), "WATCHDOG_USEC": "200000"}  # 0.2 s
        notifier = SystemdNotifier(env)
        assert notifier.watchdog_s == 0.2
        beating = asyncio.create_task(notifier.heartbeat())
        try:
            await eventually(lambda: len(systemd.times("WATCHDOG=1")) >= 3, 30, what="heartbeats")
            sent_before = notifier.sent["WATCHDOG"]
            blocked_at = time.monotonic()
            time.sleep(2.0)  # the event loop hangs: nothing on it runs  # noqa: ASYNC251
            unblocked_at = time.monotonic()
            # Nothing was sent meanwhile (a heartbeat from a thread would have gone on).
            assert notifier.sent["WATCHDOG"] == sent_before
            await eventually(
                lambda: any(t > unblocked_at for t in systemd.times("WATCHDOG=1")),
                30,
                what="a heartbeat once the loop runs again",
            )
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating
            notifier.close()
    # Datagrams sent before the block may be read a little into it (the receiving thread may
    # wait its turn on a busy machine); none arrives in its last second.
    during = [t for t in systemd.times("WATCHDOG=1") if blocked_at + 1.0 < t < unblocked_at]
    assert during == []
    before = [t for t in systemd.times("WATCHDOG=1") if t <= blocked_at]
    gaps = [b - a for a, b in itertools.pairwise(before)]
    assert max(gaps) < 1.5, gaps  # while the loop ran they came about every 0.1 s


def test_ready_is_sent_once_when_the_traded_book_goes_live(tmp_path: Path) -> None:
    with notify_socket(tmp_path) as systemd:
        notifier = SystemdNotifier({"NOTIFY_SOCKET": str(systemd.path)})
        ready = ReadyWhenLive(notifier, "PF_XBTUSD")
        ready.on_snapshot_loaded("PF_ETHUSD", 10, 10)
        ready.on_snapshot_loaded("PF_XBTUSD", 10, 10)
        ready.on_snapshot_loaded("PF_XBTUSD", 10, 10)  # a resync later: not ready again
        deadline = time.monotonic() + 10
        while not systemd.got and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        notifier.close()
    assert [text for _, text in systemd.got] == ["READY=1\nSTATUS=book PF_XBTUSD live"]


def test_without_systemd_nothing_is_sent_and_nothing_fails() -> None:
    notifier = SystemdNotifier({})
    assert not notifier.enabled
    assert notifier.notify("READY=1") is False
    assert SystemdNotifier({"NOTIFY_SOCKET": "/nonexistent/socket"}).notify("READY=1") is False
