"""The student-edition generator (lecture_utils.course.editions) on small hand-made notebooks."""

import ast
import inspect
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lecture_utils.course.editions import (
    RAISES_TAG,
    EditionError,
    dependent_cells,
    find_exercises,
    make_student_notebook,
    plain_instructions,
    stub_source,
    write_student_editions,
)

SOLUTION = '''\
import numpy as np

def my_mean(x, axis=0):
    """Mean of x along an axis.

    x : (N, D) array
    """
    total = np.sum(x, axis=axis)  # the answer a student should find
    return total / x.shape[axis]
'''


def cell(kind, source, tags=(), outputs=None):
    c = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    c.metadata["slideshow"] = {"slide_type": "-"}
    if tags:
        c.metadata["tags"] = list(tags)
    if outputs is not None:
        c.outputs = outputs
        c.execution_count = 1
    return c


def stream(text):
    return new_output("stream", name="stdout", text=text)


def notebook(*cells):
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def exercise_notebook():
    """Title, setup, one exercise (instructions, solution, check), a cell using the answer, a redefinition."""
    return notebook(
        cell("markdown", "# 99 · Means\n\n**Learning goals.**\n- average"),
        cell("code", "import numpy as np", outputs=[]),
        cell("markdown", "## Exercise 1: the mean\n\nWrite `my_mean(x, axis)` returning the **mean** along `axis`."),
        cell("code", SOLUTION, tags=["solution"], outputs=[stream("defined\n")]),
        cell("code", "check(my_mean)", tags=["check"], outputs=[stream("PASS my_mean\n")]),
        cell("code", "print(my_mean(np.ones((2, 2))))", outputs=[stream("[1. 1.]\n")]),
        cell("code", "print('untouched')", outputs=[stream("untouched\n")]),
        cell("code", "from numpy import mean as my_mean", outputs=[]),
        cell("code", "print(my_mean([1, 2]))", outputs=[stream("1.5\n")]),
    )


def run_stub(source):
    namespace = {}
    exec(compile(source, "<stub>", "exec"), namespace)
    return namespace


# --- stubs -------------------------------------------------------------------------------

def test_stub_keeps_signature_docstring_and_imports_and_drops_the_answer():
    stub = stub_source(SOLUTION, "Write my_mean.")
    assert "np.sum" not in stub and "the answer" not in stub
    assert stub.startswith("import numpy as np\n")
    ns = run_stub(stub)
    original = run_stub(SOLUTION)
    assert inspect.signature(ns["my_mean"]) == inspect.signature(original["my_mean"])
    assert ns["my_mean"].__doc__ == original["my_mean"].__doc__


def test_stub_raises_not_implemented_with_the_instructions():
    ns = run_stub(stub_source(SOLUTION, "Exercise 1: the mean. Write my_mean(x, axis) returning the mean."))
    with pytest.raises(NotImplementedError, match=r"Exercise 1: the mean\. Write my_mean\(x, axis\)") as info:
        ns["my_mean"]([1.0])
    assert "run the check cell below" in str(info.value)


def test_stub_without_instructions_names_the_function():
    ns = run_stub(stub_source(SOLUTION))
    with pytest.raises(NotImplementedError, match=r"Write my_mean\(\) as the instructions above"):
        ns["my_mean"]([1.0])


@pytest.mark.parametrize("source", [
    # multi-line signature, annotations, a default holding ':' and brackets, no docstring
    'def f(x: dict = {"a": [1, 2]},\n      y: "str" = "b:c") -> int:\n    # secret hint\n    return 1\n',
    # decorator, one-line docstring, tab-free four-space body
    "import functools\n\n@functools.lru_cache(maxsize=None)\ndef f(n):\n    '''Docs.'''\n    return n\n",
    # nested function in the body goes away with the body
    "def f(a, *args, k=3, **kw):\n    def inner():\n        return a\n    return inner()\n",
    # a docstring holding quotes and backslashes
    'def f(x):\n    r"""Say \\"hi\\" \\n."""\n    return x\n',
])
def test_stub_is_valid_python_with_the_same_signature(source):
    stub = stub_source(source, 'Instructions with "quotes", a backslash \\ and an accent: é.')
    ast.parse(stub)
    assert "return" not in stub and "secret hint" not in stub
    ns, original = run_stub(stub), run_stub(source)
    assert inspect.signature(ns["f"]) == inspect.signature(original["f"])
    assert ns["f"].__doc__ == original["f"].__doc__
    with pytest.raises(NotImplementedError, match='"quotes", a backslash'):
        getattr(ns["f"], "__wrapped__", ns["f"])(1)


