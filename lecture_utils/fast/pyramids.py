"""Fast Gaussian and Laplacian pyramids: the lecture's G and F by polyphase filtering.

The same functions, arguments, checks and results as :mod:`lecture_utils.pyramids`
(tested equal to 1e-12 in ``tests/test_fast_pyramids.py``), computed the way that beats
pyrtools' compiled C on a 512 x 512 image (``benchmarks/bench_pyramids.py``):

* along the rows, one call of scipy's ``upfirdn`` per axis, which neither multiplies the
  inserted zeros nor computes the samples that reduce drops;
* down the columns, whole rows at a time (contiguous in memory), and for expand one
  polyphase sum per output parity, so the inserted zeros are skipped;
* both treat the signal as zero beyond its ends, and then recompute only the few outputs
  whose filter reads past an end, with the boundary rule's index map
  (:func:`lecture_utils.pyramids._source_index`), instead of padding the whole image.

The lecture version extends the signal with ``numpy.pad`` and blurs it as a sum of shifted
slices, which reads like the slide; read that one first.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from .. import pyramids as lecture
from .._validate import checked
from ..pyramids import LaplacianPyramid, _check_expand, _check_pyramid, _coarse_length, _source_index, _spatial_ndim

__all__ = ["reduce", "expand", "gaussian_pyramid", "laplacian_pyramid", "reconstruct"]


def _take(x: np.ndarray, axis: int, index) -> np.ndarray:
    """``x[..., index, ...]`` with ``index`` applied along ``axis``."""
    where = [slice(None)] * x.ndim
    where[axis] = index
    return x[tuple(where)]


def _upfirdn(x, kernel, axis, up, down, start, count):
    """``count`` samples from ``start`` of scipy's upfirdn: insert up-1 zeros, filter, keep every down-th.

    One compiled call that neither multiplies the inserted zeros nor computes the samples
    it drops. It convolves (so the kernel is flipped to correlate) and treats the signal
    as zero beyond its ends.
    """
    full = signal.upfirdn(kernel[::-1], x, up=up, down=down, axis=axis)
    if full.shape[axis] < start + count:  # only for tiny kernels: pad the missing zeros
        missing = [(0, 0)] * x.ndim
        missing[axis] = (0, start + count - full.shape[axis])
        full = np.pad(full, missing)
    return _take(full, axis, slice(start, start + count))


def _zero_padded_rows(x, before, after):
    padded = np.zeros((x.shape[0] + before + after,) + x.shape[1:])
    padded[before:before + x.shape[0]] = x
    return padded


def _reduce_zero_ends(x, kernel, axis):
    """``y[i] = sum_t k[t] x[2i + t - r]`` along ``axis``, with zeros beyond the ends."""
    n, r = x.shape[axis], kernel.size // 2
    m = _coarse_length(n)
    if axis != 0:  # along rows: upfirdn, with the radius made even (a zero tap each side)
        even = np.pad(kernel, 1) if r % 2 else kernel  # so the kept samples are its even outputs
        return _upfirdn(x, even, axis, up=1, down=2, start=even.size // 4, count=m)
    # Down the columns: whole rows at a time, which lie contiguous in memory.
    padded = _zero_padded_rows(x, r, r)
    out = kernel[0] * padded[0:2 * m - 1:2]
    for t in range(1, kernel.size):
        out += kernel[t] * padded[t:t + 2 * m - 1:2]
    return out


def _expand_zero_ends(x, n, kernel, axis):
    """``y[j] = sum_t 2 k[t] u[j + t - r]``, ``u[2i] = x[i]`` and 0 at odd indices, zeros beyond the ends."""
    m, r = x.shape[axis], kernel.size // 2
    if axis != 0:
        return _upfirdn(x, 2.0 * kernel, axis, up=2, down=1, start=r, count=n)
    # Down the columns, one phase at a time: even outputs y[2i] only meet the taps t that
    # land on samples (t - r even), odd outputs y[2i+1] the others; the zeros are skipped.
    reach = (r + 1) // 2
    padded = _zero_padded_rows(x, reach, reach)
    out = np.empty((n,) + x.shape[1:])
    for phase, count in ((0, m), (1, n // 2)):
        taps = [t for t in range(kernel.size) if (phase + t - r) % 2 == 0]
        rows = [padded[reach + (phase + t - r) // 2:][:count] for t in taps]
        out[phase::2] = sum(2.0 * kernel[t] * row for t, row in zip(taps, rows))
    return out


def _fine_sample(fine, j, n, boundary):
    """Sample j of a length-n signal extended by the boundary rule (None: a zero)."""
    source = _source_index(j, n, boundary)
    return None if source is None else fine[source]


def _reduce_axis(x: np.ndarray, kernel: np.ndarray, axis: int, boundary: str) -> np.ndarray:
    """Blur along one axis, keep samples 0, 2, 4, ...: n -> m = ceil(n/2).

    ``y[i] = sum_t k[t] x[2i + t - r]``, with ``x`` extended past its ends by the boundary rule.
    """
    n, m, r = x.shape[axis], _coarse_length(x.shape[axis]), kernel.size // 2
    out = np.moveaxis(_reduce_zero_ends(x, kernel, axis), axis, 0)
    fine = np.moveaxis(x, axis, 0)
    # The outputs whose filter reads past an end: recompute them with the boundary rule.
    for i in sorted(set(range(min(m, (r + 1) // 2))) | set(range(max(0, (n - 1 - r) // 2 + 1), m))):
        out[i] = 0.0
        for t, weight in enumerate(kernel):
            sample = _fine_sample(fine, 2 * i + t - r, n, boundary)
            if sample is not None:
                out[i] += weight * sample
    return np.moveaxis(out, 0, axis)


def _expand_axis(x: np.ndarray, n: int, kernel: np.ndarray, axis: int, boundary: str) -> np.ndarray:
    """Insert zeros (x at the even indices) to reach n samples along one axis, blur with 2 kernel.

    ``y[j] = sum_t 2 k[t] u[j + t - r]`` with ``u[2i] = x[i]``, zeros at odd indices, and
    ``u`` extended past its ends by the boundary rule.
    """
    r = kernel.size // 2
    out = np.moveaxis(_expand_zero_ends(x, n, kernel, axis), axis, 0)
    coarse = np.moveaxis(x, axis, 0)
    # The outputs whose filter reads past an end: recompute them with the boundary rule.
    for j in sorted(set(range(min(r, n))) | set(range(max(n - r, 0), n))):
        out[j] = 0.0
        for t, weight in enumerate(kernel):
            source = _source_index(j + t - r, n, boundary)
            if source is not None and source % 2 == 0:  # odd fine indices hold inserted zeros
                out[j] += 2.0 * weight * coarse[source // 2]
    return np.moveaxis(out, 0, axis)


def _reduce(image: np.ndarray, kernel: np.ndarray, boundary: str) -> np.ndarray:
    """:func:`reduce` on a validated image, one axis at a time (the blur is separable)."""
    # Along the rows first, then down the columns on the half-width result (the faster
    # order for row-major images, see benchmarks/bench_pyramids.py); the result is the same.
    for axis in reversed(range(_spatial_ndim(image))):
        image = _reduce_axis(image, kernel, axis, boundary)
    return image


def _expand(image: np.ndarray, shape: tuple, kernel: np.ndarray, boundary: str) -> np.ndarray:
    """:func:`expand` on a validated image and spatial ``shape``."""
    # Down the columns first, while the image is still small, then along the rows.
    for axis, n in enumerate(shape):
        image = _expand_axis(image, n, kernel, axis, boundary)
    return image


def _gaussian_pyramid(image, levels, kernel, boundary) -> list:
    pyramid = [image]
    for _ in range(levels - 1):
        pyramid.append(_reduce(pyramid[-1], kernel, boundary))
    return pyramid


@checked(**lecture.reduce.specs)
def reduce(image, kernel=None, boundary: str = "reflect") -> np.ndarray:
    """:func:`lecture_utils.pyramids.reduce` (blur with ``kernel`` per axis, keep samples 0, 2, 4, ...), polyphase.

    Same arguments, checks and result: ``(n,)``, ``(H, W)`` or ``(H, W, C)`` in, sides
    ``ceil(side / 2)`` out.
    """
    return _reduce(image, kernel, boundary)


def expand(image, shape, kernel=None, boundary: str = "reflect") -> np.ndarray:
    """:func:`lecture_utils.pyramids.expand` (insert zeros to reach ``shape``, blur with ``2 kernel``), polyphase.

    Same arguments, checks and result: the coarse ``(m,)``, ``(h, w)`` or ``(h, w, C)`` level
    in, the finer level of spatial shape ``shape`` out.
    """
    image, shape, kernel, boundary = _check_expand(image, shape, kernel, boundary)
    return _expand(image, shape, kernel, boundary)


@checked(**lecture.gaussian_pyramid.specs)
def gaussian_pyramid(image, levels: int, kernel=None, boundary: str = "reflect") -> list:
    """:func:`lecture_utils.pyramids.gaussian_pyramid`: ``[x_1, ..., x_K]``, ``x_{k+1} = G x_k``, finest first."""
    return _gaussian_pyramid(image, levels, kernel, boundary)


@checked(**lecture.laplacian_pyramid.specs)
def laplacian_pyramid(image, levels: int, kernel=None, boundary: str = "reflect") -> LaplacianPyramid:
    """:func:`lecture_utils.pyramids.laplacian_pyramid`: ``L_k = x_k - F_k x_{k+1}`` and the low-pass ``x_K``."""
    gaussian = _gaussian_pyramid(image, levels, kernel, boundary)
    bands = tuple(fine - _expand(coarse, fine.shape[:_spatial_ndim(fine)], kernel, boundary)
                  for fine, coarse in zip(gaussian[:-1], gaussian[1:]))
    return LaplacianPyramid(bands=bands, lowpass=gaussian[-1], kernel=kernel, boundary=boundary)


def reconstruct(pyramid: LaplacianPyramid) -> np.ndarray:
    """:func:`lecture_utils.pyramids.reconstruct`: ``x_k = L_k + F_k x_{k+1}`` from the low-pass up to ``x_1``."""
    pyramid = _check_pyramid(pyramid)
    x = pyramid.lowpass
    for band in reversed(pyramid.bands):
        x = band + _expand(x, band.shape[:_spatial_ndim(band)], pyramid.kernel, pyramid.boundary)
    return x
