"""The course's exercise budget: >= 24 exercises, >= 3 per notebook, a predict-then-run question in
each, and >= 5 realistic wrong answers (mutants) tested against every checker."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_notebook_meets_the_exercise_budget():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "count_exercises.py")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
