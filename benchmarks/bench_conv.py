"""Convolution layer, forward + backward (dx, dw, db) in float64: lecture_utils.fast.conv against
PyTorch's CPU conv2d with autograd, the lecture's im2col and the naive loops.

Usage::

    .venv/bin/python benchmarks/bench_conv.py --threads 1
    .venv/bin/python benchmarks/bench_conv.py --threads 2

Every candidate gets the same x, w and upstream gradient dy (made once, outside the timing)
and computes y, then dx, dw and db. They are timed in the same process, round-robin (one call
of each in turn, so a change in machine load hits all of them alike), and the median of the
repeats is reported. With ``--threads T`` PyTorch runs on T threads and the fast path splits
its batch over T threads (``lecture_utils.fast.threads(T)``, BLAS on one thread each, which is
also what the lecture's im2col gets then).

``fast`` is the unchecked kernel a training loop calls after checking its data once
(``lecture_utils.fast.conv._conv_forward`` / ``_conv_backward``); ``fast, checked`` the public
functions, which also check every argument (finite values included) on every call.
The process first calls ``lecture_utils.fast.reuse_freed_memory()``: glibc then keeps freed
blocks for reuse instead of handing them back to the system, as PyTorch's caching allocator
does for its tensors (``--default-malloc`` skips it).

Also printed: float64 GEMM peak measured in this run (2048 x 2048 products on T threads), the
share of it each candidate reaches (3 products' worth of multiply-adds: y, dx and dw), and a
profile of one fast call: the share of its time in BLAS products, in copies and additions, and
in the rest (Python and small numpy calls).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import optional_import, print_table  # noqa: E402

from lecture_utils.conv import (conv2d_backward, conv2d_backward_naive, conv2d_forward,  # noqa: E402
                                conv2d_forward_naive)
from lecture_utils.fast import conv as fast_conv  # noqa: E402
from lecture_utils.fast import reuse_freed_memory, threads  # noqa: E402

# (N, C, H, K, R): batch, input channels, image height = width, filters, kernel height = width
SHAPES = [(64, 1, 28, 8, 3), (64, 8, 13, 16, 3), (100, 1, 22, 1, 3), (128, 16, 32, 32, 3)]


def layer(forward, backward, x, w, b, dy):
    y, cache = forward(x, w, b)
    return (y, *backward(dy, cache))


def fast_kernels(x, w, b):
    return fast_conv._conv_forward(x, w, b, 1, 0)


def torch_layer(torch, x, w, b, dy):
    y = torch.nn.functional.conv2d(x, w, b)
    return (y, *torch.autograd.grad(y, (x, w, b), dy))


def gemm_peak(seconds=1.0) -> float:
    """float64 GEMM rate (flop/s) of numpy's BLAS on this machine, best of repeated 2048^3 products."""
    a, b = np.random.default_rng(0).random((2, 2048, 2048))
    a @ b
    best, start = np.inf, time.perf_counter()
    while time.perf_counter() - start < seconds:
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * 2048 ** 3 / best


def round_robin(functions: dict, repeats: int, pause: float) -> dict:
    """Median seconds of each candidate, calling them in turn; ``pause`` lets worker threads go idle."""
    for fn in functions.values():
        fn()
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, fn in functions.items():
            time.sleep(pause)
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


