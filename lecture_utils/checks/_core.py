"""Machinery shared by every exercise checker.

A checker runs the student's function on several seeded cases of different shapes (so a
hard-coded answer fails): the visible cases, which the messages describe, then hidden
extra cases of other shapes (the autograder grades them separately). It compares each
result with the reference and, when they differ, recognises the usual mistakes by
recomputing them: if the student's result equals "the reference without the 1/N", the
hint says so.

It also refuses answers that only look right:

* a function that calls the package's own implementation (``lecture_utils.conv``, ...),
  however it was imported, is caught while it runs (:func:`call_student` watches every
  call) and refused: the exercise is to write the computation;
* complex, string, object or boolean results, and results of the wrong shape.

A failure is one :class:`CheckFailure`, shown by IPython as a single styled message
(``_render_traceback_``), not as a traceback into the checker's source.
"""

from __future__ import annotations

import functools
import re
import sys
import sysconfig
import traceback
from pathlib import Path

import numpy as np

PACKAGE = Path(__file__).resolve().parents[1]          # lecture_utils/
NOT_AN_ANSWER = (PACKAGE / "_validate.py",)   # code a call may pass through (the checkers' own is refused)
_SETPROFILE = sys.setprofile        # as it was when the checkers were imported (before any answer ran)
WATCH_TURNED_OFF = "sys.setprofile"  # reported among the calls when an answer switches the watch off
CASES = ("all", "visible", "hidden")
# Code that is nobody's answer: the Python installation (its standard library and packages) and lecture_utils.
_NOT_STUDENT_CODE = tuple({str(Path(p).resolve()) for key, p in sysconfig.get_paths().items()
                           if key in ("stdlib", "platstdlib", "purelib", "platlib")} | {str(PACKAGE)})


class CheckFailure(AssertionError):
    """Raised by a checker; the message says what is wrong and how to fix it.

    IPython shows only the message (:meth:`_render_traceback_`), so a student sees one
    clear sentence rather than a traceback into the checker.
    """

    def _render_traceback_(self):
        lines = str(self).splitlines() or [""]
        return ["\x1b[1;31m\u2717 " + lines[0] + "\x1b[0m"] + ["  " + line for line in lines[1:]]


class CheckTypeError(CheckFailure, TypeError):
    """A checker's argument of the wrong kind (``check(my_function(x))`` instead of ``check(my_function)``)."""


class CheckValueError(CheckFailure, ValueError):
    """A checker's argument with a value it does not know (``cases="some"``, an unknown question id)."""


def checker(check):
    """Decorator of every ``check_*(fn, cases="all")``: both arguments checked before any work.

    A bad argument gets one sentence naming it (a :class:`CheckTypeError` or :class:`CheckValueError`,
    shown by IPython as one line, like every other failure of a checker).
    """
    @functools.wraps(check)
    def wrapper(fn=None, cases="all", **kwargs):
        if kwargs:
            raise CheckTypeError(f"{check.__name__}() takes your function and optionally cases=, "
                                 f"not {', '.join(kwargs)}.")
        student_function(fn)
        cases_choice(cases)
        return check(fn, cases)
    return wrapper


def student_function(fn) -> None:
    """A :class:`CheckTypeError` naming ``fn`` unless it is a function."""
    if fn is None:
        raise CheckTypeError("fn is missing: pass your function, e.g. check(my_function).")
    if not callable(fn):
        raise CheckTypeError(f"fn must be your function itself (its name, without brackets), got "
                             f"{type(fn).__name__}: write check(my_function), not check(my_function(x)).")


def cases_choice(cases) -> None:
    """A :class:`CheckValueError` naming ``cases`` unless it is "all", "visible" or "hidden"."""
    if not isinstance(cases, str) or cases not in CASES:
        raise CheckValueError(f"cases must be 'all', 'visible' or 'hidden', got {cases!r}")


# ---------------------------------------------------------------------- running the student's code

def _package_function(frame) -> str | None:
    """``module.function`` when ``frame`` runs code of lecture_utils that an answer may not call."""
    filename = frame.f_code.co_filename
    if not filename.startswith(str(PACKAGE)):
        return None
    path = Path(filename)
    if any(path == p or p in path.parents for p in NOT_AN_ANSWER):
        return None
    module = ".".join(("lecture_utils",) + path.relative_to(PACKAGE).with_suffix("").parts)
    return f"{module}.{frame.f_code.co_name}"


