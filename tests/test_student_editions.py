"""Student editions run: top to bottom, they stop only at the check cells of unsolved exercises,
and nothing they show before an exercise gives its answer away.

Each notebook's student edition is executed in a fresh kernel with nbclient, as
JupyterLab's *Run All* would: check cells carry the tag ``raises-exception``,
so an error there is recorded and execution goes on, while an error in any
other cell aborts the run (``CellExecutionError``) and fails the test.

Before each exercise's (stubbed) solution cell the test inserts a probe: it computes the
exercise's answer on the notebook's own data (the expression in the solution cell's
``lecture_utils.answer`` metadata, evaluated with the instructor's solution in a private
copy of the namespace) and lists every variable that already holds it. There must be
none, and no earlier output may print its numbers.
"""

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lecture_utils.course.editions import CHECK_TAG, SOLUTION_TAG, find_exercises, make_student_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# The messages of lecture_utils.checks for a stub and for an unanswered prediction.
NOT_ANSWERED = ("this exercise is not implemented yet", "write your prediction first")
PROBE = "ANSWER-PROBE "
PROBE_SOURCE = """
import json as _json, numpy as _np
def _answer_probe(name, solution, expressions):
    namespace = dict(globals())
    exec(compile(solution, "<instructor solution>", "exec"), namespace)
    reports = []
    for expression in ([expressions] if isinstance(expressions, str) else expressions):
        answer = _np.asarray(eval(expression, namespace), dtype=float)
        hits = []
        for key, value in list(globals().items()):
            if key.startswith("_") or key in ("In", "Out") or callable(value) or isinstance(value, (str, bytes)):
                continue
            try:
                held = _np.asarray(value, dtype=float)
            except Exception:
                continue
            if held.shape == answer.shape and _np.allclose(held, answer, rtol=1e-6, atol=1e-9):
                hits.append(key)
        reports.append({{"expression": expression, "hits": hits, "values": answer.ravel().tolist()[:12]}})
    print("ANSWER-PROBE " + _json.dumps({{"name": name, "answers": reports}}))
_answer_probe({name!r}, {solution!r}, {expression!r})
"""


def execute(nb):
    """Run a notebook in a fresh python3 kernel from the notebooks/ folder (relative paths as in class)."""
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute()
    return nb


