"""The trader's question in words: does a signal's entry bucket predict a move that pays?

For each signal the entry buckets are the strategy's thresholds where it has them (the guide's
ratio: ``>= entry`` long, ``<= 1/entry`` short), else its top decile (long) and bottom decile
(short). Among those buckets × horizons the in-sample pick is the one whose move in the
predicted direction has the highest lower interval bound; out-of-sample then says whether it
holds. A bucket *predicts* when its up-share interval excludes the null on the predicted side;
it is *tradable* when the directional mean move's interval lies above the round trip (two taker
fees plus the spread paid at the cases), in sample and out of sample alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console.study.analysis import Cell, Segment
from console.study.buckets import Scheme
from console.study.outcomes import Horizon, HorizonUnit

MIN_CASES = 20
"""An entry bucket with fewer in-sample cases than this is not a pick: too few to say anything."""


@dataclass(frozen=True, slots=True)
class Verdict:
    signal: str
    tradable: bool
    predicts: bool  # the pick's up share differs from the null, in and out of sample
    text: str
    bucket: str | None = None
    horizon: str | None = None
    round_trip_bps: float | None = None
    overfit_warning: bool = False


def verdicts(cells: Sequence[Cell], signals: Sequence[str], fee_bps: float) -> list[Verdict]:
    return [_verdict(name, [c for c in cells if c.signal == name], fee_bps) for name in signals]


def predicts(cell: Cell, direction: int) -> bool:
    interval, null = cell.up_share_interval, cell.null_up_share
    if interval is None or null is None:
        return False
    return interval.low > null if direction > 0 else interval.high < null


def directional_low(cell: Cell, direction: int) -> float | None:
    """The lower bound of the move in the predicted direction (bps)."""
    interval = cell.mean_move_interval
    if interval is None:
        return None
    return interval.low if direction > 0 else -interval.high


def round_trip_bps(cell: Cell, fee_bps: float) -> float:
    return 2 * fee_bps + (cell.mean_spread_bps or 0.0)


def _verdict(name: str, cells: list[Cell], fee_bps: float) -> Verdict:
    has_thresholds = any(c.bucket.scheme is Scheme.THRESHOLD for c in cells)
    scheme = Scheme.THRESHOLD if has_thresholds else Scheme.DECILE
    entries = [c for c in cells if c.bucket.scheme is scheme and c.bucket.direction]
    ins = [c for c in entries if c.segment is Segment.IN_SAMPLE and c.n >= MIN_CASES]
    ins = [c for c in ins if directional_low(c, c.bucket.direction) is not None]
    if not ins:
        return Verdict(
            name,
            tradable=False,
            predicts=False,
            text=f"{name}: fewer than {MIN_CASES} in-sample cases in its entry buckets; "
            "record more data.",
        )
    pick = max(ins, key=lambda c: directional_low(c, c.bucket.direction) or 0.0)
    out = next(
        c
        for c in entries
        if c.segment is Segment.OUT_OF_SAMPLE
        and c.bucket == pick.bucket
        and c.horizon == pick.horizon
    )
    direction = pick.bucket.direction
    cost = round_trip_bps(pick, fee_bps)
    low_in = directional_low(pick, direction) or 0.0
    low_out = directional_low(out, direction)
    tradable = low_in > cost and low_out is not None and low_out > cost
    predicts_in, predicts_out = predicts(pick, direction), predicts(out, direction)
    lines = [
        f"{pick.bucket.label}: next {horizon_words(pick.horizon)} {sentence(pick, direction)}"
        f" — {'above' if low_in > cost else 'below'} the {cost:.1f} bps round trip: "
        + ("a tradable edge at taker fees" if low_in > cost else "no tradable edge at taker fees"),
        f"  out of sample: {sentence(out, direction)}" if out.n else "  out of sample: no cases",
    ]
    warning = predicts_in and not predicts_out
    if warning:
        lines.append(
            "  OVERFITTING WARNING: out of sample this bucket did not beat the null as it did "
            "in sample. Its in-sample figure is mostly luck of this stretch of data: do not "
            "trust it; study more data."
        )
    return Verdict(
        name,
        tradable=tradable,
        predicts=predicts_in and predicts_out,
        text="\n".join(lines),
        bucket=pick.bucket.label,
        horizon=pick.horizon.key,
        round_trip_bps=cost,
        overfit_warning=warning,
    )


def horizon_words(horizon: Horizon) -> str:
    if horizon.unit is HorizonUnit.SECONDS:
        return f"{horizon.count} s"
    return f"{horizon.count} mid change{'s' if horizon.count > 1 else ''}"


def sentence(cell: Cell, direction: int) -> str:
    """``up 58 % (55–61 %, n=1,204, null 50 %), mean +0.8 bps (0.4–1.2)``."""
    word = "up" if direction > 0 else "down"
    parts = [word]
    share, interval, null = cell.up_share, cell.up_share_interval, cell.null_up_share
    if share is not None and interval is not None:
        lo, hi = (
            (interval.low, interval.high)
            if direction > 0
            else (1 - interval.high, 1 - interval.low)
        )
        shown = share if direction > 0 else 1 - share
        parts.append(f"{shown:.0%} ({lo:.0%}–{hi:.0%}, n={cell.n:,}")
    else:
        parts.append(f"no move (n={cell.n:,}")
    if null is not None:
        parts[-1] += f", null {(null if direction > 0 else 1 - null):.0%})"
    else:
        parts[-1] += ")"
    mean, mean_interval = cell.mean_move_bps, cell.mean_move_interval
    if mean is not None and mean_interval is not None:
        parts.append(f"mean {mean:+.2f} bps ({mean_interval.low:+.2f}–{mean_interval.high:+.2f})")
    return " ".join(parts[:2]) + (", " + parts[2] if len(parts) > 2 else "")
