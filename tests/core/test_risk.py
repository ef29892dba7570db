"""The risk manager: every refusal has a reason and a count; exits are never refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.enums import BookState
from core.risk import RiskLimits, RiskManager, RiskVerdict

S = 1_000_000_000
DAY = 86_400 * S
NOON_UTC = int(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC).timestamp()) * S


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
        book_state=book_state,
        kill_switch_engaged=kill,
        paused=paused,
        order_notional_usd=Decimal(order),
        position_notional_usd=Decimal(position),
        unrealized_pnl_usd=Decimal(unrealized),
        now_wall_ns=now,
    )


def test_an_entry_within_every_limit_is_allowed() -> None:
    assert check(RiskManager(RiskLimits())) == RiskVerdict(True, "")


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
    risk = RiskManager(RiskLimits())
    assert check(risk, **kwargs) == RiskVerdict(False, reason)  # type: ignore[arg-type]
    assert risk.blocked[category] == 1
    assert risk.blocked_total == 1


def test_the_kill_switch_wins_over_every_other_reason() -> None:
    risk = RiskManager(RiskLimits())
    verdict = check(risk, kill=True, paused=True, book_state=BookState.SYNCING, order="500")
    assert verdict.reason == "kill switch engaged"


def test_daily_loss_counts_realized_and_unrealized() -> None:
    risk = RiskManager(RiskLimits(max_daily_loss_usd=Decimal(50)))
    risk.record_realized(Decimal("-30"), NOON_UTC)
    assert check(risk, unrealized="-19.99").allowed
    verdict = check(risk, unrealized="-20")
    assert verdict == RiskVerdict(False, "daily loss limit reached (-$50.00 of $50.00)")
    assert risk.blocked["daily_loss"] == 1


def test_the_daily_loss_resets_at_midnight_utc() -> None:
    risk = RiskManager(RiskLimits())
    risk.record_realized(Decimal("-60"), NOON_UTC)
    assert not check(risk, now=NOON_UTC + 11 * 3600 * S).allowed  # 23:00 UTC, same day
    assert check(risk, now=NOON_UTC + 12 * 3600 * S).allowed  # 00:00 UTC next day
    assert risk.realized_today == 0
    assert risk.day == dt.date(2026, 3, 11)


def test_trades_per_day_are_limited_and_reset_at_midnight_utc() -> None:
    risk = RiskManager(RiskLimits(max_trades_per_day=2))
    risk.record_entry(NOON_UTC)
    risk.record_entry(NOON_UTC + S)
    assert check(risk) == RiskVerdict(False, "trades per day limit (2)")
    assert risk.trades_today == 2
    assert check(risk, now=NOON_UTC + DAY).allowed
    assert risk.trades_today == 0


def test_a_clock_stepping_back_over_midnight_does_not_reopen_the_day() -> None:
    risk = RiskManager(RiskLimits(max_trades_per_day=1))
    risk.record_entry(NOON_UTC + DAY)
    assert not check(risk, now=NOON_UTC).allowed
    assert risk.trades_today == 1


def test_exits_are_always_allowed_even_on_the_kill_switch() -> None:
    risk = RiskManager(RiskLimits())
    assert risk.check_exit(kill_switch_engaged=True).allowed
    assert risk.check_exit(kill_switch_engaged=False).allowed
    assert risk.blocked_total == 0


def test_a_resumed_session_continues_its_day() -> None:
    risk = RiskManager(RiskLimits(max_trades_per_day=3))
    risk.restore_day(day=dt.date(2026, 3, 10), trades=3, realized_pnl_usd=Decimal("-12.5"))
    assert check(risk).reason == "trades per day limit (3)"
    assert risk.realized_today == Decimal("-12.5")
    assert check(risk, now=NOON_UTC + DAY).allowed  # next day starts fresh


def test_block_counts_are_read_only_for_callers() -> None:
    risk = RiskManager(RiskLimits())
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
