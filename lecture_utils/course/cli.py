"""Command line of the course tools: ``python -m lecture_utils student|slides|site|autograder [--out DIR] [NOTEBOOK ...]``.

* ``student``: student editions (answers replaced by stubs) into ``student/``, with the notation
  page; an edition a student has edited is kept, never replaced;
* ``autograder``: for each notebook its student edition and an Otter-Grader ``autograder.zip``
  into ``_build/autograder/NN_topic/``;
* ``publish [NOTEBOOK ...] --repo URL [--branch B] [--message M]``: commit the student editions
  (default ``student/NN_*.ipynb``) onto the branch (default ``student-edition``) and push it;
* ``nbgitpuller --hub URL --repo URL [--branch B] [NOTEBOOK ...]``: one link per notebook on the
  published branch (or per NOTEBOOK named) that pulls the student edition into a JupyterHub home
  and opens it;
* ``slides``: offline reveal.js decks into ``_build/slides/``;
* ``site``: an offline static site (pages, decks, index) into ``_build/site/``, from the instructor
  edition (every answer included: for instructors); ``site --edition student``: the same from the
  student edition, run here, with no answer anywhere (for students), into ``_build/site-student/``.
* ``grade --autograder DIR --submissions DIR --out DIR``: grade a folder of submissions locally,
  in parallel, each in isolation with time limits, into ``grades.csv``, feedback and ``report.html``
  (see :mod:`lecture_utils.course.classroom`).

Without NOTEBOOK arguments every ``notebooks/NN_*.ipynb`` under the current
folder is used. Errors in a notebook (a malformed exercise, a missing title)
are printed as one line naming the notebook and cell, with exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUT = {"student": "student", "slides": "_build/slides", "site": "_build/site",
               "autograder": "_build/autograder", "nbgitpuller": "", "publish": "", "grade": "_build/grades"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lecture_utils",
                                     description="Build the student edition, the slides, the static site or the autograder.")
    parser.add_argument("command", choices=sorted(DEFAULT_OUT), help="what to build")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to use (default: notebooks/*.ipynb, in lecture order)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: student/, _build/slides/ or _build/site/)")
    parser.add_argument("--title", default="Course notebooks", help="heading of the site's index page")
    parser.add_argument("--edition", choices=("instructor", "student"), default="instructor",
                        help="site: build from the instructor edition (default, every answer included) or "
                             "from the student edition (for students: no answers)")
    parser.add_argument("--hub", help="nbgitpuller: the JupyterHub's address, https://...")
    parser.add_argument("--repo", help="nbgitpuller, publish: the git repository students pull from "
                                       "(nbgitpuller: its https address; publish: any address you push to)")
    parser.add_argument("--branch", default="student-edition", help="nbgitpuller, publish: the student edition's branch")
    parser.add_argument("--message", "-m", help="publish: the commit message (default: the notebooks changed)")
    grade = parser.add_argument_group("grade")
    grade.add_argument("--autograder", type=Path, help="grade: a notebook's autograder folder (grading.json) or autograder.zip")
    grade.add_argument("--submissions", type=Path, help="grade: the folder of submitted .ipynb files")
    grade.add_argument("--workers", type=int, default=None, help="grade: submissions graded at once (default: cores)")
    grade.add_argument("--notebook-timeout", type=float, default=None,
                       help="grade: seconds for a submission's cells (default: from grading.json)")
    grade.add_argument("--answer-timeout", type=float, default=None,
                       help="grade: seconds for one graded part (default: from grading.json)")
    grade.add_argument("--all-cells", action="store_true",
                       help="grade: run every cell, not only those the graded functions need")
    grade.add_argument("--id-column", default="student", help="grade: title of the CSV's first column")
    grade.add_argument("--quiet", action="store_true", help="grade: no progress bar")
    return parser


def _grade(args) -> int:
    from .classroom import grade_class
    from .grading import GradingError
    if args.autograder is None or args.submissions is None:
        print("error: grade needs --autograder DIR and --submissions DIR", file=sys.stderr)
        return 2
    try:
        done = grade_class(args.autograder, args.submissions, args.out or Path(DEFAULT_OUT["grade"]),
                           workers=args.workers, notebook_seconds=args.notebook_timeout,
                           answer_seconds=args.answer_timeout, all_cells=args.all_cells,
                           id_column=args.id_column, progress=not args.quiet)
    except GradingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"graded {done['graded']} submissions ({done['resumed']} already graded) in {done['seconds']} s "
          f"with {done['workers']} workers")
    print(done["csv"])
    print(done["report"])
    return 0


def main(argv=None) -> int:
    """Run one command; return the process exit status."""
    args = _parser().parse_intermixed_args(argv)
    if args.command == "grade":
        return _grade(args)
    if args.command in ("nbgitpuller", "publish"):
        return _deploy(args)
    notebooks = args.notebooks or sorted(Path("notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        print("error: no notebooks given and none found in notebooks/ (run from the repository root)",
              file=sys.stderr)
        return 2
    if args.edition != "instructor" and args.command != "site":
        print("error: --edition applies to the site only", file=sys.stderr)
        return 2
    out = args.out or Path("_build/site-student" if args.edition == "student" else DEFAULT_OUT[args.command])
    # Imported here so that `--help` stays fast (nbconvert takes a while to import).
    from .autograder import AutograderError, build_autograders
    from .editions import EditionError, write_student_editions
    from .publish import PublishError, build_site, build_slides
    try:
        if args.command == "student":
            written, kept = write_student_editions(notebooks, out)
            for path in kept:
                print(f"kept {path}: it holds your edits (your answers), so it was not replaced. To get a "
                      f"fresh copy as well, rename yours (e.g. to {path.stem}.mine.ipynb) and run this again.",
                      file=sys.stderr)
        elif args.command == "autograder":
            written = build_autograders(notebooks, out)
        elif args.command == "slides":
            written = build_slides(notebooks, out)
        else:
            written = build_site(notebooks, out, title=args.title, edition=args.edition)
    except (AutograderError, EditionError, PublishError, ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


def _deploy(args) -> int:
    """``publish`` and ``nbgitpuller``: they read and write the published git branch."""
    from .deploy import DeployError, nbgitpuller_links, publish_student_edition
    needed = ["--repo URL"] if not args.repo else []
    if args.command == "nbgitpuller" and not args.hub:
        needed.insert(0, "--hub URL")
    if needed:
        print(f"error: {args.command} needs {' and '.join(needed)}", file=sys.stderr)
        return 2
    try:
        if args.command == "publish":
            paths = args.notebooks or sorted(Path("student").glob("[0-9][0-9]_*.ipynb"))
            if not paths:
                print("error: no notebooks given and none found in student/ "
                      "(run python -m lecture_utils student first)", file=sys.stderr)
                return 2
            commit = publish_student_edition(paths, args.repo, args.branch, args.message)
            print(f"{args.branch} at {args.repo}: " + (f"published {commit}" if commit else "already up to date"))
        else:
            names = [p.name for p in args.notebooks] or None
            for name, link in nbgitpuller_links(args.hub, args.repo, args.branch, names):
                print(f"{name}: {link}")
    except (DeployError, ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
