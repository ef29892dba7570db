"""What ``sweep`` and ``study`` share on the command line: ``--cluster`` and a progress line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable


def add_cluster_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run on a Dask distributed cluster (tcp://host:8786; the files at the same path "
        "on every worker); needs pip install 'l2console[cluster]'",
    )


def progress(label: str, unit: str) -> Callable[[int, int], None]:
    """``on_done(done, total)`` writing ``LABEL done/total unit`` on a terminal's stderr."""

    def on_done(done: int, total: int) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{label} {done}/{total} {unit}")
            sys.stderr.flush()

    return on_done


def clear_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r" + " " * 40 + "\r")
        sys.stderr.flush()
