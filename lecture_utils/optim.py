"""Training: two update rules and the one training loop every model of the course uses.

Gradient descent (lecture 6: "theta^{k+1} <- theta^k - eta grad_theta E"; the notes print +eta)::

    theta <- theta - eta dE/dtheta                        sgd_step

and with momentum mu (notebook 06)::

    v <- mu v - eta dE/dtheta,   theta <- theta + v       momentum_step

:func:`train` runs them over a training set: each epoch visits the N examples in
batches of B (a fresh seeded order per epoch unless ``shuffle=False``), and after each
batch updates every parameter with the gradient of that batch's cost. B = N is
(full-batch) gradient descent, B = 1 the per-example updates of SGD and of Rosenblatt's
perceptron. Every model supplies its cost as a function::

    loss_and_gradients(params, x_batch, y_batch) -> (loss, grads)   # grads: same keys as params

Divergence: if a batch's loss or a gradient is not finite, or the loss exceeds 1e12
(a learning rate above the stability limit), training stops *before* that update and
the history says ``diverged``; the returned parameters are the last finite ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validate import (OVERFLOWS, anything, checked, flag, function, instance, integer, optional, parameters,
                        positive, real, seed)

DIVERGED_LOSS = 1e12


@checked(params=parameters(), grads=parameters(like="params"), learning_rate=positive())
def sgd_step(params: dict, grads: dict, learning_rate: float) -> dict:
    """One gradient-descent update ``theta <- theta - eta dE/dtheta`` of every parameter.

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
    return {name: value - learning_rate * grads[name] for name, value in params.items()}


@checked(params=parameters(), grads=parameters(like="params"), velocity=parameters(like="params"),
         learning_rate=positive(), momentum=real(0, 1, max_open=True))
def momentum_step(params: dict, grads: dict, velocity: dict, learning_rate: float, momentum: float = 0.9):
    """One update with momentum: ``v <- mu v - eta g``, then ``theta <- theta + v``, per parameter.

    Parameters
    ----------
    params, grads, velocity : dict of str -> array
        theta, its gradient on the current batch, and the running velocity (zeros before
        the first step); same keys and shapes.
    learning_rate : float > 0
        eta.
    momentum : float in [0, 1)
        mu; 0 gives plain gradient descent.

    Returns
    -------
    new_params, new_velocity : dicts of new arrays (the inputs are not modified)
    """
    new_velocity = {name: momentum * velocity[name] - learning_rate * grads[name] for name in params}
    return {name: params[name] + new_velocity[name] for name in params}, new_velocity


# The update rules' equations for the training loop, which checks the parameters once and the
# finiteness of every batch's loss, gradients and update itself (functools.wraps keeps the body).
_SGD_STEP, _MOMENTUM_STEP = sgd_step.__wrapped__, momentum_step.__wrapped__


@dataclass
class History:
    """What :func:`train` saw.

    Attributes
    ----------
    losses : list of float
        Cost on the whole training set before training and after each epoch (``epochs + 1``
        values, fewer if training diverged); empty when ``full_loss=False``.
    step_losses : list of float
        The batch cost before each update.
    metrics : dict of str -> list
        ``evaluate(params)`` before training and after each epoch.
    batch_size, updates_per_epoch : int
    diverged : bool
        True when training stopped because a loss or gradient blew up.
    stop_reason : str
        Where and why it stopped early ("" otherwise).
    """

    losses: list = field(default_factory=list)
    step_losses: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    batch_size: int = 0
    updates_per_epoch: int = 0
    diverged: bool = False
    stop_reason: str = ""

    def per_epoch(self, reduce: str = "mean") -> list:
        """The step losses of each epoch, averaged (``"mean"``) or added up (``"sum"``)."""
        if reduce not in ("mean", "sum"):
            raise ValueError(f"reduce must be 'mean' or 'sum', got {reduce!r}")
        n = self.updates_per_epoch
        chunks = [self.step_losses[i:i + n] for i in range(0, len(self.step_losses), n)] if n else []
        return [float(np.mean(c) if reduce == "mean" else np.sum(c)) for c in chunks]


def _blown_up(loss, grads) -> str:
    """Why this batch's loss or gradients cannot be used ("" if they can)."""
    if not np.isfinite(loss):
        return f"the loss is {loss}"
    if loss > DIVERGED_LOSS:
        return f"the loss {loss:.3g} exceeds {DIVERGED_LOSS:g}"
    bad = [name for name, g in grads.items() if not np.all(np.isfinite(g))]
    return f"the gradient of {', '.join(bad)} is not finite" if bad else ""


def _usable(params) -> bool:
    """Finite, and small enough for the next forward pass's products not to overflow."""
    return all(np.all(np.isfinite(value)) and float(np.max(np.abs(value), initial=0)) <= OVERFLOWS
               for value in params.values())


