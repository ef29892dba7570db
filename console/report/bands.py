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
    """Title, then one row per model — pessimistic, default, optimistic — then any caveats."""
    rows = [*bands[:1], default, *bands[1:]]
    table = [
        (
            b.model.name,
            PAPER_FILLS if b is default else b.model.describe(),
            b.net_pnl,
            len(b.round_trips),
        )
        for b in rows
    ]
    lines = [TITLE, *_rows(table)]
    for band in bands:
        if band.short_orders:
            lines.append(_short(band.model.name, band.short_orders))
        if band.open_quantity:
            lines.append(f"  {band.model.name}: {band.open_quantity} still open, not counted")
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
    return [
        f"  {label:<{width}}  Net P&L {usd(net_pnl):>12}  "
        f"over {trades:,} trade{'' if trades == 1 else 's'}"
        for label, (_, _, net_pnl, trades) in zip(labels, table, strict=True)
    ]


def _short(model: str, orders: int) -> str:
    return (
        f"  {model}: {orders:,} order(s) could not fill completely against the book of that moment"
    )
