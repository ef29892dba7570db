"""REST answers from the docs' examples → core instruments, positions, open orders, balances."""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest

from brokers.kraken_futures.mapping import (
    account_from_answer,
    instrument_from_wire,
    instruments_from_answer,
    open_order_from_wire,
    position_from_wire,
)
from brokers.kraken_futures.rest_wire import (
    OpenOrdersAnswer,
    OpenPositionsAnswer,
    WireInstrument,
    decode_as,
)
from core.enums import ContractType, Side
from core.ports import Balance, OpenOrder, VenuePosition
from tests.brokers.kraken_futures.conftest import fixture_bytes


def test_instruments_from_the_docs_example() -> None:
    instruments = instruments_from_answer(fixture_bytes("instruments.json"))
    assert set(instruments) == {"PI_XBTUSD", "FI_XBTUSD_220930", "PF_XBTUSD"}
    pf = instruments["PF_XBTUSD"]
    assert pf.contract_type is ContractType.LINEAR
    assert pf.tick_size == Decimal(1)
    assert pf.size_step == Decimal("0.0001")  # contractValueTradePrecision 4
    assert pf.contract_size == Decimal(1)
    assert (pf.base, pf.quote, pf.tradeable) == ("XBT", "USD", True)
    pi = instruments["PI_XBTUSD"]
    assert pi.contract_type is ContractType.INVERSE
    assert pi.tick_size == Decimal("0.5")
    assert pi.size_step == Decimal(1)
    assert instruments["FI_XBTUSD_220930"].contract_type is ContractType.INVERSE


def test_sizing_uses_the_instrument_read_from_the_venue() -> None:
    pf = instruments_from_answer(fixture_bytes("instruments.json"))["PF_XBTUSD"]
    assert pf.quantity_for_notional(Decimal(100), Decimal("43500.5")) == Decimal("0.0022")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"symbol": "PF_ETHUSD", "type": "flexible_futures"}, ContractType.LINEAR),
        ({"symbol": "FF_XBTUSD_250328", "type": "flexible_futures"}, ContractType.LINEAR),
        ({"symbol": "PI_ETHUSD", "type": "futures_inverse"}, ContractType.INVERSE),
        ({"symbol": "PF_SOLUSD"}, ContractType.LINEAR),  # no type: by prefix
        ({"symbol": "PI_SOLUSD"}, ContractType.INVERSE),
        ({"symbol": "OPTION_X", "type": "options"}, None),
        ({"symbol": "PF_ETHUSD", "type": "flexible_futures", "isExpired": True}, None),
        ({"symbol": "PF_ETHUSD", "type": "flexible_futures", "tickSize": None}, None),
    ],
)
def test_contract_type_by_the_docs_type_then_by_prefix(
    fields: dict[str, object], expected: ContractType | None
) -> None:
    body = {"tickSize": 0.01, "contractValueTradePrecision": 3} | fields
    instrument = instrument_from_wire(decode_as(orjson.dumps(body), WireInstrument))
    if expected is None:
        assert instrument is None
    else:
        assert instrument is not None and instrument.contract_type is expected


def test_negative_trade_precision_means_lots_of_tens() -> None:
    body = {
        "symbol": "PF_SHIBUSD",
        "type": "flexible_futures",
        "tickSize": 1e-08,
        "contractValueTradePrecision": -3,
    }
    instrument = instrument_from_wire(decode_as(orjson.dumps(body), WireInstrument))
    assert instrument is not None
    assert instrument.size_step == Decimal(1000)
    assert instrument.tick_size == Decimal("1E-8")


def test_post_only_markets_are_not_tradeable_for_market_orders() -> None:
    body = {"symbol": "PF_NEWUSD", "type": "flexible_futures", "tickSize": 0.1, "postOnly": True}
    instrument = instrument_from_wire(decode_as(orjson.dumps(body), WireInstrument))
    assert instrument is not None and not instrument.tradeable


def test_one_odd_instrument_does_not_hide_the_others() -> None:
    body = {
        "result": "success",
        "instruments": [
            {
                "symbol": "PF_XBTUSD",
                "type": "flexible_futures",
                "tickSize": 1,
                "contractValueTradePrecision": 4,
            },
            {"symbol": 42, "tickSize": "lots"},
        ],
    }
    assert list(instruments_from_answer(orjson.dumps(body))) == ["PF_XBTUSD"]


def test_open_positions_are_signed_and_exact() -> None:
    answer = decode_as(fixture_bytes("openpositions.json"), OpenPositionsAnswer)
    positions = [position_from_wire(p) for p in answer.openPositions]
    assert positions[0] == VenuePosition("PI_XBTUSD", Decimal(-10000), Decimal("9392.749993345933"))
    assert positions[1] == VenuePosition(
        "FI_XBTUSD_201225", Decimal(20000), Decimal("9399.749966754434")
    )
    assert positions[2] == VenuePosition("PF_DEFIUSD", Decimal(1), Decimal(570))


def test_open_orders_keep_our_client_id_and_the_unfilled_size() -> None:
    answer = decode_as(fixture_bytes("openorders.json"), OpenOrdersAnswer)
    orders = [open_order_from_wire(o) for o in answer.openOrders]
    assert orders[0] == OpenOrder(
        "",
        "59302619-41d2-4f0b-941f-7e7914760ad3",
        "PI_XBTUSD",
        Side.SELL,
        Decimal(304),
        Decimal(10640),
    )
    assert orders[1] == OpenOrder(
        "l2c-abc",
        "022774bc-2c4a-4f26-9317-436c8d85746d",
        "PF_XBTUSD",
        Side.BUY,
        Decimal("0.0015"),
        Decimal("7200.5"),
    )


def test_account_balances_come_from_the_flex_wallet_then_cash() -> None:
    balances = account_from_answer(fixture_bytes("accounts.json")).balances
    assert balances["USD"] == Balance("USD", free=Decimal("4900.25"), locked=Decimal("99.75"))
    assert balances["XBT"] == Balance("XBT", free=Decimal("0.1185308247"))
    assert balances["XRP"] == Balance("XRP", free=Decimal("52465.1254"))  # cash only
