"""Student editions: the committed notebooks with their answers taken out.

The committed notebooks are the instructor edition. An exercise is a code cell
tagged ``solution`` that defines one function, followed by a code cell tagged
``check`` that calls a checker from :mod:`lecture_utils.checks` on it. A
predict-then-run question is a code cell tagged ``predict`` that assigns the
prediction to a name (``db_shape = (1, 3)``), followed by a ``check`` cell that
calls :func:`lecture_utils.checks.check_prediction` on it. A cell (code or
markdown) tagged ``reveals`` computes or states the answer of the next exercise:
the instructor reads it before the exercise, the student only after solving it.
The student edition keeps every cell, but

* each solution cell keeps its imports, the function's signature and docstring,
  and gets the body ``raise NotImplementedError("<the exercise's instructions>")``,
  in plain words (the LaTeX of the markdown turned into text): the exercise's own
  markdown, from its heading on;
* each predict cell assigns ``None`` (the question stays unanswered);
* each ``reveals`` cell moves to just after the check cell(s) of the exercise it
  belongs to, the first one after it, so nothing on screen before an exercise
  gives its answer away;
* every output of the instructor's run is cleared (as in nbgrader's and Otter's
  released notebooks): printed results, figures, widget state and execution counts,
  so that nothing on screen answers a question before the student runs it;
* check cells get the tag ``raises-exception``, which JupyterLab, Notebook 7 and
  nbclient honour: *Run All* shows the checker's "not implemented yet" message
  at every unsolved exercise and carries on, since later cells never use the
  student's answers;
* a short note after the title explains all this to the student.

Badly formed exercises (a solution cell that is not exactly one function, a
solution without a check cell, a check cell without a solution) raise
:class:`EditionError`, whose message names the notebook and the cell index.

:func:`write_student_editions` writes the editions into a folder (``make student``,
``make lab``), with the course's notation page (``notation.md``) beside them, and never
overwrites a notebook the student has edited: each edition carries a fingerprint of its
cells, and a file whose cells no longer match it is kept and reported.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import io
import json
import os
import re
import shutil
import textwrap
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import nbformat

from .._validate import Spec, checked, integer, optional

SOLUTION_TAG = "solution"
CHECK_TAG = "check"
PREDICT_TAG = "predict"
REVEALS_TAG = "reveals"
# Honoured by JupyterLab / Notebook 7 (Run All goes on) and nbclient (no CellExecutionError).
RAISES_TAG = "raises-exception"

STUDENT_NOTE = """\
**Student edition.** This notebook is the lecture's notebook with the answers taken out.
Each exercise has a cell holding a function whose body is `raise NotImplementedError(...)`: replace
that line with your code and run the cell. The cell below it calls a *checker* from
`lecture_utils.checks`, which runs your function on several test cases of different shapes and either
prints one `PASS` line or stops with a message naming the likely mistake (a missing transpose, a wrong
axis, a forgotten $1/N$, ...). Until you write your code it stops with *this exercise is not implemented
yet*. Check cells are tagged `raises-exception`, so *Run All* shows that message and carries on: no
later cell uses your answers, the rest of the notebook runs as in the lecture. Nothing has been run yet:
the figures and printed results appear as you run the cells, so a *Predict* question can be answered
before its experiment shows the result."""

# Cell metadata (under lecture_utils) for the instructor and the tests only: the answer's
# expression, the patterns that state it (answer_text), and a wrong answer (the solution with one
# mistake) with its hint. The student edition drops them: a wrong answer is the solution but for one line.
INSTRUCTOR_ONLY_KEYS = ("answer", "answer_text", "wrong_answer", "wrong_hint")

class EditionError(ValueError):
    """A notebook whose exercises cannot be turned into a student edition."""


@dataclass(frozen=True)
class Exercise:
    """One exercise of a notebook: where its cells are and what it asks for.

    Attributes
    ----------
    solution_index : int
        Index (0-based, in ``nb.cells``) of the cell tagged ``solution`` (or ``predict``).
    check_indices : tuple of int
        Indices of the cells tagged ``check`` that call the function.
    function_name : str
        The function the solution cell defines (for a prediction: the name it assigns).
    instructions : str
        Plain text of the exercise's own markdown (:func:`exercise_markdown`: from its
        heading to the solution cell), all of it; empty when there is none.
    kind : str
        ``"function"`` for an exercise, ``"prediction"`` for a predict-then-run question.
    reveal_indices : tuple of int
        Cells tagged ``reveals`` before the exercise that belong to it.
    """

    solution_index: int
    check_indices: tuple
    function_name: str
    instructions: str
    kind: str = "function"
    reveal_indices: tuple = ()


def _where(name: str, index: int) -> str:
    return f"{name}, cell {index}"


def _tags(cell) -> list:
    return list(cell.get("metadata", {}).get("tags", []))


def _is_code_without_tags(cell) -> bool:
    return cell.cell_type == "code" and cell.source.strip() and not (
        {SOLUTION_TAG, CHECK_TAG, PREDICT_TAG, REVEALS_TAG} & set(_tags(cell)))


class _Text(Spec):
    """A string (``nonempty``: with something in it besides spaces)."""

    def __init__(self, what: str, nonempty: bool = True):
        self.nonempty = nonempty
        self.description = f"a{' non-empty' if nonempty else ''} string ({what})"

    def __call__(self, value, name, sizes):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be {self.description}, got {type(value).__name__} {value!r:.60}")
        if self.nonempty and not value.strip():
            raise ValueError(f"{name} must be {self.description}, got {value!r}")
        return value


class _Notebook(Spec):
    """A version-4 notebook as nbformat reads it: a NotebookNode whose ``cells`` is a list."""

    description = "a notebook read with nbformat (nbformat.read(path, as_version=4))"

    def __call__(self, value, name, sizes):
        if not isinstance(value, nbformat.NotebookNode) or not isinstance(value.get("cells"), list):
            raise TypeError(f"{name} must be {self.description}, a NotebookNode with a list of cells, "
                            f"got {type(value).__name__}")
        return value


class _Folder(Spec):
    """A folder path (str or os.PathLike), returned as a Path; it need not exist yet."""

    description = "a folder path (a str or pathlib.Path)"

    def __call__(self, value, name, sizes):
        if isinstance(value, bool) or not isinstance(value, (str, os.PathLike)):
            raise TypeError(f"{name} must be {self.description}, got {type(value).__name__} {value!r:.60}")
        if not str(value).strip():
            raise ValueError(f"{name} must be {self.description}, got an empty path")
        path = Path(value)
        if path.exists() and not path.is_dir():
            raise ValueError(f"{name} must be a folder, but {str(path)!r} is a file")
        return path


class _NotebookPaths(Spec):
    """A non-empty list (or other iterable) of paths to existing ``.ipynb`` files, returned as Paths."""

    description = "a list of paths to existing .ipynb files"

    def __call__(self, value, name, sizes):
        if isinstance(value, (str, bytes, os.PathLike)) or not hasattr(value, "__iter__"):
            raise TypeError(f"{name} must be {self.description} (a list, even for one notebook), "
                            f"got {type(value).__name__} {value!r:.60}")
        paths = []
        for p in value:
            if isinstance(p, bool) or not isinstance(p, (str, os.PathLike)):
                raise TypeError(f"{name} must be {self.description}, got an entry {type(p).__name__} {p!r:.60}")
            paths.append(Path(p))
        if not paths:
            raise ValueError(f"{name} must name at least one notebook, got none")
        for p in paths:
            if p.suffix != ".ipynb" or not p.is_file():
                raise ValueError(f"{name} must be existing .ipynb files, got {str(p)!r}")
        return paths


class _Texts(Spec):
    """A list (or tuple) of strings, such as markdown cells' sources."""

    description = "a list of strings (markdown cells' sources)"

    def __call__(self, value, name, sizes):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise TypeError(f"{name} must be {self.description}, got {type(value).__name__} {value!r:.60}")
        bad = [type(v).__name__ for v in value if not isinstance(v, str)]
        if bad:
            raise TypeError(f"{name} must be {self.description}, got an entry of type {bad[0]}")
        return list(value)


