"""Speed path for notebook 06's LeNet-style network (:mod:`lecture_utils.cnn`).

The same network, loss and training loop (:func:`lecture_utils.optim.train`), trained faster:

* arguments are checked once, at the boundary, and the layers inside the loop are the
  unchecked kernels of :mod:`lecture_utils.fast.conv`;
* the first convolution computes no gradient for the input images;
* BLAS runs on one thread: these matrices are tiny (a 32-image batch of 8x8 digits), waking
  threads costs more than they save, and on a busy 2-core machine two threads made training
  up to ten times slower (threadpoolctl comes with scikit-learn);
* ``lenet_init(dtype=np.float32)`` trains in float32, for comparison with PyTorch's float32.

In float64 the results equal :func:`lecture_utils.cnn.train_lenet`'s (``tests/test_fast_cnn.py``);
``benchmarks/bench_cnn.py`` times it against PyTorch.
"""

from __future__ import annotations

import functools

import numpy as np
from threadpoolctl import threadpool_limits

from .. import cnn, nn
from .._validate import anything, array, check, checked, choice, flag, integer, positive, real, seed
from ..optim import train, with_weight_decay
from .conv import (FastReluPoolCache, _conv_backward, _conv_forward, _dense_backward, _dense_forward,
                   _pool_backward, _pool_forward, _relu_backward, _relu_forward, _relu_pool2_backward,
                   _relu_pool2_forward, _softmax_cross_entropy, float_array)


def single_threaded_blas():
    """Context in which numpy's BLAS uses one thread."""
    return threadpool_limits(limits=1, user_api="blas")


@checked(dtype=choice(np.float64, np.float32))
def lenet_init(n_filters=(16, 32), n_classes: int = 10, image_size: int = 8, rng=0, dtype=np.float64, pool=2):
    """:func:`lecture_utils.cnn.lenet_init`, rounded to ``dtype`` (the same seed draws the same numbers)."""
    return {name: value.astype(dtype) for name, value in
            cnn.lenet_init(n_filters, n_classes, image_size, rng, pool).items()}


def _dtype_of(params):
    return np.float32 if all(v.dtype == np.float32 for v in params.values()) else np.float64


def _check_data(x, labels, params, names=("x", "labels"), with_labels=True, pool=2):
    """Parameters, images in their precision, and labels: checked once for a whole run."""
    params = cnn._check_params(params)
    dtype = _dtype_of(params)
    params = {name: np.asarray(value, dtype=dtype) for name, value in params.items()}
    shape = " ".join(map(str, cnn.lenet_input_shape(params, pool)))
    x, = check({names[0]: float_array(f"N {shape}")}, {names[0]: x})
    if with_labels:
        labels = cnn._check_labels(labels, len(x), params["w3"].shape[1], names[1])
    return x.astype(dtype, copy=False), labels, params


def _relu_pool_forward(a, pool=2):
    """ReLU then pool x pool max pooling: fused for 2 x 2 on even sizes (the lecture's 8 x 8 digits); pool 1: ReLU only."""
    if pool == 1:
        return _relu_forward(a)
    if pool == 2 and a.shape[2] % 2 == 0 and a.shape[3] % 2 == 0:
        return _relu_pool2_forward(a)
    h, relu = _relu_forward(a)
    m, pool_cache = _pool_forward(h, pool, pool)
    return m, (relu, pool_cache)


def _relu_pool_backward(dout, cache):
    if isinstance(cache, FastReluPoolCache):
        return _relu_pool2_backward(dout, cache)
    if not isinstance(cache, tuple):                   # pool 1: the ReLU's own cache
        return _relu_backward(dout, cache)
    relu, pool = cache
    return _relu_backward(_pool_backward(dout, pool), relu)


