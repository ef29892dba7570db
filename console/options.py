"""What the user asked for on the command line, validated into one frozen object."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from core.enums import Mode


class Broker(Enum):
    SIM = "sim"
    KRAKEN = "kraken"
    BINANCE_US = "binance_us"


DEFAULT_SYMBOLS = {
    Broker.SIM: "PF_XBTUSD",
    Broker.KRAKEN: "PF_XBTUSD",
    Broker.BINANCE_US: "BTCUSDT",
}


@dataclass(frozen=True, slots=True)
class RunOptions:
    broker: Broker
    symbol: str
    mode: Mode
    duration_s: float | None  # None: until stopped
    ui: bool
    production: bool = False
    real_money_ack: bool = False
    seed: int | None = None  # simulated venue only
    # paper/live: stop signals, lost output and the duration end flatten; None: POSITION_ON_EXIT
    flatten_on_exit: bool | None = True
    session: str | None = None
    db_path: Path | None = None
    record_path: Path | None = None  # write every raw venue frame here (``--record``)
    record_rotate_bytes: int = 64 * 1024 * 1024  # a new part of the recording past this size

    @property
    def real_money(self) -> bool:
        """Binance.us has no testnet: every live order there is real money, like Kraken production."""
        if self.mode is not Mode.LIVE:
            return False
        return self.broker is Broker.BINANCE_US or (
            self.broker is Broker.KRAKEN and self.production
        )


def mode_label(mode: Mode, options: RunOptions) -> str:
    """The words the user sees for the mode: DRY RUN, PAPER, LIVE DEMO, LIVE REAL MONEY, LIVE (SIM)."""
    if mode is not Mode.LIVE:
        return mode.value
    if options.broker is Broker.SIM:
        return "LIVE (SIM)"
    return "LIVE REAL MONEY" if options.real_money else "LIVE DEMO"