def string_argument(what: str, nonempty: bool = True) -> Spec:
    """A string argument (for ``@checked``); ``what`` says what it holds, quoted in the message."""
    return _Text(what, nonempty)


NOTEBOOK, NAME = _Notebook(), _Text("the notebook's file name")
WHERE = _Text("the notebook and cell, quoted in error messages")
SOURCE = _Text("a cell's source", nonempty=False)


def _matrix_as_text(match) -> str:
    """``\\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix}`` -> ``[a, b; c, d]``."""
    rows = [", ".join(entry.strip() for entry in row.split("&")) for row in re.split(r"\\\\", match.group(1))]
    return "[" + "; ".join(row for row in rows if row) + "]"


LATEX_WORDS = [
    (r"\\begin\{[bpv]?matrix\}(.*?)\\end\{[bpv]?matrix\}", _matrix_as_text),
    (r"\\(?:lVert|rVert|Vert)|\\\|", "||"), (r"\\(?:lvert|rvert|vert|mid)", "|"),
    (r"\\sqrt\s*\{([^{}]*)\}", r"sqrt(\1)"),
    (r"_\{([^{}]*)\}(?=[A-Za-z\\])", r"_\1 "),   # x_{nd}w_{dm}: x_nd w_dm, not x_ndw_dm
    (r"\^\{([^{}]*[^{}\w][^{}]*)\}", r"^(\1)"),  # theta^{k+1}: theta^(k+1)
    (r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"\1/\2"), (r"\\[dt]?frac\s*(\w)(\w)", r"\1/\2"),
    (r"\\(?:mathbf|mathrm|boldsymbol|operatorname|text|mathit|mathcal|textbf|bm)\s*\{([^{}]*)\}", r"\1"),
    (r"\\(?:mathbf|mathrm|boldsymbol|mathit|mathcal|bm)\s+(\w)", r"\1"),
    (r"\\lceil\s*", "ceil("), (r"\s*\\rceil", ")"), (r"\\lfloor\s*", "floor("), (r"\s*\\rfloor", ")"),
    (r"\\(?:tilde|widetilde)\s*\{([^{}]*)\}", r"\1~"), (r"\\(?:hat|widehat)\s*\{([^{}]*)\}", r"\1_hat"), (r"\\hat\s*(\w)", r"\1_hat"),
    (r"\\partial\s*", "d"), (r"\\times", " x "), (r"\\cdot", " . "), (r"\\odot", " * "), (r"\\star", " * "),
    (r"\^\s*\{?\\top\}?", "^T"), (r"\\top", "T"), (r"\\otimes", " (x) "), (r"\\ast", " * "),
    (r"\\(?:ldots|dots|cdots)", "..."), (r"\\le(?:q)?\b", "<="), (r"\\ge(?:q)?\b", ">="), (r"\\ne(?:q)?\b", "!="),
    (r"\\approx", "~"), (r"\\in\b", " in "), (r"\\to\b", "->"), (r"\\rightarrow", "->"), (r"\\leftarrow", "<-"),
    (r"\\sum", "sum"), (r"\\max", "max"), (r"\\log", "log"), (r"\\exp", "exp"), (r"\\sqrt", "sqrt"),
    (r"\\(?:left|right|big|Big|bigl|bigr|displaystyle)\b", ""), (r"\\[,;:! ]", " "), (r"\\quad|\\qquad", " "),
    (r"\\var(epsilon|phi|theta|rho|sigma)(?![A-Za-z])", r"\1"),
    (r"\\([A-Za-z]+)(?=\\[A-Za-z])", r"\1 "),   # two commands in a row stay two words: \nabla\theta
    (r"\\([A-Za-z]+)", r"\1"),          # Greek letters and the rest: \alpha -> alpha
]


