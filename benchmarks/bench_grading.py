"""Throughput of the class grader: submissions per minute per notebook, with 1 and with 2 workers.

    .venv/bin/python benchmarks/bench_grading.py [--students 12] [--notebooks 01 05] [--otter]

Each notebook's instructor edition is graded ``--students`` times (full-marks submissions: every
part runs, the costliest honest case) by ``python -m lecture_utils grade``, with ``--workers 1``
and then, right after, ``--workers 2``. Prints submissions per minute, the speed-up of 2 workers
over 1 measured back to back, and the projected time for 300 students over the notebooks given.
With ``--otter``, also times ``otter run`` on one submission per notebook (the same autograder.zip:
Otter's kernel plus the same isolated grader), for the ratio of the two routes. Timings depend on
the machine and its load (printed): compare the numbers of one run with each other.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUDENTS_IN_CLASS = 300


def timed(command) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=12)
    parser.add_argument("--notebooks", nargs="*", default=["01", "02", "03", "04", "05", "06"])
    parser.add_argument("--otter", action="store_true", help="also time `otter run` on one submission")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    minutes = {1: 0.0, 2: 0.0}
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        for prefix in args.notebooks:
            notebook = next((ROOT / "notebooks").glob(f"{prefix}_*.ipynb"))
            build = timed([sys.executable, "-m", "lecture_utils", "autograder", "--out", str(work / "ag"),
                           str(notebook)])
            autograder = work / "ag" / notebook.stem
            folder = work / "subs" / prefix
            folder.mkdir(parents=True)
            for k in range(args.students):
                shutil.copy(notebook, folder / f"student{k:03d}.ipynb")
            per_minute = {}
            for workers in (1, 2):
                seconds = timed([sys.executable, "-m", "lecture_utils", "grade", "--autograder", str(autograder),
                                 "--submissions", str(folder), "--out", str(work / "out" / f"{prefix}-{workers}"),
                                 "--workers", str(workers), "--quiet"])
                per_minute[workers] = 60 * args.students / seconds
                minutes[workers] += STUDENTS_IN_CLASS / per_minute[workers]
            line = (f"{notebook.stem}: {per_minute[1]:.1f}/min with 1 worker, {per_minute[2]:.1f}/min with 2 "
                    f"(x{per_minute[2] / per_minute[1]:.2f}); autograder built in {build:.0f} s")
            if args.otter:
                out = work / "otter" / prefix
                out.mkdir(parents=True)
                otter = timed([sys.executable, "-m", "otter", "run", "-a", str(autograder / "autograder.zip"),
                               "-o", str(out), "--no-logo", str(folder / "student000.ipynb")])
                line += f"; otter run: {otter:.1f} s for one ({60 / otter:.1f}/min)"
            print(line, flush=True)
    for workers, total in minutes.items():
        print(f"{STUDENTS_IN_CLASS} students x {len(args.notebooks)} notebooks with {workers} worker(s): "
              f"{total:.0f} min ({total / 60:.1f} h)")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
