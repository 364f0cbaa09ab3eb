"""Speed path for notebook 04's sweeps: many small MLPs trained side by side (:mod:`lecture_utils.nn`).

Notebook 04 trains the same small network from hundreds of seeded starts (XOR from 200 seeds
and at five initial scales; three batch sizes at four learning rates from 12 seeds). One
:func:`lecture_utils.nn.train_sgd` call per run spends its time in Python, not in arithmetic:
a 2-2-1 network's matrices have four entries. Here every run is one slice of a stacked
array, ``w_i`` of shape (S, D, M) for S runs, and each update is a handful of numpy calls
for all S runs at once:

* the same equations, loss (``mse``: ``(1/B) sum (x_n - y)^2`` per batch) and update
  (``theta <- theta - eta dE/dtheta``) as :func:`lecture_utils.nn.train_sgd`;
* the same batches: run s shuffles with its own ``np.random.default_rng(seeds[s])``, one
  ``permutation(N)`` per epoch, exactly as :func:`lecture_utils.optim.train` (full batch: all N
  examples, whose order changes only the order of the sums);
* the same divergence rule: a run whose batch cost passes 1e12 or stops being finite stops
  there, its last finite parameters kept (``diverged[s]``), while the others go on;
* products are broadcast multiplications summed over a few terms (the networks are tiny: a
  (S, B, D, M) temporary is small), with no BLAS call, so the results do not depend on the
  BLAS build; they equal ``train_sgd``'s to round-off (``tests/test_fast_nn.py``), not bit
  for bit (another summation order).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import nn
from .._validate import anything, array, check, checked, instance, integer, optional, seed
from ..optim import DIVERGED_LOSS

_DERIVATIVE = {                      # f'(a) from the saved array (the output y, or a for the ReLUs)
    "sigmoid": lambda y: y * (1.0 - y),
    "tanh": lambda y: 1.0 - y ** 2,
    "relu": lambda a: (a >= 0).astype(a.dtype),
    "identity": lambda a: np.ones_like(a),
}
_FORWARD = {"sigmoid": nn.sigmoid.__wrapped__, "tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0),
            "identity": lambda a: a}
_SAVES_OUTPUT = {"sigmoid", "tanh"}


class Population(NamedTuple):
    """What :func:`train_sgd_many` returns: S training runs, stacked."""

    params: list          # S dicts, each as MLP.params after its run (the last finite ones if it diverged)
    losses: np.ndarray    # (S, epochs + 1): the cost on the whole set before training and after each epoch; NaN after a divergence
    diverged: np.ndarray  # (S,) bool


def _check_population(model, params, x, y, learning_rates, seeds):
    model, = check({"model": instance(nn.MLP)}, {"model": model})
    x, y = check({"x": array(f"N {model.sizes[0]}"), "y": array(f"N {model.sizes[-1]}")}, {"x": x, "y": y})
    model, x, y, _ = nn._check_xy(model, x, y, "mse")
    if any(a not in _DERIVATIVE for a in model.activations):
        raise ValueError(f"model's activations must be among {sorted(_DERIVATIVE)}, got {model.activations}")
    if not isinstance(params, (list, tuple)) or not params:
        raise TypeError(f"params must be a non-empty list of parameter dicts (one per run, as MLP.params), "
                        f"got {type(params).__name__}")
    params = [model._params(p) for p in params]           # each: the model's keys and shapes, float64
    S = len(params)
    if isinstance(learning_rates, (int, float)) and not isinstance(learning_rates, bool):
        learning_rates = [learning_rates]
    learning_rates, = check({"learning_rates": array(f"{S} | 1")}, {"learning_rates": learning_rates})
    if np.any(learning_rates <= 0):
        raise ValueError(f"learning_rates must be > 0, got {learning_rates[learning_rates <= 0][:3]}")
    seeds = [seed()(s, f"seeds[{i}]", {}) for i, s in enumerate(seeds)]
    if len(seeds) != S:
        raise ValueError(f"seeds must give one seed per run ({S}), got {len(seeds)}")
    return model, params, x, y, np.broadcast_to(learning_rates, (S,)).copy(), seeds


def _stack(params, name):
    return np.stack([p[name] for p in params])


def _forward(model, w, b, x):
    """Every layer's input and the saved arrays, for S runs at once: x (S, B, D)."""
    inputs, saved = [], []
    for i, name in enumerate(model.activations):
        inputs.append(x)
        a = (x[:, :, :, None] * w[i][:, None, :, :]).sum(axis=2) + b[i][:, None, :]     # x_{i-1} w_i + b_i
        x = _FORWARD[name](a)
        saved.append(x if name in _SAVES_OUTPUT else a)
    return x, inputs, saved


