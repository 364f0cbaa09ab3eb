"""Checkers for notebook 01 (backpropagation for a linear network).

Every checker runs the student's function on the visible ``CASES`` (and, with
``cases="all"`` or ``"hidden"``, on ``HIDDEN_CASES`` of other shapes and seeds), names the
usual mistakes it recognises, and refuses answers that call the package's own code.
"""

from __future__ import annotations

import numpy as np

from ..linear import LinearCache, linear_backward, linear_forward, linear_loss, mse_loss
from .predictions import Prediction
from ._core import CheckFailure, attempt, call_student, compare, passed, test_cases

# (N examples, D features, K outputs): a square case first (a missing transpose gives
# wrong values there, not a crash, so it can be named), the lecture's 5x4x3, a single
# example, and lopsided shapes.
CASES = [(3, 3, 3), (5, 4, 3), (1, 2, 4), (7, 5, 2), (6, 1, 6)]
HIDDEN_CASES = [(4, 4, 4), (9, 3, 2), (2, 6, 5)]

# One gradient-descent step: shapes and learning rates (never 1, where "forgot eta" is invisible).
STEP_CASES = [((3, 3, 3), 0.1), ((5, 4, 3), 0.05), ((1, 2, 4), 0.3), ((7, 5, 2), 0.2)]
HIDDEN_STEP_CASES = [((4, 4, 4), 0.15), ((9, 3, 2), 0.02), ((2, 6, 5), 0.4)]

PREDICTIONS = {
    "01-db-shape": Prediction(
        question="b has shape (1, 3). What shape does dL/db have?",
        expected=(1, 3),
        explanation="a gradient has the shape of what it differentiates: one number dL/db_k per entry of b. "
                    "Each b_k is added to every row of y_hat, so dL/db_k sums column k of dL/dy_hat over the "
                    "5 examples. Summing the other way, across the classes, gives one number per example, "
                    "(5, 1): not a gradient of b."),
}


def _case(shape, seed):
    rng = np.random.default_rng(seed)
    n, d, k = shape
    x = rng.standard_normal((n, d))
    w = rng.standard_normal((d, k))
    b = rng.standard_normal((1, k))
    y = np.eye(k)[rng.integers(0, k, n)]
    return x, w, b, y


def _n_hidden(chosen) -> int:
    return sum(hidden for *_, hidden in chosen)


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
    passed("dL/dy_hat", len(chosen), _n_hidden(chosen))


def check_linear_weight_gradient(fn, cases: str = "all") -> None:
    """Check ``fn(x, dL_dyhat) -> dL/dw``, (D, K), each entry the chain rule's sum over the examples."""
    chosen = test_cases(CASES, HIDDEN_CASES, cases)
    for seed, shape, _ in chosen:
        x, w, b, y = _case(shape, 200 + seed)
        g = mse_loss(linear_forward(x, w, b)[0], y)[1]
        n, d, k = shape
        expected = linear_backward(g, LinearCache(x, w, b))[1]
        mistakes = [
            ("you kept only the first example (n = 0): w_ik enters y_hat_nk of every example, so the "
             "chain rule sums dL/dy_hat_nk * x_ni over all n.", np.outer(x[0], g[0]) if n > 1 else None),
            ("only the last example counts: inside the loop over n you assigned (=) instead of "
             "accumulating (+=).", np.outer(x[-1], g[-1]) if n > 1 else None),
            ("your sum over the examples misses the last one: range(N) runs over all N rows.",
             x[:-1].T @ g[:-1] if n > 1 else None),
            ("you divided by N: the 1/N of the loss is already inside dL/dy_hat; the chain rule only sums.",
             x.T @ g / n if n > 1 else None),
            ("you multiplied by 2/N again: dL/dy_hat already holds the 2/N of the loss.",
             x.T @ g * 2 / n if n != 2 else None),
            ("you multiplied two sums, (sum_n x_ni)(sum_n dL/dy_hat_nk); the chain rule sums the "
             "products, sum_n dL/dy_hat_nk * x_ni, term by term.", np.outer(x.sum(axis=0), g.sum(axis=0))),
            ("your result is transposed (the indices are swapped): dL/dw has w's shape (D, K), and "
             "entry (i, k) pairs column i of x (feature i) with column k of dL/dy_hat (class k).", g.T @ x),
        ]
        case = f"x {x.shape}, dL/dy_hat {g.shape}"
        got = call_student(fn, (x.copy(), g.copy()), case)
        compare("dL/dw", got, expected, mistakes, case)
    passed("dL/dw, entry by entry", len(chosen), _n_hidden(chosen))


