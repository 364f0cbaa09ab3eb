"""Exercise checkers, one submodule per notebook, all importable from here.

Each ``check_*(fn, cases="all")`` function runs the student's code on several seeded
cases (the visible ones, then hidden extra ones; ``cases="visible"`` or ``"hidden"``
runs one group, as the autograder does), prints one ``PASS`` line, or raises
:class:`CheckFailure` (an ``AssertionError`` that IPython shows as one message) naming
the likely mistake. :func:`check_prediction` checks predict-then-run questions.
Notebooks import from the submodule of their topic (``lecture_utils.checks.linear``);
this package re-exports every checker, importing a topic's submodule (and the lecture
module it checks against) only when one of its checkers is asked for: a notebook that
imports ``check_prediction`` does not pay for notebook 06's network.
"""

import importlib

from ._core import CheckFailure
from .predictions import Prediction, check_prediction

TOPICS = ("linear", "pyramids", "steerable", "nn", "conv", "cnn")        # notebooks 01 .. 06


def _checkers(module) -> dict:
    return {name: value for name, value in sorted(vars(module).items())
            if name.startswith("check_") and callable(value) and value is not check_prediction}


def __getattr__(name: str):
    """A topic's submodule or checker, or ``__all__``, on first use (PEP 562)."""
    if name in TOPICS:
        return importlib.import_module(f".{name}", __name__)
    if name == "__all__":
        names = ["CheckFailure", "Prediction", "check_prediction"]
        for topic in TOPICS:
            names += [checker for checker in _checkers(importlib.import_module(f".{topic}", __name__))
                      if checker not in names]
        globals()["__all__"] = names
        return names
    if name.startswith("check_"):
        for topic in TOPICS:
            checkers = _checkers(importlib.import_module(f".{topic}", __name__))
            if name in checkers:
                globals()[name] = checkers[name]
                return checkers[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | set(__getattr__("__all__")))
