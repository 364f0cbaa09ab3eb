"""A small CNN trained with hand-written backpropagation (seed 003, and LeNet from seed 001).

The lecture's model, in the slides' matrix form (N = 100 images of 22x22, one 3x3 filter)::

    Z1 = conv(X, f)          X (N, 22, 22), f (3, 3)        -> Z1 (N, 20, 20)
    H1 = sigmoid(Z1)         flattened, one column per image -> H1 (400, N)
    Z2 = W^T H1 + b          W^T (1, 400), b scalar          -> Z2 (1, N)
    O  = sigmoid(Z2)                                         -> O  (1, N)
    E  = sum_n (y_n - O_n)^2 / 2      summed over the N images (no 1/N), as the
                                      slides' matrix products sum over examples

and its gradients, each a matrix product whose shapes the slides track::

    delta2 = dE/dZ2 = (O - y) * O (1 - O)              (1, N)      element-wise
    dE/dW  = H1 delta2^T                               (400, N)(N, 1) = (400, 1)
    dE/db  = sum_n delta2_n                            scalar
    delta1 = dE/dZ1 = (W delta2) * H1 (1 - H1)         (400, 1)(1, N) = (400, N)
    dE/df  = conv(X, reshape(delta1))                  (N, 22, 22) with (N, 20, 20) -> (3, 3)

"conv" is the valid cross-correlation of seed 004, ``Z(p, q) = sum_i sum_j X(p+i, q+j) f(i, j)``,
so ``dE/df(i, j) = sum_n sum_p sum_q X_n(p+i, q+j) delta1_n(p, q)``.
With K filters, f is (K, 3, 3), H1 is (K*400, N) and W is (K*400, 1).

The second half builds a LeNet-style network (seed 001's LeNet, scaled to 8x8 digits)
from the shared layers of :mod:`lecture_utils.conv` and :mod:`lecture_utils.nn`::

    x (N, 1, 8, 8) -> conv 3x3 (pad 1) -> ReLU -> max-pool 2 -> (N, K1, 4, 4)
                   -> conv 3x3 (pad 1) -> ReLU -> max-pool 2 -> (N, K2, 2, 2) -> flatten
                   -> dense -> scores (N, 10) -> softmax cross-entropy

trained by mini-batch SGD with momentum, ``v <- mu v - eta g``, ``theta <- theta + v``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy.special import expit as _sigmoid  # stable: no overflow warning at |a| = 1000

from ._validate import (as_float_array, check_positive_float, check_positive_int,
                        default_rng)
from .conv import conv2d_backward, conv2d_forward, max_pool_backward, max_pool_forward
from .nn import (dense_backward, dense_forward, relu_backward, relu_forward, sigmoid_backward,
                 sigmoid_forward, softmax, softmax_cross_entropy)

def _single_threaded_blas():
    """Context in which numpy's BLAS uses one thread.

    The matrices of these small networks are tiny (a 32-image batch of 8x8 digits);
    waking BLAS threads costs more than they save, and on a busy 2-core machine it
    made training ten times slower. threadpoolctl comes with scikit-learn; without
    it nothing changes.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn depends on it
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


# ---------------------------------------------------------------------------------------
# The lecture's convolution: valid cross-correlation of a stack of images with filters
# ---------------------------------------------------------------------------------------


def _check_images_and_filters(x, f):
    x = as_float_array(x, "X", ndim=3)
    f = as_float_array(f, "f", ndim=(2, 3))
    r, s = f.shape[-2:]
    if x.shape[1] < r or x.shape[2] < s:
        raise ValueError(f"X's images ({x.shape[1]}x{x.shape[2]}, X shape {x.shape}) are smaller "
                         f"than the filter ({r}x{s}, f shape {f.shape})")
    return x, f


def conv_valid(x, f):
    """The slides' ``Z1 = conv(X, f)``: valid cross-correlation of each image with each filter.

    ``Z[n, k, p, q] = sum_i sum_j X[n, p+i, q+j] f[k, i, j]`` (seed 004's ``Y(p, q)``),
    with output size ``(H - R + 1, W - S + 1)``.

    Parameters
    ----------
    x : (N, H, W) array
        N grey images.
    f : (R, S) array, or (K, R, S) array for K filters

    Returns
    -------
    z : (N, H-R+1, W-S+1) array for one filter, (N, K, H-R+1, W-S+1) for K filters
    """
    x, f = _check_images_and_filters(x, f)
    filters = f.reshape(-1, *f.shape[-2:])                       # (K, R, S)
    n_filters, r, s = filters.shape
    out_h, out_w = x.shape[1] - r + 1, x.shape[2] - s + 1
    z = np.zeros((x.shape[0], n_filters, out_h, out_w))
    # One term of the double sum per filter tap (i, j): the image shifted by (i, j),
    # weighted by f[k, i, j]. R*S whole-array operations instead of N*K*H'*W' loops.
    for i in range(r):
        for j in range(s):
            shifted = x[:, None, i:i + out_h, j:j + out_w]        # (N, 1, H', W')
            z += shifted * filters[:, i, j].reshape(1, -1, 1, 1)
    return z[:, 0] if f.ndim == 2 else z


