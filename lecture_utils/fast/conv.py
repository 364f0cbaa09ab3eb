"""Speed paths for the layers of :mod:`lecture_utils.conv` and :mod:`lecture_utils.nn` that a CNN trains with.

The same numbers as the lecture layers (``tests/test_fast_conv.py``: equal to 1e-12 in float64),
with what training needs and a reader of the lecture does not:

* stride 1 on "wide rows": im2col and col2im as long contiguous runs, images in chunks that
  fit in the cache, a single-channel chunk as one tall image (one product per chunk);
* stride 1 on small images with many channels: im2col in (N, H, W, C) order, one product;
* dJ/dx as another im2col and product (the full correlation of dy with the flipped kernels)
  where that is cheaper than col2im's additions; dJ/db from the same product as dJ/dW;
* columns kept from the forward pass when they are small, scratch buffers reused across
  calls (:mod:`lecture_utils.fast._memory`), chunks shared over threads inside
  :func:`lecture_utils.fast.threads` with the same numbers as on one;
* 2 x 2 max pooling on the four window corners; other strides take the lecture's im2col;
* float32: a layer whose array inputs are all float32 computes in float32 (half the memory
  traffic, faster BLAS), for comparison with PyTorch's float32; anything else is float64;
* ``conv2d_backward(..., input_gradient=False)`` skips dJ/dx (a network's first layer needs
  no gradient for its input images);
* ``_*`` kernels without argument checks, for a training loop that validated its data once.

The public functions check their arguments like the lecture ones. ``benchmarks/bench_conv.py``
times them against PyTorch.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validate import Spec, array, check, flag, integer, optional
from ..conv import MAX_PADDING, col2im, conv2d_output_shape, im2col
from . import _memory
from ._memory import scratch
from ._parallel import map_in_order


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
    """x with ``padding`` zeros around each image (a new array; numpy.pad costs more on small arrays)."""
    if padding == 0:
        return x
    N, C, H, W = x.shape
    xp = np.zeros((N, C, H + 2 * padding, W + 2 * padding), x.dtype)
    xp[:, :, padding:padding + H, padding:padding + W] = x
    return xp


# --------------------------------------------------------------------------------------
# Convolution
# --------------------------------------------------------------------------------------

class FastConvCache(NamedTuple):
    """What :func:`conv2d_backward` needs from :func:`conv2d_forward`."""

    x_shape: tuple
    w: np.ndarray
    stride: int
    padding: int
    path: str                # "wide rows", "channels last" or "strided": how it was computed
    kept: np.ndarray         # the padded images (wide rows) or the im2col columns (the others)
    out_shape: tuple


# Stride 1, "wide rows". In a padded image flattened row by row, the window of output
# (i, j) starts at i * Wp + j, so the pixels one kernel tap (r, s) reads for all outputs are
# one contiguous run starting at r * Wp + s. Computing outputs at every position
# p = i * Wp + j of that run (also at j >= Wo, the last S - 1 of each row, which are then
# dropped) turns im2col into R * S long contiguous copies per channel, and col2im into
# R * S long contiguous additions, instead of runs of Wo pixels. Images go through in
# chunks whose columns fit in the core's cache. Single-channel images of a chunk lie one
# under the other in memory, so they are treated as one tall image (the outputs whose
# windows straddle two images are dropped too) and one product serves the whole chunk.
# Scratch buffers are reused across calls (fast/_memory.py).

_CHUNK_BYTES = 1 << 19     # columns of one chunk of images: about a quarter of a 2 MiB L2 cache
_SMALL_IMAGE = 256         # padded pixels per channel (16 x 16)


def _wide_length(rows, row_length, R, S):
    """Wide positions p = i * row_length + j of one image's outputs, first to last."""
    return (rows - R) * row_length + (row_length - S + 1)


def _view(array, shape, strides, offset=0):
    """Read-only view of a C-contiguous array: ``shape``, ``strides`` and ``offset`` counted in elements."""
    e = array.itemsize
    view = np.ndarray(shape, array.dtype, array, offset * e, tuple(e * st for st in strides))
    view.flags.writeable = False
    return view


