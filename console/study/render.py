"""The study as a table (text), as JSON and as CSV. Deterministic: same input, same bytes."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson

from console.replay.report import NOT_THE_GATE, RULE
from console.study.analysis import Cell, Segment
from console.study.run import StudyResult
from console.study.verdict import horizon_words
from core.signals import signal_info

CSV_COLUMNS = (
    "signal",
    "scheme",
    "bucket",
    "direction",
    "horizon",
    "segment",
    "n",
    "up",
    "down",
    "up_share",
    "up_share_low",
    "up_share_high",
    "null_up_share",
    "mean_move_bps",
    "mean_move_low",
    "mean_move_high",
    "mean_spread_bps",
)


def render_text(result: StudyResult) -> str:
    lines = [
        RULE,
        f"EDGE STUDY ({NOT_THE_GATE})",
        RULE,
        f"Recordings: {', '.join(p.name for p in result.files)} | {result.rows:,} book states | "
        f"{result.market_seconds / 60:.1f} min of market",
        f"In-sample: the first {result.split:.0%} of the market time (sets the deciles); "
        f"round trip: 2 x {result.fee_bps:g} bps taker fee + the spread paid",
        "Cells: up share of the moves (* = its 95% interval excludes the null), mean move bps;"
        " cases are disjoint in time within a bucket",
    ]
    if result.synthetic:
        lines.append("  (a simulated market: results here prove nothing about a real one)")
    for name in result.signals:
        info = signal_info(name)
        lines += ["", f"{name}: {info.title}" + (f" ({info.unit})" if info.unit else "")]
        for segment in Segment:
            cells = [c for c in result.cells if c.signal == name and c.segment is segment]
            lines += [f"  {segment.value.replace('_', '-').upper()}", *_table(cells, result)]
        verdict = next(v for v in result.verdicts if v.signal == name)
        lines += ["  " + line for line in verdict.text.splitlines()]
    lines += ["", "VERDICTS", *_summary(result), RULE]
    return "\n".join(lines) + "\n"


def _table(cells: list[Cell], result: StudyResult) -> list[str]:
    buckets = list(dict.fromkeys(c.bucket for c in cells))
    header = ("bucket", "n", *(h.label for h in result.horizons))
    rows = [header]
    for bucket in buckets:
        mine = {c.horizon: c for c in cells if c.bucket == bucket}
        first = mine.get(result.horizons[0])
        row = [bucket.label, f"{first.n:,}" if first else "0"]
        row += [_cell_text(mine.get(h)) for h in result.horizons]
        rows.append(tuple(row))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    out = []
    for k, row in enumerate(rows):
        text = "  ".join(
            [
                row[0].ljust(widths[0]),
                *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
            ]
        )
        out.append("    " + text.rstrip())
        if k == 0:
            out.append("    " + "  ".join("-" * w for w in widths))
    return out


def _cell_text(cell: Cell | None) -> str:
    if cell is None or not cell.n:
        return "-"
    share = "--" if cell.up_share is None else f"{cell.up_share:.0%}"
    mark = " "
    interval, null = cell.up_share_interval, cell.null_up_share
    if interval is not None and null is not None and not interval.contains(null):
        mark = "*"
    return f"{share}{mark}{cell.mean_move_bps or 0.0:+.2f}"


def _summary(result: StudyResult) -> list[str]:
    out = []
    for verdict in result.verdicts:
        if verdict.tradable:
            what = "TRADABLE edge at taker fees"
        elif verdict.predicts:
            what = "predicts the mid, but not enough to pay the round trip"
        else:
            what = "no edge found"
        where = ""
        if verdict.bucket is not None:
            horizon = next(h for h in result.horizons if h.key == verdict.horizon)
            where = f" (best: {verdict.bucket}, next {horizon_words(horizon)})"
        out.append(f"  {verdict.signal}: {what}{where}")
    return out


def _interval(interval: Any) -> list[float] | None:
    return None if interval is None else [interval.low, interval.high]


def cell_dict(cell: Cell) -> dict[str, Any]:
    return {
        "signal": cell.signal,
        "scheme": cell.bucket.scheme.value,
        "bucket": cell.bucket.label,
        "direction": cell.bucket.direction,
        "horizon": cell.horizon.key,
        "segment": cell.segment.value,
        "n": cell.n,
        "up": cell.up,
        "down": cell.down,
        "up_share": cell.up_share,
        "up_share_interval": _interval(cell.up_share_interval),
        "null_up_share": cell.null_up_share,
        "mean_move_bps": cell.mean_move_bps,
        "mean_move_interval": _interval(cell.mean_move_interval),
        "mean_spread_bps": cell.mean_spread_bps,
    }


def render_json(result: StudyResult) -> str:
    document = {
        "files": [str(p) for p in result.files],
        "venue": result.venue,
        "rows": result.rows,
        "market_seconds": result.market_seconds,
        "split": result.split,
        "taker_fee_bps": result.fee_bps,
        "synthetic": result.synthetic,
        "results": [cell_dict(c) for c in result.cells],
        "verdicts": [
            {
                "signal": v.signal,
                "tradable": v.tradable,
                "predicts": v.predicts,
                "overfit_warning": v.overfit_warning,
                "bucket": v.bucket,
                "horizon": v.horizon,
                "round_trip_bps": v.round_trip_bps,
                "text": v.text,
            }
            for v in result.verdicts
        ],
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"


def render_csv(result: StudyResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for cell in result.cells:
        row = cell_dict(cell)
        share, move = row.pop("up_share_interval"), row.pop("mean_move_interval")
        row["up_share_low"], row["up_share_high"] = share or ("", "")
        row["mean_move_low"], row["mean_move_high"] = move or ("", "")
        writer.writerow(["" if row[k] is None else row[k] for k in CSV_COLUMNS])
    return out.getvalue()
