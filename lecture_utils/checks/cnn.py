"""Checkers for notebook 06 (a small CNN with hand-written backpropagation).

The lecture's model (seed 003): ``Z1 = conv(X, f)``, ``H1 = sigmoid(Z1)`` flattened to
(D, N) with one column per image, ``Z2 = W^T H1 + b``, ``O = sigmoid(Z2)``,
``E = sum_n (y_n - O_n)^2 / 2``. Exercises:

* ``dE_df(X, H1, O, W, y) -> dE/df`` (3, 3), one filter;
* ``dE_df_multi(X, H1, O, W, y) -> dE/df`` (K, 3, 3), K filters, H1 (K*P*Q, N) with the
  rows of map k together (rows k*P*Q to (k+1)*P*Q - 1);
* ``gradient_step(X, y, f, W, b, learning_rate) -> (f_new, W_new, b_new)``: forward, backward
  and one gradient-descent step, all written by the student (``lecture_utils.nn.sigmoid`` allowed);
* ``momentum_on_quadratic(curvature, learning_rate, momentum) -> (A, largest stable learning rate)``:
  one momentum step on ``E(w) = curvature w^2 / 2`` as a 2 x 2 matrix acting on ``(w, v)``, and the
  learning rate above which its eigenvalues leave the unit circle.

Every checker runs visible cases and hidden cases of other shapes
(``cases="visible" | "hidden" | "all"``) and names the usual mistakes.
"""

from __future__ import annotations

import numpy as np

from ..cnn import filter_gradient, lecture_backward, lecture_forward, lecture_gradients, lecture_init
from ..optim import momentum_step
from .predictions import Prediction
from ._core import CheckFailure, attempt, call_student, checker, compare, passed, test_cases

# (N images, image height, image width): a lecture-like case, a non-square one, a single
# image and a tiny one; hidden: other sizes.
FILTER_CASES = [(6, 9, 9), (4, 8, 11), (1, 6, 6), (10, 5, 7)]
FILTER_HIDDEN_CASES = [(3, 7, 10), (5, 10, 6), (2, 4, 4)]

# (N, height, width, K filters)
MULTI_CASES = [(6, 9, 9, 3), (4, 8, 11, 2), (1, 6, 6, 3), (5, 7, 5, 4)]
MULTI_HIDDEN_CASES = [(3, 10, 7, 2), (2, 6, 8, 5), (7, 5, 6, 3)]

# (N, height, width, learning rate)
STEP_CASES = [(6, 8, 8, 0.01), (4, 7, 9, 0.05), (1, 6, 6, 0.1), (10, 5, 7, 0.02)]
STEP_HIDDEN_CASES = [(3, 9, 6, 0.03), (8, 6, 10, 0.005), (2, 5, 5, 0.2)]

PREDICTIONS = {
    "06-initial-error": Prediction(
        question="Before training, O is close to 0.5 for every image and each label y is 0 or 1. "
                 "What is E = sum_n (y_n - O_n)^2 / 2 over the 100 training images close to?",
        expected=12.5, tolerance=0.1,
        explanation="(y - 0.5)^2 / 2 = 0.25 / 2 = 1/8 per image, whatever its label, and E sums "
                    "over the images (no 1/N): 100 / 8 = 12.5. The measured E is a little larger "
                    "because O is not exactly 0.5.",
        mistakes=((0.125, "that is the error of one image; E adds up the 100 images"),
                  (50.0, "(y - O) is squared in E: 0.5 squared is 0.25"))),
    "06-lenet-initial-loss": Prediction(
        question="The untrained LeNet gives each of the 10 digits a probability near 1/10. What mean "
                 "cross-entropy loss (in nats) does it start from?",
        expected=round(float(np.log(10)), 4), tolerance=0.15,
        explanation="with equal scores every class gets 1/10, so each image costs -log(1/10) = log 10 = "
                    "2.30 nats (the cs231n sanity check 'loss is log C at initialisation'). He-initialised "
                    "scores are not tiny, so the measured loss starts a little above it.",
        mistakes=((0.1, "that is the probability of the right class; the loss is minus its logarithm"),
                  (1.0, "that is the logarithm in base 10; nats are natural logarithms"),
                  (float(np.log2(10)), "that is the logarithm in base 2 (bits); nats are natural logarithms"))),
}


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _n_hidden(chosen):
    return sum(hidden for *_, hidden in chosen)


