"""Fault injection for the protocol servers: small, exact, one-shot or counted knobs.

A test arms a knob on ``server.faults`` and the server consumes it: nothing here runs by itself
or touches a socket, so the object is safe to poke from a test at any time (one event loop, no
threads). Venue-neutral: each protocol server decides how a fault looks in its own wire format
(for instance the error body of a failed REST call, or the status of a refused order).

Market data: lost (``drop_next_seq``), duplicated (``duplicate_next``) and swapped
(``swap_next``) book messages; a crossed book message or snapshot (``cross_next``,
``cross_next_snapshot``); broken JSON (``send_malformed``), unknown fields and frames
(``add_unknown_fields``, ``send_unknown_frames``); late venue timestamps (``lag_timestamps``);
lost subscriptions (``ignore_next_subscribe``); disconnects, clean or abrupt
(``disconnect_all``), and half-open connections that go silent both ways (``half_open_all``);
slow frames (``delay_outgoing``). REST: failing (``fail_rest``), hanging (``hang_rest``),
held then delivered late (``hold_rest``), order refusals (``reject_orders``) and revoked keys
(``revoke_keys``). Venue status: a maintenance window (``schedule_maintenance``), served by
both servers' status endpoints. The Kraken Futures server honours every knob; the Binance.us
server the market-data ones that fit its stream (all but ``ignore_next_subscribe`` and
``cross_next_snapshot``), ``fail_rest`` and ``stale_snapshot``; the Kraken Unified server the
ones its protocol has a meaning for, listed with its own knobs (wrong checksum, ``status``,
expired tokens…) in ``brokers.sim.kraken_unified.faults``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class RestFault:
    """What a failed REST call answers: HTTP ``status`` and, if set, a venue error code.

    ``hang_s`` > 0 holds the answer that long first (a client with a shorter timeout gives up).
    """

    status: int
    error: str | None = None
    after_execute: bool = False  # True: the request takes effect, then the answer is the fault
    hang_s: float = 0.0
    retry_after_s: float | None = None  # sent as a ``Retry-After`` header (429/418)
    deliver_after_s: float = 0.0  # > 0: the request reaches the venue only this much later


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    """A venue maintenance window by the sim's clock (Unix ns): announced until ``end_ns``, in
    effect from ``start_ns``."""

    start_ns: int
    end_ns: int
    note: str = "Scheduled maintenance"

    def in_effect(self, now_ns: int) -> bool:
        return self.start_ns <= now_ns < self.end_ns


@dataclass(slots=True)
class _Armed:
    fault: RestFault
    remaining: int


@dataclass(slots=True)
class SimFaults:
    """Knobs a test turns; the server reads and consumes them."""

    _drop_seq: dict[str, int] = field(default_factory=dict)
    _disconnects: int = 0
    _abrupt_disconnect: bool = False
    _malformed: int = 0
    _delay_ms: float = 0.0
    _delay_frames: int | None = None
    _rest: dict[str, list[_Armed]] = field(default_factory=dict)
    _duplicate: dict[str, int] = field(default_factory=dict)
    _swap: dict[str, int] = field(default_factory=dict)
    _cross: dict[str, int] = field(default_factory=dict)
    _cross_snapshot: dict[str, int] = field(default_factory=dict)
    _ignore_subscribe: dict[str, int] = field(default_factory=dict)
    _unknown_fields: int = 0
    _unknown_frames: int = 0
    _half_open: bool = False
    _ts_lag_ms: float = 0.0
    _rejects: list[tuple[str, int]] = field(default_factory=list)
    _stale_snapshots: dict[str, int] = field(default_factory=dict)
    _revoked: bool = False
    maintenance: MaintenanceWindow | None = None  # ``schedule_maintenance``; read, not consumed

    # --- venue status --------------------------------------------------------------------------
    def schedule_maintenance(
        self, start_ns: int, end_ns: int, note: str = "Scheduled maintenance"
    ) -> None:
        """Announce a maintenance window (by the sim's clock) in the venue's status endpoint;
        ``clear_maintenance`` withdraws it early."""
        if end_ns <= start_ns:
            raise ValueError("a maintenance window ends after it starts")
        self.maintenance = MaintenanceWindow(start_ns, end_ns, note)

    def clear_maintenance(self) -> None:
        self.maintenance = None

    # --- market data -------------------------------------------------------------------------
    def drop_next_seq(self, product: str, count: int = 1) -> None:
        """Withhold the next ``count`` book messages of ``product`` from every subscriber.

        Their sequence numbers are used up, so subscribers see a jump (a lost frame): the book
        they hold is really missing those changes until they resync. Only messages someone
        would have received count, so the knob can be armed before anyone subscribes.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        key = product.upper()
        self._drop_seq[key] = self._drop_seq.get(key, 0) + count

    def take_drop(self, product: str) -> bool:
        """True if this message of ``product`` is to be dropped (consumes one)."""
        left = self._drop_seq.get(product, 0)
        if left <= 0:
            return False
        if left == 1:
            del self._drop_seq[product]
        else:
            self._drop_seq[product] = left - 1
        return True

    def disconnect_all(self, *, abrupt: bool = False) -> None:
        """Close every client connection at the next server tick.

        ``abrupt=False`` closes with a WebSocket close frame (1001 going away); ``abrupt=True``
        drops the TCP connection without one.
        """
        self._disconnects += 1
        self._abrupt_disconnect = self._abrupt_disconnect or abrupt

    def take_disconnect(self) -> tuple[bool, bool]:
        """(disconnect now?, abruptly?) — consumes the pending request."""
        if self._disconnects == 0:
            return False, False
        abrupt = self._abrupt_disconnect
        self._disconnects, self._abrupt_disconnect = 0, False
        return True, abrupt

    def send_malformed(self, count: int = 1) -> None:
        """Send ``count`` frames of broken JSON to every connected client, in stream order.

        They use no sequence number: the book stays right for a client that skips them.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        self._malformed += count

    def take_malformed(self) -> int:
        count, self._malformed = self._malformed, 0
        return count

    def delay_outgoing(self, ms: float, frames: int | None = None) -> None:
        """Hold every outgoing frame ``ms`` milliseconds before sending (order is kept).

        ``frames`` limits it to the next that many frames the server queues (all clients
        together); ``ms=0`` switches it off.
        """
        if ms < 0 or (frames is not None and frames < 1):
            raise ValueError("ms must be >= 0 and frames, if given, >= 1")
        self._delay_ms = ms
        self._delay_frames = frames if ms > 0 else None

    def take_delay_ms(self) -> float:
        """The delay for the frame being queued now (consumes one of a counted delay)."""
        if self._delay_ms <= 0:
            return 0.0
        delay = self._delay_ms
        if self._delay_frames is not None:
            self._delay_frames -= 1
            if self._delay_frames <= 0:
                self._delay_ms, self._delay_frames = 0.0, None
        return delay

    def duplicate_next(self, product: str, count: int = 1) -> None:
        """Send each of the next ``count`` book messages of ``product`` twice, back to back."""
        _add(self._duplicate, product, count)

    def take_duplicate(self, product: str) -> bool:
        return _take(self._duplicate, product)

    def swap_next(self, product: str, count: int = 1) -> None:
        """Send the next two book messages of ``product`` in the wrong order (``count`` times)."""
        _add(self._swap, product, count)

    def take_swap(self, product: str) -> bool:
        return _take(self._swap, product)

    def cross_next(self, product: str, count: int = 1) -> None:
        """Slip ``count`` bogus book messages into ``product``'s stream, each a bid at the best
        ask: with the next sequence number, so only the crossing gives them away."""
        _add(self._cross, product, count)

    def take_cross(self, product: str) -> bool:
        return _take(self._cross, product)

    def cross_next_snapshot(self, product: str, count: int = 1) -> None:
        """The next ``count`` snapshots of ``product`` carry a bid at their best ask."""
        _add(self._cross_snapshot, product, count)

    def take_cross_snapshot(self, product: str) -> bool:
        return _take(self._cross_snapshot, product)

    def ignore_next_subscribe(self, product: str, count: int = 1) -> None:
        """Swallow the next ``count`` book subscribe requests naming ``product``: no ack, no
        snapshot (a request lost on the way)."""
        _add(self._ignore_subscribe, product, count)

    def take_ignore_subscribe(self, product: str) -> bool:
        return _take(self._ignore_subscribe, product)

    def add_unknown_fields(self, count: int = 1) -> None:
        """The next ``count`` book messages (any product) carry fields the docs never named."""
        _positive(count)
        self._unknown_fields += count

    def take_unknown_fields(self) -> bool:
        if self._unknown_fields <= 0:
            return False
        self._unknown_fields -= 1
        return True

    def send_unknown_frames(self, count: int = 1) -> None:
        """Send ``count`` well-formed frames of a feed and an event nobody asked for to every
        client (they use no sequence number)."""
        _positive(count)
        self._unknown_frames += count

    def take_unknown_frames(self) -> int:
        count, self._unknown_frames = self._unknown_frames, 0
        return count

    def half_open_all(self) -> None:
        """At the next server tick every open connection goes silent both ways, without a close:
        nothing is sent, nothing is read (pings go unanswered), the TCP socket stays open. New
        connections work normally."""
        self._half_open = True

    def take_half_open(self) -> bool:
        half_open, self._half_open = self._half_open, False
        return half_open

    def lag_timestamps(self, ms: float) -> None:
        """Stamp book messages and snapshots ``ms`` milliseconds in the past (a venue whose
        stream runs behind); 0 switches it off."""
        if ms < 0:
            raise ValueError("ms must be >= 0")
        self._ts_lag_ms = ms

    @property
    def timestamp_lag_ms(self) -> float:
        return self._ts_lag_ms

    # --- REST --------------------------------------------------------------------------------
    def fail_rest(
        self,
        endpoint: str,
        *,
        times: int = 1,
        status: int = 500,
        error: str | None = None,
        after_execute: bool = False,
        retry_after_s: float | None = None,
    ) -> None:
        """Make the next ``times`` calls to ``endpoint`` (e.g. ``"sendorder"``) fail.

        They answer HTTP ``status``; with ``error`` the body is the venue's documented error
        JSON carrying that code (e.g. ``"apiLimitExceeded"``), otherwise a plain-text body.
        By default the request has no effect; ``after_execute=True`` applies it first (an
        order is placed, then the answer is lost). ``retry_after_s`` adds a ``Retry-After``
        header (for 429/418).
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        key = endpoint.strip("/")
        fault = RestFault(
            status=status, error=error, after_execute=after_execute, retry_after_s=retry_after_s
        )
        self._rest.setdefault(key, []).append(_Armed(fault, times))

    def take_rest(self, endpoint: str) -> RestFault | None:
        """The fault for this call of ``endpoint``, if one is armed (consumes one)."""
        queue = self._rest.get(endpoint)
        if not queue:
            return None
        armed = queue[0]
        armed.remaining -= 1
        if armed.remaining <= 0:
            queue.pop(0)
        return armed.fault

    def armed_rest(self, endpoint: str) -> int:
        """How many calls to ``endpoint`` will still fail or hang (tests wait on it)."""
        return sum(armed.remaining for armed in self._rest.get(endpoint.strip("/"), []))

    def hang_rest(
        self, endpoint: str, seconds: float, *, times: int = 1, after_execute: bool = False
    ) -> None:
        """Hold the answer of the next ``times`` calls to ``endpoint`` for ``seconds``.

        ``after_execute=False``: the request never reaches the matching engine and the late
        answer is a 504 (a gateway that gave up); ``after_execute=True``: it takes effect at once
        and the normal answer comes late (the client has given up by then: the answer is lost).
        """
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        _positive(times)
        key = endpoint.strip("/")
        fault = RestFault(status=504, after_execute=after_execute, hang_s=seconds)
        if after_execute:
            fault.status = 200  # the real answer, only late
        self._rest.setdefault(key, []).append(_Armed(fault, times))

    def hold_rest(self, endpoint: str, seconds: float, *, times: int = 1) -> None:
        """Hold the next ``times`` calls to ``endpoint`` for ``seconds`` on their way, then
        deliver them: the request takes effect only then, as of then (a ``sendorder`` carrying a
        ``processBefore`` already past is refused), and its answer follows (the client has
        usually given up by then)."""
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        _positive(times)
        fault = RestFault(status=200, deliver_after_s=seconds)
        self._rest.setdefault(endpoint.strip("/"), []).append(_Armed(fault, times))

    def revoke_keys(self, revoked: bool = True) -> None:
        """Every signed request is refused with an authentication error from now on (a key
        revoked on the venue's site), until ``revoke_keys(False)``."""
        self._revoked = revoked

    @property
    def keys_revoked(self) -> bool:
        return self._revoked

    def reject_orders(self, times: int = 1, *, status: str = "marketSuspended") -> None:
        """Refuse the next ``times`` orders with this ``sendStatus.status`` (nothing executes)."""
        _positive(times)
        self._rejects.append((status, times))

    def take_reject(self) -> str | None:
        """The status to refuse this order with, if a refusal is armed (consumes one)."""
        if not self._rejects:
            return None
        status, left = self._rejects[0]
        if left <= 1:
            self._rejects.pop(0)
        else:
            self._rejects[0] = (status, left - 1)
        return status

    def stale_snapshot(self, product: str, times: int = 1) -> None:
        """Answer the next ``times`` REST snapshots of ``product`` with an old book (Binance.us:
        one taken a few seconds ago, older than anything a new subscriber has buffered)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        key = product.upper()
        self._stale_snapshots[key] = self._stale_snapshots.get(key, 0) + times

    def take_stale_snapshot(self, product: str) -> bool:
        """True if this snapshot of ``product`` is to be stale (consumes one)."""
        left = self._stale_snapshots.get(product, 0)
        if left <= 0:
            return False
        self._stale_snapshots[product] = left - 1
        return True

    def clear(self) -> None:
        """Disarm everything."""
        self._drop_seq.clear()
        self._disconnects, self._abrupt_disconnect = 0, False
        self._malformed = 0
        self._delay_ms, self._delay_frames = 0.0, None
        self._rest.clear()
        for counters in (
            self._duplicate,
            self._swap,
            self._cross,
            self._cross_snapshot,
            self._ignore_subscribe,
        ):
            counters.clear()
        self._unknown_fields = self._unknown_frames = 0
        self._half_open = False
        self._ts_lag_ms = 0.0
        self._rejects.clear()
        self._stale_snapshots.clear()
        self._revoked = False


def _positive(count: int) -> None:
    if count < 1:
        raise ValueError("count must be at least 1")


def _add(counters: dict[str, int], product: str, count: int) -> None:
    _positive(count)
    key = product.upper()
    counters[key] = counters.get(key, 0) + count


def _take(counters: dict[str, int], product: str) -> bool:
    left = counters.get(product, 0)
    if left <= 0:
        return False
    if left == 1:
        del counters[product]
    else:
        counters[product] = left - 1
    return True


KrakenFaults = SimFaults
"""The Kraken Futures server's knobs are the shared ones (an alias for readable tests)."""