def _windows(images, R, S, length, first=0):
    """View (N, C, R, S, length): [n, c, r, s, p] = images[n, c].ravel()[first + r * W + s + p]."""
    N, C, H, W = images.shape
    return _view(images, (N, C, R, S, length), (C * H * W, H * W, W, 1, 1), first)


def _chunks(N, bytes_per_image):
    """Chunk size and the (start, stop) of consecutive chunks of about _CHUNK_BYTES of columns each."""
    size = int(max(1, min(N, _CHUNK_BYTES // max(1, bytes_per_image))))
    return size, [(start, min(N, start + size)) for start in range(0, N, size)]


class _Chunks(NamedTuple):
    """How the wide-row products see a batch: chunks of images, one tall image per chunk when C == 1."""

    size: int          # images per chunk
    bounds: list       # (start, stop) of each chunk
    tall: bool         # single channel: a chunk's images are one tall image
    Hp: int
    Wp: int

    def images(self, padded, start, stop):
        """The chunk as the products' images: (1, 1, n Hp, Wp) if tall, else (n, C, Hp, Wp)."""
        chunk = padded[start:stop]
        return chunk.reshape(1, 1, -1, self.Wp) if self.tall else chunk

    def buffer_shape(self, channels):
        """Scratch shape for a chunk's maps of ``channels`` channels on wide rows."""
        per_image = self.Hp * self.Wp
        return (1, channels, self.size * per_image) if self.tall else (self.size, channels, per_image)

    def maps(self, buffer, n, channels, rows, cols):
        """View (n, channels, rows, cols) of the chunk's maps in a ``buffer_shape`` buffer (its top-left corners)."""
        per_image = self.Hp * self.Wp
        image, channel = (per_image, self.size * per_image) if self.tall else (channels * per_image, per_image)
        view = _view(buffer, (n, channels, rows, cols), (image, channel, self.Wp, 1))
        view.flags.writeable = buffer.flags.writeable
        return view


def _wide_chunks(x_padded, R, S):
    N, C, Hp, Wp = x_padded.shape
    tall = C == 1
    bytes_per_image = C * R * S * Hp * Wp * x_padded.itemsize
    size, bounds = _chunks(N, bytes_per_image)
    return _Chunks(size, bounds, tall, Hp, Wp)


_KEEP_BYTES = 1 << 24      # the forward pass keeps columns up to 16 MiB for the backward pass ...
# ... when freed memory is reused (fast/_memory.py); on fresh pages, recomputing them costs less


def _columns(images, R, S, length, buffer):
    """Columns of the chunk's images in ``buffer`` (groups, C R S + 1, length); the last row is ones.

    The row of ones makes the product with dY^T give dJ/db beside dJ/dW.
    """
    groups, C = images.shape[:2]
    cols = buffer[:groups]
    np.copyto(cols[:, :C * R * S].reshape(groups, C, R, S, length), _windows(images, R, S, length))
    cols[:, C * R * S] = 1
    return cols


def _chunk_columns(chunks, xp, R, S, kept, index, start, stop):
    """Chunk ``index``'s columns: those the forward pass kept, or computed again into a scratch buffer."""
    if kept is not None:
        return kept[index]
    images = chunks.images(xp, start, stop)
    length = _wide_length(images.shape[2], chunks.Wp, R, S)
    buffer = scratch("columns", (len(images) if chunks.tall else chunks.size, xp.shape[1] * R * S + 1, length), xp.dtype)
    return _columns(images, R, S, length, buffer)


def _wide_forward(x, w, b, padding):
    """Unchecked stride-1 forward pass (inputs already of one precision)."""
    N, C, H, W = x.shape
    K, _, R, S = w.shape
    xp = _pad(x, padding)
    Hp, Wp = xp.shape[2:]
    Ho, Wo = Hp - R + 1, Wp - S + 1
    w2 = w.reshape(K, C * R * S)
    y = np.empty((N, K, Ho, Wo), x.dtype)
    chunks = _wide_chunks(xp, R, S)
    keep = _memory.freed_memory_reused and N * (C * R * S + 1) * Hp * Wp * x.itemsize <= _KEEP_BYTES

    def one_chunk(index):
        start, stop = chunks.bounds[index]
        if keep:
            images = chunks.images(xp, start, stop)
            length = _wide_length(images.shape[2], Wp, R, S)
            cols = _columns(images, R, S, length, np.empty((len(images), C * R * S + 1, length), x.dtype))
        else:
            cols = _chunk_columns(chunks, xp, R, S, None, index, start, stop)
        groups, length = len(cols), cols.shape[2]
        y_wide = scratch("wide outputs", chunks.buffer_shape(K), x.dtype)
        np.matmul(w2, cols[:, :C * R * S], out=y_wide[:groups, :, :length])
        outputs = chunks.maps(y_wide, stop - start, K, Ho, Wo)          # drops j >= Wo and straddling rows
        if b is None:
            y[start:stop] = outputs
        else:
            np.add(outputs, b.reshape(K, 1, 1), out=y[start:stop])
        return cols if keep else None

    kept = map_in_order(one_chunk, range(len(chunks.bounds)), flops=2 * y.size * C * R * S)
    return y, FastConvCache(x.shape, w, 1, padding, "wide rows", (xp, kept if keep else None), y.shape)


def _wide_backward(dy, cache, input_gradient):
    """Unchecked stride-1 backward pass: (dx or None, dw, db)."""
    (N, C, H, W), w, _, padding, _, (xp, kept), (_, K, Ho, Wo) = cache
    R, S = w.shape[2:]
    Hp, Wp = xp.shape[2:]
    chunks = _wide_chunks(xp, R, S)
    # col2im adds R S runs per chunk; the correlation reads K R S rows instead of C R S but adds
    # nothing. Measured (benchmarks/bench_conv.py): the correlation wins for K <= C, and for
    # K <= 2 C on small images, whose chunks are many and whose runs are short.
    scatter = input_gradient and (K > 2 * C or (K > C and Hp * Wp > _SMALL_IMAGE))
    if scatter:
        dx_padded = np.zeros((N, C, Hp, Wp), dy.dtype)
        w_taps_first = w.transpose(0, 2, 3, 1).reshape(K, R * S * C)     # columns ordered (r, s, c)

    def one_chunk(index):
        start, stop = chunks.bounds[index]
        cols = _chunk_columns(chunks, xp, R, S, kept, index, start, stop)
        groups, length = len(cols), cols.shape[2]
        rows = (stop - start) * Hp if chunks.tall else Hp
        # dy on the wide positions; the cells of dropped positions are never written, so they stay zero
        dy_wide = scratch("wide dy", chunks.buffer_shape(K), dy.dtype, fill=0)
        chunks.maps(dy_wide, stop - start, K, Ho, Wo)[...] = dy[start:stop]
        d = dy_wide[:groups, :, :rows * Wp]
        if scatter:
            # col2im: W^T dY gives each column's share, added back where it was read. With the
            # rows of W^T dY ordered (r, s, c) and zeros past the last output (dY is zero there),
            # one tap's shares for all C channels are one run, added to one run of dx.
            shares = scratch("wide shares", (len(dy_wide), R * S * C, rows * Wp), dy.dtype)[:groups]
            np.matmul(w_taps_first.T, d, out=shares)
            shares = shares.reshape(groups, R * S, C * rows * Wp)
            block = chunks.images(dx_padded, start, stop).reshape(groups, C * rows * Wp)
            span = (C - 1) * rows * Wp + length
            for r in range(R):
                for s in range(S):
                    block[:, r * Wp + s:r * Wp + s + span] += shares[:, r * S + s, :span]
        return np.matmul(cols, d[:, :, :length].transpose(0, 2, 1)).sum(axis=0)   # [dJ/dW^T; dJ/db] = X_cols dY^T

    dwb_t = np.zeros((C * R * S + 1, K), dy.dtype)         # dJ/dW^T with dJ/db as its last row
    for partial in map_in_order(one_chunk, range(len(chunks.bounds)), flops=4 * dy.size * C * R * S):
        dwb_t += partial                                   # in chunk order, whatever the thread count
    dw = np.ascontiguousarray(dwb_t[:-1].T).reshape(w.shape)
    db = dwb_t[-1].copy()
    if not input_gradient:
        return None, dw, db
    if not scatter:
        return _wide_input_gradient_by_correlation(dy, w, cache.x_shape, padding), dw, db
    dx = dx_padded[:, :, padding:padding + H, padding:padding + W]
    return np.ascontiguousarray(dx), dw, db


def _wide_input_gradient_by_correlation(dy, w, x_shape, padding):
    """dJ/dx for stride 1 as the full correlation of dy with the flipped kernels, on wide rows.

    Cheaper than col2im when K <= C: its columns hold K R S rather than C R S rows, and the
    product adds up every term itself, so nothing is scattered. Only the outputs inside the
    padding ring are computed.
    """
    N, C, H, W = x_shape
    K, _, R, S = w.shape
    Ho, Wo = dy.shape[2:]
    Hq, Wq = Ho + 2 * (R - 1), Wo + 2 * (S - 1)       # dy with R - 1, S - 1 zeros around it
    length = (H - 1) * Wq + W                         # wide positions from x's first pixel to its last
    first = padding * Wq + padding                    # x's first pixel in the padded frame
    w_flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(C, K * R * S)
    size, bounds = _chunks(N, K * R * S * length * dy.itemsize)
    dx = np.empty(x_shape, dy.dtype)

    def one_chunk(bound):
        start, stop = bound
        n = stop - start
        dy_full = scratch("full dy", (size, K, Hq, Wq), dy.dtype, fill=0)    # the ring stays zero
        dy_full[:n, :, R - 1:R - 1 + Ho, S - 1:S - 1 + Wo] = dy[start:stop]
        cols = scratch("full dy columns", (size, K * R * S, length), dy.dtype)[:n]
        np.copyto(cols.reshape(n, K, R, S, length), _windows(dy_full[:n], R, S, length, first))
        dx_wide = scratch("wide dx", (size, C, H * Wq), dy.dtype)
        np.matmul(w_flipped, cols, out=dx_wide[:n, :, :length])
        dx[start:stop] = dx_wide[:n].reshape(n, C, H, Wq)[..., :W]

    map_in_order(one_chunk, bounds, flops=2 * dy.size * C * R * S)
    return dx


# Stride 1, small images with many channels ("channels last"): when a wide row is shorter
# than S * C, the run one window row covers in (N, H, W, C) order, im2col copies those runs
# instead, and one product serves all N * Ho * Wo positions.


def _channels_last_columns(images, R, S, rows, cols_, first=0):
    """im2col of (N, Hp, Wp, C) images: (N * rows * cols_, R * S * C), [(n, i, j), (r, s, c)] = images[n, i + r, j + s, c]."""
    N, Hp, Wp, C = images.shape
    out = np.empty((N, rows, cols_, R, S * C), images.dtype)
    np.copyto(out, _view(images, (N, rows, cols_, R, S * C), (Hp * Wp * C, Wp * C, C, Wp * C, 1), first))
    return out.reshape(N * rows * cols_, R * S * C)


def _channels_last_forward(x, w, b, padding):
    N, C, H, W = x.shape
    K, _, R, S = w.shape
    Hp, Wp = H + 2 * padding, W + 2 * padding
    Ho, Wo = Hp - R + 1, Wp - S + 1
    xp = scratch("channels-last x", (N, Hp, Wp, C), x.dtype, fill=0)          # the ring stays zero
    xp[:, padding:padding + H, padding:padding + W] = x.transpose(0, 2, 3, 1)
    cols = _channels_last_columns(xp, R, S, Ho, Wo)
    y_last = np.matmul(cols, w.transpose(2, 3, 1, 0).reshape(R * S * C, K)).reshape(N, Ho, Wo, K)
    y = np.empty((N, K, Ho, Wo), x.dtype)
    if b is None:
        y[...] = y_last.transpose(0, 3, 1, 2)
    else:
        np.add(y_last.transpose(0, 3, 1, 2), b.reshape(K, 1, 1), out=y)
    return y, FastConvCache(x.shape, w, 1, padding, "channels last", cols, y.shape)


def _channels_last_backward(dy, cache, input_gradient):
    (N, C, H, W), w, _, padding, _, cols, (_, K, Ho, Wo) = cache
    R, S = w.shape[2:]
    d = scratch("channels-last dy", (N, Ho, Wo, K), dy.dtype)
    d[...] = dy.transpose(0, 2, 3, 1)
    d = d.reshape(N * Ho * Wo, K)
    db = d.sum(axis=0)
    dw = np.ascontiguousarray(np.matmul(cols.T, d).reshape(R, S, C, K).transpose(3, 2, 0, 1))
    if not input_gradient:
        return None, dw, db
    # dJ/dx: the full correlation of dy with the flipped kernels, one more im2col and product
    Hq, Wq = Ho + 2 * (R - 1), Wo + 2 * (S - 1)
    dy_full = scratch("channels-last full dy", (N, Hq, Wq, K), dy.dtype, fill=0)   # the ring stays zero
    dy_full[:, R - 1:R - 1 + Ho, S - 1:S - 1 + Wo] = d.reshape(N, Ho, Wo, K)
    dy_cols = _channels_last_columns(dy_full, R, S, H, W, (padding * Wq + padding) * K)
    w_flipped = w[:, :, ::-1, ::-1].transpose(2, 3, 0, 1).reshape(R * S * K, C)
    dx = np.empty((N, C, H, W), dy.dtype)
    dx[...] = np.matmul(dy_cols, w_flipped).reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return dx, dw, db


# Any stride: the lecture's im2col and col2im, in the inputs' precision.

def _strided_forward(x, w, b, stride, padding):
    N, K, Ho, Wo = conv2d_output_shape(x.shape, w.shape, stride, padding)
    R, S = w.shape[2:]
    xp = _pad(x, padding)
    cols = im2col(xp.transpose(1, 0, 2, 3), R, S, stride, Ho, Wo)
    y = w.reshape(K, -1) @ cols
    if b is not None:
        y += b[:, None]
    y = np.ascontiguousarray(y.reshape(K, N, Ho, Wo).transpose(1, 0, 2, 3))
    return y, FastConvCache(x.shape, w, stride, padding, "strided", cols, y.shape)


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


def _strided_backward(dy, cache, input_gradient):
    (N, C, H, W), w, stride, padding, _, cols, (_, K, Ho, Wo) = cache
    R, S = w.shape[2:]
    Hp, Wp = H + 2 * padding, W + 2 * padding
    dy2 = dy.transpose(1, 0, 2, 3).reshape(K, N * Ho * Wo)
    db = dy2.sum(axis=1)
    dw = (dy2 @ cols.T).reshape(w.shape)
    if not input_gradient:
        return None, dw, db
    dx_pad = _col2im(w.reshape(K, -1).T @ dy2, C, N, Hp, Wp, R, S, stride, Ho, Wo)
    dx = dx_pad[:, :, padding:padding + H, padding:padding + W].transpose(1, 0, 2, 3)
    return np.ascontiguousarray(dx), dw, db


def _conv_forward(x, w, b, stride, padding):
    """Unchecked forward pass (inputs already of one precision)."""
    if stride > 1:
        return _strided_forward(x, w, b, stride, padding)
    R, S = w.shape[2:]
    Wp = x.shape[3] + 2 * padding
    if x.shape[1] * S > _wide_length(x.shape[2] + 2 * padding, Wp, R, S):   # a window row outruns a wide row
        return _channels_last_forward(x, w, b, padding)
    return _wide_forward(x, w, b, padding)


_BACKWARD = {"wide rows": _wide_backward, "channels last": _channels_last_backward, "strided": _strided_backward}


def _conv_backward(dy, cache, input_gradient=True):
    """Unchecked backward pass: (dx or None, dw, db)."""
    return _BACKWARD[cache.path](dy, cache, input_gradient)


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
    return _conv_backward(dy.astype(cache.w.dtype, copy=False), cache, input_gradient)


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
    if size == stride == 2 and H % 2 == 0 and W % 2 == 0:
        return _pool2_forward(x)
    Ho, Wo = (H - size) // stride + 1, (W - size) // stride + 1
    sN, sC, sH, sW = x.strides
    windows = np.lib.stride_tricks.as_strided(x, shape=(N, C, Ho, Wo, size, size),
                                              strides=(sN, sC, sH * stride, sW * stride, sH, sW),
                                              writeable=False)
    flat = windows.reshape(N, C, Ho, Wo, size * size)
    argmax = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    return out, FastPoolCache(x.shape, size, stride, argmax, out.shape)


def _corners(x):
    """The four corners of every 2 x 2 window, one contiguous copy: (4, N, C, H / 2, W / 2)."""
    N, C, H, W = x.shape
    return np.ascontiguousarray(x.reshape(N, C, H // 2, 2, W // 2, 2).transpose(3, 5, 0, 1, 2, 4)).reshape(
        4, N, C, H // 2, W // 2)


def _first_max(corners):
    """Maximum of the four corners and which corner holds it first (0 top left ... 3 bottom right).

    Like numpy's argmax, the first of equal maxima: the count of corners before the first
    one that equals the maximum.
    """
    a, b, c, d = corners
    out = np.maximum(np.maximum(a, b), np.maximum(c, d))
    not_a = a != out
    not_ab = not_a & (b != out)
    argmax = not_a.view(np.uint8) + not_ab.view(np.uint8) + (not_ab & (c != out)).view(np.uint8)
    return out, argmax


def _pool2_forward(x):
    """2 x 2 pooling with stride 2 on even sizes, on one contiguous copy of the window corners."""
    out, argmax = _first_max(_corners(x))
    return out, FastPoolCache(x.shape, 2, 2, argmax, out.shape)


def _routed_to_windows(dout, winners, x_shape):
    """dx of 2 x 2 pooling: ``dout`` where corner k is the winner (``winners(k)``, boolean), 0 elsewhere."""
    N, C, H, W = x_shape
    dx = np.empty(x_shape, dtype=dout.dtype)                  # every cell is written below
    windows = dx.reshape(N, C, H // 2, 2, W // 2, 2)
    for k in range(4):
        np.multiply(dout, winners(k), out=windows[:, :, :, k // 2, :, k % 2])
    return dx


class FastReluPoolCache(NamedTuple):
    x_shape: tuple
    argmax: np.ndarray       # (N, C, Ho, Wo): the winning corner of each window
    passes: np.ndarray       # (4, N, C, Ho, Wo): a >= 0 at each corner, ReLU's derivative
    out_shape: tuple


def _relu_pool2_forward(a):
    """``_pool_forward(_relu_forward(a)[0])`` for 2 x 2 windows, stride 2, even sizes, in one pass over a."""
    corners = _corners(a)
    passes = corners >= 0
    out, argmax = _first_max(np.maximum(corners, 0, out=corners))
    return out, FastReluPoolCache(a.shape, argmax, passes, out.shape)


def _relu_pool2_backward(dout, cache):
    """dJ/da of :func:`_relu_pool2_forward`: dout to each window's winner, where a >= 0 there."""
    x_shape, argmax, passes, _ = cache
    return _routed_to_windows(dout, lambda k: (argmax == k) & passes[k], x_shape)


def _pool_backward(dout, cache):
    x_shape, size, stride, argmax, (N, C, Ho, Wo) = cache
    if size == stride == 2 and x_shape[2] == 2 * Ho and x_shape[3] == 2 * Wo:
        return _routed_to_windows(dout, lambda k: argmax == k, x_shape)
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
