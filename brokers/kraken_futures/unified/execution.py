"""The Unified ``ExecutionVenue``: instruments, orders, positions and balances over WebSocket.

Instruments come from the public ``instrument`` channel (one short connection); everything
private goes through one ``UnifiedPrivateSession``. Orders (``add_order``):

* the reply says whether the venue took the order (``success``) or refused it (``error``: the
  result is ``REJECTED`` with the venue's words);
* what became of a taken order comes from ``executions`` only (``trade`` events with
  ``exec_id``, ``last_qty``, ``last_price`` and ``fees``), keyed by our ``cl_ord_id``;
* a lost reply is never answered by sending again: the order is settled from the executions
  stream by ``cl_ord_id``, or left ``UNKNOWN`` for the router to ask ``order_status``.

The dead man's switch is ``cancel_all_orders_after`` on the same socket (``DeadMansSwitch``
drives it as it drives the v1 REST one).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from brokers.kraken_futures.unified.private import UnifiedPrivateSession
from brokers.kraken_futures.unified.private_wire import ASSET_CLASS, add_order_params, decimal_of
from brokers.kraken_futures.unified.wire import instrument_request
from brokers.net.errors import VenueAnswerLost
from core.enums import ContractType, OrderStatus
from core.instrument import Instrument
from core.ports import (
    AccountSnapshot,
    OpenOrder,
    OrderRequest,
    OrderResult,
    VenueError,
    VenuePosition,
    VenueUnreachable,
)

log = logging.getLogger(__name__)

MAX_DEAD_MAN_TIMEOUT_S = 86_399  # the docs: "it should be less than 86400 seconds"


def instrument_from_pair(pair: Mapping[str, Any]) -> Instrument | None:
    """One ``instrument`` pair as a core ``Instrument`` (None if it cannot be traded by us)."""
    symbol = str(pair.get("symbol", "")).upper()
    tick = decimal_of(pair.get("price_increment"))
    qty_precision = pair.get("qty_precision")
    if not symbol or tick is None or tick <= 0 or not isinstance(qty_precision, int):
        return None
    if symbol.startswith("PF_"):
        contract = ContractType.LINEAR
    elif symbol.startswith("PI_"):
        contract = ContractType.INVERSE
    else:
        return None
    step = Decimal(1).scaleb(-qty_precision)  # the docs: qty_increment = 10^-qty_precision
    minimum = decimal_of(pair.get("qty_min")) or step
    return Instrument(
        symbol=symbol,
        contract_type=contract,
        tick_size=tick,
        size_step=step,
        min_size=minimum,
        base=str(pair.get("base", "")).upper(),
        quote=str(pair.get("quote", "USD")).upper() or "USD",
        tradeable=pair.get("status") == "online",
    )


TRANSIENT_ERRORS = ("EService:", "EGeneral:Temporary")
"""Refusals that pass (the venue busy or in ``maintenance``, where cancels are refused)."""


def refused(method: str, reply: Mapping[str, Any]) -> VenueError:
    """A refused request as one line; retryable when the venue's reason passes by itself."""
    error = str(reply.get("error", "refused without a reason"))[:200]
    return VenueError(
        f"Kraken Unified {method}: {error}",
        retryable=error.startswith(TRANSIENT_ERRORS),
        code="refused",
    )


