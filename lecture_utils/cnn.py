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

trained by mini-batch SGD with momentum (:func:`lecture_utils.optim.train`). A faster
training path (single precision, one BLAS thread, no gradient for the input images) is
:mod:`lecture_utils.fast.cnn`.

Honest evaluation (the last section): settings are chosen on validation images by runs that
keep the parameters after every update (:func:`lecture_validation_run`,
:func:`lenet_validation_run`); the chosen model meets the test images once; its accuracy
``k / n`` comes with a Wilson interval (:func:`wilson_interval`) and is printed beside a
baseline, logistic regression on the raw pixels (:func:`lecture_utils.baselines.logistic_baseline`). The learned
filters are compared with notebook 03's Gaussian derivatives
(:func:`gaussian_derivative_share`).
"""

from __future__ import annotations

from typing import NamedTuple

import math

import numpy as np

from ._validate import (anything, array, check, checked, flag, gradient, instance, integer, optional, parameters,
                        positive, real, seed)
from .conv import (conv2d_backward, conv2d_forward, correlate2d_naive, max_pool_backward,
                   max_pool_forward)
from .nn import (dense_backward, dense_forward, relu_backward, relu_forward, sigmoid, sigmoid_backward,
                 sigmoid_forward, softmax, softmax_cross_entropy)
from .optim import History, train
from .steerable import SIGMA, gaussian_derivative_kernels

# ---------------------------------------------------------------------------------------
# The lecture's convolution: valid cross-correlation of a stack of images with filters
# ---------------------------------------------------------------------------------------


def _check_images_and_filters(X, f):
    X, f = check({"X": array("N H W"), "f": array("R S | K R S")}, {"X": X, "f": f})
    if X.shape[1] < f.shape[-2] or X.shape[2] < f.shape[-1]:
        raise ValueError(f"X's images ({X.shape[1]}x{X.shape[2]}, X shape {X.shape}) are smaller "
                         f"than the filter f ({f.shape[-2]}x{f.shape[-1]}, f shape {f.shape})")
    return X, f


def conv_valid(X, f):
    """The slides' ``Z1 = conv(X, f)``: valid cross-correlation of each image with each filter.

    ``Z[n, k, p, q] = sum_i sum_j X[n, p+i, q+j] f[k, i, j]`` (seed 004's ``Y(p, q)``),
    output size ``(H - R + 1, W - S + 1)``: the convolution layer of notebook 05 with one
    input channel and no bias.

    Parameters
    ----------
    X : (N, H, W) array
        N grey images.
    f : (R, S) array, or (K, R, S) array for K filters

    Returns
    -------
    Z : (N, H-R+1, W-S+1) array for one filter, (N, K, H-R+1, W-S+1) for K filters
    """
    X, f = _check_images_and_filters(X, f)
    filters = f.reshape(-1, 1, *f.shape[-2:])                   # (K, C=1, R, S)
    Z = conv2d_forward(X[:, None], filters)[0]                  # (N, K, H', W')
    return Z[:, 0] if f.ndim == 2 else Z


def conv_valid_naive(X, f):
    """:func:`conv_valid` as loops: seed 004's ``Y = X (x) W`` for every image and filter.

    Same arguments and result; each (image, filter) pair is
    :func:`lecture_utils.conv.correlate2d_naive`, the four loops of
    ``Z(p, q) = sum_i sum_j X(p+i, q+j) f(i, j)``.
    """
    X, f = _check_images_and_filters(X, f)
    filters = f.reshape(-1, *f.shape[-2:])
    Z = np.stack([np.stack([correlate2d_naive(image, k) for k in filters]) for image in X])
    return Z[:, 0] if f.ndim == 2 else Z


def _check_maps(X, delta):
    X, delta = check({"X": array("N H W"), "delta": array("N P Q | N K P Q")}, {"X": X, "delta": delta})
    if delta.shape[-2] > X.shape[1] or delta.shape[-1] > X.shape[2]:
        raise ValueError(f"delta's maps ({delta.shape[-2]}x{delta.shape[-1]}, delta shape {delta.shape}) "
                         f"must be no larger than X's images (X shape {X.shape})")
    return X, delta


def filter_gradient(X, delta):
    """The slides' ``dE/df = conv(X, delta1)``, summed over the images.

    ``dE/df[k, i, j] = sum_n sum_p sum_q X[n, p+i, q+j] delta[n, k, p, q]``: a valid
    cross-correlation of each input image with its output gradient (seed 004's
    ``dJ/dW^k = X (x) dJ/dY^k``), e.g. (N, 22, 22) with (N, 20, 20) gives (3, 3). As a
    convolution layer it is the images correlated with the maps, the N images playing
    the part of N input channels.

    Parameters
    ----------
    X : (N, H, W) array
        The images the filter saw.
    delta : (N, H', W') array, or (N, K, H', W') for K filters
        ``dE/dZ1``, the gradient with respect to the filter's output maps.

    Returns
    -------
    df : (H-H'+1, W-W'+1) array, or (K, H-H'+1, W-W'+1) for K filters
    """
    X, delta = _check_maps(X, delta)
    maps = delta if delta.ndim == 4 else delta[:, None]         # (N, K, H', W')
    df = conv2d_forward(X[None], maps.transpose(1, 0, 2, 3))[0][0]   # (1, N, H, W) (x) (K, N, H', W')
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

    @property
    def out_shape(self) -> tuple:
        return self.O.shape


def _check_model(X, f, W, b):
    X, f = _check_images_and_filters(X, f)
    W, b = check({"W": array("D 1"), "b": array("| 1 | 1 1")}, {"W": W, "b": b})
    n_filters = 1 if f.ndim == 2 else f.shape[0]
    map_h, map_w = X.shape[1] - f.shape[-2] + 1, X.shape[2] - f.shape[-1] + 1
    n_features = n_filters * map_h * map_w
    if W.shape != (n_features, 1):
        raise ValueError(
            f"W must have shape ({n_features}, 1) = (K*{map_h}*{map_w}, 1) for {X.shape[1]}x{X.shape[2]} "
            f"images and {n_filters} filter(s) of {f.shape[-2]}x{f.shape[-1]}, got {W.shape}; images of "
            "the wrong size for this model give the wrong number of features")
    return X, f, W, b


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
    b : scalar or size-1 array
        Dense bias.

    Returns
    -------
    O : (1, N) array
        Output probabilities ``sigmoid(Z2)``.
    cache : LectureCache
    """
    X, f, W, b = _check_model(X, f, W, b)
    Z1 = conv_valid(X, f)                         # (N, 20, 20) or (N, K, 20, 20)
    H1 = sigmoid(Z1).reshape(len(X), -1).T        # (D, N): image n is column n
    Z2 = W.T @ H1 + b.reshape(1, 1)               # (1, D)(D, N) = (1, N)
    O = sigmoid(Z2)                               # (1, N)
    return O, LectureCache(X, f, W, b, Z1, H1, O)


def _check_targets(O, y, y_name="y"):
    """O (1, N) outputs and y (N,) or (1, N) targets, both in [0, 1]; ``y_name`` names y in messages."""
    O, y = check({"O": array("1 N"), y_name: array("N | 1 N")}, {"O": O, y_name: y})
    for name, values, what in (("O", O, "outputs in [0, 1] (the sigmoid's)"),
                               (y_name, y, "targets in [0, 1] (labels 0 and 1)")):
        outside = (values < 0) | (values > 1)
        if np.any(outside):
            raise ValueError(f"{name} must hold {what}, got values like {values[outside][:3]}")
    return O, y.reshape(1, -1)


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
    O, y = _check_targets(O, y)
    residual = O - y
    return float(0.5 * np.sum(residual ** 2)), residual


@checked(cache=instance(LectureCache, made_by="lecture_forward"), dout=gradient())
def lecture_backward(dout, cache):
    """The slides' backward pass in matrix form: ``dE/df``, ``dE/dW``, ``dE/db``.

    Parameters
    ----------
    dout : (1, N) array
        Upstream gradient dE/dO; ``O - y`` for the slides' squared error.
    cache : LectureCache
        From :func:`lecture_forward`.

    Returns
    -------
    df : array of f's shape, (3, 3) in the lecture
    dW : (D, 1) array
    db : array of b's shape
    """
    X, f, W, b, Z1, H1, O = cache
    delta2 = dout * O * (1 - O)                  # dE/dZ2: (1, N) * (1, N) element-wise
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


@checked(params=parameters(shapes={"f": "R R | K R R", "W": "D 1", "b": "1 1 | 1"}))
def lecture_objective(params, X, y):
    """``(params, X, y) -> (E, grads)`` with params ``{"f", "W", "b"}``, for :func:`lecture_utils.optim.train`."""
    E, df, dW, db = lecture_gradients(X, y, params["f"], params["W"], params["b"])
    return E, {"f": df, "W": dW, "b": db}


@checked(n_filters=integer(1, 64), image_size=integer(1, 1024), filter_size=integer(1, 64), rng=seed())
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
    if filter_size > image_size:
        raise ValueError(f"filter_size ({filter_size}) must be at most image_size ({image_size})")
    f = rng.standard_normal((n_filters, filter_size, filter_size)) / filter_size
    n_features = n_filters * (image_size - filter_size + 1) ** 2
    W = rng.standard_normal((n_features, 1)) / np.sqrt(n_features)
    return (f[0] if n_filters == 1 else f), W, np.zeros((1, 1))


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
    O, y = _check_targets(O, y)
    return float(np.mean((O > 0.5) == (y > 0.5)))


def _check_test_pair(X_test, y_test, names=("X_test", "y_test")):
    """Both test arrays or neither (``names``: the function's own names for them)."""
    if (X_test is None) != (y_test is None):
        raise ValueError(f"give both the test images {names[0]} and their labels {names[1]}, or neither; got only "
                         + (names[0] if y_test is None else names[1]))


@checked(X=array("N H H"), y=array("N"), n_filters=integer(1, 64), learning_rate=positive(),
         steps=integer(0, 10**5), rng=seed(), X_test=optional(array("M H H")), y_test=optional(array("M")))
def train_lecture_model(X, y, n_filters: int = 1, learning_rate: float = 0.001, steps: int = 300,
                        rng=0, X_test=None, y_test=None):
    """Full-batch gradient descent on the lecture's model: ``theta <- theta - eta dE/dtheta``.

    Parameters
    ----------
    X : (N, H, H) array
        Square images.
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
        Held-out images, whose accuracy is recorded at every step.

    Returns
    -------
    params : dict
        ``"f"``, ``"W"``, ``"b"`` after training.
    history : lecture_utils.optim.History
        ``losses``: E before each step, then the final E; ``metrics["training accuracy"]``
        and (with test data) ``metrics["test accuracy"]`` at the same steps.
    """
    _check_test_pair(X_test, y_test)
    f, W, b = lecture_init(n_filters, X.shape[1], 3, rng)

    def evaluate(p):
        scores = {"training accuracy": lecture_accuracy(X, y, p["f"], p["W"], p["b"])}
        if X_test is not None:
            scores["test accuracy"] = lecture_accuracy(X_test, y_test, p["f"], p["W"], p["b"])
        return scores

    return train(lecture_objective, {"f": f, "W": W, "b": b}, X, y, learning_rate=learning_rate,
                 epochs=steps, shuffle=False, evaluate=evaluate)


def lecture_gradients_layerwise(X, y, f, W, b):
    """The lecture model's error and gradients through the generic shared layers.

    ``conv2d -> sigmoid -> flatten -> dense -> sigmoid``, each with its own
    ``(out, cache)`` forward and ``backward(dout, cache)``, chained by the rule
    ``dC/dx_{i-1} = dC/dx_i dF_i/dx_{i-1}`` (seed 001). The examples are rows here
    (``h1`` is (N, D), the transpose of the slides' H1), so this is an independent
    check of :func:`lecture_backward`'s matrix form.

    Parameters and returns as :func:`lecture_gradients`.
    """
    X, f, W, b = _check_model(X, f, W, b)
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
    _, dfilters, _ = conv2d_backward(dz1, conv_cache)            # (K, 1, 3, 3)
    return E, dfilters.reshape(f.shape), dW, db.reshape(b.shape)


# ---------------------------------------------------------------------------------------
# A LeNet-style network from the shared layers
# ---------------------------------------------------------------------------------------

PARAM_NAMES = ("w1", "b1", "w2", "b2", "w3", "b3")


@checked(n_filters=anything(), n_classes=integer(2, 1000), image_size=integer(4, 256), rng=seed())
def lenet_init(n_filters=(16, 32), n_classes: int = 10, image_size: int = 8, rng=0) -> dict:
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
    rng : Generator or int

    Returns
    -------
    params : dict
        ``w1`` (K1, 1, 3, 3), ``b1`` (K1,), ``w2`` (K2, K1, 3, 3), ``b2`` (K2,),
        ``w3`` (K2 (size/4)^2, n_classes), ``b3`` (n_classes,).
    """
    if isinstance(n_filters, (str, bytes)) or not hasattr(n_filters, "__len__") or len(n_filters) != 2:
        raise ValueError(f"n_filters must be two numbers (K1, K2), got {n_filters!r}")
    k1, k2 = (integer(1, 1024)(k, f"n_filters[{i}]", {}) for i, k in enumerate(n_filters))
    if image_size % 4:
        raise ValueError(f"image_size must be divisible by 4 (two 2x2 poolings), got {image_size}")
    n_flat = k2 * (image_size // 4) ** 2

    def he(shape, fan_in):
        return rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)

    return {"w1": he((k1, 1, 3, 3), 9), "b1": np.zeros(k1),
            "w2": he((k2, k1, 3, 3), 9 * k1), "b2": np.zeros(k2),
            "w3": he((n_flat, n_classes), n_flat), "b3": np.zeros(n_classes)}


def _check_params(params) -> dict:
    """The six arrays of :func:`lenet_init`, finite, each with its number of axes and sizes that fit together."""
    params, = check({"params": parameters(keys=PARAM_NAMES)}, {"params": params})
    shapes = {name: np.shape(value) for name, value in params.items()}
    axes = {"w1": 4, "b1": 1, "w2": 4, "b2": 1, "w3": 2, "b3": 1}
    for name, n_axes in axes.items():
        if len(shapes[name]) != n_axes:
            raise ValueError(f"params[{name!r}] must have {n_axes} axes, as lenet_init makes it, "
                             f"got shape {shapes[name]}")
    (k1, c, _, _), (k2, k1_again, _, _), (d, n_classes) = shapes["w1"], shapes["w2"], shapes["w3"]
    fits = (c == 1 and k1_again == k1 and shapes["b1"] == (k1,) and shapes["b2"] == (k2,)
            and shapes["b3"] == (n_classes,) and d % k2 == 0 and round((d // k2) ** 0.5) ** 2 == d // k2)
    if not fits:
        raise ValueError(f"params' shapes do not fit together as lenet_init makes them, got {shapes}")
    return params


def lenet_input_shape(params) -> tuple:
    """The image shape ``(1, H, W)`` the parameters expect: ``K2 (H/4)(W/4)`` features reach w3."""
    params = _check_params(params)
    k2 = params["w2"].shape[0]
    side = 4 * int(round(np.sqrt(params["w3"].shape[0] / k2)))
    return (params["w1"].shape[1], side, side)


def _check_images(x, params, name="x"):
    """Images (N, 1, H, W) of the size the parameters expect; a NaN image is named."""
    shape = " ".join(map(str, lenet_input_shape(params)))
    x, = check({name: array(f"N {shape}", finite=False)}, {name: x})
    bad = np.flatnonzero(~np.all(np.isfinite(x.reshape(len(x), -1)), axis=1))
    if bad.size:
        raise ValueError(f"{name} contains NaN or infinite values in example(s) {bad[:5].tolist()}: one such "
                         "image would turn every weight into NaN; repair or remove it")
    return x


def _check_labels(labels, n_examples: int, n_classes: int, name: str = "labels") -> np.ndarray:
    arr, = check({name: array(f"{n_examples}", dtype="int")}, {name: labels})
    outside = arr[(arr < 0) | (arr >= n_classes)]
    if outside.size:
        raise ValueError(f"{name} must lie in 0..{n_classes - 1}, got {outside[:5].tolist()}")
    return arr


class LeNetCache(NamedTuple):
    """The seven layer caches of :func:`lenet_forward` and the feature maps (after ReLU)."""

    layers: tuple           # conv1, relu1, pool1, conv2, relu2, pool2, dense3
    maps: dict              # "conv1" (N, K1, 8, 8), "pool1" (N, K1, 4, 4), "conv2" (N, K2, 4, 4), "pool2"
    out_shape: tuple        # (N, n_classes)


def lenet_forward(x, params):
    """Forward pass of the LeNet-style network; the cache keeps every feature map.

    Parameters
    ----------
    x : (N, 1, 8, 8) array
        Images (the size :func:`lenet_input_shape` gives for ``params``).
    params : dict
        From :func:`lenet_init`.

    Returns
    -------
    scores : (N, n_classes) array
        Logits; ``softmax(scores)`` are the class probabilities.
    cache : LeNetCache
    """
    x = _check_images(x, _check_params(params))
    p = params
    a1, conv1 = conv2d_forward(x, p["w1"], p["b1"], padding=1)    # (N, K1, 8, 8)
    h1, relu1 = relu_forward(a1)
    m1, pool1 = max_pool_forward(h1)                               # (N, K1, 4, 4)
    a2, conv2 = conv2d_forward(m1, p["w2"], p["b2"], padding=1)   # (N, K2, 4, 4)
    h2, relu2 = relu_forward(a2)
    m2, pool2 = max_pool_forward(h2)                               # (N, K2, 2, 2)
    scores, dense3 = dense_forward(m2.reshape(len(x), -1), p["w3"], p["b3"])  # (N, classes)
    maps = {"conv1": h1, "pool1": m1, "conv2": h2, "pool2": m2}
    return scores, LeNetCache((conv1, relu1, pool1, conv2, relu2, pool2, dense3), maps, scores.shape)


@checked(cache=instance(LeNetCache, made_by="lenet_forward"), dout=gradient())
def lenet_backward(dout, cache):
    """Backpropagation through :func:`lenet_forward`, layer by layer in reverse.

    Parameters
    ----------
    dout : (N, n_classes) array
        ``dL/dscores`` (from :func:`lecture_utils.nn.softmax_cross_entropy`).
    cache : LeNetCache
        From :func:`lenet_forward`.

    Returns
    -------
    dx : (N, 1, 8, 8) array
        dL/dx, the gradient for the input images.
    grads : dict
        One gradient per parameter, same keys and shapes as ``params``.
    """
    conv1, relu1, pool1, conv2, relu2, pool2, dense3 = cache.layers
    dflat, dw3, db3 = dense_backward(dout, dense3)
    dh2 = max_pool_backward(dflat.reshape(cache.maps["pool2"].shape), pool2)   # unflatten, unpool
    dm1, dw2, db2 = conv2d_backward(relu_backward(dh2, relu2), conv2)
    dh1 = max_pool_backward(dm1, pool1)
    dx, dw1, db1 = conv2d_backward(relu_backward(dh1, relu1), conv1)
    return dx, {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2, "w3": dw3, "b3": db3}


def lenet_loss(x, labels, params):
    """Mean softmax cross-entropy of the network on a batch, and its gradients.

    Returns
    -------
    loss : float
        Mean over the N examples, in nats.
    grads : dict
        As :func:`lenet_backward`.
    """
    scores, cache = lenet_forward(x, params)
    labels = _check_labels(labels, scores.shape[0], scores.shape[1])
    loss, dscores = softmax_cross_entropy(scores, labels)
    return loss, lenet_backward(dscores, cache)[1]


@checked(batch_size=integer(1))
def lenet_predict_proba(x, params, batch_size: int = 512) -> np.ndarray:
    """Class probabilities ``softmax(scores)``, (N, n_classes), computed in batches."""
    x = _check_images(x, _check_params(params))
    return np.concatenate([softmax(lenet_forward(x[i:i + batch_size], params)[0])
                           for i in range(0, len(x), batch_size)])


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
    probabilities, = check({"probabilities": array("N C")}, {"probabilities": probabilities})
    labels = _check_labels(labels, probabilities.shape[0], probabilities.shape[1])
    return float(np.mean(probabilities.argmax(axis=1) == labels))


@checked(epochs=integer(1, 10**4), batch_size=integer(1), learning_rate=positive(),
         momentum=real(0, 1, max_open=True), decay=real(0, 1, min_open=True), rng=seed(), verbose=flag())
def train_lenet(x, labels, params=None, epochs: int = 12, batch_size: int = 32,
                learning_rate: float = 0.05, momentum: float = 0.9, decay: float = 0.85,
                rng=0, x_test=None, y_test=None, verbose: bool = True):
    """Mini-batch SGD with momentum on the mean softmax cross-entropy (:func:`lecture_utils.optim.train`).

    Parameters
    ----------
    x : (N, 1, 8, 8) array
    labels : (N,) int array
    params : dict, optional
        Initial parameters; ``lenet_init(rng=rng)`` when None. Not modified.
    epochs, batch_size : int
    learning_rate, momentum : float
        eta and mu of :func:`lecture_utils.optim.momentum_step`.
    decay : float in (0, 1]
        eta is multiplied by ``decay`` after every epoch: large steps first to make
        progress, small ones later so the noise of the mini-batches averages out.
    rng : Generator or int
        Seeds the initialisation (when ``params`` is None) and the batch order.
    x_test, y_test : arrays, optional
        Held-out data, whose accuracy is recorded after every epoch.
    verbose : bool
        Print one rounded line per epoch (deterministic text: no progress bar).

    Returns
    -------
    params : dict
    history : lecture_utils.optim.History
        ``step_losses`` per update, ``per_epoch()`` their epoch means,
        ``metrics["test accuracy"]`` before training and after each epoch.
    """
    params = lenet_init(rng=rng) if params is None else _check_params(params)
    x = _check_images(x, params)
    labels = _check_labels(labels, len(x), params["w3"].shape[1])
    _check_test_pair(x_test, y_test, ("x_test", "y_test"))
    evaluate = None
    if x_test is not None:
        x_test = _check_images(x_test, params, "x_test")
        y_test = _check_labels(y_test, len(x_test), params["w3"].shape[1], "y_test")
        evaluate = lambda p: {"test accuracy": accuracy(lenet_predict_proba(x_test, p), y_test)}  # noqa: E731
    return _train_lenet(x, labels, params, epochs, batch_size, learning_rate, momentum, decay, rng,
                        evaluate, verbose)


def _train_lenet(x, labels, params, epochs, batch_size, learning_rate, momentum, decay, rng, evaluate, verbose):
    """:func:`train_lenet`'s loop on checked arguments, recording ``evaluate(params)`` after every epoch."""
    return train(lambda p, xb, yb: lenet_loss(xb, yb, p), params, x, labels, learning_rate=learning_rate,
                 epochs=epochs, batch_size=batch_size, momentum=momentum, decay=decay, rng=rng,
                 full_loss=False, evaluate=evaluate, verbose=verbose, metric_format="{:.1%}")


@checked(n_classes=integer(1, 1000))
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
    labels, = check({"labels": array("N", dtype="int")}, {"labels": labels})
    labels = _check_labels(labels, labels.size, n_classes)
    predicted = _check_labels(predicted, labels.size, n_classes, "predicted")
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (labels, predicted), 1)
    return counts