def check_linear_input_gradient(fn, cases: str = "all") -> None:
    """Check ``fn(dL_dyhat, w) -> dL/dx``, (N, D), for ``y_hat = x w + b``."""
    chosen = test_cases(CASES, HIDDEN_CASES, cases)
    for seed, shape, _ in chosen:
        x, w, b, y = _case(shape, 300 + seed)
        g = mse_loss(linear_forward(x, w, b)[0], y)[1]
        n, d, k = shape
        expected = linear_backward(g, LinearCache(x, w, b))[0]
        mistakes = [
            ("w is not transposed: dL/dx_ni sums dL/dy_hat_nk * w_ik over the classes k, which pairs "
             "row n of dL/dy_hat with row i of w.", attempt(lambda: g @ w)),
            ("your result is transposed: dL/dx has x's shape (N, D), one row per example.", (g @ w.T).T),
            ("you divided by N: the 1/N of the loss is already inside dL/dy_hat.", g @ w.T / n if n > 1 else None),
            ("you also summed over the examples: x_ni only feeds the outputs of its own example n, "
             "so row n of dL/dx uses row n of dL/dy_hat alone.",
             np.tile(g.sum(axis=0) @ w.T, (n, 1)) if n > 1 else None),
            ("you multiplied two sums, (sum_k dL/dy_hat_nk)(sum_k w_ik); the chain rule sums the "
             "products dL/dy_hat_nk * w_ik over k.", g.sum(axis=1, keepdims=True) * w.sum(axis=1)),
            ("you kept only the first class (k = 0): x_ni feeds every output y_hat_nk of example n, "
             "so sum over all K classes.", np.outer(g[:, 0], w[:, 0]) if k > 1 else None),
        ]
        case = f"dL/dy_hat {g.shape}, w {w.shape}"
        got = call_student(fn, (g.copy(), w.copy()), case)
        compare("dL/dx", got, expected, mistakes, case)
    passed("dL/dx", len(chosen), _n_hidden(chosen))


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
        if np.shape(db_got) == (k, 1) and k > 1:
            raise CheckFailure(
                f"dL/db has shape ({k}, 1), a column, for {case}; b is a row (1, {k}), so "
                "b - learning_rate * db would broadcast to a (K, K) matrix. Sum over the examples "
                "and keep b's shape.")
        if np.shape(db_got) in ((k,), (1, k)):  # accept a flat (K,) as well as b's (1, K)
            db_got = np.ravel(db_got)
        compare("dL/db", db_got, db.ravel(), [
            ("you summed over the classes (axis=1); sum over the examples (axis=0), one entry per b_k.",
             g.sum(axis=1)),
            ("you averaged instead of summing: the 1/N is already inside dL/dy_hat.", g.mean(axis=0)),
            ("you used only the first example; each b_k gets a contribution from every row.", g[0]),
            ("you did not sum at all: each b_k is added to every example, so its gradient sums "
             "column k of dL/dy_hat over the N rows.", g if n > 1 else None),
        ], case)
        compare("dL/dx", result[0], dx, [
            ("w is not transposed: dL/dx = dL/dy_hat w^T, shape (N, D).", attempt(lambda: g @ w)),
            ("the product is the wrong way round: w dL/dy_hat^T is dL/dx transposed.", attempt(lambda: w @ g.T)),
            ("you divided by N again: the 1/N is already inside dL/dy_hat.", g @ w.T / n),
        ], case)
    passed("linear_backward (dx, dw, db)", len(chosen), _n_hidden(chosen))