def conv_valid_naive(x, f):
    """:func:`conv_valid` with the loops of ``Z(p, q) = sum_i sum_j X(p+i, q+j) f(i, j)``.

    Same arguments and result; kept to read next to the lecture's index equation.
    """
    x, f = _check_images_and_filters(x, f)
    filters = f.reshape(-1, *f.shape[-2:])
    n_images, height, width = x.shape
    n_filters, r, s = filters.shape
    z = np.zeros((n_images, n_filters, height - r + 1, width - s + 1))
    for n in range(n_images):
        for k in range(n_filters):
            for p in range(height - r + 1):
                for q in range(width - s + 1):
                    for i in range(r):
                        for j in range(s):
                            z[n, k, p, q] += x[n, p + i, q + j] * filters[k, i, j]
    return z[:, 0] if f.ndim == 2 else z


def filter_gradient(x, delta):
    """The slides' ``dE/df = conv(X, delta1)``, summed over the images.

    ``dE/df[k, i, j] = sum_n sum_p sum_q X[n, p+i, q+j] delta[n, k, p, q]``: a valid
    cross-correlation of each input image with its output gradient (seed 004's
    ``dJ/dW^k = X * dJ/dY^k``), e.g. (N, 22, 22) with (N, 20, 20) gives (3, 3).

    Parameters
    ----------
    x : (N, H, W) array
        The images the filter saw.
    delta : (N, H', W') array, or (N, K, H', W') for K filters
        ``dE/dZ1``, the gradient with respect to the filter's output maps.

    Returns
    -------
    df : (H-H'+1, W-W'+1) array, or (K, H-H'+1, W-W'+1) for K filters
    """
    x = as_float_array(x, "X", ndim=3)
    delta = as_float_array(delta, "delta", ndim=(3, 4))
    maps = delta if delta.ndim == 4 else delta[:, None]          # (N, K, H', W')
    if maps.shape[0] != x.shape[0] or maps.shape[2] > x.shape[1] or maps.shape[3] > x.shape[2]:
        raise ValueError(f"delta must hold one map per image of X, no larger than the images: "
                         f"X has shape {x.shape}, delta has shape {delta.shape}")
    r, s = x.shape[1] - maps.shape[2] + 1, x.shape[2] - maps.shape[3] + 1
    out_h, out_w = maps.shape[2:]
    df = np.empty((maps.shape[1], r, s))
    for i in range(r):
        for j in range(s):
            # dE/df[k, i, j] = sum over n, p, q of X[n, p+i, q+j] delta[n, k, p, q]
            shifted = x[:, None, i:i + out_h, j:j + out_w]        # (N, 1, H', W')
            df[:, i, j] = np.sum(shifted * maps, axis=(0, 2, 3))
    return df if delta.ndim == 4 else df[0]


# ---------------------------------------------------------------------------------------
# The lecture's model: conv -> sigmoid -> flatten -> dense -> sigmoid, squared error
# ---------------------------------------------------------------------------------------


class LectureCache(NamedTuple):
    """Everything the backward pass reads, named as on the slides."""

    X: np.ndarray   # (N, H, W)
    f: np.ndarray   # (R, S) or (K, R, S)
    W: np.ndarray   # (D, 1), D = K * H' * W'
    b: np.ndarray   # b's own shape (size 1)
    Z1: np.ndarray  # (N, H', W') or (N, K, H', W')
    H1: np.ndarray  # (D, N): one column per image
    O: np.ndarray   # (1, N)


def _check_bias_scalar(b) -> np.ndarray:
    b = as_float_array(b, "b")
    if b.size != 1:
        raise ValueError(f"b must be a single number (the slides' scalar bias), got shape {b.shape}")
    return b


def lecture_forward(X, f, W, b):
    """The slides' forward pass ``O = sigmoid(W^T sigmoid(conv(X, f)) + b)``.

    Parameters
    ----------
    X : (N, H, W) array
        Images (the lecture: N = 100, 22x22).
    f : (R, S) array, or (K, R, S) for K filters
        The lecture: one 3x3 filter, or 3 of them.
    W : (D, 1) array
        Dense weights, ``D = K (H-R+1)(W-S+1)`` (400 for one 3x3 filter on 22x22).
    b : float or size-1 array
        Dense bias.

    Returns
    -------
    O : (1, N) array
        Output probabilities ``sigmoid(Z2)``.
    cache : LectureCache
    """
    X, f = _check_images_and_filters(X, f)
    W = as_float_array(W, "W", ndim=2)
    b = _check_bias_scalar(b)
    n_filters = 1 if f.ndim == 2 else f.shape[0]
    map_shape = (X.shape[1] - f.shape[-2] + 1, X.shape[2] - f.shape[-1] + 1)
    n_features = n_filters * map_shape[0] * map_shape[1]
    if W.shape != (n_features, 1):
        raise ValueError(
            f"W must have shape ({n_features}, 1) = (K*{map_shape[0]}*{map_shape[1]}, 1) for "
            f"{X.shape[1]}x{X.shape[2]} images and {n_filters} filter(s) of {f.shape[-2]}x{f.shape[-1]}, "
            f"got {W.shape}; images of the wrong size for this model give the wrong number of features")
    Z1 = conv_valid(X, f)                         # (N, 20, 20) or (N, K, 20, 20)
    H1 = _sigmoid(Z1).reshape(len(X), -1).T       # (D, N): image n is column n
    Z2 = W.T @ H1 + b.reshape(1, 1)               # (1, D)(D, N) = (1, N)
    O = _sigmoid(Z2)                              # (1, N)
    return O, LectureCache(X, f, W, b, Z1, H1, O)