# ---------------------------------------------------------------------------------------
# Honest evaluation: validation runs, a test accuracy with its interval, a baseline
# ---------------------------------------------------------------------------------------


class ValidationRun(NamedTuple):
    """A training run watched on validation images, for choosing its settings.

    ``params[t]`` are the parameters after ``t`` updates (gradient-descent steps of the
    lecture's model, epochs of LeNet), ``params[0]`` the initial ones;
    ``history.metrics["validation accuracy"][t]`` is their accuracy on the validation
    images and ``history`` holds the training costs as :func:`lecture_utils.optim.train`
    records them. Choosing ``t`` on the validation images and keeping ``params[t]`` is
    early stopping; the test images play no part.
    """

    params: list
    history: History


@checked(X=array("N H H"), y=array("N"), X_val=array("M H H"), y_val=array("M"), n_filters=integer(1, 64),
         learning_rate=positive(), steps=integer(0, 10**4), rng=seed())
def lecture_validation_run(X, y, X_val, y_val, n_filters: int = 1, learning_rate: float = 0.001,
                           steps: int = 300, rng=0) -> ValidationRun:
    """:func:`train_lecture_model` on (X, y), keeping the parameters and the validation accuracy at every step.

    Parameters
    ----------
    X : (N, H, H) array
        Training images.
    y : (N,) array of 0/1 labels
    X_val : (M, H, H) array
        Validation images (taken from the training set, never the test set).
    y_val : (M,) array of 0/1 labels
    n_filters, learning_rate, steps, rng
        As in :func:`train_lecture_model` (the same seed starts from the same parameters).

    Returns
    -------
    ValidationRun
        ``steps + 1`` parameter dicts; ``history.losses`` holds E on (X, y) before each step
        and after the last, ``history.metrics["validation accuracy"]`` the accuracy on
        (X_val, y_val) of each parameter dict.
    """
    _check_targets(np.zeros((1, len(X))), y)
    _check_targets(np.zeros((1, len(X_val))), y_val, "y_val")
    f, W, b = lecture_init(n_filters, X.shape[1], 3, rng)
    kept = []

    def evaluate(p):
        kept.append(p)
        return {"validation accuracy": lecture_accuracy(X_val, y_val, p["f"], p["W"], p["b"])}

    _, history = train(lecture_objective, {"f": f, "W": W, "b": b}, X, y, learning_rate=learning_rate,
                       epochs=steps, shuffle=False, evaluate=evaluate)
    return ValidationRun(kept, history)


