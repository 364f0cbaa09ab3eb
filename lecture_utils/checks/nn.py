"""Checkers for notebook 04 (neural networks: units, the steepest step, MLP, backpropagation).

Every checker runs the student's function on visible cases and, with ``cases="all"`` or
``"hidden"``, on hidden cases of other shapes and seeds; it names the usual mistakes it
recognises and refuses answers that call the package's own code (the MLP exercise may use
the layers' backward passes, as the lecture's recurrences do).
"""

from __future__ import annotations

import numpy as np

from ..linear import LinearCache
from ..nn import (MLP, ActivationCache, MLPCache, dense_backward, dense_forward, mse_loss, sigmoid,
                  sigmoid_backward, sigmoid_forward)
from ..optim import sgd_step
from .predictions import Prediction
from ._core import CheckFailure, attempt, call_student, checker, compare, passed, test_cases

# Shapes of the activations for the sigmoid layer: a batch, a square one, a single
# example, a 3-D block (the layer is element-wise, so any shape must work).
SIGMOID_SHAPES = [(5, 4), (3, 3), (1, 7), (2, 3, 4)]
HIDDEN_SIGMOID_SHAPES = [(6,), (4, 1, 5), (8, 2)]

# (N examples, D inputs, M outputs) for the dense layer: square first (a missing
# transpose then gives wrong values rather than a crash, so it can be named), then
# lopsided shapes and a single example.
DENSE_CASES = [(3, 3, 3), (5, 4, 3), (1, 2, 4), (7, 5, 2), (6, 1, 6)]
HIDDEN_DENSE_CASES = [(4, 4, 4), (9, 3, 2), (2, 6, 5)]

# The 2-layer MLP x -> tanh(x w1 + b1) -> sigmoid(x_1 w2 + b2): (N, D, H, K). D = H in the
# first case, so "used the layer's output instead of its input" gives wrong values, not a crash.
MLP_CASES = [(4, 3, 3, 2), (4, 2, 2, 1), (1, 3, 5, 2), (6, 4, 2, 3)]
HIDDEN_MLP_CASES = [(3, 5, 5, 4), (8, 2, 3, 1), (2, 1, 6, 2)]
MLP_ACTIVATIONS = ["tanh", "sigmoid"]
# The layers' backward passes the MLP exercise may call (the recurrences chain them);
# MLP.backward itself is refused. out_shape is the caches' property the layers' checks read.
MLP_ALLOWED = ("lecture_utils.nn.sigmoid_backward", "lecture_utils.nn.tanh_backward",
               "lecture_utils.nn.dense_backward", "lecture_utils.linear.linear_backward",
               "lecture_utils.nn.out_shape", "lecture_utils.linear.out_shape")

PREDICTIONS = {
    "04-batch-size": Prediction(
        question="Same network, same start, learning rate 0.1, 100 epochs over the 50 points: which batch "
                 "size ends with the lowest cost, 1, 10 or 50?",
        expected="1",
        options=("1", "10", "50"),
        explanation="every epoch computes the same 50 one-example gradients, but batch size 1 turns them into "
                    "50 updates, batch size 10 into 5 and the full batch into a single one. At a stable "
                    "learning rate more (noisier) steps make more progress per epoch; per update, the full "
                    "batch is the more accurate.",
        mistakes=(("50", "the full batch has the most accurate gradient, but it makes one update per epoch: "
                         "count the updates, not the accuracy of each"),
                  ("10", "count the updates each batch size makes in an epoch at a stable learning rate"))),
}


def _n_hidden(chosen) -> int:
    return sum(hidden for *_, hidden in chosen)


def _flat_bias(value, size):
    """A bias gradient given as (M,) or (1, M), as a flat (M,) array (anything else unchanged)."""
    if np.size(value) == size and np.ndim(value) <= 2 and not isinstance(value, (str, bytes, dict)):
        return np.ravel(value)
    return value


