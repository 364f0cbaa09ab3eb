"""The site students can be given during the term: the student edition, run, with nothing answered.

``python -m lecture_utils site --edition student`` (``make site-student``) publishes pages and
decks made from the student edition (:func:`~lecture_utils.course.editions.make_student_notebook`)
instead of the instructor's notebooks, and offers only the student edition for download.

The student edition is released without outputs (as nbgrader and Otter release notebooks), so
its figures come from running it here, top to bottom, in a fresh kernel, as a student's *Run All*
would: check cells stop at "this exercise is not implemented yet" (they are tagged
``raises-exception``) and every other cell runs, since no later cell uses a student's answer.
Every output on the site is therefore one the student's own run shows too, and no output of the
instructor's run (which may print or draw what an answer computes) is copied. Then

* error outputs are dropped (the unsolved checks' messages say nothing on a page);
* the experiment that follows a predict-then-run question (the code cells after its check, up
  to the next text cell: their code may show what is computed, their outputs the result) is
  folded in a ``<details>`` element: a static page cannot wait for the reader's prediction, so
  the experiment stays closed until opened;
* cells tagged ``reveals`` (a worked answer, moved after its exercise by the student edition)
  are folded too.

The templates (``lecture_lab``, ``lecture_reveal``) draw a fold around a cell whose
``metadata.transient.fold`` holds the fold's summary; it is set on the copy that is published,
never in a notebook on disk.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from .editions import PREDICT_TAG, REVEALS_TAG, find_exercises

FOLD_REVEALS = "Worked answer to the exercise above: open it once you have solved the exercise"
FOLD_PREDICTION = "The experiment and its result: write down your prediction first, then open"


class StudentSiteError(ValueError):
    """A student edition that does not run as students would run it; names the notebook and cell."""


def prediction_experiments(nb, name: str) -> list[int]:
    """Indices of the code cells that show the result of a predict-then-run question.

    They are the code cells right after the question's check cell(s), up to the next markdown
    cell or the next exercise (speaker notes, folded apart on a page, are skipped).
    """
    found = []
    for ex in find_exercises(nb, name):
        if ex.kind != "prediction":
            continue
        for i in range(max(ex.check_indices) + 1, len(nb.cells)):
            cell = nb.cells[i]
            if cell.metadata.get("slideshow", {}).get("slide_type") == "notes":
                continue
            if cell.cell_type != "code" or {"solution", PREDICT_TAG, "check"} & set(cell.metadata.get("tags", [])):
                break
            found.append(i)
    return found


def folds(instructor, name: str) -> dict[str, str]:
    """Cell id -> the summary of the fold that hides the cell on the student site.

    Read from the instructor edition, whose exercises are well formed; cells are matched by id,
    which the student edition keeps.
    """
    marks = {}
    for ex in find_exercises(instructor, name):
        for i in ex.reveal_indices:
            marks[_cell_id(instructor, i, name)] = FOLD_REVEALS
        for i in worked_answer(instructor, ex):
            marks[_cell_id(instructor, i, name)] = FOLD_REVEALS
    for i in prediction_experiments(instructor, name):
        marks.setdefault(_cell_id(instructor, i, name), FOLD_PREDICTION)
    return marks


def worked_answer(nb, exercise) -> list[int]:
    """The cells that work out a function exercise's answer right after its check: the first markdown
    cell there (speaker notes skipped) unless it opens a new section (``## ...``), a prediction or the
    next exercise, and the code cells that follow it. On a page they would sit in view of the exercise."""
    if exercise.kind != "function" or not exercise.check_indices:
        return []
    i = max(exercise.check_indices) + 1
    while i < len(nb.cells) and nb.cells[i].metadata.get("slideshow", {}).get("slide_type") == "notes":
        i += 1
    if i >= len(nb.cells) or nb.cells[i].cell_type != "markdown":
        return []
    first_line = nb.cells[i].source.lstrip().split("\n", 1)[0]
    if first_line.startswith("## ") or re.match(r"#+\s*(Predict|Exercise)", first_line):
        return []
    cells = [i]
    while i + 1 < len(nb.cells) and nb.cells[i + 1].cell_type == "code" \
            and not nb.cells[i + 1].metadata.get("tags"):
        i += 1
        cells.append(i)
    return cells


def _cell_id(nb, index: int, name: str) -> str:
    cell_id = nb.cells[index].get("id")
    if not cell_id:
        raise StudentSiteError(f"{name}, cell {index}: has no id (nbformat 4.5 cell ids are needed to find it in "
                               "the student edition); re-save the notebook with JupyterLab 4 or nbformat >= 5.7")
    return cell_id


def run_student_edition(student, name: str, cwd, timeout: int = 600):
    """Run a student edition top to bottom in a fresh ``python3`` kernel, as *Run All* would.

    Parameters
    ----------
    student : nbformat.NotebookNode
        A student edition (its check cells tagged ``raises-exception``); not changed.
    name : str
        The notebook's file name, for error messages.
    cwd : path-like
        Folder the kernel starts in (the instructor notebook's, so relative paths work).
    timeout : int
        Seconds one cell may take.

    Returns
    -------
    nbformat.NotebookNode
        A run copy, with error outputs (the unsolved checks' messages) dropped.

    Raises
    ------
    StudentSiteError
        A cell other than a check cell fails (the student edition would not run for students).
    """
    from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor

    if not isinstance(student, nbformat.NotebookNode) or "cells" not in student:
        raise TypeError(f"student must be a notebook read with nbformat, got {type(student).__name__}")
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string (the notebook's file name), got {name!r}")
    if not Path(cwd).is_dir():
        raise ValueError(f"cwd must be an existing folder, got {str(cwd)!r}")
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds (int), got {timeout!r}")
    run = copy.deepcopy(student)
    try:
        ExecutePreprocessor(timeout=timeout, kernel_name="python3").preprocess(
            run, {"metadata": {"path": str(cwd)}})
    except CellExecutionError as exc:
        failed = next((i for i, c in enumerate(run.cells) if c.cell_type == "code"
                       and any(o.get("output_type") == "error" for o in c.get("outputs", []))
                       and "raises-exception" not in c.metadata.get("tags", [])), "?")
        first_line = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise StudentSiteError(f"{name}, cell {failed}: the student edition stops here ({first_line}); "
                               "a cell after an exercise must not use the student's answer") from None
    for cell in run.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
    return run


def student_site_notebook(instructor, student, name: str, cwd, timeout: int = 600):
    """What the student site shows of a notebook: the student edition, run, answers folded.

    Parameters
    ----------
    instructor : nbformat.NotebookNode
        The instructor edition (where the exercises and predictions are read).
    student : nbformat.NotebookNode
        Its student edition (:func:`~lecture_utils.course.editions.make_student_notebook`).
    name, cwd, timeout
        As for :func:`run_student_edition`.
    """
    for label, nb in (("instructor", instructor), ("student", student)):
        if not isinstance(nb, nbformat.NotebookNode) or "cells" not in nb:
            raise TypeError(f"{label} must be a notebook read with nbformat, got {type(nb).__name__}")
    marks = folds(instructor, name)
    run = run_student_edition(student, name, cwd, timeout)
    for cell in run.cells:
        if cell.get("id") in marks:
            cell.metadata.setdefault("transient", {})["fold"] = marks[cell.get("id")]
    return run