# ----------------------------------------------------------------------- dE/df, one or K filters

def _model_case(n, h, w, n_filters, seed):
    """X, y and a forward pass of the lecture's model with a non-symmetric filter."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, h, w))
    f = rng.standard_normal((n_filters, 3, 3)) / 3
    f[:, 0, 1:] += [0.3, 0.9]                           # not symmetric: a flip shows
    f[:, 2, 0] -= 0.4
    d = n_filters * (h - 2) * (w - 2)
    W = 2 * rng.standard_normal((d, 1)) / np.sqrt(d)
    y = rng.integers(0, 2, n).astype(float)
    f = f[0] if n_filters == 1 else f
    O, cache = lecture_forward(X, f, W, np.array([[0.2]]))
    return X, y, f, W, O, cache


def _dE_df_with(X, O, y, H1, W, maps_shape, delta2=None, sigmoid_h1=True, derivative_at=None,
                to_maps=None):
    """dE/df of the lecture's model with one step of the derivation switched (a known mistake)."""
    n = X.shape[0]
    delta2 = (O - y) * O * (1 - O) if delta2 is None else delta2
    s = H1 if derivative_at is None else derivative_at
    delta1 = (W @ delta2) * (s * (1 - s) if sigmoid_h1 else 1)
    maps = delta1.T.reshape(n, *maps_shape) if to_maps is None else to_maps(delta1)
    return filter_gradient(X, maps)


def _filter_mistakes(X, y, H1, O, W, expected, maps_shape):
    """The mistakes of both dE/df exercises (one filter: maps_shape (P, Q); K filters: (K, P, Q))."""
    n = X.shape[0]

    def with_(**kw):
        return _dE_df_with(X, O, y, H1, W, maps_shape, **kw)

    flip = expected[..., ::-1, ::-1]
    return [
        ("the sign is flipped: differentiate E = sum_n (y_n - O_n)^2 / 2 with respect to O_n once more.",
         -expected),
        ("delta2 lacks the derivative of the output sigmoid (write it with O).", with_(delta2=O - y)),
        ("delta1 lacks the derivative of the sigmoid after the convolution (write it with H1).",
         with_(sigmoid_h1=False)),
        ("H1 already is sigmoid(Z1), so the sigmoid's derivative there is written with H1 itself; "
         "you applied the sigmoid to H1 once more.", with_(derivative_at=_sigmoid(H1))),
        ("your filter gradient is turned by 180 degrees, as for a convolution; the lecture's conv is a "
         "cross-correlation: tap (i, j) meets the pixels X(p + i, q + j).", flip),
        ("your result is transposed: row i of dE/df belongs to row offset i of the image.",
         np.swapaxes(expected, -1, -2)),
        (f"you divided by N = {n}: E adds up the images (no 1/N), so its gradient does too.",
         expected / n if n > 1 else None),
        ("you averaged where the derivation adds up: dE/df(i, j) collects one term from every image and "
         "position.", expected / (n * maps_shape[-2] * maps_shape[-1])),
        ("delta1 (D, N) was reshaped into maps without taking its columns apart: column n of H1 belongs "
         "to image n, so each map comes from one column.",
         attempt(lambda: with_(to_maps=lambda d: d.reshape(n, *maps_shape))) if n > 1 else None),
    ]


@checker
def check_filter_gradient(fn, cases: str = "all") -> None:
    """Check ``fn(X, H1, O, W, y) -> dE/df`` for the lecture's one-filter model.

    X (N, U, V) images, H1 (D, N) with D = (U-2)(V-2), O (1, N), W (D, 1) dense weights,
    y (N,); the answer is (3, 3).
    """
    chosen = test_cases(FILTER_CASES, FILTER_HIDDEN_CASES, cases)
    for seed, (n, h, w), _ in chosen:
        X, y, f, W, O, cache = _model_case(n, h, w, 1, seed)
        H1 = cache.H1
        expected = lecture_backward(O - y, cache)[0]
        mistakes = _filter_mistakes(X, y, H1, O, W, expected, (h - 2, w - 2))
        case = f"X {X.shape}, H1 {H1.shape}, W {W.shape}"
        got = call_student(fn, (X.copy(), H1.copy(), O.copy(), W.copy(), y.copy()), case)
        compare("dE/df", got, expected, mistakes, case)
    passed("dE/df (the lecture's filter gradient)", len(chosen), _n_hidden(chosen))