class _TimedNumpy:
    """numpy, as fast.conv sees it, with np.matmul and np.copyto timed (for :func:`profile_line`)."""

    def __init__(self):
        self.seconds = {"matmul": 0.0, "copyto": 0.0}

    def __getattr__(self, name):
        attribute = getattr(np, name)
        if name not in self.seconds:
            return attribute

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return attribute(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
        return timed


def profile_line(fn, calls=5) -> str:
    """Where the fast path's time goes: BLAS products, im2col copies, the rest."""
    timed = _TimedNumpy()
    fast_conv.np = timed
    try:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        total = time.perf_counter() - start
    finally:
        fast_conv.np = np
    products, copies = timed.seconds["matmul"], timed.seconds["copyto"]
    return (f"products (np.matmul) {100 * products / total:.0f} %, im2col copies (np.copyto) "
            f"{100 * copies / total:.0f} %, the rest (col2im additions, crops, dy on wide rows, Python) "
            f"{100 * (total - products - copies) / total:.0f} %")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="threads for every candidate (default 1)")
    parser.add_argument("--repeats", type=int, default=31, help="repeats per shape (7 for the largest)")
    parser.add_argument("--naive-images", type=int, default=2, help="images the naive loops are timed on")
    parser.add_argument("--default-malloc", action="store_true", help="leave glibc's malloc settings alone")
    args = parser.parse_args(argv)

    reused = False if args.default_malloc else reuse_freed_memory()
    threadpoolctl = optional_import("threadpoolctl")
    threadpoolctl.threadpool_limits(args.threads, user_api="blas")
    torch = optional_import("torch")
    if torch is not None:
        torch.set_num_threads(args.threads)
    peak = gemm_peak()
    print(f"threads: {args.threads}; float64 GEMM peak measured now: {peak / 1e9:.0f} GF/s; "
          f"freed memory reused: {reused}")

    rng = np.random.default_rng(0)
    rows, profiles = [], []
    with threads(args.threads):
        for (N, C, H, K, R) in SHAPES:
            x, w, b = rng.standard_normal((N, C, H, H)), rng.standard_normal((K, C, R, R)), rng.standard_normal(K)
            Ho = H - R + 1
            dy = rng.standard_normal((N, K, Ho, Ho))
            functions = {"fast": lambda: layer(fast_kernels, fast_conv._conv_backward, x, w, b, dy),
                         "fast, checked": lambda: layer(fast_conv.conv2d_forward, fast_conv.conv2d_backward,
                                                        x, w, b, dy)}
            functions["lecture im2col"] = lambda: layer(conv2d_forward, conv2d_backward, x, w, b, dy)
            reference = [a for a in layer(conv2d_forward, conv2d_backward, x, w, b, dy)]
            for got, expected in zip(functions["fast"](), reference):
                np.testing.assert_allclose(got, expected, rtol=1e-11, atol=1e-11)
            if torch is not None:
                xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
                dyt = torch.tensor(dy)
                for got, expected in zip(torch_layer(torch, xt, wt, bt, dyt), reference):
                    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-10, atol=1e-10)
                functions["torch"] = lambda: torch_layer(torch, xt, wt, bt, dyt)
            repeats = 7 if N * C * H * H * K > 10_000_000 else args.repeats
            medians = round_robin(functions, repeats, pause=0.002 if args.threads > 1 else 0.0)

            n = min(N, args.naive_images)
            naive = statistics.median(_seconds(lambda: layer(conv2d_forward_naive, conv2d_backward_naive,
                                                             x[:n], w, b, dy[:n])) for _ in range(3)) * N / n
            flops = 3 * 2 * N * K * C * R * R * Ho * Ho
            fast = medians["fast"]
            row = [str((N, C, H, K, R)), 1e3 * fast, f"{100 * flops / fast / peak:.0f} %",
                   1e3 * medians["fast, checked"], 1e3 * medians["lecture im2col"], f"{naive / fast:.0f}"]
            if torch is not None:
                t = medians["torch"]
                row += [1e3 * t, f"{100 * flops / t / peak:.0f} %", f"{fast / t:.2f}",
                        f"{medians['fast, checked'] / t:.2f}"]
            rows.append(row)
            profiles.append(f"{(N, C, H, K, R)}: {profile_line(functions['fast'])}")

    header = ["(N, C, H, K, R)", "fast ms", "fast, share of peak", "fast, checked ms", "lecture im2col ms",
              f"naive (x N/{args.naive_images}) / fast"]
    if torch is not None:
        header += ["torch ms", "torch, share of peak", "fast / torch", "fast, checked / torch"]
    print_table(f"conv2d forward + backward (y, dx, dw, db), float64, {args.threads} thread(s): "
                f"median of round-robin repeats", header, rows)
    print("\nWhere the fast path spends its time:")
    for line in profiles:
        print("  " + line)


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
