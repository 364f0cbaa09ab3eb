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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy.special import expit as _sigmoid  # stable: no overflow warning at |a| = 1000

from ._validate import (as_float_array, check_positive_float, check_positive_int,
                        default_rng)

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
    """Fraction of images with ``(O > 0.5) == y``."""
    O, _ = lecture_forward(X, f, W, b)
    y = as_float_array(y, "y", ndim=(1, 2)).reshape(1, -1)
    if y.shape != O.shape:
        raise ValueError(f"y must have one label per image: {O.shape[1]}, got {y.size}")
    return float(np.mean((O > 0.5) == (y > 0.5)))


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
    if X.shape[1] != X.shape[2]:
        raise ValueError(f"X must hold square images, got shape {X.shape}")
    f, W, b = lecture_init(n_filters, X.shape[1], 3, rng)
    run = LectureRun(f, W, b)
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
