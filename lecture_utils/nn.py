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

from dataclasses import dataclass, field

import numpy as np

from ._validate import (as_float_array, check_choice, check_positive_float, check_positive_int,
                        default_rng)
from .linear import linear_backward, linear_forward, mse_loss, one_hot

__all__ = [
    "sigmoid", "softmax",
    "sigmoid_forward", "sigmoid_backward", "tanh_forward", "tanh_backward",
    "relu_forward", "relu_backward", "leaky_relu_forward", "leaky_relu_backward",
    "identity_forward", "identity_backward",
    "dense_forward", "dense_backward", "softmax_cross_entropy", "mse_loss",
    "ACTIVATIONS", "LOSSES", "MLP", "sgd_step", "SGDHistory", "train_sgd", "fit_bfgs",
    "PerceptronRun", "perceptron_predict", "perceptron_train", "jacobian",
    "SGDDemo", "sgd_demo", "draw_sgd_demo", "sgd_explorer",
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
        (float32 for float32 s, float64 otherwise)
    """
    s = as_float_array(s, "s", keep_float32=True)
    if s.ndim == 0:
        raise ValueError("s must be at least 1-D (scores of the classes), got a scalar")
    if not isinstance(axis, (int, np.integer)) or not -s.ndim <= axis < s.ndim:
        raise ValueError(f"axis must be an integer in [{-s.ndim}, {s.ndim - 1}] for s of shape "
                         f"{s.shape}, got {axis!r}")
    shifted = s - s.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


# --- activation layers: forward -> (out, cache), backward(dout, cache) -> da -------

def _check_dout(dout, shape, keep_float32=False) -> np.ndarray:
    dout = as_float_array(dout, "dout", keep_float32=keep_float32)
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
    y : array of a's shape (float32 for float32 a)
    cache : array a (the derivative depends on the sign of a)
    """
    a = as_float_array(a, "a", keep_float32=True)
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
    dout = _check_dout(dout, a.shape, keep_float32=a.dtype == np.float32)  # float32 only for a float32 layer
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
    """Identity layer ``y = a``: the linear output unit of the lecture's figure 5.3 network.

    Parameters
    ----------
    a : array_like, any shape

    Returns
    -------
    y : array of a's shape (a copy)
    cache : tuple, a's shape (all the backward pass needs)
    """
    a = as_float_array(a, "a")
    return a.copy(), a.shape


def identity_backward(dout, cache):
    """Backward pass of the identity: ``dC/da = dC/dy`` (f'(a) = 1).

    Parameters
    ----------
    dout : array of the output's shape
    cache : tuple, the shape from :func:`identity_forward`

    Returns
    -------
    da : array of dout's shape
    """
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
    float32_layer = x.dtype == np.float32    # the forward made x, w, b all float32 or all float64
    dout = _check_dout(dout, (x.shape[0], w.shape[1]), keep_float32=float32_layer)
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
        ``(softmax(scores) - t) / N``, float32 for float32 scores.
    """
    scores = as_float_array(scores, "scores", ndim=2, keep_float32=True)
    t = _targets(labels, scores.shape).astype(scores.dtype, copy=False)  # no-op for float64 scores
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_sum_exp = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_sum_exp  # log softmax, finite for any finite scores
    loss = -float(np.sum(t * log_p)) / n
    dscores = (np.exp(log_p) - t) / n
    return loss, dscores


# --- multi-layer perceptron --------------------------------------------------------

ACTIVATIONS = {
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "identity": (identity_forward, identity_backward),
}
LOSSES = {"mse": mse_loss, "softmax_cross_entropy": softmax_cross_entropy}


def _check_sizes(sizes) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise ValueError(f"sizes must list at least two layer sizes [inputs, ..., outputs], got {sizes!r}")
    for i, size in enumerate(sizes):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"sizes must be positive integers, got sizes[{i}] = {size!r} in {list(sizes)}")
    return [int(s) for s in sizes]


def _check_activations(activations, n_layers: int) -> list[str]:
    if isinstance(activations, str):
        raise TypeError(f"activations must be a list with one name per layer ({n_layers}), "
                        f"got the string {activations!r}; e.g. ['tanh', 'identity']")
    activations = list(activations)
    if len(activations) != n_layers:
        raise ValueError(f"activations must name one non-linearity per layer: sizes give {n_layers} "
                         f"layers, got {len(activations)} names {activations}")
    for i, name in enumerate(activations):
        if name not in ACTIVATIONS:
            raise ValueError(f"activations[{i}] must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return activations


class MLP:
    """A fully connected network ``x_i = f_i(x_{i-1} w_i + b_i)``, i = 1..n.

    Parameters
    ----------
    sizes : list of int
        ``[D, H_1, ..., H_{n-1}, K]``: input features, hidden units per layer, outputs.
        By the lecture's convention the number of layers is ``len(sizes) - 1``
        (hidden + output, not the input).
    activations : list of str
        One name per layer from ``ACTIVATIONS`` (``"identity"`` for a linear output).
    rng : Generator or int, optional
        Draws the initial weights ``w_i ~ N(0, 1 / fan_in)``; biases start at 0.

    Attributes
    ----------
    params : dict
        ``"w1": (D, H_1)``, ``"b1": (H_1,)``, ..., the arrays the optimiser updates.
    grads : dict
        Same keys and shapes; filled by :meth:`backward`.
    """

    def __init__(self, sizes, activations, rng=None):
        self.sizes = _check_sizes(sizes)
        self.activations = _check_activations(activations, len(self.sizes) - 1)
        rng = default_rng(rng)
        self.params = {}
        for i, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            # 1/fan_in variance keeps each pre-activation of order 1 at the start.
            self.params[f"w{i}"] = rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)
            self.params[f"b{i}"] = np.zeros(fan_out)
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}

    @property
    def n_layers(self) -> int:
        """Number of layers (hidden + output)."""
        return len(self.sizes) - 1

    def __repr__(self):
        return f"MLP(sizes={self.sizes}, activations={self.activations})"

    def forward(self, x):
        """Forward pass ``x_i = F_i(x_{i-1}, w_i)`` for every layer.

        Parameters
        ----------
        x : (N, D) array

        Returns
        -------
        out : (N, K) array
            The network output x_n.
        cache : list of (dense cache, activation cache), one per layer
        """
        x = as_float_array(x, "x", ndim=2)
        if x.shape[1] != self.sizes[0]:
            raise ValueError(f"x has {x.shape[1]} features (shape {x.shape}) but the network's "
                             f"first layer expects {self.sizes[0]} (sizes {self.sizes})")
        cache = []
        for i, name in enumerate(self.activations, start=1):
            a, dense_cache = dense_forward(x, self.params[f"w{i}"], self.params[f"b{i}"])
            x, act_cache = ACTIVATIONS[name][0](a)
            cache.append((dense_cache, act_cache))
        return x, cache

    def backward(self, dout, cache):
        """Backward pass: the lecture's two recurrences, layer n down to layer 1.

        ``dC/dx_{i-1} = dC/dx_i . dF_i/dx_{i-1}`` and ``dC/dw_i = dC/dx_i . dF_i/dw_i``.

        Parameters
        ----------
        dout : (N, K) array
            dC/dx_n, e.g. the gradient returned by the loss.
        cache : list
            From :meth:`forward`.

        Returns
        -------
        dx : (N, D) array
            dC/dx_0. The parameter gradients are stored in ``self.grads``.
        """
        for i in range(self.n_layers, 0, -1):
            dense_cache, act_cache = cache[i - 1]
            da = ACTIVATIONS[self.activations[i - 1]][1](dout, act_cache)
            dout, self.grads[f"w{i}"], self.grads[f"b{i}"] = dense_backward(da, dense_cache)
        return dout

    def predict(self, x):
        """Network output x_n for inputs x (N, D) -> (N, K)."""
        return self.forward(x)[0]

    def layer_outputs(self, x) -> list:
        """``[x_0, x_1, ..., x_n]``: every layer's output (after its non-linearity)."""
        out, cache = self.forward(x)
        outputs = [dense_cache[0] for dense_cache, _ in cache]  # each layer's input
        return outputs + [out]

    def loss(self, x, y, loss: str = "mse"):
        """Cost on a batch and its gradients (forward, cost, backward).

        Parameters
        ----------
        x : (N, D) array
        y : targets for the chosen loss: (N, K) for ``"mse"``; (N,) integer
            classes or (N, K) one-hot rows for ``"softmax_cross_entropy"``
        loss : {"mse", "softmax_cross_entropy"}
            ``"mse"`` is ``(1/N) sum (x_n - y)^2`` (averaged over examples, as in lecture 1).

        Returns
        -------
        value : float
        grads : dict
            dE/dtheta for every entry of ``self.params`` (same keys and shapes).
        """
        check_choice(loss, "loss", LOSSES)
        out, cache = self.forward(x)
        value, dout = LOSSES[loss](out, y)
        self.backward(dout, cache)
        return value, dict(self.grads)  # a snapshot: later passes refill self.grads


def sgd_step(params: dict, grads: dict, learning_rate: float) -> dict:
    """One gradient-descent update ``theta <- theta - eta dE/dtheta`` for every parameter.

    The notes print ``+ eta``; descending the cost needs the minus sign.

    Parameters
    ----------
    params, grads : dict of str -> array
        Same keys, matching shapes.
    learning_rate : float > 0
        eta.

    Returns
    -------
    dict
        New arrays; the inputs are not modified.
    """
    learning_rate = check_positive_float(learning_rate, "learning_rate")
    if set(params) != set(grads):
        raise ValueError(f"grads must have the same keys as params, got {sorted(grads)} "
                         f"for params {sorted(params)}")
    new = {}
    for name, value in params.items():
        g = as_float_array(grads[name], f"grads[{name!r}]")
        if g.shape != np.shape(value):
            raise ValueError(f"grads[{name!r}] must have shape {np.shape(value)} like params[{name!r}], "
                             f"got {g.shape}")
        new[name] = value - learning_rate * g
    return new


@dataclass
class SGDHistory:
    """Result of :func:`train_sgd`: the full training-set cost before training and after each epoch."""

    losses: list = field(default_factory=list)
    updates_per_epoch: int = 0
    batch_size: int = 0
    stopped_early: bool = False

    @property
    def diverged(self) -> bool:
        """True when a cost exceeded 1e12 or became non-finite (training then stops)."""
        return self.stopped_early or not np.isfinite(self.losses[-1]) or self.losses[-1] > 1e12


def _check_xy(model: MLP, x, y, loss: str):
    x = as_float_array(x, "x", ndim=2)
    y = np.asarray(y)
    n, k = x.shape[0], model.sizes[-1]
    if y.ndim == 0 or y.shape[0] != n:
        raise ValueError(f"y must have one row per example of x ({n}), got shape {y.shape}")
    if loss == "mse" and y.shape != (n, k):
        raise ValueError(f"y must have shape ({n}, {k}) for the 'mse' loss (one row of the network's {k} "
                         f"outputs per example), got shape {y.shape}")
    if loss == "softmax_cross_entropy" and y.shape not in ((n,), (n, k)):
        raise ValueError(f"y must be integer classes of shape ({n},) or one-hot rows of shape ({n}, {k}) "
                         f"for 'softmax_cross_entropy', got shape {y.shape}")
    model.loss(x[:1], y[:1], loss)  # checks x's features, label values and dtypes before any training
    return x, y


def train_sgd(model: MLP, x, y, loss: str = "mse", learning_rate: float = 0.1,
              batch_size: int | None = None, epochs: int = 100, rng=None) -> SGDHistory:
    """Mini-batch stochastic gradient descent, updating ``model.params`` in place.

    Each epoch shuffles the N examples and takes one :func:`sgd_step` per batch
    of ``batch_size`` (the last batch may be smaller). ``batch_size=1`` updates
    after every example; ``batch_size=N`` is standard (full-batch) gradient descent.
    The cost of a batch is its mean, so the step size does not grow with the batch.

    Parameters
    ----------
    model : MLP
    x : (N, D) array
    y : targets for ``loss`` (see :meth:`MLP.loss`)
    loss : {"mse", "softmax_cross_entropy"}
    learning_rate : float > 0
    batch_size : int in 1..N, optional
        Defaults to N (full batch).
    epochs : int >= 0
        Passes over the training set.
    rng : Generator or int, optional
        Shuffles the examples each epoch.

    Returns
    -------
    SGDHistory
        ``losses[e]`` is the cost on the whole set after e epochs (``epochs + 1`` values).
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    check_choice(loss, "loss", LOSSES)
    x, y = _check_xy(model, x, y, loss)
    n = x.shape[0]
    batch_size = n if batch_size is None else check_positive_int(batch_size, "batch_size")
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of examples N = {n}, got {batch_size}")
    learning_rate = check_positive_float(learning_rate, "learning_rate")
    epochs = check_positive_int(epochs, "epochs", minimum=0)
    rng = default_rng(rng)
    def cost_on_all_examples():
        return LOSSES[loss](model.predict(x), y)[0]   # forward only: no gradient needed

    history = SGDHistory(losses=[cost_on_all_examples()],
                         updates_per_epoch=-(-n // batch_size), batch_size=batch_size)
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            batch_cost, grads = model.loss(x[batch], y[batch], loss)
            if not batch_cost <= 1e12:
                history.stopped_early = True  # learning rate too large: stop before anything overflows
                break
            model.params = sgd_step(model.params, grads, learning_rate)
        history.losses.append(cost_on_all_examples())
        if history.diverged:
            break
    return history


def fit_bfgs(model: MLP, x, y, loss: str = "mse", max_iter: int = 300, tol: float = 1e-12) -> float:
    """Full-batch fit with scipy's BFGS, using backprop for the gradient; updates ``model.params``.

    Backprop only supplies ``dE/dtheta``; any gradient-based optimiser can use it.
    BFGS (a quasi-Newton method that builds a dense estimate of the inverse Hessian,
    fine for the few dozen parameters of the lecture's small networks) fits the step
    function of the lecture's figure 5.3 with 3 tanh units to an MSE below 1e-6 in
    300 iterations; full-batch gradient descent (learning rate 0.2) is still at 0.017
    after 10^4 steps.

    Parameters
    ----------
    model : MLP
    x : (N, D) array
    y : targets for ``loss``
    loss : {"mse", "softmax_cross_entropy"}
    max_iter : int
        Iteration cap.
    tol : float
        Gradient-norm tolerance passed to scipy (``gtol``).

    Returns
    -------
    float
        The final cost.
    """
    from scipy.optimize import minimize

    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    check_choice(loss, "loss", LOSSES)
    x, y = _check_xy(model, x, y, loss)
    max_iter = check_positive_int(max_iter, "max_iter")
    tol = check_positive_float(tol, "tol")
    names = list(model.params)
    shapes = [model.params[k].shape for k in names]
    splits = np.cumsum([int(np.prod(s)) for s in shapes])[:-1]

    def unpack(theta):
        return {k: part.reshape(s) for k, part, s in zip(names, np.split(theta, splits), shapes)}

    def cost_and_gradient(theta):
        model.params = unpack(theta)
        value, grads = model.loss(x, y, loss)
        return value, np.concatenate([grads[k].ravel() for k in names])

    theta0 = np.concatenate([model.params[k].ravel() for k in names])
    result = minimize(cost_and_gradient, theta0, jac=True, method="BFGS",
                      options={"maxiter": max_iter, "gtol": tol})
    model.params = unpack(result.x)
    return model.loss(x, y, loss)[0]


# --- Rosenblatt's perceptron (1958) ------------------------------------------------

@dataclass
class PerceptronRun:
    """Result of :func:`perceptron_train`: weights, bias and mistakes made in each epoch."""

    w: np.ndarray
    b: float
    mistakes: list = field(default_factory=list)

    @property
    def converged(self) -> bool:
        """True when the last epoch made no mistake (every example classified correctly)."""
        return self.mistakes[-1] == 0


def _check_binary_labels(y, n: int) -> np.ndarray:
    y = as_float_array(y, "y", ndim=1)
    if y.shape[0] != n:
        raise ValueError(f"y must have one label per row of x ({n},), got shape {y.shape}")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"y must hold labels 0 or 1, got values {np.unique(y)[:5]}")
    return y


def perceptron_predict(x, w, b):
    """Threshold unit ``y = 1 if w^T x + b > 0 else 0`` for each row of x.

    Parameters
    ----------
    x : (N, D) array
    w : (D,) array
    b : float

    Returns
    -------
    (N,) int array of 0/1
    """
    x = as_float_array(x, "x", ndim=2)
    w = as_float_array(w, "w", ndim=1)
    if w.shape[0] != x.shape[1]:
        raise ValueError(f"w must have one weight per feature of x ({x.shape[1]},), got shape {w.shape}")
    b = float(as_float_array(b, "b", ndim=0))
    return (x @ w + b > 0).astype(int)


def perceptron_train(x, y, epochs: int = 20, learning_rate: float = 1.0) -> PerceptronRun:
    """Rosenblatt's learning rule, one example at a time, weights and bias starting at 0.

    For each example: ``y_hat = step(w^T x + b)``, then
    ``w <- w + eta (y - y_hat) x`` and ``b <- b + eta (y - y_hat)``, which changes
    the weights only on a mistake. On linearly separable data the number of
    mistakes per epoch reaches 0 (the perceptron convergence theorem); on XOR it never does.

    Parameters
    ----------
    x : (N, D) array
    y : (N,) array of 0/1 labels
    epochs : int >= 1
        Passes over the data, in the given order (deterministic).
    learning_rate : float > 0
        eta.

    Returns
    -------
    PerceptronRun
        ``mistakes[e]`` counts the updates made during epoch e.
    """
    x = as_float_array(x, "x", ndim=2)
    y = _check_binary_labels(y, x.shape[0])
    epochs = check_positive_int(epochs, "epochs")
    learning_rate = check_positive_float(learning_rate, "learning_rate")
    w, b = np.zeros(x.shape[1]), 0.0
    mistakes = []
    for _ in range(epochs):
        count = 0
        for x_n, y_n in zip(x, y):
            error = y_n - float(x_n @ w + b > 0)  # 0 when right, +-1 when wrong
            w = w + learning_rate * error * x_n
            b = b + learning_rate * error
            count += int(error != 0)
        mistakes.append(count)
    return PerceptronRun(w=w, b=b, mistakes=mistakes)


# --- Jacobians -----------------------------------------------------------------------

def jacobian(f, x, h: float = 1e-6):
    """Numerical Jacobian ``J[j, k] = d f_j / d x_k`` by central differences.

    The lecture's convention: for ``y = F(x)`` with x of size n and y of size m,
    ``dy/dx`` is an (m, n) matrix, so the chain rule is a product of Jacobians
    ``dz/dx = dz/du . du/dx`` with shapes (m, p) (p, n).

    Parameters
    ----------
    f : callable
        ``f(x) -> array_like``; its output is flattened to m entries (a scalar gives m = 1).
    x : (n,) array
        The point (copied, never modified).
    h : float
        Step size; the error is O(h^2) plus rounding O(eps / h).

    Returns
    -------
    J : (m, n) array
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    x = as_float_array(x, "x", ndim=1).copy()
    h = check_positive_float(h, "h")
    columns = []
    for k in range(x.shape[0]):
        step = np.zeros_like(x)
        step[k] = h
        f_plus = np.ravel(np.asarray(f(x + step), dtype=np.float64))
        f_minus = np.ravel(np.asarray(f(x - step), dtype=np.float64))
        columns.append((f_plus - f_minus) / (2 * h))
    return np.stack(columns, axis=1)


# --- the SGD demo behind the notebook's widget -------------------------------------

@dataclass
class SGDDemo:
    """Result of :func:`sgd_demo`: the training history and the fitted curve on a grid."""

    history: SGDHistory
    x_grid: np.ndarray
    y_grid: np.ndarray
    x: np.ndarray
    y: np.ndarray
    settings: dict


def sgd_demo(x, y, learning_rate: float = 0.1, batch_size: int = 10, hidden_units: int = 3,
             epochs: int = 100, rng=0) -> SGDDemo:
    """Fit a 1-H-1 tanh network to a 1-D curve with mini-batch SGD (pure: same inputs, same result).

    Parameters
    ----------
    x : (N, 1) array
        Inputs.
    y : (N, 1) array
        Targets.
    learning_rate : float > 0
    batch_size : int in 1..N
    hidden_units : int >= 1
        H, the number of tanh hidden units.
    epochs : int >= 0
    rng : int
        Seed for the initial weights and the shuffling (fixed, so only the settings change the curve).

    Returns
    -------
    SGDDemo
    """
    x = as_float_array(x, "x", ndim=2)
    y = as_float_array(y, "y", ndim=2)
    if x.shape[1] != 1 or y.shape != x.shape:
        raise ValueError(f"x and y must both have shape (N, 1), got {x.shape} and {y.shape}")
    hidden_units = check_positive_int(hidden_units, "hidden_units")
    model = MLP([1, hidden_units, 1], ["tanh", "identity"], rng=rng)
    history = train_sgd(model, x, y, learning_rate=learning_rate, batch_size=batch_size,
                        epochs=epochs, rng=rng)
    x_grid = np.linspace(x.min(), x.max(), 200)[:, None]
    y_grid = model.predict(x_grid) if not history.diverged else np.full_like(x_grid, np.nan)
    settings = {"learning_rate": learning_rate, "batch_size": batch_size, "hidden_units": hidden_units}
    return SGDDemo(history, x_grid, y_grid, x, y, settings)


def draw_sgd_demo(demo: SGDDemo):
    """Two panels: cost per epoch (log scale) and the fitted curve over the data."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3))
    ax_loss, ax_fit = fig.subplots(1, 2)
    losses = np.asarray(demo.history.losses)
    ax_loss.semilogy(np.arange(len(losses)), losses)
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training cost (MSE)")
    status = "diverged" if demo.history.diverged else f"final cost {losses[-1]:.4f}"
    ax_loss.set_title(f"batch {demo.history.batch_size}: {status}")
    ax_loss.grid(True, which="both", alpha=0.3)
    ax_fit.plot(demo.x.ravel(), demo.y.ravel(), "o", ms=3, label="data")
    ax_fit.plot(demo.x_grid.ravel(), demo.y_grid.ravel(), "r-", label="network")
    ax_fit.set_xlabel("x")
    ax_fit.set_title(f"{demo.settings['hidden_units']} tanh hidden units")
    ax_fit.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig


def sgd_explorer(x, y, epochs: int = 100, rng=0):
    """Notebook 04's widget: learning rate, batch size and hidden units -> cost curve and fit.

    Parameters
    ----------
    x, y : (N, 1) arrays
        The curve to fit.
    epochs : int
        Passes over the data for every redraw.
    rng : int
        Seed shared by every redraw.

    Returns
    -------
    lecture_utils.widgets.Explorer
        ``explorer.compute`` is :func:`sgd_demo` with x, y, epochs and rng fixed.
    """
    import ipywidgets as widgets

    from .widgets import Explorer

    x = as_float_array(x, "x", ndim=2)
    n = x.shape[0]

    def compute(learning_rate, batch_size, hidden_units):
        return sgd_demo(x, y, learning_rate=learning_rate, batch_size=batch_size,
                        hidden_units=hidden_units, epochs=epochs, rng=rng)

    controls = {
        "learning_rate": widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=0.5, step=0.1,
                                                description="learning rate"),
        "batch_size": widgets.IntSlider(value=min(10, n), min=1, max=n, step=1, description="batch size"),
        "hidden_units": widgets.IntSlider(value=3, min=1, max=10, step=1, description="hidden units"),
    }
    return Explorer(compute, draw_sgd_demo, controls, title="SGD explorer")