@checked(epochs=integer(1, 10**4), batch_size=integer(1), learning_rate=positive(),
         momentum=real(0, 1, max_open=True), decay=real(0, 1, min_open=True), rng=seed())
def lenet_validation_run(x, labels, x_val, y_val, params=None, epochs: int = 12, batch_size: int = 32,
                         learning_rate: float = 0.05, momentum: float = 0.9, decay: float = 0.85,
                         rng=0) -> ValidationRun:
    """:func:`train_lenet` on (x, labels), keeping the parameters and the validation accuracy after every epoch.

    Parameters
    ----------
    x : (N, 1, 8, 8) array
        Training images.
    labels : (N,) int array
    x_val : (M, 1, 8, 8) array
        Validation images (taken from the training set, never the test set).
    y_val : (M,) int array
    params, epochs, batch_size, learning_rate, momentum, decay, rng
        As in :func:`train_lenet`: the same arguments give the same updates, so
        ``run.params[e]`` equals ``train_lenet(..., epochs=e)``'s parameters.

    Returns
    -------
    ValidationRun
        ``epochs + 1`` parameter dicts; ``history.step_losses`` per update,
        ``history.metrics["validation accuracy"]`` per parameter dict.
    """
    params = lenet_init(rng=rng) if params is None else _check_params(params)
    x = _check_images(x, params)
    labels = _check_labels(labels, len(x), params["w3"].shape[1])
    x_val = _check_images(x_val, params, "x_val")
    y_val = _check_labels(y_val, len(x_val), params["w3"].shape[1], "y_val")
    kept = []

    def evaluate(p):
        kept.append(p)
        return {"validation accuracy": accuracy(lenet_predict_proba(x_val, p), y_val)}

    _, history = _train_lenet(x, labels, params, epochs, batch_size, learning_rate, momentum, decay, rng,
                              evaluate, verbose=False)
    return ValidationRun(kept, history)


