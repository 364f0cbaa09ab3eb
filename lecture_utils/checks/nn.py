"""Checkers for notebook 04 (neural networks: units, MLP, SGD, backpropagation)."""

from __future__ import annotations

import numpy as np

from ..linear import LinearCache
from ..nn import MLP, dense_backward, dense_forward, sigmoid, sigmoid_backward, sigmoid_forward
from ..optim import sgd_step
from .._validate import checked, function
from ._core import CheckFailure, attempt, call_student, compare, passed

# Shapes of the activations for the sigmoid layer: a batch, a square one, a single
# example, a 3-D block (the layer is element-wise, so any shape must work).
SIGMOID_SHAPES = [(5, 4), (3, 3), (1, 7), (2, 3, 4)]

# (N examples, D inputs, M outputs) for the dense layer: square first (a missing
# transpose then gives wrong values rather than a crash, so it can be named), then
# lopsided shapes and a single example.
DENSE_CASES = [(3, 3, 3), (5, 4, 3), (1, 2, 4), (7, 5, 2), (6, 1, 6)]

# Networks and learning rates for the SGD step (never 1, where "forgot eta" is invisible).
SGD_CASES = [([2, 2, 1], 0.1), ([3, 4, 2], 0.05), ([1, 3, 1], 0.3), ([4, 5, 3, 2], 0.01)]


@checked(fn=function())
def check_sigmoid_backward(fn) -> None:
    """Check ``fn(dout, cache) -> da`` where ``cache`` is the sigmoid's output y."""
    for seed, shape in enumerate(SIGMOID_SHAPES):
        rng = np.random.default_rng(400 + seed)
        a = 2.0 * rng.standard_normal(shape)
        dout = rng.standard_normal(shape)
        y, cache = sigmoid_forward(a)             # the exercise's cache is y itself
        expected = sigmoid_backward(dout, cache)
        s = sigmoid(y)
        mistakes = [
            ("the cache already holds the output y = sigmoid(a); you applied the sigmoid to it again, "
             "as if it were the pre-activation a. Use dout * y * (1 - y).", dout * s * (1 - s)),
            ("you forgot to multiply by the upstream gradient dout (chain rule: dC/da = dC/dy * dy/da).",
             y * (1 - y)),
            ("the sign is flipped: dy/da = y (1 - y), which is positive.", dout * y * (y - 1)),
            ("the factor (1 - y) is missing: dy/da = y (1 - y).", dout * y),
            ("that is tanh's derivative 1 - y^2; the sigmoid's is y (1 - y).", dout * (1 - y ** 2)),
        ]
        case = f"y of shape {shape}"
        got = call_student(fn, (dout.copy(), y.copy()), case)
        compare("dC/da", got, expected, mistakes, case)
    passed("sigmoid_backward", len(SIGMOID_SHAPES))


@checked(fn=function())
def check_dense_backward(fn) -> None:
    """Check ``fn(dout, cache) -> (dx, dw, db)`` for ``out = x w + b``, with b of shape (M,)."""
    for seed, (n, d, m) in enumerate(DENSE_CASES):
        rng = np.random.default_rng(500 + seed)
        x, w, b = rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)
        g = rng.standard_normal((n, m))
        _, cache = dense_forward(x, w, b)
        dx, dw, db = dense_backward(g, cache)
        case = f"x {x.shape}, w {w.shape}, b {b.shape}"
        result = call_student(fn, (g.copy(), LinearCache(x.copy(), w.copy(), b.copy())), case)
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise CheckFailure("return the three gradients as a tuple: return dx, dw, db")
        compare("dC/dw", result[1], dw, [
            ("you computed dout^T x (shape (M, D)); the gradient is x^T dout, shape (D, M) like w.", g.T @ x),
            ("x is not transposed: dC/dw = x^T dout.", attempt(lambda: x @ g)),
            ("you divided by N: the batch average is already inside dout, so just sum (x^T dout).",
             x.T @ g / n),
        ], case)
        db_got = result[2]
        if np.size(db_got) == m and np.ndim(db_got) <= 2:  # accept (M,) and (1, M)
            db_got = np.ravel(db_got)
        compare("dC/db", db_got, db, [
            ("you did not sum over the batch: each b_m is added to every example, so "
             "dC/db = dout.sum(axis=0), shape (M,).", g if n > 1 else None),
            ("you summed over the outputs (axis=1); sum over the examples (axis=0).", g.sum(axis=1)),
            ("you averaged instead of summing: the 1/N is already inside dout.", g.mean(axis=0)),
            ("you used only the first example; every row of dout contributes to db.", g[0]),
        ], case)
        compare("dC/dx", result[0], dx, [
            ("w is not transposed: dC/dx = dout w^T, shape (N, D).", attempt(lambda: g @ w)),
            ("the product is the wrong way round: w dout^T is dC/dx transposed.", attempt(lambda: w @ g.T)),
            ("you divided by N: the batch average is already inside dout.", g @ w.T / n),
        ], case)
    passed("dense_backward (dx, dw, db)", len(DENSE_CASES))


def _sgd_case(sizes, seed):
    rng = np.random.default_rng(600 + seed)
    model = MLP(sizes, ["tanh"] * (len(sizes) - 2) + ["identity"], rng=rng)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in model.params.items()}
    grads = {k: rng.standard_normal(v.shape) for k, v in params.items()}
    return params, grads


@checked(fn=function())
def check_sgd_step(fn) -> None:
    """Check ``fn(params, grads, learning_rate) -> new params`` for ``theta <- theta - eta dE/dtheta``."""
    for seed, (sizes, learning_rate) in enumerate(SGD_CASES):
        params, grads = _sgd_case(sizes, seed)
        expected = sgd_step(params, grads, learning_rate)
        case = f"an MLP of sizes {sizes} with learning rate {learning_rate}"
        result = call_student(fn, ({k: v.copy() for k, v in params.items()},
                                   {k: v.copy() for k, v in grads.items()}, learning_rate), case)
        if result is None:
            raise CheckFailure("your function returned None: return the dict of updated parameters.")
        if not isinstance(result, dict):
            raise CheckFailure(f"return a dict like params (keys {sorted(params)}), "
                               f"got {type(result).__name__}")
        missing = sorted(set(params) - set(result))
        if missing:
            raise CheckFailure(f"your result lacks {missing} for {case}: update every parameter.")
        for name in params:
            p, g = params[name], grads[name]
            compare(f"params[{name!r}]", result[name], expected[name], [
                ("you added the step (+ eta dE/dtheta, as the notes print it); to descend the cost, "
                 "subtract: theta - eta dE/dtheta.", p + learning_rate * g),
                ("the learning rate is missing: theta - eta * dE/dtheta.", p - g),
                (f"params[{name!r}] is unchanged: every parameter, weights and biases, takes a step.", p),
                ("you returned only the step -eta dE/dtheta; add it to the current parameters.",
                 -learning_rate * g),
            ], case)
    passed("sgd_step", len(SGD_CASES))