def _checked_function(frame) -> str | None:
    """For the argument-checking wrapper of a lecture function, that function's ``module.name``.

    The wrapper runs first (and may touch a property of the package while it checks), so the
    function the answer really called is named by its wrapper.
    """
    if Path(frame.f_code.co_filename) != PACKAGE / "_validate.py" or frame.f_code.co_name != "wrapper":
        return None
    fn = frame.f_locals.get("fn")
    module = getattr(fn, "__module__", "") or ""
    if not module.startswith("lecture_utils.") or module.startswith("lecture_utils.checks"):
        return None
    return f"{module}.{fn.__name__}"


def _watching_calls(fn, args, allowed):
    """Call ``fn(*args)``; also return the package functions it called (other than ``allowed``)."""
    if isinstance(fn, CallsElsewhere):   # the autograder's stand-in: the call is run and watched elsewhere
        return fn.call_watching(args, allowed)
    seen = []
    own_code = sys._getframe().f_code
    inside_allowed = []          # frames of allowed package functions now running: their calls are theirs
    previous = sys.getprofile()

    def profile(frame, event, arg):
        if event == "c_call" and arg is _SETPROFILE and frame.f_code is not own_code:
            if WATCH_TURNED_OFF not in seen:    # the answer replaces this watch (to call the package unseen)
                seen.append(WATCH_TURNED_OFF)
        if event == "return" and inside_allowed and frame is inside_allowed[-1]:
            inside_allowed.pop()
        if event != "call" or inside_allowed:
            return
        name = _checked_function(frame) or _package_function(frame)
        if name in allowed:
            inside_allowed.append(frame)
        elif name is not None and name not in seen:
            seen.append(name)

    sys.setprofile(profile)
    try:
        result = fn(*args)
        if sys.getprofile() is not profile and WATCH_TURNED_OFF not in seen:   # switched off another way
            seen.append(WATCH_TURNED_OFF)
    finally:
        sys.setprofile(previous)
    return result, seen


def call_student(fn, args, case: str, allowed=()):
    """Call the student's function; turn a crash, a stub or a delegation into one clear failure.

    Parameters
    ----------
    fn : callable
        The student's function.
    args : tuple
        Its arguments (copies: the student may modify them).
    case : str
        Describes the test case (shapes), quoted in messages.
    allowed : iterable of str
        ``lecture_utils`` functions the exercise lets the answer use, as
        ``"lecture_utils.pyramids.expand"``; every other package function is refused.
    """
    student_function(fn)
    try:
        result, delegated = _watching_calls(fn, args, set(allowed))
    except NotImplementedError:
        raise CheckFailure("this exercise is not implemented yet: replace `raise NotImplementedError(...)` "
                           "with your code, then run this cell again.") from None
    except CheckFailure:
        raise
    except Exception as exc:
        raise CheckFailure(student_error(fn, exc, case)) from None
    if WATCH_TURNED_OFF in delegated:
        raise CheckFailure("your function changes sys.setprofile, which the checker uses to see which functions "
                           "it calls: remove that, and write the computation yourself.")
    if delegated:
        raise CheckFailure(f"your function calls {delegated[0]}, the package's own code: this exercise asks you "
                           "to write the computation yourself, with numpy (np.sum, slicing, @).")
    return result


def _is_student_code(filename: str) -> bool:
    if filename.startswith("<") and not filename.startswith("<ipython-input"):
        return False                                   # <string>, <frozen ...>: no source to quote
    try:
        path = str(Path(filename).resolve())
    except (OSError, ValueError):
        return True
    return not path.startswith(_NOT_STUDENT_CODE)


def _cell(filename: str) -> str:
    """How to name the file a line of the student's code is in: their notebook cell, or the file."""
    if filename.startswith("<ipython-input") or "ipykernel_" in filename or "/ipykernel" in filename:
        return "your cell"
    return Path(filename).name


_ADVICE = [
    (IndexError, "", "an index runs past the end of an axis: check that line's ranges against the shapes"),
    (KeyError, "", "that key is not in the dict: print its keys"),
    ((ValueError, TypeError), r"broadcast|shapes? .*(align|mismatch)|matmul|dimension",
     "the shapes do not fit together: print the shape of each array on that line"),
    (ZeroDivisionError, "", "a division by zero: which size or count is 0 here?"),
    (NameError, "", "a name your function uses is not defined when it runs: define it in your cell"),
]


