"""Argument checks shared by every module.

Each helper raises a ``TypeError`` or ``ValueError`` that names the argument,
what was received and what was expected, *before* any computation, so students
never meet a bare broadcasting error from deep inside numpy.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_float_array(x, name: str, ndim: int | tuple[int, ...] | None = None,
                   allow_nan: bool = False, keep_float32: bool = False) -> np.ndarray:
    """Return ``x`` as a float64 array (float32 kept on request), checking its dimensionality and values.

    Parameters
    ----------
    x : array_like
        Real numbers (booleans and integers are converted, strings are not).
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        Accepted numbers of dimensions.
    allow_nan : bool
        Whether NaN and infinite entries are accepted.
    keep_float32 : bool
        If True, a float32 numpy array is returned as float32 (same checks) instead of
        being converted. Only the fast layers of the CNN training path (conv, pooling,
        ReLU, dense, softmax cross-entropy) ask for this, so that a network built with
        float32 parameters trains in float32: half the memory traffic and faster BLAS,
        for comparison with PyTorch's float32 (``benchmarks/bench_cnn.py``). Everything
        else, including gradient checks (finite differences need float64's 16 digits),
        stays float64.
    """
    if type(x) is np.ndarray and (x.dtype == np.float64 or (keep_float32 and x.dtype == np.float32)):
        # Fast path for what layers pass each other during training: no dtype checks to make.
        _check_ndim(x, name, ndim)
        if not allow_nan and x.size and not np.isfinite(x).all():
            raise ValueError(f"{name} contains NaN or infinite values")
        return x
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of real numbers, got {type(x).__name__}") from exc
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    _check_ndim(arr, name, ndim)
    arr = arr.astype(np.float32 if keep_float32 and arr.dtype == np.float32 else np.float64, copy=False)
    if not allow_nan and arr.size and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def all_float32(*arrays) -> bool:
    """True when every argument is a float32 numpy array (``None``, an absent bias, is skipped).

    A layer with several array inputs (x, w, b) computes in float32 only when all of them
    are float32; any other input makes the whole layer float64, exactly as without float32.
    """
    return all(a is None or (isinstance(a, np.ndarray) and a.dtype == np.float32) for a in arrays)


def _check_ndim(arr: np.ndarray, name: str, ndim) -> None:
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got shape {arr.shape}")


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int, requiring an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_positive_float(value, name: str, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, requiring a finite number > 0 (or >= 0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value}")
    return value


def check_choice(value, name: str, choices) -> str:
    """Require ``value`` to be one of ``choices`` (strings)."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def default_rng(rng) -> np.random.Generator:
    """Accept a Generator, an integer seed or None (seed 0): never global state."""
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy Generator or an integer seed, got {type(rng).__name__}")
