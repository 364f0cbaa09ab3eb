"""Checkers for notebook 06 (a small CNN with hand-written backpropagation)."""

from __future__ import annotations

import numpy as np

from ..cnn import filter_gradient, lecture_backward, lecture_forward, lecture_init
from ..optim import momentum_step
from .._validate import checked, function
from ._core import CheckFailure, attempt, call_student, compare, passed

# (N images, image height, image width): a lecture-like case, a non-square one (a
# transposed answer then has the wrong shape... or, for a square filter, wrong values),
# a single image and a tiny one.
FILTER_CASES = [(6, 9, 9), (4, 8, 11), (1, 6, 6), (10, 5, 7)]


def _filter_case(shape, seed):
    rng = np.random.default_rng(seed)
    n, h, w = shape
    X = rng.standard_normal((n, h, w))
    f, W, b = lecture_init(1, max(h, w), 3, rng=seed)
    f = f + np.array([[0.0, 0.3, 0.9], [0.0, 0.0, 0.0], [-0.4, 0.0, 0.0]])  # not symmetric
    W = 2 * rng.standard_normal(((h - 2) * (w - 2), 1)) / np.sqrt((h - 2) * (w - 2))
    y = rng.integers(0, 2, n).astype(float)
    O, cache = lecture_forward(X, f, W, b + 0.2)
    return X, y, W, O, cache


@checked(fn=function())
def check_filter_gradient(fn) -> None:
    """Check ``fn(X, H1, O, W, y) -> dE/df`` for the lecture's one-filter model.

    X (N, U, V) images, H1 (D, N) with D = (U-2)(V-2), O (1, N), W (D, 1) dense weights,
    y (N,); the answer is (3, 3).
    """
    for seed, shape in enumerate(FILTER_CASES):
        X, y, W, O, cache = _filter_case(shape, seed)
        H1 = cache.H1
        n, h, w = shape
        expected = lecture_backward(O - y, cache)[0]
        maps = (h - 2, w - 2)

        def df_with(delta2=None, sigmoid_h1=True, reshape=None, derivative_at=None):
            delta2 = (O - y) * O * (1 - O) if delta2 is None else delta2
            s = H1 if derivative_at is None else derivative_at
            delta1 = (W @ delta2) * (s * (1 - s) if sigmoid_h1 else 1)
            d_maps = delta1.T.reshape(n, *maps) if reshape is None else reshape(delta1)
            return filter_gradient(X, d_maps)

        mistakes = [
            ("the sign is flipped: dE/dO = O - y, not y - O.", -expected),
            ("O(1 - O), the sigmoid's derivative at the output, is missing from delta2.",
             df_with(delta2=O - y)),
            ("H1(1 - H1), the sigmoid's derivative after the convolution, is missing from delta1.",
             df_with(sigmoid_h1=False)),
            ("H1 already is sigmoid(Z1), so the sigmoid's derivative there is H1(1 - H1); "
             "you applied the sigmoid to H1 once more.",
             df_with(derivative_at=1 / (1 + np.exp(-H1)))),
            ("your filter is rotated by 180 degrees: that is a convolution (flipped kernel); "
             "the lecture's conv is a cross-correlation, dE/df(i, j) = sum X(p+i, q+j) delta1(p, q).",
             np.flip(expected)),
            ("your result is transposed: row i of dE/df belongs to row offset i of the image.",
             expected.T),
            (f"you divided by N = {n}: E sums over the images, so dE/df does too.", expected / n),
            ("you averaged (np.mean) where the formula sums: dE/df(i, j) is a sum over the images "
             "and positions, np.sum(...), not a mean.", expected / (n * maps[0] * maps[1])),
            ("delta1 (D, N) was reshaped without transposing: column n of H1 is image n, so "
             "transpose to (N, D) before reshaping to (N, H', W').",
             attempt(lambda: df_with(reshape=lambda d: d.reshape(n, *maps))) if n > 1 else None),
        ]
        case = f"X {X.shape}, H1 {H1.shape}, W {W.shape}"
        got = call_student(fn, (X.copy(), H1.copy(), O.copy(), W.copy(), y.copy()), case)
        compare("dE/df", got, expected, mistakes, case)
    passed("dE/df (the lecture's filter gradient)", len(FILTER_CASES))


# (shape, learning rate, momentum): lr and momentum differ in every case, so swapping them shows.
MOMENTUM_CASES = [((3, 3), 0.1, 0.9), ((5,), 0.05, 0.5), ((2, 4, 3), 0.3, 0.8), ((1,), 0.01, 0.99)]


@checked(fn=function())
def check_momentum_update(fn) -> None:
    """Check ``fn(w, grad, velocity, learning_rate, momentum) -> (new_w, new_velocity)``.

    The lecture's update with momentum: ``v <- mu v - eta g``, ``w <- w + v``.
    """
    for seed, (shape, lr, mu) in enumerate(MOMENTUM_CASES):
        rng = np.random.default_rng(50 + seed)
        w, g, v = (rng.standard_normal(shape) for _ in range(3))
        new, velocity = momentum_step({"w": w}, {"w": g}, {"w": v}, lr, mu)
        new_w, new_v = new["w"], velocity["w"]
        case = f"w of shape {shape}, learning_rate={lr}, momentum={mu}"
        result = call_student(fn, (w.copy(), g.copy(), v.copy(), lr, mu), case)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise CheckFailure("return the new weights and the new velocity: return w_new, v_new")
        compare("the new velocity", result[1], new_v, [
            ("the gradient's sign is flipped: the velocity moves against the gradient, "
             "v <- mu v - eta g.", mu * v + lr * g),
            ("the learning rate is missing: v <- mu v - eta g.", mu * v - g),
            ("learning_rate and momentum are swapped: mu multiplies the old velocity, eta the gradient.",
             lr * v - mu * g),
            ("the old velocity is not carried over (that is plain SGD): v <- mu v - eta g.", -lr * g),
            ("you returned the old velocity: return the updated one.", v),
            ("that is PyTorch's form of momentum (v <- mu v + g, w <- w - eta v), whose velocity has "
             "no eta and the opposite sign; this exercise uses the lecture's v <- mu v - eta g, w <- w + v.",
             mu * v + g),
            ("the two results are in the wrong order: return w_new, v_new (weights first).", new_w),
        ], case)
        compare("the new weights", result[0], new_w, [
            ("you moved w by the old velocity: update v first, then w <- w + v_new.", w + v),
            ("that is plain SGD, w - eta g: momentum adds mu v to the step.", w - lr * g),
            ("you subtracted the velocity: v already points downhill, so w <- w + v.", w - new_v),
        ], case)
    passed("SGD update with momentum", len(MOMENTUM_CASES))
