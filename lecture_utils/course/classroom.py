"""Grade a whole class locally: ``python -m lecture_utils grade --autograder DIR --submissions DIR --out DIR``.

Every ``*.ipynb`` in the submissions folder is graded by :func:`.grading.grade_notebook` (the
submission in a process of its own, the checkers here, time limits), several at once
(``--workers``, default: the machine's cores), with a progress bar. Each result is written to
``OUT/results/<student>.json`` as soon as it is known, so an interrupted run resumes where it
stopped (a submission whose file changed since is graded again). At the end:

* ``OUT/grades.csv``: one row per student (the file name without ``.ipynb``), one column per
  question, then the total; the first column's title is ``--id-column`` (name the files by the
  students' IDs and give the title your gradebook matches rows on, see the README);
* ``OUT/feedback/<student>.txt``: what each student gets back, part by part;
* ``OUT/report.html``: the class report (:mod:`.report`).

Files the grader reads (this package, numpy, the configuration, the results already written)
are watched: if one changes while a submission is graded, that submission scores 0 with a note
and the run stops (the next submissions would be graded with altered files), asking to restore
them and run again; with several in flight it cannot tell which one wrote and asks for ``--workers 1``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import time
import zipfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from .grading import (GradingError, changed_files, changed_package_files, default_limits, grade_notebook,
                      load_config, mark_tampered, watched_files)

RESULT_FORMAT = 1


# ------------------------------------------------------------------------------ inputs

def find_config(autograder) -> Path:
    """``grading.json`` of an autograder given as its folder, the file itself, or its ``autograder.zip``."""
    if not isinstance(autograder, (str, os.PathLike)):
        raise GradingError(f"autograder must be a path, got {type(autograder).__name__}")
    path = Path(autograder)
    if path.is_dir() and (path / "grading.json").is_file():
        return path / "grading.json"
    if path.is_file() and path.name == "grading.json":
        return path
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            if "files/grading.json" in archive.namelist():
                target = path.parent / f".{path.stem}.grading.json"
                target.write_bytes(archive.read("files/grading.json"))
                return target
    raise GradingError(f"autograder must be a folder made by `python -m lecture_utils autograder` "
                       f"(holding grading.json), its grading.json or its autograder.zip; got {str(path)!r}")


def find_submissions(folder) -> list:
    """The submitted notebooks of a folder, sorted; GradingError if the folder holds none."""
    if not isinstance(folder, (str, os.PathLike)) or not Path(folder).is_dir():
        raise GradingError(f"submissions must be an existing folder of .ipynb files, got {folder!r}")
    found = sorted(p for p in Path(folder).iterdir() if p.suffix == ".ipynb" and p.is_file())
    if not found:
        raise GradingError(f"submissions folder {str(folder)!r} holds no .ipynb file")
    return found


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------ the workers

_WORKER = {}


def _start_worker(config, config_path, limits, all_cells):
    from .sandbox import adopt_orphans, forbid_tracing
    forbid_tracing()
    adopt_orphans()
    _WORKER.update(config=config, config_path=config_path, limits=limits, all_cells=all_cells)


def _grade_one(path: str) -> dict:
    started = time.monotonic()
    result = grade_notebook(path, _WORKER["config"], _WORKER["limits"], all_cells=_WORKER["all_cells"],
                            watch=[_WORKER["config_path"]])
    result["wall_seconds"] = round(time.monotonic() - started, 2)
    return result


class Progress:
    """A one-line progress bar on stderr (a line per submission when stderr is not a terminal)."""

    def __init__(self, total: int, done: int, enabled: bool = True):
        self.total, self.done, self.started, self.enabled = total, done, time.monotonic(), enabled
        self.first = done
        self.tty = sys.stderr.isatty()

    def step(self, name: str, score: float, max_score: float) -> None:
        self.done += 1
        if not self.enabled:
            return
        rate = (self.done - self.first) / max(1e-9, time.monotonic() - self.started) * 60
        left = (self.total - self.done) / rate if rate else 0
        width = 30
        bar = "#" * round(width * self.done / self.total) + "." * (width - round(width * self.done / self.total))
        line = (f"[{bar}] {self.done}/{self.total} graded, {rate:.1f}/min, about {left:.0f} min left; "
                f"{name}: {score:g}/{max_score:g}")
        print(("\r" + line[:150].ljust(150)) if self.tty else line, end="" if self.tty else "\n",
              file=sys.stderr, flush=True)

    def close(self):
        if self.enabled and self.tty:
            print(file=sys.stderr)


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def grade_class(autograder, submissions, out, workers: int | None = None, notebook_seconds=None,
                answer_seconds=None, all_cells: bool = False, id_column: str = "student",
                progress: bool = True) -> dict:
    """Grade every submission of a folder; write results, grades.csv, feedback and report.html.

    Returns ``{"graded": n, "resumed": n, "csv": path, "report": path, "seconds": s}``.
    """
    config_path = find_config(autograder)
    config = load_config(config_path)
    paths = find_submissions(submissions)
    if not isinstance(out, (str, os.PathLike)):
        raise GradingError(f"out must be a folder path, got {type(out).__name__}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise GradingError(f"workers must be a positive integer, got {workers!r}")
    if not isinstance(id_column, str) or not id_column.strip():
        raise GradingError(f"id_column must be a non-empty column title, got {id_column!r}")
    changed = changed_package_files(config)
    if changed:
        raise GradingError(f"the installed lecture_utils differs from the one the autograder was built with "
                           f"({', '.join(changed[:5])}): rebuild the autograder (make autograder) or install "
                           "the package it was built from")
    limits = default_limits(config, notebook_seconds, answer_seconds)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        from .sandbox import unprivileged_user
        if unprivileged_user(sys.executable) is None:
            print(f"warning: grading as root, and the user nobody cannot run {sys.executable}: submissions run "
                  "as root and could rewrite your files (other submissions included). Grade as an unprivileged "
                  "user, or with a Python that nobody can run (README, 'Grading a class').", file=sys.stderr)
    workers = workers or os.cpu_count() or 1
    out = Path(out)
    results_dir = out / "results"
    results_dir.mkdir(parents=True, exist_ok=True)

    results, todo = {}, []
    for path in paths:
        saved = results_dir / f"{path.stem}.json"
        if saved.is_file():
            try:
                data = json.loads(saved.read_text())
                if data.get("format") == RESULT_FORMAT and data.get("sha256") == _sha256(path) \
                        and data.get("notebook") == config["notebook"]:
                    results[path.stem] = data
                    continue
            except (OSError, ValueError):
                pass
        todo.append(path)

    started = time.monotonic()
    bar = Progress(len(paths), len(results), progress)
    def watched():   # the package, numpy, the configuration, the results so far and every submission
        return watched_files([config_path, *results_dir.glob("*.json"), *paths])

    def untrusted(changed, keep=None):
        """Delete the result files that changed (a submission may have forged them): graded again next run.
        The submissions that changed are named: only the instructor's copy can restore them."""
        forged = [Path(p) for p in changed if Path(p).parent == results_dir and Path(p).stem != keep]
        for f in forged:
            f.unlink(missing_ok=True)
            results.pop(f.stem, None)
        replaced = [Path(p).name for p in changed if Path(p) in set(paths)]
        return ((f" The result files that changed ({', '.join(f.name for f in forged[:5])}) were deleted: "
                 "those submissions are graded again on the next run." if forged else "")
                + (f" Submissions were rewritten ({', '.join(replaced[:5])}): restore them from your own copy "
                   "before the next run." if replaced else ""))

    before = watched()
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                             initargs=(config, config_path, limits, all_cells)) as pool:
        queue, running = list(todo), {}
        while queue or running:
            while queue and len(running) < workers:
                path = queue.pop(0)
                running[pool.submit(_grade_one, str(path))] = path
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            suspects = list(running.values())
            for future in done:
                path = running.pop(future)
                result = future.result()
                changed = changed_files(before, watched())
                if changed and len(suspects) > 1:
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise GradingError(
                        f"files the grader reads changed while {', '.join(p.name for p in suspects)} were graded "
                        f"({', '.join(changed[:5])}).{untrusted(changed)} If the package or numpy changed, "
                        "reinstall them; then run the same command again with --workers 1 to find the submission "
                        "that wrote them")
                if changed and not result.get("tampering"):
                    result = mark_tampered(result, changed)
                result.update(format=RESULT_FORMAT, sha256=_sha256(path), notebook=config["notebook"],
                              student=path.stem)
                _write_json(results_dir / f"{path.stem}.json", result)
                results[path.stem] = result
                if changed:       # the files other submissions are graded with may be altered: stop here
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise GradingError(
                        f"{path.name} changed files the grader reads ({', '.join(changed[:5])}); it scores 0."
                        f"{untrusted(changed, keep=path.stem)} If the package, numpy or grading.json changed, "
                        "reinstall or rebuild them; then run the same command again: it grades the rest")
                before = watched()
                bar.step(path.stem, result["score"], result["max_score"])
                suspects = list(running.values())
    bar.close()
    ordered = [results[p.stem] for p in paths]
    csv_path = write_grades_csv(ordered, config, out / "grades.csv", id_column)
    write_feedback(ordered, out / "feedback")
    from .report import write_report
    report = write_report(ordered, config, out / "report.html")
    return {"graded": len(todo), "resumed": len(paths) - len(todo), "csv": csv_path, "report": report,
            "seconds": round(time.monotonic() - started, 1), "workers": workers}