def _loss(params, x, labels, pool=2):
    """Unchecked mean cross-entropy and gradients of the network on one batch."""
    p = params
    a1, conv1 = _conv_forward(x, p["w1"], p["b1"], 1, 1)          # (N, K1, 8, 8)
    m1, relu_pool1 = _relu_pool_forward(a1, pool)                  # (N, K1, 4, 4)
    a2, conv2 = _conv_forward(m1, p["w2"], p["b2"], 1, 1)          # (N, K2, 4, 4)
    m2, relu_pool2 = _relu_pool_forward(a2, pool)                  # (N, K2, 2, 2)
    scores, dense3 = _dense_forward(m2.reshape(len(x), -1), p["w3"], p["b3"])
    loss, dscores = _softmax_cross_entropy(scores, labels)
    dflat, dw3, db3 = _dense_backward(dscores, dense3)
    dm1, dw2, db2 = _conv_backward(_relu_pool_backward(dflat.reshape(m2.shape), relu_pool2), conv2)
    _, dw1, db1 = _conv_backward(_relu_pool_backward(dm1, relu_pool1), conv1, input_gradient=False)
    return loss, {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2, "w3": dw3, "b3": db3}


def _scores(params, x, pool=2):
    p = params
    m1 = _relu_pool_forward(_conv_forward(x, p["w1"], p["b1"], 1, 1)[0], pool)[0]
    m2 = _relu_pool_forward(_conv_forward(m1, p["w2"], p["b2"], 1, 1)[0], pool)[0]
    return _dense_forward(m2.reshape(len(x), -1), p["w3"], p["b3"])[0]


@checked(pool=integer(1, 4))
def lenet_loss(x, labels, params, pool: int = 2):
    """:func:`lecture_utils.cnn.lenet_loss` (mean cross-entropy, gradients), in the parameters' precision."""
    x, labels, params = _check_data(x, labels, params, pool=pool)
    with single_threaded_blas():
        return _loss(params, x, labels, pool)


def _predict_proba(params, x, batch_size=512, pool=2):
    parts = []
    for i in range(0, len(x), batch_size):
        s = _scores(params, x[i:i + batch_size], pool)
        e = np.exp(s - s.max(axis=1, keepdims=True))
        parts.append(e / e.sum(axis=1, keepdims=True))
    return np.concatenate(parts)


@checked(batch_size=integer(1), pool=integer(1, 4))
def lenet_predict_proba(x, params, batch_size: int = 512, pool: int = 2):
    """:func:`lecture_utils.cnn.lenet_predict_proba`, one BLAS thread, in the parameters' precision."""
    x, _, params = _check_data(x, None, params, with_labels=False, pool=pool)
    with single_threaded_blas():
        return _predict_proba(params, x, batch_size, pool)


@checked(epochs=integer(1, 10**4), batch_size=integer(1), learning_rate=positive(),
         momentum=real(0, 1, max_open=True), decay=real(0, 1, min_open=True), rng=seed(), verbose=flag(),
         pool=integer(1, 4))
def train_lenet(x, labels, params=None, epochs: int = 12, batch_size: int = 32,
                learning_rate: float = 0.05, momentum: float = 0.9, decay: float = 0.85,
                rng=0, x_test=None, y_test=None, verbose: bool = True, pool: int = 2):
    """:func:`lecture_utils.cnn.train_lenet`, checked once and run on the fast kernels.

    Same arguments and results (params, history); ``params`` from
    ``lenet_init(dtype=np.float32)`` trains in float32 (x is converted once).
    """
    params = lenet_init(rng=rng, pool=pool) if params is None else params
    x, labels, params = _check_data(x, labels, params, pool=pool)
    cnn._check_test_pair(x_test, y_test, ("x_test", "y_test"))
    evaluate = None
    if x_test is not None:
        x_test, y_test, _ = _check_data(x_test, y_test, params, names=("x_test", "y_test"), pool=pool)

        def evaluate(p):
            return {"test accuracy": float(np.mean(_predict_proba(p, x_test, pool=pool).argmax(axis=1) == y_test))}

    with single_threaded_blas():
        return train(functools.partial(_loss, pool=pool), params, x, labels, learning_rate=learning_rate,
                     epochs=epochs, batch_size=batch_size, momentum=momentum, decay=decay, rng=rng, full_loss=False,
                     evaluate=evaluate, verbose=verbose, metric_format="{:.1%}")


# --------------------------------------------------------------------------------------
# Notebook 06's settings sweeps: the same runs as lecture_utils.cnn's validation runs
# --------------------------------------------------------------------------------------

_sigmoid = nn.sigmoid.__wrapped__            # nn.sigmoid's equation, for arrays checked once