def test_stub_lines_stay_short():
    stub = stub_source(SOLUTION, "word " * 100)
    assert max(len(line) for line in stub.splitlines()) <= 92


@pytest.mark.parametrize("source, match", [
    ("def f(x)\n    return x\n", "does not parse"),
    ("def f(x):\n    return x\n\ndef g(x):\n    return x\n", r"exactly one function .*def f, def g"),
    ("x = 3\n\ndef f(x):\n    return x\n", r"exactly one function .*Assign"),
    ("print('hi')\n", r"holds: Expr"),
    ("", "holds: nothing"),
    ("def f(x): return x\n", "must start on a new line"),
])
def test_malformed_solution_cell_is_named(source, match):
    with pytest.raises(EditionError, match=r"^lec\.ipynb, cell 7: malformed solution cell.*" + match):
        stub_source(source, where="lec.ipynb, cell 7")


def test_plain_instructions():
    text = plain_instructions("## Exercise 2: shapes\n\nWrite `dense_backward`, **no loops**.\n")
    assert text == "Exercise 2: shapes. Write dense_backward, no loops."
    long = plain_instructions("A first sentence, long enough to be kept whole. " + "more words " * 60,
                              limit=100)
    assert long == "A first sentence, long enough to be kept whole."
    short_first = plain_instructions("Too short. " + "more words " * 60, limit=100)
    assert short_first.startswith("Too short. more words") and short_first.endswith(" ...")
    cut = plain_instructions("word " * 100, limit=50)
    assert len(cut) <= 54 and cut.endswith(" ...")
    with pytest.raises(TypeError, match="markdown must be a string, got int"):
        plain_instructions(3)


# --- exercises in a notebook ---------------------------------------------------------------

def test_find_exercises_pairs_solution_and_check():
    (ex,) = find_exercises(exercise_notebook(), "99_means.ipynb")
    assert (ex.solution_index, ex.check_indices, ex.function_name) == (3, (4,), "my_mean")
    assert ex.instructions == "Exercise 1: the mean. Write my_mean(x, axis) returning the mean along axis."


def test_two_check_cells_for_one_exercise_are_accepted():
    nb = exercise_notebook()
    nb.cells.insert(5, cell("code", "check_again(my_mean)", tags=["check"]))
    (ex,) = find_exercises(nb, "n.ipynb")
    assert ex.check_indices == (4, 5)


def test_exercise_without_checker_at_the_end():
    nb = exercise_notebook()
    nb.cells[4].metadata["tags"] = []
    with pytest.raises(EditionError, match=r"^99\.ipynb, cell 3: exercise without a checker.*my_mean"):
        find_exercises(nb, "99.ipynb")


def test_exercise_without_checker_before_the_next_exercise():
    nb = exercise_notebook()
    nb.cells[4].metadata["tags"] = []
    nb.cells.append(cell("code", "def other(x):\n    return x\n", tags=["solution"]))
    nb.cells.append(cell("code", "check(other)", tags=["check"]))
    with pytest.raises(EditionError, match=r"cell 3: exercise without a checker.*before the next exercise \(cell 9\)"):
        find_exercises(nb, "99.ipynb")


def test_checker_without_exercise():
    nb = exercise_notebook()
    nb.cells.insert(2, cell("code", "check(my_mean)", tags=["check"]))
    with pytest.raises(EditionError, match=r"^99\.ipynb, cell 2: checker without an exercise"):
        find_exercises(nb, "99.ipynb")


def test_check_after_an_ordinary_code_cell_is_a_checker_without_exercise():
    nb = exercise_notebook()
    nb.cells.insert(6, cell("code", "check(my_mean)", tags=["check"]))
    with pytest.raises(EditionError, match=r"cell 6: checker without an exercise"):
        find_exercises(nb, "99.ipynb")


def test_check_that_does_not_call_the_solution():
    nb = exercise_notebook()
    nb.cells[4].source = "check(np.mean)"
    with pytest.raises(EditionError, match=r"cell 4: the check cell does not use my_mean, defined by cell 3"):
        find_exercises(nb, "99.ipynb")


def test_malformed_solution_in_a_notebook_names_notebook_and_cell():
    nb = exercise_notebook()
    nb.cells[3].source = "def my_mean(x):\n    return x\nmy_mean(3)\n"
    with pytest.raises(EditionError, match=r"^99\.ipynb, cell 3: malformed solution cell"):
        make_student_notebook(nb, "99.ipynb")


@pytest.mark.parametrize("tags, match", [
    (["solution"], r"cell 2: a markdown cell is tagged \['solution'\]"),
    (["check"], r"cell 2: a markdown cell is tagged \['check'\]"),
])
def test_tagged_markdown_cell(tags, match):
    nb = exercise_notebook()
    nb.cells[2].metadata["tags"] = tags
    with pytest.raises(EditionError, match=match):
        find_exercises(nb, "99.ipynb")


