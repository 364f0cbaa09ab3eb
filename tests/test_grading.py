"""Grading that holds: tampering changes nothing that decides a score, an endless answer times out
alone, each output of an answer scores on its own, and a class is graded locally into a CSV and a
report (tests/grading_submissions.py makes the submissions)."""

import json
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

import grading_submissions as subs
from lecture_utils.course.autograder import questions
from lecture_utils.course.grading import Limits, grade_notebook, load_config, reference_config
from lecture_utils.course.sandbox import unprivileged_user

pytestmark = [pytest.mark.course_build, pytest.mark.usefixtures("grading_lock")]     # grades about 40 notebooks: CI runs it once, on the main Python
# grading_lock (conftest.py): the modules that grade run one at a time, whatever the pytest workers.
LIMITS = Limits(notebook_seconds=60, answer_seconds=8, total_seconds=300)


@pytest.fixture(scope="module")
def config_05(tmp_path_factory):
    """Notebook 05's grading.json, measured on the instructor notebook (which must score full marks)."""
    nb = subs.instructor()
    config = reference_config(subs.NB05, questions(nb, subs.NB05.name), subs.NB05.name)
    path = tmp_path_factory.mktemp("config") / "grading.json"
    path.write_text(json.dumps(config))
    return path


def grade(nb, tmp_path, config_path, name="submission", limits=LIMITS):
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return grade_notebook(path, load_config(config_path), limits)


def scores(result):
    return {q["question"]: q["score"] for q in result["questions"]}


def messages(result, question):
    return [p["message"] for q in result["questions"] if q["question"] == question for p in q["parts"]]


TAMPERING = list(subs.tampering_submissions("CONFIG").keys())


@pytest.mark.parametrize("kind", TAMPERING)
def test_tampering_submissions_score_zero(kind, tmp_path, config_05):
    config_copy = tmp_path / "grading.json"              # the submission may overwrite this copy
    shutil.copy(config_05, config_copy)
    nb, note = subs.tampering_submissions(config_copy)[kind]
    result = grade(nb, tmp_path, config_copy)
    assert result["score"] == 0, (kind, scores(result), result["notes"])
    if note:
        assert result["tampering"] and any(note in n for n in result["notes"]), result["notes"]
        assert all(note in m for q in result["questions"] for m in messages(result, q["question"]))


@pytest.mark.parametrize("kind", list(subs.hostile_submissions(Path("unused"))))
def test_hostile_submissions_get_their_score_and_a_note(kind, tmp_path, config_05):
    drop = Path(tempfile.mkdtemp())            # where the hidden process writes its pid, even as nobody
    drop.chmod(0o1777)
    nb, expected, text = subs.hostile_submissions(drop)[kind]
    result = grade(nb, tmp_path, config_05)
    if kind == "edits the package's files on disk" and unprivileged_user() is not None:
        expected, text = {**subs.FULL, "input_gradient": 0}, "PermissionError"    # run as nobody: refused
    assert scores(result) == expected, (scores(result), result["notes"])
    if text:
        said = result["notes"] + [m for q in result["questions"] for m in messages(result, q["question"]) if m]
        assert any(text in m for m in said), said
    if kind == "hides a process that would outlive grading":     # it ran, and is gone
        assert not Path(f"/proc/{int((drop / 'hidden.pid').read_text())}").exists()
    shutil.rmtree(drop)


def test_tampering_with_one_checker_scores_that_question_zero(tmp_path, config_05):
    nb = subs.with_cell(subs.instructor(), (
        "import lecture_utils.checks.conv as conv_checks\n"
        "conv_checks.check_input_gradient = lambda *a, **k: print('PASS')"))
    result = grade(nb, tmp_path, config_05)
    got = scores(result)
    assert got.pop("input_gradient") == 0
    assert all("check_input_gradient" in m for m in messages(result, "input_gradient"))
    assert got == {"weight_gradient": 2, "input_gradient_stride2": 2, "conv_layer_backward": 4}


@pytest.mark.parametrize("kind", list(subs.honest_submissions()))
def test_honest_submissions_score_full_marks(kind, tmp_path, config_05):
    result = grade(subs.honest_submissions()[kind], tmp_path, config_05)
    assert result["score"] == result["max_score"] == 10, (scores(result), result["notes"])
    assert not result["tampering"] and not result["all_cells"]


def test_an_endless_answer_times_out_alone(tmp_path, config_05):
    result = grade(subs.looping(), tmp_path, config_05, limits=Limits(60, 3, 300))
    assert scores(result) == {"weight_gradient": 2, "input_gradient": 0, "input_gradient_stride2": 2,
                              "conv_layer_backward": 4}
    assert messages(result, "input_gradient") == ["timed out after 3 s"] * 2


def test_an_endless_cell_is_skipped_and_the_rest_graded(tmp_path, config_05):
    nb = subs.instructor()
    i = subs.solution_index(nb, "input_gradient")
    nb.cells[i].source = ("OFFSET = 0\nwhile True:\n    OFFSET = 0\n"      # the answer's cell never ends
                          + nb.cells[i].source.replace("return dJ_dX", "return dJ_dX + OFFSET"))
    result = grade(nb, tmp_path, config_05, limits=Limits(20, 8, 300))
    assert any(f"cell {i} timed out after 20 s" in n for n in result["notes"])
    got = scores(result)
    assert got.pop("input_gradient") == 0 and got == {"weight_gradient": 2, "input_gradient_stride2": 2,
                                                      "conv_layer_backward": 4}


def test_each_output_of_an_answer_is_a_part(tmp_path, config_05):
    result = grade(subs.raising_before_db(), tmp_path, config_05)
    parts = {(p["group"], p["part"]): p for q in result["questions"] if q["question"] == "conv_layer_backward"
             for p in q["parts"]}
    assert {k[1] for k, p in parts.items() if p["score"] > 0} == {"dJ/dw", "dJ/dx"}
    for group in ("visible", "hidden"):
        assert "raised ValueError: db is not finished" in parts[(group, "dJ/db")]["message"]
    assert scores(result)["conv_layer_backward"] == pytest.approx(
        4 - sum(p["max_score"] for (group, part), p in parts.items() if part == "dJ/db"))


def test_a_wrong_answer_loses_its_points_and_shows_the_hint(tmp_path, config_05):
    nb, hint = subs.wrong_answer()
    result = grade(nb, tmp_path, config_05)
    assert scores(result) == {"weight_gradient": 2, "input_gradient": 2, "input_gradient_stride2": 0,
                              "conv_layer_backward": 4}
    assert all(hint in m for m in messages(result, "input_gradient_stride2"))


def test_a_file_that_is_no_notebook_scores_zero_with_a_reason(tmp_path, config_05):
    path = tmp_path / "empty.ipynb"
    path.write_bytes(b"")
    result = grade_notebook(path, load_config(config_05), LIMITS)
    assert result["score"] == 0 and "not a readable Jupyter notebook" in result["notes"][0]


