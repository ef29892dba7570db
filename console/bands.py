"""Fill bands as text: the default paper P&L between a worse and a better execution model."""

from __future__ import annotations

from collections.abc import Sequence

from console.report.formatting import usd
from core.fill_bands import BandResult

TITLE = "Fill Bands (the same decisions, filled worse / better):"


def band_lines(default: BandResult, bands: Sequence[BandResult]) -> list[str]:
    """Title, then one row per model — pessimistic, default, optimistic — then any caveats."""
    rows = [*bands[:1], default, *bands[1:]]
    labels = [
        f"{b.model.name} (paper fills)"
        if b is default
        else f"{b.model.name} ({b.model.describe()})"
        for b in rows
    ]
    width = max(len(label) for label in labels)
    lines = [TITLE]
    for label, band in zip(labels, rows, strict=True):
        trades = len(band.round_trips)
        lines.append(
            f"  {label:<{width}}  Net P&L {usd(band.net_pnl):>12}  "
            f"over {trades:,} trade{'' if trades == 1 else 's'}"
        )
    for band in bands:
        if band.short_orders:
            lines.append(
                f"  {band.model.name}: {band.short_orders:,} order(s) could not fill completely "
                "against the book of that moment"
            )
        if band.open_quantity:
            lines.append(f"  {band.model.name}: {band.open_quantity} still open, not counted")
    return lines
