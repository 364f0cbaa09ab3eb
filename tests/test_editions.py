"""The student-edition generator (lecture_utils.course.editions) on small hand-made notebooks."""

import ast
import inspect
import json
import tempfile
from pathlib import Path

import nbformat
import pytest
from bad_input import Case, check_refused, expand
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lecture_utils.course.editions import (
    NOTATION_PAGE,
    RAISES_TAG,
    EditionError,
    exercise_markdown,
    find_exercises,
    latex_to_text,
    make_student_notebook,
    notebook_paths,
    parse_prediction,
    parse_solution,
    plain_instructions,
    stub_source,
    unanswered_prediction,
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
    # The whole text by default: a stub raises with its exercise's complete instructions.
    whole = plain_instructions("A first sentence. " + "More words, e.g. these. " * 40)
    assert whole.endswith("these.") and whole.count("More words") == 40
    # With a limit, whole sentences only: never one cut in the middle ("e.g. these" is not a sentence end).
    long = plain_instructions("A first sentence, long enough to be kept whole. " + "more words " * 60,
                              limit=100)
    assert long == "A first sentence, long enough to be kept whole."
    two = plain_instructions("First. Second one, e.g. this. " + "Third, far too long " * 20 + ".", limit=60)
    assert two == "First. Second one, e.g. this."
    one_long_sentence = "word " * 100
    assert plain_instructions(one_long_sentence, limit=50) == one_long_sentence.strip()
    assert plain_instructions("Keep `w[..., None]` and the ellipsis ... too.") == "Keep w[..., None] and the ellipsis ... too."
    assert plain_instructions("### Predict: how many?\n\nCount them.") == "Predict: how many? Count them."
    with pytest.raises(TypeError, match="markdown must be a string .*got int"):
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


def test_notebook_without_exercises_gets_only_the_note():
    nb = notebook(cell("markdown", "# 00 · Intro"), cell("code", "print(1)", outputs=[stream("1\n")]))
    student = make_student_notebook(nb, "00.ipynb")
    assert len(student.cells) == 3 and student.cells[2].source == nb.cells[1].source
    assert student.cells[2].outputs == [] and student.cells[2].execution_count is None


# --- the student notebook --------------------------------------------------------------------

def test_student_notebook():
    nb = exercise_notebook()
    before = json.dumps(nb, sort_keys=True)
    student = make_student_notebook(nb, "99.ipynb")
    assert json.dumps(nb, sort_keys=True) == before, "the instructor edition must not change"
    nbformat.validate(student)
    note, cells = student.cells[1], student.cells[:1] + student.cells[2:]
    assert note.cell_type == "markdown" and "Student edition" in note.source
    assert note.metadata["slideshow"]["slide_type"] == "skip"
    solution, check = cells[3], cells[4]
    assert "raise NotImplementedError(" in solution.source and "np.sum" not in solution.source
    assert solution.metadata["tags"] == ["solution"]
    # Nothing of the instructor's run survives: not the exercise's outputs, not any other cell's.
    for c in cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None and "execution" not in c.metadata
    assert check.metadata["tags"] == ["check", RAISES_TAG]
    assert [c.source for c in cells if c is not solution] == [c.source for c in nb.cells if c is not nb.cells[3]]
    assert student.metadata["lecture_utils"]["edition"] == "student"


def test_write_student_editions(tmp_path):
    src = tmp_path / "notebooks"
    src.mkdir()
    nbformat.write(exercise_notebook(), src / "99_means.ipynb")
    nbformat.write(notebook(cell("markdown", "# 98 · Plain")), src / "98_plain.ipynb")
    written, kept = write_student_editions([src / "99_means.ipynb", src / "98_plain.ipynb"], tmp_path / "student")
    assert [p.name for p in written] == ["99_means.ipynb", "98_plain.ipynb"] and kept == []
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


def test_write_refuses_the_notebooks_own_folder(tmp_path):
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


# --- the stub's instructions are its own exercise's ----------------------------------------------

def test_instructions_start_at_the_exercise_heading():
    nb = exercise_notebook()
    nb.cells.insert(2, cell("markdown", "Along an edge the amplitude is large: the previous section's discussion."))
    (ex,) = find_exercises(nb, "99.ipynb")
    assert ex.instructions.startswith("Exercise 1: the mean. Write my_mean(x, axis)")
    assert "Along an edge" not in ex.instructions
    student = make_student_notebook(nb, "99.ipynb")
    stub = next(c for c in student.cells if "solution" in c.metadata.get("tags", []))
    assert "Along an edge" not in stub.source and "Exercise 1: the mean" in stub.source


@pytest.mark.parametrize("cells, expected", [
    (["Discussion.", "### Exercise 2: x\n\nDo it.", "More of it."], "### Exercise 2: x\n\nDo it.\n\nMore of it."),
    (["Discussion, then\n\n## Exercise 3\nDo it."], "## Exercise 3\nDo it."),
    (["Only a paragraph.", "Another one."], "Another one."),        # no heading: the nearest cell
    ([], ""),
])
def test_exercise_markdown(cells, expected):
    assert exercise_markdown(cells) == expected


# --- a student's edited notebook is never overwritten; the notation page comes along ----------

def write_course(tmp_path, notation=True):
    src = tmp_path / "notebooks"
    src.mkdir(parents=True)
    nbformat.write(exercise_notebook(), src / "99_means.ipynb")
    if notation:
        (src / NOTATION_PAGE).write_text("# Symbols and conventions\n")
    return [src / "99_means.ipynb"], tmp_path / "student"


def test_the_notation_page_is_copied_beside_the_student_editions(tmp_path):
    paths, out = write_course(tmp_path)
    written, _ = write_student_editions(paths, out)
    assert written == [out / "99_means.ipynb", out / NOTATION_PAGE]
    assert (out / NOTATION_PAGE).read_text() == "# Symbols and conventions\n"
    assert write_student_editions(*write_course(tmp_path / "b", notation=False)).written[-1].suffix == ".ipynb"


def test_an_untouched_edition_is_refreshed_and_an_edited_one_is_kept(tmp_path):
    paths, out = write_course(tmp_path)
    write_student_editions(paths, out)
    target = out / "99_means.ipynb"
    # Run, not edited: outputs and execution counts change, the cells do not -> replaced.
    ran = nbformat.read(target, as_version=4)
    ran.cells[2].outputs = [stream("ran\n")]
    nbformat.write(ran, target)
    written, kept = write_student_editions(paths, out)
    assert target in written and kept == [] and nbformat.read(target, as_version=4).cells[2].outputs == []
    # The student wrote an answer -> kept byte for byte, reported.
    edited = nbformat.read(target, as_version=4)
    stub = next(c for c in edited.cells if "solution" in c.metadata.get("tags", []))
    stub.source = stub.source.replace("raise NotImplementedError(", "return np.mean(x, axis=axis)\n    (")
    nbformat.write(edited, target)
    before = target.read_bytes()
    written, kept = write_student_editions(paths, out)
    assert kept == [target] and target not in written and target.read_bytes() == before


@pytest.mark.parametrize("content", [
    "{not json",                                                       # unreadable: may hold work
    nbformat.writes(notebook(cell("markdown", "# my own notes"))),     # a notebook without a fingerprint
], ids=["not json", "a notebook without a fingerprint"])   # fixed ids: a new cell's id is random, and the
# pytest-xdist workers must collect the same tests
def test_a_file_that_is_not_an_untouched_edition_is_kept(tmp_path, content):
    paths, out = write_course(tmp_path)
    out.mkdir()
    (out / "99_means.ipynb").write_text(content)
    assert write_student_editions(paths, out).kept == [out / "99_means.ipynb"]
    assert (out / "99_means.ipynb").read_text() == content


def test_an_edition_from_before_the_fingerprint_is_replaced_when_its_cells_are_the_new_ones(tmp_path):
    paths, out = write_course(tmp_path)
    write_student_editions(paths, out)
    old = nbformat.read(out / "99_means.ipynb", as_version=4)
    del old.metadata["lecture_utils"]["fingerprint"]
    nbformat.write(old, out / "99_means.ipynb")
    assert write_student_editions(paths, out).kept == []


def test_the_cli_names_a_kept_notebook_and_what_to_do(tmp_path, capsys):
    from lecture_utils.course.cli import main
    paths, out = write_course(tmp_path)
    out.mkdir()
    (out / "99_means.ipynb").write_text("{my answers")
    assert main(["student", "--out", str(out), str(paths[0])]) == 0
    message = capsys.readouterr().err
    assert "kept" in message and "99_means.ipynb" in message and "rename yours" in message


def test_widget_state_of_the_instructor_run_is_dropped():
    nb = exercise_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    assert "widgets" not in make_student_notebook(nb, "99.ipynb").metadata


# --- bad arguments: one clear error naming the argument, before any work ------------------------

_COURSE = tempfile.TemporaryDirectory()          # a tiny course for the table's good calls
_NOTEBOOK_PATH = Path(_COURSE.name) / "99_means.ipynb"
nbformat.write(exercise_notebook(), _NOTEBOOK_PATH)

BAD_INPUT_TABLE = [
    Case(find_exercises, dict(nb=exercise_notebook(), name="99_means.ipynb"), {"nb": "notebook", "name": "name"}),
    Case(make_student_notebook, dict(nb=exercise_notebook(), name="99_means.ipynb"),
         {"nb": "notebook", "name": "name"}),
    Case(stub_source, dict(source=SOLUTION, instructions="Write it.", where="99.ipynb, cell 3"),
         {"source": "source", "instructions": "source", "where": "name"}),
    Case(plain_instructions, dict(markdown="## Exercise 1\n\nWrite it.", limit=100),
         {"markdown": "source", "limit": "optional count"}),
    Case(latex_to_text, dict(text="$\\partial J/\\partial W$"), {"text": "source"}),
    Case(parse_solution, dict(source=SOLUTION, where="99.ipynb, cell 3"), {"source": "source", "where": "name"}),
    Case(parse_prediction, dict(source="guess = 3", where="99.ipynb, cell 3"), {"source": "source", "where": "name"}),
    Case(unanswered_prediction, dict(source="guess = 3", where="99.ipynb, cell 3"),
         {"source": "source", "where": "name"}),
    Case(notebook_paths, dict(paths=[_NOTEBOOK_PATH]), {"paths": "notebook paths"}),
    Case(exercise_markdown, dict(markdown_cells=["## Exercise 1\n\nWrite `f(x)`."], function_name="f"),
         {"markdown_cells": "texts", "function_name": "source"}),
    Case(write_student_editions, dict(paths=[_NOTEBOOK_PATH], out_dir=Path(_COURSE.name) / "student"),
         {"paths": "notebook paths", "out_dir": "folder"}),
]
_BAD_CALLS, _BAD_IDS = expand(BAD_INPUT_TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", _BAD_CALLS, ids=_BAD_IDS)
def test_bad_arguments_are_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)


def test_a_bad_argument_is_refused_before_any_work(tmp_path):
    out = tmp_path / "student"
    with pytest.raises(TypeError, match="out_dir must be a folder path"):
        write_student_editions([_NOTEBOOK_PATH], None)
    with pytest.raises(ValueError, match="paths must be existing .ipynb files"):
        write_student_editions([_NOTEBOOK_PATH, tmp_path / "missing.ipynb"], out)
    assert not out.exists()


def test_a_shortened_message_still_says_what_to_write():
    cells = ["### Exercise 2: a derivation\n\nA long motivation. " + "More words. " * 40,
             "Write `steepest_step(params, grads, step_length)` returning the parameters after the step."]
    text = exercise_markdown(cells, "steepest_step")
    assert text.startswith("### Exercise 2: a derivation\n\nWrite `steepest_step(")
    assert plain_instructions(text, limit=300).startswith(
        "Exercise 2: a derivation. Write steepest_step(params, grads, step_length)")


def test_latex_commands_in_a_row_stay_words():
    assert latex_to_text(r"$\theta + \eta\,\nabla\theta$, $\varepsilon$") == "theta + eta nabla theta, epsilon"
