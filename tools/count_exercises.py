"""Count the course's exercises (from the notebooks) and checker mutants (from the tests).

    .venv/bin/python tools/count_exercises.py

Exercises are found exactly as the student-edition generator finds them
(lecture_utils.course.editions.find_exercises, which also validates them); the checker
of an exercise is the ``check_*`` function its check cell calls. Mutants are the
collected cases of the test functions in tests/test_checks_*.py whose name
contains "mutant" (each case is one typical wrong answer that must be rejected
with its hint); they are attributed to the ``check_*`` functions those tests call.
Exits with status 1 when an exercise has fewer than 3 mutants.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat

from lecture_utils.course.editions import find_exercises

ROOT = Path(__file__).resolve().parents[1]
MIN_MUTANTS = 3
CHECKER_CALL = re.compile(r"\b(check_\w+)\s*\(")


def exercises() -> list[tuple[str, str, str]]:
    """(notebook, function the student writes, checker called on it), in course order."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for ex in find_exercises(nb, path.name):
            source = "\n".join(nb.cells[i].source for i in ex.check_indices)
            checkers = CHECKER_CALL.findall(source) or ["?"]
            found.append((path.name, ex.function_name, checkers[0]))
    return found


def mutants_by_checker() -> Counter:
    """Checker name -> number of collected mutant test cases that call it."""
    files = sorted((ROOT / "tests").glob("test_checks_*.py"))
    if not files:
        return Counter()
    listing = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                              *[str(f.relative_to(ROOT)) for f in files]],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    cases = Counter(re.sub(r"\[.*$", "", line) for line in listing.splitlines() if "::" in line)
    counts = Counter()
    for path in files:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and "mutant" in node.name:
                called = {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call)
                          and isinstance(n.func, ast.Name) and n.func.id.startswith("check_")}
                for checker in called:
                    counts[checker] += cases[f"{path.relative_to(ROOT)}::{node.name}"]
    return counts


def main() -> int:
    found, mutants = exercises(), mutants_by_checker()
    print("| notebook | exercise | checker | mutants |\n|---|---|---|---|")
    for notebook, function, checker in found:
        print(f"| {notebook} | {function} | {checker} | {mutants[checker]} |")
    total = sum(mutants[c] for _, _, c in found)
    print(f"\n{len(found)} exercises, {total} mutants")
    short = [f for _, f, c in found if mutants[c] < MIN_MUTANTS]
    if short:
        print(f"fewer than {MIN_MUTANTS} mutants: {', '.join(short)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
