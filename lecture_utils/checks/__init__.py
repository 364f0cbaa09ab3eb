"""Exercise checkers, one submodule per notebook, all importable from here.

Each ``check_*`` function runs the student's code on several seeded cases,
prints one ``PASS`` line, or raises :class:`CheckFailure` (an ``AssertionError``)
whose message names the likely mistake.
"""

from ._core import CheckFailure
from .linear import check_linear_backward, check_mse_gradient

__all__ = ["CheckFailure", "check_linear_backward", "check_mse_gradient"]
