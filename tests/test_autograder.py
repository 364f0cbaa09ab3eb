"""The Otter-Grader assignments, graded for real by `otter run`: the instructor notebook scores full
marks, the untouched student edition zero, and one wrong answer loses the points of the outputs it
gets wrong and shows the checker's hint."""

import copy
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from lecture_utils.course.autograder import AutograderError, build_autograders, otter_test_source, questions
from lecture_utils.course.editions import find_exercises

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

pytestmark = [pytest.mark.course_build, pytest.mark.usefixtures("grading_lock")]   # otter run executes every notebook three times
# grading_lock (conftest.py): the modules that grade run one at a time, whatever the pytest workers.

if os.environ.get("REQUIRE_OTTER") == "1":
    import otter  # noqa: F401  (in CI a missing otter-grader is a failure, not a skip)
else:
    pytest.importorskip("otter", reason="otter-grader is in the 'grading' extra (make install adds it)")


def otter_run(zip_path: Path, notebook: Path, out: Path) -> dict:
    """Grade one notebook with `otter run`; the per-question scores and outputs."""
    out.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(zip_path), "-o", str(out),
                             "--no-logo", str(notebook)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    tests = json.loads((out / "results.json").read_text())["tests"]
    return {t["name"]: (t["score"], t["max_score"], t["output"]) for t in tests if "max_score" in t}


def with_wrong_answer(nb, exercise):
    """The instructor notebook with one exercise's solution replaced by its declared wrong answer."""
    meta = nb.cells[exercise.solution_index].metadata.get("lecture_utils", {})
    wrong = copy.deepcopy(nb)
    wrong.cells[exercise.solution_index].source = meta["wrong_answer"]
    return wrong, meta["wrong_hint"]


_GRADED = {}


@pytest.fixture
def graded(tmp_path_factory):
    """grade(path) -> {kind: (scores, extra)}: the notebook graded as instructor, student and one wrong answer."""
    def grade(path):
        if path not in _GRADED:
            _GRADED[path] = _grade(path, tmp_path_factory.mktemp(path.stem))
        return _GRADED[path]
    return grade


def _grade(path, out):
    build_autograders([path], out)
    nb = nbformat.read(path, as_version=4)
    exercises = [e for e in find_exercises(nb, path.name) if e.kind == "function"]
    declared = [e for e in exercises if "wrong_answer" in nb.cells[e.solution_index].metadata.get("lecture_utils", {})]
    assert declared, f"{path.name}: no exercise declares a wrong_answer (metadata lecture_utils.wrong_answer)"
    wrong_nb, hint = with_wrong_answer(nb, declared[0])
    wrong_path = out / path.stem / f"wrong_{path.name}"
    nbformat.write(wrong_nb, wrong_path)
    zip_path = out / path.stem / "autograder.zip"
    jobs = {"instructor": (path, None), "student": (out / path.stem / path.name, None),
            "wrong": (wrong_path, (declared[0].function_name, hint))}
    with ThreadPoolExecutor(max_workers=2) as pool:
        scores = dict(zip(jobs, pool.map(lambda kind: otter_run(zip_path, jobs[kind][0], out / kind), jobs)))
    return {kind: (scores[kind], jobs[kind][1]) for kind in jobs}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_instructor_notebook_scores_full_marks(graded, path):
    scores, _ = graded(path)["instructor"]
    assert scores and all(score == most for score, most, _ in scores.values()), {
        q: out for q, (score, most, out) in scores.items() if score != most}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_untouched_student_edition_scores_zero(graded, path):
    scores, _ = graded(path)["student"]
    assert scores and all(score == 0 for score, _, _ in scores.values())
    assert all("not implemented yet" in output for _, _, output in scores.values())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_wrong_answer_loses_only_its_points_and_shows_the_hint(graded, path):
    """The wrong answer's question loses the points of the outputs it gets wrong (each output of a
    multi-output answer is a test case of its own) and shows the hint; nothing else moves. (Each failed
    output shows its own checker message: 04's dx names the same mistake in other words.)"""
    scores, (function, hint) = graded(path)["wrong"]
    for question, (score, most, output) in scores.items():
        if question == function:
            assert 0 <= score < most, output
            assert hint in output, f"the hint {hint!r} is not in the feedback:\n{output}"
            failed = output.split("❌ Test case failed")[1:]
            assert failed and all("CheckFailure: " in case for case in failed), output
            assert "Traceback" not in output
        else:
            assert score == most, (question, output)


def test_points_split_between_visible_and_hidden_cases_and_outputs():
    source = otter_test_source("99_x.ipynb", {"function": "f", "checker": "check_f", "points": 3})
    found = re.findall(r"@test_case\(points=([\d.]+), hidden=(\w+)", source)
    assert [(float(p), hidden) for p, hidden in found] == [(1, "False"), (2, "True")]
    compile(source, "f.py", "exec")
    parts = {"visible": ["dJ/dx", "dJ/dw", "dJ/db"], "hidden": ["dJ/dx", "dJ/dw", "dJ/db"]}
    source = otter_test_source("99_x.ipynb", {"function": "g", "checker": "check_g", "points": 4, "parts": parts})
    points = [float(p) for p in re.findall(r"@test_case\(points=([\d.]+)", source)]
    assert points == [0.67, 0.67, 0.66] * 2 and sum(points) == pytest.approx(4)
    assert "check_part('g', 'hidden', 'dJ/db')" in source
    compile(source, "g.py", "exec")


def test_bad_points_and_missing_checkers_are_named(tmp_path):
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    exercise = next(e for e in find_exercises(nb, "01.ipynb") if e.kind == "function")
    nb.cells[exercise.solution_index].metadata["lecture_utils"] = {"points": 1}
    with pytest.raises(AutograderError, match="points of exercise .* must be an integer >= 2"):
        questions(nb, "01.ipynb")
    with pytest.raises(ValueError, match="paths must be existing .ipynb files"):
        build_autograders([tmp_path / "missing.ipynb"], tmp_path)
