"""One live session per venue account and product (issue 15 §4), across databases.

Two live consoles on the same sim account and product, each with its own database and data
dir: the second is refused at start with one line naming the first session and its pid, before
its start-up check could touch the first one's position; once the first has stopped, the
account is free again.
"""

from __future__ import annotations

import signal
from decimal import Decimal
from pathlib import Path

import pytest

from brokers.sim import SIM_API_KEY, KrakenFuturesSimServer
from console.account_lock import AccountKey, AccountLock, AccountLockError
from tests.e2e.console_process import HOLD_POSITIONS, LIVE_FLAGS, console, live_env
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

XBT = "PF_XBTUSD"


def venue_position(server: KrakenFuturesSimServer) -> Decimal:
    position = server.exchange.account(SIM_API_KEY).positions.get(XBT)
    return Decimal(0) if position is None else position.size


async def test_a_second_live_session_on_the_same_account_and_product_is_refused(
    tmp_path: Path,
) -> None:
    async with KrakenFuturesSimServer(seed=4, rate_hz=400, heartbeat_interval_s=0.2) as server:
        first_env = live_env(
            server, tmp_path / "one", POSITION_ON_START="flatten", **HOLD_POSITIONS
        )
        other_env = live_env(server, tmp_path / "two", POSITION_ON_START="flatten")
        run = ("run", "--broker", "kraken", "--live", *LIVE_FLAGS, "--no-ui", "--session")
        async with console(*run, "owner", env=first_env, cwd=tmp_path) as first:
            await first.line(r"^Order book snapshot loaded", 60)
            await eventually(lambda: venue_position(server) != 0, 60, what="a position")
            held = venue_position(server)
            async with console(*run, "intruder", env=other_env, cwd=tmp_path) as second:
                assert await second.wait() == 2
                # One line of its own (the other is --skip-checklist's, said on every such start).
                errors = [line for line in second.err_lines if "--skip-checklist" not in line]
                assert len(errors) == 1, second.stderr
                refusal = errors[0]
                assert "another live session trades PF_XBTUSD" in refusal
                assert f"session 'owner', pid {first.proc.pid}" in refusal
                assert SIM_API_KEY not in refusal
                assert "Traceback" not in second.stderr
            assert venue_position(server) == held, "the refused start touched nothing"
            assert not [line for line in second.lines if "start-up check" in line]
            first.signal(signal.SIGTERM)
            assert await first.wait() == 0, first.stderr
        # The account is free again: the other session starts (and, flat, stops cleanly).
        async with console(*run, "intruder", env=other_env, cwd=tmp_path) as again:
            await again.line(r"start-up check: venue holds 0 PF_XBTUSD", 60)
            again.signal(signal.SIGTERM)
            assert await again.wait() == 0, again.stderr


def test_the_lock_dies_with_its_holder_and_a_taker_names_the_holder(tmp_path: Path) -> None:
    key = AccountKey("http://127.0.0.1:1/api", "abc123def456", XBT, "Sim")
    first = AccountLock(tmp_path, key, session="a")
    first.acquire()
    with pytest.raises(AccountLockError, match=r"session 'a', pid \d+; stop it first"):
        AccountLock(tmp_path, key, session="b").acquire()
    other_product = AccountLock(
        tmp_path, AccountKey(key.venue, key.account, "PF_ETHUSD"), session="c"
    )
    other_product.acquire()  # another product of the same account is another lock
    first.release()
    taken = AccountLock(tmp_path, key, session="b")
    taken.acquire()
    assert taken.held
    taken.release()
    other_product.release()
    assert list(tmp_path.iterdir()) == []