# ------------------------------------------------------------------------------ outputs

def write_grades_csv(results: list, config: dict, path: Path, id_column: str = "student") -> Path:
    """One row per student, one column per question (its points in the title), then ``total``."""
    questions = [q["function"] for q in config["questions"]]
    points = {q["function"]: q["points"] for q in config["questions"]}
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([id_column] + [f"{q} ({points[q]} pts)" for q in questions] +
                        [f"total ({sum(points.values())} pts)"])
        for r in results:
            scores = {q["question"]: q["score"] for q in r["questions"]}
            writer.writerow([r["student"]] + [f"{scores.get(q, 0.0):g}" for q in questions] + [f"{r['score']:g}"])
    return path


def feedback_text(result: dict) -> str:
    """What one student gets back: score, each part's verdict and hint, and the notes."""
    lines = [f"{result['student']}: {result['score']:g} / {result['max_score']:g} points", ""]
    for q in result["questions"]:
        lines.append(f"{q['question']}: {q['score']:g} / {q['max_score']:g}")
        for p in q["parts"]:
            label = f"{p['part'] + ', ' if p['part'] else ''}{p['group']} cases"
            verdict = "passed" if not p["message"] else p["message"]
            lines.append(f"  {label} ({p['score']:g}/{p['max_score']:g}): {verdict}")
    if result["notes"]:
        lines += ["", "Notes:"] + [f"  - {n}" for n in result["notes"]]
    return "\n".join(lines) + "\n"


def write_feedback(results: list, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for r in results:
        (folder / f"{r['student']}.txt").write_text(feedback_text(r))
