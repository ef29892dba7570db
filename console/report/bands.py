"""Fill bands as text: the default paper P&L between a worse and a better execution model."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from console.report.formatting import usd
from core.fill_bands import BandResult
from core.store import BandTotals

TITLE = "Fill Bands (the same decisions, filled worse / better):"
PAPER_FILLS = "paper fills"


def band_lines(default: BandResult, bands: Sequence[BandResult]) -> list[str]:
    """Title, then one row per model — pessimistic, default, optimistic — then why any band
    filled less than the decisions it stands for."""
    rows = [*bands[:1], default, *bands[1:]]
    table = [
        (
            b.model.name,
            PAPER_FILLS if b is default else b.model.describe(),
            b.net_pnl,
            b.trade_count,
        )
        for b in rows
    ]
    lines = [TITLE, *_rows(table)]
    for band in bands:
        name = band.model.name
        if band.unfilled_entries:
            lines.append(
                f"  {name}: {band.unfilled_entries:,} of the {_trades(band.trade_count)} not "
                f"filled: the entry found no book to fill against ({band.model.describe()})"
            )
        partly = band.short_orders - band.unfilled_entries
        if partly:
            lines.append(
                f"  {name}: {partly:,} order(s) filled only in part: the book of that moment "
                "was too thin"
            )
        if band.open_quantity:
            lines.append(f"  {name}: {band.open_quantity} still open, not counted")
    if default.carried_in:
        lines.append(
            f"  {_trades(default.carried_in, 'round trip')} closed a position opened before "
            "this run: in the run's P&L, in no band"
        )
    return lines


def stored_band_lines(bands: Sequence[BandTotals], runs: int) -> list[str]:
    """The same table for a stored session: each band summed over the runs that recorded it."""
    if not bands:
        return [f"{TITLE.removesuffix(':')}: not recorded for this session"]
    recorded = max(band.runs for band in bands)
    title = TITLE if recorded == runs else f"{TITLE[:-2]}; {recorded} of {runs} runs):"
    table = [
        (
            band.model,
            PAPER_FILLS if band.model == "default" else band.execution,
            band.net_pnl,
            band.trades,
        )
        for band in bands
    ]
    lines = [title, *_rows(table)]
    for band in bands:
        if band.short_orders:
            lines.append(_short(band.model, band.short_orders))
        if band.open_runs:
            lines.append(
                f"  {band.model}: {band.open_runs:,} run(s) ended holding a position "
                "(its trade is not counted)"
            )
    return lines


def _rows(table: Sequence[tuple[str, str, Decimal, int]]) -> list[str]:
    labels = [f"{name} ({execution})" for name, execution, _, _ in table]
    width = max(len(label) for label in labels)
    amounts = [usd(net_pnl) for _, _, net_pnl, _ in table]
    money_width = max(12, *(len(amount) for amount in amounts))
    return [
        f"  {label:<{width}}  Net P&L {amount:>{money_width}}  over {_trades(trades)}"
        for label, amount, (_, _, _, trades) in zip(labels, amounts, table, strict=True)
    ]


def _trades(count: int, noun: str = "trade") -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _short(model: str, orders: int) -> str:
    return (
        f"  {model}: {orders:,} order(s) could not fill completely against the book of that moment"
    )
