"""Sending notifications without ever holding up the engine.

``post`` is called on the event loop and only puts the message on a bounded queue (full: the
message is dropped and counted, and the next message says how many were lost). One worker thread
drains the queue: what arrives within ``coalesce_s`` of a first message goes out with it as one
message, and each channel is tried again with backoff when its service fails. A channel that
stays down costs the worker its retries, never the engine its time.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from console.unattended.channels import Channel
from console.unattended.events import Notification

log = logging.getLogger(__name__)

CAPACITY = 200
COALESCE_S = 1.0
MAX_BATCH = 30
BACKOFF_S = (1.0, 3.0, 9.0)  # waits between the tries of one message on one channel
_CLOSE = object()


@dataclass
class SenderStats:
    posted: int = 0
    dropped: int = 0  # the queue was full: lost, counted, told in the next message
    messages: int = 0  # messages handed to the channels (one may carry many notifications)
    coalesced: int = 0  # notifications that went out inside another's message
    delivered: int = 0  # (message, channel) deliveries that worked
    failed: int = 0  # (message, channel) deliveries that failed after every try


class NotificationSender:
    def __init__(
        self,
        channels: Sequence[Channel],
        *,
        label: str,
        capacity: int = CAPACITY,
        coalesce_s: float = COALESCE_S,
        max_batch: int = MAX_BATCH,
        backoff_s: Sequence[float] = BACKOFF_S,
    ) -> None:
        self._channels = tuple(channels)
        self._label = label
        self._queue: queue.Queue[object] = queue.Queue(maxsize=capacity)
        self._coalesce_s = coalesce_s
        self._max_batch = max_batch
        self._backoff_s = tuple(backoff_s)
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None
        self._dropped_unsaid = 0
        self._lock = threading.Lock()
        self.stats = SenderStats()

    @property
    def channels(self) -> tuple[Channel, ...]:
        return self._channels

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._drain, name="notification sender", daemon=True
            )
            self._thread.start()

    def post(self, notification: Notification) -> bool:
        """Queue one message (never blocks); False when the queue was full and it was dropped."""
        self.stats.posted += 1
        try:
            self._queue.put_nowait(notification)
        except queue.Full:
            with self._lock:
                self.stats.dropped += 1
                self._dropped_unsaid += 1
            return False
        return True

    def close(self, timeout_s: float) -> bool:
        """Send what is queued (retries cut short), then stop the worker; blocking, at most
        ``timeout_s``: call it from a thread. True when everything queued went out."""
        self._closing.set()
        thread = self._thread
        if thread is None:
            return True
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self._queue.put(_CLOSE, timeout=0.05)
                break
            except queue.Full:
                if time.monotonic() >= deadline:
                    return False
        thread.join(max(0.0, deadline - time.monotonic()))
        return not thread.is_alive()

    # --- the worker thread -------------------------------------------------------------------
    def _drain(self) -> None:
        closing = False
        while not closing:
            first = self._queue.get()
            if first is _CLOSE:
                return
            batch = [first]
            deadline = time.monotonic() + (0.0 if self._closing.is_set() else self._coalesce_s)
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is _CLOSE:
                    closing = True
                    break
                batch.append(item)
            self._deliver([n for n in batch if isinstance(n, Notification)])

    def _deliver(self, batch: list[Notification]) -> None:
        title, body = self._compose(batch)
        self.stats.messages += 1
        self.stats.coalesced += len(batch) - 1
        for channel in self._channels:
            if self._send_with_retries(channel, title, body):
                self.stats.delivered += 1
            else:
                self.stats.failed += 1
                log.warning("notification to %s failed after retries: %s", channel.name, title)

    def _send_with_retries(self, channel: Channel, title: str, body: str) -> bool:
        for attempt in range(len(self._backoff_s) + 1):
            if channel.send(title, body):
                return True
            if attempt == len(self._backoff_s) or (self._closing.is_set() and attempt >= 1):
                break
            self._closing.wait(self._backoff_s[attempt])  # a close cuts the wait short
        return False

    def _compose(self, batch: list[Notification]) -> tuple[str, str]:
        with self._lock:
            dropped, self._dropped_unsaid = self._dropped_unsaid, 0
        lost = [f"({dropped} earlier notifications dropped: the queue was full)"] if dropped else []
        if len(batch) == 1:
            only = batch[0]
            return f"l2console {self._label}: {only.title}", "\n".join([only.body, *lost]).strip()
        lines = [f"- {n.title}" + (f": {n.body}" if n.body else "") for n in batch]
        return f"l2console {self._label}: {len(batch)} events", "\n".join([*lines, *lost])