def _check_training_data(x, y):
    """x and y: finite real arrays with one row per example.

    Both keep their dtype (integer labels stay integers, a speed path's precision is kept).
    """
    arrays = []
    for name, value in (("x", x), ("y", y)):
        wanted = f"{name} must be a real numeric array with one row per example"
        if isinstance(value, (str, bytes, dict, set)) or value is None or callable(value):
            raise TypeError(f"{wanted}, got {type(value).__name__}")
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):
            raise TypeError(f"{wanted}, got {type(value).__name__} (not a rectangular array of numbers)") from None
        if arr.ndim == 0 or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise TypeError(f"{wanted}, got {type(value).__name__} of dtype {arr.dtype}")
        if np.iscomplexobj(arr):
            raise TypeError(f"{wanted}, got complex dtype {arr.dtype}")
        if np.issubdtype(arr.dtype, np.floating) and not np.isfinite(arr).all():
            raise ValueError(f"{name} contains NaN or infinite values, which would make the training meaningless")
        arrays.append(arr)
    x, y = arrays
    if len(x) == 0:
        raise ValueError(f"x has no examples (shape {x.shape}): there is nothing to train on")
    if y.shape[:1] != (len(x),):
        raise ValueError(f"y must have one entry per example of x ({len(x)}), got shape {y.shape}")
    return x, y


@checked(loss_and_gradients=function(), params=parameters(), x=anything(),
         y=anything(), learning_rate=positive(), epochs=integer(0, 10**6),
         batch_size=optional(integer(1)), momentum=real(0, 1, max_open=True),
         decay=real(0, 1, min_open=True), shuffle=flag(), rng=seed(), full_loss=flag(),
         evaluate=optional(function()), verbose=flag(), metric_format=instance(str))
