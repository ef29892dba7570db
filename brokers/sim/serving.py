"""Run any simulated server standalone until cancelled (``l2console sim``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol


class Servable(Protocol):
    @property
    def ws_url(self) -> str: ...

    @property
    def rest_url(self) -> str: ...

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None: ...

    async def stop(self) -> None: ...


async def serve_until_cancelled(
    server: Servable,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    on_ready: Callable[[str, str], None] | None = None,
) -> None:
    """Start ``server``, call ``on_ready(ws_url, rest_url)`` once it listens, serve until
    cancelled, then stop it cleanly. Prints nothing; a taken port raises OSError."""
    await server.start(host, port)
    try:
        if on_ready is not None:
            on_ready(server.ws_url, server.rest_url)
        await asyncio.Event().wait()
    finally:
        await server.stop()
