"""The session writer: one per process, the only code that writes the database.

Records go into a queue and a single writer task commits them in batches, each batch one short
``BEGIN IMMEDIATE`` transaction executed on the store's own thread (SQLite is blocking; the event
loop never waits on it). Signals, orders, equity points, latency and gate evaluations are
fire-and-forget; ``record_fills`` returns only once its fills are committed, and because the
queue is first-in first-out, everything recorded before it is committed by then too. ``close``
commits whatever is still queued and records how the run ended.

Each batch also refreshes the run's ``last_alive_ns``, and a heartbeat queues an empty batch when
nothing else was written for a while: after a ``kill -9`` the gate clock knows, to within one
heartbeat, how long the run really ran.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import platform
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from core.events import Signal
from core.fill_bands import BandResult
from core.ledger import BookedFill
from core.ports import OrderRequest, OrderResult
from core.store import booking, fallback, writes
from core.store.database import open_for_writing, rollback, translated_errors
from core.store.errors import DatabaseBusyError, StoreClosedError, StoreError
from core.store.records import (
    EquityPoint,
    GateEvaluation,
    LatencyCounts,
    ResumeState,
    RunEnd,
    SessionSpec,
)
from core.store.sessions import Starter, start_run

log = logging.getLogger("l2console.store")

Clock = Callable[[], int]
"""Wall-clock Unix-epoch nanoseconds (``time.time_ns`` in production, a fake in tests)."""

MAX_BATCH = 2_000
BUSY_RETRIES = 3


@dataclass(frozen=True, slots=True)
class _Op:
    """One queued write. ``done`` is set (loop side) when its batch committed."""

    work: writes.Write | None  # None: a heartbeat or a barrier
    done: asyncio.Future[object] | None = None
    end: RunEnd | None = None  # close the run (last op the writer takes)


class SessionStore:
    """Writes one run of one session. Open with ``await SessionStore.open(...)``."""

    def __init__(
        self,
        path: Path,
        *,
        connection: sqlite3.Connection,
        thread: ThreadPoolExecutor,
        resume: ResumeState,
        clock: Clock,
        heartbeat_s: float,
    ) -> None:
        self.path = path
        self.resume = resume
        self._db = connection
        self._thread = thread
        self._keys = writes.RunKeys(resume.session.id, resume.run_id)
        self._clock = clock
        self._heartbeat_s = heartbeat_s
        self._queue: asyncio.Queue[_Op] = asyncio.Queue()
        self._closing = False
        self._failure: StoreError | None = None
        self._in_flight: list[_Op] = []
        self._job: Future[list[object]] | None = None
        self.dropped = 0  # records refused by the database one by one (see _apply)
        self.journaled = 0  # fills the failed database could not take: in the fallback journal
        self.lost = 0  # fills neither the database nor the fallback journal could take
        self._failure_listeners: list[Callable[[StoreError], None]] = []
        name = f"store-writer[{resume.session.name}]"
        self._writer = asyncio.create_task(self._write_forever(), name=name)
        self._writer.add_done_callback(self._writer_done)
        self._heartbeat = asyncio.create_task(
            self._beat_forever(), name=f"store-heartbeat[{resume.session.name}]"
        )

    # -- opening and closing -------------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        path: Path | str,
        spec: SessionSpec,
        *,
        clock: Clock,
        heartbeat_s: float = 5.0,
    ) -> SessionStore:
        """Create or resume ``spec.name`` in the database at ``path`` and start a run of it.

        Raises a ``StoreError`` (one-line message) for a foreign, damaged or newer file,
        ``SessionMismatchError`` (a ``ValueError``) when the session was recorded on another
        venue, symbol or mode, ``SessionAlreadyRunningError`` when another live process writes it.
        A run whose heartbeat is older than three heartbeats is considered gone.
        """
        path = Path(path)
        loop = asyncio.get_running_loop()
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="l2console-store")
        connection: sqlite3.Connection | None = None
        try:
            connection = await loop.run_in_executor(thread, open_for_writing, path)
            resume = await loop.run_in_executor(
                thread, _start_run, connection, path, spec, clock(), round(3 * heartbeat_s * 1e9)
            )
        except BaseException:
            if connection is not None:
                await loop.run_in_executor(thread, connection.close)
            thread.shutdown(wait=False)
            raise
        return cls(
            path,
            connection=connection,
            thread=thread,
            resume=resume,
            clock=clock,
            heartbeat_s=heartbeat_s,
        )

    async def close(self, how: RunEnd = RunEnd.COMPLETED) -> None:
        """Commit everything queued, record how the run ended, release the file. Idempotent."""
        if self._closing:
            await asyncio.wait({self._writer})
            return
        self._closing = True
        self._heartbeat.cancel()
        done = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Op(None, done, end=how))
        await asyncio.wait({self._writer})  # never cancels the writer, even if we are cancelled
        if self._failure is not None:
            raise self._failure

    async def __aenter__(self) -> SessionStore:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            how = RunEnd.COMPLETED
        elif issubclass(kind, asyncio.CancelledError | KeyboardInterrupt):
            how = RunEnd.INTERRUPTED
        else:
            how = RunEnd.CRASHED
        await self.close(how)

    # -- recording ---------------------------------------------------------------------------------

    @property
    def run_id(self) -> int:
        return self._keys.run_id

    @property
    def failure(self) -> StoreError | None:
        """Why the writer stopped, if it did: nothing is recorded after that."""
        return self._failure

    def record_signal(self, signal: Signal) -> None:
        self._put(writes.signal(self._keys, signal))

    def record_order(
        self,
        request: OrderRequest,
        result: OrderResult | None = None,
        *,
        wall_ns: int,
        signal_number: int | None = None,
    ) -> None:
        """Call when the order is sent (no result: SENT) and again with the venue's answer."""
        self._put(writes.order(self._keys, request, result, signal_number, wall_ns))

    async def record_fills(self, booked: Sequence[BookedFill]) -> int:
        """Commit fills with their round trips and the ledger state after them; returns how many
        were new. Returns after the commit: await it before taking the next decision.

        When the database has failed, the fills go to the fallback journal beside it
        (``fallback``: merged on the next start) and ``StoreClosedError`` still says the
        database did not take them."""
        batch = booking.fills(self._keys, tuple(booked))
        done = asyncio.get_running_loop().create_future()
        try:
            self._put(batch, done)
            return int(await done)
        except StoreClosedError:
            await self._journal(batch)
            raise

    @property
    def fallback_path(self) -> Path:
        """Where fills go when the database fails (``fallback``)."""
        return fallback.path_for(self.path)

    def on_failure(self, listener: Callable[[StoreError], None]) -> None:
        """Call ``listener`` once, on the loop, when the writer stops on an error."""
        self._failure_listeners.append(listener)

    async def _journal(self, batch: booking.FillBatch) -> None:
        name = self.resume.session.name
        try:
            where = await asyncio.to_thread(fallback.append, self.path, name, batch)
        except OSError as error:
            self.lost += len(batch.fills)
            log.error(
                "fills NOT recorded (database failed, fallback journal failed: %s): %s",
                error,
                [entry.fill for entry in batch.fills],
            )
            return
        self.journaled += len(batch.fills)
        log.warning("%d fill(s) kept in the fallback journal %s", len(batch.fills), where)

    def record_equity(self, point: EquityPoint) -> None:
        self._put(writes.equity(self._keys, point))

    def record_latency(self, name: str, histogram: LatencyCounts, wall_ns: int) -> None:
        """Keep this run's ``name`` histogram (``tick_to_decision``, ...); replaces the last."""
        self._put(writes.latency(self._keys, name, histogram, wall_ns))

    def record_fill_bands(
        self, default: BandResult, bands: Sequence[BandResult], wall_ns: int
    ) -> None:
        """This run's fill bands (``FillBands.default()`` and ``results()``); replaces the last."""
        self._put(writes.fill_bands(self._keys, default, bands, wall_ns))

    def record_gate_evaluation(self, evaluation: GateEvaluation) -> None:
        self._put(writes.gate_evaluation(self._keys, evaluation))

    def record_kill_switch(self, *, reason: str, phase: str, detail: str, wall_ns: int) -> None:
        """A kill switch result: who pulled it, FLAT or FAILED, and what is still open."""
        self._put(writes.kill_switch(self._keys, reason, phase, detail, wall_ns))

    async def flush(self) -> None:
        """Return once everything recorded so far is committed."""
        done = asyncio.get_running_loop().create_future()
        self._put(None, done)
        await done

    def _put(
        self,
        work: writes.Write | None,
        done: asyncio.Future[object] | None = None,
    ) -> None:
        if self._failure is not None:
            raise StoreClosedError(f"the session database stopped recording: {self._failure}")
        if self._closing:
            raise StoreClosedError("the session store is closed")
        self._queue.put_nowait(_Op(work, done))

    # -- the writer task -------------------------------------------------------------------------

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_s)
            if self._queue.empty():
                self._queue.put_nowait(_Op(None))

    async def _write_forever(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            self._in_flight = batch
            self._job = self._thread.submit(self._commit, batch, self._clock())
            try:
                results = await asyncio.wrap_future(self._job)
            except StoreError as error:
                self._fail(error, batch)
                return
            except Exception as error:  # a bug must stop the writer loudly, not hang callers
                log.exception("session writer failed")
                self._fail(StoreError(f"session writer failed: {error!r}"), batch)
                return
            for op, result in zip(batch, results, strict=True):
                if op.done is not None and not op.done.done():
                    if isinstance(result, BaseException):
                        op.done.set_exception(result)
                    else:
                        op.done.set_result(result)
            if any(op.end is not None for op in batch):
                return

    def _writer_done(self, task: asyncio.Task[None]) -> None:
        """Runs however the writer task ended, even if it was cancelled before it ever started
        (``asyncio.run`` returning without ``close()``): keep what is queued, release the file."""
        self._heartbeat.cancel()
        if task.cancelled():
            self._write_remaining_on_cancel()
        self._thread.submit(self._db.close)
        self._thread.shutdown(wait=True)

    def _commit(self, batch: list[_Op], now_ns: int) -> list[object]:
        """Runs on the store thread: the whole batch in one transaction, retried while busy."""
        for attempt in range(BUSY_RETRIES):
            try:
                with translated_errors(self.path):
                    return self._transaction(batch, now_ns)
            except DatabaseBusyError:
                if attempt == BUSY_RETRIES - 1:
                    raise
                log.warning("database busy, retrying a batch of %d records", len(batch))
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    def _transaction(self, batch: list[_Op], now_ns: int) -> list[object]:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            results = [self._apply(op, now_ns) for op in batch]
            writes.touch_run(self._keys, now_ns).apply(db)
            db.execute("COMMIT")
        except BaseException:
            rollback(db)
            raise
        return results

    def _apply(self, op: _Op, now_ns: int) -> object:
        """One op inside a savepoint: a record the database refuses (a constraint: a bug, not
        an outage) is dropped alone, logged and counted, and the rest of the batch commits."""
        work = writes.end_run(self._keys, op.end, now_ns) if op.end is not None else op.work
        if work is None:
            return None
        self._db.execute("SAVEPOINT record")
        try:
            result = work.apply(self._db)
        except (sqlite3.IntegrityError, sqlite3.InterfaceError, OverflowError) as error:
            self._db.execute("ROLLBACK TO record")
            self._db.execute("RELEASE record")
            self.dropped += 1
            log.error("record refused by the database and dropped: %s", error)
            return StoreError(f"record refused by the database: {error}")
        self._db.execute("RELEASE record")
        return result

    def _fail(self, error: StoreError, batch: list[_Op]) -> None:
        self._failure = error
        log.error("session store stopped: %s", error)
        for listener in self._failure_listeners:
            try:
                listener(error)
            except Exception:  # a listener's bug must not keep the callers below waiting
                log.exception("store failure listener failed")
        pending = list(batch)
        while not self._queue.empty():
            pending.append(self._queue.get_nowait())
        for op in pending:
            if op.done is not None and not op.done.done():
                op.done.set_exception(StoreClosedError(f"not recorded: {error}"))

    def _write_remaining_on_cancel(self) -> None:
        """The loop is shutting down without ``close()``: keep what is queued (blocking is fine
        now), and record the run as interrupted."""
        batch: list[_Op] = []
        if self._job is not None and self._job.cancelled():  # cancelled before it could start
            batch.extend(self._in_flight)
        while not self._queue.empty():
            batch.append(self._queue.get_nowait())
        if not any(op.end is not None for op in batch):
            batch.append(_Op(None, end=RunEnd.INTERRUPTED))
        try:
            self._thread.submit(self._commit, batch, self._clock()).result(timeout=30)
        except (StoreError, TimeoutError) as error:
            log.error("records lost at shutdown: %s", error)


def _start_run(
    connection: sqlite3.Connection, path: Path, spec: SessionSpec, now_ns: int, lease_ns: int
) -> ResumeState:
    with translated_errors(path):
        merged = fallback.merge(connection, path, spec.name)  # fills a failed run could not store
        resume = start_run(
            connection, spec, Starter(now_ns, platform.node(), os.getpid(), lease_ns)
        )
    return dataclasses.replace(resume, merged_fills=merged) if merged else resume
