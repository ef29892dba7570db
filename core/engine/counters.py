"""The engine's counts of rare events, each kept once, by the part that sees it.

What a book refused (gaps, duplicates, crosses, buffer overflows) is counted by the book itself
(``core.book.BookCounters``); the frames the feed delivered by the market data part, on the hot
path. Everything here is bumped a few times a minute at most and read at display rate.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class EngineCounters:
    snapshots: int = 0
    resyncs: int = 0  # resyncs the engine asked the feed for (a gap or a crossed book)
    dropped_frames: int = 0  # frames the feed could not use (it says so with DROPPED_FRAME)
    reconnects: int = 0
    unknown_product: int = 0
    decisions_skipped: int = 0  # updates that came while an order was in flight or HALTED
    stale_silence: int = 0
    stale_lag: int = 0
    resync_retries: int = 0
    ledger_corrections: int = 0  # live: the ledger disagreed with the venue and followed it
    trades_executed: int = 0  # orders that filled (wholly or partly)
    round_trips: int = 0
