"""The checksum book's cached texts and CRCs against the plain computation, on random books.

``ChecksumBook`` keeps each top-10 level's text, each side's joined top-10 text and the asks' CRC
between messages; ``book_checksum`` formats every level every time. Random messages (seeded, so a
failure repeats) set, change and delete levels on both sides, near the touch and below the top 10,
delete levels that are not there, repeat a qty, and push levels past the depth, so levels move into
and out of the top 10 and truncation cuts them; after every message the two must agree. Most
one-level messages go through ``set_level`` (the parser's way for them), the others ``apply``.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from brokers.kraken_futures.unified.book import ChecksumBook
from brokers.kraken_futures.unified.book_wire import WireLevel
from brokers.kraken_futures.unified.checksum import _digits, book_checksum, level_text

Side = dict[float, float]


class PlainBook:
    """The straightforward model: dicts, truncation by sorting, the checksum from scratch."""

    def __init__(self, depth: int, price_precision: int, qty_precision: int) -> None:
        self.depth, self.pp, self.qp = depth, price_precision, qty_precision
        self.bids: Side = {}
        self.asks: Side = {}

    def apply(self, bids: list[WireLevel], asks: list[WireLevel]) -> tuple[list[float], ...]:
        cuts = []
        for side, levels, best_first in ((self.bids, bids, True), (self.asks, asks, False)):
            for level in levels:
                if level.qty > 0.0:
                    side[level.price] = level.qty
                else:
                    side.pop(level.price, None)
            ordered = sorted(side, reverse=best_first)
            for price in ordered[self.depth :]:
                del side[price]
            cuts.append(sorted(ordered[self.depth :]))
        return tuple(cuts)

    def sorted_levels(self) -> tuple[tuple[tuple[float, float], ...], ...]:
        bids = tuple((p, self.bids[p]) for p in sorted(self.bids, reverse=True))
        asks = tuple((p, self.asks[p]) for p in sorted(self.asks))
        return bids, asks

    def checksum(self) -> int:
        bids, asks = self.sorted_levels()
        return book_checksum(asks, bids, self.pp, self.qp)


def _tops(plain: PlainBook) -> set[tuple[bool, float]]:
    bids, asks = plain.sorted_levels()
    return {(True, p) for p, _ in bids[:10]} | {(False, p) for p, _ in asks[:10]}


def _value(units: int, precision: int) -> float:
    return float(Decimal(units).scaleb(-precision))


def _message(
    rng: random.Random, plain: PlainBook, mid_units: int
) -> tuple[list[WireLevel], list[WireLevel]]:
    bids: list[WireLevel] = []
    asks: list[WireLevel] = []
    for _ in range(rng.choice((1, 1, 1, 2, 3, 5))):
        is_bid = rng.random() < 0.5
        held = plain.bids if is_bid else plain.asks
        roll = rng.random()
        if roll < 0.1 and held:  # the same qty again
            price = rng.choice(list(held))
            qty = held[price]
        else:
            # Near the touch mostly, sometimes far below the top 10 and past the depth.
            reach = 8 if rng.random() < 0.7 else plain.depth + 20
            offset = rng.randint(1, reach)
            price = _value(mid_units - offset if is_bid else mid_units + offset, plain.pp)
            deleting = roll < 0.35  # held or not: deleting a level not there changes nothing
            qty = 0.0 if deleting else _value(rng.randint(1, 10**6), plain.qp)
        (bids if is_bid else asks).append(WireLevel(price, qty))
    return bids, asks


@pytest.mark.parametrize(
    ("seed", "depth", "precisions"),
    [(1, 10, (1, 4)), (2, 25, (1, 4)), (3, 25, (4, 8)), (4, 10, (0, 3)), (5, 100, (2, 0))],
)
def test_the_cached_checksum_equals_the_plain_one_after_every_message(
    seed: int, depth: int, precisions: tuple[int, int]
) -> None:
    rng = random.Random(seed)
    book, plain = ChecksumBook(depth, *precisions), PlainBook(depth, *precisions)
    mid = 10**6
    snapshot = [
        [WireLevel(_value(mid + sign * k, plain.pp), _value(rng.randint(1, 999), 3))]
        for sign in (-1, 1)
        for k in range(1, depth + 15)  # more than the depth: the snapshot is truncated too
    ]
    bids = [level for (level,) in snapshot[: depth + 14]]
    asks = [level for (level,) in snapshot[depth + 14 :]]
    plain.apply(bids, asks)
    assert book.replace(bids, asks) == plain.checksum()
    assert book.sorted_levels() == plain.sorted_levels()
    into_top = out_of_top = cut = one_level = 0
    for _ in range(3_000):
        before = _tops(plain)
        bids, asks = _message(rng, plain, mid)
        cut_bids, cut_asks = plain.apply(bids, asks)
        if len(bids) + len(asks) == 1 and rng.random() < 0.7:  # one level: either way
            one_bid = bool(bids)
            level = (bids or asks)[0]
            checksum = book.set_level(one_bid, level.price, level.qty)
            got_bids, got_asks = (book.cut, ()) if one_bid else ((), book.cut)
            one_level += 1
        else:
            checksum, got_bids, got_asks = book.apply(bids, asks)
        assert checksum == plain.checksum()
        assert (sorted(got_bids), sorted(got_asks)) == (cut_bids, cut_asks)
        assert book.sorted_levels() == plain.sorted_levels()
        after = _tops(plain)
        into_top += len(after - before) > 0
        out_of_top += len(before - after) > 0
        cut += bool(cut_bids or cut_asks)
        if rng.random() < 0.02:
            mid += rng.choice((-3, 3))  # the market moves: old levels fall out of reach
    # The run did exercise what it is about.
    assert into_top > 100 and out_of_top > 100 and cut > 10 and one_level > 500


def test_a_change_at_the_tenth_level_changes_the_checksum_one_at_the_eleventh_does_not() -> None:
    book = ChecksumBook(25, 1, 4)
    bids = [WireLevel(100.0 - k, 1.0) for k in range(15)]
    asks = [WireLevel(101.0 + k, 1.0) for k in range(15)]
    start = book.replace(bids, asks)
    assert book.apply([WireLevel(90.0, 2.0)], [])[0] == start  # the 11th bid
    tenth = book.apply([WireLevel(91.0, 2.0)], [])[0]
    assert tenth != start
    assert book.apply([], [WireLevel(111.0, 2.0)])[0] == tenth  # the 11th ask
    assert book.apply([], [WireLevel(110.0, 2.0)])[0] != tenth


def test_the_docs_example_through_the_book() -> None:
    from tests.brokers.kraken_unified.test_signing_checksum import ASKS, BIDS  # noqa: PLC0415

    book = ChecksumBook(10, 1, 8)
    levels = [[WireLevel(float(p), float(q)) for p, q in side] for side in (BIDS, ASKS)]
    assert book.replace(*levels) == 3310070434


def test_a_levels_text_from_integers_equals_the_formatted_one() -> None:
    rng = random.Random(7)
    for _ in range(20_000):
        pp, qp = rng.randint(0, 8), rng.randint(0, 10)
        price = _value(rng.randint(1, 10 ** rng.randint(1, 15) - 1), pp)
        qty = _value(rng.randint(0, 10 ** rng.randint(1, 15) - 1), qp)
        expected = _digits(price, pp) + _digits(qty, qp)
        assert level_text(price, qty, 10**pp, 10**qp) == expected, (price, qty, pp, qp)
