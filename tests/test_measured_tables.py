"""The tables notebook 03 reads (lecture_utils/tables/*.csv) are what tools/magnification_tables.py measures.

Each table is recomputed from scratch on the reference kernels (tools/reference_kernel.py) and compared
with the committed file, value by value (to 2e-3: the tables print 4 decimals; NaN, no reading, only
with NaN), so a change to
lecture_utils.magnify or the steerable pyramid that moves a number fails here until the tables
are regenerated (``python tools/magnification_tables.py``) and the notebook re-executed.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lecture_utils.data import measured_table

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("magnification_tables", ROOT / "tools" / "magnification_tables.py")
tables = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tables)
sys.path.insert(0, str(ROOT / "tools"))
import reference_kernel  # noqa: E402

needs_reference_kernels = pytest.mark.skipif(reference_kernel.why_not() is not None,
                                             reason=str(reference_kernel.why_not()))


@needs_reference_kernels
@pytest.mark.parametrize("name", sorted(tables.TABLES))
def test_committed_table_is_what_the_script_measures(name):
    # As a program the script starts itself on the reference kernels (tools/reference_kernel.py): the readings of
    # frames magnified past their limit are the same on every x86-64 machine only there.
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "magnification_tables.py"), "--check", "--only", name],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == ""


def test_the_comparison_takes_no_reading_for_no_reading(monkeypatch):
    # NaN is what the scripts write where the translation estimate does not converge: it equals only NaN.
    import lecture_utils.data
    committed = {"method": np.array(["linear", "linear"]), "achieved": np.array([2.5, np.nan])}
    monkeypatch.setattr(lecture_utils.data, "measured_table", lambda name: committed)
    assert tables.differences("x", {"method": ["linear", "linear"], "achieved": [2.5004, np.nan]}) == []
    assert tables.differences("x", {"method": ["linear", "linear"], "achieved": [2.5, 3.0]}) != []
    assert tables.differences("x", {"method": ["linear", "linear"], "achieved": [np.nan, np.nan]}) != []


def test_tables_say_who_wrote_them_and_read_back_as_numbers():
    for name in tables.TABLES:
        first = (ROOT / "lecture_utils" / "tables" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(f"# {name}: written by tools/magnification_tables.py")
    fair = measured_table("magnification_fair")
    assert fair["alpha"].dtype == float and set(fair["method"]) == set(tables.FAIR_METHODS)
    assert len(fair["alpha"]) == len(tables.FAIR_METHODS) * len(tables.FAIR_ALPHAS)


def test_the_tables_install_with_the_package():
    # Package data: a hub's pip install and the autograder's copy of the package carry them too.
    try:
        import tomllib
    except ModuleNotFoundError:                  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "tables/*.csv" in project["tool"]["setuptools"]["package-data"]["lecture_utils"]
    # beside tools/sweeps.py's tables (tests/test_tables.py checks those and that no third kind is there)
    assert set(tables.TABLES) <= {p.stem for p in (ROOT / "lecture_utils" / "tables").glob("*.csv")}


def test_differences_reports_a_changed_value(tmp_path, monkeypatch):
    table = {key: list(values) for key, values in measured_table("magnification_features").items()}
    table["wavelength"][0] = float(table["wavelength"][0]) + 0.01
    assert tables.differences("magnification_features", table) == [
        f"magnification_features row 0 wavelength: committed {measured_table('magnification_features')['wavelength'][0]}, "
        f"recomputed {table['wavelength'][0]:.4f}"]
    assert np.isfinite(measured_table("magnification_shortfall")["ratio"]).all()
