"""The README's grading commands, run as written: a folder of 30 generated submissions (correct, one
wrong, an exception, an endless loop, tampering, empty) graded offline into a correct CSV and a report
page; `otter run` on the same autograder.zip; `otter grade`'s options checked against its --help."""

import csv
import html
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import grading_submissions as subs
from lecture_utils.course.classroom import grade_class
from lecture_utils.course.editions import make_student_notebook
from lecture_utils.course.grading import GradingError
from lecture_utils.course.report import mistake_of
from lecture_utils.course.sandbox import unprivileged_user

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.course_build, pytest.mark.usefixtures("grading_lock")]          # builds an autograder and grades 30 notebooks
# grading_lock (conftest.py): the modules that grade run one at a time, whatever the pytest workers.

if os.environ.get("REQUIRE_OTTER") == "1":
    import otter  # noqa: F401
else:
    pytest.importorskip("otter", reason="otter-grader is in the 'grading' extra (make install adds it)")


def readme_commands() -> list:
    """The shell commands of the README's "Grading a class" section, in order."""
    text = (ROOT / "README.md").read_text()
    section = text.split("### Grading a class", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```\n(.*?)```", section, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def runnable(command: str) -> str:
    """The command with `python` and `otter` meaning this interpreter and its otter."""
    py = shlex.quote(sys.executable)
    command = re.sub(r"(^|&& )python ", rf"\g<1>{py} ", command)
    return re.sub(r"(^|&& )otter ", rf"\g<1>{py} -m otter ", command)


EXPECTED = {"correct": 10, "wrong": 8, "raises": 10 - 0.67 - 0.67, "loops": 8, "tampering": 0, "empty": 0}


def class_folder(folder: Path) -> dict:
    """30 submissions in ``folder``; {student: kind}."""
    folder.mkdir(parents=True)
    wrong, _ = subs.wrong_answer()
    tampering = subs.tampering_submissions(folder / "unused.json")
    kinds = ([("correct", subs.instructor())] * 12 + [("wrong", wrong)] * 5
             + [("raises", subs.raising_before_db())] * 3 + [("loops", subs.looping())] * 2
             + [("tampering", tampering[k][0]) for k in ("checkers replaced by attribute", "sys.modules swapped",
                                                        "numpy functions patched", "__class__ tricks on returned arrays")]
             + [("empty", make_student_notebook(subs.instructor(), subs.NB05.name))] * 2
             + [("empty", None)] * 2)
    assert len(kinds) == 30
    students = {}
    for k, (kind, nb) in enumerate(kinds):
        name = f"s{k:02d}_{kind}"
        path = folder / f"{name}.ipynb"
        if nb is None:
            path.write_text("" if k % 2 else "this is not a notebook")
        else:
            nbformat.write(nb, path)
        students[name] = kind
    return students


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    work = tmp_path_factory.mktemp("class")
    commands = readme_commands()
    assert commands[0] == "make autograder"
    makefile = (ROOT / "Makefile").read_text()
    assert "-m lecture_utils autograder --out _build/autograder" in makefile   # what `make autograder` runs
    build = subprocess.run([sys.executable, "-m", "lecture_utils", "autograder", "--out", "_build/autograder",
                            str(subs.NB05)], cwd=work, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    students = class_folder(work / "submissions" / "05")
    grade = next(c for c in commands if " -m lecture_utils grade " in runnable(c))
    done = subprocess.run(runnable(grade), shell=True, cwd=work, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return work, students, commands, done


def test_the_class_csv_has_one_row_per_student_and_the_right_scores(graded_class):
    work, students, _, done = graded_class
    rows = list(csv.reader(open(work / "grades" / "05" / "grades.csv")))
    assert rows[0] == ["student", "weight_gradient (2 pts)", "input_gradient (2 pts)",
                       "input_gradient_stride2 (2 pts)", "conv_layer_backward (4 pts)", "total (10 pts)"]
    got = {r[0]: float(r[-1]) for r in rows[1:]}
    assert got == pytest.approx({s: EXPECTED[kind] for s, kind in students.items()})
    for r in rows[1:]:
        assert float(r[-1]) == pytest.approx(sum(map(float, r[1:-1])))
    feedback = (work / "grades" / "05" / "feedback" / "s17_raises.txt").read_text()
    assert "dJ/dw, visible cases (0.67/0.67): passed" in feedback and "db is not finished" in feedback
    looped = (work / "grades" / "05" / "feedback" / "s20_loops.txt").read_text()
    assert "timed out after 10 s" in looped
    tampered = (work / "grades" / "05" / "feedback" / "s22_tampering.txt").read_text()
    first = re.search(r"tampering: the notebook replaced \d+ thing\(s\) grading relies on: ([\w.]+)", tampered)
    assert first and first[1].rsplit(".", 1)[1] in {"check_weight_gradient", "check_input_gradient",
                                                    "check_input_gradient_stride2", "check_conv_layer_backward"}


def test_the_report_names_the_class_s_common_mistake(graded_class):
    work, students, _, _ = graded_class
    page = (work / "grades" / "05" / "report.html").read_text()
    _, hint = subs.wrong_answer()
    # the declared hint opens the checker's message; the five wrong answers are counted together
    assert re.search(rf"<li>{re.escape(html.escape(mistake_of(hint)))}[^<]*<span class=n>\(5\)</span>", page)
    assert re.search(r'<img src="data:image/png;base64,[^"]+" width="640" height="320" alt="Histogram of the total '
                     r'scores of 30 submissions', page)
    assert "http" not in page.replace("http-equiv", "")          # offline: nothing fetched


def test_grading_again_resumes_and_regrades_only_what_is_missing(graded_class):
    work, _, commands, _ = graded_class
    for name in ("s00_correct", "s13_wrong"):
        (work / "grades" / "05" / "results" / f"{name}.json").unlink()
    grade = next(c for c in commands if " -m lecture_utils grade " in runnable(c))
    again = subprocess.run(runnable(grade), shell=True, cwd=work, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "graded 2 submissions (28 already graded)" in again.stdout, again.stderr


def test_a_submission_that_writes_the_grader_s_files_stops_the_run_and_scores_zero(graded_class, tmp_path):
    """Later submissions would be graded with the altered files: the run stops, names the culprit,
    keeps its 0, and once restored (here nothing to restore: only the change time moved) grades the rest."""
    if unprivileged_user() is not None:
        pytest.skip("the submission runs as nobody and cannot write the package")
    work, _, _, _ = graded_class
    nbs = tmp_path / "subs"
    nbs.mkdir()
    touch = subs.hostile_submissions(tmp_path)["edits the package's files on disk"][0]
    nbformat.write(touch, nbs / "a_touches.ipynb")
    nbformat.write(subs.instructor(), nbs / "b_correct.ipynb")
    autograder = work / "_build" / "autograder" / "05_convolution_gradients"
    with pytest.raises(GradingError, match="a_touches.ipynb changed files the grader reads"):
        grade_class(autograder, nbs, tmp_path / "out", workers=1, progress=False)
    saved = json.loads((tmp_path / "out" / "results" / "a_touches.json").read_text())
    assert saved["score"] == 0 and saved["tampering"]
    assert not (tmp_path / "out" / "results" / "b_correct.json").exists()
    done = grade_class(autograder, nbs, tmp_path / "out", workers=1, progress=False)
    assert (done["graded"], done["resumed"]) == (1, 1)
    rows = list(csv.reader(open(done["csv"])))
    assert [(r[0], r[-1]) for r in rows[1:]] == [("a_touches", "0"), ("b_correct", "10")]


def test_forged_results_and_a_rewritten_classmate_are_caught_and_not_trusted(graded_class, tmp_path):
    """A submission running with the grader's rights (root, here) forges a classmate's result file and
    rewrites another classmate's notebook: the run stops naming it, the forged result is deleted (not
    resumed from), the rewritten notebook is named, and the next run grades the forged one for real."""
    if unprivileged_user() is not None:
        pytest.skip("the submission runs as nobody and cannot write the grader's files")
    work, _, _, _ = graded_class
    nbs, out = tmp_path / "subs", tmp_path / "out"
    nbs.mkdir()
    empty = make_student_notebook(subs.instructor(), subs.NB05.name)
    nbformat.write(empty, nbs / "a_empty.ipynb")
    nbformat.write(subs.instructor(), nbs / "c_correct.ipynb")
    forger = subs._before(subs.instructor(), "input_gradient", (
        "    import glob, hashlib, json, os\n"
        f"    for folder in glob.glob({str(out / 'results')!r}):\n"
        f"        target = {str(nbs / 'a_empty.ipynb')!r}\n"
        "        fake = {'format': 1, 'score': 10.0, 'max_score': 10.0, 'questions': [], 'notes': [],\n"
        "                'sha256': hashlib.sha256(open(target, 'rb').read()).hexdigest(), 'student': 'a_empty'}\n"
        "        json.dump(fake, open(os.path.join(folder, 'a_empty.json'), 'w'))\n"
        f"    open({str(nbs / 'c_correct.ipynb')!r}, 'w').write('overwritten')"))
    nbformat.write(forger, nbs / "b_forger.ipynb")
    autograder = work / "_build" / "autograder" / "05_convolution_gradients"
    with pytest.raises(GradingError) as stop:
        grade_class(autograder, nbs, out, workers=1, progress=False)
    message = str(stop.value)
    assert "b_forger.ipynb changed files the grader reads" in message and "it scores 0" in message
    assert "a_empty.json) were deleted" in message and "rewritten (c_correct.ipynb)" in message
    assert not (out / "results" / "a_empty.json").exists()
    nbformat.write(subs.instructor(), nbs / "c_correct.ipynb")      # the instructor restores the copy
    (nbs / "b_forger.ipynb").unlink()
    done = grade_class(autograder, nbs, out, workers=1, progress=False)
    rows = {r[0]: r[-1] for r in list(csv.reader(open(done["csv"])))[1:]}
    assert rows == {"a_empty": "0", "c_correct": "10"}


def test_otter_run_as_the_readme_shows_uses_the_isolated_grader(graded_class):
    work, _, commands, _ = graded_class
    nb, hint = subs.wrong_answer()
    nb = subs.with_cell(nb, "import lecture_utils.checks as c\nc.check_weight_gradient = lambda *a, **k: None")
    nbformat.write(nb, work / "submission.ipynb")
    command = next(c for c in commands if "otter run" in c)
    done = subprocess.run(runnable(command), shell=True, cwd=work, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    tests = json.loads((work / "results" / "results.json").read_text())["tests"]
    by_question = {}
    for t in tests:
        if "max_score" in t and t.get("score") is not None:
            question = t["name"].split(" ")[0].split(",")[0]
            by_question[question] = by_question.get(question, 0) + t["score"]
    assert by_question == pytest.approx({"weight_gradient": 0, "input_gradient": 2, "input_gradient_stride2": 0,
                                         "conv_layer_backward": 4}), tests
    outputs = " ".join(t.get("output") or "" for t in tests)
    assert hint in outputs and "tampering" in outputs


def test_otter_grade_as_the_readme_shows_takes_those_options():
    command = next(c for c in readme_commands() if c.startswith("otter grade"))
    help_text = subprocess.run([sys.executable, "-m", "otter", "grade", "--help"], capture_output=True,
                               text=True).stdout
    for option in re.findall(r"(?<=\s)(--?[a-z][a-z-]*)", " " + command):
        assert re.search(rf"(^|[\s,]){re.escape(option)}[\s,]", help_text), f"otter grade has no {option}"