@checker
def check_sigmoid_backward(fn, cases: str = "all") -> None:
    """Check ``fn(dout, cache) -> da`` where ``cache`` is the sigmoid's output y."""
    chosen = test_cases(SIGMOID_SHAPES, HIDDEN_SIGMOID_SHAPES, cases)
    for seed, shape, _ in chosen:
        rng = np.random.default_rng(400 + seed)
        a = 2.0 * rng.standard_normal(shape)
        dout = rng.standard_normal(shape)
        y, cache = sigmoid_forward(a)             # the exercise's cache is y itself
        expected = sigmoid_backward(dout, cache)
        s = sigmoid(y)
        mistakes = [
            ("the cache already holds the output y = sigmoid(a); you applied the sigmoid to it again, "
             "as if it were the pre-activation a. Write f'(a) with y alone.", dout * s * (1 - s)),
            ("you forgot the upstream gradient dout: the chain rule multiplies dC/dy by dy/da.", y * (1 - y)),
            ("the sign is flipped: the sigmoid is increasing, so dy/da is positive.", dout * y * (y - 1)),
            ("a factor of dy/da is missing: write e^(-a) with y in f'(a) and simplify; two factors remain.",
             dout * y),
            ("that is tanh's derivative; derive the sigmoid's from f(a) = 1 / (1 + e^(-a)).", dout * (1 - y ** 2)),
            ("a factor of dy/da is missing: write e^(-a) with y in f'(a) and simplify; two factors remain.",
             dout * (1 - y)),
            ("you added dout and dy/da; the chain rule multiplies them.", dout + y * (1 - y)),
            ("you divided by dy/da; the chain rule multiplies by it.", dout / (y * (1 - y))),
        ]
        case = f"y of shape {shape}"
        got = call_student(fn, (dout.copy(), y.copy()), case)
        compare("dC/da", got, expected, mistakes, case)
    passed("sigmoid_backward", len(chosen), _n_hidden(chosen))


@checker
def check_dense_backward(fn, cases: str = "all") -> None:
    """Check ``fn(dout, cache) -> (dx, dw, db)`` for ``out = x w + b``, with b of shape (M,)."""
    chosen = test_cases(DENSE_CASES, HIDDEN_DENSE_CASES, cases)
    for seed, (n, d, m), _ in chosen:
        rng = np.random.default_rng(500 + seed)
        x, w, b = rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)
        g = rng.standard_normal((n, m))
        _, cache = dense_forward(x, w, b)
        dx, dw, db = dense_backward(g, cache)
        case = f"x {x.shape}, w {w.shape}, b {b.shape}"
        result = call_student(fn, (g.copy(), LinearCache(x.copy(), w.copy(), b.copy())), case)
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise CheckFailure("return the three gradients as one tuple, in the order of the forward pass's "
                               "inputs: dx, dw, db.")
        compare("dC/dw", result[1], dw, [
            ("your dC/dw is transposed (shape (M, D)): it has w's shape (D, M), row d for input d.", g.T @ x),
            ("your product sums x's inputs against dout's examples: the sum in dC/dw_dm runs over the "
             "examples n, the rows of both x and dout.", attempt(lambda: x @ g)),
            ("you divided by N: the batch average is already inside dout, so just add up the examples.",
             x.T @ g / n if n > 1 else None),
            ("you kept only the first example: w is used by every example, so all of them contribute.",
             np.outer(x[0], g[0]) if n > 1 else None),
        ], case)
        compare("dC/db", _flat_bias(result[2], m), db, [
            ("there is no sum over the batch: each b_m is added to every example, so its gradient collects "
             "column m of dout from every row, one entry per output.", g if n > 1 else None),
            ("you added up the outputs (the columns); each b_m has its own gradient, collected over the "
             "examples (the rows).", g.sum(axis=1)),
            ("you averaged instead of adding up: the 1/N is already inside dout.", g.mean(axis=0) if n > 1 else None),
            ("you used only the first example; every row of dout contributes to db.", g[0] if n > 1 else None),
            ("you added up everything into one number: each b_m has its own gradient.", g.sum() if m > 1 else None),
        ], case)
        compare("dC/dx", result[0], dx, [
            ("the indices of w are swapped: x_nd reaches output m through w_dm, so the sum over the outputs "
             "runs along w's second index.", attempt(lambda: g @ w)),
            ("your dC/dx is transposed: it has x's shape (N, D), one row per example.", attempt(lambda: w @ g.T)),
            ("you divided by N: the batch average is already inside dout.", g @ w.T / n if n > 1 else None),
        ], case)
    passed("dense_backward (dx, dw, db)", len(chosen), _n_hidden(chosen))


