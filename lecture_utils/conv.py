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
pass (im2col: every receptive field of the batch copied into a column of a matrix;
col2im: its adjoint, adding columns back onto the pixels they came from). Max pooling
(:func:`max_pool_forward`, :func:`max_pool_backward`) follows the same layer contract;
softmax cross-entropy lives in :mod:`lecture_utils.nn`. Faster layers for training
(lower precision, cheaper routes for dJ/dx, reused buffers) are in
:mod:`lecture_utils.fast.conv`, tested equal to these.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._validate import array, check, checked, choice, gradient, instance, integer, optional, shape_tuple

MODES = ("valid", "full")
MAX_PADDING = 1000      # more zeros than that around an image is a mistake, not a layer


# --------------------------------------------------------------------------------------
# Single 2-D arrays: the lecture's index formulas, loop for loop
# --------------------------------------------------------------------------------------

def _check_pair(x, w, mode):
    x, w, mode = check({"x": array("U V"), "w": array("R S"), "mode": choice(*MODES)},
                       {"x": x, "w": w, "mode": mode})
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
    x, w, mode = _check_pair(x, w, mode)
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
    x, w, mode = _check_pair(x, w, mode)
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
# Batched convolution layer
# --------------------------------------------------------------------------------------

@checked(x_shape=shape_tuple((4,), maximum=2**40), w_shape=shape_tuple((4,), maximum=2**40),
         stride=integer(1, 1000), padding=integer(0, MAX_PADDING))
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
    N, C, H, W = x_shape
    K, Cw, R, S = w_shape
    if Cw != C:
        raise ValueError(f"w has {Cw} input channels (w shape {tuple(w_shape)}) but x has {C} "
                         f"(x shape {tuple(x_shape)}); w.shape[1] must equal x.shape[1]")
    if R > H + 2 * padding or S > W + 2 * padding:
        raise ValueError(f"kernel {R}x{S} (w shape {tuple(w_shape)}) is larger than the padded input "
                         f"{H + 2 * padding}x{W + 2 * padding} (x shape {tuple(x_shape)}, padding {padding})")
    return N, K, (H + 2 * padding - R) // stride + 1, (W + 2 * padding - S) // stride + 1


def _check_layer(x, w, b, stride, padding):
    """The layer's arguments, and its output shape (which also checks that they fit together)."""
    x, w, b, stride, padding = check(
        {"x": array("N C H W"), "w": array("K C R S"), "b": optional(array("K")),
         "stride": integer(1, 1000), "padding": integer(0, MAX_PADDING)},
        {"x": x, "w": w, "b": b, "stride": stride, "padding": padding})
    return x, w, b, stride, padding, conv2d_output_shape(x.shape, w.shape, stride, padding)


def _pad(x, padding):
    """Zeros around every image of x (N, C, H, W)."""
    return x if padding == 0 else np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


class ConvNaiveCache(NamedTuple):
    """What :func:`conv2d_backward_naive` needs from :func:`conv2d_forward_naive`."""

    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    stride: int
    padding: int
    out_shape: tuple


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
    cache : ConvNaiveCache
    """
    x, w, b, stride, padding, (N, K, Ho, Wo) = _check_layer(x, w, b, stride, padding)
    R, S = w.shape[2:]
    x_pad = _pad(x, padding)
    y = np.zeros((N, K, Ho, Wo))
    for n in range(N):
        for k in range(K):
            for p in range(Ho):
                for q in range(Wo):
                    window = x_pad[n, :, p * stride:p * stride + R, q * stride:q * stride + S]
                    y[n, k, p, q] = np.sum(window * w[k]) + (b[k] if b is not None else 0.0)
    return y, ConvNaiveCache(x, w, b, stride, padding, y.shape)


@checked(cache=instance(ConvNaiveCache, made_by="conv2d_forward_naive"), dy=gradient())
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
    cache : ConvNaiveCache
        From :func:`conv2d_forward_naive`.

    Returns
    -------
    dx : (N, C, H, W) array
    dw : (K, C, R, S) array
    db : (K,) array
        dJ/db (computed even when the forward had no bias, as if b were 0).
    """
    x, w, _, stride, padding, (N, K, Ho, Wo) = cache
    R, S = w.shape[2:]
    x_pad = _pad(x, padding)
    dx_pad, dw, db = np.zeros_like(x_pad), np.zeros_like(w), np.zeros(K)
    for n in range(N):
        for k in range(K):
            for p in range(Ho):
                for q in range(Wo):
                    rows = slice(p * stride, p * stride + R)
                    cols = slice(q * stride, q * stride + S)
                    dw[k] += dy[n, k, p, q] * x_pad[n, :, rows, cols]
                    dx_pad[n, :, rows, cols] += dy[n, k, p, q] * w[k]
                    db[k] += dy[n, k, p, q]
    return dx_pad[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]], dw, db


# --------------------------------------------------------------------------------------
# The same layer with matrix products: im2col and its adjoint col2im
# --------------------------------------------------------------------------------------
#
# The im2col matrix has one row per weight (c, i, j) and one column per output position
# (n, p, q) of the whole batch, so each pass is ONE large matrix product instead of N small
# ones. Inside these functions arrays are channel-first, (C, N, H, W), for that reason.

