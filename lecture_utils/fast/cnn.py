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

import numpy as np
from threadpoolctl import threadpool_limits

from .. import cnn, nn
from .._validate import array, check, checked, choice, flag, integer, positive, real, seed
from ..optim import train
from .conv import (FastReluPoolCache, _conv_backward, _conv_forward, _dense_backward, _dense_forward,
                   _pool_backward, _pool_forward, _relu_backward, _relu_forward, _relu_pool2_backward,
                   _relu_pool2_forward, _softmax_cross_entropy, float_array)


def single_threaded_blas():
    """Context in which numpy's BLAS uses one thread."""
    return threadpool_limits(limits=1, user_api="blas")


@checked(dtype=choice(np.float64, np.float32))
def lenet_init(n_filters=(16, 32), n_classes: int = 10, image_size: int = 8, rng=0, dtype=np.float64):
    """:func:`lecture_utils.cnn.lenet_init`, rounded to ``dtype`` (the same seed draws the same numbers)."""
    return {name: value.astype(dtype) for name, value in
            cnn.lenet_init(n_filters, n_classes, image_size, rng).items()}


def _dtype_of(params):
    return np.float32 if all(v.dtype == np.float32 for v in params.values()) else np.float64


def _check_data(x, labels, params, names=("x", "labels"), with_labels=True):
    """Parameters, images in their precision, and labels: checked once for a whole run."""
    params = cnn._check_params(params)
    dtype = _dtype_of(params)
    params = {name: np.asarray(value, dtype=dtype) for name, value in params.items()}
    shape = " ".join(map(str, cnn.lenet_input_shape(params)))
    x, = check({names[0]: float_array(f"N {shape}")}, {names[0]: x})
    if with_labels:
        labels = cnn._check_labels(labels, len(x), params["w3"].shape[1], names[1])
    return x.astype(dtype, copy=False), labels, params


def _relu_pool_forward(a):
    """ReLU then 2 x 2 max pooling: fused when the maps have even sizes (the lecture's 8 x 8 digits)."""
    if a.shape[2] % 2 == 0 and a.shape[3] % 2 == 0:
        return _relu_pool2_forward(a)
    h, relu = _relu_forward(a)
    m, pool = _pool_forward(h)
    return m, (relu, pool)


def _relu_pool_backward(dout, cache):
    if isinstance(cache, FastReluPoolCache):
        return _relu_pool2_backward(dout, cache)
    relu, pool = cache
    return _relu_backward(_pool_backward(dout, pool), relu)


def _loss(params, x, labels):
    """Unchecked mean cross-entropy and gradients of the network on one batch."""
    p = params
    a1, conv1 = _conv_forward(x, p["w1"], p["b1"], 1, 1)          # (N, K1, 8, 8)
    m1, relu_pool1 = _relu_pool_forward(a1)                        # (N, K1, 4, 4)
    a2, conv2 = _conv_forward(m1, p["w2"], p["b2"], 1, 1)          # (N, K2, 4, 4)
    m2, relu_pool2 = _relu_pool_forward(a2)                        # (N, K2, 2, 2)
    scores, dense3 = _dense_forward(m2.reshape(len(x), -1), p["w3"], p["b3"])
    loss, dscores = _softmax_cross_entropy(scores, labels)
    dflat, dw3, db3 = _dense_backward(dscores, dense3)
    dm1, dw2, db2 = _conv_backward(_relu_pool_backward(dflat.reshape(m2.shape), relu_pool2), conv2)
    _, dw1, db1 = _conv_backward(_relu_pool_backward(dm1, relu_pool1), conv1, input_gradient=False)
    return loss, {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2, "w3": dw3, "b3": db3}


def _scores(params, x):
    p = params
    m1 = _relu_pool_forward(_conv_forward(x, p["w1"], p["b1"], 1, 1)[0])[0]
    m2 = _relu_pool_forward(_conv_forward(m1, p["w2"], p["b2"], 1, 1)[0])[0]
    return _dense_forward(m2.reshape(len(x), -1), p["w3"], p["b3"])[0]


def lenet_loss(x, labels, params):
    """:func:`lecture_utils.cnn.lenet_loss` (mean cross-entropy, gradients), in the parameters' precision."""
    x, labels, params = _check_data(x, labels, params)
    with single_threaded_blas():
        return _loss(params, x, labels)


def _predict_proba(params, x, batch_size=512):
    parts = []
    for i in range(0, len(x), batch_size):
        s = _scores(params, x[i:i + batch_size])
        e = np.exp(s - s.max(axis=1, keepdims=True))
        parts.append(e / e.sum(axis=1, keepdims=True))
    return np.concatenate(parts)


@checked(batch_size=integer(1))
def lenet_predict_proba(x, params, batch_size: int = 512):
    """:func:`lecture_utils.cnn.lenet_predict_proba`, one BLAS thread, in the parameters' precision."""
    x, _, params = _check_data(x, None, params, with_labels=False)
    with single_threaded_blas():
        return _predict_proba(params, x, batch_size)


@checked(epochs=integer(1, 10**4), batch_size=integer(1), learning_rate=positive(),
         momentum=real(0, 1, max_open=True), decay=real(0, 1, min_open=True), rng=seed(), verbose=flag())