def _gradients(model, w, inputs, saved, dout):
    """dC/dw_i and dC/db_i for every layer, S runs at once (the lecture's two recurrences)."""
    dw, db = [None] * len(w), [None] * len(w)
    for i in range(len(w) - 1, -1, -1):
        da = dout * _DERIVATIVE[model.activations[i]](saved[i])
        dw[i] = (inputs[i][:, :, :, None] * da[:, :, None, :]).sum(axis=1)       # x_{i-1}^T da
        db[i] = da.sum(axis=1)
        if i:
            dout = (da[:, :, None, :] * w[i][:, None, :, :]).sum(axis=3)          # da w_i^T
    return dw, db


@checked(model=anything(), params=anything(), x=anything(), y=anything(), learning_rates=anything(),
         batch_size=optional(integer(1)), epochs=integer(0, 10**6), seeds=anything())
def train_sgd_many(model, params, x, y, learning_rates, batch_size=None, epochs: int = 100, seeds=None):
    """:func:`lecture_utils.nn.train_sgd` (mse loss) for S runs of one architecture at once.

    Parameters
    ----------
    model : lecture_utils.nn.MLP
        The architecture (sizes, activations); its own ``params`` are not used or changed.
    params : list of S dicts
        Each run's initial parameters (e.g. ``MLP(sizes, activations, rng=s).params``).
    x : (N, D) array
    y : (N, K) array
        Targets of the mse loss.
    learning_rates : float or (S,) array of float > 0
        One rate for all runs, or one per run.
    batch_size : int in 1..N, optional
        B; default N (full batch).
    epochs : int >= 0
    seeds : sequence of S ints or Generators, optional
        Run s shuffles with ``seeds[s]``, as ``train_sgd(..., rng=seeds[s])`` does; None: 0, 1, ..., S - 1.

    Returns
    -------
    Population
        ``params[s]``, ``losses[s]`` (``train_sgd``'s ``history.losses``, NaN-padded after a
        divergence) and ``diverged[s]``.
    """
    seeds = range(len(params)) if seeds is None and isinstance(params, (list, tuple)) else seeds
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__len__"):
        raise TypeError(f"seeds must be a sequence of seeds, one per run, got {seeds!r}")
    model, params, x, y, eta, rngs = _check_population(model, params, x, y, learning_rates, seeds)
    S, n = len(params), len(x)
    B = n if batch_size is None else batch_size
    if B > n:
        raise ValueError(f"batch_size must be at most the number of examples N = {n}, got {B}")
    w = [_stack(params, f"w{i}") for i in range(1, model.n_layers + 1)]
    b = [_stack(params, f"b{i}") for i in range(1, model.n_layers + 1)]
    losses = np.full((S, epochs + 1), np.nan)
    alive = np.ones(S, dtype=bool)

    def full_cost():
        out = _forward(model, w, b, np.broadcast_to(x, (S, *x.shape)))[0]
        return np.sum((out - y) ** 2, axis=(1, 2)) / n

    with np.errstate(over="ignore", invalid="ignore"):      # a run that blows up is flagged below
        losses[:, 0] = full_cost()
        for epoch in range(1, epochs + 1):
            _epoch(model, w, b, x, y, B, rngs, eta, alive)
            losses[alive, epoch] = full_cost()[alive]
    final = [{name: value for i in range(model.n_layers) for name, value in
              ((f"w{i + 1}", w[i][s].copy()), (f"b{i + 1}", b[i][s].copy()))} for s in range(S)]
    return Population(final, losses, ~alive)


def _epoch(model, w, b, x, y, B, rngs, eta, alive):
    """One pass over the data in batches of B, each run in its own order; updates w, b and alive in place."""
    S, n = len(rngs), len(x)
    if B == n:         # one batch of all N: its order changes only the order of the sums, not what they add up
        batches = [(np.broadcast_to(x, (S, *x.shape)), np.broadcast_to(y, (S, *y.shape)))]
    else:
        orders = np.stack([r.permutation(n) for r in rngs])                  # (S, N), as optim.train
        batches = [(x[order], y[order]) for order in (orders[:, i:i + B] for i in range(0, n, B))]
    for x_batch, y_batch in batches:
        out, inputs, saved = _forward(model, w, b, x_batch)
        residual = out - y_batch
        cost = np.sum(residual ** 2, axis=(1, 2)) / x_batch.shape[1]
        dw, db = _gradients(model, w, inputs, saved, 2.0 * residual / x_batch.shape[1])
        blown = ~np.isfinite(cost) | (cost > DIVERGED_LOSS)
        for g in dw + db:
            blown |= ~np.all(np.isfinite(g.reshape(S, -1)), axis=1)
        alive &= ~blown                                                      # stop before that update
        for i in range(len(w)):                                              # (0 * inf would be NaN: where)
            w[i] -= np.where(alive[:, None, None], eta[:, None, None] * dw[i], 0.0)
            b[i] -= np.where(alive[:, None], eta[:, None] * db[i], 0.0)
