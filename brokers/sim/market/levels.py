"""One product's price levels as integers: price in level steps, size in size steps.

Integers keep the simulated book exact and cheap; ``market.py`` turns them into Decimals at the
boundary. Both sides are plain dicts (``price_units -> size_lots``) with the best price cached.
"""

from __future__ import annotations


class LevelBook:
    """Bids and asks of one product. A side's levels are ``{price_units: size_lots}``."""

    __slots__ = ("asks", "best_ask", "best_bid", "bids")

    def __init__(self) -> None:
        self.bids: dict[int, int] = {}
        self.asks: dict[int, int] = {}
        self.best_bid: int | None = None
        self.best_ask: int | None = None

    def levels(self, is_bid: bool) -> dict[int, int]:
        return self.bids if is_bid else self.asks

    def best(self, is_bid: bool) -> int | None:
        return self.best_bid if is_bid else self.best_ask

    def set(self, is_bid: bool, price: int, lots: int) -> None:
        """Set a level's absolute size; 0 deletes it. Refuses a change that would cross."""
        if lots < 0:
            raise ValueError("a level size cannot be negative")
        side = self.bids if is_bid else self.asks
        if lots == 0:
            side.pop(price, None)
            if is_bid and price == self.best_bid:
                self.best_bid = max(side) if side else None
            elif not is_bid and price == self.best_ask:
                self.best_ask = min(side) if side else None
            return
        if is_bid:
            if self.best_ask is not None and price >= self.best_ask:
                raise AssertionError(f"bid at {price} would cross the best ask {self.best_ask}")
            side[price] = lots
            if self.best_bid is None or price > self.best_bid:
                self.best_bid = price
        else:
            if self.best_bid is not None and price <= self.best_bid:
                raise AssertionError(f"ask at {price} would cross the best bid {self.best_bid}")
            side[price] = lots
            if self.best_ask is None or price < self.best_ask:
                self.best_ask = price

    def sorted_prices(self, is_bid: bool) -> list[int]:
        """Prices of one side, best first."""
        return sorted(self.bids, reverse=True) if is_bid else sorted(self.asks)

    def worst(self, is_bid: bool) -> int | None:
        side = self.levels(is_bid)
        if not side:
            return None
        return min(side) if is_bid else max(side)

    def top_lots(self, is_bid: bool, depth: int) -> int:
        """Total size of the ``depth`` best levels of one side."""
        side = self.levels(is_bid)
        return sum(side[price] for price in self.sorted_prices(is_bid)[:depth])