@checked(text=_Text("markdown with LaTeX", nonempty=False))
def latex_to_text(text: str) -> str:
    """The LaTeX of a markdown cell as plain words: ``$\\partial J/\\partial W$`` -> ``dJ/dW``."""
    for pattern, replacement in LATEX_WORDS:
        text = re.sub(pattern, replacement, text)
    text = text.replace("$", "").replace("{", "").replace("}", "").replace("\\", "")
    return re.sub(r"[ \t]+", " ", text)


@checked(markdown=_Text("the exercise's markdown", nonempty=False),
         limit=optional(integer(20, 10**6)))
def plain_instructions(markdown: str, limit: int | None = None) -> str:
    """Markdown instructions as one line of plain text for an error message.

    Headings that only say "Exercise N: ..." are kept (they name the task), LaTeX is
    turned into plain words (:func:`latex_to_text`), markup characters are dropped and
    whitespace collapsed. The whole text by default (a stub's message is its exercise's
    complete instructions); with ``limit``, the whole sentences that fit in ``limit``
    characters, and at least the first one: never a sentence cut in the middle.

    Parameters
    ----------
    markdown : str
        The exercise's markdown cell(s).
    limit : int or None
        Number of characters the sentences kept should fit in; None keeps them all.
    """
    text = re.sub(r"^\s*#+\s*(.*?)\s*$", lambda m: m.group(1) + ("" if m.group(1)[-1:] in ".?!:" else "."),
                  markdown, flags=re.MULTILINE)                     # "## Ex 1: x" -> "Ex 1: x."
    text = latex_to_text(text)
    # code marks go, and emphasis marks outside code (a product inside code, `eta * db`, stays);
    # underscores belong to names
    text = "".join(part if i % 2 else re.sub(r"\*", "", part) for i, part in enumerate(text.split("`")))
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?<!\.)\.\.(?!\.)", ".", text)     # a doubled full stop, not an ellipsis (w[..., None])
    if limit is None or len(text) <= limit:
        return text
    sentences = re.split(r"(?<=[.?!])(?<!\be\.g\.)(?<!\bi\.e\.)\s+", text)   # "e.g. the" goes on
    kept = sentences[0]
    for sentence in sentences[1:]:
        if len(kept) + 1 + len(sentence) > limit:
            break
        kept += " " + sentence
    return kept


