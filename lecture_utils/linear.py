"""The linear network of lecture 1 (EN2550, "Backpropagation for a linear network").

Model and loss, with N examples, D features and K classes::

    y_hat = x w + b                      x (N, D), w (D, K), b (1, K) -> y_hat (N, K)
    L     = (1/N) sum_{n,k} (y_hat_nk - y_nk)^2      averaged over examples, not entries

Gradients (the lecture's matrix forms)::

    dL/dy_hat = (2/N) (y_hat - y)                    (N, K)
    dL/dw     = x^T dL/dy_hat                        (D, K)
    dL/db     = sum over rows of dL/dy_hat           (K,) or (1, K), like b
    dL/dx     = dL/dy_hat w^T                        (N, D)

Every layer of the course follows one contract: ``forward(...) -> (out, cache)`` and
``backward(dout, cache) -> (d_inputs...)``, where ``dout`` is the upstream gradient
(here dL/dy_hat) and ``cache`` is what the forward pass kept.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import OVERFLOWS, array, checked, gradient, instance, integer, parameters, positive, real, seed
from .optim import train


class LinearCache(NamedTuple):
    """What :func:`linear_backward` needs from :func:`linear_forward`."""

    x: np.ndarray   # (N, D)
    w: np.ndarray   # (D, K)
    b: np.ndarray   # (K,) or (1, K)

    @property
    def out_shape(self) -> tuple:
        """Shape of y_hat, (N, K)."""
        return (self.x.shape[0], self.w.shape[1])


@checked(x=array("N D"), w=array("D K"), b=array("K | 1 K"))
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
    cache : LinearCache
        ``(x, w, b)``, what :func:`linear_backward` needs.
    """
    y_hat = x @ w + b.reshape(1, -1)
    return y_hat, LinearCache(x, w, b)


@checked(y_hat=array("N K", limit=OVERFLOWS), y=array("N K", limit=OVERFLOWS))
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
    n = y_hat.shape[0]
    residual = y_hat - y
    return float(np.sum(residual ** 2) / n), 2.0 * residual / n


@checked(cache=instance(LinearCache, made_by="linear_forward"), dout=gradient(of="cache"))
def linear_backward(dout, cache):
    """Backward pass of ``y_hat = x w + b`` in matrix form (slides 5-6).

    Parameters
    ----------
    dout : (N, K) array
        Upstream gradient dL/dy_hat.
    cache : LinearCache
        From :func:`linear_forward`.

    Returns
    -------
    dx : (N, D) array
        ``dL/dy_hat w^T``.
    dw : (D, K) array
        ``x^T dL/dy_hat``.
    db : array of b's shape
        Column sums of ``dL/dy_hat`` (each b_k touches every row).
    """
    x, w, b = cache
    dx = dout @ w.T
    dw = x.T @ dout
    db = dout.sum(axis=0).reshape(b.shape)
    return dx, dw, db


@checked(cache=instance(LinearCache, made_by="linear_forward"), dout=gradient(of="cache"))
def linear_backward_naive(dout, cache):
    """The same gradients as :func:`linear_backward`, entry by entry, as the slides write them.

    ``dL/dw_ik = sum_n dL/dy_hat_nk * x_ni`` (the five-term sum for dL/dw11),
    ``dL/db_k = sum_n dL/dy_hat_nk`` and ``dL/dx_ni = sum_k dL/dy_hat_nk w_ik``.
    Loops on purpose: this is the lecture's derivation, kept for comparison.

    Parameters and returns as :func:`linear_backward`.
    """
    x, w, b = cache
    n_examples, n_features = x.shape
    n_outputs = w.shape[1]
    dw = np.zeros_like(w)
    for i in range(n_features):
        for k in range(n_outputs):
            for n in range(n_examples):
                dw[i, k] += dout[n, k] * x[n, i]     # d y_hat_nk / d w_ik = x_ni
    db = np.zeros(n_outputs)
    for k in range(n_outputs):
        for n in range(n_examples):
            db[k] += dout[n, k]                      # d y_hat_nk / d b_k = 1
    dx = np.zeros_like(x)
    for n in range(n_examples):
        for i in range(n_features):
            for k in range(n_outputs):
                dx[n, i] += dout[n, k] * w[i, k]     # d y_hat_nk / d x_ni = w_ik
    return dx, dw, db.reshape(b.shape)


