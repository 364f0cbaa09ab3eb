"""One training epoch of notebook 06's LeNet-style network: numpy (lecture_utils) vs PyTorch CPU.

Same architecture (conv 16 -> ReLU -> pool -> conv 32 -> ReLU -> pool -> dense 10), same
data (the 1347 training digits), same batches of 32 and SGD with momentum 0.9, timed in
this process as the median of repeated epochs, the candidates taking turns (round robin)
so that a change in machine load hits all of them alike. lecture_utils computes in float64
by default; its opt-in float32 path (``lenet_init(dtype=np.float32)``: parameters, layers and
updates in float32) is timed too. PyTorch runs in float64 and float32, with one thread
(lecture_utils' training runs BLAS single-threaded) and with its default thread count.
Each row compares numpy with PyTorch in the same dtype.
Target (issue 17): numpy at most PyTorch's time, float64, against PyTorch on 1 and on 2 threads.
The process first calls ``lecture_utils.fast.reuse_freed_memory()`` (glibc keeps freed blocks,
as PyTorch's caching allocator does). A profile of one numpy epoch follows the table: the
share of its time in each kind of layer and in the training loop around them.

    .venv/bin/python benchmarks/bench_cnn.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import optional_import, print_table, round_robin_medians  # noqa: E402

from lecture_utils.fast import cnn as fast_cnn  # noqa: E402
from lecture_utils.fast import reuse_freed_memory  # noqa: E402
from lecture_utils.fast.cnn import lenet_init, train_lenet  # noqa: E402
from lecture_utils.data import digits_split  # noqa: E402

BATCH, LEARNING_RATE, MOMENTUM = 32, 0.05, 0.9


def numpy_epoch(x, labels, params):
    return lambda: train_lenet(x, labels, params, epochs=1, batch_size=BATCH, learning_rate=LEARNING_RATE,
                               momentum=MOMENTUM, rng=0, verbose=False)


def torch_epoch(torch, x, labels, params, dtype):
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(128, 10)).to(dtype)
    with torch.no_grad():  # start from the numpy network's weights
        for layer, (w, b) in zip([model[0], model[3], model[7]], [("w1", "b1"), ("w2", "b2"), ("w3", "b3")]):
            layer.weight.copy_(torch.tensor(params[w].T if w == "w3" else params[w]))
            layer.bias.copy_(torch.tensor(params[b]))
    optimiser = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
    images = torch.tensor(x, dtype=dtype)
    targets = torch.tensor(labels)
    order = torch.tensor(np.random.default_rng(0).permutation(len(x)))

    def epoch():
        for start in range(0, len(x), BATCH):
            batch = order[start:start + BATCH]
            optimiser.zero_grad()
            loss = nn.functional.cross_entropy(model(images[batch]), targets[batch])
            loss.backward()
            optimiser.step()
    return epoch


def with_threads(torch, threads, fn):
    """``fn`` run with PyTorch limited to ``threads`` threads."""
    def run():
        torch.set_num_threads(threads)
        fn()
    return run


LAYER_KINDS = {"convolutions": ("_conv_forward", "_conv_backward"),
               "ReLU + max pooling": ("_relu_pool_forward", "_relu_pool_backward"),
               "dense, softmax": ("_dense_forward", "_dense_backward",
                                        "_softmax_cross_entropy")}


def profile_line(epoch) -> str:
    """Share of one epoch's time in each kind of layer (fast.cnn's kernels, timed by wrapping them)."""
    seconds = dict.fromkeys(LAYER_KINDS, 0.0)
    originals = {}

    def timed(kind, fn):
        def run(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[kind] += time.perf_counter() - start
        return run
    for kind, names in LAYER_KINDS.items():
        for name in names:
            originals[name] = getattr(fast_cnn, name)
            setattr(fast_cnn, name, timed(kind, originals[name]))
    try:
        start = time.perf_counter()
        epoch()
        total = time.perf_counter() - start
    finally:
        for name, fn in originals.items():
            setattr(fast_cnn, name, fn)
    parts = [f"{kind} {100 * t / total:.0f} %" for kind, t in seconds.items()]
    return ", ".join(parts + [f"training loop (batches, update, checks) {100 * (total - sum(seconds.values())) / total:.0f} %"])


def main(repeats: int = 15):
    reused = reuse_freed_memory()
    x, labels, _, _ = digits_split(rng=0)
    dtypes = ("float64", "float32")
    numpy_name = "lecture_utils (numpy, BLAS 1 thread)"
    candidates = {(numpy_name, dtype): numpy_epoch(x, labels, lenet_init(rng=0, dtype=getattr(np, dtype)))
                  for dtype in dtypes}
    params = lenet_init(rng=0)          # PyTorch starts from the same weights (rounded for float32)
    torch = optional_import("torch")
    thread_counts = []
    if torch is not None:
        default_threads = torch.get_num_threads()
        thread_counts = sorted({1, default_threads})
        for threads in thread_counts:
            for dtype in dtypes:
                candidates[(f"PyTorch CPU, {threads} thread(s)", dtype)] = with_threads(
                    torch, threads, torch_epoch(torch, x, labels, params, getattr(torch, dtype)))
    times = round_robin_medians(candidates, repeats)
    if torch is not None:
        torch.set_num_threads(default_threads)
    header = ["dtype", f"{numpy_name} s"]
    for threads in thread_counts:
        header += [f"PyTorch CPU, {threads} thread(s) s", f"numpy / PyTorch {threads} thread(s)"]
    rows = []
    for dtype in dtypes:
        t_numpy = times[(numpy_name, dtype)]
        row = [dtype, t_numpy]
        for threads in thread_counts:
            t_torch = times[(f"PyTorch CPU, {threads} thread(s)", dtype)]
            row += [t_torch, f"{t_numpy / t_torch:.2f}"]
        rows.append(row)
    print_table(f"One epoch of the LeNet-style network ({len(x)} digits, batches of {BATCH}): "
                f"median seconds of {repeats} round-robin repeats; numpy time / PyTorch time in the same "
                f"dtype (target: at most 1); freed memory reused: {reused}", header, rows)
    print("\nWhere a float64 numpy epoch spends its time: "
          + profile_line(candidates[(numpy_name, "float64")]))


if __name__ == "__main__":
    main()
