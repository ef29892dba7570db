"""The sender against a real notification service on 127.0.0.1 (apprise's json:// URL)."""

from __future__ import annotations

import socket
import time

from console.unattended.channels import open_channels, redact
from console.unattended.events import Notification, NotifyEvent
from console.unattended.sender import NotificationSender
from tests.console.unattended.receiver import receiver


def note(title: str, body: str = "") -> Notification:
    return Notification(NotifyEvent.RUN, title, body, time.time_ns())


def closed_port_url() -> str:
    """A json:// URL on 127.0.0.1 where nothing listens (a service that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"json://127.0.0.1:{port}/notify"


def test_a_notification_arrives_with_the_run_in_its_title() -> None:
    with receiver() as service:
        sender = NotificationSender(open_channels([service.url]), label="60days", coalesce_s=0)
        sender.start()
        sender.post(note("kill switch: flat confirmed", "flat confirmed (simulated)"))
        text = service.wait_for("kill switch")
        assert sender.close(30)
    assert text.startswith("l2console 60days: kill switch: flat confirmed")
    assert "flat confirmed (simulated)" in text
    assert sender.stats.delivered == 1 and sender.stats.failed == 0


def test_a_burst_is_coalesced_into_few_messages_and_nothing_is_lost() -> None:
    with receiver() as service:
        sender = NotificationSender(open_channels([service.url]), label="x", coalesce_s=1.0)
        sender.start()
        for n in range(25):
            sender.post(note(f"round trip {n}"))
        assert sender.close(30)
        texts = service.texts()
    assert 1 <= len(texts) <= 3, texts  # at most 30 per message, within 1 s of the first
    joined = "\n".join(texts)
    assert all(f"round trip {n}" in joined for n in range(25))
    assert sender.stats.coalesced == 25 - len(texts)
    assert "events" in texts[0]


def test_posting_never_waits_for_a_dead_service_and_drops_are_counted_then_told() -> None:
    sender = NotificationSender(
        open_channels([closed_port_url()]), label="x", capacity=5, coalesce_s=0, backoff_s=(0.2,)
    )
    sender.start()
    slowest = 0.0
    for n in range(200):
        started = time.perf_counter()
        sender.post(note(f"event {n}"))
        slowest = max(slowest, time.perf_counter() - started)
    assert slowest < 0.05, f"post took {slowest * 1000:.1f} ms"
    assert sender.stats.dropped > 0
    sender.close(30)
    assert sender.stats.failed >= 1 and sender.stats.delivered == 0


def test_a_service_that_fails_then_recovers_gets_the_message_on_a_retry() -> None:
    with receiver() as service:
        service.refusing = True
        sender = NotificationSender(
            open_channels([service.url]), label="x", coalesce_s=0, backoff_s=(0.5, 0.5, 5.0)
        )
        sender.start()
        sender.post(note("book PF_XBTUSD STALE for over 30s"))
        time.sleep(0.2)  # the first try is refused (the service answers 500)
        service.refusing = False
        service.wait_for("STALE", timeout_s=30)
        assert sender.close(30)
    assert sender.stats.delivered == 1


def test_urls_are_named_without_their_secrets() -> None:
    [telegram, basic, local] = open_channels(
        [
            "tgram://123456789:AAHsecretTOKEN/-100200300",
            "json://alice:hunter2@hooks.example.com/secret-path",
            "json://127.0.0.1:8080/notify",
        ]
    )
    for channel in (telegram, basic):
        for secret in ("123456789", "AAHsecretTOKEN", "alice", "hunter2", "secret-path", "200300"):
            assert secret not in channel.name
    assert telegram.name == "tgram://…"
    assert basic.name == "json://hooks.example.com/…"
    assert local.name == "json://127.0.0.1:8080/…"
    assert redact("nonsense://tok3n@x/y") == "nonsense://…"
