"""Student editions run: top to bottom, they stop only at the check cells of unsolved exercises.

Each notebook's student edition is executed in a fresh kernel with nbclient, as
JupyterLab's *Run All* would: check cells carry the tag ``raises-exception``,
so an error there is recorded and execution goes on, while an error in any
other cell aborts the run (``CellExecutionError``) and fails the test.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lecture_utils.course.editions import CHECK_TAG, make_student_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# The message of lecture_utils.checks._core.call_student for a stub.
NOT_IMPLEMENTED = "this exercise is not implemented yet"


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
            assert NOT_IMPLEMENTED in errs[0]["evalue"], f"check cell {i}: {errs[0]['evalue']}"
        else:
            assert not errs, f"cell {i} is not a check cell but raised {errs[0]['ename']}"
    return check_cells


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_edition_runs_and_stops_only_at_check_cells(path):
    student = make_student_notebook(nbformat.read(path, as_version=4), path.name)
    check_cells = assert_stops_only_at_checks(execute(student))
    # Every exercise was reached: its check cell ran (and said "not implemented yet").
    assert all(student.cells[i].execution_count is not None for i in check_cells)


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
