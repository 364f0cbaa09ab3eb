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

An answer can also be given away in words, code or pictures: a printed line of code, a
formula in a markdown cell, a label drawn in a figure or a diagram. The solution cell's
``lecture_utils.answer_text`` metadata lists regular expressions that state the answer (in
code and in LaTeX); nothing the student sees before the exercise may match one: no
markdown or code cell, no output (text, HTML, LaTeX, SVG), no figure's alt text, and no text drawn in a figure
(every Text artist of every figure rendered, recorded by a hook the test installs in the
kernel). Each pattern must match something in the instructor edition, at least one of
them the solution itself, so that a pattern that describes nothing fails too.
"""

import html
import inspect
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lecture_utils.course.editions import (CHECK_TAG, SOLUTION_TAG, exercise_markdown, find_exercises,
                                           make_student_notebook, plain_instructions)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# The messages of lecture_utils.checks for a stub and for an unanswered prediction.
NOT_ANSWERED = ("this exercise is not implemented yet", "write your prediction first")
PROBE = "ANSWER-PROBE "
# Installed first in the kernel: every figure rendered (inline, in a widget, saved) leaves its
# texts (titles, labels, annotations, tick labels, legend entries) with the cell that drew it.
FIGURE_TEXT_HOOK = """
import builtins as _builtins, matplotlib.backend_bases as _backend_bases, matplotlib.text as _mtext
_FIGURE_TEXTS = _builtins.__dict__.setdefault("_lecture_figure_texts", [])
_print_figure = _backend_bases.FigureCanvasBase.print_figure
def _print_figure_recording_texts(self, *args, **kwargs):
    result = _print_figure(self, *args, **kwargs)
    _FIGURE_TEXTS.extend([get_ipython().execution_count, t.get_text()] for t in self.figure.findobj(_mtext.Text)
                         if t.get_visible() and t.get_text().strip())
    return result
_backend_bases.FigureCanvasBase.print_figure = _print_figure_recording_texts
_builtins._lecture_hook_count = get_ipython().execution_count   # IPython's count while a cell runs, for this one
"""
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
    import builtins
    print("ANSWER-PROBE " + _json.dumps({{"name": name, "answers": reports, "figure_texts": builtins._lecture_figure_texts,
                                          "hook_count": builtins._lecture_hook_count}}))
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


def answer_patterns(instructor, name):
    """Exercise function name -> the regular expressions its solution cell declares as stating its answer."""
    return {ex.function_name: instructor.cells[ex.solution_index].metadata.get("lecture_utils", {})
            .get("answer_text", []) for ex in find_exercises(instructor, name) if ex.kind == "function"}


def with_answer_probes(instructor, student, name):
    """The student edition with a probe cell before each exercise's solution cell (and the figure hook first)."""
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
    hook = new_code_cell(FIGURE_TEXT_HOOK)
    hook.metadata["tags"] = ["answer-probe"]
    cells = [hook]
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


TEXT_MIMETYPES = ("text/plain", "text/html", "text/markdown", "text/latex", "image/svg+xml")