def _header_end_line(source: str, fn: ast.FunctionDef) -> int:
    """Line number (1-based) of the colon that ends the ``def`` signature."""
    depth, seen_def = 0, False
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.start[0] < fn.lineno:
            continue
        if tok.type == tokenize.NAME and tok.string == "def":
            seen_def = True
        elif seen_def and tok.type == tokenize.OP:
            if tok.string in "([{":
                depth += 1
            elif tok.string in ")]}":
                depth -= 1
            elif tok.string == ":" and depth == 0:
                return tok.start[0]
    raise AssertionError("a parsed function always has a signature colon")  # pragma: no cover


@checked(source=SOURCE, where=WHERE)
def parse_solution(source: str, where: str) -> ast.FunctionDef:
    """The one function a solution cell defines, or :class:`EditionError` naming ``where``.

    A solution cell may contain import statements and exactly one function
    definition, whose body starts on a line of its own (so the stub can keep
    the signature and the docstring).
    """
    try:
        module = ast.parse(source)
    except SyntaxError as exc:
        raise EditionError(f"{where}: malformed solution cell, it does not parse "
                           f"({exc.msg}, line {exc.lineno}).") from None
    functions = [s for s in module.body if isinstance(s, ast.FunctionDef)]
    others = [type(s).__name__ for s in module.body
              if not isinstance(s, (ast.FunctionDef, ast.Import, ast.ImportFrom))]
    if len(functions) != 1 or others:
        found = ", ".join([f"def {f.name}" for f in functions] + others) or "nothing"
        raise EditionError(f"{where}: malformed solution cell, it must define exactly one function "
                           f"(imports allowed) but holds: {found}.")
    fn = functions[0]
    if fn.body[0].lineno == _header_end_line(source, fn):
        raise EditionError(f"{where}: malformed solution cell, the body of {fn.name}() must start "
                           "on a new line after the signature.")
    return fn


