"""The Binance.us wire shapes the simulated venue sends: stream events and REST answers.

Every builder returns a plain dict ready for ``orjson.dumps``; field names and examples follow
docs.binance.us ("Get Exchange Information", "Get Order Book Depth", "Order Book Depth Diff
Stream", "Create New Order", "Get Order", "Get Trades", "Get User Account Information", "Get
Trade Fee", "Error Responses"). Prices, quantities and commissions are decimal *strings* with
8 decimals, as in the docs; times are epoch milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from brokers.sim.market.books import BookView
from brokers.sim.market.products import SimProductSpec
from brokers.sim.market.spot import SpotAccount, SpotExchange, SpotFill, SpotOrder, SpotRules
from core.enums import Side

Json = dict[str, Any]
EIGHT = Decimal("1e-8")

MALFORMED_FRAME = '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":'
"""What the malformed-frame fault sends: an event cut off mid-way (not valid JSON)."""

REQUEST_WEIGHT_PER_MINUTE = 1200
ORDERS_PER_SECOND = 10

# Documented messages for the codes the sim answers with (docs, "Error Responses").
MESSAGES = {
    -1000: "An unknown error occurred while processing the request.",
    -1003: "Too much request weight used; current limit is 1200 request weight per 1 MINUTE.",
    -1013: "Filter failure: NOTIONAL",
    -1021: "Timestamp for this request is outside of the recvWindow.",
    -1022: "Signature for this request is not valid.",
    -1100: "Illegal characters found in parameter 'newClientOrderId'.",
    -1102: "A mandatory parameter was not sent, was empty/null, or was malformed.",
    -1111: "Precision is over the maximum defined for this asset.",
    -1116: "Invalid orderType.",
    -1117: "Invalid side.",
    -1121: "Invalid symbol.",
    -2010: "Account has insufficient balance for requested action.",
    -2011: "Unknown order sent.",
    -2013: "Order does not exist.",
    -2015: "Invalid API-key, IP, or permissions for action.",
}


def d8(value: Decimal) -> str:
    """``"0.01000000"``: 8 decimals, as the venue prints amounts."""
    return f"{value.quantize(EIGHT):f}"


def ms(ns: int) -> int:
    return ns // 1_000_000


def wire_side(side: Side) -> str:
    return "BUY" if side is Side.BUY else "SELL"


def error(code: int, msg: str | None = None) -> Json:
    return {"code": code, "msg": msg or MESSAGES.get(code, "Unknown error.")}


# --- streams ----------------------------------------------------------------------------------
def depth_update(
    symbol: str,
    first_id: int,
    last_id: int,
    bids: Iterable[tuple[Decimal, Decimal]],
    asks: Iterable[tuple[Decimal, Decimal]],
    *,
    now_ns: int,
) -> Json:
    return {
        "e": "depthUpdate",
        "E": ms(now_ns),
        "s": symbol,
        "U": first_id,
        "u": last_id,
        "b": [[d8(p), d8(q)] for p, q in bids],
        "a": [[d8(p), d8(q)] for p, q in asks],
    }


# --- REST ---------------------------------------------------------------------------------------
def server_time(now_ns: int) -> Json:
    return {"serverTime": ms(now_ns)}


def exchange_info(specs: Sequence[SimProductSpec], exchange: SpotExchange, now_ns: int) -> Json:
    return {
        "timezone": "UTC",
        "serverTime": ms(now_ns),
        "rateLimits": [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": REQUEST_WEIGHT_PER_MINUTE,
            },
            {
                "rateLimitType": "ORDERS",
                "interval": "SECOND",
                "intervalNum": 1,
                "limit": ORDERS_PER_SECOND,
            },
            {
                "rateLimitType": "RAW_REQUESTS",
                "interval": "MINUTE",
                "intervalNum": 5,
                "limit": 5000,
            },
        ],
        "exchangeFilters": [],
        "symbols": [symbol_info(spec, exchange.rules(spec.symbol)) for spec in specs],
        "permissions": ["SPOT"],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["EXPIRE_MAKER", "EXPIRE_TAKER", "EXPIRE_BOTH"],
    }


def symbol_info(spec: SimProductSpec, rules: SpotRules) -> Json:
    return {
        "symbol": spec.symbol,
        "status": "TRADING",
        "baseAsset": spec.base,
        "baseAssetPrecision": 8,
        "quoteAsset": spec.quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
        "icebergAllowed": True,
        "ocoAllowed": True,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": False,
        "cancelReplaceAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": d8(rules.min_price),
                "maxPrice": d8(rules.max_price),
                "tickSize": d8(rules.tick_size),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": d8(rules.min_qty),
                "maxQty": d8(rules.max_qty),
                "stepSize": d8(rules.step_size),
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": d8(rules.min_notional),
                "applyMinToMarket": True,
                "maxNotional": d8(Decimal(9_000_000)),
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
        ],
        "permissions": ["SPOT"],
    }


def depth(book: BookView, last_update_id: int) -> Json:
    return {
        "lastUpdateId": last_update_id,
        "bids": [[d8(p), d8(q)] for p, q in book.bids],
        "asks": [[d8(p), d8(q)] for p, q in book.asks],
    }


def _order_fields(order: SpotOrder) -> Json:
    return {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": -1,
        "clientOrderId": order.client_id,
        "price": d8(order.price),
        "origQty": d8(order.quantity),
        "executedQty": d8(order.executed),
        "cummulativeQuoteQty": d8(order.quote_qty),
        "status": order.status,
        "timeInForce": order.time_in_force or "GTC",
        "type": order.order_type,
        "side": wire_side(order.side),
    }


def order_ack(order: SpotOrder) -> Json:
    return {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": -1,
        "clientOrderId": order.client_id,
        "transactTime": ms(order.created_ns),
    }


def order_result(order: SpotOrder) -> Json:
    return {**order_ack(order), **_order_fields(order), "workingTime": ms(order.created_ns)}


def order_full(order: SpotOrder) -> Json:
    return {
        **order_result(order),
        "selfTradePreventionMode": "NONE",
        "fills": [
            {
                "price": d8(f.price),
                "qty": d8(f.qty),
                "commission": d8(f.commission),
                "commissionAsset": f.commission_asset,
                "tradeId": f.trade_id,
            }
            for f in order.fills
        ],
    }


def order_query(order: SpotOrder) -> Json:
    return {
        **_order_fields(order),
        "stopPrice": d8(Decimal(0)),
        "icebergQty": d8(Decimal(0)),
        "time": ms(order.created_ns),
        "updateTime": ms(order.updated_ns),
        "isWorking": True,
        "origQuoteOrderQty": d8(Decimal(0)),
        "workingTime": ms(order.created_ns),
        "selfTradePreventionMode": "NONE",
    }


def trade(fill: SpotFill) -> Json:
    return {
        "symbol": fill.symbol,
        "id": fill.trade_id,
        "orderId": fill.order_id,
        "orderListId": -1,
        "price": d8(fill.price),
        "qty": d8(fill.qty),
        "quoteQty": d8(fill.price * fill.qty),
        "commission": d8(fill.commission),
        "commissionAsset": fill.commission_asset,
        "time": ms(fill.ts_ns),
        "isBuyer": fill.side is Side.BUY,
        "isMaker": False,
        "isBestMatch": True,
    }


def account(acct: SpotAccount, exchange: SpotExchange, now_ns: int) -> Json:
    bps_taker = int((exchange.taker_fee_rate * 10_000).to_integral_value())
    bps_maker = int((exchange.maker_fee_rate * 10_000).to_integral_value())
    return {
        "makerCommission": bps_maker,
        "takerCommission": bps_taker,
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {
            "maker": d8(exchange.maker_fee_rate),
            "taker": d8(exchange.taker_fee_rate),
            "buyer": d8(Decimal(0)),
            "seller": d8(Decimal(0)),
        },
        "canTrade": True,
        "canWithdraw": True,
        "canDeposit": True,
        "brokered": False,
        "requireSelfTradePrevention": False,
        "updateTime": ms(now_ns),
        "accountType": "SPOT",
        "balances": [
            {"asset": asset, "free": d8(free), "locked": d8(Decimal(0))}
            for asset, free in sorted(acct.balances.items())
        ],
        "permissions": ["SPOT"],
    }


def trade_fees(symbols: Iterable[str], exchange: SpotExchange) -> list[Json]:
    return [
        {
            "symbol": symbol,
            "makerCommission": f"{exchange.maker_fee_rate.normalize():f}",
            "takerCommission": f"{exchange.taker_fee_rate.normalize():f}",
        }
        for symbol in symbols
    ]