def _mlp_case(shape, seed):
    """A 2-layer tanh/sigmoid MLP, a batch and its MSE gradient; the biases made non-zero."""
    n, d, h, k = shape
    rng = np.random.default_rng(700 + seed)
    model = MLP([d, h, k], MLP_ACTIVATIONS, rng=rng)
    model.params = {key: v + 0.3 * rng.standard_normal(v.shape) for key, v in model.params.items()}
    x = rng.standard_normal((n, d))
    y = rng.uniform(0, 1, (n, k))
    out, cache = model.forward(x)
    dout = mse_loss(out, y)[1]
    return model, x, dout, cache


def _copy_cache(cache):
    layers = tuple((LinearCache(*(a.copy() for a in dense)), ActivationCache(act.made_by, act.saved.copy(), act.alpha))
                   for dense, act in cache.layers)
    return MLPCache(layers, cache.out_shape)


@checker
def check_mlp_backward(fn, cases: str = "all") -> None:
    """Check ``fn(dout, cache) -> (dx, grads)`` for the 2-layer MLP tanh hidden layer, sigmoid output."""
    chosen = test_cases(MLP_CASES, HIDDEN_MLP_CASES, cases)
    for seed, shape, _ in chosen:
        model, x, g, cache = _mlp_case(shape, seed)
        n, d, h_units, k = shape
        dx, grads = model.backward(g, cache)
        (_, w1, b1), _ = cache.layers[0]
        (h, w2, b2), (_, o, _) = cache.layers[1]     # h = x_1 = tanh(a_1), o = x_2 = sigmoid(a_2)
        case = f"x {x.shape}, w1 {w1.shape}, w2 {w2.shape} (N={n}, D={d}, H={h_units}, K={k})"
        result = call_student(fn, (g.copy(), _copy_cache(cache)), case, allowed=MLP_ALLOWED)
        if isinstance(result, dict):
            raise CheckFailure("return two things, dC/dx and the dict of parameter gradients: return dx, grads")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise CheckFailure("return a tuple of two: dC/dx_0 (an array) and grads (a dict): return dx, grads")
        got_dx, got = result
        if isinstance(got_dx, dict) and not isinstance(got, dict):
            raise CheckFailure("your results come in the wrong order: return dx, grads (the array first, then the dict).")
        if not isinstance(got, dict):
            raise CheckFailure(f"the second result must be a dict of gradients with keys {sorted(grads)}, "
                               f"got {type(got).__name__}")
        missing = sorted(set(grads) - set(got))
        if missing:
            raise CheckFailure(f"your grads lack {missing} for {case}: return dC/dw_i and dC/db_i of both layers, "
                               "keyed like params ('w1', 'b1', 'w2', 'b2').")

        # The usual slips, each followed through both layers.
        da2 = g * o * (1 - o)
        s = sigmoid(o)
        da2_no_f = g
        da2_sigmoid_twice = g * s * (1 - s)
        da2_tanh = g * (1 - o ** 2)
        dx1 = da2 @ w2.T
        da1 = dx1 * (1 - h ** 2)
        da1_no_f = dx1
        da1_sigmoid = dx1 * h * (1 - h)
        da1_tanh_twice = dx1 * (1 - np.tanh(h) ** 2)
        da1_skip_output = (g @ w2.T) * (1 - h ** 2)
        hidden_w1 = [
            ("the hidden layer's non-linearity is missing: the gradient arriving at x_1 must go through tanh's "
             "backward before the dense layer's backward.", x.T @ da1_no_f),
            ("the hidden layer is a tanh; you used the sigmoid's derivative there.", x.T @ da1_sigmoid),
            ("the hidden cache already holds x_1 = tanh(a_1); you applied tanh to it again.", x.T @ da1_tanh_twice),
            ("the gradient you sent down to layer 1 skips the output non-linearity: pass on what comes out of "
             "the sigmoid's backward, not dout itself.", x.T @ da1_skip_output),
            ("dC/dw_1 pairs layer 1's INPUT x_0 with da_1; you used its output x_1.",
             h.T @ da1 if d == h_units else None),
            ("you divided by N again: the 1/N of the cost is already inside dout.", x.T @ da1 / n if n > 1 else None),
            ("dC/dw_1 is transposed: it has w_1's shape (D, H).", da1.T @ x),
        ]
        output_w2 = [
            ("the output layer's non-linearity is missing: dout = dC/dx_2 must go through the sigmoid's "
             "backward before the dense layer's backward.", h.T @ da2_no_f),
            ("the output cache already holds x_2 = sigmoid(a_2); you applied the sigmoid to it again.",
             h.T @ da2_sigmoid_twice),
            ("the output layer is a sigmoid; you used tanh's derivative there.", h.T @ da2_tanh),
            ("dC/dw_2 pairs layer 2's input, the hidden output x_1, with da_2; you used the network's input x_0.",
             x.T @ da2 if d == h_units else None),
            ("you divided by N again: the 1/N of the cost is already inside dout.", h.T @ da2 / n if n > 1 else None),
            ("dC/dw_2 is transposed: it has w_2's shape (H, K).", da2.T @ h),
        ]
        compare("grads['w2']", got["w2"], grads["w2"], output_w2, case)
        compare("grads['b2']", _flat_bias(got["b2"], k), grads["b2"], [
            ("the output layer's non-linearity is missing: collect the gradient after the sigmoid's backward, "
             "not dout itself.", g.sum(axis=0)),
            ("there is no sum over the batch: each entry of b_2 is added to every example.", da2 if n > 1 else None),
            ("you added up the outputs (the columns); collect each entry's gradient over the examples (the rows).",
             da2.sum(axis=1) if n > 1 else None),
            ("you averaged instead of adding up: the 1/N is already inside dout.", da2.mean(axis=0) if n > 1 else None),
        ], case)
        compare("grads['w1']", got["w1"], grads["w1"], hidden_w1, case)
        compare("grads['b1']", _flat_bias(got["b1"], h_units), grads["b1"], [
            ("the hidden layer's non-linearity is missing: collect the gradient after tanh's backward.",
             da1_no_f.sum(axis=0)),
            ("there is no sum over the batch: each entry of b_1 is added to every example.", da1 if n > 1 else None),
            ("you added up the hidden units (the columns); collect each entry's gradient over the examples "
             "(the rows).", da1.sum(axis=1) if n > 1 else None),
            ("you averaged instead of adding up: the 1/N is already inside dout.", da1.mean(axis=0) if n > 1 else None),
        ], case)
        compare("dx (dC/dx_0)", got_dx, dx, [
            ("you returned dC/dx_1, the gradient at the hidden layer's output; the second recurrence goes "
             "one layer further down, to the network's input x_0.", dx1 if d == h_units else None),
            ("dC/dx_0 skips the hidden non-linearity: go through tanh's backward before the first dense "
             "layer's.", attempt(lambda: dx1 @ w1.T)),
            ("the indices of w_1 are swapped: x_0's input d reaches hidden unit h through w_1[d, h], so the "
             "sum over the hidden units runs along w_1's second index.", attempt(lambda: da1 @ w1)),
        ], case)
    passed("2-layer MLP backward (dx, grads)", len(chosen), _n_hidden(chosen))


