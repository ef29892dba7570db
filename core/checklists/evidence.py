"""What a session's record holds that the checklists judge (the store fills these in).

Replays are never stored in the session database, so nothing here can come from one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core.enums import Mode, SignalAction

NS_PER_SECOND = 1_000_000_000
KILL_SWITCH_FLAT = "flat"  # the phase a kill switch event records when the venue confirmed flat
# Who pulled it, as the recorded reason starts: the trader testing it (the console key,
# ``l2console flatten``). The routine flatten of a stop ("Shutdown: flatten": every live stop asks
# the venue, flat or not), a quit, the stale-book watchdog and a failed store are no test.
DELIBERATE_REASONS = ("Flatten command", "Kill switch")


@dataclass(frozen=True, slots=True)
class LatencyTotals:
    """A stored latency histogram's exact count and sum (its mean is exact too)."""

    count: int
    sum_ns: int

    @property
    def mean_ns(self) -> float | None:
        return self.sum_ns / self.count if self.count else None

    def __add__(self, other: LatencyTotals) -> LatencyTotals:
        return LatencyTotals(self.count + other.count, self.sum_ns + other.sum_ns)


@dataclass(frozen=True, slots=True)
class RunEvidence:
    """One run: how long it covered, whether it ended normally, and its latency histograms."""

    started_ns: int
    covered_until_ns: int  # its end, or its last heartbeat when it never recorded one
    how_ended: str | None  # completed | interrupted | crashed; None while running
    latency: Mapping[str, LatencyTotals] = field(default_factory=dict)
    parameters: Mapping[str, object] = field(default_factory=dict)  # as the run recorded them

    @property
    def seconds(self) -> float:
        return max(0, self.covered_until_ns - self.started_ns) / NS_PER_SECOND

    @property
    def ended_normally(self) -> bool:
        return self.how_ended in ("completed", "interrupted")


@dataclass(frozen=True, slots=True)
class KillSwitchTest:
    """A recorded kill switch result (any session), with where it happened."""

    session: str
    venue: str
    mode: Mode
    wall_ns: int
    reason: str
    phase: str
    detail: str

    @property
    def confirmed_flat(self) -> bool:
        return self.phase == KILL_SWITCH_FLAT

    @property
    def deliberate(self) -> bool:
        """Pulled by the trader (a test), not by a stop or a safety net."""
        return self.reason.startswith(DELIBERATE_REASONS)


@dataclass(frozen=True, slots=True)
class SessionEvidence:
    """Everything one session recorded that a checklist line can rest on."""

    name: str
    venue: str  # sim | kraken | binance_us
    symbol: str
    mode: Mode
    runs: tuple[RunEvidence, ...] = ()
    signals: Mapping[SignalAction, int] = field(default_factory=dict)  # every outcome
    blocked: Mapping[str, int] = field(default_factory=dict)  # block reason -> signals
    orders: Mapping[str, int] = field(default_factory=dict)  # status -> orders
    fills: int = 0
    kill_switch: tuple[KillSwitchTest, ...] = ()

    @property
    def real_money(self) -> bool | None:
        """True/False as the runs recorded it (``real_money`` parameter); None if unrecorded."""
        if self.mode is not Mode.LIVE:
            return False
        if self.venue == "binance_us":
            return True  # no testnet: every live order there is real money
        if self.venue == "sim":
            return False
        recorded = [run.parameters.get("real_money") for run in self.runs]
        known = [value for value in recorded if isinstance(value, bool)]
        return any(known) if known else None

    @property
    def where(self) -> str:
        """The venue and mode the evidence came from, in words."""
        return f"{self.venue_words} ({self.mode_words})"

    @property
    def venue_words(self) -> str:
        if self.venue == "sim":
            return "the simulated venue"
        if self.venue == "binance_us":
            return "Binance.us"
        if self.venue == "kraken" and self.mode is Mode.LIVE:
            real = self.real_money
            if real is None:
                return "Kraken Futures (demo or production: not recorded)"
            return "Kraken Futures production" if real else "the Kraken Futures demo"
        return "Kraken Futures" if self.venue == "kraken" else self.venue

    @property
    def mode_words(self) -> str:
        if self.mode is not Mode.LIVE:
            return self.mode.value
        if self.venue == "sim":
            return "LIVE (SIM)"
        real = self.real_money
        return "LIVE REAL MONEY" if real else "LIVE DEMO" if real is False else "LIVE"
