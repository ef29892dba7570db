"""A stop always ends: tasks that outlive a cancel are cancelled again, or left behind, bounded."""

from __future__ import annotations

import asyncio

import pytest

from core.cancelling import cancel_and_wait


async def _swallows_cancels(times: int, started: asyncio.Event) -> None:
    started.set()
    swallowed = 0
    while True:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            if swallowed >= times:
                raise
            swallowed += 1


async def test_tasks_that_end_on_cancel_are_awaited_and_none_is_left() -> None:
    tasks = [asyncio.create_task(asyncio.Event().wait(), name=f"t{i}") for i in range(3)]
    await asyncio.sleep(0)
    assert await cancel_and_wait(tasks, grace_s=30) == []
    assert all(task.cancelled() for task in tasks)


async def test_a_task_that_swallowed_one_cancel_is_cancelled_again_and_ends() -> None:
    started = asyncio.Event()
    task = asyncio.create_task(_swallows_cancels(1, started), name="swallows once")
    await started.wait()
    assert await cancel_and_wait([task], grace_s=0.2) == []
    assert task.cancelled()


async def test_a_task_that_ignores_every_cancel_is_left_behind_so_the_stop_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = asyncio.Event()
    task = asyncio.create_task(_swallows_cancels(10, started), name="stubborn")
    await started.wait()
    left = await cancel_and_wait([task], grace_s=0.05, rounds=3)
    assert left == [task] and not task.done()
    assert "stubborn ignored 3 cancels" in caplog.text
    for _ in range(11):  # the test's own cleanup: the eleventh cancel ends it
        task.cancel()
        await asyncio.wait([task], timeout=1)
    assert task.done()