def lecture_loss(O, y):
    """The slides' error ``E = sum_n (y_n - O_n)^2 / 2`` and ``dE/dO = O - y``.

    Summed over the N images, not averaged: the slides' ``dE/dW = H1 delta2^T``
    adds up every image's contribution.

    Parameters
    ----------
    O : (1, N) array
        Outputs of :func:`lecture_forward`.
    y : (N,) or (1, N) array
        Targets in [0, 1] (the labels 0 and 1).

    Returns
    -------
    E : float
    dE_dO : (1, N) array
    """
    O = as_float_array(O, "O", ndim=2)
    if O.shape[0] != 1:
        raise ValueError(f"O must have shape (1, N), got {O.shape}")
    y = as_float_array(y, "y", ndim=(1, 2))
    if y.size != O.shape[1] or (y.ndim == 2 and y.shape[0] != 1):
        raise ValueError(f"y must have shape ({O.shape[1]},) or (1, {O.shape[1]}) to match O {O.shape}, "
                         f"got {y.shape}")
    if np.any((y < 0) | (y > 1)):
        raise ValueError(f"y must hold targets in [0, 1] (labels 0 and 1), got values like {y[(y < 0) | (y > 1)][:3]}")
    residual = O - y.reshape(1, -1)
    return float(0.5 * np.sum(residual ** 2)), residual


def lecture_backward(dE_dO, cache: LectureCache):
    """The slides' backward pass in matrix form: ``dE/df``, ``dE/dW``, ``dE/db``.

    Parameters
    ----------
    dE_dO : (1, N) array
        Upstream gradient; ``O - y`` for the slides' squared error.
    cache : LectureCache
        From :func:`lecture_forward`.

    Returns
    -------
    df : array of f's shape, (3, 3) in the lecture
    dW : (D, 1) array
    db : array of b's shape
    """
    X, f, W, b, Z1, H1, O = cache
    dE_dO = as_float_array(dE_dO, "dE_dO", ndim=2)
    if dE_dO.shape != O.shape:
        raise ValueError(f"dE_dO must have O's shape {O.shape}, got {dE_dO.shape}")
    delta2 = dE_dO * O * (1 - O)                 # dE/dZ2: (1, N) * (1, N) element-wise
    dW = H1 @ delta2.T                           # (D, N) x (N, 1) = (D, 1)
    db = np.sum(delta2).reshape(b.shape)         # dZ2/db = 1 for every image: (1, N) x (N, 1)
    dH1 = W @ delta2                             # [dZ2/dH1]^T x delta2 = (D, 1) x (1, N) = (D, N)
    delta1 = dH1 * H1 * (1 - H1)                 # dE/dZ1 flattened: (D, N) * (D, N) element-wise
    delta1_maps = delta1.T.reshape(Z1.shape)     # reshape: (D, N) -> (N, 20, 20) [or (N, K, 20, 20)]
    df = filter_gradient(X, delta1_maps)         # conv((N, 22, 22), (N, 20, 20)) = (3, 3)
    return df, dW, db


def lecture_gradients(X, y, f, W, b):
    """Error and gradients of the lecture's model in one call.

    Returns
    -------
    E : float
        ``sum_n (y_n - O_n)^2 / 2``.
    df, dW, db : arrays of f's, W's and b's shapes
    """
    O, cache = lecture_forward(X, f, W, b)
    E, dE_dO = lecture_loss(O, y)
    return (E, *lecture_backward(dE_dO, cache))


def lecture_init(n_filters: int = 1, image_size: int = 22, filter_size: int = 3, rng=0):
    """Seeded initial parameters of the lecture's model.

    The filter(s) are drawn from ``N(0, 1 / (R S))`` and W from ``N(0, 1 / D)``, so
    Z1 and Z2 start with unit-order spread; the bias starts at 0.

    Returns
    -------
    f : (R, R) array for one filter, (K, R, R) for ``n_filters = K > 1``
    W : (D, 1) array, ``D = K (image_size - filter_size + 1)^2``
    b : (1, 1) array
    """
    n_filters = check_positive_int(n_filters, "n_filters")
    filter_size = check_positive_int(filter_size, "filter_size")
    image_size = check_positive_int(image_size, "image_size", minimum=filter_size)
    rng = default_rng(rng)
    f = rng.standard_normal((n_filters, filter_size, filter_size)) / filter_size
    n_features = n_filters * (image_size - filter_size + 1) ** 2
    W = rng.standard_normal((n_features, 1)) / np.sqrt(n_features)
    return (f[0] if n_filters == 1 else f), W, np.zeros((1, 1))


