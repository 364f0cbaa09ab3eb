"""Count the course's exercises and predict-then-run questions (from the notebooks), checker mutants (from the
tests) and the mistakes each checker recognises.

    .venv/bin/python tools/count_exercises.py

Exercises are found exactly as the student-edition generator finds them
(lecture_utils.course.editions.find_exercises, which also validates them); the checker
of an exercise is the ``check_*`` function its check cell calls. Mutants are the
collected cases of the test functions in tests/test_checks_*.py whose name
contains "mutant" (each case is one typical wrong answer that must be rejected
with its hint); they are attributed to the ``check_*`` functions those tests call.
Mistakes are the distinct hints a checker offers while a correct answer runs through all its
cases (tests/hint_catalogue.py: each wrong answer it computes and names; tests/test_hints.py checks
that a mutant triggers every one of them and that none gives the answer away).
Predictions are the cells tagged ``predict``, with the question id their check cell passes
to ``check_prediction``. Exits with status 1 when an exercise has fewer than 5 mutants or fewer than
3 mistakes it recognises, when there are fewer than 24 exercises, or when a notebook has fewer than
3 exercises or no predict-then-run question.
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
MIN_MUTANTS = 5
MIN_MISTAKES = 3
MIN_EXERCISES = 24
MIN_PER_NOTEBOOK = 3
CHECKER_CALL = re.compile(r"\b(check_\w+)\s*\(")
QUESTION_ID = re.compile(r"check_prediction\(\s*['\"]([^'\"]+)['\"]")


def exercises() -> list[tuple[str, str, str, str]]:
    """(notebook, kind, function the student writes or prediction name, checker or question id), in course order."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for ex in find_exercises(nb, path.name):
            source = "\n".join(nb.cells[i].source for i in ex.check_indices)
            if ex.kind == "prediction":
                ids = QUESTION_ID.findall(source) or ["?"]
                found.append((path.name, ex.kind, ex.function_name, ids[0]))
            else:
                checkers = CHECKER_CALL.findall(source) or ["?"]
                found.append((path.name, ex.kind, ex.function_name, checkers[0]))
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


def mistakes_by_checker() -> Counter:
    """Checker name -> number of distinct mistakes it recognises (hints offered on a correct answer's run)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from checker_references import REFERENCES
    from hint_catalogue import distinct, offered_hints
    return Counter({name: len({(distinct(what), distinct(hint)) for what, hint in offered_hints(checker, reference)})
                    for name, (checker, reference) in REFERENCES.items()})


def main() -> int:
    found, mutants, mistakes = exercises(), mutants_by_checker(), mistakes_by_checker()
    functions = [f for f in found if f[1] == "function"]
    predictions = [f for f in found if f[1] == "prediction"]
    print("| notebook | exercise | checker | mutants | mistakes recognised |\n|---|---|---|---|---|")
    for notebook, _, function, checker in functions:
        print(f"| {notebook} | {function} | {checker} | {mutants[checker]} | {mistakes[checker]} |")
    print("\n| notebook | predict-then-run question | id |\n|---|---|---|")
    for notebook, _, name, question in predictions:
        print(f"| {notebook} | {name} | {question} |")
    total = sum(mutants[c] for *_, c in functions)
    least = min((mistakes[c] for *_, c in functions), default=0)
    print(f"\n{len(functions)} exercises, {total} mutants, {sum(mistakes[c] for *_, c in functions)} mistakes "
          f"recognised (at least {least} per checker), {len(predictions)} predict-then-run questions")
    problems = [f"{f} has {mutants[c]} mutants (fewer than {MIN_MUTANTS})" for _, _, f, c in functions
                if mutants[c] < MIN_MUTANTS]
    problems += [f"{c} recognises {mistakes[c]} mistakes (fewer than {MIN_MISTAKES})" for _, _, f, c in functions
                 if mistakes[c] < MIN_MISTAKES]
    if len(functions) < MIN_EXERCISES:
        problems.append(f"{len(functions)} exercises in all, fewer than {MIN_EXERCISES}")
    for notebook in sorted({f[0] for f in found} | {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}):
        n = sum(1 for f in functions if f[0] == notebook)
        if n < MIN_PER_NOTEBOOK:
            problems.append(f"{notebook} has {n} exercises, fewer than {MIN_PER_NOTEBOOK}")
        if not any(p[0] == notebook for p in predictions):
            problems.append(f"{notebook} has no predict-then-run question")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
