"""Throughput of the class grader: submissions per minute per notebook, with 1 and with 2 workers.

    .venv/bin/python benchmarks/bench_grading.py [--students 12] [--notebooks 01 05]

Each notebook's instructor edition is graded ``--students`` times (full-marks submissions: every
part runs), by ``python -m lecture_utils grade`` with ``--workers 1`` and then ``--workers 2``.
Prints submissions per minute and the projected time for 300 students over all the notebooks
given. Timings depend on the machine and its load; compare the two worker counts with each other.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=12)
    parser.add_argument("--notebooks", nargs="*", default=["01", "02", "03", "04", "05", "06"])
    args = parser.parse_args()
    total = {1: 0.0, 2: 0.0}
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        for prefix in args.notebooks:
            notebook = next((ROOT / "notebooks").glob(f"{prefix}_*.ipynb"))
            subprocess.run([sys.executable, "-m", "lecture_utils", "autograder", "--out", str(work / "ag"),
                            str(notebook)], check=True, capture_output=True)
            folder = work / "subs" / prefix
            folder.mkdir(parents=True)
            for k in range(args.students):
                shutil.copy(notebook, folder / f"student{k:03d}.ipynb")
            for workers in (1, 2):
                out = work / "out" / f"{prefix}-{workers}"
                started = time.perf_counter()
                subprocess.run([sys.executable, "-m", "lecture_utils", "grade", "--autograder",
                                str(work / "ag" / notebook.stem), "--submissions", str(folder), "--out", str(out),
                                "--workers", str(workers), "--quiet"], check=True, capture_output=True)
                seconds = time.perf_counter() - started
                per_minute = 60 * args.students / seconds
                total[workers] += 300 / per_minute
                print(f"{notebook.stem}: {workers} worker(s): {per_minute:.1f} submissions/min "
                      f"({seconds:.1f} s for {args.students})", flush=True)
    for workers, minutes in total.items():
        print(f"300 students x {len(args.notebooks)} notebooks with {workers} worker(s): {minutes:.0f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