@dataclass
class LectureRun:
    """Result of :func:`train_lecture_model`: parameters and per-step history."""

    f: np.ndarray
    W: np.ndarray
    b: np.ndarray
    losses: list = field(default_factory=list)          # E before each step, then the final E
    train_accuracy: list = field(default_factory=list)  # fraction correct, same steps
    test_accuracy: list = field(default_factory=list)   # empty without test data


def lecture_accuracy(X, y, f, W, b) -> float:
    """Fraction of images classified correctly, ``mean((O > 0.5) == y)``.

    Parameters
    ----------
    X : (N, H, W) array
    y : (N,) or (1, N) array of 0/1 labels
    f, W, b : the model's parameters (see :func:`lecture_forward`)

    Returns
    -------
    float in [0, 1]
    """
    O, _ = lecture_forward(X, f, W, b)
    y = as_float_array(y, "y", ndim=(1, 2)).reshape(1, -1)
    if y.shape != O.shape:
        raise ValueError(f"y must have one label per image: {O.shape[1]}, got {y.size}")
    return float(np.mean((O > 0.5) == (y > 0.5)))


def _check_test_pair(x_test, y_test) -> None:
    if (x_test is None) != (y_test is None):
        raise ValueError("give both the test images and their labels, or neither; got only the "
                         + ("images" if y_test is None else "labels"))


def train_lecture_model(X, y, n_filters: int = 1, learning_rate: float = 0.001, steps: int = 300,
                        rng=0, X_test=None, y_test=None) -> LectureRun:
    """Full-batch gradient descent on the lecture's model: ``theta <- theta - eta dE/dtheta``.

    Parameters
    ----------
    X : (N, H, W) array
    y : (N,) array of 0/1 labels
    n_filters : int
        1 for the lecture's model, 3 for its multi-filter variant.
    learning_rate : float
        eta; E sums over the N images, so eta is per image-sum (0.001 suits N = 100
        standardised images; the loss rises and oscillates from about 0.003).
    steps : int
        Number of updates of f, W and b.
    rng : Generator or int
        Seed of :func:`lecture_init`.
    X_test, y_test : arrays, optional
        Held-out images whose accuracy is recorded at every step.

    Returns
    -------
    LectureRun
    """
    X = as_float_array(X, "X", ndim=3)
    learning_rate = check_positive_float(learning_rate, "learning_rate")
    steps = check_positive_int(steps, "steps", minimum=0)
    _check_test_pair(X_test, y_test)
    if X.shape[1] != X.shape[2]:
        raise ValueError(f"X must hold square images, got shape {X.shape}")
    f, W, b = lecture_init(n_filters, X.shape[1], 3, rng)
    run = LectureRun(f, W, b)
    with _single_threaded_blas():
        for step in range(steps + 1):
            O, cache = lecture_forward(X, f, W, b)
            E, dE_dO = lecture_loss(O, y)
            run.losses.append(E)
            run.train_accuracy.append(float(np.mean((O[0] > 0.5) == (np.ravel(y) > 0.5))))
            if X_test is not None:
                run.test_accuracy.append(lecture_accuracy(X_test, y_test, f, W, b))
            if step == steps:
                break
            df, dW, db = lecture_backward(dE_dO, cache)
            f, W, b = f - learning_rate * df, W - learning_rate * dW, b - learning_rate * db
    run.f, run.W, run.b = f, W, b
    return run


def lecture_gradients_layerwise(X, y, f, W, b):
    """The lecture model's error and gradients through the generic shared layers.

    ``conv2d -> sigmoid -> flatten -> dense -> sigmoid``, each with its own
    ``(out, cache)`` forward and ``backward(dout, cache)``, chained by the rule
    ``dC/dx_{i-1} = dC/dx_i dF_i/dx_{i-1}`` (seed 001). The examples are rows here
    (``h1`` is (N, D), the transpose of the slides' H1), so this is an independent
    check of :func:`lecture_backward`'s matrix form.

    Parameters and returns as :func:`lecture_gradients`.
    """
    X, f = _check_images_and_filters(X, f)
    W = as_float_array(W, "W", ndim=2)
    b = _check_bias_scalar(b)
    n = len(X)
    filters = f.reshape(-1, 1, *f.shape[-2:])                    # (K, C=1, R, S)
    z1, conv_cache = conv2d_forward(X[:, None], filters)         # (N, K, 20, 20)
    h1, sig1_cache = sigmoid_forward(z1)
    z2, dense_cache = dense_forward(h1.reshape(n, -1), W, b.reshape(1))  # (N, D)(D, 1) = (N, 1)
    o, sig2_cache = sigmoid_forward(z2)                          # (N, 1)
    E, dE_dO = lecture_loss(o.T, y)
    dz2 = sigmoid_backward(dE_dO.T, sig2_cache)                  # (N, 1)
    dh1, dW, db = dense_backward(dz2, dense_cache)               # (N, D), (D, 1), (1,)
    dz1 = sigmoid_backward(dh1.reshape(z1.shape), sig1_cache)    # (N, K, 20, 20)
    _, dfilters, _ = conv2d_backward(dz1, conv_cache, input_gradient=False)  # (K, 1, 3, 3)
    return E, dfilters.reshape(f.shape), dW, db.reshape(b.shape)