@checker
def check_filter_gradient_multi(fn, cases: str = "all") -> None:
    """Check ``fn(X, H1, O, W, y) -> dE/df`` (K, 3, 3) for the lecture's model with K filters.

    H1 is (K*P*Q, N), P, Q = U - 2, V - 2, the rows of map k together (k-major, as
    ``sigmoid(Z1)`` of shape (N, K, P, Q) flattened per image); W is (K*P*Q, 1).
    """
    chosen = test_cases(MULTI_CASES, MULTI_HIDDEN_CASES, cases)
    for seed, (n, h, w, k), _ in chosen:
        X, y, f, W, O, cache = _model_case(n, h, w, k, 40 + seed)
        H1 = cache.H1
        maps_shape = (k, h - 2, w - 2)
        expected = lecture_backward(O - y, cache)[0]
        mistakes = _filter_mistakes(X, y, H1, O, W, expected, maps_shape) + [
            (f"the rows of H1 are grouped by map: each block of {(h - 2) * (w - 2)} consecutive rows belongs "
             "to one filter (the filter axis comes before the pixels); you put it last, as in the slides' "
             "100 x 20 x 20 x 3.",
             _dE_df_with(X, O, y, H1, W, maps_shape,
                         to_maps=lambda d: d.T.reshape(n, h - 2, w - 2, k).transpose(0, 3, 1, 2))),
            ("you summed the K filters' gradients into one 3 x 3: each filter has its own gradient, "
             f"return shape ({k}, 3, 3).", expected.sum(axis=0)),
            ("every filter got the first filter's gradient: each filter's maps are its own block of "
             "delta1's rows.", np.broadcast_to(expected[0], expected.shape)),
        ]
        case = f"X {X.shape}, H1 {H1.shape}, W {W.shape} ({k} filters)"
        got = call_student(fn, (X.copy(), H1.copy(), O.copy(), W.copy(), y.copy()), case)
        compare("dE/df", got, expected, mistakes, case)
    passed("dE/df with K filters", len(chosen), _n_hidden(chosen))


# ----------------------------------------------------------------------- one gradient-descent step

def _grads_with(X, y, f, W, b, output_derivative=True, hidden_derivative=True, W_for_delta1=None):
    """(df, dW, db) of the lecture's model, with one step of the backward pass switched."""
    O, cache = lecture_forward(X, f, W, b)
    H1 = cache.H1
    delta2 = (O - y) * (O * (1 - O) if output_derivative else 1)
    dW = H1 @ delta2.T
    db = np.sum(delta2).reshape(b.shape)
    W_back = W if W_for_delta1 is None else W_for_delta1
    delta1 = (W_back @ delta2) * (H1 * (1 - H1) if hidden_derivative else 1)
    df = filter_gradient(X, delta1.T.reshape(cache.Z1.shape))
    return df, dW, db


