"""Numerical gradients: the independent witness for every derivation.

Central differences, ``(f(x + h e_i) - f(x - h e_i)) / (2 h)``, have error
O(h^2) from truncation plus O(eps / h) from rounding, so h = 1e-6 in float64
gives about 1e-9 to 1e-10 absolute accuracy for well-scaled functions.

The layer contract used throughout the course is::

    out, cache = forward(*inputs, **params)
    grads = backward(dout, cache)          # one gradient per input, same order

so :func:`layer_gradient_errors` checks any layer with one call.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validate import as_float_array, check_positive_float, default_rng


def _as_perturbable(x, name: str) -> np.ndarray:
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(
            f"{name} must be a float64 numpy array (it is perturbed in place), "
            f"got {type(x).__name__}" + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else ""))
    return x


def numerical_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``; it must read ``x`` afresh on every call.
    x : (any shape) float64 array
        The point; each entry is perturbed in place by +-h and restored.
    h : float
        Step size.

    Returns
    -------
    grad : array of x's shape
        ``grad[i] ~ df/dx[i]``.
    """
    x = _as_perturbable(x, "x")
    h = check_positive_float(h, "h")
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + h
        f_plus = _scalar(f(x))
        x[idx] = original - h
        f_minus = _scalar(f(x))
        x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def _scalar(value) -> float:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    arr = np.asarray(value)
    if arr.shape != () or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(
            f"f must return a scalar, got an array of shape {arr.shape}; "
            "for array-valued functions use numerical_gradient_array(f, x, dout)")
    return float(arr)


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
    x = _as_perturbable(x, "x")
    dout = as_float_array(dout, "dout")

    def projected(z):
        out = np.asarray(f(z), dtype=np.float64)
        if out.shape != dout.shape:
            raise ValueError(f"f(x) has shape {out.shape} but dout has shape {dout.shape}")
        return float(np.sum(out * dout))

    return numerical_gradient(projected, x, h)


def rel_error(a, b) -> float:
    """Relative error ``max|a - b| / max(1e-8, max(|a| + |b|))``.

    The denominator is the largest magnitude in the arrays rather than each
    entry's own, so entries that are zero up to rounding (a dead ReLU, a bias
    nobody uses) do not turn 1e-11 of finite-difference noise into an "error"
    of 1e-3. Below 1e-7 means the analytic and numerical gradients agree.
    """
    a = as_float_array(a, "a", allow_nan=True)
    b = as_float_array(b, "b", allow_nan=True)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    scale = max(1e-8, float(np.max(np.abs(a) + np.abs(b))))
    return float(np.max(np.abs(a - b)) / scale)


def layer_gradient_errors(forward, backward, inputs, params=None, rng=None, h=1e-6):
    """Compare a layer's ``backward`` with finite differences, input by input.

    Parameters
    ----------
    forward : callable
        ``forward(*inputs, **params) -> (out, cache)``.
    backward : callable
        ``backward(dout, cache) -> grad`` or a tuple of grads, one per input.
    inputs : sequence of float64 arrays
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
    params = dict(params or {})
    inputs = [_as_perturbable(x, f"inputs[{i}]") for i, x in enumerate(inputs)]
    out, cache = forward(*inputs, **params)
    dout = default_rng(rng).standard_normal(np.shape(out))
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
