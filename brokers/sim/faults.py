"""Fault injection for the protocol servers: small, exact, one-shot or counted knobs.

A test arms a knob on ``server.faults`` and the server consumes it: nothing here runs by itself
or touches a socket, so the object is safe to poke from a test at any time (one event loop, no
threads). Venue-neutral: each protocol server decides how a fault looks in its own wire format
(for instance the error body of a failed REST call). New knobs (duplicate, reorder, half-open
silence, crossed book, order reject) slot in as more fields and ``take_*`` methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class RestFault:
    """What a failed REST call answers: HTTP ``status`` and, if set, a venue error code."""

    status: int
    error: str | None = None
    after_execute: bool = False  # True: the request takes effect, then the answer is the fault
    retry_after_s: float | None = None  # sent as a ``Retry-After`` header (429/418)


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
    _stale_snapshots: dict[str, int] = field(default_factory=dict)

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
        self._stale_snapshots.clear()


KrakenFaults = SimFaults
"""The Kraken Futures server's knobs are the shared ones (an alias for readable tests)."""