def output_texts(output):
    """The text a reader sees in one output: a stream, or each text-like representation (SVG: its <text>)."""
    if output["output_type"] == "stream":
        return [output.get("text", "")]
    if output["output_type"] == "error":
        return ["\n".join(output.get("traceback", []))]
    texts = []
    for mimetype in TEXT_MIMETYPES:
        value = output.get("data", {}).get(mimetype)
        if value is None:
            continue
        value = "".join(value) if isinstance(value, list) else value
        if mimetype == "image/svg+xml":
            value = " ".join(html.unescape(t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", value, re.S))
        texts.append(value)
    return texts


def alt_texts(cell):
    """The alt texts a cell gives its figures (metadata ``lecture_utils.alt``): what a screen reader says."""
    alt = cell.metadata.get("lecture_utils", {}).get("alt", [])
    return [alt] if isinstance(alt, str) else list(alt)


def visible_before(nb, index, figure_texts=()):
    """Everything a student sees above cell ``index``: (where, text) for each markdown and code cell,
    each output and each text drawn in a figure (``figure_texts``: (execution count, text) pairs)."""
    seen, counts = [], {}
    for i, cell in enumerate(nb.cells[:index]):
        if "answer-probe" in cell.metadata.get("tags", []):
            continue
        where = f"cell {i} (id {cell.get('id')})"
        seen.append((f"{where}, its {cell.cell_type} source", cell.source))
        seen.extend((f"{where}, its figure's alt text", alt) for alt in alt_texts(cell))
        if cell.cell_type == "code":
            if cell.execution_count is not None:
                counts[cell.execution_count] = where
            seen.extend((f"{where}, an output", text) for out in cell.get("outputs", []) for text in output_texts(out))
    seen.extend((f"{counts[count]}, a text drawn in its figure", text) for count, text in figure_texts
                if count in counts)
    return seen


def stated_answers(patterns, seen):
    """(pattern, where, excerpt) for every pattern that matches something seen."""
    found = []
    for pattern in patterns:
        for where, text in seen:
            match = re.search(pattern, text)
            if match:
                excerpt = text[max(0, match.start() - 60):match.end() + 60].replace("\n", " ")
                found.append((pattern, where, excerpt))
                break
    return found


def printed_before(nb, index):
    """Text every code cell before ``index`` printed (streams, and text, HTML, LaTeX and SVG results)."""
    texts = []
    for cell in nb.cells[:index]:
        if "answer-probe" in cell.metadata.get("tags", []):
            continue                      # the probes' own reports
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            texts.extend(output_texts(out))
    return texts


def probe_reports(student):
    """(cell index, report) of every answer probe of an executed student edition, in order.

    A report's figure texts carry the execution count IPython had while their figure was drawn;
    they are renumbered to the count the notebook shows for that cell (the hook, cell 0, knows both).
    """
    for i, cell in enumerate(student.cells):
        stdout = [o["text"] for o in cell.get("outputs", []) if o.get("name") == "stdout" and PROBE in o["text"]]
        if "answer-probe" in cell.metadata.get("tags", []) and stdout:
            report = json.loads(stdout[0].split(PROBE, 1)[1])
            offset = report["hook_count"] - student.cells[0].execution_count
            report["figure_texts"] = [(count - offset, text) for count, text in report["figure_texts"]]
            yield i, report


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
    patterns = answer_patterns(instructor, path.name)
    seen = set()
    for i, report in probe_reports(student):
        seen.add(report["name"])
        for answer in report["answers"]:
            assert not answer["hits"], (
                f"before exercise {report['name']}, the student edition already holds its answer "
                f"({answer['expression']}) in {answer['hits']}: tag the cell that computes it 'reveals'")
            assert not shows_the_numbers(printed_before(student, i), answer["values"]), (
                f"before exercise {report['name']}, an output prints its answer ({answer['expression']}) "
                f"{answer['values'][:6]}: tag that cell 'reveals'")
        stated = stated_answers(patterns[report["name"]], visible_before(student, i, report["figure_texts"]))
        assert not stated, "\n".join(
            f"before exercise {report['name']}, {where} states its answer (matches {pattern!r}): ...{excerpt}...: "
            "tag that cell 'reveals' (it moves after the exercise) or change what it shows" for pattern, where, excerpt in stated)
    assert seen == expected


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_answer_patterns_describe_the_answer_and_no_source_before_the_exercise_states_it(path):
    """Fast and without a kernel: the patterns are real, and no cell's source before an exercise matches one."""
    instructor = nbformat.read(path, as_version=4)
    student = make_student_notebook(instructor, path.name)
    everything = [text for c in instructor.cells
                  for text in [c.source, *alt_texts(c)] + [t for o in c.get("outputs", []) for t in output_texts(o)]]
    for ex in find_exercises(instructor, path.name):
        if ex.kind != "function":
            continue
        patterns = answer_patterns(instructor, path.name)[ex.function_name]
        solution = instructor.cells[ex.solution_index].source
        for pattern in patterns:
            assert any(re.search(pattern, text) for text in everything), (
                f"{path.name}, exercise {ex.function_name}: the answer pattern {pattern!r} matches nothing in the "
                "instructor edition, so it cannot describe the answer")
        assert not patterns or any(re.search(pattern, solution) for pattern in patterns), (
            f"{path.name}, exercise {ex.function_name}: none of its answer patterns matches its own solution")
        index = next(i for i, c in enumerate(student.cells) if SOLUTION_TAG in c.metadata.get("tags", [])
                     and re.search(rf"^def {ex.function_name}\b", c.source, re.M))
        stated = stated_answers(patterns, visible_before(student, index + 1))    # the stub itself too
        assert not stated, f"{path.name}, before exercise {ex.function_name} or in its stub: {stated}"


STUB_END = " Replace this line with your code, then run the check cell below."
# What the exercises of 02 say about the package's functions, which each stub must carry (the checkers refuse
# every other call of lecture_utils).
ALLOWED_SAID = {"reduce_1d": "no function of lecture_utils", "expand_1d": "no function of lecture_utils",
                "build_laplacian": "(not laplacian_pyramid or gaussian_pyramid)", "collapse": "(not reconstruct)",
                "blend_images": "You may use laplacian_pyramid, gaussian_pyramid and reconstruct"}


def stub_message(source, name):
    """The message of the NotImplementedError that the stub ``source`` of function ``name`` raises."""
    namespace = {}
    exec(compile(source, f"<stub of {name}>", "exec"), namespace)
    fn = namespace[name]
    with pytest.raises(NotImplementedError) as info:
        fn(*[None] * len(inspect.signature(fn).parameters))
    return str(info.value)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_stub_raises_with_its_exercise_s_instructions_complete(path):
    """Fast and without a kernel: every paragraph of the exercise's statement is in its stub's message, whole
    (a stub once stopped after 300 characters, mid-sentence, with "..."), and 02's stubs say which of the
    package's functions the exercise allows."""
    instructor = nbformat.read(path, as_version=4)
    student = make_student_notebook(instructor, path.name)
    for ex in find_exercises(instructor, path.name):
        if ex.kind != "function":
            continue
        stub = next(c for c in student.cells if SOLUTION_TAG in c.metadata.get("tags", [])
                    and re.search(rf"^def {ex.function_name}\b", c.source, re.M))
        message = stub_message(stub.source, ex.function_name)
        assert message.endswith(STUB_END), message
        instructions = message[:-len(STUB_END)]
        assert instructions[-1:] in ".?!)" and not instructions.endswith(" ..."), (
            f"{path.name}, {ex.function_name}: the stub's instructions stop mid-sentence: ...{instructions[-80:]}")
        cells = [c.source for c in instructor.cells[:ex.solution_index] if c.cell_type == "markdown"]
        statement = exercise_markdown(cells[-3:], ex.function_name)
        for paragraph in re.split(r"\n\s*\n", statement):
            assert plain_instructions(paragraph) in instructions, (
                f"{path.name}, {ex.function_name}: the stub leaves out {plain_instructions(paragraph)[:120]!r}")
        if path.name.startswith("02_"):
            assert ALLOWED_SAID[ex.function_name] in instructions, (ex.function_name, instructions)


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


def test_an_answer_drawn_in_a_figure_before_the_exercise_is_found():
    # The figure's title states the answer; the cell's source does not (it assembles the words).
    nb = small_course_notebook("print('after the exercise')")
    nb.cells[2].metadata["lecture_utils"] = {"answer": "grad(np.ones(3), np.zeros(3))",
                                             "answer_text": [r"2\s*\*\s*\(\s*y_hat\s*-\s*y\s*\)"]}
    drawing = new_code_cell("import numpy as np\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
                            "ax.set_title('dL/dy_hat = ' + ' * '.join(['2', '(y_hat - y)']) + ' / N')\nplt.show()")
    drawing.metadata["slideshow"] = {"slide_type": "-"}
    nb.cells.insert(1, drawing)
    student, _ = with_answer_probes(nb, make_student_notebook(nb, "99.ipynb"), "99.ipynb")
    (i, report), = probe_reports(execute(student))
    stated = stated_answers(answer_patterns(nb, "99.ipynb")["grad"], visible_before(student, i, report["figure_texts"]))
    assert [(where.split(", ", 1)[1], excerpt.strip()) for _, where, excerpt in stated] == [
        ("a text drawn in its figure", "dL/dy_hat = 2 * (y_hat - y) / N")]


def test_the_text_of_every_kind_of_output_is_read():
    svg = new_output("display_data", data={"image/svg+xml": '<svg><text x="1">B_t e&lt;i alpha&gt;</text></svg>',
                                           "text/plain": "<Figure>"})
    assert output_texts(svg) == ["<Figure>", "B_t e<i alpha>"]
    assert output_texts(new_output("stream", name="stdout", text="db = g.sum(axis=0)")) == ["db = g.sum(axis=0)"]
    assert output_texts(new_output("execute_result", data={"text/html": "<b>x.T @ g</b>"},
                                   execution_count=1)) == ["<b>x.T @ g</b>"]


def test_a_cell_using_the_students_answer_breaks_the_run():
    # The contract says later cells must not use the student's function; if one does, the run fails.
    student = make_student_notebook(small_course_notebook("print(grad(1.0, 0.0))"), "99.ipynb")
    with pytest.raises(CellExecutionError, match="NotImplementedError"):
        execute(student)