# ---------------------------------------------------------------------------------------
# A LeNet-style network from the shared layers
# ---------------------------------------------------------------------------------------

PARAM_NAMES = ("w1", "b1", "w2", "b2", "w3", "b3")


def lenet_init(n_filters=(16, 32), n_classes: int = 10, image_size: int = 8, rng=0,
               dtype=np.float64) -> dict:
    """Seeded He initialisation of the LeNet-style network.

    Weights are ``N(0, 2 / fan_in)`` (fan_in = inputs per unit: C*3*3 for a conv
    filter), which keeps ReLU activations at unit-order size layer after layer;
    biases start at 0.

    Parameters
    ----------
    n_filters : (K1, K2) ints
        Filters of the two 3x3 convolution layers.
    n_classes : int
    image_size : int
        Side of the square one-channel input, divisible by 4 (two 2x2 poolings).
    dtype : np.float64 (default) or np.float32
        Precision of the parameters, and so of :func:`lenet_forward`,
        :func:`lenet_backward` and :func:`train_lenet`. float32 is an opt-in for speed
        (``benchmarks/bench_cnn.py`` compares it with PyTorch's float32); the same
        seed draws the same numbers, rounded to float32.

    Returns
    -------
    params : dict
        ``w1`` (K1, 1, 3, 3), ``b1`` (K1,), ``w2`` (K2, K1, 3, 3), ``b2`` (K2,),
        ``w3`` (K2 (size/4)^2, n_classes), ``b3`` (n_classes,), all of ``dtype``.
    """
    if len(n_filters) != 2:
        raise ValueError(f"n_filters must be two numbers (K1, K2), got {n_filters!r}")
    k1 = check_positive_int(n_filters[0], "n_filters[0]")
    k2 = check_positive_int(n_filters[1], "n_filters[1]")
    n_classes = check_positive_int(n_classes, "n_classes", minimum=2)
    image_size = check_positive_int(image_size, "image_size", minimum=4)
    if image_size % 4:
        raise ValueError(f"image_size must be divisible by 4 (two 2x2 poolings), got {image_size}")
    if np.dtype(dtype) not in (np.float64, np.float32):
        raise ValueError(f"dtype must be np.float64 or np.float32, got {dtype!r}")
    rng = default_rng(rng)
    n_flat = k2 * (image_size // 4) ** 2

    def he(shape, fan_in):   # drawn in float64, then rounded (a no-op for float64)
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype, copy=False)

    return {"w1": he((k1, 1, 3, 3), 9), "b1": np.zeros(k1, dtype),
            "w2": he((k2, k1, 3, 3), 9 * k1), "b2": np.zeros(k2, dtype),
            "w3": he((n_flat, n_classes), n_flat), "b3": np.zeros(n_classes, dtype)}


def _check_params(params) -> dict:
    if not isinstance(params, dict) or set(params) != set(PARAM_NAMES):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with keys {list(PARAM_NAMES)} (from lenet_init), got {got}")
    return params


def lenet_input_shape(params) -> tuple:
    """The image shape ``(1, H, W)`` the parameters expect: ``K2 (H/4)(W/4)`` features reach w3."""
    params = _check_params(params)
    k2 = params["w2"].shape[0]
    side = 4 * int(round(np.sqrt(params["w3"].shape[0] / k2)))
    return (params["w1"].shape[1], side, side)


def _params_dtype(params) -> type:
    """np.float32 when every parameter is a float32 array (``lenet_init(dtype=np.float32)``), else np.float64."""
    if all(getattr(value, "dtype", None) == np.float32 for value in params.values()):
        return np.float32
    return np.float64


def _check_images(x, params) -> np.ndarray:
    # the images take the parameters' precision (a no-op for float64 arrays and float64 parameters)
    x = as_float_array(x, "x", ndim=4, allow_nan=True, keep_float32=True).astype(
        _params_dtype(params), copy=False)
    expected = lenet_input_shape(params)
    if x.shape[1:] != expected:
        raise ValueError(f"x must have shape (N, {', '.join(map(str, expected))}) for these parameters, "
                         f"got {x.shape}; images of another size give another number of features")
    bad = np.flatnonzero(~np.all(np.isfinite(x.reshape(len(x), -1)), axis=1))
    if bad.size:
        raise ValueError(f"x contains NaN or infinite values in example(s) {bad[:5].tolist()}: one such "
                         "image would turn every weight into NaN; repair or remove it")
    return x


def _check_labels(labels, n_examples: int, n_classes: int) -> np.ndarray:
    arr = np.asarray(labels)
    if arr.shape != (n_examples,) or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"labels must be {n_examples} integer classes, shape ({n_examples},), "
                         f"got shape {arr.shape} of dtype {arr.dtype}")
    outside = arr[(arr < 0) | (arr >= n_classes)]
    if outside.size:
        raise ValueError(f"labels must lie in 0..{n_classes - 1}, got {outside[:5].tolist()}")
    return arr


