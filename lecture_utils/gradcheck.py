"""Numerical derivatives: the independent witness for every derivation.

One differentiator, central differences along each input entry::

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2 h)

with error O(h^2) from truncation plus O(eps / h) from rounding, so h = 1e-6 in float64
gives about 1e-9 to 1e-10 absolute accuracy for well-scaled functions. Three views of it:

* :func:`numerical_gradient`: the gradient of a scalar function (one number per entry);
* :func:`numerical_gradient_array`: ``J^T dout`` for an array-valued function, i.e. what a
  layer's ``backward(dout, cache)`` must return;
* :func:`jacobian`: the whole (m, n) Jacobian of the lecture's chain rule.

The layer contract used throughout the course is::

    out, cache = forward(*inputs, **params)
    grads = backward(dout, cache)          # one gradient per input, same order

so :func:`layer_gradient_errors` checks any layer with one call.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validate import anything, array, checked, function, positive, seed

def _central_differences(f, x: np.ndarray, h: float):
    """Yield ``(index, (f(x + h e_i) - f(x - h e_i)) / (2 h))`` for every entry i of x.

    ``f(x)`` may return a scalar or an array; x is perturbed in place and restored.
    """
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = _finite_output(f(x), "f(x + h e_i)", index)
        x[index] = original - h
        f_minus = _finite_output(f(x), "f(x - h e_i)", index)
        x[index] = original
        yield index, (f_plus - f_minus) / (2 * h)


def _finite_output(value, what: str, index) -> np.ndarray:
    out = np.asarray(value, dtype=np.float64) if not isinstance(value, numbers.Real) else np.float64(value)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{what} is not finite at entry {index}: the function returned NaN or inf, "
                         "so no derivative can be estimated there")
    return out


def _as_perturbable(x, name: str = "x") -> np.ndarray:
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(f"{name} must be a float64 numpy array (it is perturbed in place), got "
                        + (f"an array of dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__))
    if x.size == 0:
        raise ValueError(f"{name} is empty (shape {x.shape}): there is nothing to differentiate")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


@checked(f=function(), x=anything(), h=positive())
def numerical_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``; it must read ``x`` afresh on every call.
    x : float64 array, any shape
        The point; each entry is perturbed in place by +-h and restored.
    h : float
        Step size.

    Returns
    -------
    grad : array of x's shape
        ``grad[i] ~ df/dx[i]``.
    """
    x = _as_perturbable(x)
    grad = np.zeros_like(x)
    for index, slope in _central_differences(lambda z: _scalar(f(z)), x, h):
        grad[index] = slope
    return grad


def _scalar(value) -> float:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    arr = np.asarray(value)
    if arr.shape != () or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"f must return a scalar, got an array of shape {arr.shape}; "
                         "for array-valued functions use numerical_gradient_array(f, x, dout)")
    return float(arr)


@checked(f=function(), x=anything(), dout=array(), h=positive())
def numerical_gradient_array(f, x: np.ndarray, dout, h: float = 1e-6) -> np.ndarray:
    """Vector-Jacobian product ``J^T dout`` of an array-valued function, numerically.

    This is the gradient of the scalar ``sum(f(x) * dout)``, i.e. what a layer's
    ``backward(dout, cache)`` must return for the input ``x``.

    Parameters
    ----------
    f : callable
        ``f(x) -> array`` with the same shape as ``dout``.
    x : float64 array
        Perturbed in place and restored.
    dout : array
        The upstream gradient, shape of ``f(x)``.
    h : float
        Step size of the central differences.

    Returns
    -------
    grad : array of x's shape
        ``grad[i] ~ sum_j dout[j] * df(x)[j]/dx[i]``.
    """
    def projected(z):
        out = np.asarray(f(z), dtype=np.float64)
        if out.shape != dout.shape:
            raise ValueError(f"f(x) has shape {out.shape} but dout has shape {dout.shape}")
        return float(np.sum(out * dout))

    return numerical_gradient(projected, x, h)


@checked(f=function(), x=array("n"), h=positive())
def jacobian(f, x, h: float = 1e-6) -> np.ndarray:
    """Numerical Jacobian ``J[j, k] = d f_j / d x_k``, column by column.

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
        Step size.

    Returns
    -------
    J : (m, n) array
    """
    columns = [np.ravel(slope) for _, slope in _central_differences(f, x.copy(), h)]
    return np.stack(columns, axis=1)


@checked(a=array(finite=False, nonempty=False), b=array(finite=False, nonempty=False))
def rel_error(a, b) -> float:
    """Relative error ``max|a - b| / max(1e-8, max(|a| + |b|))``.

    The denominator is the largest magnitude in the arrays rather than each
    entry's own, so entries that are zero up to rounding (a dead ReLU, a bias
    nobody uses) do not turn 1e-11 of finite-difference noise into an "error"
    of 1e-3. Below 1e-7 means the analytic and numerical gradients agree. An array holding
    NaN or an infinity cannot agree with anything: its error is inf.
    """
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("inf")
    scale = max(1e-8, float(np.max(np.abs(a) + np.abs(b))))
    return float(np.max(np.abs(a - b)) / scale)


def _check_inputs(inputs) -> list:
    if isinstance(inputs, np.ndarray) or not isinstance(inputs, (list, tuple)):
        raise TypeError(f"inputs must be a list of arrays, one per differentiable input, e.g. [x, w, b]; "
                        f"got {type(inputs).__name__} (wrap a single array as [x])")
    if not inputs:
        raise ValueError("inputs must hold at least one array")
    return [_as_perturbable(x, f"inputs[{i}]") for i, x in enumerate(inputs)]


@checked(forward=function(), backward=function(), inputs=anything(), params=anything(), rng=seed(),
         h=positive())
def layer_gradient_errors(forward, backward, inputs, params=None, rng=None, h=1e-6):
    """Compare a layer's ``backward`` with finite differences, input by input.

    Parameters
    ----------
    forward : callable
        ``forward(*inputs, **params) -> (out, cache)``.
    backward : callable
        ``backward(dout, cache) -> grad`` or a tuple of grads, one per input.
    inputs : list of float64 arrays
        The differentiable inputs (x, w, b, ...), in the order backward returns them.
    params : dict, optional
        Non-differentiable keyword arguments (stride, padding, ...).
    rng : Generator or int, optional
        Draws the random upstream gradient ``dout``.

    Returns
    -------
    errors : list of float
        ``rel_error(analytic, numerical)`` for each input.
    """
    if params is not None and not isinstance(params, dict):
        raise TypeError(f"params must be a dict of keyword arguments, got {type(params).__name__}")
    params = dict(params or {})
    inputs = _check_inputs(inputs)
    try:
        out, cache = forward(*inputs, **params)
    except TypeError as exc:
        if not params:
            raise
        raise TypeError(f"forward(*inputs, **params) failed for params with the keys {sorted(params)}: {exc}") from exc
    dout = rng.standard_normal(np.shape(out))
    grads = backward(dout, cache)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) < len(inputs):
        raise ValueError(f"backward returned {len(grads)} gradients for {len(inputs)} inputs")
    errors = []
    for i, x in enumerate(inputs):
        def f_of_input(z, i=i):
            args = list(inputs)
            args[i] = z
            return forward(*args, **params)[0]
        numeric = numerical_gradient_array(f_of_input, x, dout, h)
        errors.append(rel_error(grads[i], numeric))
    return errors
