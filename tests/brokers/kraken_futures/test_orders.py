"""Order requests → sendorder parameters; venue answers → honest order results."""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest

from brokers.kraken_futures.errors import venue_error
from brokers.kraken_futures.orders import (
    new_client_order_id,
    result_from_order_status,
    result_from_send_status,
    send_order_params,
)
from brokers.kraken_futures.rest_wire import (
    FillsAnswer,
    OrderStatusEntry,
    SendOrderAnswer,
    SendStatus,
    WireFill,
    decode_as,
)
from core.enums import OrderStatus, OrderType, Side
from core.ports import OrderRequest, Refusal, VenueError, VenueFill
from tests.brokers.kraken_futures.conftest import fixture_bytes


def market(quantity: str = "0.0023") -> OrderRequest:
    return OrderRequest(
        client_order_id="l2c-1", product="pf_xbtusd", side=Side.BUY, quantity=Decimal(quantity)
    )


def test_market_order_parameters() -> None:
    assert send_order_params(market()) == [
        ("orderType", "mkt"),
        ("symbol", "PF_XBTUSD"),
        ("side", "buy"),
        ("size", "0.0023"),
        ("reduceOnly", "false"),
        ("cliOrdId", "l2c-1"),
    ]


def test_reduce_only_ioc_limit_parameters_print_plain_decimals() -> None:
    order = OrderRequest(
        "l2c-2",
        "PI_XBTUSD",
        Side.SELL,
        Decimal("1E+2"),
        OrderType.LIMIT_IOC,
        Decimal("43500.50"),
        reduce_only=True,
    )
    assert send_order_params(order) == [
        ("orderType", "ioc"),
        ("symbol", "PI_XBTUSD"),
        ("side", "sell"),
        ("size", "100"),
        ("limitPrice", "43500.5"),
        ("reduceOnly", "true"),
        ("cliOrdId", "l2c-2"),
    ]


@pytest.mark.parametrize(
    "order",
    [
        OrderRequest("", "PF_XBTUSD", Side.BUY, Decimal(1)),
        OrderRequest("x" * 101, "PF_XBTUSD", Side.BUY, Decimal(1)),
        OrderRequest("ok", "PF_XBTUSD", Side.BUY, Decimal(0)),
        OrderRequest("ok", "PF_XBTUSD", Side.BUY, Decimal(1), OrderType.LIMIT_IOC),
    ],
)
def test_bad_requests_never_reach_the_venue(order: OrderRequest) -> None:
    with pytest.raises(VenueError):
        send_order_params(order)