def _floating(value, name, shape):
    """A floating-point array of ``shape`` (a pattern) kept in its own precision, since the speed path shares
    im2col and col2im; anything else is checked and converted by :func:`array`."""
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
        array(shape, finite=False)(np.broadcast_to(np.float64(0), value.shape), name, {})   # the shape alone
        return value
    return array(shape)(value, name, {})


def _check_windows(R, S, stride, Ho, Wo, H, W, what):
    """The window sizes, stride and output size, each a count, and the windows inside the (H, W) images."""
    R, S, stride, Ho, Wo = check({name: integer(1, 10**5) for name in ("R", "S", "stride", "Ho", "Wo")},
                                 {"R": R, "S": S, "stride": stride, "Ho": Ho, "Wo": Wo})
    if (Ho - 1) * stride + R > H or (Wo - 1) * stride + S > W:
        raise ValueError(f"Ho x Wo = {Ho} x {Wo} windows of R x S = {R} x {S} at stride {stride} reach beyond the "
                         f"{H} x {W} images of {what}: at most ((H - R) // stride + 1) x ((W - S) // stride + 1)")
    return R, S, stride, Ho, Wo


def im2col(a_cn, R, S, stride, Ho, Wo):
    """Receptive fields as columns: (C*R*S, N*H'*W') from a channel-first (C, N, H, W) array.

    Entry ``[(c, i, j), (n, p, q)]`` is ``a_cn[c, n, p*stride + i, q*stride + j]``: column
    (n, p, q) is the C x R x S block that output (n, p, q) reads. ``as_strided`` makes
    that six-index view without copying; the reshape copies it once into a matrix (its
    windows are checked to lie inside the images first: a strided view past them would read
    other memory).
    """
    a_cn = _floating(a_cn, "a_cn", "C N H W")
    R, S, stride, Ho, Wo = _check_windows(R, S, stride, Ho, Wo, *a_cn.shape[2:], "a_cn")
    C, N = a_cn.shape[:2]
    sC, sN, sH, sW = a_cn.strides
    windows = as_strided(a_cn, shape=(C, R, S, N, Ho, Wo),
                         strides=(sC, sH, sW, sN, sH * stride, sW * stride), writeable=False)
    return windows.reshape(C * R * S, N * Ho * Wo)


def col2im(cols, C, N, Hp, Wp, R, S, stride, Ho, Wo):
    """Adjoint of :func:`im2col`: add each column entry back onto the pixel it was copied from.

    A pixel read by several receptive fields collects all their contributions: one
    vectorised add per kernel offset (i, j). Returns the channel-first (C, N, Hp, Wp) array.
    """
    C, N, Hp, Wp = check({name: integer(1, 10**5) for name in ("C", "N", "Hp", "Wp")},
                         {"C": C, "N": N, "Hp": Hp, "Wp": Wp})
    R, S, stride, Ho, Wo = _check_windows(R, S, stride, Ho, Wo, Hp, Wp, "Hp x Wp pixels")
    cols = _floating(cols, "cols", f"{C * R * S} {N * Ho * Wo}")
    blocks = cols.reshape(C, R, S, N, Ho, Wo)
    out = np.zeros((C, N, Hp, Wp))
    for i in range(R):
        for j in range(S):
            out[:, :, i:i + stride * Ho:stride, j:j + stride * Wo:stride] += blocks[:, i, j]
    return out


class ConvCache(NamedTuple):
    """What :func:`conv2d_backward` needs from :func:`conv2d_forward`."""

    x_shape: tuple
    w: np.ndarray
    stride: int
    padding: int
    cols: np.ndarray        # the im2col matrix of the padded input, (C*R*S, N*H'*W')
    out_shape: tuple


def conv2d_forward(x, w, b=None, stride=1, padding=0):
    """Convolution layer (cross-correlation) as one matrix product, the same numbers as the loops.

    ``y[n, k, p, q] = b[k] + sum_{c,i,j} x_pad[n, c, p*stride + i, q*stride + j] w[k, c, i, j]``:
    with every receptive field copied into a column of ``cols`` (C*R*S, N*H'*W'), the triple
    sum for all outputs at once is ``W2 cols``, W2 being w as a (K, C*R*S) matrix.

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
        ``H' = (H + 2 padding - R) // stride + 1``, likewise W'.
    cache : ConvCache
    """
    x, w, b, stride, padding, (N, K, Ho, Wo) = _check_layer(x, w, b, stride, padding)
    R, S = w.shape[2:]
    cols = im2col(_pad(x, padding).transpose(1, 0, 2, 3), R, S, stride, Ho, Wo)   # (C*R*S, N*H'*W')
    y = w.reshape(K, -1) @ cols                                                     # (K, N*H'*W')
    if b is not None:
        y += b[:, None]
    y = np.ascontiguousarray(y.reshape(K, N, Ho, Wo).transpose(1, 0, 2, 3))
    return y, ConvCache(x.shape, w, stride, padding, cols, y.shape)


