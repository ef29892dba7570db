"""The integration checklist's "a limit was exceeded" matches what the risk manager says."""

from __future__ import annotations

from decimal import Decimal

from core.checklists.integration import is_limit_block
from core.enums import BookState
from core.risk import RiskLimits, RiskManager
from core.trading_state import ACTIVE, Restriction, TradingStatus
from tests.core.test_risk import XBT

NOW = 1_717_200_000 * 1_000_000_000


def restricted(restriction: Restriction) -> TradingStatus:
    return TradingStatus(restriction.state, restriction)


def verdict_reason(manager: RiskManager, **overrides: object) -> str:
    fields: dict[str, object] = {
        "book_state": BookState.LIVE,
        "trading": ACTIVE,
        "order_notional_usd": Decimal(10),
        "position_notional_usd": Decimal(0),
        "unrealized_pnl_usd": Decimal(0),
        "now_wall_ns": NOW,
    }
    fields.update(overrides)
    verdict = manager.check_entry(**fields)  # type: ignore[arg-type]
    assert not verdict.allowed
    return verdict.reason


def test_every_limit_refusal_counts_and_no_other_block_does() -> None:
    manager = RiskManager(RiskLimits(Decimal(50), Decimal(100), 1), XBT)
    limits = [
        verdict_reason(manager, unrealized_pnl_usd=Decimal(-60)),
        verdict_reason(manager, order_notional_usd=Decimal(200)),
    ]
    manager.record_entry(NOW)
    limits.append(verdict_reason(manager))
    others = [
        verdict_reason(manager, trading=restricted(Restriction.KILL_SWITCH)),
        verdict_reason(manager, trading=restricted(Restriction.PAUSED)),
        verdict_reason(manager, book_state=BookState.STALE),
    ]
    assert [is_limit_block(reason) for reason in limits] == [True, True, True]
    assert [is_limit_block(reason) for reason in others] == [False, False, False]
