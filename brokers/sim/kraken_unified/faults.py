"""Fault knobs only the Unified protocol has (the shared ones live in ``brokers.sim.faults``).

Shared knobs the Unified server honours: ``drop_next_seq`` (a lost ``book`` update: the venue's
view moves on, the client's does not, so the next checksum disagrees), ``disconnect_all`` and
``half_open_all`` (silence; both act on the public socket only), ``send_malformed``,
``send_unknown_frames``, ``add_unknown_fields`` (extra fields in book items),
``ignore_next_subscribe`` (a ``book`` subscribe lost: no ack, no snapshot), ``lag_timestamps``
(book ``timestamp`` in the past), ``delay_outgoing``. The rest (sequence-number faults such as
``duplicate_next`` or ``swap_next``, crossing, REST) have no Unified meaning and are ignored.

The server's own knobs: ``set_system`` (the ``status`` channel: ``maintenance``,
``cancel_only``, ``post_only`` pushed on both sockets; orders are refused until ``online``) and
``expire_tokens`` (every token handed out so far is invalid: requests carrying one get
``EAPI:Invalid token``, on a socket that stays open). Below, the Unified-only knobs.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class UnifiedFaults:
    """Knobs a test turns; the Unified server reads and consumes them."""

    _wrong_checksum: dict[str, int] = field(default_factory=dict)
    _silent_heartbeats: bool = False
    _refusals: list[str] = field(default_factory=list)
    _lost_answers: int = 0
    _expired_tokens: int = 0

    def wrong_checksum(self, product: str, count: int = 1) -> None:
        """The next ``count`` book messages of ``product`` carry a checksum that is off by one.

        The levels are right: a client that trusts the checksum resyncs a book that was fine.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        key = product.upper()
        self._wrong_checksum[key] = self._wrong_checksum.get(key, 0) + count

    def take_wrong_checksum(self, product: str) -> bool:
        left = self._wrong_checksum.get(product, 0)
        if left <= 0:
            return False
        if left == 1:
            del self._wrong_checksum[product]
        else:
            self._wrong_checksum[product] = left - 1
        return True

    def refuse_orders(self, times: int = 1, *, error: str = "EOrder:Insufficient funds") -> None:
        """Refuse the next ``times`` ``add_order`` requests with ``error`` (nothing executes)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        self._refusals += [error] * times

    def take_refusal(self) -> str | None:
        return self._refusals.pop(0) if self._refusals else None

    def lose_order_answers(self, times: int = 1) -> None:
        """The next ``times`` orders execute, but their ``add_order`` reply is never sent."""
        if times < 1:
            raise ValueError("times must be at least 1")
        self._lost_answers += times

    def take_lost_answer(self) -> bool:
        if self._lost_answers <= 0:
            return False
        self._lost_answers -= 1
        return True

    _trade_volume_errors: list[str] = field(default_factory=list)

    def refuse_trade_volume(self, times: int = 1, *, error: str = "EService:Unavailable") -> None:
        """Answer the next ``times`` ``TradeVolume`` calls with ``error`` (the fee query fails)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        self._trade_volume_errors += [error] * times

    def take_trade_volume_error(self) -> str | None:
        return self._trade_volume_errors.pop(0) if self._trade_volume_errors else None

    _outage_after_arm_s: float = 0.0

    def cut_private_after_next_arm(self, seconds: float) -> None:
        """The dead man's switch firing: right after the venue answers the next arming request
        (``cancel_all_orders_after`` with a timeout), every private socket is cut and new ones are
        refused for ``seconds`` (a network outage). Longer than the switch's timeout, the switch
        fires (every order canceled, off until the next request that arrives: the client's first
        refresh after the outage)."""
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        self._outage_after_arm_s = seconds

    def take_outage_after_arm(self) -> float:
        seconds, self._outage_after_arm_s = self._outage_after_arm_s, 0.0
        return seconds

    _lost_dead_man_refreshes: int = 0

    def lose_dead_man_refreshes(self, times: int = 1) -> None:
        """The next ``times`` arming requests never reach the venue: no effect and no answer. To
        the client that is a lost answer (the venue may have acted), so a firing it then sees is
        only "may have fired"; ``cut_private_after_next_arm`` is the certain one."""
        if times < 1:
            raise ValueError("times must be at least 1")
        self._lost_dead_man_refreshes += times

    def take_lost_dead_man_refresh(self) -> bool:
        if self._lost_dead_man_refreshes <= 0:
            return False
        self._lost_dead_man_refreshes -= 1
        return True

    def issue_expired_tokens(self, times: int = 1) -> None:
        """The next ``times`` tokens from ``GetWebSocketsToken`` are issued already older than
        their lifetime (as if the client sat on them for over 15 minutes): their first use is
        refused with ``EAPI:Invalid token``."""
        if times < 1:
            raise ValueError("times must be at least 1")
        self._expired_tokens += times

    def take_expired_token(self) -> bool:
        if self._expired_tokens <= 0:
            return False
        self._expired_tokens -= 1
        return True

    maintenance_services: tuple[str, ...] = ("futures_trading",)
    """The services an announced window names (``KrakenUnifiedSimServer.announce_maintenance``)."""
    extra_maintenance_entries: list[object] = field(default_factory=list)

    def add_maintenance_entries(self, *entries: object) -> None:
        """Serve ``entries`` as given in ``upcoming_maintenance`` (read, not consumed): malformed
        or unknown ones, which a client must count and survive."""
        self.extra_maintenance_entries += entries

    emergency_entries: list[object] = field(default_factory=list)

    def add_emergency_entries(self, *entries: object) -> None:
        """Serve ``entries`` in ``SystemStatus``'s ``emergency`` array: open incidents."""
        self.emergency_entries += entries
