"""Where a sweep's or a study's jobs run: local processes (the default) or a Dask cluster.

``run_jobs(fn, jobs, …)`` calls ``fn(job)`` for every job and returns the results in the jobs'
order, whatever finished first, calling ``on_done(done, total)`` as they come in.

* Locally, jobs run in a pool of ``workers`` processes (``spawn``: a fresh interpreter each,
  nothing inherited but the job).
* With ``cluster="tcp://host:8786"`` they run on an existing Dask distributed cluster (the
  optional extra ``cluster``). Dask, not Ray: a sweep is a flat bag of independent CPU-bound
  Python jobs, which is exactly what ``Client.submit`` and ``as_completed`` do, with a scheduler
  that is one ``pip install`` and one command (``dask scheduler`` / ``dask worker``), no object
  store or runtime environments to set up. A worker that dies mid-job (its nanny restarts it) has
  the job rescheduled by the scheduler; a job that raises is retried ``RETRIES`` times. Workers
  read the recordings at the paths given here: on a cluster, put them on a disk every worker
  mounts at the same path.
"""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

CLUSTER_HINT = "--cluster needs Dask distributed: pip install 'l2console[cluster]'"
RETRIES = 2
CONNECT_TIMEOUT_S = 10.0

J = TypeVar("J")
R = TypeVar("R")
OnDone = Callable[[int, int], None]


class ClusterUnavailable(Exception):
    """The cluster cannot be used (the extra is missing, or the scheduler cannot be reached)."""


def run_jobs(
    fn: Callable[[J], R],
    jobs: Sequence[J],
    *,
    workers: int = 2,
    cluster: str | None = None,
    on_done: OnDone | None = None,
) -> list[R]:
    """``[fn(job) for job in jobs]``, in processes or on ``cluster`` (module doc)."""
    if not jobs:
        return []
    if cluster is not None:
        return _on_cluster(fn, jobs, cluster, on_done)
    results: list[Any] = [None] * len(jobs)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(jobs))), mp_context=context
    ) as pool:
        futures = {pool.submit(fn, job): i for i, job in enumerate(jobs)}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if on_done is not None:
                on_done(done, len(jobs))
    return results


def _on_cluster(
    fn: Callable[[J], R], jobs: Sequence[J], address: str, on_done: OnDone | None
) -> list[R]:
    try:
        import distributed  # noqa: PLC0415 - optional extra
    except ImportError:
        raise ClusterUnavailable(CLUSTER_HINT) from None
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterUnavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    run = uuid.uuid4().hex
    try:
        futures = [
            client.submit(fn, job, key=f"l2console-{run}-{i}", pure=False, retries=RETRIES)
            for i, job in enumerate(jobs)
        ]
        index = {future.key: i for i, future in enumerate(futures)}
        results: list[Any] = [None] * len(jobs)
        for done, future in enumerate(distributed.as_completed(futures, loop=client.loop), start=1):
            results[index[future.key]] = future.result()
            if on_done is not None:
                on_done(done, len(jobs))
        return results
    finally:
        client.close()