@checked(source=SOURCE, where=WHERE)
def parse_prediction(source: str, where: str) -> list[str]:
    """The names a predict cell assigns (``db_shape = (1, 3)``), or :class:`EditionError` naming ``where``.

    A predict cell holds only simple assignments ``name = value`` (comments allowed).
    """
    try:
        module = ast.parse(source)
    except SyntaxError as exc:
        raise EditionError(f"{where}: malformed predict cell, it does not parse ({exc.msg}).") from None
    names = []
    for statement in module.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)):
            raise EditionError(f"{where}: malformed predict cell, it may only assign predictions "
                               "(name = value), one per line.")
        names.append(statement.targets[0].id)
    if not names:
        raise EditionError(f"{where}: malformed predict cell, it assigns no prediction.")
    return names


@checked(source=SOURCE, where=WHERE)
def unanswered_prediction(source: str, where: str = "predict cell") -> str:
    """The student's version of a predict cell: every prediction set to None, comments kept."""
    names = parse_prediction(source, where)
    lines = [f"{name} = None   # your prediction: replace None, then run the check below" for name in names]
    return "\n".join(lines) + "\n"


def _has_docstring(fn: ast.FunctionDef) -> bool:
    first = fn.body[0]
    return (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str))


@checked(source=SOURCE, instructions=_Text("the instructions", nonempty=False), where=WHERE)
def stub_source(source: str, instructions: str = "", where: str = "solution cell") -> str:
    """The student's version of a solution cell: same signature, no answer.

    Parameters
    ----------
    source : str
        The solution cell: imports and one function definition.
    instructions : str
        Plain-text instructions put in the ``NotImplementedError`` message.
    where : str
        Names the notebook and cell in error messages.

    Returns
    -------
    str
        The imports, the decorators, the signature and the docstring of the
        function, then ``raise NotImplementedError("...")``.
    """
    fn = parse_solution(source, where)
    lines = source.splitlines()
    imports = [ast.get_source_segment(source, s) for s in ast.parse(source).body
               if isinstance(s, (ast.Import, ast.ImportFrom))]
    first_line = min([fn.lineno] + [d.lineno for d in fn.decorator_list])
    keep_until = fn.body[0].end_lineno if _has_docstring(fn) else _header_end_line(source, fn)
    header = lines[first_line - 1:keep_until]
    indent = " " * fn.body[0].col_offset
    message = instructions or f"Write {fn.name}() as the instructions above and its docstring say."
    message += " Replace this line with your code, then run the check cell below."
    chunks = textwrap.wrap(message, width=max(30, 88 - len(indent) - 8), drop_whitespace=False)
    quoted = [f"{indent}    {_quote(chunk)}" for chunk in chunks]
    body = [f"{indent}raise NotImplementedError(", *quoted, f"{indent})"]
    return "\n".join(imports + header + body) + "\n"


