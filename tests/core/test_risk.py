"""The risk manager: every refusal has a reason and a count; exits are never refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.enums import BookState, ContractType, SignalAction
from core.instrument import Instrument
from core.risk import RiskLimits, RiskManager, RiskVerdict
from core.trading_state import Restriction, TradingGate, TradingStatus

S = 1_000_000_000
DAY = 86_400 * S
NOON_UTC = int(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC).timestamp()) * S
XBT = Instrument(
    symbol="PF_XBTUSD",
    contract_type=ContractType.LINEAR,
    tick_size=Decimal("0.5"),
    size_step=Decimal("0.0001"),
    min_size=Decimal("0.001"),
)


def manager(limits: RiskLimits | None = None, *, long_only: bool = False) -> RiskManager:
    return RiskManager(limits or RiskLimits(), XBT, long_only=long_only)


def trading(*, kill: bool = False, paused: bool = False) -> TradingStatus:
    gate = TradingGate()
    if kill:
        gate.restrict(Restriction.KILL_SWITCH)
    if paused:
        gate.restrict(Restriction.PAUSED)
    return gate.status


def check(
    risk: RiskManager,
    *,
    book_state: BookState = BookState.LIVE,
    kill: bool = False,
    paused: bool = False,
    order: str = "100",
    position: str = "0",
    unrealized: str = "0",
    now: int = NOON_UTC,
) -> RiskVerdict:
    return risk.check_entry(
        trading=trading(kill=kill, paused=paused),
        book_state=book_state,
        order_notional_usd=Decimal(order),
        position_notional_usd=Decimal(position),
        unrealized_pnl_usd=Decimal(unrealized),
        now_wall_ns=now,
    )


def test_an_entry_within_every_limit_is_allowed() -> None:
    assert check(manager()) == RiskVerdict(True, "")


@pytest.mark.parametrize(
    ("kwargs", "reason", "category"),
    [
        ({"kill": True}, "kill switch engaged", "kill_switch"),
        ({"paused": True}, "paused", "paused"),
        ({"book_state": BookState.SYNCING}, "book SYNCING", "book_not_live"),
        ({"book_state": BookState.STALE}, "book STALE", "book_not_live"),
        ({"order": "60", "position": "50"}, "position limit ($100.00)", "position_limit"),
    ],
)
def test_a_blocked_entry_says_why_and_is_counted(
    kwargs: dict[str, object], reason: str, category: str
) -> None:
    risk = manager()
    assert check(risk, **kwargs) == RiskVerdict(False, reason)  # type: ignore[arg-type]
    assert risk.blocked[category] == 1
    assert risk.blocked_total == 1


def test_the_kill_switch_wins_over_every_other_reason() -> None:
    risk = manager()
    verdict = check(risk, kill=True, paused=True, book_state=BookState.SYNCING, order="500")
    assert verdict.reason == "kill switch engaged"


def test_daily_loss_counts_realized_and_unrealized() -> None:
    risk = manager(RiskLimits(max_daily_loss_usd=Decimal(50)))
    risk.record_realized(Decimal("-30"), NOON_UTC)
    assert check(risk, unrealized="-19.99").allowed
    verdict = check(risk, unrealized="-20")
    assert verdict == RiskVerdict(False, "daily loss limit reached (-$50.00 of $50.00)")
    assert risk.blocked["daily_loss"] == 1


def test_the_daily_loss_resets_at_midnight_utc() -> None:
    risk = manager()
    risk.record_realized(Decimal("-60"), NOON_UTC)
    assert not check(risk, now=NOON_UTC + 11 * 3600 * S).allowed  # 23:00 UTC, same day
    assert check(risk, now=NOON_UTC + 12 * 3600 * S).allowed  # 00:00 UTC next day
    assert risk.realized_today == 0
    assert risk.day == dt.date(2026, 3, 11)


def test_trades_per_day_are_limited_and_reset_at_midnight_utc() -> None:
    risk = manager(RiskLimits(max_trades_per_day=2))
    risk.record_entry(NOON_UTC)
    risk.record_entry(NOON_UTC + S)
    assert check(risk) == RiskVerdict(False, "trades per day limit (2)")
    assert risk.trades_today == 2
    assert check(risk, now=NOON_UTC + DAY).allowed
    assert risk.trades_today == 0


def test_a_clock_stepping_back_over_midnight_does_not_reopen_the_day() -> None:
    risk = manager(RiskLimits(max_trades_per_day=1))
    risk.record_entry(NOON_UTC + DAY)
    assert not check(risk, now=NOON_UTC).allowed
    assert risk.trades_today == 1


def test_exits_are_always_allowed_even_on_the_kill_switch() -> None:
    risk = manager()
    assert risk.check_exit().allowed
    for status in (trading(kill=True), trading()):
        assert vet(risk, SignalAction.CLOSE, status=status).allowed
    assert risk.blocked_total == 0


def vet(
    risk: RiskManager,
    action: SignalAction,
    *,
    quantity: str = "0.002",
    price: str = "43500",
    status: TradingStatus | None = None,
) -> RiskVerdict:
    return risk.vet(
        action,
        Decimal(quantity),
        Decimal(price),
        trading=status or trading(),
        book_state=BookState.LIVE,
        position_quantity=Decimal(0),
        unrealized_pnl_usd=Decimal(0),
        now_wall_ns=NOON_UTC,
    )


def test_an_order_below_the_venues_minimum_size_is_blocked_and_counted() -> None:
    risk = manager()
    assert vet(risk, SignalAction.BUY, quantity="0.0009") == RiskVerdict(
        False, "order size below the venue's minimum size"
    )
    assert risk.blocked["order_size"] == 1
    assert vet(risk, SignalAction.BUY, quantity="0.001").allowed


def test_an_order_below_the_venues_minimum_value_is_blocked() -> None:
    spot = RiskManager(
        RiskLimits(),
        Instrument(
            symbol="BTCUSDT",
            contract_type=ContractType.SPOT,
            tick_size=Decimal("0.01"),
            size_step=Decimal("0.00001"),
            min_notional=Decimal(10),
        ),
    )
    verdict = vet(spot, SignalAction.BUY, quantity="0.0002", price="43500")  # $8.70
    assert verdict == RiskVerdict(False, "order value below the venue's minimum (10)")


def test_a_short_entry_on_a_long_only_venue_is_ignored_not_blocked() -> None:
    risk = manager(long_only=True)
    verdict = vet(risk, SignalAction.SELL)
    assert (verdict.allowed, verdict.ignored, verdict.reason) == (False, True, "spot: no shorting")
    assert risk.blocked_total == 0
    assert vet(risk, SignalAction.BUY).allowed
    assert vet(manager(), SignalAction.SELL).allowed


def test_a_resumed_session_continues_its_day() -> None:
    risk = manager(RiskLimits(max_trades_per_day=3))
    risk.restore_day(day=dt.date(2026, 3, 10), trades=3, realized_pnl_usd=Decimal("-12.5"))
    assert check(risk).reason == "trades per day limit (3)"
    assert risk.realized_today == Decimal("-12.5")
    assert check(risk, now=NOON_UTC + DAY).allowed  # next day starts fresh


def test_block_counts_are_read_only_for_callers() -> None:
    risk = manager()
    with pytest.raises(TypeError):
        risk.blocked["paused"] = 5  # type: ignore[index]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_daily_loss_usd": Decimal(0)},
        {"max_position_usd": Decimal(-1)},
        {"max_trades_per_day": 0},
    ],
)
def test_nonsense_limits_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="max"):
        RiskLimits(**kwargs)  # type: ignore[arg-type]
