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
    d_inputs   = layer_backward(dout, cache)      # dout = dC/dout, one gradient per array input

and so does the whole network: ``MLP.forward(x) -> (out, cache)``,
``MLP.backward(dout, cache) -> (dx, grads)``. Rows are examples: a batch of N inputs is an
(N, D) array, so the lecture's column-vector ``W x + b`` becomes the row form ``x w + b``
with ``w = W^T``. Training uses the course's one loop, :func:`lecture_utils.optim.train`;
:func:`train_sgd` and :func:`fit_bfgs` check the data and parameters once, then hand the loop an
objective that runs the same layer equations without re-checking them on every step (bit for bit
:meth:`MLP.loss`, tested).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import (OVERFLOWS, anything, array, check, checked, choice, gradient, instance, integer,
                        parameters, positive, real, seed)
from .linear import linear_backward, linear_forward, mse_loss, one_hot
from .optim import fit_bfgs as _fit_bfgs
from .optim import train


def _equations(fn):
    """A checked function's body (its equations) without its argument checks.

    For the MLP's training objective only, whose arrays were checked once before the loop;
    ``functools.wraps`` in :func:`lecture_utils._validate.checked` keeps the body as ``__wrapped__``.
    """
    return fn.__wrapped__


# --- element-wise non-linearities --------------------------------------------------

