"""``l2console sim``: the simulated venue on its own, for any client pointed at it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from console.settings import Settings

PROTOCOLS = ("kraken_futures", "binance_us")
DEFAULT_PORTS = {"kraken_futures": 8080, "binance_us": 8081}


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sim = commands.add_parser("sim", help="serve the simulated venue standalone")
    sim.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        default="kraken_futures",
        help="which venue's protocol to speak (default: kraken_futures)",
    )
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument(
        "--port", type=int, help="default 8080 (kraken_futures), 8081 (binance_us); 0 = any free"
    )
    sim.add_argument("--seed", type=int)
    sim.add_argument("--rate", type=float, help="book messages per second")
    sim.add_argument("--edge", type=float, help="0..1: how much imbalance predicts the next move")
    sim.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(serve(args, settings))


async def serve(args: argparse.Namespace, settings: Settings) -> int:
    from brokers.sim import serve_binance_us_forever, serve_forever  # noqa: PLC0415

    loop = asyncio.get_running_loop()
    binance = args.protocol == "binance_us"
    serve_venue = serve_binance_us_forever if binance else serve_forever
    server = asyncio.create_task(
        serve_venue(
            args.host,
            DEFAULT_PORTS[args.protocol] if args.port is None else args.port,
            seed=settings.sim_seed if args.seed is None else args.seed,
            rate_hz=settings.sim_rate_hz if args.rate is None else args.rate,
            edge=settings.sim_edge if args.edge is None else args.edge,
            on_ready=announce_binance_us if binance else announce,
        ),
        name="sim server",
    )
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await server
    print("simulated venue stopped", flush=True)
    return 0


def announce(ws_url: str, rest_url: str) -> None:
    print("Simulated Kraken Futures venue (synthetic market: results here prove nothing)")
    print(f"KRAKEN_FUTURES_WS_URL={ws_url}")
    print(f"KRAKEN_FUTURES_REST_URL={rest_url}", flush=True)


def announce_binance_us(ws_url: str, rest_url: str) -> None:
    print("Simulated Binance.us venue (synthetic market: results here prove nothing)")
    print(f"BINANCE_US_WS_URL={ws_url}")
    print(f"BINANCE_US_REST_URL={rest_url}", flush=True)