def test_cell_tagged_both_ways():
    nb = exercise_notebook()
    nb.cells[3].metadata["tags"] = ["solution", "check"]
    with pytest.raises(EditionError, match="cell 3: a cell cannot be tagged .check. and .solution."):
        find_exercises(nb, "99.ipynb")


def test_bad_arguments():
    with pytest.raises(TypeError, match="nb must be a notebook read with nbformat.*got dict"):
        find_exercises({"cells": []}, "x.ipynb")
    with pytest.raises(TypeError, match="name must be a non-empty string"):
        find_exercises(exercise_notebook(), "")


def test_notebook_without_exercises_gets_only_the_note():
    nb = notebook(cell("markdown", "# 00 · Intro"), cell("code", "print(1)", outputs=[stream("1\n")]))
    student = make_student_notebook(nb, "00.ipynb")
    assert len(student.cells) == 3 and student.cells[2] == nb.cells[1]


# --- the student notebook --------------------------------------------------------------------

def test_dependent_cells_stop_at_a_rebinding():
    nb = exercise_notebook()
    (ex,) = find_exercises(nb, "99.ipynb")
    assert dependent_cells(nb, ex) == [5]  # cell 8 uses numpy's mean, bound in cell 7


def test_dependent_cells_see_through_ipython_syntax():
    nb = exercise_notebook()
    nb.cells[6].source = "%time result = my_mean(np.ones(3))"
    (ex,) = find_exercises(nb, "99.ipynb")
    assert dependent_cells(nb, ex) == [5, 6]


def test_student_notebook():
    nb = exercise_notebook()
    before = json.dumps(nb, sort_keys=True)
    student = make_student_notebook(nb, "99.ipynb")
    assert json.dumps(nb, sort_keys=True) == before, "the instructor edition must not change"
    nbformat.validate(student)
    note, cells = student.cells[1], student.cells[:1] + student.cells[2:]
    assert note.cell_type == "markdown" and "Student edition" in note.source
    assert note.metadata["slideshow"]["slide_type"] == "skip"
    solution, check, dependent, untouched = cells[3], cells[4], cells[5], cells[6]
    assert "raise NotImplementedError(" in solution.source and "np.sum" not in solution.source
    assert solution.metadata["tags"] == ["solution"]
    for c in (solution, check, dependent):
        assert c.outputs == [] and c.execution_count is None
    assert check.metadata["tags"] == ["check", RAISES_TAG]
    assert untouched.outputs == nb.cells[6].outputs and cells[8].outputs == nb.cells[8].outputs
    assert [c.source for c in cells if c is not solution] == [c.source for c in nb.cells if c is not nb.cells[3]]
    assert student.metadata["lecture_utils"]["edition"] == "student"


def test_write_student_editions(tmp_path):
    src = tmp_path / "notebooks"
    src.mkdir()
    nbformat.write(exercise_notebook(), src / "99_means.ipynb")
    nbformat.write(notebook(cell("markdown", "# 98 · Plain")), src / "98_plain.ipynb")
    written = write_student_editions([src / "99_means.ipynb", src / "98_plain.ipynb"], tmp_path / "student")
    assert [p.name for p in written] == ["99_means.ipynb", "98_plain.ipynb"]
    student = nbformat.read(written[0], as_version=4)
    assert "NotImplementedError" in student.cells[4].source


def test_write_is_all_or_nothing(tmp_path):
    good, bad = tmp_path / "01_good.ipynb", tmp_path / "02_bad.ipynb"
    nbformat.write(exercise_notebook(), good)
    broken = exercise_notebook()
    broken.cells[4].metadata["tags"] = []
    nbformat.write(broken, bad)
    with pytest.raises(EditionError, match=r"^02_bad\.ipynb, cell 3: exercise without a checker"):
        write_student_editions([good, bad], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_write_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="paths must name at least one notebook"):
        write_student_editions([], tmp_path)
    with pytest.raises(ValueError, match=r"paths must be existing \.ipynb files, got '.*missing\.ipynb'"):
        write_student_editions([tmp_path / "missing.ipynb"], tmp_path / "out")
    path = tmp_path / "01_x.ipynb"
    nbformat.write(exercise_notebook(), path)
    with pytest.raises(ValueError, match="out_dir must differ from the notebooks' folder"):
        write_student_editions([path], tmp_path)


# --- predict-then-run questions, cells that reveal an answer, plain-text stubs -----------------