@checked(a=array(nonempty=False))
def sigmoid(a):
    """Logistic sigmoid ``f(a) = 1 / (1 + exp(-a))``, without overflow.

    ``exp(-a)`` overflows for a < -709, so negative entries use the equal form
    ``exp(a) / (1 + exp(a))``: with ``e = exp(-|a|)``, whose exponent is never positive,
    f(a) is ``1 / (1 + e)`` for a >= 0 and ``e / (1 + e)`` for a < 0.

    Parameters
    ----------
    a : array_like, any shape
        Activations (unitless).

    Returns
    -------
    array of a's shape, values in [0, 1]
    """
    with np.errstate(under="ignore"):      # exp(-1000) underflows to 0: the right limit, not an error
        e = np.exp(-np.abs(a))             # in (0, 1]: no overflow
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _check_axis(s, axis):
    s, axis = check({"s": array("K ..."), "axis": integer()}, {"s": s, "axis": axis})
    if not -s.ndim <= axis < s.ndim:
        raise ValueError(f"axis must be an integer in [{-s.ndim}, {s.ndim - 1}] for s of shape {s.shape}, "
                         f"got {axis}")
    return s, axis


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
    s, axis = _check_axis(s, axis)
    e = np.exp(s - s.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# --- activation layers: forward -> (out, cache), backward(dout, cache) -> da -------

class ActivationCache(NamedTuple):
    """What an activation layer's backward pass needs: the saved array (y or a) and alpha."""

    made_by: str            # the forward function, e.g. "sigmoid_forward"
    saved: np.ndarray       # the output y (sigmoid, tanh) or the pre-activation a (ReLUs)
    alpha: float = 0.0      # leaky ReLU's slope for a < 0

    @property
    def out_shape(self) -> tuple:
        return self.saved.shape


@checked(a=array(nonempty=False))
def sigmoid_forward(a):
    """Sigmoid layer ``y = sigmoid(a)``; the cache keeps the *output* y, as ``f'(a) = y (1 - y)``.

    Parameters
    ----------
    a : array, any shape
        Pre-activations.

    Returns
    -------
    y : array of a's shape
    cache : ActivationCache
    """
    y = sigmoid(a)
    return y, ActivationCache("sigmoid_forward", y)


@checked(cache=instance(ActivationCache, made_by="sigmoid_forward"), dout=gradient())
def sigmoid_backward(dout, cache):
    """Backward pass of the sigmoid layer: ``dC/da = dC/dy * y (1 - y)``.

    Parameters
    ----------
    dout : array, y's shape
        Upstream gradient dC/dy.
    cache : ActivationCache
        From :func:`sigmoid_forward` (it holds y, not the pre-activation a).

    Returns
    -------
    da : array of y's shape
    """
    y = cache.saved
    return dout * y * (1.0 - y)


@checked(a=array(nonempty=False))
def tanh_forward(a):
    """Tanh layer ``y = tanh(a) = (e^a - e^-a) / (e^a + e^-a)``; the cache keeps y, as ``f'(a) = 1 - y^2``.

    Parameters
    ----------
    a : array, any shape

    Returns
    -------
    y : array of a's shape, values in [-1, 1] (numpy's tanh saturates without overflow)
    cache : ActivationCache
    """
    y = np.tanh(a)
    return y, ActivationCache("tanh_forward", y)


@checked(cache=instance(ActivationCache, made_by="tanh_forward"), dout=gradient())
def tanh_backward(dout, cache):
    """Backward pass of the tanh layer: ``dC/da = dC/dy * (1 - y^2)``.

    Parameters
    ----------
    dout : array, y's shape
    cache : ActivationCache from :func:`tanh_forward`

    Returns
    -------
    da : array of y's shape
    """
    y = cache.saved
    return dout * (1.0 - y ** 2)


@checked(a=array(nonempty=False))
def relu_forward(a):
    """ReLU layer ``y = max(a, 0)``; the cache keeps the pre-activation a (the derivative depends on its sign).

    Parameters
    ----------
    a : array, any shape

    Returns
    -------
    y : array of a's shape
    cache : ActivationCache
    """
    return np.maximum(a, 0.0), ActivationCache("relu_forward", a)


@checked(cache=instance(ActivationCache, made_by="relu_forward"), dout=gradient())
def relu_backward(dout, cache):
    """Backward pass of ReLU: ``f'(a) = 1`` for a >= 0 and 0 for a < 0 (the lecture's convention at 0).

    Parameters
    ----------
    dout : array, a's shape
    cache : ActivationCache from :func:`relu_forward`

    Returns
    -------
    da : array of a's shape
    """
    return dout * (cache.saved >= 0)


@checked(a=array(nonempty=False), alpha=real(0))
def leaky_relu_forward(a, alpha: float = 0.01):
    """Leaky ReLU layer ``y = a`` for a >= 0 and ``alpha * a`` for a < 0.

    Parameters
    ----------
    a : array, any shape
    alpha : float >= 0
        Slope for negative inputs (the lecture suggests e.g. 0.02).

    Returns
    -------
    y : array of a's shape
    cache : ActivationCache
    """
    return np.where(a >= 0, a, alpha * a), ActivationCache("leaky_relu_forward", a, alpha)


@checked(cache=instance(ActivationCache, made_by="leaky_relu_forward"), dout=gradient())
def leaky_relu_backward(dout, cache):
    """Backward pass of leaky ReLU: ``f'(a) = 1`` for a >= 0 and ``+alpha`` for a < 0.

    The converted notes print ``-alpha``; the slope of ``alpha * a`` is ``+alpha``.

    Parameters
    ----------
    dout : array, a's shape
    cache : ActivationCache from :func:`leaky_relu_forward`

    Returns
    -------
    da : array of a's shape
    """
    return dout * np.where(cache.saved >= 0, 1.0, cache.alpha)


@checked(a=array(nonempty=False))
def identity_forward(a):
    """Identity layer ``y = a``: the linear output unit of the lecture's figure 5.3 network.

    Returns
    -------
    y : array of a's shape (a copy)
    cache : ActivationCache
    """
    return a.copy(), ActivationCache("identity_forward", a)


@checked(cache=instance(ActivationCache, made_by="identity_forward"), dout=gradient())
def identity_backward(dout, cache):
    """Backward pass of the identity: ``dC/da = dC/dy`` (f'(a) = 1)."""
    return dout.copy()


# --- dense (fully connected) layer -------------------------------------------------

def dense_forward(x, w, b):
    """Fully connected layer ``out = x w + b`` (the lecture's ``a = W x + b``, one row per example).

    Lecture 1's :func:`lecture_utils.linear.linear_forward`, under the name networks use.

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
    cache : LinearCache for :func:`dense_backward`
    """
    return linear_forward(x, w, b)


def dense_backward(dout, cache):
    """Backward pass of the dense layer (the matrix forms of lecture 1).

    Parameters
    ----------
    dout : (N, M) array
        Upstream gradient dC/dout.
    cache : LinearCache from :func:`dense_forward`

    Returns
    -------
    dx : (N, D) array
        ``dout w^T``.
    dw : (D, M) array
        ``x^T dout`` (sums over the batch).
    db : array of b's shape
        Column sums of dout (each bias touches every example).
    """
    return linear_backward(dout, cache)


# --- losses ------------------------------------------------------------------------

def _targets(labels, scores_shape) -> np.ndarray:
    """Integer labels (N,) or one-hot rows (N, C) -> (N, C) float rows that sum to 1."""
    n, c = scores_shape
    if np.shape(labels) == (n,) and not isinstance(labels, (str, bytes)):
        return one_hot(labels, c)
    if np.shape(labels) != (n, c) or isinstance(labels, (str, bytes)):
        raise ValueError(f"labels must be integer classes of shape ({n},) or one-hot rows of shape "
                         f"({n}, {c}) to match scores, got {_shape_of(labels)}")
    t = array(f"{n} {c}")(labels, "labels", {})
    if np.any(t < 0) or not np.allclose(t.sum(axis=1), 1.0, atol=1e-9):
        raise ValueError("labels given as rows must be one-hot (non-negative, each row summing to 1), "
                         f"got row sums {t.sum(axis=1)[:5]}")
    return t


def _shape_of(value) -> str:
    if isinstance(value, (np.ndarray, list, tuple)):
        try:
            return f"shape {np.shape(value)}"
        except ValueError:
            return "a ragged list (rows of different lengths)"
    return f"{type(value).__name__} {value!r}"[:60]


@checked(scores=array("N C"), labels=anything())
def softmax_cross_entropy(scores, labels):
    """Softmax cross-entropy averaged over N examples, and its gradient.

    For one example with scores s and target row t (one-hot: class a),
    ``C = -sum_j t_j log p_j = -s_a + log sum_j exp(s_j)`` with ``p = softmax(s)``,
    and ``dC/ds = p - t``. The loss here is the mean over the N rows, so
    ``dL/dscores = (softmax(scores) - t) / N``. Log-sum-exp is computed after
    subtracting the row maximum, so logits of 1e3 neither overflow nor give ``log(0)``.

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
    t = _targets(labels, scores.shape)
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))   # log softmax, finite
    loss = -float(np.sum(t * log_p)) / n
    return loss, (np.exp(log_p) - t) / n


# --- multi-layer perceptron --------------------------------------------------------

ACTIVATIONS = {
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "identity": (identity_forward, identity_backward),
}
LOSSES = {"mse": mse_loss, "softmax_cross_entropy": softmax_cross_entropy}


class MLPCache(NamedTuple):
    """Per layer i, the dense layer's and the activation's caches; and the output's shape."""

    layers: tuple           # ((LinearCache, ActivationCache), ...), layer 1 first
    out_shape: tuple        # (N, K)


def _check_sizes(sizes, activations):
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise ValueError(f"sizes must list at least two layer sizes [inputs, ..., outputs], got {sizes!r}")
    sizes = [integer(1, 10**5)(s, f"sizes[{i}]", {}) for i, s in enumerate(sizes)]
    if isinstance(activations, str) or not hasattr(activations, "__len__"):
        raise TypeError(f"activations must be a list with one name per layer ({len(sizes) - 1}), "
                        f"got {activations!r}; e.g. ['tanh', 'identity']")
    if len(activations) != len(sizes) - 1:
        raise ValueError(f"activations must name one non-linearity per layer: sizes give {len(sizes) - 1} "
                         f"layers, got {len(activations)} names {list(activations)}")
    names = [choice(*ACTIVATIONS)(a, f"activations[{i}]", {}) for i, a in enumerate(activations)]
    return sizes, names


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
    """

    @checked(sizes=anything(), activations=anything(), rng=seed())
    def __init__(self, sizes, activations, rng=None):
        self.sizes, self.activations = _check_sizes(sizes, activations)
        self.params = {}
        for i, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            # 1/fan_in variance keeps each pre-activation of order 1 at the start.
            self.params[f"w{i}"] = rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)
            self.params[f"b{i}"] = np.zeros(fan_out)

    @property
    def n_layers(self) -> int:
        """Number of layers (hidden + output)."""
        return len(self.sizes) - 1

    def __repr__(self):
        return f"MLP(sizes={self.sizes}, activations={self.activations})"

    def _params(self, params):
        """``params`` (default ``self.params``) checked: this network's keys, each a float64 array of its shape."""
        params = self.params if params is None else params
        if not isinstance(params, dict) or set(params) != set(self.params):
            raise ValueError(f"params must be a dict with keys {sorted(self.params)}, got "
                             f"{sorted(params) if isinstance(params, dict) else type(params).__name__}")
        shapes = {name: " ".join(map(str, np.shape(value))) or None for name, value in self.params.items()}
        return {name: array(shapes[name])(params[name], f"params[{name!r}]", {}) for name in self.params}

    def forward(self, x, params=None):
        """Forward pass ``x_i = F_i(x_{i-1}, w_i)`` for every layer.

        Parameters
        ----------
        x : (N, D) array
        params : dict, optional
            Parameters to use instead of ``self.params`` (same keys and shapes).

        Returns
        -------
        out : (N, K) array
            The network output x_n.
        cache : MLPCache
        """
        x, = check({"x": array(f"N {self.sizes[0]}")}, {"x": x})
        return self._forward(x, self._params(params))

    def _forward(self, x, params):
        """:meth:`forward`'s equations, for x and params already checked (the training objective's path)."""
        layers = []
        for i, name in enumerate(self.activations, start=1):      # dense_forward is lecture 1's linear_forward
            a, dense_cache = _equations(linear_forward)(x, params[f"w{i}"], params[f"b{i}"])
            x, act_cache = _equations(ACTIVATIONS[name][0])(a)
            layers.append((dense_cache, act_cache))
        return x, MLPCache(tuple(layers), x.shape)

    def backward(self, dout, cache):
        """Backward pass: the lecture's two recurrences, layer n down to layer 1.

        ``dC/dx_{i-1} = dC/dx_i . dF_i/dx_{i-1}`` and ``dC/dw_i = dC/dx_i . dF_i/dw_i``.

        Parameters
        ----------
        dout : (N, K) array
            dC/dx_n, e.g. the gradient returned by the loss.
        cache : MLPCache
            From :meth:`forward`.

        Returns
        -------
        dx : (N, D) array
            dC/dx_0.
        grads : dict
            dC/dw_i, dC/db_i for every layer (the keys and shapes of ``params``).
        """
        cache, dout = check({"cache": instance(MLPCache, made_by="MLP.forward"), "dout": gradient()},
                            {"cache": cache, "dout": dout})
        return self._backward(dout, cache)

    def _backward(self, dout, cache):
        """:meth:`backward`'s recurrences, for a cache from :meth:`_forward` and a dout of its output's shape."""
        grads = {}
        for i in range(self.n_layers, 0, -1):
            dense_cache, act_cache = cache.layers[i - 1]
            da = _equations(ACTIVATIONS[self.activations[i - 1]][1])(dout, act_cache)
            dout, grads[f"w{i}"], grads[f"b{i}"] = _equations(linear_backward)(da, dense_cache)
        return dout, grads

    def predict(self, x, params=None):
        """Network output x_n for inputs x (N, D) -> (N, K)."""
        return self.forward(x, params)[0]

    def layer_outputs(self, x) -> list:
        """``[x_0, x_1, ..., x_n]``: every layer's output (after its non-linearity)."""
        out, cache = self.forward(x)
        return [dense_cache.x for dense_cache, _ in cache.layers] + [out]

    def loss(self, x, y, loss: str = "mse", params=None):
        """Cost on a batch and its gradients (forward, cost, backward).

        Parameters
        ----------
        x : (N, D) array
        y : targets for the chosen loss: (N, K) for ``"mse"``; (N,) integer
            classes or (N, K) one-hot rows for ``"softmax_cross_entropy"``
        loss : {"mse", "softmax_cross_entropy"}
            ``"mse"`` is ``(1/N) sum (x_n - y)^2`` (averaged over examples, as in lecture 1).
        params : dict, optional
            Parameters to use instead of ``self.params``.

        Returns
        -------
        value : float
        grads : dict
            dE/dtheta for every parameter (same keys and shapes).
        """
        check({"loss": choice(*LOSSES)}, {"loss": loss})
        out, cache = self.forward(x, params)
        value, dout = LOSSES[loss](out, y)
        return value, self.backward(dout, cache)[1]

    def objective(self, loss: str = "mse"):
        """The cost as a function ``(params, x, y) -> (loss, grads)``, for :mod:`lecture_utils.optim`."""
        check({"loss": choice(*LOSSES)}, {"loss": loss})
        return lambda params, x, y: self.loss(x, y, loss, params)

    def _checked_once_objective(self, loss: str):
        """:meth:`objective` for a training loop whose x and y :func:`_check_xy` has checked.

        The same arithmetic as :meth:`loss`, bit for bit, without re-checking on every one of
        thousands of steps the arrays the loop slices from data checked once (the optimiser
        makes every params dict from the checked one, with its keys and shapes).
        """
        cost = _equations(LOSSES[loss])

        def loss_and_gradients(params, x, y):
            out, cache = self._forward(x, params)
            value, dout = cost(out, y)
            return value, self._backward(dout, cache)[1]
        return loss_and_gradients


def _check_xy(model, x, y, loss):
    """The model, x (N, D) and targets for ``loss``, checked by a first forward-backward pass before training."""
    model, loss = check({"model": instance(MLP), "loss": choice(*LOSSES)}, {"model": model, "loss": loss})
    x, = check({"x": array(f"N {model.sizes[0]}", limit=OVERFLOWS)}, {"x": x})
    n, k = x.shape[0], model.sizes[-1]
    allowed = [(n, k)] if loss == "mse" else [(n,), (n, k)]
    if isinstance(y, (str, bytes, dict)) or y is None or _shape_of(y) not in [f"shape {a}" for a in allowed]:
        raise ValueError(f"y must have shape {' or '.join(map(str, allowed))} for the {loss!r} loss "
                         f"({n} examples, {k} network outputs), got {_shape_of(y)}")
    y = np.asarray(y)
    model.params = model._params(None)  # float64 arrays of the network's shapes
    model.loss(x, y, loss)              # label values and dtypes, before any training
    return model, x, y, loss


@checked(learning_rate=positive(), epochs=integer(0, 10**6), rng=seed())
def train_sgd(model: MLP, x, y, loss: str = "mse", learning_rate: float = 0.1,
              batch_size: int | None = None, epochs: int = 100, rng=None):
    """Mini-batch stochastic gradient descent on an MLP, updating ``model.params`` in place.

    Each epoch shuffles the N examples and takes one step per batch of ``batch_size``
    (the last batch may be smaller): ``batch_size=1`` updates after every example,
    ``batch_size=N`` is standard (full-batch) gradient descent. The cost of a batch is its
    *mean*, a factor 1/B the learning rate absorbs, so the step size does not grow with B.

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
    lecture_utils.optim.History
        ``losses[e]`` is the cost on the whole set after e epochs (``epochs + 1`` values).
    """
    model, x, y, loss = _check_xy(model, x, y, loss)
    model.params, history = train(model._checked_once_objective(loss), model.params, x, y,
                                  learning_rate=learning_rate, epochs=epochs, batch_size=batch_size, rng=rng)
    return history


@checked(max_iter=integer(1, 10**6), tol=positive())
def fit_bfgs(model: MLP, x, y, loss: str = "mse", max_iter: int = 300, tol: float = 1e-12) -> float:
    """Full-batch fit of an MLP with BFGS (:func:`lecture_utils.optim.fit_bfgs`); updates ``model.params``.

    Returns
    -------
    float
        The final cost.
    """
    model, x, y, loss = _check_xy(model, x, y, loss)
    model.params, cost = _fit_bfgs(model._checked_once_objective(loss), model.params, x, y,
                                   max_iter=max_iter, tol=tol)
    return cost


# --- Rosenblatt's perceptron (1958) ------------------------------------------------

@checked(x=array("N D"), w=array("D"), b=real())
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
    return (x @ w + b > 0).astype(int)


def _check_labels01(y):
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"y must hold labels 0 or 1, got values {np.unique(y)[:5]}")