def lenet_forward(x, params):
    """Forward pass of the LeNet-style network; the cache keeps every feature map.

    Parameters
    ----------
    x : (N, 1, 8, 8) array
        Images (the size :func:`lenet_input_shape` gives for ``params``), converted to
        the parameters' dtype.
    params : dict
        From :func:`lenet_init`.

    Returns
    -------
    scores : (N, n_classes) array
        Logits, in the parameters' dtype; ``softmax(scores)`` are the class probabilities.
    cache : dict
        Layer caches for :func:`lenet_backward` and the maps ``"conv1"`` (N, K1, 8, 8),
        ``"pool1"`` (N, K1, 4, 4), ``"conv2"`` (N, K2, 4, 4), ``"pool2"`` (N, K2, 2, 2)
        (after ReLU).
    """
    params = _check_params(params)
    x = _check_images(x, params)
    p = params
    a1, conv1 = conv2d_forward(x, p["w1"], p["b1"], padding=1)    # (N, K1, 8, 8)
    h1, relu1 = relu_forward(a1)
    m1, pool1 = max_pool_forward(h1)                               # (N, K1, 4, 4)
    a2, conv2 = conv2d_forward(m1, p["w2"], p["b2"], padding=1)   # (N, K2, 4, 4)
    h2, relu2 = relu_forward(a2)
    m2, pool2 = max_pool_forward(h2)                               # (N, K2, 2, 2)
    scores, dense3 = dense_forward(m2.reshape(len(x), -1), p["w3"], p["b3"])  # (N, classes)
    layers = (conv1, relu1, pool1, conv2, relu2, pool2, dense3)
    return scores, {"layers": layers, "pooled_shape": m2.shape,
                    "conv1": h1, "pool1": m1, "conv2": h2, "pool2": m2}


def lenet_backward(dscores, cache) -> dict:
    """Backpropagation through :func:`lenet_forward`, layer by layer in reverse.

    Parameters
    ----------
    dscores : (N, n_classes) array
        ``dL/dscores`` (from :func:`lecture_utils.nn.softmax_cross_entropy`).
    cache : dict
        From :func:`lenet_forward`.

    Returns
    -------
    grads : dict
        One gradient per parameter, same keys and shapes as ``params`` (float32 when
        the forward pass and dscores are float32).
    """
    conv1, relu1, pool1, conv2, relu2, pool2, dense3 = cache["layers"]
    dflat, dw3, db3 = dense_backward(dscores, dense3)
    dh2 = max_pool_backward(dflat.reshape(cache["pooled_shape"]), pool2)  # unflatten, unpool
    dm1, dw2, db2 = conv2d_backward(relu_backward(dh2, relu2), conv2)
    dh1 = max_pool_backward(dm1, pool1)
    _, dw1, db1 = conv2d_backward(relu_backward(dh1, relu1), conv1, input_gradient=False)  # no d/dimages
    return {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2, "w3": dw3, "b3": db3}


def lenet_loss(x, labels, params):
    """Mean softmax cross-entropy of the network on a batch, and its gradients.

    Returns
    -------
    loss : float
        Mean over the N examples, in nats.
    grads : dict
        As :func:`lenet_backward`.
    """
    with _single_threaded_blas():
        return _lenet_loss(x, labels, params)


def _lenet_loss(x, labels, params):
    scores, cache = lenet_forward(x, params)
    labels = _check_labels(labels, scores.shape[0], scores.shape[1])
    loss, dscores = softmax_cross_entropy(scores, labels)
    return loss, lenet_backward(dscores, cache)


def lenet_predict_proba(x, params, batch_size: int = 512) -> np.ndarray:
    """Class probabilities ``softmax(scores)``, (N, n_classes), computed in batches."""
    batch_size = check_positive_int(batch_size, "batch_size")
    x = _check_images(x, _check_params(params))
    with _single_threaded_blas():
        parts = [softmax(lenet_forward(x[i:i + batch_size], params)[0])
                 for i in range(0, len(x), batch_size)]
    return np.concatenate(parts)


def sgd_momentum_update(param, grad, velocity, learning_rate: float, momentum: float = 0.9):
    """One SGD step with momentum: ``v <- mu v - eta g``, then ``theta <- theta + v``.

    Parameters
    ----------
    param, grad, velocity : arrays of one shape
        theta, its gradient dL/dtheta on the current mini-batch, and the running
        velocity (zeros before the first step).
    learning_rate : float > 0
        eta.
    momentum : float in [0, 1)
        mu; 0 gives plain SGD, ``theta <- theta - eta g``.

    Returns
    -------
    new_param, new_velocity : arrays
        New arrays of param's dtype (float64, or float32 for a float32 param); the
        inputs are not modified.
    """
    param = as_float_array(param, "param", keep_float32=True)
    grad = as_float_array(grad, "grad", keep_float32=True).astype(param.dtype, copy=False)
    velocity = as_float_array(velocity, "velocity", keep_float32=True).astype(param.dtype, copy=False)
    if not param.shape == grad.shape == velocity.shape:
        raise ValueError(f"param, grad and velocity must have one shape, got {param.shape}, "
                         f"{grad.shape} and {velocity.shape}")
    learning_rate = check_positive_float(learning_rate, "learning_rate")
    momentum = check_positive_float(momentum, "momentum", allow_zero=True)
    if momentum >= 1:
        raise ValueError(f"momentum must lie in [0, 1), got {momentum}")
    new_velocity = momentum * velocity - learning_rate * grad
    return param + new_velocity, new_velocity


