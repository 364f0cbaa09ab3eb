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

import lecture_utils  # noqa: E402

PACKAGE = str(Path(lecture_utils.__file__).resolve().parent)      # the package under test, wherever it is installed


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


# ------------------------------------------------------------------------------------------------
# The survey: every argument of every public callable, with the bad values of its family and
# numerically extreme values, each outcome classified.
#
# A bad value must be refused clearly (a TypeError or ValueError naming the argument, raised by
# lecture_utils) unless the case lists it as accepted (``skip``, with the reason in a comment).
# An extreme value (huge numbers, a constant array) must work, i.e. give finite results, or be
# refused clearly. Anything else is "unclear" (another exception: FloatingPointError, IndexError,
# a numpy TypeError, a message that does not name the argument) or "silent" (a result for a value
# that makes no sense, or a non-finite result).

import dataclasses
import signal
import warnings

from lecture_utils import _validate

TEXT_ARGS = {"title", "xlabel", "cost_label", "question", "explanation", "name", "text"}
SEED_ARGS = {"rng", "seed"}


def _labels_values(good):
    good = np.asarray(good)
    return {"None": None, "a string": "abc", "a ragged list": [[0, 1], [2]], "floats": good + 0.5,
            "a negative label": np.where(np.arange(good.size).reshape(good.shape) == 0, -1, good),
            "one axis too many": good[None]}


def _params_values(good):
    keys = list(good)
    first = keys[0]
    values = {"None": None, "a list of its arrays": list(good.values()),
              "a dict missing a key": {k: v for k, v in good.items() if k != first},
              "a string entry": dict(good, **{first: "abc"})}
    if isinstance(good[first], np.ndarray) and good[first].size:
        values["a NaN entry"] = dict(good, **{first: np.full(good[first].shape, np.nan)})
        values["an entry with an extra axis"] = dict(good, **{first: good[first][None]})
    return values


def _foreign_record(good):
    """A record of another kind than ``good`` (a cache of the wrong layer, say)."""
    from lecture_utils.linear import LinearCache
    from lecture_utils.nn import ActivationCache
    if isinstance(good, LinearCache):
        return ActivationCache("sigmoid_forward", np.ones((2, 2)))
    return LinearCache(np.ones((2, 2)), np.ones((2, 2)), np.ones(2))


FAMILIES.update({
    "labels": _labels_values,
    "sequence": lambda good: {"None": None, "a string": "abc", "a number": 3.5, "an empty list": []},
    "params": _params_values,
    "instance": lambda good: {"None": None, "a string": "abc", "a dict": {"a": 1},
                              "a record of another kind": _foreign_record(good)},
    "optional": lambda good: {"a string": "abc", "a dict": {"a": 1}},
    "optional count": lambda good: {d: v for d, v in FAMILIES["count"](good).items() if v is not None},
    "text": lambda good: {},
})

# Numerically extreme but meaningful values: they must work (finite results) or be refused clearly.
EXTREMES = {
    "array": lambda good: ({"huge values": np.asarray(good, dtype=float) * 1e300 / max(1.0, float(np.max(np.abs(good)))),
                            "a constant array": np.full(np.shape(good), 0.5)}
                           if np.size(good) and np.issubdtype(np.asarray(good).dtype, np.floating) else {}),
    "real": lambda good: {"a huge number": 1e300},
    "positive": lambda good: {"a huge number": 1e300, "a tiny number": 1e-300},
}


def family_of(fn, name, value):
    """The family of argument ``name`` (good value ``value``) of ``fn``, from its declared spec or its value."""
    spec = (getattr(fn, "specs", None) or {}).get(name)
    while isinstance(spec, _validate._Optional) and value is not None:
        spec = spec.spec
    if isinstance(spec, (_validate._Array, _validate._Gradient)):
        return "labels" if isinstance(spec, _validate._Array) and spec.dtype == "int" else "array"
    if isinstance(spec, _validate._Integer):
        return "count" if spec.minimum is not None and spec.minimum >= 0 else "int"
    if isinstance(spec, _validate._Real):
        return "positive" if spec.minimum == 0 and spec.min_open else "real"
    simple = {_validate._Choice: "choice", _validate._Flag: "flag", _validate._Seed: "seed",
              _validate._Function: "function", _validate._ShapeTuple: "shape"}
    for cls, family in simple.items():
        if isinstance(spec, cls):
            return family
    if isinstance(spec, _validate._Instance) and not isinstance(value, str):
        return "instance"
    return _family_of_value(name, value)


def _family_of_value(name, value):
    if name in TEXT_ARGS:
        return "text"
    if value is None:
        return "optional"
    if isinstance(value, (bool, np.bool_)):
        return "flag"
    if isinstance(value, np.random.Generator) or (name in SEED_ARGS and isinstance(value, int)):
        return "seed"
    if isinstance(value, (int, np.integer)):
        return "count" if value >= 0 else "int"
    if isinstance(value, (float, np.floating)):
        return "real"
    if isinstance(value, str):
        return "choice"
    if isinstance(value, np.ndarray):
        return "labels" if np.issubdtype(value.dtype, np.integer) else "array"
    if isinstance(value, dict):
        return "params" if value else "instance"
    if isinstance(value, (tuple, list)) and not hasattr(value, "_fields"):
        if "shape" in name and value and all(isinstance(v, (int, np.integer)) for v in value):
            return "shape"
        return "sequence"
    if callable(value) and not dataclasses.is_dataclass(value):
        return "function"
    return "instance"