@checked(k=integer(0, 10**9, " (more test examples than any test set holds)"),
         n=integer(1, 10**9, " (more test examples than any test set holds)"), z=positive())
def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple:
    """Wilson's score interval for a proportion: where a classifier's true accuracy lies, given k of n right.

    The accuracy on n test images is a binomial proportion ``k / n``. Wilson (1927) inverts
    the normal approximation of the score test: the interval holds every ``p`` with
    ``|k/n - p| <= z sqrt(p (1 - p) / n)``, whose ends solve a quadratic in ``p``::

        centre = (k + z^2 / 2) / (n + z^2)
        half   = z / (n + z^2) * sqrt(k (n - k) / n + z^2 / 4)

    Unlike ``k/n +- z sqrt(k/n (1 - k/n) / n)`` it stays inside [0, 1] and does not shrink
    to a point at k = n (100 of 100 right still leaves ``[n / (n + z^2), 1]``).

    Parameters
    ----------
    k : int
        Correct answers, 0 <= k <= n.
    n : int >= 1
        Test examples.
    z : float > 0
        Normal quantile; 1.96 for 95 %.

    Returns
    -------
    (low, high) : floats in [0, 1]
    """
    if k > n:
        raise ValueError(f"k must be at most n: k = {k} correct answers out of n = {n} examples is impossible")
    centre = (k + z * z / 2) / (n + z * z)
    half = z / (n + z * z) * math.sqrt(k * (n - k) / n + z * z / 4)
    return max(0.0, centre - half), min(1.0, centre + half)


