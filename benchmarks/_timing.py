"""Timing helpers shared by the benchmarks: medians of repeats, ratios, one table.

Benchmarks report *ratios* against a reference run in the same process, because
absolute times depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import statistics
import time


def median_seconds(fn, repeats: int = 7, warmup: int = 1) -> float:
    """Median wall-clock time of ``fn()`` over ``repeats`` calls, after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def round_robin_medians(functions: dict, repeats: int) -> dict:
    """Median seconds of each function, calling them in turn ``repeats`` times (after one warm-up).

    Interleaving the candidates spreads any change in machine load over all of them,
    so their *ratios* stay meaningful on a busy machine.
    """
    for fn in functions.values():
        fn()
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, fn in functions.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    """Print a Markdown table (ready to paste into an issue note)."""
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        cells = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in row]
        print("| " + " | ".join(cells) + " |")


def optional_import(name: str):
    """Import an optional reference library, or return None (the benchmark then skips it)."""
    try:
        return __import__(name)
    except ImportError:
        print(f"({name} not installed: its column is skipped; `make install-reference` adds it)")
        return None
