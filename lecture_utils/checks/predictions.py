"""Predict-then-run questions: the student writes a prediction, the checker says whether it holds and why.

Each topic's checker module lists its questions in a ``PREDICTIONS`` dict, keyed
``"NN-short-name"`` (the notebook's number first)::

    PREDICTIONS = {
        "01-db-shape": Prediction(
            question="What shape does dL/db have for b of shape (1, 3)?",
            expected=(1, 3),
            explanation="b is added to every row, so dL/db sums dL/dy_hat over the rows and keeps b's shape."),
    }

A notebook asks in a markdown cell, takes the answer in a code cell tagged ``predict``
(``db_shape = (1, 3)``; the student edition leaves ``None``), and checks it with
``check_prediction("01-db-shape", db_shape)`` before running the cell that shows it.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from ._core import CheckFailure, CheckTypeError, CheckValueError


@dataclass(frozen=True)
class Prediction:
    """One question: the expected answer, how to compare, and the explanation shown after answering.

    Attributes
    ----------
    question : str
        The question, in plain words.
    expected : object
        A number, a shape tuple, or for multiple choice one of ``options``.
    explanation : str
        Why the answer is what it is (shown whether the prediction was right or not).
    tolerance : float
        For numbers: the relative tolerance (0: exact).
    options : tuple of str
        For multiple choice: the allowed answers (``expected`` is one of them).
    mistakes : tuple of (answer, str)
        Wrong answers the question expects, each with what it suggests (compared like the answer).
        Numbers and shapes are also diagnosed generically: degrees for radians, a flipped sign, a
        factor of 2 or 10, a transposed shape, an axis too many or too few.
    """

    question: str
    expected: object
    explanation: str
    tolerance: float = 0.0
    options: tuple = ()
    mistakes: tuple = ()

    def __post_init__(self):
        for name in ("question", "explanation"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name).strip():
                raise TypeError(f"{name} must be a non-empty string, got {getattr(self, name)!r}")
        if isinstance(self.tolerance, bool) or not isinstance(self.tolerance, numbers.Real) \
                or not 0 <= self.tolerance < 1:
            raise ValueError(f"tolerance must be a relative tolerance in [0, 1), got {self.tolerance!r}")
        if not isinstance(self.options, tuple) or not all(isinstance(o, str) for o in self.options):
            raise TypeError(f"options must be a tuple of strings, got {self.options!r}")
        if self.options and self.expected not in self.options:
            raise ValueError(f"expected must be one of the options {self.options}, got {self.expected!r}")
        if not self.options and not (_is_shape(self.expected) or _is_number(self.expected)):
            raise TypeError(f"expected must be a number, a shape tuple or one of options, got {self.expected!r}")
        if not isinstance(self.mistakes, tuple) or not all(
                isinstance(m, tuple) and len(m) == 2 and isinstance(m[1], str) for m in self.mistakes):
            raise TypeError(f"mistakes must be a tuple of (answer, message) pairs, got {self.mistakes!r}")

    def _same(self, answer, value) -> bool:
        if self.options:
            return str(answer).strip().lower() == str(value).lower()
        if isinstance(self.expected, tuple):
            return _is_shape(value) and tuple(int(a) for a in answer) == tuple(value)
        return math.isclose(float(answer), float(value), rel_tol=max(self.tolerance, 1e-9), abs_tol=1e-12)

    def matches(self, answer) -> bool:
        """Whether ``answer`` is the expected one (a :class:`CheckFailure` if it has the wrong form)."""
        self.validate(answer)
        return self._same(answer, self.expected)

    def validate(self, answer) -> None:
        """A :class:`CheckFailure` (also a TypeError or ValueError) unless ``answer`` has the form asked for."""
        if answer is None:        # the student edition's unanswered state, like an exercise's stub
            raise CheckFailure("write your prediction first: replace None with your answer in the cell above, "
                               "then run this cell (before running the experiment below).")
        if self.options:
            if not isinstance(answer, str) or answer.strip().lower() not in [o.lower() for o in self.options]:
                raise CheckValueError(f"answer with one of {', '.join(map(repr, self.options))} (a string), "
                                      f"got {answer!r}.")
        elif isinstance(self.expected, tuple):
            if not _is_shape(answer):
                raise CheckTypeError(f"answer with a shape, a tuple of integers such as (2, 3), got {answer!r}.")
        elif not _is_number(answer):
            raise CheckTypeError(f"answer with a number, got {answer!r}.")

    def diagnose(self, answer) -> str:
        """What a wrong ``answer`` looks like: one of ``mistakes``, or a generic slip; "" when none fits."""
        self.validate(answer)
        for value, message in self.mistakes:
            if self._same(answer, value):
                return message
        if self.options:
            return ""
        if isinstance(self.expected, tuple):
            return _shape_slip(tuple(int(a) for a in answer), self.expected)
        return _number_slip(float(answer), float(self.expected), max(self.tolerance, 1e-9))


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and bool(np.isfinite(value))


def _is_shape(value) -> bool:
    return isinstance(value, (tuple, list)) and len(value) > 0 and all(
        isinstance(a, numbers.Integral) and not isinstance(a, bool) and a >= 0 for a in value)


def _number_slip(answer: float, expected: float, tolerance: float) -> str:
    """A generic slip that turns ``expected`` into ``answer``: a unit, a sign, a factor."""
    def near(value):
        return math.isclose(answer, value, rel_tol=tolerance, abs_tol=1e-12)

    if expected != 0 and near(math.degrees(expected)):
        return "that is the answer in degrees; the question asks for radians, and pi rad is 180 degrees"
    if expected != 0 and near(-expected):
        return "the size is right and the sign is not: which way does the change go?"
    for factor, words in ((2, "twice"), (0.5, "half"), (10, "ten times"), (0.1, "a tenth of")):
        if expected != 0 and near(factor * expected):
            return f"that is {words} the answer: look for a factor 2 or a power of ten that slipped in or out"
    return ""


def _shape_slip(answer: tuple, expected: tuple) -> str:
    if answer == expected[::-1]:
        return "that is the answer transposed: which axis comes first?"
    if tuple(a for a in answer if a != 1) == tuple(e for e in expected if e != 1):
        return ("the right sizes with an axis of length 1 more or less: does the gradient keep every axis of what "
                "it differentiates?")
    if len(answer) != len(expected):
        return (f"{len(answer)} axes where {len(expected)} are expected: a gradient has as many axes as what it "
                "differentiates")
    return ""


def _registry() -> dict:
    from . import cnn, conv, linear, nn, pyramids, steerable
    questions = {}
    for module in (linear, pyramids, steerable, nn, conv, cnn):
        questions.update(getattr(module, "PREDICTIONS", {}))
    return questions


def check_prediction(question_id: str, answer) -> None:
    """Say whether a prediction holds, and why; a :class:`CheckFailure` (with the explanation) if not."""
    questions = _registry()
    if not isinstance(question_id, str):
        raise CheckTypeError(f"question_id must be the question's id, a string such as '01-db-shape', "
                             f"got {type(question_id).__name__}.")
    if question_id not in questions:
        same_notebook = sorted(q for q in questions if q[:2] == question_id[:2])
        raise CheckValueError(f"question_id {question_id!r} is not a question; the ids are "
                              f"{', '.join(same_notebook or sorted(questions))}.")
    q = questions[question_id]
    q.validate(answer)
    shown = q.expected if not q.options else repr(q.expected)
    if not q.matches(answer):
        slip = q.diagnose(answer)
        slip = f": {slip.rstrip('.')}" if slip else ""       # a diagnosis may end with "?" or "."
        end = "" if slip.endswith(("?", "!")) else "."
        raise CheckFailure(f"not quite: you predicted {answer!r}{slip}{end} The answer is {shown}.\n"
                           f"Why: {q.explanation}")
    print(f"RIGHT: {shown}. Why: {q.explanation}")
