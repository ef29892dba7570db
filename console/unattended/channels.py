"""Notification URLs (``NOTIFY_URLS``) as channels, sent through apprise, shown without secrets.

apprise is optional (``pip install 'l2console[notify]'``): without it ``open_channels`` raises
``NotifyUnavailable`` with a one-line hint, and the run goes on without notifications.
Sending is blocking network I/O: only the sender's worker thread (or ``notify-test``) calls it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

INSTALL_HINT = (
    "notifications are off: NOTIFY_URLS is set but apprise is not installed "
    "(pip install 'l2console[notify]')"
)

# apprise logs its own failures, some with the URL in them: ours are redacted and counted.
logging.getLogger("apprise").setLevel(logging.CRITICAL + 1)


class NotifyUnavailable(Exception):
    """Notifications cannot be sent at all (apprise missing, a URL it does not know): one line."""


class Channel(Protocol):
    name: str  # the URL without its secrets, safe to print

    def send(self, title: str, body: str) -> bool:
        """Deliver one message; False when the service refused or could not be reached."""
        ...


def split_urls(text: str) -> list[str]:
    return [url.strip() for url in text.split(",") if url.strip()]


def redact(url: str, plugin: Any = None) -> str:
    """``json://127.0.0.1:8080/…`` or ``tgram://…``: the scheme, and the host only where it is a
    host name that apprise's own private form shows whole. Never a user, password, token or
    path (a path or a "host" may be a secret of its own, a bot token or a webhook key)."""
    parts = urlsplit(url)
    if not parts.scheme:
        return "(unreadable URL)"
    host = parts.netloc.rsplit("@", 1)[-1]
    shown = ""
    if plugin is not None and host:
        try:
            private = urlsplit(str(plugin.url(privacy=True))).netloc.rsplit("@", 1)[-1]
        except Exception:  # a plugin that cannot print itself: show no host
            private = ""
        name = parts.hostname or ""
        looks_like_a_host = "." in name or name == "localhost"  # not a topic or token
        shown = host if private == host and looks_like_a_host else ""
    if not shown:
        return f"{parts.scheme}://…"
    return f"{parts.scheme}://{shown}{'/…' if parts.path.strip('/') else ''}"


@dataclass
class AppriseChannel:
    name: str
    _apprise: Any

    def send(self, title: str, body: str) -> bool:
        try:
            return bool(self._apprise.notify(body=body or title, title=title))
        except Exception:  # a plugin's bug is one failed delivery, never the caller's error
            return False


def open_channels(urls: list[str]) -> list[Channel]:
    """One channel per URL; ``NotifyUnavailable`` when apprise is missing or a URL is unknown
    to it (named without its secrets)."""
    try:
        import apprise  # noqa: PLC0415 - optional, and only loaded when notifications are on
    except ImportError:
        raise NotifyUnavailable(INSTALL_HINT) from None
    channels: list[Channel] = []
    for number, url in enumerate(urls, 1):
        plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            raise NotifyUnavailable(
                f"NOTIFY_URLS #{number} ({redact(url)}) is not a notification URL apprise knows"
            )
        sender = apprise.Apprise()
        sender.add(plugin)
        channels.append(AppriseChannel(redact(url, plugin), sender))
    return channels
