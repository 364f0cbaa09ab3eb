"""Exercise checkers, one submodule per notebook, all importable from here.

Each ``check_*(fn, cases="all")`` function runs the student's code on several seeded
cases (the visible ones, then hidden extra ones; ``cases="visible"`` or ``"hidden"``
runs one group, as the autograder does), prints one ``PASS`` line, or raises
:class:`CheckFailure` (an ``AssertionError`` that IPython shows as one message) naming
the likely mistake. :func:`check_prediction` checks predict-then-run questions.
Notebooks import from the submodule of their topic (``lecture_utils.checks.linear``);
this package re-exports every checker.
"""

from . import cnn, conv, linear, nn, pyramids, steerable
from ._core import CheckFailure
from .predictions import Prediction, check_prediction

__all__ = ["CheckFailure", "Prediction", "check_prediction"]
for _module in (linear, pyramids, steerable, nn, conv, cnn):        # notebooks 01 .. 06
    for _name in sorted(vars(_module)):
        if _name.startswith("check_") and callable(getattr(_module, _name)):
            if _name in globals() and globals()[_name] is not getattr(_module, _name):
                raise ImportError(f"two checkers are called {_name}: {globals()[_name].__module__} and "
                                  f"{_module.__name__}; give one another name")
            globals()[_name] = getattr(_module, _name)
            __all__.append(_name)
del _module, _name