@dataclass
class LeNetRun:
    """Result of :func:`train_lenet`."""

    params: dict
    step_losses: list = field(default_factory=list)      # mini-batch loss before each update
    epoch_losses: list = field(default_factory=list)     # mean of the epoch's mini-batch losses
    test_accuracy: list = field(default_factory=list)    # after each epoch (with test data)


def accuracy(probabilities, labels) -> float:
    """Fraction of rows whose largest probability is at the true label.

    Parameters
    ----------
    probabilities : (N, C) array
        One row of class scores or probabilities per example.
    labels : (N,) int array
        True classes in 0..C-1.

    Returns
    -------
    float in [0, 1]
    """
    probabilities = as_float_array(probabilities, "probabilities", ndim=2)
    labels = _check_labels(labels, probabilities.shape[0], probabilities.shape[1])
    return float(np.mean(probabilities.argmax(axis=1) == labels))


def _diverged(epoch: int, step: int, eta: float, detail: str) -> FloatingPointError:
    return FloatingPointError(
        f"training stopped at epoch {epoch}, step {step}: the loss or a gradient is not finite "
        f"({detail}); learning_rate={eta:.3g} is probably too large, or the images are badly scaled")


def train_lenet(x, labels, params=None, epochs: int = 12, batch_size: int = 32,
                learning_rate: float = 0.05, momentum: float = 0.9, decay: float = 0.85,
                rng=0, x_test=None, y_test=None, verbose: bool = True) -> LeNetRun:
    """Mini-batch SGD with momentum on the mean softmax cross-entropy.

    Each epoch visits the training examples in a fresh seeded order, in batches of
    ``batch_size`` (the last one smaller). Training stops with a ``FloatingPointError``
    as soon as a loss or gradient is not finite, before any weight becomes NaN.

    Parameters
    ----------
    x : (N, 1, 8, 8) array
    labels : (N,) int array
    params : dict, optional
        Initial parameters; ``lenet_init(rng=rng)`` when None. Not modified. Training
        runs in their dtype: ``lenet_init(dtype=np.float32)`` trains in float32 (x is
        converted once).
    epochs, batch_size : int
    learning_rate, momentum : float
        eta and mu of :func:`sgd_momentum_update`.
    decay : float in (0, 1]
        eta is multiplied by ``decay`` after every epoch: large steps first to make
        progress, small ones later so the noise of the mini-batches averages out.
    rng : Generator or int
        Seeds the initialisation and the batch order.
    x_test, y_test : arrays, optional
        Held-out data, evaluated after every epoch.
    verbose : bool
        Print one rounded line per epoch (deterministic text: no progress bar).

    Returns
    -------
    LeNetRun
    """
    rng = default_rng(rng)
    params = dict(lenet_init(rng=rng) if params is None else _check_params(params))
    x = _check_images(x, params)
    labels = _check_labels(labels, len(x), params["w3"].shape[1])
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    _check_test_pair(x_test, y_test)
    learning_rate = check_positive_float(learning_rate, "learning_rate")
    momentum = check_positive_float(momentum, "momentum", allow_zero=True)
    if momentum >= 1:  # checked here too, so a bad value fails before any work is done
        raise ValueError(f"momentum must lie in [0, 1), got {momentum}")
    decay = check_positive_float(decay, "decay")
    if decay > 1:
        raise ValueError(f"decay must lie in (0, 1], got {decay}")
    velocity = {name: np.zeros_like(value) for name, value in params.items()}
    run = LeNetRun(params)
    with _single_threaded_blas():
        for epoch in range(1, epochs + 1):
            eta = learning_rate * decay ** (epoch - 1)
            order = rng.permutation(len(x))
            for step, start in enumerate(range(0, len(x), batch_size)):
                batch = order[start:start + batch_size]
                try:
                    with np.errstate(over="ignore", invalid="ignore"):  # a blow-up is reported below
                        loss, grads = _lenet_loss(x[batch], labels[batch], params)
                except ValueError as exc:  # the images were checked, so a layer met inf or NaN
                    raise _diverged(epoch, step, eta, str(exc)) from exc
                if not (np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())):
                    raise _diverged(epoch, step, eta, f"loss {loss}")
                run.step_losses.append(loss)
                for name in params:
                    params[name], velocity[name] = sgd_momentum_update(
                        params[name], grads[name], velocity[name], eta, momentum)
            n_steps = -(-len(x) // batch_size)
            run.epoch_losses.append(float(np.mean(run.step_losses[-n_steps:])))
            line = f"epoch {epoch:2d}/{epochs}  mean training loss {run.epoch_losses[-1]:.3f}"
            if x_test is not None:
                run.test_accuracy.append(accuracy(lenet_predict_proba(x_test, params), y_test))
                line += f"  test accuracy {run.test_accuracy[-1]:.1%}"
            if verbose:
                print(line)
    run.params = params
    return run


def confusion_matrix(labels, predicted, n_classes: int) -> np.ndarray:
    """Counts ``C[i, j]`` of examples of true class i predicted as class j.

    Parameters
    ----------
    labels, predicted : (N,) int arrays
        True and predicted classes in 0..n_classes-1.
    n_classes : int

    Returns
    -------
    (n_classes, n_classes) int array
        Rows: true class; columns: predicted class; the diagonal counts the correct answers.
    """
    n_classes = check_positive_int(n_classes, "n_classes")
    labels = _check_labels(labels, np.size(labels), n_classes)
    predicted = _check_labels(predicted, labels.size, n_classes)
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (labels, predicted), 1)
    return counts


