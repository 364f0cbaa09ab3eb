"""Count the course's exercises (from the notebooks) and checker mutants (from the tests).

    .venv/bin/python tools/count_exercises.py

Exercises are found exactly as the student-edition generator finds them
(lecture_utils.editions.find_exercises, which also validates them); mutants are
the collected test cases of tests/test_checks_*.py whose test name contains
"mutant" (each is one typical wrong answer that must be rejected with its hint).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat

from lecture_utils.editions import find_exercises

ROOT = Path(__file__).resolve().parents[1]


def exercises_by_notebook() -> dict[str, list[str]]:
    """Notebook file name -> names of the functions its exercises ask for."""
    found = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        found[path.name] = [ex.function_name for ex in find_exercises(nb, path.name)]
    return found


def mutants_by_test_file() -> Counter:
    """Test file -> number of collected mutant test cases."""
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_checks_*.py"))
    if not files:
        return Counter()
    listing = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", *files],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    ids = [line for line in listing.splitlines() if "::" in line]
    return Counter(line.split("::")[0] for line in ids if re.search("mutant", line, re.IGNORECASE))


def main() -> int:
    exercises = exercises_by_notebook()
    mutants = mutants_by_test_file()
    print("| notebook | exercises |\n|---|---|")
    for name, functions in exercises.items():
        print(f"| {name} | {len(functions)}: {', '.join(functions) or '-'} |")
    print("\n| checker tests | mutants |\n|---|---|")
    for name, count in sorted(mutants.items()):
        print(f"| {name} | {count} |")
    n_ex, n_mut = sum(map(len, exercises.values())), sum(mutants.values())
    print(f"\n{n_ex} exercises, {n_mut} mutants ({n_mut / max(n_ex, 1):.1f} per exercise)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
