"""The committed tables of notebooks 04 and 06 are what tools/sweeps.py computes today.

Each test regenerates one sweep with the library as it is and compares it with the committed
CSV in lecture_utils/tables/ (counts and settings exactly, decimals to their last printed
digit). A change to a training function that moves a number the notebooks print fails here,
next to the table to regenerate (``python tools/sweeps.py NAME``).
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("sweeps", ROOT / "tools" / "sweeps.py")
sweeps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sweeps)
sys.path.insert(0, str(ROOT / "tools"))
import reference_kernel  # noqa: E402

needs_reference_kernels = pytest.mark.skipif(reference_kernel.why_not() is not None,
                                             reason=str(reference_kernel.why_not()))

import numpy as np  # noqa: E402

from lecture_utils.data import TABLES, load_arrays, load_table  # noqa: E402


def test_every_table_the_script_writes_is_committed_and_readable():
    assert set(sweeps.COLUMNS) | sweeps.ARRAYS == set(sweeps.TABLE_OF)
    for name, columns in sweeps.COLUMNS.items():
        rows = load_table(name)
        assert rows and list(rows[0]) == [c for c, _ in columns], name
    others = {"magnification_fair", "magnification_breakdown", "magnification_shortfall", "magnification_features"}
    assert {p.stem for p in TABLES.glob("*.csv")} == set(sweeps.COLUMNS) | others    # others: tools/magnification_tables.py
    assert sorted(p.stem for p in TABLES.glob("*.npz")) == sorted(sweeps.ARRAYS)
    for name in sweeps.ARRAYS:
        arrays = load_arrays(name)
        assert arrays and all(np.all(np.isfinite(a)) for a in arrays.values())


def test_saved_arrays_are_byte_for_byte_reproducible(tmp_path):
    arrays = {"b": np.arange(3.0), "a": np.eye(2)}
    sweeps.save_arrays(tmp_path / "one.npz", arrays)
    sweeps.save_arrays(tmp_path / "two.npz", dict(reversed(list(arrays.items()))))
    assert (tmp_path / "one.npz").read_bytes() == (tmp_path / "two.npz").read_bytes()
    with np.load(tmp_path / "one.npz") as loaded:
        np.testing.assert_array_equal(loaded["a"], np.eye(2))
    assert sweeps.array_differences("x", arrays, {"a": np.eye(2), "b": np.arange(3.0) + 1e-12}) == []
    assert sweeps.array_differences("x", arrays, {"a": np.eye(2), "b": np.arange(3.0) + 1e-3}) != []


@needs_reference_kernels
@pytest.mark.sweeps
@pytest.mark.parametrize("sweep", sorted(sweeps.SWEEPS))
def test_a_regenerated_table_equals_the_committed_one(sweep):
    # --quick: seed 0, one weight decay, LeNet alone, the lecture's faces (sweeps.QUICK); every row and array the
    # notebooks re-run, in about two fifths of the full check's time. The full check: python tools/sweeps.py --check
    # The script runs as a program, which starts it on the reference kernels (tools/reference_kernel.py): the rows
    # of chaotic runs are the same on every x86-64 machine only there.
    tables = [name for name, source in sweeps.TABLE_OF.items() if source == sweep]
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "sweeps.py"), "--check", "--quick", *tables],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "same as committed" in run.stdout


@needs_reference_kernels
def test_the_reference_kernels_are_avx2_on_one_thread_and_refused_where_they_cannot_run(monkeypatch):
    # What NumPy and both OpenBLAS copies (NumPy's, SciPy's) report in a process started with the environment.
    report = (f"import json, sys, scipy.linalg, threadpoolctl\nsys.path.insert(0, {str(ROOT / 'tools')!r})\n"
              "import reference_kernel\n"
              "features, dispatched = reference_kernel._cpu()\n"
              "used = [t for t in dispatched if features.get(t)]\n"
              "blas = [(i['prefix'], i['architecture'], i['num_threads']) for i in threadpoolctl.threadpool_info()]\n"
              "print(json.dumps({'used': used, 'blas': blas}))")
    env = reference_kernel.reference_environment()
    found = json.loads(subprocess.run([sys.executable, "-c", report], env=env, capture_output=True, text=True,
                                      check=True).stdout)
    assert not any("512" in target or target == "X86_V4" for target in found["used"]), found["used"]
    assert len(found["blas"]) >= 2 and all(blas[1:] == ["Haswell", 1] for blas in found["blas"]), found["blas"]
    monkeypatch.setattr(reference_kernel.platform, "machine", lambda: "aarch64")
    with pytest.raises(SystemExit, match=r"x86-64 AVX2 kernels, which this CPU \(aarch64\) cannot run"):
        reference_kernel.reference_environment()


def test_the_quick_check_leaves_the_full_settings_in_place(monkeypatch):
    monkeypatch.setattr(sweeps, "SWEEPS", {name: dict for name in sweeps.SWEEPS})    # nothing trained: no tables
    assert sweeps.main(["--check", "--quick"]) == 0
    assert sweeps.SEEDS == range(5), "--quick must leave the full settings in place"


def test_the_quick_check_compares_the_rows_it_regenerates():
    committed = "seed,batch_size,learning_rate,diverged,cost_after_epochs,cost_after_100_updates\n" \
                "0,1,0.1,0,1.000e-01,2.000e-01\n1,1,0.1,0,3.000e-01,4.000e-01\n"
    fresh = "seed,batch_size,learning_rate,diverged,cost_after_epochs,cost_after_100_updates\n" \
            "1,1,0.1,0,3.000e-01,4.000e-01\n"
    subset = sweeps.committed_subset("batch_size_seeds", committed, fresh)
    assert sweeps.differences("batch_size_seeds", subset, fresh) == []
    moved = fresh.replace("3.000e-01", "3.100e-01")
    assert sweeps.differences("batch_size_seeds", subset, moved) != []
    unknown = fresh.replace("1,1,0.1", "2,1,0.1")                         # a row the committed table lacks
    assert sweeps.differences("batch_size_seeds", sweeps.committed_subset("batch_size_seeds", committed, unknown),
                              unknown) != []


def test_the_comparison_tolerates_the_last_digit_only():
    assert sweeps._close(0.1234, 0.1235, ".4f") and not sweeps._close(0.1234, 0.1237, ".4f")
    assert sweeps._close(1.234e-3, 1.235e-3, ".3e") and not sweeps._close(1.234e-3, 1.24e-3, ".3e")
    committed = "seed,correct\n0,97\n"
    sweeps.COLUMNS["x"] = [("seed", ""), ("correct", "")]
    try:
        assert sweeps.differences("x", committed, committed) == []
        assert sweeps.differences("x", committed, "seed,correct\n0,96\n") == ["x line 2, correct: committed 97, regenerated 96"]
    finally:
        del sweeps.COLUMNS["x"]


def test_load_table_names_the_tables_it_has():
    with pytest.raises(ValueError, match="name must be one of the committed tables"):
        load_table("faces")
    with pytest.raises(ValueError, match="name must be one of the committed arrays"):
        load_arrays("faces_cv")