def student_error(fn, exc: BaseException, case: str) -> str:
    """One sentence for an exception raised inside the student's function: which function, which
    line of their code (quoted), what the exception says, and the test case."""
    name = getattr(fn, "__name__", type(fn).__name__)
    name = "your lambda" if name == "<lambda>" else f"your function {name}"
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else "(no message)"
    if isinstance(exc, KeyError):
        message = f"no key {message}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _is_student_code(f.filename)]
    where = ""
    if frames:
        frame = frames[-1]
        code = f": `{frame.line.strip()}`" if frame.line and frame.line.strip() else ""
        helper = "" if frame.name in (getattr(fn, "__name__", ""), "<module>") else f" (in {frame.name})"
        cell = _cell(frame.filename)
        where = f" at line {frame.lineno} of {cell}{helper}{code}"
    advice = next((text for kinds, pattern, text in _ADVICE
                   if isinstance(exc, kinds) and re.search(pattern, str(exc))), "")
    advice = f"; {advice}" if advice else ""
    return f"{name} raised {type(exc).__name__}{where}: {message} (for {case}){advice}."


def result_numbers(value, what: str, kind: str = "numeric", instead_of_bools: str = "the numbers themselves"):
    """The student's value as an array of numbers, or a failure that says what came back instead.

    ``kind`` names the array expected in the messages ("numeric", "complex"); ``instead_of_bools``
    says what to return instead of an array of True/False.
    """
    if value is None:
        raise CheckFailure(f"{what} is None: did you forget the `return` statement?")
    if isinstance(value, (str, bytes, dict, set)) or callable(value):
        raise CheckFailure(f"{what} must be a {kind} array, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise CheckFailure(f"{what} must be a {kind} array, got {type(value).__name__} "
                           "(a ragged list?)") from None
    if arr.dtype == bool:
        raise CheckFailure(f"{what} is an array of True/False; return {instead_of_bools}.")
    if not np.issubdtype(arr.dtype, np.number):
        raise CheckFailure(f"{what} must be a {kind} array, got dtype {arr.dtype}.")
    return arr


def as_result_array(value, what: str) -> np.ndarray:
    """The student's value as a float64 array, or a failure that says what came back instead."""
    arr = result_numbers(value, what)
    if np.iscomplexobj(arr):
        raise CheckFailure(f"{what} is complex (dtype {arr.dtype}); this quantity is real: look for a stray "
                           "complex number (1j, np.fft without .real) in your computation.")
    return arr.astype(np.float64)


def compare(what: str, got, expected: np.ndarray, mistakes, case: str,
            rtol: float = 1e-7, atol: float = 1e-10) -> None:
    """Raise :class:`CheckFailure` unless ``got`` matches ``expected``.

    Parameters
    ----------
    what : str
        Name of the quantity, e.g. ``"dL/dw"``.
    got : array_like
        The student's value.
    expected : array
        The reference value.
    mistakes : sequence of (hint, wrong_value)
        Known wrong answers for this case; ``wrong_value`` may have another
        shape, or be None when that mistake cannot occur for this case.
    case : str
        Describes the test case (shapes), quoted in the message.
    """
    got = as_result_array(got, what)
    right = got.shape == expected.shape and np.allclose(got, expected, rtol=rtol, atol=atol)
    for hint, wrong in mistakes:
        if wrong is None or right:      # None: the mistake is impossible for this case's shapes
            continue
        wrong = np.asarray(wrong, dtype=np.float64)
        if got.shape == wrong.shape and np.allclose(got, wrong, rtol=rtol, atol=atol):
            raise CheckFailure(f"{what} is wrong for {case}. Likely mistake: {hint}")
    if got.shape != expected.shape:
        raise CheckFailure(f"{what} has shape {got.shape} but should have shape {expected.shape} for {case}: "
                           f"{shape_advice(got.shape, expected.shape)}.")
    if not right:
        raise CheckFailure(f"{what} has the right shape but wrong values for {case}: "
                           f"{value_advice(got, expected, rtol, atol)}.")


def shape_advice(got: tuple, expected: tuple) -> str:
    """What a wrong shape suggests: axes in another order, an axis summed away or kept, one size off."""
    if sorted(got) == sorted(expected):
        return "the same sizes in another order, so two axes are swapped: which axis holds which index?"
    if tuple(s for s in got if s != 1) == tuple(s for s in expected if s != 1):
        return ("the same entries with an axis of length 1 more or less: a sum that dropped or kept an axis, "
                "or a reshape, changed the number of axes")
    if len(got) + 1 == len(expected) and any(got == expected[:i] + expected[i + 1:] for i in range(len(expected))):
        return "one axis is missing: did you sum (or index) over an axis that the result keeps?"
    if len(got) == len(expected) + 1 and any(expected == got[:i] + got[i + 1:] for i in range(len(got))):
        return "one axis too many: an axis the result sums over is still there"
    if len(got) == len(expected):
        axis = next(i for i, (g, e) in enumerate(zip(got, expected)) if g != e)
        return (f"axis {axis} has {got[axis]} entries instead of {expected[axis]}: work out how many entries "
                "that axis must have from the sizes of the inputs")
    if int(np.prod(got)) == int(np.prod(expected)):
        return "the right number of entries in another arrangement: a reshape or a ravel regrouped the axes"
    axes = "axis" if len(got) == 1 else "axes"
    return f"{len(got)} {axes} instead of {len(expected)}: work out the result's shape from the inputs' shapes first"


