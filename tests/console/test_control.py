"""The control socket of a named session, over a real Unix socket."""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path
from typing import Any

import pytest

from console.control import (
    MAX_SOCKET_PATH,
    ControlError,
    ControlHandlers,
    ControlServer,
    SessionAlreadyRunning,
    SessionNotRunning,
    control_socket_path,
    request,
)
from core.engine_state import KillSwitchPhase, KillSwitchStatus


def handlers(server: ControlServer, calls: list[str]) -> ControlHandlers:
    async def flatten(reason: str) -> KillSwitchStatus:
        calls.append(reason)
        server.on_notice("KILL SWITCH engaged: entries stopped, flattening")
        await asyncio.sleep(0.01)
        server.on_notice("closing 0.0022 at market (reduce-only)")
        return KillSwitchStatus(KillSwitchPhase.FLAT, "flat confirmed by the venue")

    def status() -> dict[str, Any]:
        return {"symbol": "PF_XBTUSD", "venue": "sim", "position": "0"}

    return ControlHandlers(flatten, status)


async def test_flatten_reaches_the_server_streams_progress_and_returns_the_result(
    tmp_path: Path,
) -> None:
    server = ControlServer(tmp_path, "desk1")
    calls: list[str] = []
    await server.start(handlers(server, calls))
    try:
        progress = io.StringIO()
        result = await request(tmp_path, "desk1", "flatten", timeout_s=5, progress=progress)
        status = await request(tmp_path, "desk1", "status", timeout_s=5)
    finally:
        await server.stop()
    assert calls == ["Flatten command (l2console flatten)"]
    assert result["phase"] == "flat" and result["detail"] == "flat confirmed by the venue"
    assert progress.getvalue().splitlines() == [
        "FLATTEN | KILL SWITCH engaged: entries stopped, flattening",
        "FLATTEN | closing 0.0022 at market (reduce-only)",
    ]
    assert status["symbol"] == "PF_XBTUSD"
    assert not server.path.exists(), "the socket goes with the server"
    with pytest.raises(SessionNotRunning, match="'desk1' is not running"):
        await request(tmp_path, "desk1", "flatten", timeout_s=5)


async def test_one_session_one_process_and_a_dead_ones_socket_is_taken_over(
    tmp_path: Path,
) -> None:
    first = ControlServer(tmp_path, "s")
    await first.start(handlers(first, []))
    try:
        second = ControlServer(tmp_path, "s")
        with pytest.raises(SessionAlreadyRunning, match="already running"):
            await second.start(handlers(second, []))
        assert first.path.exists(), "the refused one did not touch the running one's socket"
    finally:
        await first.stop()
    first.path.parent.mkdir(parents=True, exist_ok=True)
    first.path.write_text("left by a kill -9")  # a stale file where the socket was
    again = ControlServer(tmp_path, "s")
    await again.start(handlers(again, []))
    try:
        assert (await request(tmp_path, "s", "status", timeout_s=5))["venue"] == "sim"
        assert oct(again.path.stat().st_mode & 0o777) == "0o600"
        assert oct(again.path.parent.stat().st_mode & 0o777) == "0o700"
    finally:
        await again.stop()


async def test_an_unknown_request_is_refused_in_words(tmp_path: Path) -> None:
    server = ControlServer(tmp_path, "s")
    await server.start(handlers(server, []))
    try:
        with pytest.raises(ControlError, match="refused the request: unknown request"):
            await request(tmp_path, "s", "sell-everything", timeout_s=5)
    finally:
        await server.stop()


def test_a_long_data_dir_gets_a_short_socket_path_that_both_sides_compute(tmp_path: Path) -> None:
    deep = tmp_path / ("very-long-folder-name-" * 8)
    path = control_socket_path(deep, "session-name")
    assert len(os.fsencode(path)) <= MAX_SOCKET_PATH
    assert path == control_socket_path(deep, "session-name")
    assert path != control_socket_path(deep, "other-session")
    short = control_socket_path(tmp_path, "s")
    assert short == tmp_path.resolve() / "control" / "s.sock"


@pytest.mark.parametrize("name", ["", "../x", "a b", "-lead", "x" * 65, "a/b"])
def test_bad_session_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ControlError, match="bad session name"):
        control_socket_path(tmp_path, name)