# ----------------------------------------------------------------------- the steepest step (Exercise 2)

# Networks and step lengths: never 1 (where "forgot to scale" hides), never the gradient's own length.
STEEPEST_CASES = [([2, 2, 1], 0.1), ([3, 4, 2], 0.05), ([1, 3, 1], 0.3), ([4, 5, 3, 2], 0.02)]
HIDDEN_STEEPEST_CASES = [([2, 3, 2], 0.2), ([5, 2, 1], 0.07), ([3, 3, 3, 3], 0.015)]


def _params_and_grads(sizes, seed):
    """An MLP's parameters (made non-zero) and a random gradient of each, as dicts keyed like MLP.params."""
    rng = np.random.default_rng(600 + seed)
    model = MLP(sizes, ["tanh"] * (len(sizes) - 2) + ["identity"], rng=rng)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in model.params.items()}
    grads = {k: rng.standard_normal(v.shape) for k, v in params.items()}
    return params, grads


@checker
def check_steepest_step(fn, cases: str = "all") -> None:
    """Check ``fn(params, grads, step_length) -> new params``: the step of that length that lowers E most.

    ``params`` and ``grads`` are dicts of arrays with the same keys. To first order
    ``E(theta + delta) - E(theta)`` is the dot product of the whole gradient (every entry of every
    parameter) with ``delta``; the step's Euclidean length ``step_length`` is measured over all
    parameters together.
    """
    chosen = test_cases(STEEPEST_CASES, HIDDEN_STEEPEST_CASES, cases)
    for seed, (sizes, length), _ in chosen:
        params, grads = _params_and_grads(sizes, 40 + seed)
        # Cauchy-Schwarz: the dot product is smallest against the gradient, so the step is gradient
        # descent's with eta = step_length / |whole gradient| (kept out of the strings help() shows).
        norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
        expected = sgd_step(params, grads, length / norm)
        case = f"an MLP of sizes {sizes} with step_length {length}"
        result = call_student(fn, ({k: v.copy() for k, v in params.items()},
                                   {k: v.copy() for k, v in grads.items()}, length), case)
        if result is None:
            raise CheckFailure("your function returned None: return the dict of parameters after the step.")
        if not isinstance(result, dict):
            raise CheckFailure(f"return a dict like params (keys {sorted(params)}), got {type(result).__name__}.")
        missing = sorted(set(params) - set(result))
        if missing:
            raise CheckFailure(f"your result lacks {missing} for {case}: the step moves every parameter.")
        l1 = float(sum(np.sum(np.abs(g)) for g in grads.values()))
        for name in params:
            p, g = params[name], grads[name]
            compare(f"params[{name!r}]", result[name], expected[name], [
                ("your step raises E: to first order E changes by the sum of gradient times step, and your "
                 "step makes that sum positive (the notes' + sign climbs). The steepest decrease points "
                 "against the gradient.", p + length * g / norm),
                (f"you scaled each parameter array to length step_length on its own, so the whole step is "
                 f"longer and turned: its length is measured over all {len(params)} arrays together, as one "
                 "long vector.", p - length * g / np.linalg.norm(g)),
                ("your step's length is step_length times the gradient's length, not step_length: revisit the "
                 "constraint on the step's length.", p - length * g),
                ("your step is shorter than step_length by a factor of the gradient's length: check the length "
                 "of the step you return.", p - length * g / norm ** 2),
                ("you measured the gradient with the sum of absolute values (the L1 norm); the step's length is "
                 "Euclidean: the square root of the sum of squares.", p - length * g / l1),
                ("you returned only the step; add it to the current parameters.", -length * g / norm),
                (f"params[{name!r}] is unchanged: the step moves every parameter, weights and biases.", p),
            ], case)
    passed("steepest step of a given length", len(chosen), _n_hidden(chosen))