def _sigmoid_three_passes(a):
    """nn.sigmoid's values (within a few units of round-off) in three passes over a: exp, add 1, reciprocal.

    ``1 / (1 + exp(-a))``: where a < -709 ``exp(-a)`` overflows to inf and ``1 / inf`` is 0, the
    right limit, so the overflow is silenced rather than avoided with nn.sigmoid's two branches.
    """
    with np.errstate(over="ignore"):
        out = np.exp(-a)
    out += 1.0
    return np.reciprocal(out, out=out)


def _patches(X, R, S):
    """Every R x S window of every image as a row: (N P Q, R S), rows image by image, position by position.

    ``Z1[n, k, p, q] = sum_ij X[n, p+i, q+j] f[k, i, j]`` is then one matrix product
    ``patches @ f.reshape(K, R S).T``, and ``dE/df[k] = sum over rows of patches * delta1[:, k]``
    the product ``delta1.T @ patches``: a full-batch run computes the windows once, not at every step.
    """
    N, H, W = X.shape
    windows = np.lib.stride_tricks.sliding_window_view(X, (R, S), axis=(1, 2))   # (N, P, Q, R, S)
    return np.ascontiguousarray(windows.reshape(N * (H - R + 1) * (W - S + 1), R * S))


class _LectureData:
    """A fixed set of images for :func:`lecture_utils.cnn.lecture_forward`'s equations: windows computed once."""

    def __init__(self, X, y, R=3, S=3):
        self.n, self.P, self.Q = len(X), X.shape[1] - R + 1, X.shape[2] - S + 1
        self.patches = _patches(X, R, S)
        self.y = y.reshape(1, -1).astype(np.float64)
        self._last = (None, None)

    def forward(self, f, W, b):
        """H1 (D, N) with the lecture's layout, the logit Z2 and O, both (1, N).

        The training loop records the accuracy of the parameters after an update (``evaluate``)
        and then computes the next gradient at those same arrays: the second call reuses the
        first's result. The loop never changes an array in place (each update makes new ones),
        so the same three array objects mean the same values.
        """
        if self._last[0] is not None and all(a is b_ for a, b_ in zip(self._last[0], (f, W, b))):
            return self._last[1]
        result = self._forward(f, W, b)
        self._last = ((f, W, b), result)
        return result

    def _forward(self, f, W, b):
        K = 1 if f.ndim == 2 else f.shape[0]
        Z1 = self.patches @ f.reshape(K, -1).T                                   # (N P Q, K)
        H1 = _sigmoid_three_passes(Z1).reshape(self.n, self.P * self.Q, K).transpose(2, 1, 0).reshape(-1, self.n)
        Z2 = W.T @ H1 + b.reshape(1, 1)                                         # H1: (K P Q, N), as the slides
        return H1, Z2, _sigmoid_three_passes(Z2)

    def error(self, Z2, O, loss):
        """E (summed over the images) and delta2 = dE/dZ2, as cnn.lecture_loss / cnn.lecture_cross_entropy."""
        residual = O - self.y
        if loss == "squared":
            return float(0.5 * np.sum(residual ** 2)), residual * O * (1 - O)
        return float(np.sum(np.logaddexp(0.0, Z2) - self.y * Z2)), residual

    def objective(self, params, loss):
        """Unchecked :func:`lecture_utils.cnn.lecture_objective` on these images."""
        f, W, b = params["f"], params["W"], params["b"]
        K = 1 if f.ndim == 2 else f.shape[0]
        H1, Z2, O = self.forward(f, W, b)
        E, delta2 = self.error(Z2, O, loss)
        delta1 = (W @ delta2) * H1 * (1 - H1)                                    # (K P Q, N)
        rows = delta1.reshape(K, self.P * self.Q, self.n).transpose(2, 1, 0).reshape(-1, K)   # (N P Q, K)
        return E, {"f": (rows.T @ self.patches).reshape(f.shape), "W": H1 @ delta2.T,
                   "b": np.sum(delta2).reshape(b.shape)}


def _lecture_objective(fit, loss, weight_decay):
    """The full-batch objective on ``fit``'s images (the loop passes X itself: one batch, in order)."""
    objective = lambda p, _x, _y: fit.objective(p, loss)           # noqa: E731
    return with_weight_decay(objective, weight_decay, ("f", "W")) if weight_decay else objective