def errors_by_cell(nb):
    return {i: [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
            for i, cell in enumerate(nb.cells) if cell.cell_type == "code"}


def assert_stops_only_at_checks(student):
    check_cells = [i for i, c in enumerate(student.cells) if CHECK_TAG in c.metadata.get("tags", [])]
    errors = errors_by_cell(student)
    for i, errs in errors.items():
        if i in check_cells:
            assert len(errs) == 1, f"check cell {i} should stop with one error, got {errs}"
            assert errs[0]["ename"] == "CheckFailure", f"check cell {i}: {errs[0]['ename']}"
            assert any(m in errs[0]["evalue"] for m in NOT_ANSWERED), f"check cell {i}: {errs[0]['evalue']}"
            shown = "\n".join(errs[0]["traceback"])
            assert len(errs[0]["traceback"]) <= 3 and "File " not in shown and ".py" not in shown, (
                f"check cell {i} shows a traceback instead of one message: {shown[:400]}")
        else:
            assert not errs, f"cell {i} is not a check cell but raised {errs[0]['ename']}"
    return check_cells


def with_answer_probes(instructor, student, name):
    """The student edition with a probe cell before each exercise's solution cell."""
    probes = {}
    for ex in find_exercises(instructor, name):
        if ex.kind != "function":
            continue
        solution = instructor.cells[ex.solution_index]
        expression = solution.metadata.get("lecture_utils", {}).get("answer")
        assert expression, (f"{name}, cell {ex.solution_index}: exercise {ex.function_name} declares no "
                            "lecture_utils.answer (an expression, or a list of them, computing its answer "
                            "on the notebook's data)")
        probes[ex.function_name] = PROBE_SOURCE.format(name=ex.function_name, solution=solution.source,
                                                        expression=expression)
    cells = []
    for cell in student.cells:
        tags = cell.metadata.get("tags", [])
        if SOLUTION_TAG in tags:
            fn = re.search(r"^def (\w+)", cell.source, re.M).group(1)
            probe = new_code_cell(probes[fn])
            probe.metadata["tags"] = ["answer-probe"]
            cells.append(probe)
        cells.append(cell)
    student.cells = cells
    return student, set(probes)


def printed_before(nb, index):
    """Text every code cell before ``index`` printed (streams and plain-text results)."""
    texts = []
    for cell in nb.cells[:index]:
        if "answer-probe" in cell.metadata.get("tags", []):
            continue                      # the probes' own reports
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            texts.append(out.get("text", "") if out["output_type"] == "stream"
                         else out.get("data", {}).get("text/plain", ""))
    return texts


def shows_the_numbers(texts, values):
    """True when one earlier output prints every one of (at least 3) non-trivial answer entries."""
    interesting = [v for v in values if abs(v) > 1e-9 and abs(abs(v) - 1) > 1e-9][:6]
    if len(interesting) < 3:
        return False
    for text in texts:
        for fmt in ("{:.2f}", "{:.3f}", "{:.4f}", "{:.6f}", "{:.3g}", "{:.4g}", "{:g}"):
            shown = [fmt.format(v) for v in interesting]
            # a format that rounds a value by more than 5 % ("0.00" for 0.004) shows nothing of it
            if any(abs(float(t) - v) > 0.05 * abs(v) for t, v in zip(shown, interesting)):
                continue
            if all(t.replace("-", "") in text for t in shown):
                return True
    return False


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_edition_runs_stops_only_at_checks_and_hides_every_answer(path):
    instructor = nbformat.read(path, as_version=4)
    student, expected = with_answer_probes(instructor, make_student_notebook(instructor, path.name), path.name)
    check_cells = assert_stops_only_at_checks(execute(student))
    # Every exercise was reached: its check cell ran (and said "not implemented yet").
    assert all(student.cells[i].execution_count is not None for i in check_cells)
    seen = set()
    for i, cell in enumerate(student.cells):
        if "answer-probe" not in cell.metadata.get("tags", []):
            continue
        report = json.loads(next(o["text"] for o in cell.outputs if o.get("name") == "stdout")
                            .split(PROBE, 1)[1])
        seen.add(report["name"])
        for answer in report["answers"]:
            assert not answer["hits"], (
                f"before exercise {report['name']}, the student edition already holds its answer "
                f"({answer['expression']}) in {answer['hits']}: tag the cell that computes it 'reveals'")
            assert not shows_the_numbers(printed_before(student, i), answer["values"]), (
                f"before exercise {report['name']}, an output prints its answer ({answer['expression']}) "
                f"{answer['values'][:6]}: tag that cell 'reveals'")
    assert seen == expected


def small_course_notebook(later_source):
    """One exercise checked by a real checker, then a cell with ``later_source``."""
    cells = [
        new_markdown_cell("# 99 · Tiny\n\n**Learning goals.**\n- one"),
        new_markdown_cell("## Exercise\n\nWrite `grad(y_hat, y)`, the gradient of the mean squared error."),
        new_code_cell("def grad(y_hat, y):\n    return 2 * (y_hat - y) / len(y_hat)\n", metadata={"tags": ["solution"]}),
        new_code_cell("from lecture_utils.checks.linear import check_mse_gradient\ncheck_mse_gradient(grad)",
                      metadata={"tags": ["check"]}),
        new_code_cell(later_source),
    ]
    for c in cells:
        c.metadata["slideshow"] = {"slide_type": "-"}
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_a_small_student_edition_runs_past_its_unsolved_exercise():
    student = execute(make_student_notebook(small_course_notebook("print('after the exercise')"),
                                            "99.ipynb"))
    assert assert_stops_only_at_checks(student) == [4]
    assert student.cells[5].outputs[0]["text"] == "after the exercise\n"


def test_a_cell_using_the_students_answer_breaks_the_run():
    # The contract says later cells must not use the student's function; if one does, the run fails.
    student = make_student_notebook(small_course_notebook("print(grad(1.0, 0.0))"), "99.ipynb")
    with pytest.raises(CellExecutionError, match="NotImplementedError"):
        execute(student)
