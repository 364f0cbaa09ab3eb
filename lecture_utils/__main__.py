"""``python -m lecture_utils student|slides|site ...``: the course tools (see :mod:`lecture_utils.course.cli`)."""

import sys

from .course.cli import main

if __name__ == "__main__":
    sys.exit(main())