@checked(X=array("N H H"), y=array("N"), n_filters=integer(1, 64), learning_rate=positive(),
         steps=integer(0, 10**5), rng=seed(), loss=choice(*cnn.LOSSES), weight_decay=real(0), params=anything())
def train_lecture_model(X, y, n_filters: int = 1, learning_rate: float = 0.001, steps: int = 300, rng=0,
                        loss: str = "squared", weight_decay: float = 0.0, params=None):
    """:func:`lecture_utils.cnn.train_lecture_model` without test images: (params, history), the same results."""
    cnn._check_targets(np.zeros((1, len(X))), y)
    f, W, b = cnn._start(X, n_filters, rng, params)
    fit = _LectureData(X, y)

    def evaluate(p):
        _, _, O = fit.forward(p["f"], p["W"], p["b"])
        return {"training accuracy": float(np.mean((O > 0.5) == (fit.y > 0.5)))}

    with single_threaded_blas():
        return train(_lecture_objective(fit, loss, weight_decay), {"f": f, "W": W, "b": b}, X, y,
                     learning_rate=learning_rate, epochs=steps, shuffle=False, evaluate=evaluate)


@checked(X=array("N H H"), y=array("N"), X_val=array("M H H"), y_val=array("M"), n_filters=integer(1, 64),
         learning_rate=positive(), steps=integer(0, 10**4), rng=seed(), loss=choice(*cnn.LOSSES),
         weight_decay=real(0))
def lecture_validation_run(X, y, X_val, y_val, n_filters: int = 1, learning_rate: float = 0.001,
                           steps: int = 300, rng=0, loss: str = "squared",
                           weight_decay: float = 0.0) -> cnn.ValidationRun:
    """:func:`lecture_utils.cnn.lecture_validation_run`, each image's 3x3 windows gathered once (same arguments and results)."""
    cnn._check_targets(np.zeros((1, len(X))), y)
    cnn._check_targets(np.zeros((1, len(X_val))), y_val, "y_val")
    f, W, b = cnn.lecture_init(n_filters, X.shape[1], 3, rng)
    fit, val = _LectureData(X, y), _LectureData(X_val, y_val)
    kept = []

    def evaluate(p):
        kept.append(p)
        _, Z2, O = val.forward(p["f"], p["W"], p["b"])
        return {"validation accuracy": float(np.mean((O > 0.5) == (val.y > 0.5))),
                "validation loss": val.error(Z2, O, loss)[0]}

    with single_threaded_blas():
        _, history = train(_lecture_objective(fit, loss, weight_decay), {"f": f, "W": W, "b": b}, X, y,
                           learning_rate=learning_rate, epochs=steps, shuffle=False, evaluate=evaluate)
    return cnn.ValidationRun(kept, history)


@checked(epochs=integer(1, 10**4), batch_size=integer(1), learning_rate=positive(),
         momentum=real(0, 1, max_open=True), decay=real(0, 1, min_open=True), rng=seed(), pool=integer(1, 4))
def lenet_validation_run(x, labels, x_val, y_val, params=None, epochs: int = 12, batch_size: int = 32,
                         learning_rate: float = 0.05, momentum: float = 0.9, decay: float = 0.85,
                         rng=0, pool: int = 2) -> cnn.ValidationRun:
    """:func:`lecture_utils.cnn.lenet_validation_run` on the fast kernels (same arguments and results)."""
    params = lenet_init(rng=rng, pool=pool) if params is None else params
    x, labels, params = _check_data(x, labels, params, pool=pool)
    x_val, y_val, _ = _check_data(x_val, y_val, params, names=("x_val", "y_val"), pool=pool)
    kept = []

    def evaluate(p):
        kept.append(p)
        return {"validation accuracy": float(np.mean(_predict_proba(p, x_val, pool=pool).argmax(axis=1) == y_val))}

    with single_threaded_blas():
        _, history = train(functools.partial(_loss, pool=pool), params, x, labels, learning_rate=learning_rate,
                           epochs=epochs, batch_size=batch_size, momentum=momentum, decay=decay, rng=rng,
                           full_loss=False, evaluate=evaluate, verbose=False, metric_format="{:.1%}")
    return cnn.ValidationRun(kept, history)
