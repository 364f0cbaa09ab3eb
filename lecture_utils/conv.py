"""Convolution-layer gradients (seeds 002 and 004) and max pooling, naive and fast.

Single 2-D arrays (seed 004's notation: input X of size U x V, kernel W of size S x T;
here R x S to match the batched shapes below)::

    cross-correlation  Y(p, q) = sum_i sum_j X(p + i, q + j) W(i, j)      (seed 004)
    convolution        Y(p, q) = sum_i sum_j X(p - i, q - j) W(i, j)      (seed 002, Eq. C)

"valid" keeps the (U - R + 1, V - S + 1) outputs where the kernel fits inside X;
"full" keeps every output where kernel and input overlap, (U + R - 1, V + S - 1).
Convolution is cross-correlation with the kernel flipped in both axes.

A convolution layer (what CNN libraries call "conv2d" is a cross-correlation)::

    y[n, k, p, q] = b[k] + sum_c sum_i sum_j x_pad[n, c, p*stride + i, q*stride + j] w[k, c, i, j]
    x (N, C, H, W), w (K, C, R, S), b (K,) -> y (N, K, H', W'),
    H' = (H + 2 padding - R) // stride + 1,  W' = (W + 2 padding - S) // stride + 1.

Its gradients, for one channel, stride 1 and no padding (seeds 004 and 002)::

    dJ/dW = X (x) dJ/dY              valid cross-correlation of the input with dJ/dY
    dJ/dX = dJ/dY * W                full convolution with W, i.e. full cross-correlation
                                     with the flipped kernel W~
    dJ/db = sum of dJ/dY

Seed 002's Eq. A, ``dL/dx = dL/dy * W~``, is the same rule for its forward pass written
as a convolution: either way the backward pass reads the kernel flipped relative to the
forward pass.

The ``*_naive`` functions loop exactly like these index formulas; :func:`conv2d_forward`
and :func:`conv2d_backward` compute the same numbers with one large matrix product per
gradient (im2col: every receptive field of the batch copied into a column), fast enough
to train a CNN (``benchmarks/bench_conv.py`` compares them with PyTorch). Max pooling
(:func:`max_pool_forward`, :func:`max_pool_backward`) follows the same layer contract;
softmax cross-entropy lives in :mod:`lecture_utils.nn`.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._validate import all_float32, as_float_array, check_choice, check_positive_int

MODES = {"valid", "full"}


# --------------------------------------------------------------------------------------
# Single 2-D arrays: the lecture's index formulas, loop for loop
# --------------------------------------------------------------------------------------

def _check_2d_pair(x, w, mode):
    x = as_float_array(x, "x", ndim=2)
    w = as_float_array(w, "w", ndim=2)
    mode = check_choice(mode, "mode", MODES)
    if w.size == 0 or x.size == 0:
        raise ValueError(f"x and w must be non-empty, got shapes {x.shape} and {w.shape}")
    if mode == "valid" and (w.shape[0] > x.shape[0] or w.shape[1] > x.shape[1]):
        raise ValueError(f"in 'valid' mode the kernel w {w.shape} must fit inside x {x.shape}; "
                         "use mode='full' or a smaller kernel")
    return x, w, mode


def correlate2d_naive(x, w, mode="valid"):
    """Cross-correlation ``Y(p, q) = sum_i sum_j X(p + i, q + j) W(i, j)`` with four loops.

    This is seed 004's forward equation, ``Y = X (x) W``. Same result as
    ``scipy.signal.correlate2d(x, w, mode)``.

    Parameters
    ----------
    x : (U, V) array
        Input image.
    w : (R, S) array
        Kernel. In "valid" mode it must fit inside x.
    mode : {"valid", "full"}
        "valid": outputs where w lies inside x, shape (U - R + 1, V - S + 1).
        "full": every overlap, shape (U + R - 1, V + S - 1); x is zero-padded by
        R - 1 rows and S - 1 columns on each side first.

    Returns
    -------
    y : 2-D array
    """
    x, w, mode = _check_2d_pair(x, w, mode)
    R, S = w.shape
    if mode == "full":
        x = np.pad(x, ((R - 1, R - 1), (S - 1, S - 1)))  # zeros outside the image
    U, V = x.shape
    y = np.zeros((U - R + 1, V - S + 1))
    for p in range(U - R + 1):
        for q in range(V - S + 1):
            for i in range(R):
                for j in range(S):
                    y[p, q] += x[p + i, q + j] * w[i, j]
    return y


def convolve2d_naive(x, w, mode="valid"):
    """Convolution ``Y(p, q) = sum_i sum_j X(p - i, q - j) W(i, j)`` with four loops.

    Seed 002, Eq. C (``y = x * w``), with X taken as zero outside the image.
    Same result as ``scipy.signal.convolve2d(x, w, mode)`` and as
    ``correlate2d_naive(x, w[::-1, ::-1], mode)``: convolving is correlating
    with the kernel flipped in both axes.

    Parameters
    ----------
    x : (U, V) array
        Input image.
    w : (R, S) array
        Kernel. In "valid" mode it must fit inside x.
    mode : {"valid", "full"}
        "full": shape (U + R - 1, V + S - 1), every (p, q) where some X(p - i, q - j)
        exists. "valid": the (U - R + 1, V - S + 1) centre part, where every
        X(p - i, q - j) exists.

    Returns
    -------
    y : 2-D array
    """
    x, w, mode = _check_2d_pair(x, w, mode)
    U, V = x.shape
    R, S = w.shape
    full = np.zeros((U + R - 1, V + S - 1))
    for p in range(U + R - 1):
        for q in range(V + S - 1):
            for i in range(R):
                for j in range(S):
                    a, b = p - i, q - j
                    if 0 <= a < U and 0 <= b < V:  # X is zero outside the image
                        full[p, q] += x[a, b] * w[i, j]
    if mode == "full":
        return full
    return full[R - 1:U, S - 1:V]  # outputs whose sum used only pixels inside X


# --------------------------------------------------------------------------------------
# Batched convolution layer: argument checks shared by the naive and fast versions
# --------------------------------------------------------------------------------------

def conv2d_output_shape(x_shape, w_shape, stride=1, padding=0):
    """Output shape ``(N, K, H', W')`` of a convolution layer.

    ``H' = (H + 2 padding - R) // stride + 1`` and likewise for W': the number of
    positions, ``stride`` apart, where the R x S kernel fits inside the padded input.

    Parameters
    ----------
    x_shape : tuple (N, C, H, W)
    w_shape : tuple (K, C, R, S)
    stride : int >= 1
    padding : int >= 0
        Zeros added on every side of each image.

    Returns
    -------
    tuple of 4 ints
    """
    x_shape, w_shape = tuple(x_shape), tuple(w_shape)
    if len(x_shape) != 4 or len(w_shape) != 4:
        raise ValueError(f"x_shape must be (N, C, H, W) and w_shape (K, C, R, S), "
                         f"got {x_shape} and {w_shape}")
    stride = check_positive_int(stride, "stride")
    padding = check_positive_int(padding, "padding", minimum=0)
    N, C, H, W = x_shape
    K, Cw, R, S = w_shape
    if Cw != C:
        raise ValueError(f"w has {Cw} input channels (shape {w_shape}) but x has {C} "
                         f"(shape {x_shape}); w.shape[1] must equal x.shape[1]")
    if R > H + 2 * padding or S > W + 2 * padding:
        raise ValueError(f"kernel {R}x{S} (w shape {w_shape}) is larger than the padded input "
                         f"{H + 2 * padding}x{W + 2 * padding} (x shape {x_shape}, padding {padding})")
    return N, K, (H + 2 * padding - R) // stride + 1, (W + 2 * padding - S) // stride + 1


def _check_conv_args(x, w, b, stride, padding, keep_float32=False):
    # keep_float32: only the fast layer computes in float32; the naive loops stay float64
    x = as_float_array(x, "x", ndim=4, keep_float32=keep_float32)
    w = as_float_array(w, "w", ndim=4, keep_float32=keep_float32)
    out_shape = conv2d_output_shape(x.shape, w.shape, stride, padding)
    if b is not None:
        b = as_float_array(b, "b", ndim=1, keep_float32=keep_float32)
        if b.shape != (w.shape[0],):
            raise ValueError(f"b must have shape ({w.shape[0]},), one bias per filter of w "
                             f"{w.shape}, got {b.shape}")
    return x, w, b, out_shape


def _check_dy(dy, expected_shape, keep_float32=False):
    dy = as_float_array(dy, "dy", ndim=4, keep_float32=keep_float32)
    if dy.shape != tuple(expected_shape):
        raise ValueError(f"dy must have the forward output's shape {tuple(expected_shape)}, "
                         f"got {dy.shape}")
    return dy


def _unpack_cache(cache, length, producer):
    # a cache from another layer (e.g. the naive forward's, passed to the fast backward) has another length
    if not isinstance(cache, tuple) or len(cache) != length:
        got = f"a tuple of length {len(cache)}" if isinstance(cache, tuple) else type(cache).__name__
        raise TypeError(f"cache must be the tuple returned by {producer}, got {got}")
    return cache


def _pad(x, padding):
    if padding == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


# --------------------------------------------------------------------------------------
# Naive loops: the index formulas
# --------------------------------------------------------------------------------------

def conv2d_forward_naive(x, w, b=None, stride=1, padding=0):
    """Convolution layer (cross-correlation), looping over every output entry.

    ``y[n, k, p, q] = b[k] + sum_{c,i,j} x_pad[n, c, p*stride + i, q*stride + j] w[k, c, i, j]``,
    seed 004's ``Y^k = X (x) W^k`` for each of the K filters, summed over the C channels.

    Parameters
    ----------
    x : (N, C, H, W) array
        N images of C channels.
    w : (K, C, R, S) array
        K filters, each with C channels of R x S weights.
    b : (K,) array, optional
        One bias per filter (none when omitted).
    stride : int >= 1
        Step between neighbouring outputs, in input pixels.
    padding : int >= 0
        Zeros added on every side of each image before correlating.

    Returns
    -------
    y : (N, K, H', W') array
        ``H' = (H + 2 padding - R) // stride + 1``, likewise W'.
    cache : tuple
        ``(x, w, b, stride, padding)`` for :func:`conv2d_backward_naive`.
    """
    x, w, b, (N, K, Ho, Wo) = _check_conv_args(x, w, b, stride, padding)
    R, S = w.shape[2:]
    x_pad = _pad(x, padding)
    y = np.zeros((N, K, Ho, Wo))
    for n in range(N):
        for k in range(K):
            for p in range(Ho):
                for q in range(Wo):
                    window = x_pad[n, :, p * stride:p * stride + R, q * stride:q * stride + S]
                    y[n, k, p, q] = np.sum(window * w[k])  # the sum over c, i, j
                    if b is not None:
                        y[n, k, p, q] += b[k]
    return y, (x, w, b, stride, padding)


def conv2d_backward_naive(dy, cache):
    """Gradients of the convolution layer by the chain rule, one output entry at a time.

    Every output ``y[n, k, p, q]`` touches the weights ``w[k]`` and the input window
    under them, so (seed 004, Eq. 3; seed 002, Eq. 3)::

        dJ/dw[k]          += dJ/dy[n, k, p, q] * window        (dy/dw = the input)
        dJ/dx_pad[window] += dJ/dy[n, k, p, q] * w[k]          (dy/dx = the weight)
        dJ/db[k]          += dJ/dy[n, k, p, q]

    Parameters
    ----------
    dy : (N, K, H', W') array
        Upstream gradient dJ/dy.
    cache : tuple
        From :func:`conv2d_forward_naive`.

    Returns
    -------
    dx : (N, C, H, W) array
    dw : (K, C, R, S) array
    db : (K,) array
        dJ/db (computed even when the forward had no bias, as if b were 0).
    """
    x, w, b, stride, padding = _unpack_cache(cache, 5, "conv2d_forward_naive")
    N, K, Ho, Wo = conv2d_output_shape(x.shape, w.shape, stride, padding)
    dy = _check_dy(dy, (N, K, Ho, Wo))
    R, S = w.shape[2:]
    x_pad = _pad(x, padding)
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = np.zeros(K)
    for n in range(N):
        for k in range(K):
            for p in range(Ho):
                for q in range(Wo):
                    rows = slice(p * stride, p * stride + R)
                    cols = slice(q * stride, q * stride + S)
                    dw[k] += dy[n, k, p, q] * x_pad[n, :, rows, cols]
                    dx_pad[n, :, rows, cols] += dy[n, k, p, q] * w[k]
                    db[k] += dy[n, k, p, q]
    dx = dx_pad[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]]
    return dx, dw, db


# --------------------------------------------------------------------------------------
# Fast version: im2col + one matrix product
# --------------------------------------------------------------------------------------
#
# Layout: the im2col matrix has one row per weight (c, i, j) and one column per output
# position (n, p, q) of the whole batch, so each pass is ONE large matrix product (BLAS
# runs it at full speed and on every core) instead of N small ones. Arrays are handled
# channel-first, (C, N, H, W), inside these functions for that reason.

def _im2col(a_cn, R, S, stride, Ho, Wo):
    """Receptive fields as columns: (C*R*S, N*H'*W') from a channel-first (C, N, H, W) array.

    ``as_strided`` makes a view indexed (c, i, j, n, p, q) -> a_cn[c, n, p*stride + i,
    q*stride + j] without copying (``a_cn`` may itself be a transposed view); the
    reshape then copies it once into a contiguous matrix that BLAS can multiply.
    """
    C, N = a_cn.shape[:2]
    sC, sN, sH, sW = a_cn.strides
    windows = as_strided(a_cn, shape=(C, R, S, N, Ho, Wo),
                         strides=(sC, sH, sW, sN, sH * stride, sW * stride), writeable=False)
    return windows.reshape(C * R * S, N * Ho * Wo)


def _col2im(dcols, C, N, Hp, Wp, R, S, stride, Ho, Wo):
    """Adjoint of :func:`_im2col`: add each column entry back onto the pixel it came from.

    One vectorised add per kernel offset (i, j), R*S in total (not ``np.add.at``, which
    is slow): a pixel shared by several receptive fields collects all their contributions.
    Returns the channel-first (C, N, Hp, Wp) gradient.
    """
    d6 = dcols.reshape(C, R, S, N, Ho, Wo)
    da = np.zeros((C, N, Hp, Wp), dtype=dcols.dtype)
    for i in range(R):
        for j in range(S):
            da[:, :, i:i + stride * Ho:stride, j:j + stride * Wo:stride] += d6[:, i, j]
    return da


def conv2d_forward(x, w, b=None, stride=1, padding=0):
    """Convolution layer (cross-correlation), vectorised with im2col.

    Same numbers as :func:`conv2d_forward_naive`:
    ``y[n, k, p, q] = b[k] + sum_{c,i,j} x_pad[n, c, p*stride + i, q*stride + j] w[k, c, i, j]``.
    Every receptive field is copied into a column of a (C*R*S, N*H'*W') matrix, so the
    triple sum for all outputs at once is one product with the (K, C*R*S) weight matrix.

    Parameters
    ----------
    x : (N, C, H, W) array
        N images of C channels.
    w : (K, C, R, S) array
        K filters.
    b : (K,) array, optional
        One bias per filter.
    stride : int >= 1
    padding : int >= 0
        Zeros added on every side of each image.

    Returns
    -------
    y : (N, K, H', W') array
        ``H' = (H + 2 padding - R) // stride + 1``, likewise W'. float64, or float32
        when x, w and b are all float32 (the opt-in float32 training path).
    cache : tuple
        For :func:`conv2d_backward` (holds the im2col matrix, needed for dJ/dw).
    """
    x, w, b, (N, K, Ho, Wo) = _check_conv_args(x, w, b, stride, padding,
                                               keep_float32=all_float32(x, w, b))
    R, S = w.shape[2:]
    x_pad = _pad(x, padding)
    cols = _im2col(x_pad.transpose(1, 0, 2, 3), R, S, stride, Ho, Wo)   # (C*R*S, N*H'*W')
    y = w.reshape(K, -1) @ cols                                           # (K, N*H'*W')
    if b is not None:
        y += b[:, None]
    y = np.ascontiguousarray(y.reshape(K, N, Ho, Wo).transpose(1, 0, 2, 3))
    cache = (x.shape, x_pad.shape, w, stride, padding, cols)
    return y, cache


def _input_gradient_by_correlation(dy_k, w, Hp, Wp):
    """dJ/dx_pad for stride 1: the full correlation of dy with the flipped kernel (cf. PA5's Eq. A).

    ``dx_pad[n, c] = sum_k full_correlate(dy[n, k], w[k, c, ::-1, ::-1])``: the backward
    pass is itself a convolution layer, with w's channel axes swapped and its kernels
    flipped, applied to dy padded by R - 1, S - 1 zeros ("full" mode). One im2col and one
    matrix product, like the forward pass. ``dy_k`` is dy channel-first, (K, N, H', W').
    """
    K, N, Ho, Wo = dy_k.shape
    C, R, S = w.shape[1:]
    dy_full = np.zeros((K, N, Ho + 2 * (R - 1), Wo + 2 * (S - 1)), dtype=dy_k.dtype)
    dy_full[:, :, R - 1:R - 1 + Ho, S - 1:S - 1 + Wo] = dy_k
    w_flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(C, K * R * S)
    dy_cols = _im2col(dy_full, R, S, 1, Hp, Wp)                  # (K*R*S, N*Hp*Wp)
    return (w_flipped @ dy_cols).reshape(C, N, Hp, Wp)


def conv2d_backward(dy, cache, input_gradient=True):
    """Gradients of :func:`conv2d_forward`, vectorised.

    With ``cols`` the (C*R*S, N*H'*W') im2col matrix of the forward pass, ``W2 = w`` as a
    (K, C*R*S) matrix and ``dY2`` the (K, N*H'*W') matrix of dy::

        dJ/dw = dY2 cols^T                  (seed 004: X (x) dJ/dY, for every k and c,
                                             summed over the batch)
        dJ/dx = the full correlation of dy with the flipped kernels (cf. PA5, Eq. A),
                computed as another im2col + matrix product when the stride is 1 and
                K <= C; otherwise as W2^T dY2 scattered back onto the pixels (col2im),
                which works for any stride and is cheaper when K > C
        dJ/db = row sums of dY2

    Parameters
    ----------
    dy : (N, K, H', W') array
        Upstream gradient.
    cache : tuple
        From :func:`conv2d_forward`.
    input_gradient : bool
        False skips dJ/dx (returned as None): a network's first layer needs no gradient
        for its input images, and dJ/dx is the most expensive of the three.

    Returns
    -------
    dx : (N, C, H, W) array, or None when ``input_gradient`` is False
    dw : (K, C, R, S) array
    db : (K,) array
        dJ/db (computed even when the forward had no bias, as if b were 0).
        All three are float32 when the forward pass and dy were float32.
    """
    x_shape, x_pad_shape, w, stride, padding, cols = _unpack_cache(cache, 6, "conv2d_forward")
    N, K, Ho, Wo = conv2d_output_shape(x_shape, w.shape, stride, padding)
    float32_layer = w.dtype == cols.dtype == np.float32    # a float64 layer keeps dy float64, as always
    dy = _check_dy(dy, (N, K, Ho, Wo), keep_float32=float32_layer)
    C, R, S = w.shape[1:]
    Hp, Wp = x_pad_shape[2:]
    dy_k = dy.transpose(1, 0, 2, 3)                               # (K, N, H', W') view
    dy2 = dy_k.reshape(K, N * Ho * Wo)                            # one copy
    db = dy2.sum(axis=1)
    dw = (dy2 @ cols.T).reshape(w.shape)
    if not input_gradient:
        return None, dw, db
    if stride == 1 and K <= C:
        dx_pad = _input_gradient_by_correlation(dy_k, w, Hp, Wp)
    else:  # an im2col of dy would be K/C times larger than cols: scatter W2^T dY2 instead
        dx_pad = _col2im(w.reshape(K, -1).T @ dy2, C, N, Hp, Wp, R, S, stride, Ho, Wo)
    H, W = x_shape[2:]
    dx = dx_pad[:, :, padding:padding + H, padding:padding + W].transpose(1, 0, 2, 3)
    return np.ascontiguousarray(dx), dw, db


# --------------------------------------------------------------------------------------
# Max pooling
# --------------------------------------------------------------------------------------

def _check_pool_args(x, size, stride):
    x = as_float_array(x, "x", ndim=4, keep_float32=True)
    size = check_positive_int(size, "size")
    stride = check_positive_int(stride, "stride")
    H, W = x.shape[2:]
    if size > H or size > W:
        raise ValueError(f"pooling window {size}x{size} is larger than the {H}x{W} images of x "
                         f"(shape {x.shape})")
    return x, size, stride, (H - size) // stride + 1, (W - size) // stride + 1


def max_pool_forward(x, size=2, stride=2):
    """Max pooling: ``out[n, c, p, q] = max of x[n, c, p*stride + i, q*stride + j]`` over a window.

    Parameters
    ----------
    x : (N, C, H, W) array
    size : int >= 1
        The window is size x size pixels.
    stride : int >= 1
        Step between windows; ``stride == size`` (default 2, 2) tiles the image.
        Rows and columns that do not fill a last window are dropped.

    Returns
    -------
    out : (N, C, H', W') array
        ``H' = (H - size) // stride + 1``, likewise W'; float32 for float32 x.
    cache : tuple
        Input shape, size, stride and the position of each window's maximum
        (the first one, in row-major order, when several entries tie).
    """
    x, size, stride, Ho, Wo = _check_pool_args(x, size, stride)
    N, C = x.shape[:2]
    sN, sC, sH, sW = x.strides
    windows = as_strided(x, shape=(N, C, Ho, Wo, size, size),
                         strides=(sN, sC, sH * stride, sW * stride, sH, sW), writeable=False)
    flat = windows.reshape(N, C, Ho, Wo, size * size)      # one copy, window entries last
    argmax = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    return out, (x.shape, size, stride, argmax)


def max_pool_backward(dout, cache):
    """Gradient of max pooling: each window's upstream gradient goes to its maximum.

    ``d out[n, c, p, q] / d x[...] = 1`` for the entry that was the maximum and 0 for
    the others, so the gradient is routed, not spread. Overlapping windows
    (stride < size) add up their contributions.

    Parameters
    ----------
    dout : (N, C, H', W') array
        Upstream gradient.
    cache : tuple
        From :func:`max_pool_forward`.

    Returns
    -------
    dx : (N, C, H, W) array
        float32 for float32 dout, float64 otherwise.
    """
    x_shape, size, stride, argmax = _unpack_cache(cache, 4, "max_pool_forward")
    dout = as_float_array(dout, "dout", ndim=4, keep_float32=True)
    if dout.shape != argmax.shape:
        raise ValueError(f"dout must have the pooled output's shape {argmax.shape}, got {dout.shape}")
    Ho, Wo = argmax.shape[2:]
    dx = np.zeros(x_shape, dtype=dout.dtype)
    for i in range(size):          # one vectorised add per position inside the window
        for j in range(size):
            routed = np.where(argmax == i * size + j, dout, 0.0)
            dx[:, :, i:i + stride * Ho:stride, j:j + stride * Wo:stride] += routed
    return dx


# --------------------------------------------------------------------------------------
# Picture and widget: how many outputs read each pixel
# --------------------------------------------------------------------------------------

def receptive_field_counts(height, width, kernel, stride=1, padding=0):
    """How many outputs of a convolution read each pixel of the padded input.

    ``dJ/dx(a, b)`` is a sum with one term per output whose window covers pixel (a, b),
    so this count is the number of terms in that sum: ``R*S`` in the interior for
    stride 1, fewer at the borders (the zeros of the "full" convolution), and 0 for
    pixels a large stride skips. It equals ``dJ/dx`` for an all-ones kernel and ``dJ/dy``.

    Parameters
    ----------
    height, width : int >= 1
        Image size H x W, in pixels.
    kernel : int >= 1
        Square kernel size R = S.
    stride : int >= 1
    padding : int >= 0

    Returns
    -------
    counts : (H + 2 padding, W + 2 padding) int array
        Padding pixels included (their gradient is discarded).
    out_shape : tuple (H', W')
    """
    height = check_positive_int(height, "height")
    width = check_positive_int(width, "width")
    kernel = check_positive_int(kernel, "kernel")
    *_, Ho, Wo = conv2d_output_shape((1, 1, height, width), (1, 1, kernel, kernel), stride, padding)
    counts = np.zeros((height + 2 * padding, width + 2 * padding), dtype=int)
    for i in range(kernel):          # each kernel offset reads one pixel per output
        for j in range(kernel):
            counts[i:i + stride * Ho:stride, j:j + stride * Wo:stride] += 1
    return counts, (Ho, Wo)


def draw_receptive_field_counts(counts, out_shape, padding):
    """Figure of :func:`receptive_field_counts`: the image outlined inside its padding."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    fig = Figure(figsize=(4.2, 3.6))
    ax = fig.add_subplot()
    image = ax.imshow(counts, cmap="viridis", vmin=0)
    fig.colorbar(image, ax=ax, label="outputs reading the pixel")
    H, W = counts.shape[0] - 2 * padding, counts.shape[1] - 2 * padding
    ax.add_patch(Rectangle((padding - 0.5, padding - 0.5), W, H, fill=False, ec="white", lw=2))
    skipped = int(np.sum(counts[padding:padding + H, padding:padding + W] == 0))
    ax.set_title(f"output {out_shape[0]}x{out_shape[1]}; {skipped} image pixels get no gradient",
                 fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    return fig


def receptive_field_explorer(height=8, width=8):
    """Widget: kernel size, stride and padding -> terms in each pixel's gradient sum.

    Parameters
    ----------
    height, width : int
        Image size in pixels.

    Returns
    -------
    lecture_utils.widgets.Explorer
    """
    import ipywidgets as widgets

    from .widgets import Explorer

    height = check_positive_int(height, "height")
    width = check_positive_int(width, "width")

    def compute(kernel, stride, padding):
        counts, out_shape = receptive_field_counts(height, width, kernel, stride, padding)
        return counts, out_shape, padding

    controls = {
        "kernel": widgets.IntSlider(value=3, min=1, max=min(height, width), description="kernel R=S"),
        "stride": widgets.IntSlider(value=1, min=1, max=4, description="stride"),
        "padding": widgets.IntSlider(value=0, min=0, max=3, description="padding"),
    }
    return Explorer(compute, lambda result: draw_receptive_field_counts(*result), controls,
                    title="Receptive field explorer")
