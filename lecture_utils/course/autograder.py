"""Otter-Grader assignments made from the same notebooks: grade a whole class with the course's checkers.

For every notebook, ``python -m lecture_utils autograder --out DIR`` (``make autograder``) writes

    DIR/NN_topic/NN_topic.ipynb     the student edition, to hand out (with notation.md, which it links to)
    DIR/NN_topic/autograder.zip     Otter's configuration: one test file per exercise

Each exercise becomes one Otter question, named after the function the student writes,
worth the points in its solution cell's metadata (``"lecture_utils": {"points": 2}``,
default 2): half for the checker's visible cases, half for its hidden extra cases (whose
results Otter hides from students until grades are published). A failed case shows the
checker's own hint (``CheckFailure: ...``). Predict-then-run questions are not graded.

Grade one submission locally, without Docker::

    otter run -a DIR/NN_topic/autograder.zip -o results/ submission.ipynb

(``results/results.json`` holds the score per question), a folder of them with
``otter grade`` (Docker), or upload ``autograder.zip`` to Gradescope as a programming
assignment. The zip carries this package's source, installed by its ``requirements.txt``
(Gradescope unpacks the zip to ``/autograder/source``), so the grading image checks with
exactly the checkers the students ran.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from .editions import NOTATION_PAGE, find_exercises, make_student_notebook, notebook_paths

PACKAGE = Path(__file__).resolve().parents[1]
DEFAULT_POINTS = 2
TEST_TEMPLATE = '''"""{notebook}: exercise {function}(), graded by the course's own checker {checker}."""

from otter.test_files import test_case

OK_FORMAT = False
name = "{function}"
points = {points}


def _check(fn, cases):
    if fn is None:
        raise AssertionError("{function} is not defined: run the cell that defines it (and every cell above)")
    from lecture_utils.checks import {checker}
    {checker}(fn, cases=cases)


@test_case(points={visible}, hidden=False)
def visible_cases({function}):
    _check({function}, "visible")


@test_case(points={hidden}, hidden=True)
def hidden_cases({function}):
    _check({function}, "hidden")
'''


class AutograderError(ValueError):
    """A notebook whose exercises cannot be turned into Otter questions."""


def checker_of(nb, exercise, name: str) -> str:
    """The checker a check cell calls on the exercise's function, e.g. ``check_weight_gradient``."""
    for index in exercise.check_indices:
        for node in ast.walk(ast.parse(nb.cells[index].source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("check_")
                    and any(isinstance(a, ast.Name) and a.id == exercise.function_name for a in node.args)):
                return node.func.id
    raise AutograderError(f"{name}, cell {exercise.check_indices[0]}: no check_...({exercise.function_name}) call "
                          "in the exercise's check cell")


def exercise_points(nb, exercise) -> int:
    """Points of an exercise: its solution cell's ``lecture_utils.points`` metadata, else the default."""
    points = nb.cells[exercise.solution_index].metadata.get("lecture_utils", {}).get("points", DEFAULT_POINTS)
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise AutograderError(f"points of exercise {exercise.function_name} must be an integer >= 2 "
                              f"(visible + hidden cases), got {points!r}")
    return points


def questions(nb, name: str) -> list[dict]:
    """The graded questions of a notebook: function, checker and points of each exercise."""
    from .. import checks

    found = []
    for exercise in find_exercises(nb, name):
        if exercise.kind != "function":
            continue
        checker = checker_of(nb, exercise, name)
        if not hasattr(checks, checker):
            raise AutograderError(f"{name}: {checker} is not exported by lecture_utils.checks")
        found.append({"function": exercise.function_name, "checker": checker,
                      "points": exercise_points(nb, exercise)})
    return found


def otter_test_source(notebook: str, question: dict) -> str:
    """Source of the Otter test file (exception-based format) of one question."""
    visible = question["points"] // 2
    return TEST_TEMPLATE.format(notebook=notebook, visible=visible, hidden=question["points"] - visible,
                                **question)


def _copy_package(target: Path) -> None:
    """This package's source (without the course's vendored web assets), pip-installable."""
    target.mkdir(parents=True)
    shutil.copy(PACKAGE.parent / "pyproject.toml", target / "pyproject.toml")
    shutil.copy(PACKAGE.parent / "README.md", target / "README.md")
    shutil.copytree(PACKAGE, target / "lecture_utils",
                    ignore=shutil.ignore_patterns("__pycache__", "assets", "*.pyc"))


def build_autograder(notebook_path: Path, out_dir: Path) -> tuple[Path, Path]:
    """Student edition and ``autograder.zip`` of one notebook, in ``out_dir/<stem>/``."""
    nb = nbformat.read(notebook_path, as_version=4)
    name = notebook_path.name
    graded = questions(nb, name)
    if not graded:
        raise AutograderError(f"{name} has no exercise to grade")
    folder = out_dir / notebook_path.stem
    folder.mkdir(parents=True, exist_ok=True)
    student_path = folder / name
    nbformat.write(make_student_notebook(nb, name), student_path)
    if (notebook_path.parent / NOTATION_PAGE).is_file():       # the title cell links to it: hand it out too
        shutil.copyfile(notebook_path.parent / NOTATION_PAGE, folder / NOTATION_PAGE)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        (work / "tests").mkdir()
        for question in graded:
            (work / "tests" / f"{question['function']}.py").write_text(otter_test_source(name, question))
        (work / "otter_config.json").write_text(json.dumps({"lang": "python"}, indent=2))
        (work / "requirements.txt").write_text("/autograder/source/files/lecture_utils_src\n")
        _copy_package(work / "lecture_utils_src")
        zip_path = folder / "autograder.zip"
        command = [sys.executable, "-m", "otter", "generate", "-t", "tests", "-o", str(zip_path.resolve()),
                   "--no-environment", "-r", "requirements.txt", "-c", "otter_config.json", "lecture_utils_src"]
        result = subprocess.run(command, cwd=work, capture_output=True, text=True)
        if result.returncode != 0 or not zip_path.is_file():
            raise AutograderError(f"otter generate failed for {name}: {result.stderr.strip()[-800:]}")
    return student_path, zip_path


def build_autograders(paths, out_dir) -> list[Path]:
    """:func:`build_autograder` for every notebook, all checked before anything is written."""
    paths = notebook_paths(paths)
    try:
        import otter  # noqa: F401
    except ImportError:
        raise AutograderError("otter-grader is not installed: pip install -e '.[grading]' "
                              "(make install does)") from None
    for p in paths:                      # every notebook's exercises first, so a bad one writes nothing
        questions(nbformat.read(p, as_version=4), p.name)
    written = []
    for p in paths:
        written.extend(build_autograder(p, Path(out_dir)))
    return written