def value_advice(got: np.ndarray, expected: np.ndarray, rtol: float = 1e-7, atol: float = 1e-10) -> str:
    """What wrong values of the right shape suggest: a constant factor, a sign, errors only at the border."""
    close = np.isclose(got, expected, rtol=rtol, atol=atol)
    worst = float(np.max(np.abs(got - expected)))
    scale = float(np.vdot(expected, expected))
    if scale > 0 and np.all(np.isfinite(got)):
        ratio = float(np.vdot(expected, got)) / scale
        if abs(ratio) > 1e-12 and np.allclose(got, ratio * expected, rtol=1e-6, atol=atol):
            if np.isclose(ratio, -1.0):
                return "every entry has the right size and the wrong sign: check each sign in your derivation"
            # not the ratio itself: where a constant is what the exercise derives, it would hand it over
            return ("every entry is the same multiple of the right one, so a constant factor is off: check each "
                    "constant, count and normalisation in your derivation against this case's sizes")
    if got.ndim >= 1 and got.size > 8 and not close.all():
        inner = tuple(slice(2, -2) if n > 4 else slice(None) for n in got.shape)
        if close[inner].all() and got[inner].size:
            return "the entries away from the border are right and those near it are not: check the boundary"
    return (f"{int(close.sum())} of {close.size} entries are right, the largest difference is {worst:.3g}: "
            "work out one wrong entry by hand from the definitions and follow your code for that entry")


def attempt(compute):
    """Value of ``compute()``, or None when that wrong formula does not even fit the shapes."""
    try:
        return compute()
    except (ValueError, IndexError):
        return None


def test_cases(visible, hidden, which: str):
    """The cases a checker runs, as ``(seed, case, is_hidden)``: ``which`` is "all", "visible" or "hidden".

    Hidden cases get seeds of their own (1000 on), so no answer tuned to the visible
    cases' numbers can pass them.
    """
    cases_choice(which)
    chosen = []
    if which in ("all", "visible"):
        chosen += [(seed, case, False) for seed, case in enumerate(visible)]
    if which in ("all", "hidden"):
        chosen += [(1000 + seed, case, True) for seed, case in enumerate(hidden)]
    return chosen


def passed(name: str, n_cases: int, n_hidden: int = 0) -> None:
    """Print the single pass line of a checker."""
    if n_hidden == n_cases and n_cases:
        print(f"PASS {name}: matches the reference on {n_cases} hidden test cases of different shapes.")
        return
    extra = f" (and {n_hidden} extra)" if n_hidden else ""
    print(f"PASS {name}: matches the reference on {n_cases - n_hidden} test cases{extra} of different shapes.")


# ---------------------------------------------------------------------- hooks for the autograder
# (lecture_utils.course.grading: the student's code runs in another process; each output is a part)

class CallsElsewhere:
    """Base of a stand-in for a student's function that runs in another process.

    ``call_watching(args, allowed)`` runs the call there, watched as :func:`_watching_calls`
    does, and returns ``(result, package functions called)``.
    """

    def call_watching(self, args, allowed):
        raise NotImplementedError


class NotComputed:
    """An output the student's function had not computed when it raised; ``reason`` says why."""

    def __init__(self, reason: str):
        self.reason = reason


PART_RECORD = None   # a list while the autograder grades each output on its own: compare() notes, goes on


def _recording_parts(compare_one):
    """``compare`` that, while :data:`PART_RECORD` is a list, appends ``(what, failure or None)`` instead
    of raising, so that the other outputs of the same answer are still compared."""
    def compare_part(what, got, *args, **kwargs):
        if PART_RECORD is None:
            return compare_one(what, got, *args, **kwargs)
        try:
            if isinstance(got, NotComputed):
                raise CheckFailure(f"{what}: {got.reason}.")
            compare_one(what, got, *args, **kwargs)
        except CheckFailure as failure:
            PART_RECORD.append((what, str(failure)))
        else:
            PART_RECORD.append((what, None))
    compare_part.__doc__, compare_part.__name__ = compare_one.__doc__, compare_one.__name__
    return compare_part


compare = _recording_parts(compare)
