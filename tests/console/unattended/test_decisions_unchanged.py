"""A notification service that is down changes nothing in what the engine decides, nor when.

The same recording replayed twice (deterministic: the replay's clock is the recording's): once
without notifications, once notifying every event to a service on 127.0.0.1 that refuses
connections. The decisions, fills and round trips are the same, and the notifier's hooks cost
the engine microseconds (they only queue).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from console.replay.runner import replay
from console.settings import Settings
from console.unattended.channels import open_channels
from console.unattended.events import NotifyEvent
from console.unattended.notifier import NotifyingObserver, Post
from console.unattended.sender import NotificationSender
from tests.console.unattended.test_sender import closed_port_url


def busy_settings() -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        entry_imbalance_ratio=1.6,
        reversal_imbalance_ratio=1.2,
        take_profit_pct=0.004,
        stop_loss_pct=0.004,
        max_hold_seconds=0.4,
        cooldown_seconds=0.15,
        max_trades_per_day=100_000,
        max_daily_loss_usd=1_000_000,
    )


class Timed(NotifyingObserver):
    """The real notifier, timing every hook the engine calls."""

    slowest_s = 0.0
    calls = 0

    def __getattribute__(self, name: str) -> Any:
        attribute = super().__getattribute__(name)
        if not name.startswith("on_"):
            return attribute

        def timed(*args: object) -> object:
            started = time.perf_counter()
            try:
                return attribute(*args)
            finally:
                Timed.calls += 1
                Timed.slowest_s = max(Timed.slowest_s, time.perf_counter() - started)

        return timed


def decisions(result: Any) -> list[tuple[object, ...]]:
    return [
        (s.frame, s.signal.number, s.signal.action, s.signal.price, s.signal.outcome)
        for s in result.signals
    ]


async def test_a_dead_notification_service_changes_no_decision(sim_recording: Path) -> None:
    settings = busy_settings()
    quiet = await replay(sim_recording, settings)

    sender = NotificationSender(
        open_channels([closed_port_url()]), label="replay", coalesce_s=0.05, backoff_s=(0.1,)
    )
    sender.start()
    notifier = Timed(
        Post(sender.post, frozenset(NotifyEvent)), symbol="PF_XBTUSD", book_grace_s=30.0
    )
    notified = await replay(sim_recording, settings, observers=[notifier])
    sender.close(30)

    assert len(quiet.round_trips) > 20
    assert decisions(notified) == decisions(quiet)
    assert notified.fills == quiet.fills
    assert notified.round_trips == quiet.round_trips
    assert sender.stats.posted >= len(quiet.round_trips)  # every round trip was notified...
    assert sender.stats.delivered == 0 and sender.stats.failed >= 1  # ...to a dead service
    assert Timed.calls > 300  # every signal, order, fill and round trip went through it
    assert Timed.slowest_s < 0.02, f"slowest notifier hook {Timed.slowest_s * 1000:.2f} ms"
