"""What `make lab` and `make test` install (read with `make -n`, which prints the commands without
running them): a student's install without the test and grading extras, the full one with them, and
a `make test` after `make lab` that adds the extras. Sizes and times: tools/measure_install.sh."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FULL = "-e '.[test,grading]'"


@pytest.fixture
def venv(tmp_path):
    """A venv folder whose interpreter exists, so that make plans only the installs."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").touch()
    return tmp_path / "venv"


def planned(target: str, venv: Path) -> list:
    result = subprocess.run(["make", "-n", target, f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if "pip install" in line]


def test_make_lab_installs_the_course_without_the_test_and_grading_extras(venv):
    for target in ("lab", "student"):
        installs = planned(target, venv)
        assert len(installs) == 1 and installs[0].endswith("pip install --quiet -e ."), installs


def test_make_test_after_make_lab_adds_the_extras_once(venv):
    (venv / ".installed-lab").touch()                 # a student ran make lab
    assert planned("lab", venv) == []
    assert [FULL in line for line in planned("test", venv)] == [True]
    (venv / ".installed").touch()                     # make test installed everything
    assert planned("test", venv) == [] and planned("lab", venv) == []


def test_make_test_installs_everything_on_a_fresh_machine(venv):
    assert [FULL in line for line in planned("test", venv)] == [True]
