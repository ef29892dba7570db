"""The simulated market's recording for tests: made by ``console.bench.sim_recording`` (the sweep
benchmark writes its data with the same code)."""

from console.bench.sim_recording import (
    INSTRUMENT,
    MONO0,
    T0,
    TICK_NS,
    sim_header,
    write_sim_recording,
)

__all__ = ["INSTRUMENT", "MONO0", "T0", "TICK_NS", "sim_header", "write_sim_recording"]