def test_client_order_ids_are_fresh_and_within_the_venue_limit() -> None:
    ids = {new_client_order_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(0 < len(i) <= 100 for i in ids)


def send_status(name: str) -> SendStatus:
    return decode_as(fixture_bytes(name), SendOrderAnswer).sendStatus


def test_execution_event_from_the_docs_fills_the_order() -> None:
    order = OrderRequest("c1", "PI_XBTUSD", Side.BUY, Decimal(10))
    result = result_from_send_status(order, send_status("sendorder_executed.json"))
    assert result.status is OrderStatus.FILLED
    assert result.venue_order_id == "61ca5732-3478-42fe-8362-abbfd9465294"
    assert result.fills == (
        VenueFill(Decimal("7244.5"), Decimal(10), None, "e1ec9f63-2338-4c44-b40a-43486c6732d7"),
    )


def test_partial_execution_of_an_ioc_is_partially_filled() -> None:
    order = OrderRequest("c1", "PI_XBTUSD", Side.BUY, Decimal(25))
    result = result_from_send_status(order, send_status("sendorder_executed.json"))
    assert result.status is OrderStatus.PARTIALLY_FILLED
    assert result.filled_quantity == Decimal(10)


def test_ioc_would_not_execute_is_not_filled_with_the_venue_reason() -> None:
    order = OrderRequest("c1", "PI_XBTUSD", Side.BUY, Decimal(10000))
    result = result_from_send_status(order, send_status("sendorder_ioc_would_not_execute.json"))
    assert result.status is OrderStatus.NOT_FILLED
    assert "iocWouldNotExecute" in result.reason
    assert result.fills == ()


def test_placed_without_any_execution_report_is_unknown_not_a_guess() -> None:
    order = OrderRequest("c1", "PI_XBTUSD", Side.BUY, Decimal(10000))
    result = result_from_send_status(order, send_status("sendorder_placed_lmt.json"))
    assert result.status is OrderStatus.UNKNOWN


@pytest.mark.parametrize(
    ("status", "refusal"),
    [
        ("insufficientAvailableFunds", Refusal.VENUE_TRUTH),
        ("wouldNotReducePosition", Refusal.VENUE_TRUTH),
        ("invalidSize", Refusal.FATAL),
        ("clientOrderIdAlreadyExist", Refusal.FATAL),
        ("marketSuspended", Refusal.RETRY_LATER),
        ("requestExpired", Refusal.RETRY_LATER),
        ("aStatusNobodyDocumented", Refusal.FATAL),  # unexplained: halt, never loop
    ],
)
def test_refusals_are_rejected_with_the_venue_status_and_its_class(
    status: str, refusal: Refusal
) -> None:
    body = orjson.dumps({"result": "success", "sendStatus": {"status": status}})
    result = result_from_send_status(market(), decode_as(body, SendOrderAnswer).sendStatus)
    assert result.status is OrderStatus.REJECTED
    assert status in result.reason
    assert result.refusal is refusal


@pytest.mark.parametrize(
    ("error", "refusal"),
    [
        ("authenticationError", Refusal.FATAL),
        ("apiKeyExpired", Refusal.FATAL),
        ("accountInactive", Refusal.FATAL),
        ("apiLimitExceeded", Refusal.RETRY_LATER),
        ("marketUnavailable", Refusal.RETRY_LATER),
        ("insufficientFunds", Refusal.VENUE_TRUTH),
    ],
)
def test_error_strings_carry_their_refusal_class(error: str, refusal: Refusal) -> None:
    assert venue_error("sendorder", error).refusal is refusal


def test_an_order_with_a_deadline_sends_process_before_in_the_docs_format() -> None:
    order = OrderRequest(
        "c1", "PF_XBTUSD", Side.BUY, Decimal(1), deadline_wall_ns=1_567_701_230_734_000_000
    )
    assert ("processBefore", "2019-09-05T16:33:50.734Z") in send_order_params(order)


def status_entry(status: str, filled: str, order_id: str = "oid-1") -> OrderStatusEntry:
    body = {
        "order": {
            "type": "ORDER",
            "orderId": order_id,
            "cliOrdId": "c1",
            "symbol": "PF_XBTUSD",
            "side": "buy",
            "quantity": 0.5,
            "filled": filled,
            "limitPrice": None,
            "reduceOnly": False,
        },
        "status": status,
        "updateReason": None,
        "error": None,
    }
    return decode_as(orjson.dumps(body), OrderStatusEntry)


def fill(size: str, price: str, order_id: str = "oid-1") -> WireFill:
    return decode_as(
        orjson.dumps(
            {
                "fill_id": f"f-{size}",
                "order_id": order_id,
                "cliOrdId": "c1",
                "size": size,
                "price": price,
            }
        ),
        WireFill,
    )


def test_status_of_a_fully_executed_order_comes_with_its_fills() -> None:
    result = result_from_order_status(
        "c1", status_entry("FULLY_EXECUTED", "0.5"), [fill("0.2", "100.5"), fill("0.3", "101")]
    )
    assert result is not None and result.status is OrderStatus.FILLED
    assert result.filled_quantity == Decimal("0.5")
    assert result.venue_order_id == "oid-1"


def test_status_never_claims_fills_it_cannot_show() -> None:
    result = result_from_order_status(
        "c1", status_entry("FULLY_EXECUTED", "0.5"), [fill("0.2", "100.5")]
    )
    assert result is not None and result.status is OrderStatus.UNKNOWN


def test_status_of_an_order_the_venue_never_saw_is_none() -> None:
    assert result_from_order_status("c1", None, []) is None


def test_status_from_fills_alone_after_the_venue_forgot_the_order() -> None:
    fills = decode_as(fixture_bytes("fills.json"), FillsAnswer).fills[:1]
    done = result_from_order_status("c1", None, fills, quantity=Decimal(5490))
    part = result_from_order_status("c1", None, fills, quantity=Decimal(6000))
    assert done is not None and done.status is OrderStatus.FILLED
    assert part is not None and part.status is OrderStatus.PARTIALLY_FILLED
    assert done.fills == (
        VenueFill(
            Decimal(9400),
            Decimal(5490),
            None,
            "3d57ed09-fbd6-44f1-8e8b-b10e551c5e73",
            wall_ns=1_595_425_047_077_000_000,  # fillTime 2020-07-22T13:37:27.077Z: the venue's
        ),
    )


@pytest.mark.parametrize(
    ("status", "filled", "expected"),
    [
        ("ENTERED_BOOK", "0", OrderStatus.OPEN),
        ("CANCELLED", "0", OrderStatus.NOT_FILLED),
        ("REJECTED", "0", OrderStatus.REJECTED),
        ("SOMETHING_NEW", "0", OrderStatus.UNKNOWN),
    ],
)
def test_status_words_map_to_core_statuses(status: str, filled: str, expected: OrderStatus) -> None:
    result = result_from_order_status("c1", status_entry(status, filled), [])
    assert result is not None and result.status is expected
