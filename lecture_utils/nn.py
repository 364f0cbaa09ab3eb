"""Neural networks from a single unit to backpropagation (lecture 6, second half).

Notation follows the lecture ("Learned feedforward visual processing")::

    unit:           y = f(a),  a = w^T x + b
    dense layer:    out = x w + b          x (N, D), w (D, M), b (M,) -> out (N, M)
    network:        x_i = F_i(x_{i-1}, w_i),  cost C(x_n, y)
    backprop:       dC/dx_{i-1} = dC/dx_i . dF_i/dx_{i-1}
                    dC/dw_i     = dC/dx_i . dF_i/dw_i

Every layer follows one contract, so one gradient checker
(:func:`lecture_utils.gradcheck.layer_gradient_errors`) serves them all::

    out, cache = layer_forward(inputs...)
    d_inputs   = layer_backward(dout, cache)      # one gradient per array input

Rows are examples: a batch of N inputs is an (N, D) array, so the lecture's
column-vector ``W x + b`` becomes the row form ``x w + b`` with ``w = W^T``.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_positive_float
from .linear import linear_backward, linear_forward, mse_loss, one_hot

__all__ = [
    "sigmoid", "softmax",
    "sigmoid_forward", "sigmoid_backward", "tanh_forward", "tanh_backward",
    "relu_forward", "relu_backward", "leaky_relu_forward", "leaky_relu_backward",
    "identity_forward", "identity_backward",
    "dense_forward", "dense_backward", "softmax_cross_entropy", "mse_loss",
]


# --- element-wise non-linearities --------------------------------------------------

def sigmoid(a):
    """Logistic sigmoid ``f(a) = 1 / (1 + exp(-a))``, without overflow.

    ``exp(-a)`` overflows for a < -709, so negative entries use the equal form
    ``exp(a) / (1 + exp(a))``, whose exponent is never positive.

    Parameters
    ----------
    a : array_like, any shape
        Activations (unitless).

    Returns
    -------
    array of a's shape, values in [0, 1]
    """
    a = as_float_array(a, "a")
    out = np.empty_like(a)
    positive = a >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-a[positive]))
    e = np.exp(a[~positive])  # a < 0, so e lies in (0, 1): no overflow
    out[~positive] = e / (1.0 + e)
    return out


def softmax(s, axis: int = -1):
    """Softmax ``p_j = exp(s_j) / sum_k exp(s_k)`` along ``axis``, stable for large scores.

    Subtracting the maximum score leaves p unchanged (numerator and denominator
    gain the same factor) and keeps every exponent <= 0, so nothing overflows.

    Parameters
    ----------
    s : array_like, at least 1-D
        Scores (logits), e.g. (N, C) with one row per example.
    axis : int
        The class axis.

    Returns
    -------
    p : array of s's shape; entries in [0, 1], summing to 1 along ``axis``
    """
    s = as_float_array(s, "s")
    if s.ndim == 0:
        raise ValueError("s must be at least 1-D (scores of the classes), got a scalar")
    if not isinstance(axis, (int, np.integer)) or not -s.ndim <= axis < s.ndim:
        raise ValueError(f"axis must be an integer in [{-s.ndim}, {s.ndim - 1}] for s of shape "
                         f"{s.shape}, got {axis!r}")
    shifted = s - s.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


# --- activation layers: forward -> (out, cache), backward(dout, cache) -> da -------

def _check_dout(dout, shape) -> np.ndarray:
    dout = as_float_array(dout, "dout")
    if dout.shape != tuple(shape):
        raise ValueError(f"dout must have the layer output's shape {tuple(shape)}, got {dout.shape}")
    return dout


def sigmoid_forward(a):
    """Sigmoid layer ``y = sigmoid(a)``.

    Parameters
    ----------
    a : array_like, any shape
        Pre-activations.

    Returns
    -------
    y : array of a's shape
    cache : array
        The *output* y, because ``f'(a) = f(a) (1 - f(a)) = y (1 - y)``.
    """
    y = sigmoid(a)
    return y, y


def sigmoid_backward(dout, cache):
    """Backward pass of the sigmoid layer: ``dC/da = dC/dy * y (1 - y)``.

    Parameters
    ----------
    dout : array, y's shape
        Upstream gradient dC/dy.
    cache : array
        The output y from :func:`sigmoid_forward` (not the pre-activation a).

    Returns
    -------
    da : array of y's shape
    """
    y = cache
    dout = _check_dout(dout, y.shape)
    return dout * y * (1.0 - y)


def tanh_forward(a):
    """Tanh layer ``y = tanh(a) = (e^a - e^-a) / (e^a + e^-a)``; the cache is the output y.

    Parameters
    ----------
    a : array_like, any shape

    Returns
    -------
    y : array of a's shape, values in [-1, 1]
    cache : array y, since ``f'(a) = 1 - y^2``
    """
    a = as_float_array(a, "a")
    y = np.tanh(a)  # numpy's tanh saturates to +-1 without overflow
    return y, y


def tanh_backward(dout, cache):
    """Backward pass of the tanh layer: ``dC/da = dC/dy * (1 - y^2)``.

    Parameters
    ----------
    dout : array, y's shape
    cache : array y from :func:`tanh_forward`

    Returns
    -------
    da : array of y's shape
    """
    y = cache
    dout = _check_dout(dout, y.shape)
    return dout * (1.0 - y ** 2)


def relu_forward(a):
    """ReLU layer ``y = max(a, 0)``; the cache is the pre-activation a.

    Parameters
    ----------
    a : array_like, any shape

    Returns
    -------
    y : array of a's shape
    cache : array a (the derivative depends on the sign of a)
    """
    a = as_float_array(a, "a")
    return np.maximum(a, 0.0), a


def relu_backward(dout, cache):
    """Backward pass of ReLU: ``f'(a) = 1`` for a >= 0 and 0 for a < 0 (the lecture's convention at 0).

    Parameters
    ----------
    dout : array, a's shape
    cache : array a from :func:`relu_forward`

    Returns
    -------
    da : array of a's shape
    """
    a = cache
    dout = _check_dout(dout, a.shape)
    return dout * (a >= 0)


def leaky_relu_forward(a, alpha: float = 0.01):
    """Leaky ReLU layer ``y = a`` for a >= 0 and ``alpha * a`` for a < 0.

    Parameters
    ----------
    a : array_like, any shape
    alpha : float >= 0
        Slope for negative inputs (the lecture suggests e.g. 0.02).

    Returns
    -------
    y : array of a's shape
    cache : tuple (a, alpha)
    """
    a = as_float_array(a, "a")
    alpha = check_positive_float(alpha, "alpha", allow_zero=True)
    return np.where(a >= 0, a, alpha * a), (a, alpha)


def leaky_relu_backward(dout, cache):
    """Backward pass of leaky ReLU: ``f'(a) = 1`` for a >= 0 and ``+alpha`` for a < 0.

    The converted notes print ``-alpha``; the slope of ``alpha * a`` is ``+alpha``.

    Parameters
    ----------
    dout : array, a's shape
    cache : tuple (a, alpha) from :func:`leaky_relu_forward`

    Returns
    -------
    da : array of a's shape
    """
    a, alpha = cache
    dout = _check_dout(dout, a.shape)
    return dout * np.where(a >= 0, 1.0, alpha)


def identity_forward(a):
    """Identity layer ``y = a`` (a linear output unit); the cache is a's shape."""
    a = as_float_array(a, "a")
    return a.copy(), a.shape


