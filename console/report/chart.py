"""An equity curve in plain text: block characters only, no colour, so it survives a pipe,
a log file, a 16-colour terminal and tmux alike."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from console.report.formatting import usd

_EIGHTHS = " ▁▂▃▄▅▆▇█"


def equity_curve(
    values: Sequence[Decimal],
    *,
    width: int = 60,
    height: int = 8,
    first_label: str = "",
    last_label: str = "",
) -> list[str]:
    """Rows of an area chart of ``values`` (oldest first), labelled with the top and bottom
    amounts on the left and ``first_label``/``last_label`` under the ends of the x axis.

    The scale runs from the lowest to the highest value, zero included (the starting point).
    With more values than columns, each column shows the last value of its slice of the series,
    so the right edge is always the final value.
    """
    if not values:
        return []
    columns = _columns(values, width)
    zero = Decimal(0)  # where the curve starts, before the first trade
    top, bottom = max(zero, *values), min(zero, *values)
    eighths = [_height_in_eighths(v, bottom, top, height) for v in columns]
    top_label, bottom_label = usd(top), usd(bottom)
    margin = max(len(top_label), len(bottom_label))
    rows = []
    for row in range(height - 1, -1, -1):
        cells = "".join(_EIGHTHS[min(8, max(0, h - row * 8))] for h in eighths)
        label = top_label if row == height - 1 else bottom_label if row == 0 else ""
        tick = "┤" if label else "│"
        rows.append(f"{label:>{margin}} {tick}{cells}".rstrip())
    rows.append(f"{'':>{margin}} └{'─' * len(columns)}")
    if first_label or last_label:
        gap = max(1, len(columns) - len(first_label) - len(last_label))
        rows.append(f"{'':>{margin}}  {first_label}{' ' * gap}{last_label}".rstrip())
    return rows


def _columns(values: Sequence[Decimal], width: int) -> list[Decimal]:
    if len(values) <= width:
        return list(values)
    return [values[(i + 1) * len(values) // width - 1] for i in range(width)]


def _height_in_eighths(value: Decimal, bottom: Decimal, top: Decimal, height: int) -> int:
    """At least one eighth, so the lowest point is still drawn."""
    if top == bottom:
        return 1
    share = (value - bottom) / (top - bottom)
    return max(1, round(share * height * 8))
