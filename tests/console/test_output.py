"""Guarded output over real file descriptors: a closed pipe and a full disk, as the OS says them."""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.output import (
    GuardedStream,
    guarded,
    guarded_process_output,
    process_streams,
    run_output,
)

DEV_FULL = Path("/dev/full")


@pytest.fixture
def closed_pipe() -> Iterator[io.TextIOWrapper]:
    """A text stream on a pipe whose reader is gone (``| head`` after it exited)."""
    read_fd, write_fd = os.pipe()
    os.close(read_fd)
    stream = os.fdopen(write_fd, "w", encoding="utf-8")
    yield stream
    stream.close()


def test_a_closed_pipe_marks_the_stream_lost_once_and_never_raises(
    closed_pipe: io.TextIOWrapper,
) -> None:
    heard: list[tuple[str, int | None]] = []
    out = GuardedStream(closed_pipe, "stdout")
    with out.listening(lambda stream, exc: heard.append((stream.name, exc.errno))):
        print("SIGNAL #1: BUY", file=out, flush=True)
        print("SIGNAL #2: CLOSE", file=out, flush=True)
        out.flush()
    assert isinstance(out.lost, BrokenPipeError)
    assert heard == [("stdout", errno.EPIPE)], "told once"


def test_the_lost_streams_descriptor_points_at_devnull_so_a_last_flush_does_not_fail(
    closed_pipe: io.TextIOWrapper,
) -> None:
    out = GuardedStream(closed_pipe, "stdout")
    print("a line stuck in the buffer", file=out, flush=True)
    assert out.lost is not None
    closed_pipe.flush()  # what the interpreter does at exit: would raise BrokenPipeError
    assert os.fstat(closed_pipe.fileno()).st_rdev == Path(os.devnull).stat().st_rdev


@pytest.mark.skipif(not DEV_FULL.exists(), reason="needs /dev/full")
def test_a_full_disk_is_lost_output_and_the_unwritten_lines_go_to_the_fallback() -> None:
    fallback_text = io.StringIO()
    fallback = GuardedStream(fallback_text, "stderr")
    with DEV_FULL.open("w", encoding="utf-8") as full:
        out = GuardedStream(full, "stdout", fallback=fallback)
        out.write("Duration: 12.0s\n")  # buffered: fails only at the flush
        out.flush()
        out.write("Position: flat\n")
        out.flush()
        assert out.lost is not None and out.lost.errno == errno.ENOSPC
    # Closing flushed what was stuck in the buffer: to /dev/null now, not an error.
    assert fallback_text.getvalue() == "Duration: 12.0s\nPosition: flat\n"
    assert fallback.lost is None


def test_listening_to_a_stream_already_lost_is_told_at_once(
    closed_pipe: io.TextIOWrapper,
) -> None:
    out = GuardedStream(closed_pipe, "stdout")
    out.write("x\n")
    out.flush()
    heard: list[str] = []
    with out.listening(lambda stream, exc: heard.append(stream.name)):
        pass
    assert heard == ["stdout"]


def test_a_listener_that_fails_does_not_reach_the_writer(closed_pipe: io.TextIOWrapper) -> None:
    def broken(stream: GuardedStream, exc: OSError) -> None:
        raise RuntimeError("listener bug")

    out = GuardedStream(closed_pipe, "stdout")
    with out.listening(broken):
        print("x", file=out, flush=True)
    assert out.lost is not None


def test_a_working_stream_passes_everything_through() -> None:
    text = io.StringIO()
    out = guarded(text, "stdout")
    print("STATE | ok", file=out, flush=True)
    assert text.getvalue() == "STATE | ok\n"
    assert out.lost is None
    assert guarded(out) is out


def test_process_output_is_guarded_inside_and_restored_after() -> None:
    before = (sys.stdout, sys.stderr)
    with guarded_process_output() as (out, err):
        assert (sys.stdout, sys.stderr) == (out, err)
        assert process_streams() == (out, err)
        assert out.fallback is None, "a report cut by `| head` is not dumped on stderr"
        assert run_output(None) is out
        assert out.fallback is err, "a trading run's summary is"
    assert (sys.stdout, sys.stderr) == before
    assert process_streams() == ()


def test_what_a_command_left_buffered_is_flushed_through_the_guard_before_exit(
    closed_pipe: io.TextIOWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``l2console report | head -1``: the report is written without a flush; the interpreter's
    flush at exit would print "Exception ignored … BrokenPipeError" and exit 120."""
    monkeypatch.setattr(sys, "stdout", closed_pipe)
    with guarded_process_output() as (out, _):
        out.write("a report line, never flushed by the command\n")
    assert out.lost is not None
    closed_pipe.flush()  # what the interpreter does at exit: nothing left to fail
