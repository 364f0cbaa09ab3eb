"""What the tests inside ``autograder.zip`` call when Otter grades (``otter run``, Gradescope, ``otter grade``).

Otter runs a submission's cells and then the tests in one Python kernel, so a notebook could
change anything the tests use. The zip therefore carries the plugin :class:`GradeInIsolation`
(``otter_config.json``): Otter executes none of the student's cells in its kernel. Each test
calls :func:`check_part`, which grades the submission once per kernel with
``python -I -m lecture_utils.course.grading`` (a fresh interpreter that runs the notebook in a
process of its own, with time limits, see :mod:`.grading`) and turns one part's result into a
pass or an ``AssertionError`` carrying the checker's hint.

What this route cannot guarantee: Otter itself, its kernel and this module run outside our
control, so the guarantee is only as strong as Otter's configuration (a zip whose
``otter_config.json`` lost the plugin runs the cells in the kernel again). The class command
``python -m lecture_utils grade`` does not depend on Otter and is the route to rely on.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from otter.plugins import AbstractOtterPlugin

_RESULT = {}
GRADESCOPE_FILES = Path("/autograder/source/files")


class GradeInIsolation(AbstractOtterPlugin):
    """Otter plugin: replace the submission by an empty notebook before Otter's kernel executes it."""

    def before_execution(self, submission):
        import nbformat
        if isinstance(submission, str):           # a .py submission: nothing of it runs in the kernel either
            return "# graded in a separate process by lecture_utils.course.grading\n"
        cell = nbformat.v4.new_code_cell("# graded in a separate process by lecture_utils.course.grading")
        return nbformat.v4.new_notebook(cells=[cell], metadata=submission.get("metadata", {}))


def _find(name: str) -> Path:
    for folder in (Path.cwd(), GRADESCOPE_FILES):
        if (folder / name).is_file():
            return folder / name
    raise AssertionError(f"{name} is missing: the autograder must be built by `python -m lecture_utils autograder`")


def graded() -> dict:
    """The isolated grade of the submission in the current folder (computed once per kernel)."""
    if "result" not in _RESULT:
        config = _find("grading.json")
        notebooks = sorted(p for p in Path.cwd().glob("*.ipynb"))
        if len(notebooks) != 1:
            raise AssertionError(f"expected one submitted notebook in {Path.cwd()}, found {len(notebooks)}")
        limits = json.loads(config.read_text())["limits"]
        budget = 4 * limits["notebook_seconds"] + 4 * 20 * limits["answer_seconds"]
        with tempfile.TemporaryDirectory() as out:
            target = Path(out) / "result.json"
            done = subprocess.run([sys.executable, "-I", "-m", "lecture_utils.course.grading", "--config",
                                   str(config), "--json", str(target), str(notebooks[0])],
                                  capture_output=True, text=True, timeout=budget)
            if done.returncode != 0 or not target.is_file():
                raise AssertionError(f"the grader failed: {done.stderr.strip()[-1500:]}")
            _RESULT["result"] = json.loads(target.read_text())
    return _RESULT["result"]


def check_part(function: str, group: str, part: str) -> None:
    """Pass, or raise AssertionError with the feedback of one part (``group`` visible|hidden)."""
    result = graded()
    for question in result["questions"]:
        if question["question"] != function:
            continue
        for row in question["parts"]:
            if row["group"] == group and row["part"] == part:
                if row["message"]:       # shown as in the notebook: "CheckFailure: <the checker's hint>"
                    from lecture_utils.checks._core import CheckFailure
                    notes = [n for n in result["notes"] if n.startswith("tampering") or "timed out" in n]
                    raise CheckFailure(row["message"] + ("" if not notes else "\n" + "\n".join(notes[:3])))
                return
    raise AssertionError(f"the grader returned no result for {function} ({group}, {part or 'all'})")
