"""Grade one submission with the course's checkers, without ever running its code in this process.

A submission's cells run in a :class:`~.sandbox.SubmissionProcess`; the checkers run here and
call the student's functions through :class:`~.sandbox.StudentFunction`, which carries inputs
there and plain numbers back. So nothing the notebook does (replace a checker, patch numpy or
builtins, swap ``sys.modules``, return an array whose class lies, read its caller's frames)
reaches the code that decides the score: the reference values never exist in the student's
process. What the student's process reports about such attempts is a note in the feedback and
scores the tampered question 0.

Time limits: the cells get ``notebook_seconds`` (a cell past it, or one that ends the process, is
skipped, noted, and the rest run again without it), every graded part ``answer_seconds``, the whole
submission ``total_seconds``; past a limit a part scores 0 with "timed out after N s" and grading
goes on. Files the grader reads (the package, numpy) are watched: a submission that changes one
scores 0 (:func:`watched_files`).

Only the cells the graded functions need run: the cell defining each function and, transitively,
the cells defining the names those read (cells that only draw, train or print are skipped; later
cells never depend on the answers). If an answer then fails with a NameError, the submission is
graded again with every cell but the check cells.

Each output an exercise returns (``compare("dJ/dw", ...)`` in its checker) is a part of its own,
with its share of the points; an answer that raises after computing some outputs is graded on
those (the others score 0 with the exception's message).

Command line (what the Otter tests run, one submission): ``python -I -m lecture_utils.course.grading
--config grading.json --json result.json submission.ipynb``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import io
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..checks import _core
from ..checks._core import CheckFailure
from .sandbox import NotAnAnswer, ProcessEnded, StudentFunction, SubmissionProcess, TimedOut

PACKAGE = Path(__file__).resolve().parents[1]
CONFIG_FORMAT = 1
GROUPS = ("visible", "hidden")
MAX_HUNG_CELLS = 3
SLOWER_THAN_REFERENCE = 5          # default limits: this many times the reference run ...
MIN_NOTEBOOK_SECONDS = 60.0        # ... but never below these (a slower machine, a loaded one)
MIN_ANSWER_SECONDS = 10.0


class GradingError(ValueError):
    """A configuration or argument the grader cannot work with."""


@dataclass(frozen=True)
class Limits:
    """Seconds allowed: all of a submission's cells, one graded part, one whole submission."""

    notebook_seconds: float
    answer_seconds: float
    total_seconds: float

    def __post_init__(self):
        for name in ("notebook_seconds", "answer_seconds", "total_seconds"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise GradingError(f"{name} must be a positive number of seconds, got {value!r}")


def default_limits(config: dict, notebook_seconds=None, answer_seconds=None) -> Limits:
    """The limits of a configuration (a few times its reference run), overridden where given."""
    notebook = notebook_seconds or config["limits"]["notebook_seconds"]
    answer = answer_seconds or config["limits"]["answer_seconds"]
    parts = 2 * len(config["questions"])
    return Limits(notebook, answer, 2 * notebook + parts * answer)


# ------------------------------------------------------------------------------ configuration

def package_hashes() -> dict:
    """sha256 of every Python file of this package (the checkers the grade depends on)."""
    return {str(p.relative_to(PACKAGE.parent)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}


def changed_package_files(config: dict) -> list:
    """Files of the installed package that differ from those the autograder was built with."""
    now, then = package_hashes(), config["package"]
    return sorted(set(now) ^ set(then) | {f for f in set(now) & set(then) if now[f] != then[f]})


def load_config(path) -> dict:
    """A grading configuration (``grading.json``), checked; :class:`GradingError` names what is wrong."""
    path = Path(path)
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise GradingError(f"config must be a readable grading.json, got {str(path)!r} ({exc})") from None
    if not isinstance(config, dict) or config.get("format") != CONFIG_FORMAT:
        raise GradingError(f"config {str(path)!r} is not a grading.json of format {CONFIG_FORMAT}")
    for key in ("notebook", "questions", "limits", "package"):
        if key not in config:
            raise GradingError(f"config {str(path)!r} lacks {key!r}")
    from .. import checks
    for q in config["questions"]:
        if not callable(getattr(checks, q.get("checker", ""), None)):
            raise GradingError(f"config {str(path)!r}: checker {q.get('checker')!r} is not in lecture_utils.checks")
    return config


# ------------------------------------------------------------------------------ which cells run

def _scope_reads(node) -> set:
    """Global names a statement reads: inside a function, its parameters and locals do not count."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = node.args
        local = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        local |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        body = node.body if isinstance(node.body, list) else [node.body]
        declared = {n for b in body for s in ast.walk(b) if isinstance(s, (ast.Global, ast.Nonlocal)) for n in s.names}
        local |= {s.id for b in body for s in ast.walk(b)
                  if isinstance(s, ast.Name) and not isinstance(s.ctx, ast.Load)} - declared
        reads = {d.id for d in ast.walk(ast.Module(body=list(node.decorator_list) if hasattr(node, "decorator_list")
                                                   else [], type_ignores=[])) if isinstance(d, ast.Name)}
        reads |= {d.id for a in args.defaults + [d for d in args.kw_defaults if d] for d in ast.walk(a)
                  if isinstance(d, ast.Name)}
        return reads | {r for b in body for r in _scope_reads(b)} - local
    reads = set()
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        reads.add(node.id)
    for child in ast.iter_child_nodes(node):
        reads |= _scope_reads(child)
    return reads


def _binds(node, imported: set) -> set:
    """Names a top-level statement (re)binds or mutates (``x[0] = 1``, ``x.append(...)`` mutate x)."""
    binds = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds.add(n.name)
            binds |= {g for s in ast.walk(n) if isinstance(s, ast.Global) for g in s.names}
            continue
        if isinstance(n, ast.Lambda):
            continue
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            binds |= {"*" if a.name == "*" else (a.asname or a.name).split(".")[0] for a in n.names}
        elif isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            binds.add(n.id)
        elif isinstance(n, (ast.Subscript, ast.Attribute)) and not isinstance(n.ctx, ast.Load) \
                or isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            root = n.func if isinstance(n, ast.Call) else n
            while isinstance(root, (ast.Subscript, ast.Attribute, ast.Call)):
                root = root.func if isinstance(root, ast.Call) else root.value
            if isinstance(root, ast.Name) and root.id not in imported:
                binds.add(root.id)
        stack.extend(ast.iter_child_nodes(n))
    return binds


GRADING_MODULES = ("numpy", "lecture_utils", "sys", "builtins", "otter", "scipy")


def _changes_modules(node, imported: set) -> bool:
    """Does a statement assign into a module (``np.allclose = ...``), call setattr/delattr, or touch
    ``sys.modules`` or ``builtins``? Such statements always run: what they change could matter, and
    the student's process reports what they replaced (tampering)."""
    for n in ast.walk(node):
        if isinstance(n, (ast.Attribute, ast.Subscript)) and not isinstance(n.ctx, ast.Load):
            root = n
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(root, ast.Name) and root.id in imported:
                return True
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("setattr", "delattr"):
            return True
        if isinstance(n, ast.Attribute) and n.attr == "modules" or isinstance(n, ast.Name) and n.id == "builtins":
            return True
    return False


def _statements(cells):
    """[(cell index, statement number, reads, binds, changes modules)] of every top-level statement."""
    from .student_process import _python_of
    trees = {}
    for i, src in cells:
        try:
            trees[i] = ast.parse(_python_of(src))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    imported = {a for t in trees.values() for s in t.body if isinstance(s, (ast.Import, ast.ImportFrom))
                for a in _binds(s, set())}
    graders = set()         # names of the modules grading relies on (np, lecture_utils, sys, ...)
    for tree in trees.values():
        for s in ast.walk(tree):
            if isinstance(s, ast.Import):
                graders |= {(a.asname or a.name).split(".")[0] for a in s.names
                            if a.name.split(".")[0] in GRADING_MODULES}
            elif isinstance(s, ast.ImportFrom) and (s.module or "").split(".")[0] in GRADING_MODULES:
                graders |= {a.asname or a.name for a in s.names}
    return [(i, k, _scope_reads(stmt), _binds(stmt, imported), _changes_modules(stmt, graders))
            for i, tree in trees.items() for k, stmt in enumerate(tree.body)]


def cells_needed(cells, names) -> list:
    """The statements that define ``names`` and, transitively, the global names they read.

    ``cells`` is [(index, source)]; returns [(index, source, [statement numbers])] in notebook
    order. A name read is taken from every statement binding (or mutating) it before the reader, or,
    when none does, after it (a function reads its globals when called); ``from x import *`` binds
    every name. Statements that bind nothing read (drawing, printing) are left out; statements that
    change a module (:func:`_changes_modules`) are kept.
    """
    statements = _statements(cells)
    position = {(i, k): n for n, (i, k, _, _, _) in enumerate(statements)}
    binders = {}
    for i, k, _, binds, _ in statements:
        for name in binds:
            binders.setdefault(name, []).append((i, k))

    def binding(name, reader):
        found = binders.get(name, []) + binders.get("*", [])
        before = [s for s in found if position[s] < reader]
        return before if before else [s for s in found if position[s] > reader][-1:]

    needed, queue = set(), [s for n in names for s in binding(n, len(statements))[-1:]]
    queue += [(i, k) for i, k, _, _, changes in statements if changes]
    while queue:
        stmt = queue.pop()
        if stmt in needed:
            continue
        needed.add(stmt)
        n = position[stmt]
        for name in statements[n][2]:
            queue.extend(binding(name, n))
    chosen = {}
    for i, k in sorted(needed):
        chosen.setdefault(i, []).append(k)
    return [(i, src, chosen[i]) for i, src in cells if i in chosen]


def notebook_cells(path: Path):
    """(code cells as [(index, source)], indices of cells tagged 'check'); GradingError if not a notebook."""
    import nbformat
    try:
        nb = nbformat.read(path, as_version=4)
        cells = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
        checks = {i for i, c in enumerate(nb.cells) if "check" in c.get("metadata", {}).get("tags", [])}
    except Exception as exc:      # an empty file, a .py renamed, broken JSON, a v3 notebook ...
        raise GradingError(f"{path.name} is not a readable Jupyter notebook ({type(exc).__name__}: "
                           f"{str(exc)[:200]})") from None
    return cells, checks


# ------------------------------------------------------------------------------ the process, restarted when needed

class Runner:
    """The submission's process: started on demand, its cells run again after a kill (timeout, crash)."""

    def __init__(self, cells, limits: Limits, notes: list, run_as_nobody: bool = True):
        self.cells, self.limits, self.notes, self.run_as_nobody = list(cells), limits, notes, run_as_nobody
        self.process, self.hung, self.tampered, self.cell_errors = None, set(), [], {}
        self.raised, self.strays = set(), 0

    def ensure(self):
        """A running process with the cells run; None if none could be had (noted)."""
        if self.process is not None and self.process.process.poll() is None:
            return self.process
        self.close()
        while len(self.hung) <= MAX_HUNG_CELLS:
            self.process = SubmissionProcess(run_as_nobody=self.run_as_nobody)
            try:
                setup = self.process.run_cells([c for c in self.cells if c[0] not in self.hung],
                                               self.limits.notebook_seconds)
            except (ProcessEnded, NotAnAnswer) as exc:
                self._note(f"the notebook could not be run: {exc}")
                self.close()
                return None
            self._merge_tampering(setup.tampered)
            for cell in setup.cells:
                if cell.error and cell.index not in self.cell_errors:
                    self.cell_errors[cell.index] = cell.error
            if setup.hung is not None:
                self.hung.add(setup.hung)
                self._note(f"cell {setup.hung} timed out after {self.limits.notebook_seconds:.0f} s "
                           "and was skipped; the other cells were run again without it")
            elif setup.ended is not None:
                self.hung.add(setup.ended)
                self._note(f"cell {setup.ended} ended the Python process ({setup.ended_reason}) "
                           "and was skipped; the other cells were run again without it")
            else:
                return self.process
            self.close()
        self._note(f"more than {MAX_HUNG_CELLS} cells ran past the time limit or ended the process: "
                   "the notebook was not graded further")
        return None

    def _note(self, text):
        if text not in self.notes:
            self.notes.append(text)

    def _merge_tampering(self, names):
        self.tampered.extend(n for n in names if n not in self.tampered)

    def after_call(self):
        if self.process is not None:
            self._merge_tampering(self.process.tampered)
            self.raised |= self.process.raised

    def close(self):
        if self.process is not None:
            self.after_call()
            self.process.close()
            self.strays += self.process.strays
            self.process = None


# ------------------------------------------------------------------------------ grading

def split_points(total: float, n: int) -> list:
    """``total`` in ``n`` shares of two decimals that add up to it exactly (the last absorbs rounding)."""
    share = round(total / n, 2)
    return [share] * (n - 1) + [round(total - share * (n - 1), 2)]


def question_parts(question: dict) -> list:
    """[(group, part name or "", points)] of a question: half its points for each group of cases."""
    visible = question["points"] // 2
    rows = []
    for group, points in zip(GROUPS, (visible, question["points"] - visible)):
        names = question.get("parts", {}).get(group) or [""]
        rows.extend((group, name, p) for name, p in zip(names, split_points(points, len(names))))
    return rows


def _run_checker(checker, fn, group: str, record):
    """Run one group of a checker's cases; the failure message that stopped it, or None."""
    _core.PART_RECORD = record
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            checker(fn, cases=group)
        return None
    except CheckFailure as failure:
        return str(failure)
    finally:
        _core.PART_RECORD = None


def _grade_group(runner, question, group, names, deadline_total):
    """{part name: failure message or None} for one group of a question's cases."""
    from .. import checks
    multi = len(names) > 1
    left = deadline_total - time.monotonic()
    if left <= 0:
        return {n: f"not graded: the submission used up its {runner.limits.total_seconds:.0f} s" for n in names}
    process = runner.ensure()
    if process is None:
        return {n: "not graded: the notebook could not be run (see the notes)" for n in names}
    limit = min(runner.limits.answer_seconds, left)
    fn = StudentFunction(process, question["function"], time.monotonic() + limit, limit, partial=multi)
    record = [] if multi else None
    try:
        failure = _run_checker(getattr(checks, question["checker"]), fn, group, record)
    except TimedOut:
        failure = f"timed out after {limit:.0f} s"
        runner.close()
    except ProcessEnded as exc:
        failure = f"{exc} while running {question['function']}"
        runner.close()
    except NotAnAnswer as exc:
        failure = f"tampering: {exc}"
        runner._note(f"tampering: {exc}")
        runner.close()
    except Exception as exc:                    # a result odd enough to trip the checker itself
        failure = f"the answer could not be checked ({type(exc).__name__}: {str(exc)[:300]})"
    runner.after_call()
    if not multi:
        return {names[0]: failure}
    outcome = {}
    for name in names:
        own = [m for what, m in (record or []) if what == name and m]
        outcome[name] = own[0] if own else failure
    return outcome


def _tampered_questions(tampered, questions) -> dict:
    """{function: [names]} of the questions whose grading the tampered names concern."""
    hit = {q["function"]: [] for q in questions}
    for name in tampered:
        mine = [q for q in questions if name.endswith("." + q["checker"])]
        for q in (mine if mine else questions if _concerns_grading(name) else []):
            hit[q["function"]].append(name)
    return {k: v for k, v in hit.items() if v}


def tampering_note(tampered: list, questions: list) -> str:
    """One note naming what the notebook replaced, this notebook's checkers first."""
    checkers = tuple("." + q["checker"] for q in questions)
    ordered = sorted(tampered, key=lambda name: (not name.endswith(checkers), name))
    more = f" and {len(ordered) - 5} more" if len(ordered) > 5 else ""
    return (f"tampering: the notebook replaced {len(ordered)} thing(s) grading relies on: "
            f"{', '.join(ordered[:5])}{more}")


def _concerns_grading(name: str) -> bool:
    """A replaced checker helper, numpy function, builtin or module: every question relies on them."""
    if name.startswith("lecture_utils.checks."):
        checker = name.rsplit(".", 1)[-1]
        return not checker.startswith("check_")     # another notebook's checker concerns nobody here
    return True


def grade_cells(cells, check_cells, config: dict, limits: Limits, all_cells=False, run_as_nobody=True):
    """Grade already-read cells; see :func:`grade_notebook`."""
    started = time.monotonic()
    questions = config["questions"]
    names = [q["function"] for q in questions]
    run = ([(i, src, None) for i, src in cells if i not in check_cells] if all_cells
           else cells_needed(cells, names))
    notes = []
    runner = Runner(run, limits, notes, run_as_nobody)
    deadline = started + limits.total_seconds
    results = []
    try:
        for q in questions:
            rows = question_parts(q)
            outcome = {}
            for group in GROUPS:
                names_here = [name for g, name, _ in rows if g == group]
                outcome[group] = _grade_group(runner, q, group, names_here, deadline)
            results.append((q, rows, outcome))
    finally:
        runner.close()
    if not all_cells and "NameError" in runner.raised:
        again = grade_cells(cells, check_cells, config, limits, all_cells=True, run_as_nobody=run_as_nobody)
        again["notes"].insert(0, "an answer raised NameError with only the cells it needs; graded again "
                                 "running every cell but the check cells")
        return again
    tampered = _tampered_questions(runner.tampered, questions)
    if runner.tampered:
        notes.append(tampering_note(runner.tampered, questions))
    if runner.strays:
        notes.append(f"the submission hid {runner.strays} process(es) outside its process group (os.fork and "
                     "os.setsid), to outlive grading: killed when grading ended")
    report = []
    for q, rows, outcome in results:
        parts = []
        for group, name, points in rows:
            message = outcome[group][name]
            if q["function"] in tampered:
                message = (f"tampering: the notebook changed {', '.join(tampered[q['function']][:3])}, "
                           "which grading relies on; this question scores 0")
            parts.append({"group": group, "part": name, "max_score": points,
                          "score": 0.0 if message else points, "message": message})
        report.append({"question": q["function"], "max_score": q["points"],
                       "score": round(sum(p["score"] for p in parts), 2), "parts": parts})
    for index, error in sorted(runner.cell_errors.items()):
        if not all_cells and error.startswith("NameError"):
            continue            # a statement left out as unneeded: not the student's mistake
        notes.append(f"cell {index} raised {error[:300]}")
    return {"score": round(sum(r["score"] for r in report), 2),
            "max_score": sum(q["points"] for q in questions), "questions": report, "notes": notes,
            "tampering": bool(runner.tampered) or any("tampering" in n for n in notes),
            "cells_run": [c[0] for c in run], "all_cells": all_cells,
            "seconds": round(time.monotonic() - started, 2)}


def empty_result(config: dict, reason: str) -> dict:
    """Zero for every part: a file that is no notebook (``reason``, in the notes, says why)."""
    message = "not graded: the file is not a readable Jupyter notebook (see the notes)"
    report = [{"question": q["function"], "max_score": q["points"], "score": 0.0,
               "parts": [{"group": g, "part": n, "max_score": p, "score": 0.0, "message": message}
                         for g, n, p in question_parts(q)]} for q in config["questions"]]
    return {"score": 0.0, "max_score": sum(q["points"] for q in config["questions"]), "questions": report,
            "notes": [reason], "tampering": False, "cells_run": [], "all_cells": False, "seconds": 0.0}


def watched_files(extra=()) -> dict:
    """``path -> (size, mtime, ctime, inode)`` of the files grading reads: this package, numpy, ``extra``.

    The change time (ctime) cannot be set back by a program, so a file rewritten with its old size and
    modification time still shows.
    """
    import numpy
    roots = [PACKAGE, Path(numpy.__file__).parent]
    files = [p for root in roots for p in root.rglob("*") if p.suffix in (".py", ".so", ".json")]
    state = {}
    for p in files + [Path(e) for e in extra]:
        try:
            st = p.stat()
            state[str(p)] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        except OSError:
            state[str(p)] = None
    return state


def changed_files(before: dict, after: dict) -> list:
    """The paths whose state differs between two :func:`watched_files` (added and removed ones too)."""
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


def mark_tampered(result: dict, changed: list) -> dict:
    """``result`` scored 0 in every part because the files ``changed`` while it was graded."""
    note = (f"tampering: files the grader reads changed while this submission was graded: "
            f"{', '.join(changed[:5])}{' and more' if len(changed) > 5 else ''}")
    for q in result["questions"]:
        q["score"] = 0.0
        for part in q["parts"]:
            part["score"], part["message"] = 0.0, note
    result.update(score=0.0, tampering=True)
    result["notes"].insert(0, note)
    return result


def grade_notebook(path, config: dict, limits: Limits | None = None, all_cells: bool = False,
                   run_as_nobody: bool = True, watch=()) -> dict:
    """Grade the submission at ``path``: a JSON-ready dict of scores per question and part, and notes.

    Parameters
    ----------
    path : str or Path
        The submitted notebook.
    config : dict
        A grading configuration (:func:`load_config`).
    limits : Limits, optional
        Default: :func:`default_limits` of the configuration.
    all_cells : bool
        Run every cell but the check cells, not only those the graded functions need.
    run_as_nobody : bool
        When running as root, run the submission as the user ``nobody``.
    watch : iterable of paths
        Files besides the package and numpy (:func:`watched_files`) whose change while the submission
        is graded scores it 0 (the configuration, say).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise GradingError(f"path must be a path to a notebook, got {type(path).__name__}")
    if not isinstance(config, dict) or "questions" not in config:
        raise GradingError(f"config must be a grading configuration (load_config), got {type(config).__name__}")
    if limits is not None and not isinstance(limits, Limits):
        raise GradingError(f"limits must be a Limits, got {type(limits).__name__}")
    limits = limits or default_limits(config)
    path = Path(path)
    try:
        cells, check_cells = notebook_cells(path)
    except GradingError as exc:
        return empty_result(config, str(exc))
    before = watched_files(watch)
    result = grade_cells(cells, check_cells, config, limits, all_cells=all_cells, run_as_nobody=run_as_nobody)
    changed = changed_files(before, watched_files(watch))
    return mark_tampered(result, changed) if changed else result


# ------------------------------------------------------------------------------ the reference run (at build time)

def reference_config(notebook_path, graded: list, name: str) -> dict:
    """The grading configuration of a notebook, measured on its instructor edition.

    Grades the instructor notebook once with generous limits (:func:`reference_run`): that records
    each question's parts (the outputs its checker compares) and the times, and refuses a notebook
    that does not score full marks. The default limits are :data:`SLOWER_THAN_REFERENCE` times those
    times, but at least :data:`MIN_NOTEBOOK_SECONDS` and :data:`MIN_ANSWER_SECONDS`.
    """
    config = {"format": CONFIG_FORMAT, "notebook": name, "questions": [dict(q) for q in graded],
              "limits": {"notebook_seconds": 600.0, "answer_seconds": 300.0}, "package": package_hashes()}
    parts, seconds, slowest_part, cells_run = reference_run(notebook_path, config)
    for q in config["questions"]:
        q["parts"] = parts[q["function"]]
    config["reference"] = {"seconds": round(seconds, 2), "slowest_part_seconds": round(slowest_part, 3),
                           "cells_run": cells_run}
    config["limits"] = {
        "notebook_seconds": max(MIN_NOTEBOOK_SECONDS, round(SLOWER_THAN_REFERENCE * seconds)),
        "answer_seconds": max(MIN_ANSWER_SECONDS, round(SLOWER_THAN_REFERENCE * slowest_part))}
    return config


def reference_run(notebook_path, config: dict):
    """Grade the instructor's answers: ``({function: {group: [output names]}}, seconds in all, seconds of
    the slowest group, indices of the cells run)``; GradingError unless every checker passes untampered."""
    from .. import checks
    started = time.monotonic()
    cells, _ = notebook_cells(Path(notebook_path))
    run = cells_needed(cells, [q["function"] for q in config["questions"]])
    runner = Runner(run, Limits(600.0, 300.0, 3600.0), [])
    found, slowest = {}, 0.0
    try:
        for q in config["questions"]:
            found[q["function"]] = {}
            for group in GROUPS:
                process = runner.ensure()
                if process is None:
                    raise GradingError(f"{config['notebook']}: the instructor notebook does not run: {runner.notes}")
                record, part_started = [], time.monotonic()
                fn = StudentFunction(process, q["function"], time.monotonic() + 300, 300, partial=False)
                failure = _run_checker(getattr(checks, q["checker"]), fn, group, record)
                if failure:
                    raise GradingError(f"{config['notebook']}: the instructor notebook does not score full marks "
                                       f"when graded: {q['function']} fails its checker: {failure}")
                slowest = max(slowest, time.monotonic() - part_started)
                names = list(dict.fromkeys(what for what, _ in record))
                found[q["function"]][group] = names if len(names) > 1 else []
    finally:
        runner.close()
    if runner.tampered or runner.notes:
        raise GradingError(f"{config['notebook']}: the instructor notebook does not grade cleanly: "
                           f"{'; '.join(runner.notes + runner.tampered)[:1500]}")
    return found, time.monotonic() - started, slowest, [c[0] for c in run]


def main(argv=None) -> int:
    """``python -I -m lecture_utils.course.grading --config grading.json --json out.json NOTEBOOK``."""
    parser = argparse.ArgumentParser(prog="python -m lecture_utils.course.grading",
                                     description="Grade one submission in isolation; write its result as JSON.")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--config", type=Path, required=True, help="the autograder's grading.json")
    parser.add_argument("--json", type=Path, required=True, help="where to write the result")
    args = parser.parse_args(argv)
    from .sandbox import adopt_orphans, forbid_tracing
    forbid_tracing()
    adopt_orphans()
    try:
        config = load_config(args.config)
    except GradingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    changed = changed_package_files(config)
    if changed:
        print(f"error: the installed lecture_utils differs from the autograder's in {', '.join(changed[:5])}: "
              "rebuild the autograder or install the package it was built from", file=sys.stderr)
        return 2
    result = grade_notebook(args.notebook, config, watch=[args.config])
    args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
