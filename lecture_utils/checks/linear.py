"""Checkers for notebook 01 (backpropagation for a linear network).

Every checker runs the student's function on the visible ``CASES`` (and, with
``cases="all"`` or ``"hidden"``, on ``HIDDEN_CASES`` of other shapes and seeds), names the
usual mistakes it recognises, and refuses answers that call the package's own code.
"""

from __future__ import annotations

import numpy as np

from ..linear import LinearCache, linear_backward, linear_forward, linear_loss, mse_loss
from .predictions import Prediction
from ._core import CheckFailure, attempt, call_student, checker, compare, passed, test_cases

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
                    "(5, 1): not a gradient of b.",
        mistakes=(((5, 3), "that is the shape of dL/dy_hat, one entry per example and class; b has one entry "
                           "per class"),
                  ((5, 1), "that adds up across the classes, one number per example; which entries of y_hat "
                           "does b_k enter?"))),
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


def _same_values(got, expected) -> bool:
    """Whether ``got`` holds ``expected``'s numbers in some shape (True for a right answer laid out wrongly)."""
    got = np.asarray(got)
    if got.dtype.kind not in "iuf":
        return False
    got = got.astype(np.float64).ravel()
    return got.shape == np.ravel(expected).shape and np.allclose(got, np.ravel(expected), rtol=1e-7, atol=1e-10)


@checker
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
            ("the factor that differentiating a square brings down is missing.", r / n),
            ("the normalisation is missing: the loss averages over the N examples, and its gradient keeps "
             "that average's factor.", 2 * r),
            ("you divided by the number of entries N*K; the lecture's loss averages over the N examples "
             "only (it adds up the K classes).", 2 * r / (n * k)),
            ("you divided by K, the number of classes (columns); the loss averages over the examples, the rows.",
             2 * r / k),
            (f"you divided by 5, the lecture's number of examples: count the examples of the batch you are "
             f"given (here N = {n}).", 2 * r / 5 if n != 5 else None),
            ("the sign is flipped: raising y_hat_nk above y_nk must raise the loss, so the gradient there "
             "is positive.", -2 * r / n),
            ("your result is transposed: dL/dy_hat has y_hat's shape (N, K), one row per example.",
             (2 * r / n).T),
            ("you returned the loss L itself, one number; the exercise asks for its gradient, one entry per "
             "entry of y_hat.", mse_loss(y_hat, y)[0]),
        ]
        case = f"N={n} examples, K={k} classes"
        got = call_student(fn, (y_hat.copy(), y.copy()), case)
        compare("dL/dy_hat", got, expected, mistakes, case)
    passed("dL/dy_hat", len(chosen), _n_hidden(chosen))


@checker
def check_linear_weight_gradient(fn, cases: str = "all") -> None:
    """Check ``fn(x, dL_dyhat) -> dL/dw``, (D, K), each entry the chain rule's sum over the examples."""
    chosen = test_cases(CASES, HIDDEN_CASES, cases)
    for seed, shape, _ in chosen:
        x, w, b, y = _case(shape, 200 + seed)
        g = mse_loss(linear_forward(x, w, b)[0], y)[1]
        n, d, k = shape
        expected = linear_backward(g, LinearCache(x, w, b))[1]
        mistakes = [
            ("only the first example counts: w_ik takes part in the output of every example, and the chain "
             "rule adds up all of those contributions.", np.outer(x[0], g[0]) if n > 1 else None),
            ("only the last example counts: inside your loop over the examples each term replaces the "
             "previous one instead of adding to it.", np.outer(x[-1], g[-1]) if n > 1 else None),
            ("the last example is missing from your sum: check the range of your loop over the examples.",
             x[:-1].T @ g[:-1] if n > 1 else None),
            (f"your loop over the examples stops at 5, the lecture's N: run it over every row of x "
             f"(here N = {n}).", x[:5].T @ g[:5] if n > 5 else None),
            ("you divided by N: the 1/N of the loss is already inside dL/dy_hat, so the chain rule only adds "
             "up the examples' terms.", x.T @ g / n if n > 1 else None),
            ("you applied the loss's constant factors a second time: dL/dy_hat, the gradient of Exercise 1, "
             "already holds them.", x.T @ g * 2 / n if n != 2 else None),
            ("you multiplied two sums; the chain rule adds one product per example (a sum of products, "
             "not a product of sums).", np.outer(x.sum(axis=0), g.sum(axis=0))),
            ("you also added up the classes: w_ik only enters output k, so entry (i, k) uses column k of "
             "dL/dy_hat alone.", np.tile(x.T @ g.sum(axis=1, keepdims=True), (1, k)) if k > 1 else None),
            ("your result is transposed (the indices are swapped): dL/dw has w's shape (D, K), row i for "
             "feature i and column k for class k.", g.T @ x),
        ]
        case = f"x {x.shape}, dL/dy_hat {g.shape}"
        got = call_student(fn, (x.copy(), g.copy()), case)
        compare("dL/dw", got, expected, mistakes, case)
    passed("dL/dw, entry by entry", len(chosen), _n_hidden(chosen))


