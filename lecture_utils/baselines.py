"""The baseline beside every CNN result of notebook 06: logistic regression on raw pixels.

Not lecture material: a reference model from scikit-learn, so that a CNN's accuracy can be
read against what a linear classifier of the same pixels gets. It lives apart from
:mod:`lecture_utils.cnn` because it pins BLAS to one thread (see :func:`logistic_baseline`).
"""

from __future__ import annotations

import warnings

import numpy as np

from ._validate import OVERFLOWS, array, check, checked, positive

__all__ = ["logistic_baseline"]


def _check_baseline(x_fit, y_fit, x_eval):
    x_fit, y_fit, x_eval = check({"x_fit": array("N ...", limit=OVERFLOWS), "y_fit": array("N", dtype="int"),
                                  "x_eval": array("M ...", limit=OVERFLOWS)},
                                 {"x_fit": x_fit, "y_fit": y_fit, "x_eval": x_eval})
    if x_eval.shape[1:] != x_fit.shape[1:]:
        raise ValueError(f"x_eval's examples must have the shape of x_fit's, {x_fit.shape[1:]}, "
                         f"got {x_eval.shape[1:]} (x_eval shape {x_eval.shape})")
    if np.unique(y_fit).size < 2:
        raise ValueError(f"y_fit must hold at least two classes to learn to tell apart, got only {np.unique(y_fit)}")
    return x_fit.reshape(len(x_fit), -1), y_fit, x_eval.reshape(len(x_eval), -1)


@checked(C=positive())
def logistic_baseline(x_fit, y_fit, x_eval, C: float = 1.0) -> np.ndarray:
    """The baseline beside every CNN result: logistic regression on the raw pixels.

    scikit-learn's ``LogisticRegression`` (L2 penalty, softmax over the classes when there
    are more than two) minimises ``||w||^2 / 2 + C sum_n -log p(y_n | x_n)`` over the flattened
    pixels, with the deterministic L-BFGS solver run to its minimum (gradient tolerance
    1e-10, up to 10 000 iterations; it refuses to return an unconverged model). The
    objective is strictly convex, so the minimum, and with it every prediction, does not
    depend on the machine's BLAS.

    Parameters
    ----------
    x_fit : (N, ...) array
        Training images (any shape; flattened to N x D).
    y_fit : (N,) int array
        Their classes (at least two different ones).
    x_eval : (M, ...) array
        Images to classify, shaped like x_fit's.
    C : float > 0
        Inverse regularisation strength, chosen on validation images.

    Returns
    -------
    (M,) int array
        The predicted class of each image of x_eval.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    x_fit, y_fit, x_eval = _check_baseline(x_fit, y_fit, x_eval)
    model = LogisticRegression(C=C, solver="lbfgs", tol=1e-10, max_iter=10_000)
    # One BLAS thread: numpy and scipy each bring their own OpenBLAS, and L-BFGS alternates
    # between them on tiny matrices; with two threads each on a 2-core laptop their spinning
    # workers starve each other (25 times slower under OpenBLAS's Haswell kernel, measured).
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            model.fit(x_fit, y_fit)
        except ConvergenceWarning:
            raise ValueError("the logistic regression did not converge on x_fit within 10 000 iterations: its "
                             "values are too large or too badly scaled (standardise x_fit, or lower C)") from None
    return model.predict(x_eval).astype(np.int64)