def _check_labels(labels, num_classes):
    """Integer class labels (N,) in 0..num_classes-1; an empty list gives N = 0."""
    arr = np.asarray(labels)
    if arr.size == 0 and arr.ndim == 1:
        return arr.astype(np.int64)          # np.asarray([]) is float64: nothing to check
    if np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        arr = arr.astype(np.int64)           # 2.0 is the class 2
    arr = array("N", dtype="int")(arr, "labels", {})
    bad = (arr < 0) | (arr >= num_classes)
    if np.any(bad):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}, got {arr[bad][:5].tolist()}")
    return arr


@checked(num_classes=integer(1, 10**5, " (one column per class)"))
def one_hot(labels, num_classes: int) -> np.ndarray:
    """One-hot rows: ``one_hot([2, 0], 3) -> [[0, 0, 1], [1, 0, 0]]``.

    Parameters
    ----------
    labels : (N,) array of int
        Class indices in ``0 .. num_classes - 1`` (N = 0 gives an empty (0, num_classes) array).
    num_classes : int

    Returns
    -------
    (N, num_classes) float64 array
    """
    labels = _check_labels(labels, num_classes)
    out = np.zeros((labels.size, num_classes))
    out[np.arange(labels.size), labels] = 1.0
    return out


@checked(params=parameters(shapes={"w": "D K", "b": "K | 1 K"}), x=array("N D", limit=OVERFLOWS),
         y=array("N K", limit=OVERFLOWS))
def linear_loss(params, x, y):
    """The lecture's loss of ``y_hat = x w + b`` and its gradients, for :func:`lecture_utils.optim.train`.

    Parameters
    ----------
    params : dict with ``"w"`` (D, K) and ``"b"`` (1, K)
    x : (N, D) array
    y : (N, K) array

    Returns
    -------
    loss : float
    grads : dict with ``"w"`` and ``"b"``
    """
    y_hat, cache = linear_forward(x, params["w"], params["b"])
    loss, dL_dyhat = mse_loss(y_hat, y)
    _, dw, db = linear_backward(dL_dyhat, cache)
    return loss, {"w": dw, "b": db}


@checked(x=array("N D", limit=OVERFLOWS), y=array("N K", limit=OVERFLOWS), learning_rate=positive(),
         steps=integer(0, 10**6), rng=seed(), init_scale=real(0, 1e6, min_open=True))
def train_gradient_descent(x, y, learning_rate: float = 0.1, steps: int = 100, rng=None,
                           init_scale: float = 0.01):
    """Full-batch gradient descent ``w <- w - eta dL/dw``, ``b <- b - eta dL/db`` on the lecture's loss.

    Parameters
    ----------
    x : (N, D) array
    y : (N, K) array
        Targets.
    learning_rate : float
        Step size eta.
    steps : int
        Number of updates.
    rng : Generator or int, optional
        Draws the initial weights, ``init_scale * N(0, 1)``; the bias starts at 0.
    init_scale : float in (0, 1e6]
        Standard deviation of the initial weights (small, so the first outputs are
        close to 0 and, with one-hot targets, the first loss is close to 1).

    Returns
    -------
    params : dict
        The final ``"w"`` (D, K) and ``"b"`` (1, K).
    history : lecture_utils.optim.History
        ``history.losses[t]`` is the loss before update t, then the final loss
        (``steps + 1`` values). Above the stability limit the loss blows up; training
        stops once it passes 1e12 (``history.diverged``) and the history is shorter.
    """
    params = {"w": init_scale * rng.standard_normal((x.shape[1], y.shape[1])),
              "b": np.zeros((1, y.shape[1]))}
    return train(linear_loss, params, x, y, learning_rate=learning_rate, epochs=steps, shuffle=False)
