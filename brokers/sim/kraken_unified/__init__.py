"""The simulated venue speaking Kraken's Unified WebSocket (public side) on 127.0.0.1."""

from brokers.sim.kraken_unified.server import KrakenUnifiedSimServer

__all__ = ["KrakenUnifiedSimServer"]
