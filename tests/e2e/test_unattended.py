"""Unattended runs, whole program: notifications to a service on 127.0.0.1, systemd's notify
socket, and ``l2console status`` against sessions running in their own processes."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.console.unattended.receiver import receiver
from tests.console.unattended.test_systemd import notify_socket
from tests.e2e.conftest import FAST_SIM, clean_env, l2console_argv
from tests.e2e.console_process import HOLD_POSITIONS, console
from tests.waiting import eventually


def status(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        l2console_argv("status", *args, env_file=cwd / "absent.env"),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def sessions(env: dict[str, str], cwd: Path) -> list[dict[str, Any]]:
    done = status(env, cwd, "--json")
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout)["sessions"])


async def test_status_lists_running_sessions_and_one_that_died(tmp_path: Path) -> None:
    env = clean_env(
        {
            **FAST_SIM,
            **HOLD_POSITIONS,
            "L2CONSOLE_DB": str(tmp_path / "data" / "l2.sqlite"),
            "L2CONSOLE_RUN_DIR": str(tmp_path / "run"),
        }
    )
    async with (
        console("paper", "--no-ui", "--session", "desk-a", env=env, cwd=tmp_path) as named,
        console("run", "--no-ui", env=env, cwd=tmp_path) as dry,
    ):
        await named.line(r"^SIGNAL #\d+: (BUY|SELL) (?!.*BLOCKED)")

        def both_live() -> list[dict[str, Any]]:
            found = sessions(env, tmp_path)
            live = [s for s in found if s["book"] == "LIVE" and s["health"] == "running"]
            gated = [s for s in live if s["session"] != "desk-a" or s["gate"] is not None]
            return found if len(gated) == 2 and any(s["position"] != "0" for s in live) else []

        await eventually(both_live, 60, poll_s=0.5, what="both sessions in status")
        by_pid = {s["pid"]: s for s in sessions(env, tmp_path)}
        paper, dry_run = by_pid[named.proc.pid], by_pid[dry.proc.pid]
        assert (paper["session"], paper["mode"], paper["symbol"]) == (
            "desk-a",
            "PAPER",
            "PF_XBTUSD",
        )
        assert paper["position"] != "0" and paper["entry_price"] is not None
        assert paper["gate"]["gate"] == "5→6" and paper["gate"]["ready"] is False
        assert {"today_pnl", "session_pnl", "heartbeat_utc", "kill_switch"} <= paper.keys()
        assert (dry_run["session"], dry_run["mode"]) == (None, "DRY RUN")
        text = status(env, tmp_path).stdout
        assert f"desk-a pid {named.proc.pid} PAPER" in text
        assert "gate 5→6" in text and "running, heartbeat" in text

        dry.proc.kill()  # no clean-up: its file stays, its process is gone
        await dry.wait()
        named.signal(signal.SIGTERM)
        assert await named.wait() == 0
    [left] = sessions(env, tmp_path)
    assert (left["pid"], left["health"]) == (dry.proc.pid, "gone")
    assert "GONE" in status(env, tmp_path).stdout


async def test_notifications_of_a_run_its_kill_switch_a_refused_start_and_a_crash(
    tmp_path: Path,
) -> None:
    with receiver() as service:
        env = clean_env(
            {
                **FAST_SIM,
                **HOLD_POSITIONS,
                "L2CONSOLE_DB": str(tmp_path / "data" / "l2.sqlite"),
                "L2CONSOLE_RUN_DIR": str(tmp_path / "run"),
                "NOTIFY_URLS": service.url,
                "NOTIFY_EVENTS": "all",
            }
        )
        args = ("paper", "--no-ui", "--session", "desk-b")
        async with console(*args, env=env, cwd=tmp_path) as run:
            await run.line(r"^SIGNAL #\d+: (BUY|SELL) (?!.*BLOCKED)")
            started = await asyncio.to_thread(service.wait_for, "run started")
            assert "session desk-b, run #1 (new)" in started
            async with console(*args, env=env, cwd=tmp_path) as second:
                assert await second.wait() == 2  # the session is taken
            refused = await asyncio.to_thread(service.wait_for, "start FAILED")
            assert "desk-b" in refused
            async with console("flatten", "--session", "desk-b", env=env, cwd=tmp_path) as cmd:
                assert await cmd.wait() == 0, cmd.stderr
            flat = await asyncio.to_thread(service.wait_for, "kill switch: flat confirmed")
            assert "Flatten command" in flat
            run.signal(signal.SIGTERM)
            assert await run.wait() == 0
            await asyncio.to_thread(service.wait_for, "run stopped")

        async with console(*args, env=env, cwd=tmp_path) as doomed:
            await doomed.line(r"^Order book snapshot loaded")
            doomed.proc.kill()  # a crash: no end recorded
            await doomed.wait()
        async with console(*args, env=env, cwd=tmp_path) as next_run:
            await next_run.line(r"^Order book snapshot loaded")
            told = await asyncio.to_thread(service.wait_for, "CRASHED")
            next_run.signal(signal.SIGTERM)
            assert await next_run.wait() == 0
        assert "run #3 (resumed)" in told
        assert service.url.split("//")[1] not in run.stdout + run.stderr  # no URL printed


async def test_ready_and_watchdog_heartbeats_reach_systemd(tmp_path: Path) -> None:
    with notify_socket(tmp_path) as systemd:
        env = clean_env(
            {
                **FAST_SIM,
                "L2CONSOLE_RUN_DIR": str(tmp_path / "run"),
                "NOTIFY_SOCKET": str(systemd.path),
                "WATCHDOG_USEC": "1000000",
            }
        )
        async with console("run", "--no-ui", env=env, cwd=tmp_path) as run:
            await eventually(lambda: systemd.times("READY=1"), 60, what="READY=1")
            await eventually(lambda: len(systemd.times("WATCHDOG=1")) >= 3, 60, what="beats")
            run.proc.send_signal(signal.SIGSTOP)  # the whole process hangs
            try:
                await asyncio.sleep(1.0)  # datagrams sent before the stop are read
                stopped_at = asyncio.get_running_loop().time()
                count = len(systemd.times("WATCHDOG=1"))
                await asyncio.sleep(2.0)
                assert len(systemd.times("WATCHDOG=1")) == count  # no heartbeat while hung
            finally:
                run.proc.send_signal(signal.SIGCONT)
            await eventually(
                lambda: len(systemd.times("WATCHDOG=1")) > count, 60, what="beats again"
            )
            run.signal(signal.SIGTERM)
            assert await run.wait() == 0
        assert stopped_at > 0
        assert systemd.times("STOPPING=1")
        assert sys.platform.startswith("linux")
