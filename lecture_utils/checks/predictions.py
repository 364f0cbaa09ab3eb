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

import numbers
from dataclasses import dataclass

import numpy as np

from ._core import CheckFailure


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
    """

    question: str
    expected: object
    explanation: str
    tolerance: float = 0.0
    options: tuple = ()

    def matches(self, answer) -> bool:
        """Whether ``answer`` is the expected one (``answer`` already validated by :meth:`validate`)."""
        if self.options:
            return str(answer).strip().lower() == str(self.expected).lower()
        if isinstance(self.expected, tuple):
            return tuple(int(a) for a in answer) == self.expected
        return abs(float(answer) - float(self.expected)) <= self.tolerance * abs(float(self.expected))

    def validate(self, answer) -> None:
        """A :class:`CheckFailure` unless ``answer`` has the form the question asks for."""
        if answer is None:
            raise CheckFailure("write your prediction first: replace None with your answer in the cell above, "
                               "then run this cell (before running the experiment below).")
        if self.options:
            if not isinstance(answer, str) or answer.strip().lower() not in [o.lower() for o in self.options]:
                raise CheckFailure(f"answer with one of {', '.join(map(repr, self.options))} (a string), got {answer!r}.")
        elif isinstance(self.expected, tuple):
            if not isinstance(answer, (tuple, list)) or not all(
                    isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in answer):
                raise CheckFailure(f"answer with a shape, a tuple of integers such as (2, 3), got {answer!r}.")
        elif isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not np.isfinite(answer):
            raise CheckFailure(f"answer with a number, got {answer!r}.")


def _registry() -> dict:
    from . import cnn, conv, linear, nn, pyramids, steerable
    questions = {}
    for module in (linear, pyramids, steerable, nn, conv, cnn):
        questions.update(getattr(module, "PREDICTIONS", {}))
    return questions


def check_prediction(question_id: str, answer) -> None:
    """Say whether a prediction holds, and why; a :class:`CheckFailure` (with the explanation) if not."""
    questions = _registry()
    if question_id not in questions:
        raise CheckFailure(f"there is no question {question_id!r}; the notebook's question ids are "
                           f"{', '.join(sorted(q for q in questions if q[:2] == str(question_id)[:2])) or 'none'}.")
    q = questions[question_id]
    q.validate(answer)
    shown = q.expected if not q.options else repr(q.expected)
    if not q.matches(answer):
        raise CheckFailure(f"not quite: you predicted {answer!r}, the answer is {shown}.\n"
                           f"Why: {q.explanation}")
    print(f"RIGHT: {shown}. Why: {q.explanation}")
