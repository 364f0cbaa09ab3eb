"""Speed paths for the layers of :mod:`lecture_utils.conv` and :mod:`lecture_utils.nn` that a CNN trains with.

The same numbers as the lecture layers (``tests/test_fast_conv.py``: equal to 1e-12 in float64),
with what training needs and a reader of the lecture does not:

* float32: a layer whose array inputs are all float32 computes in float32 (half the memory
  traffic, faster BLAS), for comparison with PyTorch's float32; anything else is float64;
* ``conv2d_backward(..., input_gradient=False)`` skips dJ/dx (a network's first layer needs
  no gradient for its input images, and dJ/dx is the most expensive of the three);
* dJ/dx by another im2col and product (the full correlation of dy with the flipped kernels)
  when the stride is 1 and K <= C, where it is cheaper than col2im;
* ``_*`` kernels without argument checks, for a training loop that validated its data once.

The public functions check their arguments like the lecture ones.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validate import Spec, array, check, flag, integer, optional
from ..conv import MAX_PADDING, col2im, conv2d_output_shape, im2col


class _KeepFloat32(Spec):
    """Like ``array(shape)``, but a float32 array stays float32 (after the same checks)."""

    def __init__(self, shape):
        self.as_float64 = array(shape)
        self.description = self.as_float64.description

    def __call__(self, value, name, sizes):
        if isinstance(value, np.ndarray) and value.dtype == np.float32:
            self.as_float64(value.astype(np.float64), name, sizes)    # shape and finiteness
            return value
        return self.as_float64(value, name, sizes)


def float_array(shape=None) -> Spec:
    """An array argument kept in float32 when it is float32, made float64 otherwise."""
    return _KeepFloat32(shape)


def _same_precision(*arrays):
    """float32 when every given array is float32 (None, an absent bias, is skipped), else float64."""
    if all(a is None or a.dtype == np.float32 for a in arrays):
        return np.float32
    return np.float64


def _as(dtype, *arrays):
    return tuple(None if a is None else a.astype(dtype, copy=False) for a in arrays)


def _pad(x, padding):
    return x if padding == 0 else np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


# --------------------------------------------------------------------------------------
# Convolution
# --------------------------------------------------------------------------------------

class FastConvCache(NamedTuple):
    """What :func:`conv2d_backward` needs from :func:`conv2d_forward`."""

    x_shape: tuple
    w: np.ndarray
    stride: int
    padding: int
    cols: np.ndarray
    out_shape: tuple


def _conv_forward(x, w, b, stride, padding):
    """Unchecked im2col forward pass (inputs already of one precision)."""
    N, K, Ho, Wo = conv2d_output_shape(x.shape, w.shape, stride, padding)
    R, S = w.shape[2:]
    cols = im2col(_pad(x, padding).transpose(1, 0, 2, 3), R, S, stride, Ho, Wo)
    y = w.reshape(K, -1) @ cols
    if b is not None:
        y += b[:, None]
    y = np.ascontiguousarray(y.reshape(K, N, Ho, Wo).transpose(1, 0, 2, 3))
    return y, FastConvCache(x.shape, w, stride, padding, cols, y.shape)


def _input_gradient_by_correlation(dy_k, w, Hp, Wp):
    """dJ/dx_pad for stride 1: the full correlation of dy with the flipped kernels, one product.

    ``dy_k`` is dy channel-first, (K, N, H', W'); returns (C, N, Hp, Wp).
    """
    K, N, Ho, Wo = dy_k.shape
    C, R, S = w.shape[1:]
    dy_full = np.zeros((K, N, Ho + 2 * (R - 1), Wo + 2 * (S - 1)), dtype=dy_k.dtype)
    dy_full[:, :, R - 1:R - 1 + Ho, S - 1:S - 1 + Wo] = dy_k
    w_flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(C, K * R * S)
    return (w_flipped @ im2col(dy_full, R, S, 1, Hp, Wp)).reshape(C, N, Hp, Wp)


def _col2im(cols, C, N, Hp, Wp, R, S, stride, Ho, Wo):
    """:func:`lecture_utils.conv.col2im` in the columns' own precision."""
    if cols.dtype == np.float64:
        return col2im(cols, C, N, Hp, Wp, R, S, stride, Ho, Wo)
    blocks = cols.reshape(C, R, S, N, Ho, Wo)
    out = np.zeros((C, N, Hp, Wp), dtype=cols.dtype)
    for i in range(R):
        for j in range(S):
            out[:, :, i:i + stride * Ho:stride, j:j + stride * Wo:stride] += blocks[:, i, j]
    return out


