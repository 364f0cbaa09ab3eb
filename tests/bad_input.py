"""Table-driven bad-input tests: every public function x every kind of bad value.

Each test module lists its public functions with one good call and, for each argument,
the *family* of the argument (an array, an integer, a positive number, ...). From the
family come the bad values to try (a string, NaN, a ragged list, a negative seed, ...),
each derived from the good value so that only one thing is wrong at a time. Every case
must raise a TypeError or ValueError

* whose message names the argument (students see which one is wrong), and
* that is raised by lecture_utils itself, not from deep inside numpy or scipy.

    from bad_input import Case, bad_values, check_refused
    TABLE = [Case(reduce, dict(image=np.ones((8, 8)), boundary="reflect"),
                  {"image": "image", "boundary": "choice"}), ...]
    @pytest.mark.parametrize("fn, good, arg, kind, value", expand(TABLE), ids=...)
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

PACKAGE = str(Path(__file__).resolve().parents[1] / "lecture_utils")


def _array_values(good):
    good = np.asarray(good, dtype=float)
    values = {
        "None": None,
        "a string": "abc",
        "a ragged list": [[1.0, 2.0], [3.0]],
        "a dict": {"a": 1},
        "complex numbers": good + 1j,
        "NaN": np.where(np.arange(good.size).reshape(good.shape) == 0, np.nan, good),
        "infinity": np.where(np.arange(good.size).reshape(good.shape) == 0, np.inf, good),
        "an object array": np.array([object()] * 2, dtype=object),
        "one axis too many": good[None],
    }
    if good.ndim >= 1:
        values["one axis too few"] = good.reshape(good.shape[1:]) if good.shape[0] == 1 else good[0]
        values["no entries"] = np.zeros((0,) + good.shape[1:])
    return values


FAMILIES = {
    # argument family -> (good value -> {description: bad value})
    "array": _array_values,
    "int": lambda good: {"a string": str(good), "a float": good + 0.5, "a bool": True, "None": None,
                         "an array": np.array([good, good])},
    "count": lambda good: {"a string": str(good), "a float": good + 0.5, "a bool": True, "None": None,
                           "a negative number": -1, "an absurd size": 10**12},
    "positive": lambda good: {"a string": str(good), "NaN": float("nan"), "infinity": float("inf"),
                              "zero": 0.0, "a negative number": -abs(good) - 1.0, "a bool": True,
                              "None": None, "an array": np.array([good, good])},
    "real": lambda good: {"a string": str(good), "NaN": float("nan"), "infinity": float("inf"),
                          "a bool": True, "None": None, "an array": np.array([good, good])},
    "flag": lambda good: {"the string 'no'": "no", "the integer 1": 1, "None": None},
    "choice": lambda good: {"an unknown name": "bogus", "None": None, "a number": 3,
                            "a list": [good]},
    "seed": lambda good: {"a negative seed": -1, "a float": 0.5, "a string": "0", "a bool": True},
    "function": lambda good: {"a result instead of a function": np.ones(3), "None": None,
                              "a string": "f"},
    "shape": lambda good: {"a string": "98", "None": None, "a float side": (9.5,) + tuple(good[1:]),
                           "a zero side": (0,) + tuple(good[1:]), "an absurd side": (10**9,) + tuple(good[1:]),
                           "a negative side": (-4,) + tuple(good[1:])},
    # the course tooling (lecture_utils.course): notebooks, cell sources, file names, paths
    "notebook": lambda good: {"a dict": dict(good), "None": None, "a path": "01_x.ipynb",
                              "a notebook without a list of cells": type(good)(metadata={})},
    "source": lambda good: {"None": None, "a number": 3, "bytes": good.encode(), "a list of lines": [good]},
    "name": lambda good: {"None": None, "a number": 3, "an empty string": "", "spaces": "  "},
    "notebook paths": lambda good: {"one path, not a list": good[0], "an empty list": [], "None": None,
                                    "a missing file": [Path(good[0]).with_name("missing.ipynb")],
                                    "a file that is not a notebook": [Path(good[0]).with_suffix(".py")],
                                    "a number in the list": [3]},
    "texts": lambda good: {"one string, not a list": good[0], "None": None, "a list holding a number": [3],
                           "a dict": {"a": good[0]}},
    "folder": lambda good: {"None": None, "a number": 3, "an empty string": "",
                            "a file": next(Path(good).parent.glob("*.ipynb"))},
}


@dataclass
class Case:
    """One public function, one good call, and the family of each argument to attack."""

    fn: object
    good: dict
    args: dict                      # argument name -> family name in FAMILIES
    skip: dict = field(default_factory=dict)   # argument name -> descriptions not to try (with reason)

    def bad_calls(self):
        for arg, family in self.args.items():
            for description, value in FAMILIES[family](self.good[arg]).items():
                if description in self.skip.get(arg, ()):
                    continue
                yield self.fn, self.good, arg, description, value


def expand(table):
    """pytest parameters (fn, good, arg, description, value) and readable ids."""
    params, ids = [], []
    for case in table:
        for fn, good, arg, description, value in case.bad_calls():
            params.append((fn, good, arg, description, value))
            ids.append(f"{fn.__qualname__}-{arg}-{description.replace(' ', '_')}")
    return params, ids


def expand_with(table, constraints):
    """:func:`expand` of ``table`` followed by ``constraints`` (fn, good, arg, description, value), with ids."""
    params, ids = expand(table)
    return (params + list(constraints),
            ids + [f"{c[0].__qualname__}-{c[2]}-{c[3].replace(' ', '_')}" for c in constraints])


def check_refused(fn, good, arg, description, value):
    """``fn(**good)`` with ``good[arg]`` replaced by ``value`` must raise a clear error about ``arg``."""
    fn(**good)   # the good call works (so the failure below is the bad value's)
    kwargs = dict(good, **{arg: value})
    with pytest.raises((TypeError, ValueError)) as info:
        fn(**kwargs)
    message = str(info.value)
    assert arg in message, (f"{fn.__qualname__}({arg}={description}) raised {info.type.__name__}: "
                            f"{message!r}, which does not name {arg!r}")
    frames = traceback.extract_tb(info.tb)
    assert frames[-1].filename.startswith(PACKAGE), (
        f"{fn.__qualname__}({arg}={description}) was refused by {frames[-1].filename}:{frames[-1].lineno}, "
        f"not by lecture_utils: {message!r}")
