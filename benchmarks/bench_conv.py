"""Convolution layer, forward + backward (dx, dw) in float64: naive loops, the lecture's im2col,
lecture_utils.fast.conv, and PyTorch.

Usage::

    .venv/bin/python benchmarks/bench_conv.py             # numpy's BLAS thread count, torch matched
    .venv/bin/python benchmarks/bench_conv.py --threads 1 # both limited to one thread

On a machine shared with other work, prefer ``--threads 1``: multi-threaded BLAS and
PyTorch both slow down erratically when their threads have to wait for a busy core.

Targets (issue 6): ``conv2d_forward + conv2d_backward`` at least 100x faster than the naive
loops, and at most 1.5x the time of PyTorch's CPU ``conv2d`` with autograd, on the shapes of
notebook 06 (stride 1, no padding). The three are timed in the same process, round-robin
(one call of each in turn, so a busy machine slows all of them alike), and the median of
the repeats is reported.

The naive loops cost exactly N times the cost of one image, so they are timed on the first
``--naive-images`` images of the batch and scaled by N / n (stated in the table).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import optional_import, print_table, round_robin_medians  # noqa: E402

from lecture_utils.conv import (conv2d_backward, conv2d_backward_naive, conv2d_forward,  # noqa: E402
                                conv2d_forward_naive)
from lecture_utils.fast import conv as fast_conv  # noqa: E402

# (N, C, H, K, R): batch, input channels, image height = width, filters, kernel height = width
SHAPES = [(64, 1, 28, 8, 3), (64, 8, 13, 16, 3), (100, 1, 22, 1, 3), (128, 16, 32, 32, 3)]


def forward_backward(forward, backward, x, w):
    y, cache = forward(x, w)
    dx, dw, _ = backward(np.ones_like(y), cache)
    return dx, dw


def torch_forward_backward(torch, x, w):
    y = torch.nn.functional.conv2d(x, w)
    return torch.autograd.grad(y, (x, w), torch.ones_like(y))


def blas_threads() -> int | None:
    threadpoolctl = optional_import("threadpoolctl")
    if threadpoolctl is None:
        return None
    counts = [info["num_threads"] for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"]
    return max(counts) if counts else None


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None,
                        help="limit numpy's BLAS and torch to this many threads (default: numpy's count)")
    parser.add_argument("--repeats", type=int, default=21, help="repeats per shape (5 for the largest)")
    parser.add_argument("--naive-images", type=int, default=2, help="images the naive loops are timed on")
    args = parser.parse_args(argv)

    if args.threads is not None:
        threadpoolctl = optional_import("threadpoolctl")
        if threadpoolctl is not None:
            threadpoolctl.threadpool_limits(args.threads)
    threads = blas_threads()
    torch = optional_import("torch")
    if torch is not None and threads is not None:
        torch.set_num_threads(threads)
    print(f"numpy BLAS threads: {threads}; torch threads: {torch.get_num_threads() if torch else '-'}")

    rng = np.random.default_rng(0)
    rows = []
    for (N, C, H, K, R) in SHAPES:
        x = rng.standard_normal((N, C, H, H))
        w = rng.standard_normal((K, C, R, R))
        functions = {"fast": lambda: forward_backward(fast_conv.conv2d_forward, fast_conv.conv2d_backward, x, w),
                     "lecture": lambda: forward_backward(conv2d_forward, conv2d_backward, x, w)}
        if torch is not None:
            xt = torch.tensor(x, requires_grad=True)
            wt = torch.tensor(w, requires_grad=True)
            dx_t, dw_t = torch_forward_backward(torch, xt, wt)
            dx, dw = functions["fast"]()
            assert np.allclose(dx, dx_t.numpy(), rtol=1e-10, atol=1e-10)
            assert np.allclose(dw, dw_t.numpy(), rtol=1e-10, atol=1e-10)
            functions["torch"] = lambda: torch_forward_backward(torch, xt, wt)
        repeats = 5 if N * C * H * H * K > 10_000_000 else args.repeats
        medians = round_robin_medians(functions, repeats)

        n = min(N, args.naive_images)
        x_few = x[:n]
        naive = statistics.median(
            _seconds(lambda: forward_backward(conv2d_forward_naive, conv2d_backward_naive, x_few, w))
            for _ in range(3)) * N / n

        fast = medians["fast"]
        row = [str((N, C, H, K, R)), 1e3 * fast, 1e3 * medians["lecture"], 1e3 * naive, naive / fast]
        if torch is not None:
            row += [1e3 * medians["torch"], fast / medians["torch"]]
        met = naive / fast >= 100 and (torch is None or fast / medians["torch"] <= 1.5)
        rows.append(row + ["yes" if met else "NO"])

    header = ["(N, C, H, K, R)", "fast ms", "lecture im2col ms", f"naive ms (x N/{args.naive_images})",
              "naive / fast"]
    if torch is not None:
        header += ["torch ms", "fast / torch"]
    print_table(f"conv2d forward + backward, float64, {threads} BLAS thread(s)",
                header + ["targets (>= 100x naive, <= 1.5x torch)"], rows)


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
