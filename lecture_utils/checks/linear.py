"""Checkers for notebook 01 (backpropagation for a linear network)."""

from __future__ import annotations

import numpy as np

from ..linear import LinearCache, linear_backward, linear_forward, mse_loss
from ._core import CheckFailure, attempt, call_student, compare, passed, test_cases

# (N examples, D features, K outputs): a square case first (a missing transpose gives
# wrong values there, not a crash, so it can be named), the lecture's 5x4x3, a single
# example, and lopsided shapes.
CASES = [(3, 3, 3), (5, 4, 3), (1, 2, 4), (7, 5, 2), (6, 1, 6)]
HIDDEN_CASES = [(4, 4, 4), (9, 3, 2), (2, 6, 5)]


def _case(shape, seed):
    rng = np.random.default_rng(seed)
    n, d, k = shape
    x = rng.standard_normal((n, d))
    w = rng.standard_normal((d, k))
    b = rng.standard_normal((1, k))
    y = np.eye(k)[rng.integers(0, k, n)]
    return x, w, b, y


def check_mse_gradient(fn, cases: str = "all") -> None:
    """Check ``fn(y_hat, y) -> dL/dy_hat`` for ``L = (1/N) sum (y_hat - y)^2``."""
    chosen = test_cases(CASES, HIDDEN_CASES, cases)
    for seed, shape, _ in chosen:
        x, w, b, y = _case(shape, seed)
        y_hat, _ = linear_forward(x, w, b)
        n, _, k = shape
        expected = mse_loss(y_hat, y)[1]
        r = y_hat - y
        mistakes = [
            ("the factor 2 from differentiating the square is missing.", r / n),
            ("the 1/N is missing: the loss averages over the N examples.", 2 * r),
            ("you divided by N*K (every entry); the lecture's loss divides by N, the number of examples.",
             2 * r / (n * k)),
            ("you divided by K = y_hat.shape[1], the number of classes; N is y_hat.shape[0], "
             "the number of examples (rows).", 2 * r / k),
            ("the sign is flipped: d/dy_hat of (y_hat - y)^2 is +2 (y_hat - y).", -2 * r / n),
            ("your result is transposed: dL/dy_hat has y_hat's shape (N, K).", (2 * r / n).T),
        ]
        case = f"N={n} examples, K={k} classes"
        got = call_student(fn, (y_hat.copy(), y.copy()), case)
        compare("dL/dy_hat", got, expected, mistakes, case)
    passed("dL/dy_hat", len(chosen), sum(h for *_, h in chosen))


def check_linear_backward(fn, cases: str = "all") -> None:
    """Check ``fn(dL_dyhat, cache) -> (dx, dw, db)`` against :func:`linear_backward`."""
    chosen = test_cases(CASES, HIDDEN_CASES, cases)
    for seed, shape, _ in chosen:
        x, w, b, y = _case(shape, 100 + seed)
        y_hat, cache = linear_forward(x, w, b)
        g = mse_loss(y_hat, y)[1]
        dx, dw, db = linear_backward(g, cache)
        n, d, k = shape
        case = f"x {x.shape}, w {w.shape}, b {b.shape}"
        result = call_student(fn, (g.copy(), LinearCache(x.copy(), w.copy(), b.copy())), case)
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise CheckFailure("return the three gradients as a tuple: return dx, dw, db")
        compare("dL/dw", result[1], dw, [
            ("you computed dL/dy_hat^T x (shape (K, D)); the lecture's form is x^T dL/dy_hat, shape (D, K).",
             g.T @ x),
            ("you divided by N again: the 1/N is already inside dL/dy_hat.", x.T @ g / n),
            ("x is not transposed: the lecture's form is x^T dL/dy_hat.", attempt(lambda: x @ g)),
        ], case)
        db_got = result[2]
        if np.shape(db_got) == (k, 1):
            raise CheckFailure(
                f"dL/db has shape ({k}, 1), a column, for {case}; b is a row (1, {k}), so "
                "b - learning_rate * db would broadcast to a (K, K) matrix. Sum over axis 0 and "
                "return b's shape: dL_dyhat.sum(axis=0).reshape(b.shape).")
        if np.shape(db_got) in ((k,), (1, k)):  # accept a flat (K,) as well as b's (1, K)
            db_got = np.ravel(db_got)
        compare("dL/db", db_got, db.ravel(), [
            ("you summed over the classes (axis=1); sum over the examples (axis=0), one entry per b_k.",
             g.sum(axis=1)),
            ("you averaged instead of summing: the 1/N is already inside dL/dy_hat.", g.mean(axis=0)),
            ("you used only the first example; each b_k gets a contribution from every row.", g[0]),
        ], case)
        compare("dL/dx", result[0], dx, [
            ("w is not transposed: dL/dx = dL/dy_hat w^T, shape (N, D).", attempt(lambda: g @ w)),
            ("the product is the wrong way round: w dL/dy_hat^T is dL/dx transposed.", attempt(lambda: w @ g.T)),
            ("you divided by N again: the 1/N is already inside dL/dy_hat.", g @ w.T / n),
        ], case)
    passed("linear_backward (dx, dw, db)", len(chosen), sum(h for *_, h in chosen))
