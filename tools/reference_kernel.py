"""The kernels the committed tables are computed and checked with: x86-64 AVX2, one BLAS thread.

Some rows of the tables follow runs that amplify the last bit of a sum: a training run at a
learning rate on the edge of divergence, a Gauss-Newton fit on a frame magnified past its limit.
NumPy and OpenBLAS pick their kernels by CPU at run time, and their AVX-512 kernels round
differently from the AVX2 ones, so such rows came out differently on an AVX-512 machine (seen:
40 of the 945 rows of faces_cv). Nearly every x86-64 laptop or server CPU made since 2015 runs
AVX2 code (not some low-power Atom-class chips), so the tables are computed on these kernels
wherever the script runs:

* ``OPENBLAS_CORETYPE=Haswell`` (OpenBLAS's AVX2 kernels) and ``OPENBLAS_NUM_THREADS=1``;
* ``NPY_DISABLE_CPU_FEATURES``: NumPy's dispatched targets above AVX2 (``X86_V4``, ``AVX512_*``).

Both are read when the libraries load, so a script calls :func:`run_on_reference_kernels` first
thing when run as a program, which starts it again with them set.
"""

from __future__ import annotations

import os
import platform
import sys

MARK = "LECTURE_UTILS_REFERENCE_KERNELS"


def _cpu():
    """NumPy's CPU features found here and the targets it dispatches to."""
    import numpy as np

    core = getattr(np, "_core", None) or np.core                 # NumPy 2 moved it
    return core._multiarray_umath.__cpu_features__, core._multiarray_umath.__cpu_dispatch__


def why_not() -> str | None:
    """Why this CPU cannot run the reference kernels, or None if it can."""
    features = _cpu()[0]
    avx2 = features.get("X86_V3", features.get("AVX2") and features.get("FMA3"))     # NumPy 2 names the level
    if platform.machine().lower() not in ("x86_64", "amd64") or not avx2:
        return (f"the committed tables are computed with x86-64 AVX2 kernels, which this CPU "
                f"({platform.machine()}) cannot run: they cannot be reproduced here bit for bit")
    return None


def reference_environment() -> dict:
    """``os.environ`` with the reference kernels pinned; SystemExit if this CPU cannot run them."""
    if why_not():
        raise SystemExit(why_not())
    above_avx2 = [target for target in _cpu()[1] if "512" in target or target == "X86_V4"]
    return {**os.environ, MARK: "1", "OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1",
            "NPY_DISABLE_CPU_FEATURES": " ".join(above_avx2)}


def run_on_reference_kernels() -> None:
    """Start the running script again on the reference kernels, unless it already runs on them."""
    if os.environ.get(MARK) != "1":
        sys.stdout.flush()
        os.execve(sys.executable, [sys.executable, *sys.argv], reference_environment())
