"""Command line of the course tools: ``python -m lecture_utils student|slides|site|autograder [--out DIR] [NOTEBOOK ...]``.

* ``student``: student editions (answers replaced by stubs) into ``student/``;
* ``autograder``: for each notebook its student edition and an Otter-Grader ``autograder.zip``
  into ``_build/autograder/NN_topic/``;
* ``nbgitpuller --hub URL --repo URL [--branch B]``: one link per notebook that pulls the student
  edition into a JupyterHub home and opens it;
* ``slides``: offline reveal.js decks into ``_build/slides/``;
* ``site``: an offline static site (pages, decks, index) into ``_build/site/``, from the instructor
  edition (every answer included: for instructors); ``site --edition student``: the same from the
  student edition, run here, with no answer anywhere (for students), into ``_build/site-student/``.

Without NOTEBOOK arguments every ``notebooks/NN_*.ipynb`` under the current
folder is used. Errors in a notebook (a malformed exercise, a missing title)
are printed as one line naming the notebook and cell, with exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUT = {"student": "student", "slides": "_build/slides", "site": "_build/site",
               "autograder": "_build/autograder", "nbgitpuller": ""}


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
    parser.add_argument("--repo", help="nbgitpuller: the git repository's https address")
    parser.add_argument("--branch", default="student-edition", help="nbgitpuller: the student edition's branch")
    return parser


def main(argv=None) -> int:
    """Run one command; return the process exit status."""
    args = _parser().parse_intermixed_args(argv)
    if args.command == "nbgitpuller":
        from .deploy import nbgitpuller_links
        if not args.hub or not args.repo:
            print("error: nbgitpuller needs --hub URL and --repo URL", file=sys.stderr)
            return 2
        try:
            for name, link in nbgitpuller_links(args.hub, args.repo, args.branch):
                print(f"{name}: {link}")
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
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
            written = write_student_editions(notebooks, out)
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


if __name__ == "__main__":
    sys.exit(main())
