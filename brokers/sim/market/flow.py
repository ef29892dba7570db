"""The order flow of one synthetic product: how its book changes, event by event.

Two processes drive a product, both on its own seeded RNG:

* **Moves** (Poisson in time) shift the whole top of the book by ``k`` level steps. Their
  size and frequency come from ``volatility_bps`` (the mid's standard deviation over one
  second): about six steps a move, at least ``moves_per_second`` moves. A move costs messages,
  so a volatility the message rate cannot carry saturates instead of bursting. The direction is
  up with probability ``0.5 + 0.5 * edge * x`` where ``x`` = tanh(1.7 * ln(top-N bid size /
  top-N ask size)), about 0.6 at a 1.5x imbalance and 0.95 at 3x: with ``edge = 0`` the mid is
  a pure random walk whatever the imbalance; with ``edge = 1`` a 3x imbalance is followed by an
  up-move 97 % of the time.
* **Flow** (the rest of the message budget) adds, cancels and trades against levels. A "regime"
  (an Ornstein-Uhlenbeck process drifting between buy and sell pressure) tilts adds to one side
  and cancels/trades to the other, so the top-N imbalance swings, sometimes past 3x either way.

Flow never removes or improves a best price except through "spread" events whose side is a fair
coin, so it cannot leak the imbalance into the mid; only moves (and our own executions) carry
price information. Every change is applied one level at a time in an order that keeps the book
uncrossed and each side at ``min_levels`` or more after every single message.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass

from brokers.sim.market.levels import LevelBook
from brokers.sim.market.products import SimProductSpec

TYPICAL_MOVE_UNITS = 6.0
MAX_MOVE_UNITS = 20

RawChange = tuple[bool, int, int]
"""(is_bid, price in level steps, new size in lots); 0 lots deletes the level."""


@dataclass(frozen=True, slots=True)
class FlowParams:
    """Tuning shared by every product of one market (see ``SimMarket`` for the meaning)."""

    rate_hz: float
    edge: float
    volatility_bps: float
    moves_per_second: float
    spread_ticks: int
    levels: int
    imbalance_depth: int
    widen_per_second: float = 0.5
    regime_timescale_s: float = 20.0
    regime_std: float = 0.6
    pressure_gain: float = 0.85

    @property
    def min_levels(self) -> int:
        """Flow never deletes a level when a side has this many or fewer (the floor is 50)."""
        return max(50, self.levels - 6)

    @property
    def max_levels(self) -> int:
        return self.levels + 12


def product_seed(seed: int, symbol: str) -> int:
    """A stable per-product seed (``hash()`` of a str is salted per process, this is not)."""
    digest = hashlib.sha256(f"{seed}:{symbol}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class ProductFlow:
    """The book and the event generator of one product, in integer units."""

    def __init__(self, spec: SimProductSpec, seed: int, params: FlowParams) -> None:
        self.spec = spec
        self.params = params
        self.book = LevelBook()
        self.rng = random.Random(product_seed(seed, spec.symbol))
        self.update_id = 0
        self.regime = 0.0
        self.typical_lots = int(spec.typical_size / spec.size_step)
        self.spread_units = max(1, round(params.spread_ticks / spec.level_gap_ticks))
        # Moves of about TYPICAL_MOVE_UNITS steps; more of them per second when the volatility
        # asks for it. If the message rate cannot carry that many moves, moves crowd out flow
        # and the volatility saturates at what the rate allows (no bursts, no long silences).
        sigma_units = params.volatility_bps * float(spec.start_price / spec.level_step) / 10_000
        self.moves_per_second = max(
            params.moves_per_second, (sigma_units / TYPICAL_MOVE_UNITS) ** 2
        )
        self.move_std_units = sigma_units / math.sqrt(self.moves_per_second)
        self.next_event_ns: int | None = None
        self.next_move_ns = 0
        self.next_widen_ns = 0
        self.last_event_ns = 0
        self._out: list[RawChange] = []
        self._build_initial_book()

    # ---------------------------------------------------------------- time
    def advance(self, now_ns: int, max_backlog_ns: int) -> list[tuple[int, bool, int, int]]:
        """Run every event due up to ``now_ns``; return (event time ns, *RawChange) in order."""
        if self.next_event_ns is None:
            self.last_event_ns = now_ns
            self.next_event_ns = now_ns + self._gap_ns(1)
            self.next_move_ns = now_ns + self._exp_ns(self.moves_per_second)
            self.next_widen_ns = now_ns + self._exp_ns(self.params.widen_per_second)
            return []
        if now_ns - self.next_event_ns > max_backlog_ns:
            # The caller was away (a blocked loop, a paused process): skip, don't burst.
            self.next_event_ns = now_ns - max_backlog_ns
            self.last_event_ns = self.next_event_ns
            self.next_move_ns = max(self.next_move_ns, self.next_event_ns)
            self.next_widen_ns = max(self.next_widen_ns, self.next_event_ns)
        out: list[tuple[int, bool, int, int]] = []
        while self.next_event_ns <= now_ns:
            event_ns = self.next_event_ns
            self._drift_regime(event_ns)
            self._out = []
            if self.next_move_ns <= event_ns:
                self._move()
                self.next_move_ns = event_ns + self._exp_ns(self.moves_per_second)
            elif self.next_widen_ns <= event_ns:
                self._widen()
                self.next_widen_ns = event_ns + self._exp_ns(self.params.widen_per_second)
            else:
                self._flow_event()
            out.extend((event_ns, *change) for change in self._out)
            self.update_id += len(self._out)
            self.next_event_ns = event_ns + self._gap_ns(len(self._out))
        return out

    def _gap_ns(self, messages: int) -> int:
        """Time to the next event: each message "costs" an exponential time of mean 1/rate.

        The sum over the event's messages is Gamma(messages, 1/rate): ``rate_hz`` messages a
        second on average, and a burst is followed by a proportionate, not erratic, pause.
        """
        gap_s = self.rng.gammavariate(max(1, messages), 1.0 / self.params.rate_hz)
        return 1 + int(gap_s * 1e9)

    def _exp_ns(self, per_second: float) -> int:
        return 1 + int(self.rng.expovariate(per_second) * 1e9)

    def _drift_regime(self, now_ns: int) -> None:
        dt = max(0, now_ns - self.last_event_ns) / 1e9
        self.last_event_ns = now_ns
        decay = math.exp(-dt / self.params.regime_timescale_s)
        shock = self.params.regime_std * math.sqrt(1.0 - decay * decay) * self.rng.gauss(0.0, 1.0)
        self.regime = max(-1.0, min(1.0, self.regime * decay + shock))

    @property
    def pressure(self) -> float:
        """Buy (+) or sell (-) pressure of the flow right now, in [-1, 1]."""
        return self.params.pressure_gain * self.regime

    # ---------------------------------------------------------------- helpers
    def _emit(self, is_bid: bool, price: int, lots: int) -> None:
        self.book.set(is_bid, price, lots)
        self._out.append((is_bid, price, lots))

    def _draw_lots(self, depth: int, is_bid: bool) -> int:
        """A fresh level's size: bigger further out, lognormal noise, leaning with the regime."""
        lean = math.exp((0.6 if is_bid else -0.6) * self.pressure)
        factor = (1.0 + depth / 8.0) * self.rng.lognormvariate(0.0, 0.55) * lean
        return max(1, round(self.typical_lots * factor))

    def _build_initial_book(self) -> None:
        mid = int(self.spec.start_price / self.spec.level_step)
        best_bid = mid - (self.spread_units + 1) // 2
        best_ask = best_bid + self.spread_units
        for is_bid, best in ((True, best_bid), (False, best_ask)):
            step = -1 if is_bid else 1
            price, placed = best, 0
            while placed < self.params.levels:
                if placed == 0 or self.rng.random() > 0.08:
                    self.book.set(is_bid, price, self._draw_lots(placed, is_bid))
                    placed += 1
                price += step

    def imbalance_ratio(self) -> float:
        """Top-N bid size over top-N ask size."""
        depth = self.params.imbalance_depth
        asks = self.book.top_lots(False, depth)
        return self.book.top_lots(True, depth) / asks if asks else math.inf

    # ---------------------------------------------------------------- moves
    def _move(self) -> None:
        units = min(MAX_MOVE_UNITS, max(1, round(abs(self.rng.gauss(0.0, self.move_std_units)))))
        ratio = self.imbalance_ratio()
        lean = math.tanh(1.7 * math.log(ratio)) if 0 < ratio < math.inf else (-1.0, 1.0)[ratio > 0]
        up = self.rng.random() < 0.5 + 0.5 * self.params.edge * lean
        self.shift(units, up)

    def shift(self, units: int, up: bool) -> None:
        """Move both best prices ``units`` steps: eat the side in the way, build the other."""
        book = self.book
        assert book.best_bid is not None and book.best_ask is not None
        direction = 1 if up else -1
        eaten_is_bid = not up  # moving up eats asks, moving down eats bids
        new_far_best = (book.best_ask if up else book.best_bid) + direction * units
        new_near_best = (book.best_bid if up else book.best_ask) + direction * units
        eaten_side = book.levels(eaten_is_bid)
        if up:
            doomed = sorted(p for p in eaten_side if p < new_far_best)
        else:
            doomed = sorted((p for p in eaten_side if p > new_far_best), reverse=True)
        # 1. Refill the eaten side behind its new best first, so it never runs short of levels.
        for _ in doomed:
            price = self._nearest_free(eaten_is_bid, new_far_best)
            depth = abs(price - new_far_best)
            self._emit(eaten_is_bid, price, self._draw_lots(depth, eaten_is_bid))
        # 2. Eat the levels in the way, best first; 3. make sure the new best level exists.
        for price in doomed:
            self._emit(eaten_is_bid, price, 0)
        if new_far_best not in eaten_side:
            self._emit(eaten_is_bid, new_far_best, self._draw_lots(0, eaten_is_bid))
        # 4. Build the other side up to its new best (a few levels; flow fills the holes later).
        built_is_bid = up
        old_near_best = book.best(built_is_bid)
        assert old_near_best is not None
        first = (
            max(old_near_best + 1, new_near_best - 2)
            if up
            else min(old_near_best - 1, new_near_best + 2)
        )
        price = first
        while (price <= new_near_best) if up else (price >= new_near_best):
            self._emit(built_is_bid, price, self._draw_lots(abs(new_near_best - price), up))
            price += direction
        self._trim(built_is_bid)

    def _trim(self, is_bid: bool) -> None:
        while len(self.book.levels(is_bid)) > self.params.max_levels:
            worst = self.book.worst(is_bid)
            assert worst is not None
            self._emit(is_bid, worst, 0)

    # ---------------------------------------------------------------- flow
    def _flow_event(self) -> None:
        book = self.book
        assert book.best_bid is not None and book.best_ask is not None
        spread = book.best_ask - book.best_bid
        roll = self.rng.random()
        if spread > self.spread_units and roll < 0.35:
            self._narrow()
            return
        for is_bid in (True, False):
            if len(book.levels(is_bid)) < self.params.levels - 3:
                self._refill(is_bid)
                return
        kind = self.rng.random()
        if kind < 0.45:
            self._add()
        elif kind < 0.82:
            self._cancel()
        else:
            self._trade()

    def _side_with(self, pressure: float) -> bool:
        """True (bid side) with probability (1 + pressure) / 2."""
        return self.rng.random() < 0.5 * (1.0 + pressure)

    def _add(self) -> None:
        is_bid = self._side_with(self.pressure)
        best = self.book.best(is_bid)
        assert best is not None
        depth = int(self.rng.expovariate(0.25))
        price = best - depth if is_bid else best + depth
        levels = self.book.levels(is_bid)
        existing = levels.get(price, 0)
        added = self._draw_lots(depth, is_bid)
        self._emit(is_bid, price, existing + (max(1, added // 2) if existing else added))
        self._trim(is_bid)

    def _cancel(self) -> None:
        is_bid = self._side_with(-self.pressure)  # buy pressure pulls asks, sell pressure bids
        prices = self.book.sorted_prices(is_bid)
        index = min(int(self.rng.expovariate(0.2)), len(prices) - 1)
        price = prices[index]
        lots = self.book.levels(is_bid)[price]
        if index > 0 and len(prices) > self.params.min_levels and self.rng.random() < 0.2:
            self._emit(is_bid, price, 0)
            return
        remaining = lots - max(1, int(lots * self.rng.uniform(0.2, 0.7)))
        if remaining >= 1:
            self._emit(is_bid, price, remaining)

    def _trade(self) -> None:
        """A market order eats part of the best level (never all of it: see the module doc)."""
        buyer = self._side_with(self.pressure)
        hit_is_bid = not buyer
        best = self.book.best(hit_is_bid)
        assert best is not None
        lots = self.book.levels(hit_is_bid)[best]
        if lots <= 1:
            return
        take = max(1, round(self.typical_lots * 0.4 * self.rng.expovariate(1.0)))
        self._emit(hit_is_bid, best, lots - min(take, lots - 1))

    def _narrow(self) -> None:
        is_bid = self.rng.random() < 0.5
        book = self.book
        assert book.best_bid is not None and book.best_ask is not None
        price = book.best_bid + 1 if is_bid else book.best_ask - 1
        self._emit(is_bid, price, self._draw_lots(0, is_bid))

    def _widen(self) -> None:
        """Pull one best level (side by a fair coin); flow narrows the spread back later."""
        is_bid = self.rng.random() < 0.5
        if len(self.book.levels(is_bid)) > self.params.min_levels:
            best = self.book.best(is_bid)
            assert best is not None
            self._emit(is_bid, best, 0)

    def _refill(self, is_bid: bool) -> None:
        best = self.book.best(is_bid)
        assert best is not None
        price = self._nearest_free(is_bid, best)
        self._emit(is_bid, price, self._draw_lots(abs(price - best), is_bid))

    def _nearest_free(self, is_bid: bool, start: int) -> int:
        """The first price at or behind ``start`` (away from the spread) with no level."""
        levels = self.book.levels(is_bid)
        step = -1 if is_bid else 1
        price = start
        while price in levels:
            price += step
        return price

    # ---------------------------------------------------------------- our own orders
    def execute(self, is_buy: bool, lots: int, bound: int | None) -> list[tuple[int, int]]:
        """Take up to ``lots`` from the opposite side, not beyond price ``bound`` (in units).

        Returns the (price, lots) taken per level; the level changes go to ``take_changes()``.
        The far end of the side is refilled first, so the side keeps its depth throughout.
        """
        side_is_bid = not is_buy
        levels = self.book.levels(side_is_bid)
        plan: list[tuple[int, int]] = []
        remaining = lots
        for price in self.book.sorted_prices(side_is_bid):
            if remaining == 0:
                break
            if bound is not None and (price > bound if is_buy else price < bound):
                break
            take = min(remaining, levels[price])
            plan.append((price, take))
            remaining -= take
        self._out = []
        emptied = sum(1 for price, take in plan if take == levels[price])
        if plan:
            behind = plan[-1][0] + (-1 if side_is_bid else 1)
            for _ in range(emptied):
                price = self._nearest_free(side_is_bid, behind)
                self._emit(side_is_bid, price, self._draw_lots(abs(price - behind), side_is_bid))
        for price, take in plan:
            self._emit(side_is_bid, price, levels[price] - take)
        self.update_id += len(self._out)
        return plan

    def take_changes(self) -> list[RawChange]:
        """The level changes made by the last ``execute``."""
        changes, self._out = self._out, []
        return changes