def train(loss_and_gradients, params, x, y, learning_rate, epochs, batch_size=None, momentum=0.0,
          decay=1.0, shuffle=True, rng=0, full_loss=True, evaluate=None, verbose=False,
          metric_format="{:.4f}"):
    """Mini-batch gradient descent (with optional momentum and learning-rate decay).

    Parameters
    ----------
    loss_and_gradients : callable
        ``(params, x_batch, y_batch) -> (loss, grads)``; ``loss`` a float (the batch's
        cost), ``grads`` a dict with the keys and shapes of ``params``.
    params : dict of str -> array
        Initial parameters (not modified).
    x : (N, ...) array
        Training inputs, one example per row (first axis).
    y : (N, ...) array
        Targets, one per example.
    learning_rate : float > 0
        eta in epoch 1.
    epochs : int >= 0
        Passes over the training set.
    batch_size : int in 1..N, optional
        B; default N (full batch).
    momentum : float in [0, 1)
        mu of :func:`momentum_step`; 0 (default) is plain :func:`sgd_step`.
    decay : float in (0, 1]
        eta is multiplied by ``decay`` after every epoch (1: constant).
    shuffle : bool
        Visit the examples in a fresh random order each epoch (default); False keeps the
        given order (full-batch descent, Rosenblatt's perceptron).
    rng : Generator or int
        Source of the orders.
    full_loss : bool
        Record the cost on the whole training set before training and after each epoch
        (``history.losses``); for B = N the batch costs are reused, no extra work.
    evaluate : callable, optional
        ``evaluate(params) -> dict of float``, recorded before training and after each epoch.
    verbose : bool
        Print one line per epoch: the mean batch cost and the metrics.
    metric_format : str
        Format of the printed metrics, e.g. ``"{:.1%}"``.

    Returns
    -------
    params : dict
        The trained parameters (new arrays).
    history : History
    """
    x, y = _check_training_data(x, y)
    n = len(x)
    batch_size = n if batch_size is None else batch_size
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of examples N = {n}, got {batch_size}")
    # With one batch of all N examples, its cost at the start of an epoch *is* the training
    # set's cost at that epoch boundary: record it instead of computing it twice.
    reuse_batch_cost = full_loss and batch_size == n
    history = History(batch_size=batch_size, updates_per_epoch=-(-n // batch_size))
    velocity = {name: np.zeros_like(value) for name, value in params.items()}

    def epoch_boundary(params):
        if full_loss and not reuse_batch_cost:
            with np.errstate(over="ignore", invalid="ignore"):   # a blow-up is reported by the next batch
                history.losses.append(float(loss_and_gradients(params, x, y)[0]))
        for name, value in (evaluate(params) if evaluate else {}).items():
            history.metrics.setdefault(name, []).append(float(value))

    epoch_boundary(params)
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n) if shuffle else np.arange(n)
        batches = [order[start:start + batch_size] for start in range(0, n, batch_size)]
        params, velocity = _epoch(loss_and_gradients, params, velocity, x, y, batches, epoch,
                                  learning_rate * decay ** (epoch - 1), momentum, history, reuse_batch_cost)
        if history.diverged:
            if verbose:
                print(f"training stopped at {history.stop_reason}")
            break
        epoch_boundary(params)
        if verbose:
            print(_epoch_line(epoch, epochs, history, metric_format))
    if reuse_batch_cost and not history.diverged:
        with np.errstate(over="ignore", invalid="ignore"):
            history.losses.append(float(loss_and_gradients(params, x, y)[0]))   # after the last update
    return params, history


def _epoch(loss_and_gradients, params, velocity, x, y, batches, epoch, eta, momentum, history, record_cost):
    """One pass over the batches; stops (``history.diverged``) before an update that would blow up."""
    for step, batch in enumerate(batches):
        with np.errstate(over="ignore", invalid="ignore"):   # a blow-up is reported below
            loss, grads = loss_and_gradients(params, x[batch], y[batch])
        history.step_losses.append(float(loss))
        if record_cost:
            history.losses.append(float(loss))
        reason = _blown_up(loss, grads)
        if not reason:
            with np.errstate(over="ignore", invalid="ignore"):
                if momentum:
                    updated, new_velocity = _MOMENTUM_STEP(params, grads, velocity, eta, momentum)
                else:
                    updated, new_velocity = _SGD_STEP(params, grads, eta), velocity
            reason = "" if _usable(updated) else f"the update made a parameter infinite or larger than {OVERFLOWS:.0e}"
        if reason:
            history.diverged = True
            history.stop_reason = f"epoch {epoch}, step {step}: {reason} (learning_rate={eta:.3g} is probably too large)"
            return params, velocity
        params, velocity = updated, new_velocity
    return params, velocity


def _epoch_line(epoch, epochs, history, metric_format) -> str:
    line = f"epoch {epoch:2d}/{epochs}  mean training loss {history.per_epoch()[-1]:.3f}"
    for name, values in history.metrics.items():
        line += f"  {name} {metric_format.format(values[-1])}"
    return line


@checked(loss_and_gradients=function(), params=parameters(), x=anything(),
         y=anything(), max_iter=integer(1, 10**6), tol=positive())
def fit_bfgs(loss_and_gradients, params, x, y, max_iter=300, tol=1e-12):
    """Full-batch fit with scipy's BFGS, fed the model's backprop gradients.

    Backprop only supplies dE/dtheta; any gradient-based optimiser can use it. BFGS (a
    quasi-Newton method with a dense estimate of the inverse Hessian, fine for the few
    dozen parameters of the lecture's small networks) fits the step function of the
    lecture's figure 5.3 with 3 tanh units to an MSE below 1e-6 in 300 iterations, where
    full-batch gradient descent (learning rate 0.2) is still at 0.017 after 10^4 steps.

    Parameters
    ----------
    loss_and_gradients : callable
        ``(params, x, y) -> (loss, grads)`` as for :func:`train`.
    params : dict of str -> array
        Initial parameters (not modified).
    x, y : arrays with N rows
    max_iter : int
        Iteration cap.
    tol : float
        Gradient-norm tolerance (scipy's ``gtol``).

    Returns
    -------
    params : dict
        The fitted parameters.
    loss : float
        The final cost.
    """
    from scipy.optimize import minimize

    x, y = _check_training_data(x, y)
    names = list(params)
    shapes = [np.shape(params[k]) for k in names]
    splits = np.cumsum([int(np.prod(s)) for s in shapes])[:-1]

    def unpack(theta):
        return {k: part.reshape(s) for k, part, s in zip(names, np.split(theta, splits), shapes)}

    def cost_and_gradient(theta):
        value, grads = loss_and_gradients(unpack(theta), x, y)
        return value, np.concatenate([np.ravel(grads[k]) for k in names])

    theta0 = np.concatenate([np.ravel(params[k]) for k in names]).astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        start, start_gradient = cost_and_gradient(theta0)
    if not (np.isfinite(start) and np.all(np.isfinite(start_gradient))):
        raise ValueError(f"the cost or its gradient at the initial params is not finite ({start}): x, y or the "
                         "params are too large for the model (rescale the data)")
    with np.errstate(over="ignore", invalid="ignore"):                 # BFGS backs off from an overflowing step
        result = minimize(cost_and_gradient, theta0, jac=True, method="BFGS",
                          options={"maxiter": max_iter, "gtol": tol})
    fitted = unpack(result.x)
    return fitted, float(loss_and_gradients(fitted, x, y)[0])
