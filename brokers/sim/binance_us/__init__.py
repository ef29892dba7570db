"""Binance.us spot spoken by the simulated venue: the market streams (``ws``) and the REST API
(``rest``) over the simulated market, signed with the public fake ``BINANCE_SIM_API_KEY``/
``BINANCE_SIM_API_SECRET``. ``BinanceUsSimServer`` serves both on one port.
"""

from brokers.sim.binance_us.auth import BINANCE_SIM_API_KEY, BINANCE_SIM_API_SECRET
from brokers.sim.binance_us.server import BinanceUsSimServer

__all__ = ["BINANCE_SIM_API_KEY", "BINANCE_SIM_API_SECRET", "BinanceUsSimServer"]
