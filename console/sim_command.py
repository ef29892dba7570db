"""``l2console sim``: the simulated venue on its own, for any client pointed at it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from brokers.sim import serve_forever
from console.settings import Settings


async def serve_sim(args: argparse.Namespace, settings: Settings) -> int:
    loop = asyncio.get_running_loop()
    server = asyncio.create_task(
        serve_forever(
            args.host,
            args.port,
            seed=settings.sim_seed if args.seed is None else args.seed,
            rate_hz=settings.sim_rate_hz if args.rate is None else args.rate,
            edge=settings.sim_edge if args.edge is None else args.edge,
            on_ready=_announce,
        ),
        name="sim server",
    )
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await server
    print("simulated venue stopped", flush=True)
    return 0


def _announce(ws_url: str, rest_url: str) -> None:
    print("Simulated Kraken Futures venue (synthetic market: results here prove nothing)")
    print(f"KRAKEN_FUTURES_WS_URL={ws_url}")
    print(f"KRAKEN_FUTURES_REST_URL={rest_url}", flush=True)
