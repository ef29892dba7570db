"""Shared pieces for the Kraken Futures adapter tests."""

from __future__ import annotations

from pathlib import Path

from core.events import BookDelta, BookSnapshot, FeedEvent, FeedEventKind

FIXTURES = Path(__file__).parent / "fixtures"

# The example secret from the docs ("Futures WebSockets › Sign Challenge").
DOCS_SECRET = (
    "7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm"
)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class RecordingSink:
    """A ``FeedSink`` that keeps everything it is given, in order."""

    def __init__(self) -> None:
        self.snapshots: list[BookSnapshot] = []
        self.deltas: list[BookDelta] = []
        self.events: list[FeedEvent] = []

    def on_snapshot(self, snapshot: BookSnapshot) -> None:
        self.snapshots.append(snapshot)

    def on_delta(self, delta: BookDelta) -> None:
        self.deltas.append(delta)

    def on_feed_event(self, event: FeedEvent) -> None:
        self.events.append(event)

    def events_of(self, kind: FeedEventKind) -> list[FeedEvent]:
        return [e for e in self.events if e.kind is kind]


class StepClock:
    """Venue wall-clock epoch ns that only move when a test says so: the sim market is frozen
    between steps, so the test can compare books at a known ``seq``."""

    def __init__(self, now_ns: int = 1_700_000_000_000_000_000) -> None:
        self.now_ns = now_ns

    def __call__(self) -> int:
        return self.now_ns

    def advance(self, ms: float) -> None:
        self.now_ns += int(ms * 1_000_000)
