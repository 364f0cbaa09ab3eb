"""The linear network of lecture 1 (EN2550, "Backpropagation for a linear network").

Model and loss, with N examples, D features and K classes::

    y_hat = x w + b                      x (N, D), w (D, K), b (1, K) -> y_hat (N, K)
    L     = (1/N) sum_{n,k} (y_hat_nk - y_nk)^2      averaged over examples, not entries

Gradients (the lecture's matrix forms)::

    dL/dy_hat = (2/N) (y_hat - y)                    (N, K)
    dL/dw     = x^T dL/dy_hat                        (D, K)
    dL/db     = sum over rows of dL/dy_hat           (K,) or (1, K), like b
    dL/dx     = dL/dy_hat w^T                        (N, D)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validate import (all_float32, as_float_array, check_positive_float, check_positive_int,
                        default_rng)


def _check_bias(b, num_outputs: int, keep_float32: bool = False) -> np.ndarray:
    b = as_float_array(b, "b", ndim=(1, 2), keep_float32=keep_float32)
    if b.shape not in ((num_outputs,), (1, num_outputs)):
        raise ValueError(f"b must have shape ({num_outputs},) or (1, {num_outputs}) to match "
                         f"w's {num_outputs} columns, got {b.shape}")
    return b


def linear_forward(x, w, b):
    """Forward pass ``y_hat = x w + b`` (lecture slide 2).

    Parameters
    ----------
    x : (N, D) array
        One example per row.
    w : (D, K) array
        Weights.
    b : (K,) or (1, K) array
        Bias, added to every row.

    Returns
    -------
    y_hat : (N, K) array
        float64, or float32 when x, w and b are all float32 (the CNN's opt-in float32 path).
    cache : tuple (x, w, b)
        What :func:`linear_backward` needs.
    """
    keep_float32 = all_float32(x, w, b)   # otherwise all three become float64, as always
    x = as_float_array(x, "x", ndim=2, keep_float32=keep_float32)
    w = as_float_array(w, "w", ndim=2, keep_float32=keep_float32)
    if x.shape[1] != w.shape[0]:
        raise ValueError(f"x has {x.shape[1]} features (shape {x.shape}) but w expects "
                         f"{w.shape[0]} (shape {w.shape}); x w needs x.shape[1] == w.shape[0]")
    b = _check_bias(b, w.shape[1], keep_float32=keep_float32)
    y_hat = x @ w + b.reshape(1, -1)
    return y_hat, (x, w, b)


def mse_loss(y_hat, y):
    """The lecture's loss ``L = (1/N) sum (y_hat - y)^2`` and its gradient.

    The sum runs over all N*K entries but is divided by N, the number of
    examples (slide 3), so ``dL/dy_hat = 2 (y_hat - y) / N``.

    Parameters
    ----------
    y_hat : (N, K) array
        Predictions.
    y : (N, K) array
        Targets (one-hot rows in the lecture).

    Returns
    -------
    loss : float
    dL_dyhat : (N, K) array
    """
    y_hat = as_float_array(y_hat, "y_hat", ndim=2)
    y = as_float_array(y, "y", ndim=2)
    if y_hat.shape != y.shape:
        raise ValueError(f"y_hat and y must have the same shape, got {y_hat.shape} and {y.shape}")
    n = y_hat.shape[0]
    residual = y_hat - y
    return float(np.sum(residual ** 2) / n), 2.0 * residual / n


def linear_backward(dL_dyhat, cache):
    """Backward pass of ``y_hat = x w + b`` in matrix form (slides 5-6).

    Parameters
    ----------
    dL_dyhat : (N, K) array
        Upstream gradient.
    cache : tuple (x, w, b)
        From :func:`linear_forward`.

    Returns
    -------
    dx : (N, D) array
        ``dL/dy_hat w^T``.
    dw : (D, K) array
        ``x^T dL/dy_hat``.
    db : array of b's shape
        Column sums of ``dL/dy_hat`` (each b_k touches every row).
        All three are float32 when the forward pass and dL_dyhat were float32.
    """
    x, w, b = cache
    float32_layer = x.dtype == np.float32    # the forward made x, w, b all float32 or all float64
    dL_dyhat = as_float_array(dL_dyhat, "dL_dyhat", ndim=2, keep_float32=float32_layer)
    expected = (x.shape[0], w.shape[1])
    if dL_dyhat.shape != expected:
        raise ValueError(f"dL_dyhat must have y_hat's shape {expected}, got {dL_dyhat.shape}")
    dx = dL_dyhat @ w.T
    dw = x.T @ dL_dyhat
    db = dL_dyhat.sum(axis=0).reshape(b.shape)
    return dx, dw, db


def linear_backward_naive(dL_dyhat, cache):
    """The same gradients as :func:`linear_backward`, entry by entry, as the slides write them.

    ``dL/dw_ik = sum_n dL/dy_hat_nk * x_ni`` (the five-term sum for dL/dw11),
    ``dL/db_k = sum_n dL/dy_hat_nk`` and ``dL/dx_ni = sum_k dL/dy_hat_nk w_ik``.
    Loops on purpose: this is the lecture's derivation, kept for comparison.

    Parameters
    ----------
    dL_dyhat : (N, K) array
        Upstream gradient.
    cache : tuple (x, w, b)
        From :func:`linear_forward`: x (N, D), w (D, K), b (K,) or (1, K).

    Returns
    -------
    dx : (N, D) array
    dw : (D, K) array
    db : array of b's shape
    """
    x, w, b = cache
    dL_dyhat = as_float_array(dL_dyhat, "dL_dyhat", ndim=2)
    if dL_dyhat.shape != (x.shape[0], w.shape[1]):
        raise ValueError(f"dL_dyhat must have shape {(x.shape[0], w.shape[1])}, got {dL_dyhat.shape}")
    n_examples, n_features = x.shape
    n_outputs = w.shape[1]
    dw = np.zeros_like(w)
    for i in range(n_features):
        for k in range(n_outputs):
            for n in range(n_examples):
                dw[i, k] += dL_dyhat[n, k] * x[n, i]   # d y_hat_nk / d w_ik = x_ni
    db = np.zeros(n_outputs)
    for k in range(n_outputs):
        for n in range(n_examples):
            db[k] += dL_dyhat[n, k]                    # d y_hat_nk / d b_k = 1
    dx = np.zeros_like(x)
    for n in range(n_examples):
        for i in range(n_features):
            for k in range(n_outputs):
                dx[n, i] += dL_dyhat[n, k] * w[i, k]   # d y_hat_nk / d x_ni = w_ik
    return dx, dw, db.reshape(b.shape)


def one_hot(labels, num_classes: int) -> np.ndarray:
    """One-hot rows: ``one_hot([2, 0], 3) -> [[0, 0, 1], [1, 0, 0]]``.

    Parameters
    ----------
    labels : (N,) array of int
        Class indices in ``0 .. num_classes - 1``.
    num_classes : int

    Returns
    -------
    (N, num_classes) float64 array
    """
    num_classes = check_positive_int(num_classes, "num_classes")
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros((0, num_classes))   # np.asarray([]) is float64: nothing to check
    if not np.issubdtype(arr.dtype, np.integer):
        if not (np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr))):
            raise TypeError(f"labels must be integers, got dtype {arr.dtype} with values like {arr[:3]}")
        arr = arr.astype(np.int64)
    bad = (arr < 0) | (arr >= num_classes)
    if np.any(bad):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}, got {arr[bad][:5]}")
    out = np.zeros((arr.size, num_classes))
    out[np.arange(arr.size), arr] = 1.0
    return out


@dataclass
class TrainingRun:
    """Result of :func:`train_gradient_descent`: final parameters and the loss history."""

    w: np.ndarray
    b: np.ndarray
    losses: list = field(default_factory=list)

    @property
    def diverged(self) -> bool:
        """True when the loss blew up (training stops early at a loss above 1e12)."""
        return not np.isfinite(self.losses[-1]) or self.losses[-1] > 1e12


def train_gradient_descent(x, y, learning_rate: float = 0.1, steps: int = 100, rng=None,
                           init_scale: float = 0.01) -> TrainingRun:
    """Full-batch gradient descent on the lecture's loss.

    Parameters
    ----------
    x : (N, D) array
    y : (N, K) array
        Targets.
    learning_rate : float
        Step size eta in ``w <- w - eta dL/dw``.
    steps : int
        Number of updates.
    rng : Generator or int, optional
        Draws the initial weights, ``init_scale * N(0, 1)``; the bias starts at 0.
    init_scale : float
        Standard deviation of the initial weights (small, so the first outputs are
        close to 0 and, with one-hot targets, the first loss is close to 1).

    Returns
    -------
    TrainingRun
        ``losses[t]`` is the loss *before* update t, plus the final loss at the end
        (``steps + 1`` values). When the loss exceeds 1e12 (a learning rate above
        the stability limit) training stops early and the history is shorter.
    """
    x = as_float_array(x, "x", ndim=2)
    y = as_float_array(y, "y", ndim=2)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same number of rows, got {x.shape} and {y.shape}")
    learning_rate = check_positive_float(learning_rate, "learning_rate")
    steps = check_positive_int(steps, "steps", minimum=0)
    rng = default_rng(rng)
    w = init_scale * rng.standard_normal((x.shape[1], y.shape[1]))
    b = np.zeros((1, y.shape[1]))
    losses = []
    for _ in range(steps + 1):
        y_hat, cache = linear_forward(x, w, b)
        loss, dL_dyhat = mse_loss(y_hat, y)
        losses.append(loss)
        if not np.isfinite(loss) or loss > 1e12:
            break  # diverged (learning rate too large): stop before overflow, keep the history
        if len(losses) > steps:
            break
        _, dw, db = linear_backward(dL_dyhat, cache)
        w = w - learning_rate * dw
        b = b - learning_rate * db
    return TrainingRun(w=w, b=b, losses=losses)
