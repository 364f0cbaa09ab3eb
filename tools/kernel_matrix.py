"""Strict nbval on every notebook under several OpenBLAS kernels and thread counts.

A student's laptop picks its own BLAS kernel (Haswell, SkylakeX, Zen, ...); each sums
the terms of a matrix product in its own order, so a printed number that depends on
the last bits of floating point passes on one machine and fails on another. This runs
the whole notebook suite once per (kernel, threads) pair, forcing the kernel with
``OPENBLAS_CORETYPE`` and the threads with ``OPENBLAS_NUM_THREADS``, after checking
with threadpoolctl, in a fresh interpreter with the same environment, that OpenBLAS
really uses them (an unknown or unsupported kernel name is otherwise ignored silently).

    python tools/kernel_matrix.py      # the first 3 of Haswell, SkylakeX, Sandybridge, Nehalem this CPU runs, x 1, 2 threads
    python tools/kernel_matrix.py --kernels Haswell,Prescott --threads 1
    python tools/kernel_matrix.py --jobs 1     # one run at a time (default: 2 at once)
    make test-kernels

Exit status: 0 when every run passed; 1 when a run failed, or fewer than
``--min-kernels`` kernels could be forced on this CPU; 2 when numpy's BLAS is not
OpenBLAS (then the kernel cannot be chosen; with ``--allow-other-blas`` that is a skip).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
         "--nbval-cell-timeout", "300", "-q", "-p", "no:cacheprovider"]

PROBE = """
import json, numpy, scipy.linalg
from threadpoolctl import threadpool_info
a = numpy.ones((64, 64)) + 64 * numpy.eye(64)      # run the kernel: a CPU without its instructions stops here
scipy.linalg.solve(a @ a, numpy.ones(64))
print(json.dumps([(i.get("internal_api"), i.get("architecture"), i.get("num_threads"),
                   os.path.basename(i.get("filepath", ""))) for i in threadpool_info()
                  if i.get("user_api") == "blas"]))
"""


def environment(kernel: str, threads: int) -> dict:
    env = dict(os.environ, OPENBLAS_CORETYPE=kernel, OPENBLAS_NUM_THREADS=str(threads))
    env.pop("MPLBACKEND", None)   # the kernels must draw with the inline backend, as committed
    return env


def probe(env: dict) -> list:
    """BLAS libraries loaded by numpy and scipy under ``env``: (api, kernel, threads, file)."""
    result = subprocess.run([sys.executable, "-c", "import os\n" + PROBE], env=env,
                            capture_output=True, text=True, timeout=120)
    if result.returncode == -signal.SIGILL:
        raise RuntimeError("this CPU lacks the kernel's instructions (illegal instruction)")
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr.strip()
                           else f"exit status {result.returncode}")
    return json.loads(result.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kernels", default="Haswell,SkylakeX,Sandybridge,Nehalem",
                        help="tried in order; those the CPU cannot run are skipped (SkylakeX needs AVX-512)")
    parser.add_argument("--max-kernels", type=int, default=3, help="stop after this many kernels ran (default 3)")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--min-kernels", type=int, default=3,
                        help="fail unless at least this many kernels could be forced (default 3)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="runs at once (default 2: a run is mostly one busy process, kernel or pytest)")
    parser.add_argument("--allow-other-blas", action="store_true",
                        help="exit 0 (skip) instead of 2 when numpy does not use OpenBLAS")
    parser.add_argument("notebooks", nargs="*", help="default: notebooks/*.ipynb")
    args = parser.parse_args(argv)
    kernels = [k.strip() for k in args.kernels.split(",") if k.strip()]
    threads = [int(t) for t in args.threads.split(",") if t.strip()]
    notebooks = args.notebooks or sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("*.ipynb"))

    libraries = probe(dict(os.environ))
    if not libraries or any(api != "openblas" for api, *_ in libraries):
        print(f"kernel_matrix: numpy/scipy use {sorted({api for api, *_ in libraries}) or 'no BLAS threadpoolctl sees'}, "
              "not OpenBLAS only: OPENBLAS_CORETYPE cannot choose the kernel here.")
        return 0 if args.allow_other_blas else 2

    rows, forced, runs = [], set(), []
    for kernel in kernels:
        if len(forced) >= args.max_kernels:
            rows.append((kernel, "-", "not run", f"{args.max_kernels} kernels ran already"))
            continue
        for n in threads:
            env = environment(kernel, n)
            try:
                seen = probe(env)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                rows.append((kernel, n, "not available on this CPU", f"probe failed: {exc}"))
                continue
            wrong = [(arch, t, lib) for _, arch, t, lib in seen if arch != kernel or t != n]
            if wrong:
                rows.append((kernel, n, "not available on this CPU",
                             "OpenBLAS chose " + ", ".join(f"{arch} x{t} in {lib}" for arch, t, lib in wrong)))
                continue
            forced.add(kernel)
            runs.append((kernel, n, env))

    def run(kernel, n, env):
        """Strict nbval under one (kernel, threads): its table row and its failed items."""
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "pytest", *notebooks, *NBVAL], cwd=ROOT, env=env,
                                capture_output=True, text=True)
        summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
        failed = [line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
        if result.returncode != 0:
            print(result.stdout[-6000:], file=sys.stderr)
        status = "pass" if result.returncode == 0 else "FAIL"
        return ((kernel, n, status, f"{summary} ({time.perf_counter() - start:.0f} s)"),
                [f"{kernel}, {n} thread(s): {line}" for line in failed])

    failures = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:   # each run is its own process tree
        for row, failed in pool.map(lambda r: run(*r), runs):
            rows.append(row)
            failures.extend(failed)

    print("\nstrict nbval under each OpenBLAS kernel (checked with threadpoolctl):")
    print("| kernel | threads | result | detail |\n|---|---|---|---|")
    for kernel, n, status, detail in rows:
        print(f"| {kernel} | {n} | {status} | {detail} |")
    for line in failures:
        print(line)
    if len(forced) < args.min_kernels:
        print(f"kernel_matrix: only {len(forced)} kernel(s) could be forced on this CPU "
              f"({sorted(forced)}); at least {args.min_kernels} are required.")
        return 1
    return 1 if any(row[2] == "FAIL" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
