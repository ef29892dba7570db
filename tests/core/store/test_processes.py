"""Real processes: two writers on one file at once, a writer killed with SIGKILL, a live owner."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from subprocess import PIPE, Popen

import pytest

from core.store import RunEnd, SessionAlreadyRunningError, SessionReader, SessionStore
from tests.core.store.builders import PRODUCT, spec

ROOT = Path(__file__).resolve().parents[3]
WAIT_S = 60  # generous bound for a loaded CI machine; normally a second or two


@contextmanager
def writer_process(db: Path, session: str, round_trips: int, *flags: str) -> Iterator[Popen[str]]:
    args = [sys.executable, "-m", "tests.core.store.writer_process", str(db), session]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = Popen(
        [*args, str(round_trips), *flags],
        cwd=ROOT,
        env=env,
        stdin=PIPE,
        stdout=PIPE,
        stderr=PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=WAIT_S)


def read_line(process: Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise AssertionError(
            f"writer exited early: {process.stderr.read() if process.stderr else ''}"
        )
    return line.strip()


def test_two_processes_write_the_same_fresh_file_at_once_without_lock_errors(
    tmp_path: Path,
) -> None:
    db = tmp_path / "shared.db"  # both create and migrate it at the same moment, too
    with (
        writer_process(db, "alpha", 400, "--go") as alpha,
        writer_process(db, "beta", 400, "--go") as beta,
    ):
        for process in (alpha, beta):
            assert read_line(process).startswith("open")
        outputs = [p.communicate("go\n", timeout=WAIT_S) for p in (alpha, beta)]
        codes = [alpha.returncode, beta.returncode]

    for (out, err), code in zip(outputs, codes, strict=True):
        assert code == 0, err
        assert "locked" not in err
        assert out.splitlines()[-1] == "done"
        assert sum(line.startswith("acked") for line in out.splitlines()) == 800
    with SessionReader(db) as reader:
        for name in ("alpha", "beta"):
            assert len(reader.fills(name)) == 800
            assert len(reader.round_trips(name)) == 400
            assert len(reader.signals(name)) == 400
            assert reader.positions(name)[PRODUCT].is_flat
            assert [run.how_ended for run in reader.runs(name)] == [RunEnd.COMPLETED]
        (a,), (b,) = reader.runs("alpha"), reader.runs("beta")
    assert a.span.overlap_ns(b.span) > 0  # they really wrote at the same time


def test_every_acknowledged_fill_survives_kill_9_and_the_session_resumes(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    with writer_process(db, "crashy", 100_000) as victim:
        assert read_line(victim).startswith("open")
        acked = [read_line(victim) for _ in range(301)]  # ends on an entry: a position is open
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=WAIT_S)

    acked_ids = [line.removeprefix("acked ") for line in acked]
    with SessionReader(db) as reader:
        stored = [fill.fill_id for fill in reader.fills("crashy")]
        (run,) = reader.runs("crashy")
    # everything acknowledged is there, in order; at most the in-flight commits came after it
    assert stored[: len(acked_ids)] == acked_ids
    assert len(set(stored)) == len(stored)
    assert run.how_ended is None and run.ended_ns is None
    assert run.last_alive_ns > run.started_ns

    async def resume() -> None:
        store = await SessionStore.open(db, spec("crashy"), clock=lambda: run.last_alive_ns + 10**9)
        state = store.resume
        await store.close()
        assert state.crashed_run_ids == (run.id,)
        assert state.runs[0].how_ended is RunEnd.CRASHED
        assert state.runs[0].covered_until_ns == run.last_alive_ns
        # the position and ledger are those after the last stored fill
        open_trip = len(stored) % 2 == 1
        assert state.position(PRODUCT).quantity == (Decimal(1) if open_trip else Decimal(0))
        assert state.fees_paid == Decimal("0.05") * len(stored)
        assert state.next_signal_number == (len(stored) + 1) // 2 + 1

    asyncio.run(resume())


def test_a_session_held_by_a_live_process_is_refused_then_resumable_after_its_death(
    tmp_path: Path,
) -> None:
    db = tmp_path / "busy.db"

    async def try_open() -> SessionStore:
        return await SessionStore.open(db, spec("held"), clock=time.time_ns)

    with writer_process(db, "held", 1, "--hold") as owner:
        assert read_line(owner).startswith("open")
        assert [read_line(owner) for _ in range(2)] == ["acked fill-1", "acked fill-2"]
        with pytest.raises(SessionAlreadyRunningError, match=f"pid {owner.pid}"):
            asyncio.run(try_open())
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=WAIT_S)

    async def resume() -> None:
        store = await try_open()
        await store.close()
        assert store.resume.runs[0].how_ended is RunEnd.CRASHED
        assert store.resume.position(PRODUCT).is_flat

    asyncio.run(resume())


SQLITE_SHARED_LOCK_BYTES = (0x40000002, 510)  # SQLite's lock-byte page: the SHARED range
PROBE_LOCK = """
import fcntl, sys
with open(sys.argv[1], "rb+") as file:
    try:
        fcntl.lockf(file, fcntl.LOCK_EX | fcntl.LOCK_NB, int(sys.argv[3]), int(sys.argv[2]))
    except OSError:
        print("held")
    else:
        print("free")
"""


def shared_lock_seen_from_another_process(db: Path) -> str:
    start, length = SQLITE_SHARED_LOCK_BYTES
    probe = [sys.executable, "-c", PROBE_LOCK, str(db), str(start), str(length)]
    process = Popen(probe, stdout=PIPE, text=True)
    out, _ = process.communicate(timeout=WAIT_S)
    return out.strip()


async def test_reading_the_file_keeps_the_writers_locks_in_the_same_process(
    tmp_path: Path,
) -> None:
    # Closing any descriptor of a file drops all of the process's POSIX locks on it: a reader
    # that peeked at the header with open() silently unlocked the live writer, and another
    # process closing its last connection could then checkpoint and delete the WAL under it.
    db = tmp_path / "locks.db"
    store = await SessionStore.open(db, spec("locked"), clock=time.time_ns)
    try:
        assert shared_lock_seen_from_another_process(db) == "held"
        with SessionReader(db) as reader:
            assert [run.id for run in reader.runs("locked")] == [store.resume.run_id]
        assert shared_lock_seen_from_another_process(db) == "held"
    finally:
        await store.close()
    assert shared_lock_seen_from_another_process(db) == "free"