def check_gradient_descent_step(fn, cases: str = "all") -> None:
    """Check ``fn(x, y, w, b, learning_rate) -> (w_new, b_new)``: one full-batch step on the lecture's loss."""
    chosen = test_cases(STEP_CASES, HIDDEN_STEP_CASES, cases)
    for seed, (shape, eta), _ in chosen:
        x, w, b, y = _case(shape, 400 + seed)
        n, d, k = shape
        _, grads = linear_loss({"w": w, "b": b}, x, y)
        dw, db = grads["w"], grads["b"]
        g = mse_loss(linear_forward(x, w, b)[0], y)[1]
        case = f"x {x.shape}, w {w.shape}, b {b.shape}, learning rate {eta}"
        result = call_student(fn, (x.copy(), y.copy(), w.copy(), b.copy(), eta), case)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise CheckFailure("return the two updated parameters as a tuple: return w_new, b_new")
        first, second = (np.shape(r) if not isinstance(r, (str, bytes)) else None for r in result)
        if first == b.shape and second == w.shape and b.shape != w.shape:
            raise CheckFailure(f"your results come in the wrong order for {case}: return w_new, b_new "
                               "(the weights first, then the bias).")
        compare("w_new", result[0], w - eta * dw, [
            ("you added the step: w + eta dL/dw climbs the loss; gradient descent subtracts.", w + eta * dw),
            ("the learning rate is missing: w - eta * dL/dw.", w - dw),
            ("w_new is w: the weights must take the step too.", w),
            ("you returned only the step -eta dL/dw; add it to the current weights.", -eta * dw),
            ("your gradient misses the factor 2 of the square: dL/dy_hat = (2/N)(y_hat - y).", w - eta * dw / 2),
            ("you averaged over all N*K entries (np.mean); the lecture's loss divides by N, the number "
             "of examples, only.", w - eta * dw / k if k > 1 else None),
            ("your gradient misses the 1/N of the loss (it averages over the N examples).",
             w - eta * dw * n if n > 1 else None),
            ("you used dL/dy_hat^T x as the weight gradient; dL/dw = x^T dL/dy_hat, shape (D, K) like w.",
             attempt(lambda: w - eta * (g.T @ x)) if d == k else None),
        ], case)
        b_got = result[1]
        if np.shape(b_got) == (k,):
            b_got = np.reshape(b_got, (1, k))
        compare("b_new", b_got, b - eta * db, [
            ("you added the step: b + eta dL/db climbs the loss; gradient descent subtracts.", b + eta * db),
            ("the learning rate is missing: b - eta * dL/db.", b - db),
            ("b_new is b: the bias must take the step too.", b),
            ("you returned only the step -eta dL/db; add it to the current bias.", -eta * db),
            ("you subtracted dL/dy_hat itself, one row per example; each b_k is added to every example, so "
             "dL/db sums dL/dy_hat over the rows.", b - eta * g if n > 1 else None),
            ("your dL/db is a column (K, 1), which broadcasts b to a (K, K) matrix; sum over the examples "
             "and keep b's shape (1, K).", b - eta * db.reshape(-1, 1) if k > 1 else None),
            ("you summed dL/dy_hat over the classes (axis=1); sum over the examples (axis=0).",
             attempt(lambda: b - eta * g.sum(axis=1)) if n == k else None),
            ("you averaged dL/dy_hat over the examples; the 1/N is already inside it, so sum.",
             b - eta * db / n if n > 1 else None),
            ("your gradient misses the factor 2 of the square: dL/dy_hat = (2/N)(y_hat - y).", b - eta * db / 2),
            ("you averaged over all N*K entries (np.mean); the lecture's loss divides by N only.",
             b - eta * db / k if k > 1 else None),
        ], case)
    passed("gradient-descent step (w_new, b_new)", len(chosen), _n_hidden(chosen))