def train_lenet(x, labels, params=None, epochs: int = 12, batch_size: int = 32,
                learning_rate: float = 0.05, momentum: float = 0.9, decay: float = 0.85,
                rng=0, x_test=None, y_test=None, verbose: bool = True):
    """:func:`lecture_utils.cnn.train_lenet`, checked once and run on the fast kernels.

    Same arguments and results (params, history); ``params`` from
    ``lenet_init(dtype=np.float32)`` trains in float32 (x is converted once).
    """
    params = lenet_init(rng=rng) if params is None else params
    x, labels, params = _check_data(x, labels, params)
    cnn._check_test_pair(x_test, y_test, ("x_test", "y_test"))
    evaluate = None
    if x_test is not None:
        x_test, y_test, _ = _check_data(x_test, y_test, params, names=("x_test", "y_test"))

        def evaluate(p):
            return {"test accuracy": float(np.mean(_predict_proba(p, x_test).argmax(axis=1) == y_test))}

    with single_threaded_blas():
        return train(_loss, params, x, labels, learning_rate=learning_rate, epochs=epochs,
                     batch_size=batch_size, momentum=momentum, decay=decay, rng=rng, full_loss=False,
                     evaluate=evaluate, verbose=verbose, metric_format="{:.1%}")


# --------------------------------------------------------------------------------------
# Notebook 06's settings sweeps: the same runs as lecture_utils.cnn's validation runs
# --------------------------------------------------------------------------------------

_sigmoid = nn.sigmoid.__wrapped__            # nn.sigmoid's equation, for arrays checked once


def _lecture_forward(X, f, W, b):
    """Unchecked :func:`lecture_utils.cnn.lecture_forward`: O (1, N), and what the backward pass needs."""
    filters = f.reshape(-1, 1, *f.shape[-2:])                          # (K, 1, R, S)
    Z1, conv = _conv_forward(X[:, None], filters, None, 1, 0)          # (N, K, H', W')
    H1 = _sigmoid(Z1).reshape(len(X), -1).T                            # (D, N)
    O = _sigmoid(W.T @ H1 + b.reshape(1, 1))                           # (1, N)
    return O, (conv, Z1.shape, H1)


def _lecture_objective(params, X, y):
    """Unchecked :func:`lecture_utils.cnn.lecture_objective`: E and its gradients."""
    f, W, b = params["f"], params["W"], params["b"]
    O, (conv, maps_shape, H1) = _lecture_forward(X, f, W, b)
    residual = O - y.reshape(1, -1)
    delta2 = residual * O * (1 - O)
    delta1 = (W @ delta2) * H1 * (1 - H1)
    _, df, _ = _conv_backward(delta1.T.reshape(maps_shape), conv, input_gradient=False)
    return float(0.5 * np.sum(residual ** 2)), {"f": df.reshape(f.shape), "W": H1 @ delta2.T,
                                                  "b": np.sum(delta2).reshape(b.shape)}


@checked(X=array("N H H"), y=array("N"), X_val=array("M H H"), y_val=array("M"), n_filters=integer(1, 64),
         learning_rate=positive(), steps=integer(0, 10**4), rng=seed())
def lecture_validation_run(X, y, X_val, y_val, n_filters: int = 1, learning_rate: float = 0.001,
                           steps: int = 300, rng=0) -> cnn.ValidationRun:
    """:func:`lecture_utils.cnn.lecture_validation_run` on the fast convolution (same arguments and results)."""
    cnn._check_targets(np.zeros((1, len(X))), y)
    cnn._check_targets(np.zeros((1, len(X_val))), y_val, "y_val")
    f, W, b = cnn.lecture_init(n_filters, X.shape[1], 3, rng)
    kept = []

    def evaluate(p):
        kept.append(p)
        O = _lecture_forward(X_val, p["f"], p["W"], p["b"])[0]
        return {"validation accuracy": float(np.mean((O > 0.5) == (y_val.reshape(1, -1) > 0.5)))}

    with single_threaded_blas():
        _, history = train(_lecture_objective, {"f": f, "W": W, "b": b}, X, y,
                           learning_rate=learning_rate, epochs=steps, shuffle=False, evaluate=evaluate)
    return cnn.ValidationRun(kept, history)


@checked(epochs=integer(1, 10**4), batch_size=integer(1), learning_rate=positive(),
         momentum=real(0, 1, max_open=True), decay=real(0, 1, min_open=True), rng=seed())
def lenet_validation_run(x, labels, x_val, y_val, params=None, epochs: int = 12, batch_size: int = 32,
                         learning_rate: float = 0.05, momentum: float = 0.9, decay: float = 0.85,
                         rng=0) -> cnn.ValidationRun:
    """:func:`lecture_utils.cnn.lenet_validation_run` on the fast kernels (same arguments and results)."""
    params = lenet_init(rng=rng) if params is None else params
    x, labels, params = _check_data(x, labels, params)
    x_val, y_val, _ = _check_data(x_val, y_val, params, names=("x_val", "y_val"))
    kept = []

    def evaluate(p):
        kept.append(p)
        return {"validation accuracy": float(np.mean(_predict_proba(p, x_val).argmax(axis=1) == y_val))}

    with single_threaded_blas():
        _, history = train(_loss, params, x, labels, learning_rate=learning_rate, epochs=epochs,
                           batch_size=batch_size, momentum=momentum, decay=decay, rng=rng, full_loss=False,
                           evaluate=evaluate, verbose=False, metric_format="{:.1%}")
    return cnn.ValidationRun(kept, history)
