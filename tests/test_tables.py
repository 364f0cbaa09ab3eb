"""The committed tables of notebooks 04 and 06 are what tools/sweeps.py computes today.

Each test regenerates one sweep with the library as it is and compares it with the committed
CSV in lecture_utils/tables/ (counts and settings exactly, decimals to their last printed
digit). A change to a training function that moves a number the notebooks print fails here,
next to the table to regenerate (``python tools/sweeps.py NAME``).
"""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("sweeps", ROOT / "tools" / "sweeps.py")
sweeps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sweeps)

from lecture_utils.data import TABLES_DIR, load_table  # noqa: E402


def test_every_table_the_script_writes_is_committed_and_readable():
    assert set(sweeps.COLUMNS) == set(sweeps.TABLE_OF)
    for name, columns in sweeps.COLUMNS.items():
        rows = load_table(name)
        assert rows and list(rows[0]) == [c for c, _ in columns], name
    assert sorted(p.stem for p in TABLES_DIR.glob("*.csv")) == sorted(sweeps.COLUMNS)


@pytest.mark.sweeps
@pytest.mark.parametrize("sweep", sorted(sweeps.SWEEPS))
def test_a_regenerated_table_equals_the_committed_one(sweep, capsys):
    tables = [name for name, source in sweeps.TABLE_OF.items() if source == sweep]
    status = sweeps.main(["--check", *tables])
    assert status == 0, capsys.readouterr().out


def test_the_comparison_tolerates_the_last_digit_only():
    assert sweeps._close(0.1234, 0.1235, ".4f") and not sweeps._close(0.1234, 0.1237, ".4f")
    assert sweeps._close(1.234e-3, 1.235e-3, ".3e") and not sweeps._close(1.234e-3, 1.24e-3, ".3e")
    committed = "seed,correct\n0,97\n"
    assert sweeps.differences("x", committed, committed) == []
    sweeps.COLUMNS["x"] = [("seed", ""), ("correct", "")]
    try:
        assert sweeps.differences("x", committed, "seed,correct\n0,96\n") == ["x line 2, correct: committed 97, regenerated 96"]
    finally:
        del sweeps.COLUMNS["x"]


def test_load_table_names_the_tables_it_has():
    with pytest.raises(ValueError, match="name must be one of the committed tables"):
        load_table("faces")
