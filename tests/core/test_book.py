"""The order book: levels, top-N sums, and the one sequencing rule both venues follow."""

from __future__ import annotations

import pytest

from core.book import ApplyOutcome, OrderBook
from core.enums import BookState, Side
from tests.core.factories import binance_delta, kraken_delta, snapshot

BIDS = [(100.0, 1.0), (99.5, 2.0), (99.0, 3.0), (98.5, 4.0), (98.0, 5.0)]
ASKS = [(100.5, 1.5), (101.0, 2.5), (101.5, 3.5), (102.0, 4.5), (102.5, 5.5)]


def live_book(seq: int = 100, depth: int = 3) -> OrderBook:
    book = OrderBook("PF_XBTUSD", depth=depth)
    assert book.apply_snapshot(snapshot(seq, BIDS, ASKS)) is ApplyOutcome.APPLIED
    return book


# -- levels and prices ---------------------------------------------------------------------


def test_a_new_book_is_syncing_and_empty_until_its_first_snapshot() -> None:
    book = OrderBook("PF_XBTUSD")
    assert book.state is BookState.SYNCING
    assert book.seq == -1
    assert (book.best_bid, book.best_ask, book.mid, book.spread_bps) == (None, None, None, None)
    assert (book.bid_depth_sum, book.ask_depth_sum) == (0.0, 0.0)


def test_snapshot_makes_the_book_live_with_best_prices_mid_and_spread() -> None:
    book = live_book()
    assert book.state is BookState.LIVE
    assert book.seq == 100
    assert book.best_bid == 100.0
    assert book.best_ask == 100.5
    assert book.mid == 100.25
    assert book.spread_bps == pytest.approx(0.5 / 100.25 * 10_000)
    assert (book.bid_count, book.ask_count) == (5, 5)


def test_top_levels_are_best_first_and_depth_sums_cover_the_top_n_only() -> None:
    book = live_book(depth=3)
    bids, asks = book.top(2)
    assert bids == [(100.0, 1.0), (99.5, 2.0)]
    assert asks == [(100.5, 1.5), (101.0, 2.5)]
    assert book.bid_depth_sum == 1.0 + 2.0 + 3.0
    assert book.ask_depth_sum == 1.5 + 2.5 + 3.5
    assert book.top(0) == ([], [])


def test_snapshot_ignores_zero_size_levels() -> None:
    book = OrderBook("PF_XBTUSD")
    book.apply_snapshot(snapshot(1, [(100.0, 0.0), (99.0, 1.0)], [(101.0, 2.0)]))
    assert book.top(5) == ([(99.0, 1.0)], [(101.0, 2.0)])


def test_delta_sizes_are_absolute_and_zero_deletes() -> None:
    book = live_book()
    assert book.apply_delta(kraken_delta(101, "buy", 99.5, 7.0)) is ApplyOutcome.APPLIED
    assert book.apply_delta(kraken_delta(102, "sell", 100.5, 0.0)) is ApplyOutcome.APPLIED
    bids, asks = book.top(3)
    assert bids == [(100.0, 1.0), (99.5, 7.0), (99.0, 3.0)]
    assert asks == [(101.0, 2.5), (101.5, 3.5), (102.0, 4.5)]
    assert book.best_ask == 101.0
    assert book.seq == 102


def test_deleting_an_unknown_level_is_normal() -> None:
    book = live_book()
    assert book.apply_delta(kraken_delta(101, "buy", 42.0, 0.0)) is ApplyOutcome.APPLIED
    assert book.bid_count == 5
    assert book.seq == 101


def test_a_new_level_inside_the_top_n_pushes_the_nth_level_out_of_the_sum() -> None:
    book = live_book(depth=3)
    book.apply_delta(kraken_delta(101, "buy", 99.75, 10.0))  # between 100.0 and 99.5
    assert book.bid_depth_sum == 1.0 + 10.0 + 2.0  # 99.0 (3.0) left the top 3


