"""One symbol's book as the Unified adapter keeps it to verify the venue's checksum.

The venue sends levels at its depth and never deletes the ones that fall below it: after each
message the client truncates to the subscribed depth (docs, "Book checksum (v2)"). The checksum is
then taken over the top 10 at the instrument's precision. ``apply`` returns it with the prices
truncation removed, so the core book, which keeps every level it is given, can delete them too.

Every message is verified, so the checksum is made cheap rather than skipped (``checksum.
book_checksum`` is the plain computation it must equal). Each side keeps three aligned lists sorted
best first (``bisect``): sort keys, qtys, and each top-10 level's checksum text, made when the
level enters the top 10 or changes there. A side's top-10 text is joined again only when a change
lands in its top 10, and the asks' CRC (the text starts with the asks) is kept while their top 10
holds, so a message costs one level's text, one join of ten cached texts and one ``zlib.crc32``
chained onto the asks' CRC; a change below the top 10 costs no text and no join.

A message of one level (most are) takes ``set_level``: the same rules in one call, the common case
(a held level's new qty) first; when nothing in a top 10 changed it returns the last checksum,
which the message's is still compared with.
"""

from __future__ import annotations

import zlib
from bisect import bisect_left
from collections.abc import Sequence

from brokers.kraken_futures.unified.book_wire import WireLevel
from brokers.kraken_futures.unified.checksum import CHECKSUM_LEVELS, level_text
from core.events import Level

_crc32 = zlib.crc32
_TOP = CHECKSUM_LEVELS
NOTHING_CUT: tuple[float, ...] = ()
_TEXTS_KEPT = 4_096  # prices whose text is kept; past it the cache starts again


class _Side:
    """One side: sort keys (``price`` for asks, ``-price`` for bids), qtys and checksum texts
    (``None`` below the top 10) in aligned lists, best first; ``part``, the top-10 text."""

    __slots__ = (
        "keys",
        "part",
        "price_scale",
        "price_texts",
        "qty_scale",
        "qtys",
        "sign",
        "texts",
    )

    def __init__(self, sign: float, price_scale: int, qty_scale: int) -> None:
        self.sign = sign
        self.price_scale = price_scale
        self.qty_scale = qty_scale
        self.keys: list[float] = []
        self.qtys: list[float] = []
        self.texts: list[str | None] = []
        self.part = b""
        self.price_texts: dict[float, str] = {}  # a price's part of its level text, bounded

    def replace(self, levels: Sequence[WireLevel]) -> None:
        sign = self.sign
        held = {sign * level.price: level.qty for level in levels if level.qty > 0.0}
        self.keys = sorted(held)
        self.qtys = [held[k] for k in self.keys]
        self.texts = [None] * len(self.keys)
        for i in range(min(_TOP, len(self.keys))):
            self.texts[i] = self._text(i)
        self._join()

    def _text(self, i: int) -> str:
        return level_text(self.sign * self.keys[i], self.qtys[i], self.price_scale, self.qty_scale)

    def price_text(self, price: float) -> str:
        """The price's part of a level's text (``level_text``), made once and kept (bounded)."""
        texts = self.price_texts
        if len(texts) >= _TEXTS_KEPT:
            texts.clear()
        text = texts[price] = str(round(price * self.price_scale))
        return text

    def _join(self) -> None:
        self.part = "".join(self.texts[:_TOP]).encode("ascii")  # type: ignore[arg-type]

    def apply(self, changes: Sequence[WireLevel], depth: int) -> tuple[float, ...]:
        """Set or (qty 0) delete each level in order, truncate to ``depth``; the prices cut.
        ``part`` is joined again when a change landed in the top 10."""
        keys, qtys, texts, sign = self.keys, self.qtys, self.texts, self.sign
        price_texts = self.price_texts
        top_changed = False
        for level in changes:
            price, qty = level.price, level.qty
            key = sign * price
            i = bisect_left(keys, key)
            held = i < len(keys) and keys[i] == key
            if qty > 0.0:
                if held:
                    if qtys[i] == qty:
                        continue  # the same qty again: nothing changed
                    qtys[i] = qty
                else:
                    keys.insert(i, key)
                    qtys.insert(i, qty)
                    texts.insert(i, None)
                if i < _TOP:  # the level's text (``level_text``, its parts kept)
                    texts[i] = (price_texts.get(price) or self.price_text(price)) + str(
                        round(qty * self.qty_scale)
                    )
                    top_changed = True
                else:
                    texts[i] = None
            elif held:
                del keys[i], qtys[i], texts[i]
                if i < _TOP:
                    top_changed = True
                    if len(texts) >= _TOP and texts[_TOP - 1] is None:  # came up into the top
                        texts[_TOP - 1] = self._text(_TOP - 1)
        if top_changed:
            self.part = "".join(texts[:_TOP]).encode("ascii")  # type: ignore[arg-type]
        if len(keys) <= depth:
            return NOTHING_CUT
        return self.truncate(depth)

    def truncate(self, depth: int) -> tuple[float, ...]:
        """Drop the levels beyond ``depth`` (never in the top 10 when depth ≥ 10); their prices."""
        keys, sign = self.keys, self.sign
        if len(keys) <= depth:
            return NOTHING_CUT
        cut = tuple(sign * k for k in keys[depth:])
        del keys[depth:], self.qtys[depth:], self.texts[depth:]
        if depth < _TOP:
            self._join()
        return cut

    def levels(self) -> tuple[Level, ...]:
        """Every level held, best first."""
        sign = self.sign
        return tuple((sign * k, q) for k, q in zip(self.keys, self.qtys, strict=True))