def identity_backward(dout, cache):
    """Backward pass of the identity: ``dC/da = dC/dy``."""
    return _check_dout(dout, cache).copy()


# --- dense (fully connected) layer -------------------------------------------------

def dense_forward(x, w, b):
    """Fully connected layer ``out = x w + b`` (the lecture's ``a = W x + b``, one row per example).

    Parameters
    ----------
    x : (N, D) array
        N inputs with D features.
    w : (D, M) array
        Weights; column m holds unit m's weights.
    b : (M,) array
        Biases (a (1, M) row is accepted too).

    Returns
    -------
    out : (N, M) array
    cache : tuple (x, w, b) for :func:`dense_backward`
    """
    return linear_forward(x, w, b)


def dense_backward(dout, cache):
    """Backward pass of the dense layer (the matrix forms of lecture 1).

    Parameters
    ----------
    dout : (N, M) array
        Upstream gradient dC/dout.
    cache : tuple (x, w, b) from :func:`dense_forward`

    Returns
    -------
    dx : (N, D) array
        ``dout w^T``.
    dw : (D, M) array
        ``x^T dout`` (sums over the batch).
    db : array of b's shape
        Column sums of dout (each bias touches every example).
    """
    x, w, _ = cache
    dout = _check_dout(dout, (x.shape[0], w.shape[1]))
    return linear_backward(dout, cache)


# --- losses ------------------------------------------------------------------------

def _targets(labels, scores_shape) -> np.ndarray:
    """Integer labels (N,) or target rows (N, C) -> (N, C) float rows that sum to 1."""
    n, c = scores_shape
    arr = np.asarray(labels)
    if arr.ndim == 1:
        if arr.shape[0] != n:
            raise ValueError(f"labels must have one entry per row of scores ({n},), got shape {arr.shape}")
        return one_hot(arr, c)  # names `labels` in its own errors (range, integer dtype)
    if arr.ndim != 2 or arr.shape != (n, c):
        raise ValueError(f"labels must be integer classes of shape ({n},) or one-hot rows of shape "
                         f"({n}, {c}) to match scores, got shape {arr.shape}")
    t = as_float_array(arr, "labels")
    if np.any(t < 0) or not np.allclose(t.sum(axis=1), 1.0, atol=1e-9):
        raise ValueError("labels given as rows must be one-hot (non-negative, each row summing to 1), "
                         f"got row sums {t.sum(axis=1)[:5]}")
    return t


def softmax_cross_entropy(scores, labels):
    """Softmax cross-entropy averaged over N examples, and its gradient.

    For one example with scores s and target row t (one-hot: class a),
    ``C = -sum_j t_j log p_j = -s_a + log sum_j exp(s_j)`` with ``p = softmax(s)``,
    and ``dC/ds = p - t``. The loss here is the mean over the N rows, so
    ``dL/dscores = (softmax(scores) - t) / N``. Log-sum-exp is computed after
    subtracting the row maximum, so logits of 1e3 neither overflow nor give
    ``log(0)``.

    Parameters
    ----------
    scores : (N, C) array
        Logits, one row per example.
    labels : (N,) array of int in 0..C-1, or (N, C) one-hot rows
        Targets.

    Returns
    -------
    loss : float
        Mean cross-entropy, in nats.
    dscores : (N, C) array
        ``(softmax(scores) - t) / N``.
    """
    scores = as_float_array(scores, "scores", ndim=2)
    t = _targets(labels, scores.shape)
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_sum_exp = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_sum_exp  # log softmax, finite for any finite scores
    loss = -float(np.sum(t * log_p)) / n
    dscores = (np.exp(log_p) - t) / n
    return loss, dscores
