"""A real second process writing a session, for the multi-process and kill -9 tests.

    python -m tests.core.store.writer_process DB SESSION ROUND_TRIPS [--go] [--hold]

Opens SESSION, prints ``open <run_id>``, then books ROUND_TRIPS round trips, printing
``acked <fill_id>`` after each awaited commit, and ``done`` after a clean close. With ``--go`` it
waits for a line on stdin before writing (so two processes start together); with ``--hold`` it
waits for one before closing (a session that stays running).
"""

from __future__ import annotations

import asyncio
import sys
import time

from core.store import SessionStore
from tests.core.store.builders import PaperLedger, signal, spec


async def main(db: str, session: str, round_trips: int, flags: list[str]) -> None:
    store = await SessionStore.open(db, spec(session), clock=time.time_ns, heartbeat_s=0.2)
    print(f"open {store.run_id}", flush=True)
    if "--go" in flags:
        await asyncio.to_thread(sys.stdin.readline)
    ledger = PaperLedger()
    number = store.resume.next_signal_number
    for i in range(round_trips):
        store.record_signal(signal(number, time.time_ns()))
        number += 1
        for booked in (
            ledger.open("100", "1", time.time_ns()),
            ledger.close(f"{101 + i % 3}", time.time_ns()),
        ):
            await store.record_fills([booked])
            print(f"acked {booked.fill.fill_id}", flush=True)
    if "--hold" in flags:
        await asyncio.to_thread(sys.stdin.readline)
    await store.close()
    print("done", flush=True)


if __name__ == "__main__":
    db, session, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    asyncio.run(main(db, session, count, sys.argv[4:]))