class ChecksumBook:
    """Levels (float price → float qty) at ``depth``, and the checksum of their top 10."""

    __slots__ = (
        "_ask_crc",
        "_ask_part",
        "_asks",
        "_bids",
        "_crc",
        "cut",
        "depth",
        "price_precision",
        "qty_precision",
    )

    def __init__(self, depth: int, price_precision: int, qty_precision: int) -> None:
        self.depth = depth
        self.price_precision = price_precision
        self.qty_precision = qty_precision
        scales = 10**price_precision, 10**qty_precision
        self._bids = _Side(-1.0, *scales)
        self._asks = _Side(1.0, *scales)
        self._ask_part = b""  # the asks' top-10 text ``_ask_crc`` was taken of
        self._ask_crc = _crc32(b"")
        self._crc = _crc32(b"")  # the checksum after the last message
        self.cut: tuple[float, ...] = NOTHING_CUT  # the prices ``set_level`` truncated

    @property
    def bids(self) -> dict[float, float]:
        return dict(self._bids.levels())

    @property
    def asks(self) -> dict[float, float]:
        return dict(self._asks.levels())

    def replace(self, bids: Sequence[WireLevel], asks: Sequence[WireLevel]) -> int:
        """Hold exactly these levels (a snapshot), truncated to ``depth``; the checksum."""
        for side, levels in ((self._bids, bids), (self._asks, asks)):
            side.replace(levels)
            side.truncate(self.depth)
        return self.checksum()

    def apply(
        self, bids: Sequence[WireLevel], asks: Sequence[WireLevel]
    ) -> tuple[int, tuple[float, ...], tuple[float, ...]]:
        """Apply the levels in order (qty 0 deletes), truncate; the checksum after, and the
        (bid, ask) prices truncation cut off."""
        depth = self.depth
        cut_bids = self._bids.apply(bids, depth) if bids else NOTHING_CUT
        cut_asks = self._asks.apply(asks, depth) if asks else NOTHING_CUT
        ask_part = self._asks.part
        if ask_part is not self._ask_part:  # the asks' top 10 changed since its CRC was taken
            self._ask_crc = _crc32(ask_part)
            self._ask_part = ask_part
        crc = self._crc = _crc32(self._bids.part, self._ask_crc)
        return crc, cut_bids, cut_asks

    def set_level(self, bid: bool, price: float, qty: float) -> int:
        """``apply`` of one level (most messages are), in one call: the checksum after; the
        prices truncation cut off are in ``cut``. A change below the top 10 (or none) returns the
        last checksum without any text or CRC made; one in it makes that level's text, joins its
        side's top 10 and takes one CRC (two for the asks: their CRC is kept for the bids')."""
        self.cut = NOTHING_CUT
        side = self._bids if bid else self._asks
        keys, qtys, texts = side.keys, side.qtys, side.texts
        key = -price if bid else price
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            if qty > 0.0:  # a held level's new qty: nearly every message
                if qtys[i] == qty:
                    return self._crc  # the same qty again: nothing changed
                qtys[i] = qty
                if i >= _TOP:
                    texts[i] = None
                    return self._crc
                texts[i] = (side.price_texts.get(price) or side.price_text(price)) + str(
                    round(qty * side.qty_scale)
                )
            else:
                del keys[i], qtys[i], texts[i]
                if i >= _TOP:
                    return self._crc
                if len(texts) >= _TOP and texts[_TOP - 1] is None:  # came up into the top
                    texts[_TOP - 1] = side._text(_TOP - 1)
        elif qty > 0.0:
            keys.insert(i, key)
            qtys.insert(i, qty)
            texts.insert(
                i,
                (side.price_texts.get(price) or side.price_text(price))
                + str(round(qty * side.qty_scale))
                if i < _TOP
                else None,
            )
            depth = self.depth
            if len(keys) > depth:
                if len(keys) == depth + 1 and depth >= _TOP:  # one level past it, as a rule
                    self.cut = (side.sign * keys.pop(),)
                    del qtys[depth], texts[depth]
                else:
                    self.cut = side.truncate(depth)
            if i >= _TOP:
                return self._crc
        else:
            return self._crc  # a level not held deleted: nothing changed
        part = side.part = "".join(texts[:_TOP]).encode("ascii")  # type: ignore[arg-type]
        if bid:
            crc = self._crc = _crc32(part, self._ask_crc)
        else:
            self._ask_part = part
            ask_crc = self._ask_crc = _crc32(part)
            crc = self._crc = _crc32(self._bids.part, ask_crc)
        return crc

    def sorted_levels(self) -> tuple[tuple[Level, ...], tuple[Level, ...]]:
        """(bids best first, asks best first), every level held."""
        return self._bids.levels(), self._asks.levels()

    def checksum(self) -> int:
        """The CRC32 of the asks' then the bids' top 10, as ``checksum.book_checksum`` has it."""
        return self.apply((), ())[0]
