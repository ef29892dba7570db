"""Kraken Futures spoken by the simulated venue: WebSocket v1 (``ws``) and REST v3 (``rest``)
over the simulated market, signed with the public fake ``SIM_API_KEY``/``SIM_API_SECRET``.

``KrakenFuturesSimServer`` serves both on one port; ``serve_forever`` runs it standalone.
"""

from brokers.sim.kraken_futures.auth import SIM_API_KEY, SIM_API_SECRET
from brokers.sim.kraken_futures.serve import serve_forever
from brokers.sim.kraken_futures.server import KrakenFuturesSimServer

__all__ = ["SIM_API_KEY", "SIM_API_SECRET", "KrakenFuturesSimServer", "serve_forever"]