def test_deleting_a_top_level_pulls_the_next_level_into_the_sum() -> None:
    book = live_book(depth=3)
    book.apply_delta(kraken_delta(101, "sell", 100.5, 0.0))
    assert book.ask_depth_sum == 2.5 + 3.5 + 4.5


def test_changes_below_the_top_n_leave_the_sum_alone() -> None:
    book = live_book(depth=3)
    book.apply_delta(kraken_delta(101, "buy", 98.5, 40.0))
    book.apply_delta(kraken_delta(102, "buy", 97.0, 1.0))
    book.apply_delta(kraken_delta(103, "buy", 98.0, 0.0))
    assert book.bid_depth_sum == 6.0


def test_a_side_emptied_completely_sums_to_exactly_zero() -> None:
    book = OrderBook("PF_XBTUSD", depth=2)
    book.apply_snapshot(snapshot(1, [(100.0, 0.1), (99.0, 0.2)], [(101.0, 1.0)]))
    book.apply_delta(kraken_delta(2, "buy", 100.0, 0.0))
    book.apply_delta(kraken_delta(3, "buy", 99.0, 0.0))
    assert book.bid_depth_sum == 0.0
    assert book.best_bid is None
    assert book.spread_bps is None


def test_levels_from_best_walk_the_side_a_market_order_would_take() -> None:
    book = live_book()
    assert list(book.levels_from_best(Side.BUY))[:2] == [(100.5, 1.5), (101.0, 2.5)]
    assert list(book.levels_from_best(Side.SELL))[:2] == [(100.0, 1.0), (99.5, 2.0)]


# -- Kraken Futures sequencing: first delta = snapshot seq + 1, then +1 each -----------------


def test_kraken_deltas_apply_in_sequence_and_stamp_receive_time() -> None:
    book = live_book(seq=100)
    first = kraken_delta(101, "buy", 100.0, 2.0, recv_ns=55)
    second = kraken_delta(102, "buy", 100.0, 3.0, recv_ns=56)
    assert book.apply_delta(first) is ApplyOutcome.APPLIED
    assert book.apply_delta(second) is ApplyOutcome.APPLIED
    assert (book.seq, book.last_recv_ns, book.state) == (102, 56, BookState.LIVE)


def test_gap_in_seq_marks_book_syncing_and_buffers_what_follows() -> None:
    book = live_book(seq=100)
    book.apply_delta(kraken_delta(101, "buy", 100.0, 2.0))
    assert book.apply_delta(kraken_delta(103, "buy", 100.0, 9.0)) is ApplyOutcome.GAP
    assert book.state is BookState.SYNCING
    assert book.counters.gaps == 1
    assert "expected 102, got 103" in book.syncing_reason
    assert book.apply_delta(kraken_delta(104, "buy", 100.0, 9.5)) is ApplyOutcome.BUFFERED
    assert book.top(1)[0] == [(100.0, 2.0)]  # the last good picture stays for display


def test_a_fresh_snapshot_after_a_gap_replays_only_the_deltas_that_follow_it() -> None:
    book = live_book(seq=100)
    book.apply_delta(kraken_delta(102, "buy", 100.0, 9.0))  # gap: 101 missing
    for seq in (103, 104, 105):  # in-flight deltas of the old subscription and newer ones
        book.apply_delta(kraken_delta(seq, "buy", 100.0, float(seq)))
    assert book.apply_snapshot(snapshot(103, BIDS, ASKS)) is ApplyOutcome.APPLIED
    assert book.state is BookState.LIVE
    assert book.seq == 105
    assert book.top(1)[0] == [(100.0, 105.0)]
    assert book.counters.duplicates == 2  # 102 and 103 were already in the snapshot
    assert book.buffered == 0


