"""A feed cancelled just as its frame arrives still ends (the hang in a stop on lost output).

On Python 3.11 ``asyncio.wait_for`` returns the result and drops the cancellation when the
awaited thing finishes in the same loop step; a feed greeting the venue at the moment a stop
cancelled it then ran on and the stop waited forever. The race needs the frame and the cancel in
one step, which a socket cannot promise, so the connection here is a stand-in with a ``recv``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from brokers.net.backoff import BackoffPolicy
from brokers.net.websocket import WebSocketFeed


class _Counters:
    connects = 0
    reconnects = 0
    silent_disconnects = 0


class _OneFrame:
    def __init__(self) -> None:
        self.frame: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def recv(self) -> str:
        return await self.frame


async def test_a_greeting_wait_cancelled_as_its_frame_arrives_raises_cancelled() -> None:
    feed = WebSocketFeed(
        "ws://127.0.0.1:9/", venue="test", shown_url="ws://127.0.0.1:9/",
        stats=_Counters(), backoff=BackoffPolicy(),
    )  # fmt: skip
    ws: Any = _OneFrame()
    task = asyncio.create_task(feed.receive(ws, 30))
    for _ in range(3):
        await asyncio.sleep(0)  # the task waits on the frame
    ws.frame.set_result('{"event":"info"}')
    task.cancel()  # the stop, in the same loop step
    with pytest.raises(asyncio.CancelledError):
        await task
