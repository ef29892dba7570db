"""``l2console bench``: how fast this machine runs the hot path, as a trader can read it.

Four parts (``Part``): the pipeline's cost per frame beside bare ``orjson.loads``; tick→decision
latency headless with the simulated venue feeding real sockets; the same with the Textual console
drawing; peak RSS and its growth. ``run_bench`` runs them; ``BenchReport`` prints a table or the
JSON object whose keys the README documents.
"""

from console.bench.frames import FramesError, FrameSet, read_frames, synthetic_frames
from console.bench.live import LiveResult, LiveRunError
from console.bench.pipeline import PipelineResult, measure_pipeline
from console.bench.report import BenchReport, MemoryResult, UiResult
from console.bench.runner import ALL_PARTS, BenchOptions, Part, run_bench
from console.bench.sim_process import SimStartError

__all__ = [
    "ALL_PARTS",
    "BenchOptions",
    "BenchReport",
    "FrameSet",
    "FramesError",
    "LiveResult",
    "LiveRunError",
    "MemoryResult",
    "Part",
    "PipelineResult",
    "SimStartError",
    "UiResult",
    "measure_pipeline",
    "read_frames",
    "run_bench",
    "synthetic_frames",
]