@checker
def check_linear_input_gradient(fn, cases: str = "all") -> None:
    """Check ``fn(dL_dyhat, w) -> dL/dx``, (N, D), for ``y_hat = x w + b``."""
    chosen = test_cases(CASES, HIDDEN_CASES, cases)
    for seed, shape, _ in chosen:
        x, w, b, y = _case(shape, 300 + seed)
        g = mse_loss(linear_forward(x, w, b)[0], y)[1]
        n, d, k = shape
        expected = linear_backward(g, LinearCache(x, w, b))[0]
        mistakes = [
            ("the indices of w are swapped: x_ni reaches output k through w_ik (feature i, class k), so your "
             "sum over the classes must run along w's second index.", attempt(lambda: g @ w)),
            ("your result is transposed: dL/dx has x's shape (N, D), one row per example.", (g @ w.T).T),
            ("you divided by N: the 1/N of the loss is already inside dL/dy_hat.", g @ w.T / n if n > 1 else None),
            ("you also added up the examples: x_ni only feeds the outputs of its own example n, so row n of "
             "dL/dx uses row n of dL/dy_hat alone.", np.tile(g.sum(axis=0) @ w.T, (n, 1)) if n > 1 else None),
            ("you multiplied two sums; the chain rule adds one product per class (a sum of products, not a "
             "product of sums).", g.sum(axis=1, keepdims=True) * w.sum(axis=1)),
            ("only the first class counts: x_ni feeds every one of example n's K outputs, and the chain rule "
             "adds up all of them.", np.outer(g[:, 0], w[:, 0]) if k > 1 else None),
            (f"your sum over the classes stops at 3, the lecture's K: run it over every class (here K = {k}).",
             g[:, :3] @ w[:, :3].T if k > 3 else None),
        ]
        case = f"dL/dy_hat {g.shape}, w {w.shape}"
        got = call_student(fn, (g.copy(), w.copy()), case)
        compare("dL/dx", got, expected, mistakes, case)
    passed("dL/dx", len(chosen), _n_hidden(chosen))


@checker
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
            raise CheckFailure("return the three gradients as one tuple, in the order of the forward pass's "
                               "inputs: dx, dw, db.")
        compare("dL/dw", result[1], dw, [
            ("your dL/dw is transposed (shape (K, D)): it has w's shape (D, K), row i for feature i.", g.T @ x),
            ("you divided by N again: the 1/N is already inside dL/dy_hat.", x.T @ g / n),
            ("your product sums x's features against dL/dy_hat's examples: the sum in dL/dw_ik runs over the "
             "examples n, the rows of both arrays.", attempt(lambda: x @ g)),
        ], case)
        db_got = result[2]
        db_shape = np.shape(db_got)
        if db_shape == (k, 1) and k > 1:
            if _same_values(db_got, db):        # right values, wrong orientation; else name the values' mistake
                raise CheckFailure(
                    f"dL/db has shape ({k}, 1), a column, for {case}; b is a row (1, {k}), and a gradient step "
                    "with a column would broadcast b to a (K, K) matrix. Keep b's shape.")
            db_got = np.ravel(db_got)
        if db_shape in ((k,), (1, k)):  # the values first (a flat (K,) too), then the shape (below)
            db_got = np.ravel(db_got)
        compare("dL/db", db_got, db.ravel(), [
            ("you added up the classes (the columns); b_k is added to one column of every row, so add up "
             "over the examples, one entry per b_k.", g.sum(axis=1)),
            ("you averaged instead of adding up: the 1/N is already inside dL/dy_hat.", g.mean(axis=0)),
            ("you used only the first example; b_k is added to every example's output, so each one "
             "contributes.", g[0]),
            ("there is no sum over the batch: b_k is added to every example, so its gradient collects "
             "column k from all N rows.", g if n > 1 else None),
            ("you added up everything into one number: each b_k has its own gradient.", g.sum()),
        ], case)
        if db_shape == (k,):
            raise CheckFailure(
                f"dL/db has the right values but shape ({k},), a flat vector, for {case}: a gradient has the "
                f"shape of what it differentiates, and b is a row (1, {k}), as in the shape question before this "
                "exercise. Keep b's shape: your sum dropped the axis of length 1.")
        compare("dL/dx", result[0], dx, [
            ("the indices of w are swapped: x_ni reaches output k through w_ik, so the sum over the classes "
             "runs along w's second index.", attempt(lambda: g @ w)),
            ("your dL/dx is transposed: it has x's shape (N, D), one row per example.", attempt(lambda: w @ g.T)),
            ("you divided by N again: the 1/N is already inside dL/dy_hat.", g @ w.T / n),
        ], case)
    passed("linear_backward (dx, dw, db)", len(chosen), _n_hidden(chosen))