@checker
def check_gradient_step(fn, cases: str = "all") -> None:
    """Check ``fn(X, y, f, W, b, learning_rate) -> (f_new, W_new, b_new)``: one full-batch step.

    X (N, U, V), y (N,), f (3, 3), W (D, 1) with D = (U-2)(V-2), b (1, 1); the new parameters
    after one gradient-descent step on the lecture's summed squared error.
    """
    chosen = test_cases(STEP_CASES, STEP_HIDDEN_CASES, cases)
    for seed, (n, h, w, eta), _ in chosen:
        rng = np.random.default_rng(80 + seed)
        X = rng.standard_normal((n, h, w))
        f, W, _ = lecture_init(1, max(h, w), 3, rng=rng)
        f = f + np.array([[0.0, 0.3, 0.9], [0.0, 0.0, 0.0], [-0.4, 0.0, 0.0]])   # not symmetric
        W = 2 * rng.standard_normal(((h - 2) * (w - 2), 1)) / np.sqrt((h - 2) * (w - 2))
        b = np.array([[0.3 * rng.standard_normal()]])
        y = rng.integers(0, 2, n).astype(float)
        _, df, dW, db = lecture_gradients(X, y, f, W, b)
        new = {"f": f - eta * df, "W": W - eta * dW, "b": b - eta * db}
        no_out = _grads_with(X, y, f, W, b, output_derivative=False)
        no_hidden = _grads_with(X, y, f, W, b, hidden_derivative=False)
        late_f = _grads_with(X, y, f, W, b, W_for_delta1=new["W"])[0]
        case = f"X {X.shape}, f {f.shape}, W {W.shape}, learning_rate={eta}"
        result = call_student(fn, (X.copy(), y.copy(), f.copy(), W.copy(), b.copy(), eta), case,
                              allowed=("lecture_utils.nn.sigmoid",))
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise CheckFailure("return the three new parameters as one tuple: f_new, W_new, b_new.")
        got = dict(zip("fWb", result))
        if isinstance(got["b"], (float, np.ndarray, np.number)) and np.size(got["b"]) == 1 and np.ndim(got["b"]) <= 2:
            got["b"] = np.reshape(got["b"], (1, 1))        # a scalar, (1,) or (1, 1) bias is fine

        def common(name, grad, parameter):
            return [
                ("you stepped uphill (or flipped the sign of dE/dO): gradient descent moves against the "
                 "gradient.", parameter + eta * grad),
                ("the learning rate is missing: the step is the gradient scaled by the learning rate.",
                 parameter - grad),
                (f"you averaged the gradient over the N = {n} images: the lecture's E adds them up "
                 "(no 1/N), so its gradient does too.", parameter - eta * grad / n if n > 1 else None),
                (f"you returned the gradient dE/d{name}, not the new parameter after the step.", grad),
            ]

        compare("W_new", got["W"], new["W"], common("W", dW, W) + [
            ("delta2 = dE/dZ2 lacks the derivative of the output sigmoid (write it with O).",
             W - eta * no_out[1]),
            (f"W_new is transposed: W has shape {W.shape} (the forward pass uses its transpose W^T).",
             new["W"].T),
        ], case)
        O = lecture_forward(X, f, W, b)[0]
        delta2 = (O - y) * O * (1 - O)                                # dE/dZ2, one entry per image
        compare("b_new", got["b"], new["b"], common("b", db, b) + [
            ("b did not change: it takes a step like every parameter.", b),
            ("delta2 = dE/dZ2 lacks the derivative of the output sigmoid (write it with O).",
             b - eta * no_out[2]),
            ("your bias gradient has one entry per image: b is added to every image's Z2, so its gradient "
             "collects all the images' terms into one number.", b - eta * delta2 if n > 1 else None),
        ], case)
        compare("f_new", got["f"], new["f"], common("f", df, f) + [
            ("delta1 lacks the derivative of the sigmoid after the convolution (write it with H1).",
             f - eta * no_hidden[0]),
            ("dE/df used the updated W: compute every gradient from the same forward pass (the old "
             "parameters) before changing any of them.", f - eta * late_f),
            ("your filter gradient is turned by 180 degrees (a convolution); conv is a cross-correlation: "
             "tap (i, j) meets X(p + i, q + j).", f - eta * df[::-1, ::-1]),
            ("your filter gradient is transposed: row i belongs to row offset i of the image.",
             f - eta * df.T),
        ], case)
    passed("one gradient-descent step of the lecture's model", len(chosen), _n_hidden(chosen))


# ----------------------------------------------------------------------- momentum on a quadratic (Exercise 4)

# (curvature kappa, learning rate eta, momentum mu): eta kappa never 1 or 2 and 1 - eta kappa never mu
# (where a transposed matrix equals one with its state order swapped), mu = 0 once (plain gradient descent).
QUADRATIC_CASES = [(1.0, 0.15, 0.9), (4.0, 0.3, 0.5), (0.5, 1.5, 0.0), (2.5, 0.05, 0.99)]
QUADRATIC_HIDDEN_CASES = [(3.0, 0.2, 0.7), (0.8, 0.9, 0.25), (10.0, 0.013, 0.95)]


