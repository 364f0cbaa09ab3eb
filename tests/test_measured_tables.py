"""The tables notebook 03 reads (lecture_utils/tables/*.csv) are what tools/magnification_tables.py measures.

Each table is recomputed from scratch and compared with the committed file, value by value (to
2e-3: the tables print 4 decimals and the measurements are well conditioned), so a change to
lecture_utils.magnify or the steerable pyramid that moves a number fails here until the tables
are regenerated (``python tools/magnification_tables.py``) and the notebook re-executed.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from lecture_utils.data import measured_table

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("magnification_tables", ROOT / "tools" / "magnification_tables.py")
tables = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tables)


@pytest.mark.parametrize("name", sorted(tables.TABLES))
def test_committed_table_is_what_the_script_measures(name):
    assert tables.differences(name, tables.TABLES[name]()) == []


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
    assert {p.stem for p in (ROOT / "lecture_utils" / "tables").glob("*.csv")} == set(tables.TABLES)


def test_differences_reports_a_changed_value(tmp_path, monkeypatch):
    table = {key: list(values) for key, values in measured_table("magnification_features").items()}
    table["wavelength"][0] = float(table["wavelength"][0]) + 0.01
    assert tables.differences("magnification_features", table) == [
        f"magnification_features row 0 wavelength: committed {measured_table('magnification_features')['wavelength'][0]}, "
        f"recomputed {table['wavelength'][0]:.4f}"]
    assert np.isfinite(measured_table("magnification_shortfall")["ratio"]).all()