@checker
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
            raise CheckFailure("return the two updated parameters as one tuple: the new weights, then the new bias.")
        first, second = (np.shape(r) if not isinstance(r, (str, bytes)) else None for r in result)
        if first == b.shape and second == w.shape and b.shape != w.shape:
            raise CheckFailure(f"your results come in the wrong order for {case}: the new weights first, "
                               "then the new bias.")
        compare("w_new", result[0], w - eta * dw, [
            ("you moved along the gradient, which climbs the loss; gradient descent moves against it.",
             w + eta * dw),
            ("the learning rate is missing: the step is the gradient scaled by eta.", w - dw),
            ("w_new is w: the weights must take the step too.", w),
            ("you returned only the step; add it to the current weights.", -eta * dw),
            ("your gradient lacks the factor that differentiating the square brings down (Exercise 1).",
             w - eta * dw / 2),
            ("your gradient divides by the number of entries N*K (a mean over everything); the lecture's loss "
             "averages over the N examples only.", w - eta * dw / k if k > 1 else None),
            ("your gradient lacks the loss's average over the N examples.", w - eta * dw * n if n > 1 else None),
            (f"your gradient divides by 5, the lecture's number of examples: count the examples you are given "
             f"(here N = {n}).", w - eta * dw * n / 5 if n != 5 else None),
            ("your weight gradient is transposed (it only fits because D = K here): it has w's shape, "
             "feature i in row i.", attempt(lambda: w - eta * (g.T @ x)) if d == k else None),
        ], case)
        b_got = result[1]
        if np.shape(b_got) == (k,):
            b_got = np.reshape(b_got, (1, k))
        compare("b_new", b_got, b - eta * db, [
            ("you moved along the gradient, which climbs the loss; gradient descent moves against it.",
             b + eta * db),
            ("the learning rate is missing: the step is the gradient scaled by eta.", b - db),
            ("b_new is b: the bias must take the step too.", b),
            ("you returned only the step; add it to the current bias.", -eta * db),
            ("your bias gradient has one row per example: b_k is added to every example, so its gradient "
             "collects the examples' terms into one entry per class.", b - eta * g if n > 1 else None),
            ("your bias gradient is a column (K, 1), which broadcasts b to a (K, K) matrix; keep b's shape (1, K).",
             b - eta * db.reshape(-1, 1) if k > 1 else None),
            ("you added up the classes (the columns) for the bias gradient; add up the examples, the rows.",
             attempt(lambda: b - eta * g.sum(axis=1)) if n == k else None),
            ("you averaged the bias gradient over the examples; the 1/N is already inside dL/dy_hat, so add up.",
             b - eta * db / n if n > 1 else None),
            ("your gradient lacks the factor that differentiating the square brings down (Exercise 1).",
             b - eta * db / 2),
            (f"your gradient divides by 5, the lecture's number of examples: count the examples you are given "
             f"(here N = {n}).", b - eta * db * n / 5 if n != 5 else None),
        ], case)
    passed("gradient-descent step (w_new, b_new)", len(chosen), _n_hidden(chosen))