def _momentum_matrix(curvature, learning_rate, momentum):
    """The 2 x 2 matrix of one momentum step on E(w) = kappa w^2 / 2, state (w, v), from the library's step.

    Column j is the state after one step from the j-th unit state: the step is linear in (w, v).
    """
    columns = []
    for w, v in ((1.0, 0.0), (0.0, 1.0)):
        new, velocity = momentum_step({"w": np.array([w])}, {"w": np.array([curvature * w])},
                                      {"w": np.array([v])}, learning_rate, momentum)
        columns.append([new["w"][0], velocity["w"][0]])
    return np.array(columns).T


@checker
def check_momentum_on_quadratic(fn, cases: str = "all") -> None:
    """Check ``fn(curvature, learning_rate, momentum) -> (A, largest_stable_learning_rate)``.

    On ``E(w) = curvature * w**2 / 2`` one step of ``v <- mu v - eta dE/dw``, ``w <- w + v`` maps the
    state ``(w_t, v_t)`` to ``(w_{t+1}, v_{t+1}) = A (w_t, v_t)``; the iteration converges from every
    start when both eigenvalues of ``A`` lie inside the unit circle, and the largest stable learning
    rate is where one of them reaches it (for ``0 <= mu < 1``).
    """
    chosen = test_cases(QUADRATIC_CASES, QUADRATIC_HIDDEN_CASES, cases)
    for _, (kappa, eta, mu), _ in chosen:
        expected = _momentum_matrix(kappa, eta, mu)
        # The eigenvalues multiply to det A = mu < 1, so they leave the unit circle through -1 (kept out
        # of the strings help() shows); tests/test_checks_cnn.py witnesses the limit with the eigenvalues.
        limit = 2 * (1 + mu) / kappa
        case = f"curvature {kappa}, learning_rate {eta}, momentum {mu}"
        result = call_student(fn, (kappa, eta, mu), case)
        if not isinstance(result, (tuple, list)) or len(result) != 2 or np.ndim(result[1]) != 0:
            raise CheckFailure("return two things, the 2 x 2 matrix and the largest stable learning rate (a number): "
                               "return A, eta_max")
        swap = np.array([[0, 1], [1, 0]])
        a = eta * kappa
        compare("A", result[0], expected, [
            ("your matrix moves w with the old velocity: in this update the weights move with the velocity "
             "just computed, so revisit how w_{t+1} depends on v_t.", [[1, 1], [-a, mu]]),
            ("the gradient term has the wrong sign: the velocity moves against the gradient, downhill.",
             [[1 + a, mu], [a, mu]]),
            ("the curvature is missing: the gradient of E(w) = (curvature/2) w^2 depends on it.",
             [[1 - eta, mu], [-eta, mu]] if kappa != 1 else None),
            ("a factor 1/2 too many: differentiate (curvature/2) w^2 once more.",
             [[1 - a / 2, mu], [-a / 2, mu]]),
            ("your matrix is transposed: row i gives the new value of state i (w, then v) from the old state "
             "(w_t, v_t).", expected.T),
            ("your rows and columns are in the order (v, w); the state is (w, v), weights first.",
             swap @ expected @ swap),
            ("that is PyTorch's form of momentum (a velocity without the learning rate, subtracted from w); "
             "this notebook's velocity includes eta and is added to w.", [[1 - a, -eta * mu], [kappa, mu]]),
            ("learning_rate and momentum are swapped: mu multiplies the old velocity, eta the gradient.",
             [[1 - mu * kappa, eta], [-mu * kappa, eta]]),
        ], case)
        compare("the largest stable learning rate", result[1], np.array(limit), [
            ("that is the limit of plain gradient descent: with momentum each step is the 2 x 2 matrix, so the "
             "limit comes from its eigenvalues; at the edge of stability the state flips sign every step.",
             2 / kappa if mu else None),
            ("that follows from the steady state (on a constant gradient the step grows by 1/(1 - mu)), but at "
             "the edge of stability the gradient flips sign every step, and then momentum works against the "
             "step instead of adding to it: use the eigenvalues of the matrix.",
             2 * (1 - mu) / kappa if mu else None),
            ("a factor 2 is missing: redo the condition at the edge of stability, where an eigenvalue "
             "reaches the unit circle.", (1 + mu) / kappa),
            ("the curvature is missing: a steeper bowl (larger curvature) needs a smaller learning rate.",
             2 * (1 + mu) if kappa != 1 else None),
        ], case)
    passed("momentum on a quadratic (A, largest stable learning rate)", len(chosen), _n_hidden(chosen))
