"""Notices: what the user should read (kill switch progress, mode changes, venue errors)."""

from __future__ import annotations

import logging
from collections import deque

from core.observer import EngineObserver

log = logging.getLogger(__name__)

KEPT = 20


class NoticeBoard:
    """Keeps the last notices for display, logs each and hands it to the observers."""

    def __init__(self, observers: EngineObserver) -> None:
        self._observers = observers
        self._recent: deque[str] = deque(maxlen=KEPT)

    def post(self, text: str) -> None:
        self._recent.append(text)
        log.info("%s", text)
        self._observers.on_notice(text)

    @property
    def recent(self) -> tuple[str, ...]:
        return tuple(self._recent)
