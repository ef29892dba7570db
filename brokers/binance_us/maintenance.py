"""Binance.us' system status: ``GET /sapi/v1/system/status`` → ``{"status": 0|1, "msg": …}``.

Docs (docs.binance.us, System › Get System Status): ``status`` 0 is normal, 1 system
maintenance. Binance.us lists it among the signed endpoints (``timestamp`` + ``signature``, API
key header; weight 1), unlike Binance.com where it is public: it is asked signed, so only with
keys. The venue announces no window here: maintenance is in effect while it says 1, with no end.
"""

from __future__ import annotations

import msgspec

from brokers.binance_us.errors import VENUE
from brokers.binance_us.rest_http import BinanceUsHttp
from brokers.binance_us.wire import decode_as
from core.maintenance import MaintenanceStatus
from core.ports import VenueError

PATH = "/sapi/v1/system/status"
NORMAL, MAINTENANCE = 0, 1


class SystemStatusAnswer(msgspec.Struct):
    status: int
    msg: str = ""


class BinanceUsMaintenance:
    """``brokers.maintenance.MaintenanceSource`` for Binance.us (signed: needs keys)."""

    def __init__(self, http: BinanceUsHttp) -> None:
        self._http = http

    async def __call__(self) -> MaintenanceStatus:
        body = await self._http.signed("GET", PATH)
        try:
            answer = decode_as(body, SystemStatusAnswer)
        except ValueError as exc:
            raise VenueError(
                f"{VENUE} system status: unexpected answer ({exc})", code="bad_answer"
            ) from None
        if answer.status not in (NORMAL, MAINTENANCE):
            raise VenueError(
                f"{VENUE} system status: unknown status {answer.status}", code="bad_answer"
            )
        in_effect = answer.status == MAINTENANCE
        return MaintenanceStatus(VENUE, in_effect, note=answer.msg if in_effect else "")