@checked(cache=instance(ConvCache, made_by="conv2d_forward"), dy=gradient())
def conv2d_backward(dy, cache):
    """Gradients of :func:`conv2d_forward`, as matrix products.

    With ``dY2`` the (K, N*H'*W') matrix of dy and ``W2`` the (K, C*R*S) matrix of w::

        dJ/dw = dY2 cols^T          seed 004's X (x) dJ/dY, for every k and c, summed over the batch
        dJ/dx = col2im(W2^T dY2)    each output's dJ/dy times w, added back onto its window;
                                    for stride 1 this is the full correlation of dJ/dy with the
                                    flipped kernel (seed 002, Eq. A), as the tests check
        dJ/db = row sums of dY2

    Parameters
    ----------
    dy : (N, K, H', W') array
        Upstream gradient.
    cache : ConvCache
        From :func:`conv2d_forward`.

    Returns
    -------
    dx : (N, C, H, W) array
    dw : (K, C, R, S) array
    db : (K,) array
        dJ/db (computed even when the forward had no bias, as if b were 0).
    """
    (N, C, H, W), w, stride, padding, cols, (_, K, Ho, Wo) = cache
    R, S = w.shape[2:]
    dy2 = dy.transpose(1, 0, 2, 3).reshape(K, N * Ho * Wo)
    dw = (dy2 @ cols.T).reshape(w.shape)
    dx_pad = col2im(w.reshape(K, -1).T @ dy2, C, N, H + 2 * padding, W + 2 * padding, R, S, stride, Ho, Wo)
    dx = dx_pad[:, :, padding:padding + H, padding:padding + W].transpose(1, 0, 2, 3)
    return np.ascontiguousarray(dx), dw, dy2.sum(axis=1)


# --------------------------------------------------------------------------------------
# Max pooling
# --------------------------------------------------------------------------------------

class PoolCache(NamedTuple):
    """What :func:`max_pool_backward` needs from :func:`max_pool_forward`."""

    x_shape: tuple
    size: int
    stride: int
    argmax: np.ndarray      # (N, C, H', W'): position of each window's maximum, row-major in the window
    out_shape: tuple


def _check_pool(x, size, stride):
    x, size, stride = check({"x": array("N C H W"), "size": integer(1, 1000), "stride": integer(1, 1000)},
                            {"x": x, "size": size, "stride": stride})
    H, W = x.shape[2:]
    if size > H or size > W:
        raise ValueError(f"size: the pooling window {size}x{size} is larger than the {H}x{W} images of x "
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
        ``H' = (H - size) // stride + 1``, likewise W'.
    cache : PoolCache
        With the position of each window's maximum (the first one, in row-major
        order, when several entries tie).
    """
    x, size, stride, Ho, Wo = _check_pool(x, size, stride)
    N, C = x.shape[:2]
    sN, sC, sH, sW = x.strides
    windows = as_strided(x, shape=(N, C, Ho, Wo, size, size),
                         strides=(sN, sC, sH * stride, sW * stride, sH, sW), writeable=False)
    flat = windows.reshape(N, C, Ho, Wo, size * size)      # one copy, window entries last
    argmax = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    return out, PoolCache(x.shape, size, stride, argmax, out.shape)


@checked(cache=instance(PoolCache, made_by="max_pool_forward"), dout=gradient())
def max_pool_backward(dout, cache):
    """Gradient of max pooling: each window's upstream gradient goes to its maximum.

    ``d out[n, c, p, q] / d x[...] = 1`` for the entry that was the maximum and 0 for
    the others, so the gradient is routed, not spread. Overlapping windows
    (stride < size) add up their contributions.

    Parameters
    ----------
    dout : (N, C, H', W') array
        Upstream gradient.
    cache : PoolCache
        From :func:`max_pool_forward`.

    Returns
    -------
    dx : (N, C, H, W) array
    """
    x_shape, size, stride, argmax, (_, _, Ho, Wo) = cache
    dx = np.zeros(x_shape)
    for i in range(size):          # one vectorised add per position inside the window
        for j in range(size):
            routed = np.where(argmax == i * size + j, dout, 0.0)
            dx[:, :, i:i + stride * Ho:stride, j:j + stride * Wo:stride] += routed
    return dx


# --------------------------------------------------------------------------------------
# How many outputs read each pixel (the number of terms in dJ/dx's sum)
# --------------------------------------------------------------------------------------

@checked(height=integer(1, 4096), width=integer(1, 4096), kernel=integer(1, 4096), stride=integer(1, 1000),
         padding=integer(0, MAX_PADDING))
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
    *_, Ho, Wo = conv2d_output_shape((1, 1, height, width), (1, 1, kernel, kernel), stride, padding)
    counts = np.zeros((height + 2 * padding, width + 2 * padding), dtype=int)
    for i in range(kernel):          # each kernel offset reads one pixel per output
        for j in range(kernel):
            counts[i:i + stride * Ho:stride, j:j + stride * Wo:stride] += 1
    return counts, (Ho, Wo)