# ---------------------------------------------------------------------------------------
# Widget: pick a test image, see the probabilities and the feature maps
# ---------------------------------------------------------------------------------------


def inspect_digit(x, labels, params, index: int) -> dict:
    """What the network computes for one image: probabilities and every feature map.

    Parameters
    ----------
    x : (N, 1, 8, 8) array
    labels : (N,) int array
    params : dict
    index : int in 0..N-1

    Returns
    -------
    dict
        ``image`` (8, 8), ``label`` int, ``probabilities`` (n_classes,),
        ``predicted`` int, and the maps ``conv1`` (K1, 8, 8), ``pool1`` (K1, 4, 4),
        ``conv2`` (K2, 4, 4) after ReLU.
    """
    x = _check_images(x, _check_params(params))
    labels = _check_labels(labels, len(x), params["w3"].shape[1])
    index = check_positive_int(index, "index", minimum=0)
    if index >= len(x):
        raise ValueError(f"index must lie in 0..{len(x) - 1}, got {index}")
    scores, cache = lenet_forward(x[index:index + 1], params)
    probabilities = softmax(scores)[0]
    return {"image": x[index, 0], "label": int(labels[index]), "probabilities": probabilities,
            "predicted": int(probabilities.argmax()),
            "conv1": cache["conv1"][0], "pool1": cache["pool1"][0], "conv2": cache["conv2"][0]}


def draw_digit_inspection(result: dict):
    """The image, its class probabilities, and the first and second layers' feature maps."""
    from matplotlib.figure import Figure

    columns = 16
    rows = [("conv1", chunk) for chunk in np.array_split(result["conv1"], -(-len(result["conv1"]) // columns))]
    rows += [("conv2", chunk) for chunk in np.array_split(result["conv2"], -(-len(result["conv2"]) // columns))]
    fig = Figure(figsize=(9, 3 + 0.6 * len(rows)))
    grid = fig.add_gridspec(2 + len(rows), columns, height_ratios=[2.2, 2.2] + [1] * len(rows),
                            left=0.04, right=0.99, top=0.93, bottom=0.02, wspace=0.08, hspace=0.45)
    ax = fig.add_subplot(grid[0:2, 0:4])
    ax.imshow(result["image"], cmap="gray_r")
    ax.set_title(f"label {result['label']}, predicted {result['predicted']}", fontsize=9)
    ax.axis("off")
    ax = fig.add_subplot(grid[0:2, 6:])
    classes = np.arange(len(result["probabilities"]))
    ax.bar(classes, result["probabilities"],
           color=["tab:green" if k == result["label"] else "tab:gray" for k in classes])
    ax.set_xticks(classes)
    ax.set_ylim(0, 1)
    ax.set_title("softmax probabilities (green: true class)", fontsize=9)
    for row, (name, maps) in enumerate(rows):   # every feature map, after ReLU
        for col, feature_map in enumerate(maps):
            ax = fig.add_subplot(grid[2 + row, col])
            ax.imshow(feature_map, cmap="viridis")
            ax.set_xticks([])
            ax.set_yticks([])
            if col == 0:
                ax.set_ylabel(name, fontsize=7)
    return fig


def digit_explorer(x, labels, params):
    """Widget: a slider picks a test image; the figure shows :func:`inspect_digit`'s result.

    Returns
    -------
    lecture_utils.widgets.Explorer
        Its ``result`` is the dict of :func:`inspect_digit` for the chosen index.
    """
    import ipywidgets as widgets

    from .widgets import Explorer

    x = _check_images(x, _check_params(params))
    labels = _check_labels(labels, len(x), params["w3"].shape[1])

    def compute(index):
        return inspect_digit(x, labels, params, index)

    controls = {"index": widgets.IntSlider(value=0, min=0, max=len(x) - 1, step=1,
                                           description="test image")}
    return Explorer(compute, draw_digit_inspection, controls, title="Digit explorer")