class KrakenUnifiedExecution:
    """``core.ports.ExecutionVenue`` on Kraken's Unified WebSocket. See the module docstring."""

    def __init__(
        self,
        *,
        public_ws_url: str,
        session: UnifiedPrivateSession | None,
        wall_clock: Callable[[], datetime] | None = lambda: datetime.now(UTC),
        settle_timeout_s: float = 10.0,
        timeout_s: float = 10.0,
    ) -> None:
        self._public_url = public_ws_url
        self.session = session
        self._wall_clock = wall_clock  # None: no add_order ``deadline``
        self._settle_timeout_s = settle_timeout_s
        self._timeout_s = timeout_s
        self._start_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"KrakenUnifiedExecution(private={self.session!r})"

    @property
    def has_credentials(self) -> bool:
        return self.session is not None

    def _private(self) -> UnifiedPrivateSession:
        if self.session is None:
            raise VenueError(
                "Kraken API key not configured: set KRAKEN_API_KEY and KRAKEN_API_SECRET",
                code="missing_credentials",
            )
        return self.session

    async def _started(self) -> UnifiedPrivateSession:
        """The private session, connected on first use (dry runs and paper never open it)."""
        session = self._private()
        if not session.ready:
            async with self._start_lock:
                if not session.ready:
                    await session.start()
        return session

    async def instruments(self) -> Mapping[str, Instrument]:
        """Every listed perpetual, from one ``instrument`` snapshot (public, no keys)."""
        try:
            async with asyncio.timeout(self._timeout_s):
                async with connect(self._public_url, open_timeout=self._timeout_s) as ws:
                    await ws.send(instrument_request(1))
                    async for raw in ws:
                        message = orjson.loads(raw)
                        if message.get("channel") == "instrument" and isinstance(
                            message.get("data"), dict
                        ):
                            pairs = message["data"].get("pairs") or []
                            break
                        if message.get("method") == "subscribe" and not message.get("success"):
                            raise VenueError(f"instrument refused: {message.get('error')}")
                    else:
                        raise VenueError("the venue closed before sending instruments")
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise VenueUnreachable(f"Kraken Unified: {type(exc).__name__}: {exc}"[:200]) from None
        out = {}
        for pair in pairs:
            instrument = instrument_from_pair(pair) if isinstance(pair, dict) else None
            if instrument is not None:
                out[instrument.symbol] = instrument
        return out

    # --- orders ------------------------------------------------------------------------------
    async def place_order(self, order: OrderRequest) -> OrderResult:
        session = await self._started()
        cid = order.client_order_id
        now = self._wall_clock() if self._wall_clock is not None else None
        params = add_order_params(order, "", now=now)
        params.pop("token")
        positions_before = session.state.positions_version
        try:
            reply = await session.request("add_order", params)
        except VenueAnswerLost as exc:
            return await self._settle(order, f"{exc}; settled from executions")
        if reply.get("success") is not True:
            error = str(reply.get("error", "refused without a reason"))[:200]
            return OrderResult(cid, OrderStatus.REJECTED, reason=f"Kraken Unified: {error}")
        result = await self._settle(order, "")
        if result.fills:  # let the position the fill moved arrive before anyone asks for it
            await session.wait_until(
                lambda: session.state.positions_version > positions_before,
                min(2.0, self._timeout_s),
            )
        return result

    async def _settle(self, order: OrderRequest, lost: str) -> OrderResult:
        """The order's fate from the executions stream, waiting (bounded) for it to end."""
        session = self._private()
        state = session.state
        cid = order.client_order_id

        def ended() -> bool:
            track = state.orders.get(cid)
            return track is not None and track.ended

        await session.wait_until(ended, self._settle_timeout_s)
        result = state.result(cid)
        if result is None:
            reason = lost or "taken, but no execution report arrived"
            return OrderResult(cid, OrderStatus.UNKNOWN, reason=reason)
        if result.status is OrderStatus.OPEN:
            return OrderResult(
                cid,
                OrderStatus.UNKNOWN,
                result.venue_order_id,
                result.fills,
                reason="no final execution report yet; ask for its status",
            )
        return result

    async def order_status(self, client_order_id: str, product: str) -> OrderResult | None:
        """What the executions stream says of our order; None if it never mentioned it."""
        return (await self._started()).state.result(client_order_id)

    async def cancel_order(self, client_order_ids: list[str]) -> None:
        session = await self._started()
        reply = await session.request(
            "cancel_order", {"asset_class": ASSET_CLASS, "cl_ord_id": client_order_ids}
        )
        if reply.get("success") is not True:
            raise refused("cancel_order", reply)

    async def cancel_all_orders(self, product: str | None = None) -> None:
        """``cancel_all`` (every open order of the account; the venue has no per-symbol form),
        then wait (bounded) until the executions stream shows none of ``product``'s open."""
        session = await self._started()
        reply = await session.request("cancel_all", {"asset_class": ASSET_CLASS})
        if reply.get("success") is not True:
            raise refused("cancel_all", reply)
        count = (reply.get("result") or {}).get("count")
        if not isinstance(count, int):
            raise VenueError("Kraken Unified cancel_all: answer without a count", code="bad_answer")
        symbol = product.upper() if product else None
        await session.wait_until(
            lambda: not [o for o in session.state.open_orders() if symbol in (None, o.product)],
            self._timeout_s,
        )

    async def cancel_all_orders_after(self, timeout_s: int) -> str:
        """Arm (0: disarm) the dead man's switch; the venue's ``triggerTime``."""
        if not 0 <= timeout_s <= MAX_DEAD_MAN_TIMEOUT_S:
            raise VenueError(f"dead man's switch timeout out of range: {timeout_s}")
        session = await self._started()
        reply = await session.request("cancel_all_orders_after", {"timeout": timeout_s})
        if reply.get("success") is not True:
            raise VenueError(
                f"Kraken Unified cancel_all_orders_after: {reply.get('error')}",
                retryable=True,
                code="refused",
            )
        return str((reply.get("result") or {}).get("triggerTime", ""))

    # --- account -----------------------------------------------------------------------------
    async def open_positions(self) -> list[VenuePosition]:
        session = await self._started()
        if not await session.wait_until(lambda: session.state.positions_snapshot, self._timeout_s):
            raise VenueError("Kraken Unified: no positions snapshot", retryable=True)
        return list(session.state.positions.values())

    async def open_orders(self) -> list[OpenOrder]:
        session = await self._started()
        if not await session.wait_until(lambda: session.state.executions_snapshot, self._timeout_s):
            raise VenueError("Kraken Unified: no executions snapshot", retryable=True)
        return session.state.open_orders()

    async def account(self) -> AccountSnapshot:
        session = await self._started()
        await session.wait_until(lambda: session.state.balances_snapshot, self._timeout_s)
        return AccountSnapshot(dict(session.state.balances))

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