@checked(params=parameters(shapes={"w": "D", "b": ""}), x=array("N D"), y=array("N"))
def perceptron_rule(params, x, y):
    """Rosenblatt's rule as a "gradient" for :func:`lecture_utils.optim.train`.

    With ``y_hat = step(w^T x + b)``, the update ``w <- w + eta (y - y_hat) x``,
    ``b <- b + eta (y - y_hat)`` is a gradient step with ``dE/dw = -(y - y_hat) x`` and
    ``dE/db = -(y - y_hat)`` (summed over the batch). The "loss" returned is the
    number of mistakes in the batch.
    """
    _check_labels01(y)
    error = y - (x @ params["w"] + params["b"] > 0)        # 0 when right, +-1 when wrong
    return float(np.sum(error != 0)), {"w": -(error @ x), "b": -np.sum(error)}


@checked(x=array("N D"), y=array("N"), epochs=integer(1, 10**6), learning_rate=positive())
def perceptron_train(x, y, epochs: int = 20, learning_rate: float = 1.0):
    """Rosenblatt's learning rule, one example at a time in the given order, from w = 0, b = 0.

    The weights change only on a mistake. On linearly separable data the number of
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
    params : dict
        ``"w"`` (D,) and ``"b"`` (a 0-d array).
    mistakes : list of int
        Mistakes (= updates) made during each epoch; the run converged if the last is 0.
    """
    _check_labels01(y)
    params = {"w": np.zeros(x.shape[1]), "b": np.zeros(())}
    params, history = train(perceptron_rule, params, x, y, learning_rate=learning_rate, epochs=epochs,
                            batch_size=1, shuffle=False, full_loss=False)
    return params, [int(m) for m in history.per_epoch("sum")]