def predict_notebook():
    return notebook(
        cell("markdown", "# 99 · Means\n\n**Learning goals.**\n- average"),
        cell("code", "import numpy as np", outputs=[]),
        cell("markdown", "**Predict.** What shape does the mean of a (2, 3) array along axis 0 have?"),
        cell("code", "mean_shape = (3,)", tags=["predict"]),
        cell("code", "check_prediction('99-mean-shape', mean_shape)", tags=["check"],
             outputs=[stream("RIGHT\n")]),
        cell("markdown", "The worked answer: $\\bar x = \\frac{1}{N} \\sum_n x_n$.", tags=["reveals"]),
        cell("code", "worked = np.ones((2, 2)).sum(axis=0) / 2", tags=["reveals"], outputs=[]),
        cell("code", "print('between')", outputs=[stream("between\n")]),
        cell("markdown", "## Exercise 1: the mean\n\nWrite `my_mean(x, axis)` returning $\\partial L/\\partial x$ "
                         "as a $D \\times K$ array, $\\mathbf{x}^\\top$ style."),
        cell("code", SOLUTION, tags=["solution"], outputs=[stream("defined\n")]),
        cell("code", "check(my_mean)", tags=["check"], outputs=[stream("PASS my_mean\n")]),
        cell("code", "print(worked)", outputs=[stream("[1. 1.]\n")]),
    )


def test_predictions_are_exercises_of_their_own_kind():
    exercises = find_exercises(predict_notebook(), "99.ipynb")
    assert [(e.kind, e.function_name, e.solution_index, e.check_indices) for e in exercises] == [
        ("prediction", "mean_shape", 3, (4,)), ("function", "my_mean", 9, (10,))]
    assert exercises[1].reveal_indices == (5, 6) and exercises[0].reveal_indices == ()


def test_student_edition_leaves_predictions_unanswered_and_moves_reveals_after_the_exercise():
    student = make_student_notebook(predict_notebook(), "99.ipynb")
    sources = [c.source for c in student.cells]
    predict = next(c for c in student.cells if "predict" in c.metadata.get("tags", []))
    assert predict.source.startswith("mean_shape = None") and "(3,)" not in predict.source
    check = sources.index("check(my_mean)")
    assert sources.index("worked = np.ones((2, 2)).sum(axis=0) / 2") == check + 2   # after the check
    assert sources.index("print('between')") < check
    assert sources.index("print(worked)") > sources.index("worked = np.ones((2, 2)).sum(axis=0) / 2")
    namespace = {}
    exec(predict.source, namespace)
    assert namespace["mean_shape"] is None


def test_stub_messages_are_plain_words_without_latex():
    student = make_student_notebook(predict_notebook(), "99.ipynb")
    stub = next(c for c in student.cells if "solution" in c.metadata.get("tags", []))
    message = stub.source.split("NotImplementedError(", 1)[1]
    assert "$" not in message and "\\" not in message
    assert "dL/dx" in message and "D x K" in message and "x^T" in message


@pytest.mark.parametrize("cells, match", [
    ([cell("code", "x = 1", tags=["reveals"])], "a cell tagged 'reveals' must come before the exercise"),
    ([cell("code", "worked = 2", tags=["reveals"]), cell("code", "print(worked)"),
      cell("code", SOLUTION, tags=["solution"]), cell("code", "check(my_mean)", tags=["check"])],
     "uses worked, defined by the cell tagged 'reveals'"),
    ([cell("code", "a, b = 1, 2", tags=["predict"])], "may only assign predictions"),
    ([cell("code", "guess = 3", tags=["predict"])], "exercise without a checker"),
    ([cell("markdown", "x", tags=["predict"])], "only code cells can be"),
])
def test_bad_predictions_and_reveals_are_named(cells, match):
    with pytest.raises(EditionError, match=match):
        find_exercises(notebook(cell("markdown", "# 99 · T"), *cells), "99.ipynb")


def test_student_notebook_drops_the_instructor_only_metadata():
    # A wrong answer is the solution but for one line: it must not travel in the student's file.
    nb = exercise_notebook()
    nb.cells[3].metadata["lecture_utils"] = {"answer": "my_mean(x)", "points": 3, "alt": "kept",
                                             "wrong_answer": "def my_mean(x):\n    return np.sum(x) / 2\n",
                                             "wrong_hint": "the mean divides by the count"}
    student = make_student_notebook(nb, "99.ipynb")
    solution = next(c for c in student.cells if "solution" in c.metadata.get("tags", []))
    assert solution.metadata["lecture_utils"] == {"points": 3, "alt": "kept"}
    assert "np.sum(x) / 2" not in json.dumps(student)
    assert nb.cells[3].metadata["lecture_utils"]["wrong_hint"] == "the mean divides by the count"