def _conv_backward(dy, cache, input_gradient=True):
    """Unchecked backward pass: (dx or None, dw, db)."""
    (N, C, H, W), w, stride, padding, cols, (_, K, Ho, Wo) = cache
    R, S = w.shape[2:]
    Hp, Wp = H + 2 * padding, W + 2 * padding
    dy_k = dy.transpose(1, 0, 2, 3)
    dy2 = dy_k.reshape(K, N * Ho * Wo)
    db = dy2.sum(axis=1)
    dw = (dy2 @ cols.T).reshape(w.shape)
    if not input_gradient:
        return None, dw, db
    if stride == 1 and K <= C:
        dx_pad = _input_gradient_by_correlation(dy_k, w, Hp, Wp)
    else:   # an im2col of dy would be K/C times larger than cols: scatter W2^T dY2 instead
        dx_pad = _col2im(w.reshape(K, -1).T @ dy2, C, N, Hp, Wp, R, S, stride, Ho, Wo)
    dx = dx_pad[:, :, padding:padding + H, padding:padding + W].transpose(1, 0, 2, 3)
    return np.ascontiguousarray(dx), dw, db


def conv2d_forward(x, w, b=None, stride=1, padding=0):
    """:func:`lecture_utils.conv.conv2d_forward`, float32 when x, w (and b) are all float32.

    Returns
    -------
    y : (N, K, H', W') array
    cache : FastConvCache
    """
    x, w, b, stride, padding = check(
        {"x": float_array("N C H W"), "w": float_array("K C R S"), "b": optional(float_array("K")),
         "stride": integer(1, 1000), "padding": integer(0, MAX_PADDING)},
        {"x": x, "w": w, "b": b, "stride": stride, "padding": padding})
    conv2d_output_shape(x.shape, w.shape, stride, padding)       # the kernel fits
    x, w, b = _as(_same_precision(x, w, b), x, w, b)
    return _conv_forward(x, w, b, stride, padding)


def conv2d_backward(dy, cache, input_gradient=True):
    """:func:`lecture_utils.conv.conv2d_backward`; ``input_gradient=False`` returns None for dx."""
    if not isinstance(cache, FastConvCache):
        raise TypeError(f"cache must be the FastConvCache lecture_utils.fast.conv.conv2d_forward returns, "
                        f"got {type(cache).__name__}")
    dy, input_gradient = check({"dy": float_array(" ".join(map(str, cache.out_shape))),
                                "input_gradient": flag()}, {"dy": dy, "input_gradient": input_gradient})
    return _conv_backward(dy.astype(cache.cols.dtype, copy=False), cache, input_gradient)


# --------------------------------------------------------------------------------------
# ReLU, max pooling, dense layer, softmax cross-entropy in the input's precision
# --------------------------------------------------------------------------------------

def _relu_forward(a):
    return np.maximum(a, 0), a


def _relu_backward(dout, a):
    return dout * (a >= 0)


class FastPoolCache(NamedTuple):
    x_shape: tuple
    size: int
    stride: int
    argmax: np.ndarray
    out_shape: tuple


def _pool_forward(x, size=2, stride=2):
    N, C, H, W = x.shape
    Ho, Wo = (H - size) // stride + 1, (W - size) // stride + 1
    sN, sC, sH, sW = x.strides
    windows = np.lib.stride_tricks.as_strided(x, shape=(N, C, Ho, Wo, size, size),
                                              strides=(sN, sC, sH * stride, sW * stride, sH, sW),
                                              writeable=False)
    flat = windows.reshape(N, C, Ho, Wo, size * size)
    argmax = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    return out, FastPoolCache(x.shape, size, stride, argmax, out.shape)


def _pool_backward(dout, cache):
    x_shape, size, stride, argmax, (_, _, Ho, Wo) = cache
    dx = np.zeros(x_shape, dtype=dout.dtype)
    zero = dout.dtype.type(0)
    for i in range(size):
        for j in range(size):
            routed = np.where(argmax == i * size + j, dout, zero)
            dx[:, :, i:i + stride * Ho:stride, j:j + stride * Wo:stride] += routed
    return dx


def _dense_forward(x, w, b):
    return x @ w + b, (x, w)


def _dense_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def _softmax_cross_entropy(scores, labels):
    """Mean cross-entropy and its gradient for integer labels, in the scores' precision."""
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -float(np.sum(log_p[np.arange(n), labels])) / n
    dscores = np.exp(log_p)
    dscores[np.arange(n), labels] -= 1
    return loss, dscores / scores.dtype.type(n)