def test_a_stale_duplicate_delta_is_dropped_and_counted() -> None:
    book = live_book(seq=100)
    book.apply_delta(kraken_delta(101, "buy", 100.0, 2.0))
    assert book.apply_delta(kraken_delta(101, "buy", 100.0, 99.0)) is ApplyOutcome.DUPLICATE
    assert book.apply_delta(kraken_delta(50, "buy", 100.0, 99.0)) is ApplyOutcome.DUPLICATE
    assert book.top(1)[0] == [(100.0, 2.0)]
    assert book.counters.duplicates == 2
    assert book.state is BookState.LIVE


def test_kraken_first_delta_must_follow_the_snapshot() -> None:
    book = live_book(seq=100)
    assert book.apply_delta(kraken_delta(102, "buy", 100.0, 2.0)) is ApplyOutcome.GAP


# -- Binance.us sequencing: buffer, snapshot, U <= lastUpdateId+1 <= u, then U = prev u + 1 --


def test_binance_buffered_events_are_replayed_onto_the_rest_snapshot() -> None:
    book = OrderBook("BTCUSDT")
    assert book.apply_delta(binance_delta(90, 95, bids=[(100.0, 9.0)])) is ApplyOutcome.BUFFERED
    assert book.apply_delta(binance_delta(96, 103, bids=[(100.0, 2.0)])) is ApplyOutcome.BUFFERED
    assert book.apply_delta(binance_delta(104, 110, asks=[(101.0, 0.0)])) is ApplyOutcome.BUFFERED
    outcome = book.apply_snapshot(snapshot(100, BIDS, ASKS, product="BTCUSDT"))
    assert outcome is ApplyOutcome.APPLIED
    assert book.seq == 110
    assert book.best_bid == 100.0
    assert book.top(1)[0] == [(100.0, 2.0)]
    assert book.counters.duplicates == 1


def test_duplicates_met_while_bridging_a_snapshot_are_told_apart_from_repeats() -> None:
    book = OrderBook("BTCUSDT")
    book.apply_delta(binance_delta(90, 95, bids=[(100.0, 9.0)]))  # covered by the snapshot
    book.apply_delta(binance_delta(96, 103, bids=[(100.0, 2.0)]))
    book.apply_snapshot(snapshot(100, BIDS, ASKS, product="BTCUSDT"))
    book.apply_delta(binance_delta(100, 103))  # the venue repeats itself
    counters = book.counters
    assert (counters.duplicates, counters.superseded, counters.repeated) == (2, 1, 1)


def test_binance_snapshot_older_than_the_stream_is_a_gap() -> None:
    book = OrderBook("BTCUSDT")
    book.apply_delta(binance_delta(120, 130, bids=[(100.0, 2.0)]))
    assert book.apply_snapshot(snapshot(100, BIDS, ASKS)) is ApplyOutcome.GAP
    assert book.state is BookState.SYNCING
    assert book.buffered == 1  # kept: a newer snapshot may still bridge it


def test_the_delta_that_revealed_a_gap_can_be_bridged_by_the_next_snapshot() -> None:
    book = live_book(seq=100)
    book.apply_delta(binance_delta(101, 105))
    assert book.apply_delta(binance_delta(110, 120, bids=[(100.0, 4.0)])) is ApplyOutcome.GAP
    assert book.apply_snapshot(snapshot(115, BIDS, ASKS)) is ApplyOutcome.APPLIED
    assert book.seq == 120
    assert book.top(1)[0] == [(100.0, 4.0)]


def test_binance_after_the_first_event_an_overlap_is_a_gap() -> None:
    book = live_book(seq=100)
    assert book.apply_delta(binance_delta(95, 105)) is ApplyOutcome.APPLIED
    assert book.apply_delta(binance_delta(104, 108)) is ApplyOutcome.GAP