@dataclass
class Call:
    """A good call of a public callable and what the survey may try on it.

    ``families`` overrides the family of an argument (default: from its spec or its value);
    ``accepts`` maps an argument to the bad or extreme values (descriptions) that it accepts, and
    why (a comment beside it); ``name`` is how reports call it (default: module.qualname).
    """

    fn: object
    good: dict
    families: dict = field(default_factory=dict)
    accepts: dict = field(default_factory=dict)
    name: str = ""

    def __post_init__(self):
        self.name = self.name or f"{self.fn.__module__}.{self.fn.__qualname__}"

    def attempts(self):
        """(arg, description, value, kind) for every bad ("bad") and extreme ("extreme") value."""
        for arg, good in self.good.items():
            family = self.families.get(arg) or family_of(self.fn, arg, good)
            for description, value in FAMILIES[family](good).items():
                yield arg, description, value, "bad"
            for description, value in EXTREMES.get(family, lambda g: {})(good).items():
                yield arg, description, value, "extreme"


def from_case(case: Case) -> Call:
    """A :class:`Call` from a bad-input table's :class:`Case` (its families and skips kept)."""
    return Call(case.fn, case.good, families=dict(case.args), accepts={k: tuple(v) for k, v in case.skip.items()})


def _finite(value, depth=0) -> bool:
    """Whether every float in a result (arrays, numbers, containers, records) is finite."""
    if depth > 6:
        return True
    if isinstance(value, np.ndarray):
        return not np.issubdtype(value.dtype, np.inexact) or bool(np.isfinite(value).all())
    if isinstance(value, (float, complex, np.inexact)):
        return bool(np.isfinite(value))
    if isinstance(value, dict):
        return all(_finite(v, depth + 1) for v in value.values())
    if isinstance(value, (tuple, list)):
        return all(_finite(v, depth + 1) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if getattr(value, "diverged", False) or getattr(getattr(value, "history", None), "diverged", False):
            return True                   # a training run that says it diverged: its inf losses are explained
        return all(_finite(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
    return True


class _TimedOut(Exception):
    pass


def _alarm(signum, frame):
    raise _TimedOut()


def outcome(call: Call, arg, description, value, kind, timeout: float = 30.0):
    """How ``call`` with ``arg`` replaced by ``value`` ends: (verdict, detail).

    verdict is "clear" (refused naming the argument, by lecture_utils), "accepted" (any other end,
    for a value the call lists as accepted), "works" (an extreme value giving finite results),
    "unclear" or "silent".
    """
    verdict, detail = _outcome(call, arg, value, kind, timeout)
    if verdict in ("unclear", "silent") and description in call.accepts.get(arg, ()):
        return "accepted", detail
    return verdict, detail


def _outcome(call, arg, value, kind, timeout):
    kwargs = dict(call.good, **{arg: value})
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            warnings.simplefilter("error", RuntimeWarning)
            result = call.fn(**kwargs)
    except _TimedOut:
        return "unclear", f"did not finish in {timeout:g} s"
    except (TypeError, ValueError) as exc:
        message = str(exc)
        where = traceback.extract_tb(exc.__traceback__)[-1]
        if arg not in message:
            return "unclear", f"{type(exc).__name__} not naming {arg!r}: {message[:160]}"
        if not where.filename.startswith(PACKAGE):
            return "unclear", f"{type(exc).__name__} from {Path(where.filename).name}:{where.lineno}: {message[:160]}"
        return "clear", message
    except Exception as exc:                    # noqa: BLE001 (the point is to see every kind)
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return "unclear", f"{type(exc).__name__} at {Path(where.filename).name}:{where.lineno}: {str(exc)[:160]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _close_figures()
    if kind == "extreme":
        return ("works", "") if _finite(result) else ("silent", "non-finite result")
    return "silent", f"returned {type(result).__name__}"


def _close_figures():
    import sys
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def survey(calls, isolate: bool = False):
    """Every attempt of every call: a list of (call name, arg, description, kind, verdict, detail).

    ``isolate`` runs each call's attempts in a forked child process, so that an attempt that kills
    the interpreter (a segmentation fault) is counted as "unclear" instead of ending the survey.
    """
    rows = []
    for call in calls:
        call.fn(**call.good)              # the good call works, so what follows is the bad value's doing
        _close_figures()
        attempts = list(call.attempts())
        if not isolate:
            for arg, description, value, kind in attempts:
                rows.append((call.name, arg, description, kind, *outcome(call, arg, description, value, kind)))
            continue
        start = 0
        while start < len(attempts):
            done, status = _in_child(call, attempts[start:])
            rows += [(call.name, *attempt[:2], attempt[3], *verdict) for attempt, verdict in zip(attempts[start:], done)]
            start += len(done)
            if start < len(attempts):     # the child died during attempts[start]
                arg, description, _, kind = attempts[start]
                rows.append((call.name, arg, description, kind, "unclear", f"the process died ({status})"))
                start += 1
    return rows


def _in_child(call, attempts):
    """Run ``attempts`` of ``call`` in a forked child; the verdicts it reported, and its exit status."""
    import json
    import os
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:                                            # the child: one JSON line per attempt
        os.close(read)
        with os.fdopen(write, "w") as out:
            for arg, description, value, kind in attempts:
                out.write(json.dumps(outcome(call, arg, description, value, kind)) + "\n")
                out.flush()
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as lines:
        done = [tuple(json.loads(line)) for line in lines]
    _, status = os.waitpid(pid, 0)
    return done, (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}")