@checked(filters=array("K R R | R R"), sigma=SIGMA)
def gaussian_derivative_share(filters, sigma: float = 1.0) -> dict:
    """How much of each filter is notebook 03's Gaussian blur and its steered first derivative.

    Notebook 03 builds its steerable filters from ``g`` and its derivatives ``g_x, g_y``
    (:func:`lecture_utils.steerable.gaussian_derivative_kernels`, sampled on the filter's
    grid); ``c_0 g + c_1 g_x + c_2 g_y = c_0 g + r (cos(a) g_x + sin(a) g_y)`` is a blur plus
    a first derivative steered to the angle ``a``. Each filter is projected (least squares)
    onto the span of the three; the share of its energy (sum of squares) in that span is
    1 for a blurred edge detector and 3 / (R R) on average for a filter of independent
    random weights (3 of R R dimensions: 1/3 for 3 x 3).

    Parameters
    ----------
    filters : (K, R, R) or (R, R) array
        A bank of square filters (one filter for an (R, R) array).
    sigma : float > 0
        The Gaussian's standard deviation in pixels (1 suits a 3 x 3 grid).

    Returns
    -------
    dict
        ``share`` (K,) energy fractions in [0, 1]; ``coefficients`` (K, 3) of g, g_x, g_y;
        ``angle`` (K,) the steering angle ``atan2(c_2, c_1)`` in radians; ``fit`` (K, R, R)
        the projections; ``basis`` (3, R, R) g, g_x, g_y.
    """
    bank = filters.reshape(-1, *filters.shape[-2:])
    scale = np.max(np.abs(bank), axis=(1, 2), keepdims=True)                    # the share is scale-free:
    if np.any(scale == 0):                                                       # squares of unit-size weights
        raise ValueError(f"filters {np.flatnonzero(scale.ravel() == 0).tolist()} are all zeros: they have no "
                         "shape to compare")
    unit = bank / scale
    basis = np.array(gaussian_derivative_kernels(sigma, bank.shape[-1]))       # (3, R, R)
    design = basis.reshape(3, -1).T                                              # (R R, 3)
    coefficients = np.linalg.lstsq(design, unit.reshape(len(bank), -1).T, rcond=None)[0].T   # (K, 3)
    fit = (coefficients @ design.T).reshape(bank.shape)
    share = np.sum(fit ** 2, axis=(1, 2)) / np.sum(unit ** 2, axis=(1, 2))
    coefficients = coefficients * scale[:, :, 0]
    return {"share": share, "coefficients": coefficients, "angle": np.arctan2(coefficients[:, 2], coefficients[:, 1]),
            "fit": fit * scale, "basis": basis}