def test_a_replay_that_breaks_reports_the_gap_and_keeps_the_rest_buffered() -> None:
    book = OrderBook("BTCUSDT")
    for first, last in ((101, 102), (104, 105), (106, 107)):
        book.apply_delta(binance_delta(first, last))
    assert book.apply_snapshot(snapshot(100, BIDS, ASKS)) is ApplyOutcome.GAP
    assert book.state is BookState.SYNCING
    assert book.seq == 102
    assert book.buffered == 2
    assert book.apply_snapshot(snapshot(104, BIDS, ASKS)) is ApplyOutcome.APPLIED
    assert book.seq == 107


def test_buffer_overflow_drops_the_oldest_and_counts_it() -> None:
    book = OrderBook("BTCUSDT", max_buffered=3)
    for n in range(5):
        book.apply_delta(binance_delta(101 + n, 101 + n, bids=[(100.0, float(n))]))
    assert book.buffered == 3
    assert book.counters.buffer_overflows == 2
    assert book.apply_snapshot(snapshot(102, BIDS, ASKS)) is ApplyOutcome.APPLIED
    assert book.seq == 105
    assert book.top(1)[0] == [(100.0, 4.0)]


# -- crossed books, staleness, reset ---------------------------------------------------------


def test_a_delta_that_crosses_the_book_marks_it_syncing() -> None:
    book = live_book(seq=100)
    assert book.apply_delta(kraken_delta(101, "buy", 100.5, 1.0)) is ApplyOutcome.CROSSED
    assert book.state is BookState.SYNCING
    assert book.counters.crosses == 1
    assert "crossed" in book.syncing_reason
    assert book.apply_delta(kraken_delta(102, "buy", 100.5, 0.0)) is ApplyOutcome.BUFFERED


def test_a_crossed_snapshot_is_refused() -> None:
    book = OrderBook("PF_XBTUSD")
    assert book.apply_snapshot(snapshot(5, [(101.0, 1.0)], [(101.0, 1.0)])) is ApplyOutcome.CROSSED
    assert book.state is BookState.SYNCING
    assert book.counters.crosses == 1


def test_a_stale_book_comes_back_live_on_a_fresh_delta() -> None:
    book = live_book(seq=100)
    book.mark_stale()
    assert book.state is BookState.STALE
    assert book.apply_delta(kraken_delta(101, "buy", 100.0, 2.0)) is ApplyOutcome.APPLIED
    assert book.state is BookState.LIVE


def test_a_stale_book_still_detects_gaps() -> None:
    book = live_book(seq=100)
    book.mark_stale()
    assert book.apply_delta(kraken_delta(105, "buy", 100.0, 2.0)) is ApplyOutcome.GAP
    assert book.state is BookState.SYNCING


def test_mark_stale_does_not_revive_a_syncing_book() -> None:
    book = OrderBook("PF_XBTUSD")
    book.mark_stale()
    assert book.state is BookState.SYNCING


def test_reset_forgets_levels_and_buffer_and_waits_for_a_snapshot() -> None:
    book = live_book(seq=100)
    book.apply_delta(kraken_delta(105, "buy", 100.0, 2.0))  # gap, buffered
    book.reset("disconnected")
    assert book.state is BookState.SYNCING
    assert book.syncing_reason == "disconnected"
    assert (book.seq, book.bid_count, book.ask_count, book.buffered) == (-1, 0, 0, 0)
    assert book.bid_depth_sum == 0.0


def test_last_receive_time_never_goes_back_after_replaying_older_buffered_deltas() -> None:
    book = OrderBook("BTCUSDT")
    book.apply_delta(binance_delta(100, 101, recv_ns=10))
    book.apply_snapshot(snapshot(100, BIDS, ASKS, recv_ns=20))
    assert book.last_recv_ns == 20


def test_bad_construction_arguments_are_one_line_errors() -> None:
    with pytest.raises(ValueError, match="depth"):
        OrderBook("X", depth=0)
    with pytest.raises(ValueError, match="max_buffered"):
        OrderBook("X", max_buffered=0)
