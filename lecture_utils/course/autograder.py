"""Autograders made from the same notebooks: grade a whole class with the course's checkers.

For every notebook, ``python -m lecture_utils autograder --out DIR`` (``make autograder``) writes

    DIR/NN_topic/NN_topic.ipynb     the student edition, to hand out (with notation.md, which it links to)
    DIR/NN_topic/grading.json       questions, parts, points, time limits, the package's hashes
    DIR/NN_topic/autograder.zip     the same for Otter-Grader: one test file per exercise

Each exercise becomes one question, named after the function the student writes, worth the
points in its solution cell's metadata (``"lecture_utils": {"points": 2}``, default 2): half
for the checker's visible cases, half for its hidden extra cases, each half split between the
outputs the answer returns (dx, dw, db: see :mod:`.grading`). A failed part shows the
checker's own hint. Predict-then-run questions are not graded.

Grading, tamper-proof and time-limited, happens in :mod:`.grading` (one submission) and
:mod:`.classroom` (a folder: ``python -m lecture_utils grade``). The zip's tests call the same
grader (:mod:`.otter_bridge`), so ``otter run``, ``otter grade`` and Gradescope give the same
scores; the zip carries this package's source, installed by its ``requirements.txt``.
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
from .grading import GradingError, reference_config

PACKAGE = Path(__file__).resolve().parents[1]
DEFAULT_POINTS = 2
TEST_HEADER = '''"""{notebook}: exercise {function}(), graded by {checker} in isolation (lecture_utils.course.grading)."""

from otter.test_files import test_case

OK_FORMAT = False
name = "{function}"
'''
TEST_CASE = '''

@test_case(points={points}, hidden={hidden}, name={title!r})
def {test}():
    from lecture_utils.course.otter_bridge import check_part
    check_part({function!r}, {group!r}, {part!r})
'''
OTTER_CONFIG = {"lang": "python", "plugins": ["lecture_utils.course.otter_bridge.GradeInIsolation"]}


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
    """Source of the Otter test file (exception-based format) of one question: one test case per
    group of cases (visible, hidden) and output (its parts, see :func:`.grading.question_parts`)."""
    from .grading import question_parts
    source = TEST_HEADER.format(notebook=notebook, **question)
    for k, (group, part, points) in enumerate(question_parts(question)):
        title = f"{question['function']}{' ' + part if part else ''}, {group} cases"
        source += TEST_CASE.format(points=points, hidden=group == "hidden", title=title, test=f"case_{k}",
                                   function=question["function"], group=group, part=part)
    return source


def _copy_package(target: Path) -> None:
    """This package's source (without the course's vendored web assets), pip-installable."""
    target.mkdir(parents=True)
    shutil.copy(PACKAGE.parent / "pyproject.toml", target / "pyproject.toml")
    shutil.copy(PACKAGE.parent / "README.md", target / "README.md")
    shutil.copytree(PACKAGE, target / "lecture_utils",
                    ignore=shutil.ignore_patterns("__pycache__", "assets", "*.pyc"))


def build_autograder(notebook_path: Path, out_dir: Path) -> tuple[Path, Path, Path]:
    """Student edition, ``autograder.zip`` and ``grading.json`` of one notebook, in ``out_dir/<stem>/``.

    The instructor notebook is graded once on the way (:func:`.grading.reference_config`): that finds
    each exercise's parts, times the reference run for the default time limits, and refuses a
    notebook that does not score full marks.
    """
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
    config = reference_config(notebook_path, graded, name)
    (folder / "grading.json").write_text(json.dumps(config, indent=1))
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        (work / "tests").mkdir()
        for question in config["questions"]:
            (work / "tests" / f"{question['function']}.py").write_text(otter_test_source(name, question))
        (work / "otter_config.json").write_text(json.dumps(OTTER_CONFIG, indent=2))
        shutil.copy(folder / "grading.json", work / "grading.json")
        (work / "requirements.txt").write_text("/autograder/source/files/lecture_utils_src\n")
        _copy_package(work / "lecture_utils_src")
        zip_path = folder / "autograder.zip"
        command = [sys.executable, "-m", "otter", "generate", "-t", "tests", "-o", str(zip_path.resolve()),
                   "--no-environment", "-r", "requirements.txt", "-c", "otter_config.json", "lecture_utils_src",
                   "grading.json"]
        result = subprocess.run(command, cwd=work, capture_output=True, text=True)
        if result.returncode != 0 or not zip_path.is_file():
            raise AutograderError(f"otter generate failed for {name}: {result.stderr.strip()[-800:]}")
    return student_path, zip_path, folder / "grading.json"


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
        try:
            written.extend(build_autograder(p, Path(out_dir)))
        except GradingError as exc:
            raise AutograderError(str(exc)) from None
    return written

