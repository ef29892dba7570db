"""The mode as the console shows it, and what the dry-run ↔ live toggle may do.

A badge must be unmistakable at a glance, in 16 colours and in tmux: each mode has its own words
and its own background (real money is white on red and nothing else is).
"""

from __future__ import annotations

from dataclasses import dataclass

from console.options import RunOptions
from core.enums import Mode


@dataclass(frozen=True, slots=True)
class Badge:
    label: str
    css: str  # its component class in the stylesheet: status--<css>


DRY_RUN = Badge("DRY RUN", "dry-run")
PAPER = Badge("PAPER", "paper")
LIVE_SIM = Badge("LIVE (SIM)", "live-sim")
LIVE_DEMO = Badge("LIVE DEMO", "live-demo")
LIVE_REAL_MONEY = Badge("LIVE REAL MONEY", "live-real-money")
BADGES = (DRY_RUN, PAPER, LIVE_SIM, LIVE_DEMO, LIVE_REAL_MONEY)


def live_is_real_money(options: RunOptions) -> bool:
    """Whether orders would be real money if this run went live now.

    A venue without a demo (Binance.us has no testnet) is real money. One with a demo (Kraken)
    connects to it only when the run *started* live without ``--production``: dry-run and paper
    watch (and would trade on) production. The simulated venue never is.
    """
    return options.venue.real_money(
        started_live=options.mode is Mode.LIVE, production=options.production
    )


def badge(mode: Mode, options: RunOptions) -> Badge:
    if mode is Mode.DRY_RUN:
        return DRY_RUN
    if mode is Mode.PAPER:
        return PAPER
    if options.venue.simulated:
        return LIVE_SIM
    return LIVE_REAL_MONEY if live_is_real_money(options) else LIVE_DEMO


def mode_after_live(options: RunOptions) -> Mode:
    """Where ``d`` goes back to from live: the mode the run started in, else dry run."""
    return options.mode if options.mode is not Mode.LIVE else Mode.DRY_RUN


def live_refusal(options: RunOptions) -> str | None:
    """Why going live is refused before even asking, or None."""
    if live_is_real_money(options) and not options.real_money_ack:
        return (
            "refused: live here is REAL MONEY; restart with --i-understand-this-is-real-money "
            "to allow it"
        )
    return None
