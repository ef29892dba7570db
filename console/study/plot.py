"""The study as a picture: the mean next move by decile, with its interval, one line per horizon.

In the terminal with ``plotext``; as an SVG or PNG file with ``matplotlib``, an optional extra
(``pip install 'l2console[plot]'``) named in a one-line hint when it is missing. Only the
in-sample deciles are drawn: the out-of-sample check is in the table and the verdict.
"""

from __future__ import annotations

from pathlib import Path

from console.study.analysis import Cell, Segment
from console.study.buckets import Scheme
from console.study.run import StudyResult

MATPLOTLIB_HINT = "a picture file needs matplotlib: pip install 'l2console[plot]'"
FILE_SUFFIXES = (".svg", ".png")


class PlotUnavailable(Exception):
    """The picture cannot be drawn (matplotlib missing, an unknown file type)."""


def _curves(
    result: StudyResult, name: str, *, one_unit: bool = False
) -> list[tuple[str, list[Cell]]]:
    """Per horizon, the in-sample decile cells of ``name`` that have cases, lowest decile first.

    ``one_unit``: only the horizons counted like the first one (mid changes or seconds), so a
    60 s move does not flatten the mid-change curves on a small terminal chart.
    """
    curves = []
    horizons = result.horizons
    if one_unit and horizons:
        horizons = tuple(h for h in horizons if h.unit is horizons[0].unit)
    for horizon in horizons:
        cells = [
            c
            for c in result.cells
            if c.signal == name
            and c.horizon == horizon
            and c.segment is Segment.IN_SAMPLE
            and c.bucket.scheme is Scheme.DECILE
            and c.mean_move_interval is not None
        ]
        if cells:
            curves.append((horizon.label, cells))
    return curves


def _decile(cell: Cell) -> int:
    return int(cell.bucket.label[1:].split(" ", 1)[0]) if cell.bucket.label[0] == "D" else 1


def terminal_picture(result: StudyResult, *, width: int = 100, height: int = 14) -> str:
    """One plotext chart per signal, as text (no colours: it may go to a file or a pipe)."""
    import plotext  # noqa: PLC0415 - only the picture needs it

    figure = plotext.figure
    charts = []
    for name in result.signals:
        curves = _curves(result, name, one_unit=True)
        if not curves:
            continue
        figure.clear()
        figure.plot_size(width, height)
        figure.title(f"{name}: mean next move (bps) by in-sample decile, 95% interval")
        for label, cells in curves:
            xs = [_decile(c) for c in cells]
            figure.draw(figure.signal(xs, [c.mean_move_bps for c in cells]).label(label).lines())
        label, cells = curves[0]  # one horizon's intervals: more would hide the lines
        xs = [_decile(c) for c in cells]
        lows = [c.mean_move_interval.low for c in cells if c.mean_move_interval]
        highs = [c.mean_move_interval.high for c in cells if c.mean_move_interval]
        centres = [(lo + hi) / 2 for lo, hi in zip(lows, highs, strict=True)]
        halves = [(hi - lo) / 2 for lo, hi in zip(lows, highs, strict=True)]
        figure.draw(figure.error(xs, centres, halves))
        figure.line(0.0)
        charts.append(figure.build().string(colorless=True))
    figure.clear()
    return "\n".join(charts) + ("\n" if charts else "")


def save_picture(result: StudyResult, path: Path) -> None:
    """Write the picture as SVG or PNG (by the file's suffix)."""
    if path.suffix.lower() not in FILE_SUFFIXES:
        raise PlotUnavailable(f"--plot writes .svg or .png files, not {path.name!r}")
    try:
        import matplotlib  # noqa: PLC0415 - optional extra

        matplotlib.use("Agg")
        from matplotlib import pyplot  # noqa: PLC0415
    except ImportError:
        raise PlotUnavailable(MATPLOTLIB_HINT) from None
    names = [n for n in result.signals if _curves(result, n)]
    if not names:
        raise PlotUnavailable("nothing to draw: no signal has in-sample cases")
    figure, axes = pyplot.subplots(
        len(names), 1, figsize=(9, 3.2 * len(names)), squeeze=False, layout="constrained"
    )
    for row, name in enumerate(names):
        ax = axes[row][0]
        curves = _curves(result, name)
        for n, (label, cells) in enumerate(curves):
            offset = (n - (len(curves) - 1) / 2) * 0.06  # side by side, so intervals stay apart
            xs = [_decile(c) + offset for c in cells]
            means = [c.mean_move_bps or 0.0 for c in cells]
            below = [m - c.mean_move_interval.low for m, c in zip(means, cells, strict=True)]
            above = [c.mean_move_interval.high - m for m, c in zip(means, cells, strict=True)]
            ax.errorbar(xs, means, yerr=[below, above], marker="o", ms=3, capsize=2, label=label)
        ax.axhline(0.0, color="grey", linewidth=0.8)
        ax.set_title(f"{name}: mean next move by in-sample decile (95% interval)")
        ax.set_xlabel("decile of the signal (1 = lowest)")
        ax.set_ylabel("bps")
        ax.legend(fontsize="small", ncols=4)
    figure.savefig(path)
    pyplot.close(figure)
