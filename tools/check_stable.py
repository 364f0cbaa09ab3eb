"""Find printed outputs that depend on the machine, before CI does.

Executes each notebook several times in fresh kernels, each time under another
configuration, and prints every code cell whose text output differs between the
runs (after the same normalisation nbval applies, ``tests/nbval_sanitize.cfg``):

* another OpenBLAS kernel (``OPENBLAS_CORETYPE``) or thread count
  (``OPENBLAS_NUM_THREADS``): the summation order inside every matrix product changes;
* ``--perturb EPS``: every float drawn from a seeded numpy Generator is multiplied by
  ``1 + EPS * u`` with a fixed pseudo-random ``u`` in [-1, 1], a round-off-sized nudge
  (1e-12 by default) to the data and initial weights. An output that changes under it
  prints more digits than the mathematics fixes, or follows a chaotic optimiser; a
  correct output does not move.

A cell listed here will fail strict nbval on some student's laptop: print what the
mathematics fixes (a rounded well-conditioned value, a bound, a property) instead.

    python tools/check_stable.py notebooks/04_neural_networks.ipynb
    python tools/check_stable.py --kernels Haswell,Prescott --threads 1,2 notebooks/*.ipynb
    python tools/check_stable.py --no-perturb notebooks/01_linear_network_backprop.ipynb
    make check-stable NB=notebooks/04_neural_networks.ipynb

Exit status 1 when some output differs, 0 otherwise.
"""

from __future__ import annotations

import argparse
import configparser
import copy
import difflib
import os
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"

# Injected as a first, hidden cell when perturbing: wraps numpy's Generator so that
# every float it draws is nudged by a relative EPS (integers and permutations are kept).
PERTURB_PREAMBLE = """
import numpy as _np

class _NudgedGenerator(_np.random.Generator):
    _EPS = {eps!r}

    def _nudge(self, values):
        values = _np.asarray(values, dtype=float)
        u = _np.sin(_np.arange(values.size) * 12.9898 + 78.233).reshape(values.shape)
        return values * (1 + self._EPS * u)

for _name in ("standard_normal", "normal", "uniform", "random", "exponential", "laplace"):
    def _method(self, *args, _name=_name, **kwargs):
        return self._nudge(getattr(_np.random.Generator, _name)(self, *args, **kwargs))
    setattr(_NudgedGenerator, _name, _method)

_plain_default_rng = _np.random.default_rng

def _nudged_default_rng(seed=None):
    if isinstance(seed, _np.random.Generator):
        return seed
    return _NudgedGenerator(_plain_default_rng(seed).bit_generator)

_np.random.default_rng = _nudged_default_rng
"""


def sanitizers():
    """The (regex, replacement) pairs of nbval's sanitizer file, in file order."""
    parser = configparser.ConfigParser()
    parser.read(SANITIZE)
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def cell_texts(nb) -> list[str]:
    """Normalised text output of every code cell (streams, plain-text results, errors)."""
    rules = sanitizers()
    texts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "NBVAL_IGNORE_OUTPUT" in cell.source or "nbval-ignore-output" in cell.metadata.get("tags", []):
            texts.append("(output ignored by nbval)")   # timings: genuinely variable
            continue
        parts = []
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif out.output_type in ("execute_result", "display_data"):
                if "image/png" not in out.get("data", {}):
                    parts.append(out.get("data", {}).get("text/plain", ""))
            elif out.output_type == "error":
                parts.append(f"ERROR {out.ename}: {out.evalue}")
        text = "".join(parts)
        for regex, replacement in rules:
            text = regex.sub(replacement, text)
        texts.append(text)
    return texts


def execute(path: Path, env: dict, perturb: float | None) -> list[str]:
    """Run the notebook in a fresh kernel started with ``env``; its normalised cell texts."""
    nb = nbformat.read(path, as_version=4)
    nb = copy.deepcopy(nb)
    n_cells = len(nb.cells)
    if perturb:
        nb.cells.insert(0, nbformat.v4.new_code_cell(PERTURB_PREAMBLE.format(eps=perturb)))
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    if perturb:
        nb.cells = nb.cells[1:]
    assert len(nb.cells) == n_cells
    return cell_texts(nb)


def configurations(kernels, threads, perturb):
    """(label, environment, perturbation) for each run; the first is the reference."""
    runs = []
    for kernel in kernels:
        for n in threads:
            env = dict(os.environ, OPENBLAS_NUM_THREADS=str(n))
            env.pop("MPLBACKEND", None)
            if kernel != "default":
                env["OPENBLAS_CORETYPE"] = kernel
            runs.append((f"kernel {kernel}, {n} thread(s)", env, None))
    if perturb:
        runs.append((f"kernel {kernels[0]}, {threads[0]} thread(s), data nudged by {perturb:g}",
                     runs[0][1], perturb))
    return runs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--kernels", default="Haswell,Prescott",
                        help="comma-separated OPENBLAS_CORETYPE values ('default' = auto), "
                             "default Haswell,Prescott (FMA vs no FMA: the most different pair)")
    parser.add_argument("--threads", default="1", help="comma-separated OPENBLAS_NUM_THREADS values")
    parser.add_argument("--perturb", type=float, default=1e-12,
                        help="relative nudge of every seeded random float (default 1e-12)")
    parser.add_argument("--no-perturb", dest="perturb", action="store_const", const=None)
    args = parser.parse_args(argv)
    kernels = [k.strip() for k in args.kernels.split(",") if k.strip()]
    threads = [int(t) for t in args.threads.split(",")]
    runs = configurations(kernels, threads, args.perturb)
    unstable = 0
    for path in args.notebooks:
        results = []
        for label, env, perturb in runs:
            print(f"{path.name}: running with {label}", file=sys.stderr)
            results.append((label, execute(path, env, perturb)))
        committed = cell_texts(nbformat.read(path, as_version=4))
        results.append(("the committed outputs", committed))
        ref_label, ref = results[0]
        for index in range(len(ref)):
            differing = [(label, texts[index]) for label, texts in results[1:] if texts[index] != ref[index]]
            if not differing:
                continue
            unstable += 1
            print(f"\n{path.name}, code cell {index} (nbval's 'Cell {index}'):")
            for label, text in differing:
                diff = difflib.unified_diff(ref[index].splitlines(), text.splitlines(), ref_label, label,
                                            lineterm="", n=0)
                print("\n".join("    " + line for line in diff))
    if unstable:
        print(f"\n{unstable} cell(s) print machine-dependent output.")
        return 1
    print(f"all outputs of {len(args.notebooks)} notebook(s) agree across {len(runs)} runs "
          "and the committed file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
