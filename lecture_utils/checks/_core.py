"""Machinery shared by every exercise checker.

A checker runs the student's function on several seeded cases of different
shapes (so a hard-coded answer fails), compares with the reference, and when
they differ, recognises the usual mistakes by recomputing them: if the
student's result equals "the reference without the 1/N", the hint says so.
"""

from __future__ import annotations

import numpy as np


class CheckFailure(AssertionError):
    """Raised by a checker; the message says what is wrong and how to fix it."""


def as_result_array(value, what: str) -> np.ndarray:
    """The student's returned value as a float array, or a failure that says what came back."""
    if value is None:
        raise CheckFailure(f"{what} is None: did you forget the `return` statement?")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailure(f"{what} must be a numeric array, got {type(value).__name__}") from None
    return arr


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
    for hint, wrong in mistakes:
        if wrong is None:  # the mistake is impossible for this case's shapes
            continue
        wrong = np.asarray(wrong, dtype=np.float64)
        if got.shape == wrong.shape and np.allclose(got, wrong, rtol=rtol, atol=atol) and not (
                got.shape == expected.shape and np.allclose(got, expected, rtol=rtol, atol=atol)):
            raise CheckFailure(f"{what} is wrong for {case}. Likely mistake: {hint}")
    if got.shape != expected.shape:
        raise CheckFailure(f"{what} has shape {got.shape} but should have shape "
                           f"{expected.shape} for {case}. Check which axes your products and sums run over.")
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(got - expected)))
        raise CheckFailure(f"{what} has the right shape but wrong values for {case} "
                           f"(largest difference {worst:.3g}). Re-derive one entry by hand and "
                           "compare it with your code.")


def call_student(fn, args, case: str):
    """Call the student's function; turn a crash into a failure that names the case."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise CheckFailure("this exercise is not implemented yet: replace "
                           "`raise NotImplementedError` with your code, then run this cell again.") from None
    except CheckFailure:
        raise
    except Exception as exc:
        raise CheckFailure(f"your function raised {type(exc).__name__} for {case}: {exc}. "
                           "Print the shapes of your intermediate arrays to find the mismatch.") from exc


def attempt(compute):
    """Value of ``compute()``, or None when that wrong formula does not even fit the shapes."""
    try:
        return compute()
    except ValueError:
        return None


def passed(name: str, n_cases: int) -> None:
    """Print the single pass line of a checker."""
    print(f"PASS {name}: matches the reference on {n_cases} test cases of different shapes.")