def _quote(text: str) -> str:
    """A double-quoted Python string literal for ``text``."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal


def _python_of(source: str) -> str:
    """Cell source with IPython syntax (%magics, !shell) turned into Python."""
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(source)


def _names_used_and_bound(source: str):
    """(names read, names (re)bound at top level) by a code cell; None if it does not parse."""
    try:
        tree = ast.parse(_python_of(source))
    except SyntaxError:
        return None
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    bound = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return used, bound


def _uses(source: str, name: str) -> bool:
    word = re.compile(rf"\b{re.escape(name)}\b")
    parsed = _names_used_and_bound(source)
    if parsed is None or source.lstrip().startswith("%%"):  # unparsable, or a cell magic: whole words
        return word.search(source) is not None
    # Magics hide their Python inside a string (%time f(x)), so read those lines as words too.
    magic_lines = [line for line in source.splitlines() if line.lstrip().startswith(("%", "!"))]
    return name in parsed[0] or any(word.search(line) for line in magic_lines)


HEADING_LINE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]", re.MULTILINE)


@checked(markdown_cells=_Texts(), function_name=_Text("the exercise's function", nonempty=False))
def exercise_markdown(markdown_cells, function_name: str = "") -> str:
    """The exercise's own statement among the markdown cells that come before its solution cell.

    That is the text from the last heading on (``### Exercise 3: ...`` and what follows it),
    not the end of the previous section's discussion; without a heading, the last cell alone.
    With ``function_name``, the paragraphs that name the function (``Write `f(x)`...``) come
    right after the heading, so that a shortened message still says what to write.
    """
    text = markdown_cells[-1] if markdown_cells else ""
    for k in range(len(markdown_cells) - 1, -1, -1):
        headings = list(HEADING_LINE.finditer(markdown_cells[k]))
        if headings:
            text = "\n\n".join([markdown_cells[k][headings[-1].start():], *markdown_cells[k + 1:]])
            break
    if not function_name:
        return text
    paragraphs = [para for para in re.split(r"\n\s*\n", text) if para.strip()]
    head = paragraphs[:1] if paragraphs and HEADING_LINE.match(paragraphs[0]) else []
    rest = paragraphs[len(head):]
    naming = [para for para in rest if f"`{function_name}(" in para]
    return "\n\n".join(head + naming + [para for para in rest if para not in naming])


@checked(nb=NOTEBOOK, name=NAME)
def find_exercises(nb, name: str) -> list[Exercise]:
    """The exercises and predict-then-run questions of a notebook, checking that each is well formed.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A version-4 notebook.
    name : str
        The notebook's file name, quoted in error messages.

    Returns
    -------
    list of Exercise
        In notebook order.

    Raises
    ------
    EditionError
        A solution or predict tag on a non-code cell, a cell with two of the tags, a
        malformed solution or predict cell, one without a check cell after it, a check
        cell without one before it, a check cell that does not use it, or a ``reveals``
        cell with no exercise after it; the message names the cell.
    """
    records = []         # one dict per exercise, in notebook order
    pending = None       # the exercise whose solution awaits its first check cell
    just_checked = None  # the exercise just checked (a second check cell may follow)
    markdown_since = []  # markdown cells since the last code cell: the instructions
    reveals = []         # reveals cells waiting for their exercise
    for i, cell in enumerate(nb.cells):
        tags = set(_tags(cell))
        where = _where(name, i)
        roles = tags & {SOLUTION_TAG, CHECK_TAG, PREDICT_TAG}
        if len(roles) > 1:
            raise EditionError(f"{where}: a cell cannot be tagged {' and '.join(map(repr, sorted(roles)))}.")
        if roles and cell.cell_type != "code":
            raise EditionError(f"{where}: a {cell.cell_type} cell is tagged {sorted(roles)}; only code cells can be.")
        if REVEALS_TAG in tags and roles:
            raise EditionError(f"{where}: a cell tagged 'reveals' cannot also be tagged {sorted(roles)}.")
        if roles & {SOLUTION_TAG, PREDICT_TAG}:
            if pending is not None:
                raise EditionError(f"{_where(name, pending['solution'])}: exercise without a checker: "
                                   f"the cell defining {pending['name']} has no cell tagged "
                                   f"'check' before the next exercise (cell {i}).")
            if SOLUTION_TAG in roles:
                label, kind = parse_solution(cell.source, where).name, "function"
            else:
                label, kind = parse_prediction(cell.source, where)[0], "prediction"
            pending = {"solution": i, "name": label, "checks": [], "kind": kind, "reveals": tuple(reveals),
                       "instructions": plain_instructions(exercise_markdown(markdown_since, label))}
            records.append(pending)
            reveals, just_checked = [], None
        elif CHECK_TAG in roles:
            owner = pending or just_checked
            if owner is None:
                raise EditionError(f"{where}: checker without an exercise: no cell tagged 'solution' "
                                   "or 'predict' comes before this check cell (since the previous exercise).")
            if not _uses(cell.source, owner["name"]):
                raise EditionError(f"{where}: the check cell does not use {owner['name']}, defined by "
                                   f"cell {owner['solution']} above it.")
            owner["checks"].append(i)
            pending, just_checked = None, owner
        elif REVEALS_TAG in tags:
            reveals.append(i)
            continue
        elif cell.cell_type == "markdown":
            markdown_since.append(cell.source)
            continue
        elif _is_code_without_tags(cell):
            just_checked = None  # an ordinary code cell ends the exercise
        if cell.cell_type == "code" and cell.source.strip():
            markdown_since = []
    if pending is not None:
        raise EditionError(f"{_where(name, pending['solution'])}: exercise without a checker: the "
                           f"cell defining {pending['name']} has no cell tagged 'check' after it.")
    if reveals:
        raise EditionError(f"{_where(name, reveals[0])}: a cell tagged 'reveals' must come before the "
                           "exercise whose answer it gives away, but no exercise follows it.")
    exercises = [Exercise(r["solution"], tuple(r["checks"]), r["name"], r["instructions"], r["kind"],
                          r["reveals"]) for r in records]
    _check_reveals_are_movable(nb, name, exercises)
    return exercises


def _check_reveals_are_movable(nb, name, exercises):
    """A reveals cell moves after its exercise: no cell it would jump over may use what it defines."""
    for ex in exercises:
        for r in ex.reveal_indices:
            parsed = _names_used_and_bound(nb.cells[r].source) if nb.cells[r].cell_type == "code" else None
            bound = parsed[1] if parsed else set()
            for i in range(r + 1, max(ex.check_indices) + 1):
                cell = nb.cells[i]
                if i in ex.reveal_indices or cell.cell_type != "code":
                    continue
                used = _names_used_and_bound(cell.source)
                clash = sorted(bound & used[0]) if used else []
                if clash:
                    raise EditionError(f"{_where(name, i)}: uses {', '.join(clash)}, defined by the cell "
                                       f"tagged 'reveals' {r}, which the student edition moves after the "
                                       f"exercise {ex.function_name}; compute it in this cell or untag {r}.")


def _clear_outputs(cell) -> None:
    cell.outputs = []
    cell.execution_count = None
    cell.metadata.pop("execution", None)  # timestamps of the instructor's run


def cells_fingerprint(nb) -> str:
    """A short hash of a notebook's cell types and sources: what a student changes when answering.

    Outputs, execution counts and metadata are left out, so running a student edition does not
    change it; writing code in it does.
    """
    cells = json.dumps([[cell.cell_type, cell.source] for cell in nb.cells], ensure_ascii=False)
    return hashlib.sha256(cells.encode("utf-8")).hexdigest()[:16]


@checked(nb=NOTEBOOK, name=NAME)
def make_student_notebook(nb, name: str):
    """The student edition of one notebook (a new notebook; ``nb`` is not changed).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The instructor edition (version 4).
    name : str
        Its file name, quoted in error messages.

    Returns
    -------
    nbformat.NotebookNode
        Solution cells stubbed (see :func:`stub_source`), predictions unanswered, their
        check cells tagged ``raises-exception``, every output and the widget state of the
        instructor's run cleared, ``reveals`` cells moved after their exercise, the
        instructor-only metadata (:data:`INSTRUCTOR_ONLY_KEYS`) dropped, a note for
        students after the first cell, and the fingerprint of its cells
        (:func:`cells_fingerprint`) in ``metadata.lecture_utils.fingerprint``.
    """
    exercises = find_exercises(nb, name)
    student = copy.deepcopy(nb)
    for ex in exercises:
        cell = student.cells[ex.solution_index]
        where = _where(name, ex.solution_index)
        if ex.kind == "function":
            cell.source = stub_source(cell.source, ex.instructions, where)
        else:
            cell.source = unanswered_prediction(cell.source, where)
        for i in ex.check_indices:
            tags = student.cells[i].metadata.setdefault("tags", [])
            if RAISES_TAG not in tags:
                tags.append(RAISES_TAG)
    for cell in student.cells:
        if cell.cell_type == "code":
            _clear_outputs(cell)
        own = cell.metadata.get("lecture_utils")
        for key in INSTRUCTOR_ONLY_KEYS if isinstance(own, dict) else ():
            own.pop(key, None)
    student.metadata.pop("widgets", None)          # the widget state of the instructor's run
    student.cells = _reveals_moved(student.cells, exercises)
    note = nbformat.v4.new_markdown_cell(STUDENT_NOTE)
    note.metadata["slideshow"] = {"slide_type": "skip"}
    student.cells.insert(1 if student.cells else 0, note)
    meta = student.metadata.setdefault("lecture_utils", {})
    meta["edition"] = "student"
    meta["fingerprint"] = cells_fingerprint(student)
    nbformat.validate(student)
    return student


def _reveals_moved(cells, exercises) -> list:
    """The cells in student order: each exercise's reveals cells right after its last check cell."""
    after = {max(ex.check_indices): ex.reveal_indices for ex in exercises if ex.reveal_indices}
    moved = {i for ex in exercises for i in ex.reveal_indices}
    order = []
    for i in range(len(cells)):
        if i not in moved:
            order.append(i)
        order.extend(after.get(i, ()))
    return [cells[i] for i in order]


PATHS = _NotebookPaths()


@checked(paths=PATHS)
def notebook_paths(paths) -> list[Path]:
    """``paths`` as a non-empty list of Paths to existing ``.ipynb`` files, or an error naming the bad one."""
    return paths


# The students' page of symbols, shapes and conventions, beside the notebooks; every title cell links to it.
NOTATION_PAGE = "notation.md"


class StudentEditions(NamedTuple):
    """What :func:`write_student_editions` did.

    Attributes
    ----------
    written : list of Path
        The notebooks written (new, or replacing an edition nobody had edited), then the
        notation page when there is one.
    kept : list of Path
        Student editions already in the folder that hold edits (a student's answers): left
        exactly as they were, not replaced.
    """

    written: list
    kept: list


def _holds_edits(target: Path, fresh) -> bool:
    """True when ``target``, an existing file, may hold a student's work that writing ``fresh`` would lose.

    An edition carries the fingerprint of its cells (``metadata.lecture_utils.fingerprint``);
    a student who writes an answer changes the cells, so they no longer match it. A file
    without a fingerprint, or one that cannot be read as a notebook, may hold work too; a
    file whose cells are those of ``fresh`` loses nothing.
    """
    try:
        existing = nbformat.read(target, as_version=4)
    except Exception:                # not JSON, not a notebook, unreadable: it may still hold work
        return True
    cells = cells_fingerprint(existing)
    if cells == fresh.metadata["lecture_utils"]["fingerprint"]:
        return False
    return existing.metadata.get("lecture_utils", {}).get("fingerprint") != cells


@checked(paths=PATHS, out_dir=_Folder())
def write_student_editions(paths, out_dir) -> StudentEditions:
    """Write the student edition of each notebook into ``out_dir`` (same file names), and the notation page.

    Every notebook is checked before anything is written, so a bad exercise leaves no
    half-made folder behind. A student edition already in ``out_dir`` is replaced only if
    nobody edited it (:func:`holds_edits`); an edited one is kept as it is and listed in
    ``kept``, so that re-running ``make student`` never loses a student's answers. The
    notebooks' ``notation.md``, when there is one, is copied beside them (their title
    cells link to it).

    Parameters
    ----------
    paths : list of path-like
        Instructor notebooks (``.ipynb``).
    out_dir : path-like
        Folder for the student editions; created if needed; not the notebooks' own folder.

    Returns
    -------
    StudentEditions
        ``written`` (in the order of ``paths``, then the notation page) and ``kept``.
    """
    for p in paths:
        if (out_dir / p.name).resolve() == p.resolve():
            raise ValueError(f"out_dir must differ from the notebooks' folder: {str(out_dir)!r} would "
                             f"overwrite the instructor edition {p.name}")
    editions = [make_student_notebook(nbformat.read(p, as_version=4), p.name) for p in paths]
    out_dir.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    for p, student in zip(paths, editions):
        target = out_dir / p.name
        if target.exists() and _holds_edits(target, student):
            kept.append(target)
            continue
        nbformat.write(student, target)
        written.append(target)
    page = next((p.parent / NOTATION_PAGE for p in paths if (p.parent / NOTATION_PAGE).is_file()), None)
    if page is not None:
        shutil.copyfile(page, out_dir / NOTATION_PAGE)
        written.append(out_dir / NOTATION_PAGE)
    return StudentEditions(written, kept)
