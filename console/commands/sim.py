"""``l2console sim``: the simulated venue on its own, for any client pointed at it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Callable

from brokers import registry
from brokers.venue import VenueSpec
from console.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sim = commands.add_parser("sim", help="serve the simulated venue standalone")
    default = registry.DEFAULT_MARKET_VENUE
    sim.add_argument(
        "--protocol",
        type=registry.resolve_alias,
        choices=registry.protocols(),
        default=default,
        help=f"which venue's protocol to speak (default: {default})",
    )
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument(
        "--port", type=int, help="default 8080 (kraken), 8081 (binance_us); 0 = any free"
    )
    sim.add_argument("--seed", type=int)
    sim.add_argument("--rate", type=float, help="book messages per second")
    sim.add_argument("--edge", type=float, help="0..1: how much imbalance predicts the next move")
    sim.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(serve(args, settings))


async def serve(args: argparse.Namespace, settings: Settings) -> int:
    loop = asyncio.get_running_loop()
    venue = registry.venue(args.protocol)
    server = asyncio.create_task(_serve(venue, args, settings), name="sim server")
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await server
    print("simulated venue stopped", flush=True)
    return 0


async def _serve(venue: VenueSpec, args: argparse.Namespace, settings: Settings) -> None:
    from brokers.sim import serve_until_cancelled  # noqa: PLC0415 - keep --help instant

    server = venue.sim_server(
        seed=settings.sim_seed if args.seed is None else args.seed,
        rate_hz=settings.sim_rate_hz if args.rate is None else args.rate,
        edge=settings.sim_edge if args.edge is None else args.edge,
    )
    port = venue.sim_port if args.port is None else args.port
    await serve_until_cancelled(server, args.host, port or 0, on_ready=announcer(venue))


def announcer(venue: VenueSpec) -> Callable[[str, str], None]:
    """Prints where the simulated venue listens, as the settings that point an adapter at it."""

    def announce(ws_url: str, rest_url: str) -> None:
        print(f"Simulated {venue.title} venue (synthetic market: results here prove nothing)")
        print(f"{venue.ws_url_setting}={ws_url}")
        print(f"{venue.rest_url_setting}={rest_url}", flush=True)

    return announce
