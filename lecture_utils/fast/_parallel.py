"""Chunks of a batch on several threads, with the same result as on one.

numpy releases the GIL inside its copies, additions and BLAS products, so Python threads
working on different chunks of images run in parallel. Inside :func:`threads`, the speed
paths hand their chunks to a pool of that many threads, with BLAS pinned to one thread
each (its own threads would compete for the same cores). Every chunk writes its own
slice of the outputs or returns a partial sum, and partial sums are added in chunk order,
so the numbers do not depend on the thread count.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

_pool = None
_workers = 1


@contextmanager
def threads(count: int):
    """Within this block the speed paths split their batches over ``count`` threads (BLAS on one each)."""
    global _pool, _workers
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f"count must be a whole number of threads >= 1, got {count!r}")
    previous_pool, previous_workers = _pool, _workers
    with threadpool_limits(limits=1, user_api="blas"):
        _pool = ThreadPoolExecutor(count) if count > 1 else None
        _workers = count
        try:
            yield
        finally:
            if _pool is not None:
                _pool.shutdown()
            _pool, _workers = previous_pool, previous_workers


PARALLEL_FLOPS = 5e7       # below this much arithmetic, threads cost more than they save (measured)


def map_in_order(fn, items, flops: float = float("inf")):
    """``[fn(item) for item in items]``, on the pool of :func:`threads` when there is one.

    Each thread takes one contiguous block of the items (few hand-overs between threads).
    Jobs of fewer than PARALLEL_FLOPS floating-point operations in all stay on this thread:
    their many short numpy calls would spend more time handing the interpreter's lock back
    and forth than they gain.
    """
    items = list(items)
    if _pool is None or len(items) < 2 or flops < PARALLEL_FLOPS:
        return [fn(item) for item in items]
    count = min(_workers, len(items))
    edges = [len(items) * k // count for k in range(count + 1)]
    blocks = _pool.map(lambda k: [fn(item) for item in items[edges[k]:edges[k + 1]]], range(count))
    return [result for block in blocks for result in block]
