"""Gaussian and Laplacian pyramids (MIT 6.869 lecture 6, first half).

Two operators build every pyramid in this module, with the binomial filter
``h = [1 4 6 4 1] / 16`` (it sums to 1, so a blur keeps constants)::

    G : reduce  = blur with h along each axis, keep samples 0, 2, 4, ...   n -> ceil(n/2)
    F : expand  = insert zeros to reach n samples, blur with 2 h per axis  m -> n in {2m-1, 2m}

The factor 2 in ``F`` (4 in 2-D) compensates for the zeros: half the samples of
the zero-inserted signal are 0, so a filter summing to 1 would halve the image.
(Each output meets either the taps 1, 6, 1 or the taps 4, 4 of 16 h; both groups
sum to 8/16, so with the factor 2 a constant stays constant away from the ends.)

Pyramids, with ``x_1`` the image and ``K`` levels (the lecture draws K = 4; ``k`` numbers levels)::

    Gaussian   x_{k+1} = G_k x_k                                       k = 1 .. K-1
    Laplacian  L_k = x_k - F_k x_{k+1} = (I - F_k G_k) x_k,  plus the low-pass residual x_K
    collapse   x_k = L_k + F_k x_{k+1}                                 exact for any F_k

Boundaries (how a filter sees past the ends of ``a b c d``), for every function:

==============  =======================  ==============================  =========================
``boundary``    extension                 numpy.pad / scipy.ndimage mode  keeps constants constant
==============  =======================  ==============================  =========================
``"zero"``      ``0 0 | a b c d | 0 0``   constant / constant             no (edges darken)
``"reflect"``   ``c b | a b c d | c b``   reflect / mirror                yes, sizes >= 2
``"symmetric"`` ``b a | a b c d | d c``   symmetric / reflect             reduce yes, expand no
``"periodic"``  ``c d | a b c d | a b``   wrap / wrap                     reduce yes, expand: even n
==============  =======================  ==============================  =========================

The lecture's matrix ``F3`` uses ``"zero"`` (hence :func:`downsample_matrix` and
:func:`upsample_matrix` default to it); images default to ``"reflect"``, which
does not darken the borders. Reconstruction is exact for every boundary.

Arrays: 1-D signals ``(n,)``, grayscale images ``(H, W)`` and colour images
``(H, W, C)`` with the channels last (C <= 4). Only the 1 or 2 spatial axes are
filtered. Integer images are converted to float64 without rescaling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage, signal
from scipy.special import comb

from ._validate import as_float_array, check_choice, check_positive_float, check_positive_int

BOUNDARIES = ("zero", "reflect", "symmetric", "periodic")
MAX_CHANNELS = 4


# --------------------------------------------------------------------------- validation

def _check_boundary(boundary) -> str:
    return check_choice(boundary, "boundary", BOUNDARIES)


def _check_kernel(kernel) -> np.ndarray:
    """The 1-D low-pass filter: default binomial, else odd length, summing to 1."""
    if kernel is None:
        return binomial_kernel(5)
    kernel = as_float_array(kernel, "kernel", ndim=1)
    if kernel.size % 2 == 0:
        raise ValueError(f"kernel must have odd length (a centre tap), got length {kernel.size}")
    if abs(kernel.sum() - 1.0) > 1e-12:
        raise ValueError(f"kernel must sum to 1 so that a blur keeps constants, got sum "
                         f"{kernel.sum():.6g}; divide it by its sum")
    return kernel


def _check_image(image, name: str = "image") -> np.ndarray:
    """A float64 signal (n,), grayscale (H, W) or channels-last colour (H, W, C) image."""
    image = as_float_array(image, name, ndim=(1, 2, 3))
    if image.size == 0:
        raise ValueError(f"{name} is empty (shape {image.shape}); a pyramid needs at least one pixel")
    if image.ndim == 3 and image.shape[2] > MAX_CHANNELS:
        raise ValueError(f"{name} must be (H, W, C) with at most {MAX_CHANNELS} channels last, got shape "
                         f"{image.shape}; if the channels come first use np.moveaxis({name}, 0, -1)")
    return image


def _spatial_ndim(image: np.ndarray) -> int:
    return 1 if image.ndim == 1 else 2


def _coarse_length(n: int) -> int:
    """Samples kept by reduce from n: indices 0, 2, 4, ... < n, that is ceil(n/2)."""
    return (n + 1) // 2


# --------------------------------------------------------------------------- filters

def binomial_kernel(n: int = 5) -> np.ndarray:
    """The normalised binomial low-pass filter, ``C(n-1, i) / 2^(n-1)``.

    Parameters
    ----------
    n : int >= 1
        Number of taps (odd for a centred filter, as :func:`reduce` requires).

    Returns
    -------
    (n,) array
        Sums to 1; ``[1 4 6 4 1] / 16`` for ``n = 5``, the lecture's filter.
    """
    n = check_positive_int(n, "n")
    return comb(n - 1, np.arange(n), exact=False) / 2.0 ** (n - 1)


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


def reduce(image, kernel=None, boundary: str = "reflect") -> np.ndarray:
    """Blur-and-downsample ``G``: blur with ``kernel`` per axis, keep every second sample.

    Implements the lecture's down-sampling (blur, then ``↓2``): the samples kept
    are the even indices 0, 2, 4, ..., so ``n`` samples become ``ceil(n/2)``.

    Parameters
    ----------
    image : (n,), (H, W) or (H, W, C) array
        A signal, grayscale or channels-last colour image, any size >= 1 (odd sizes too).
    kernel : (k,) array, optional
        Odd-length low-pass filter summing to 1; default ``[1 4 6 4 1] / 16``.
    boundary : {"zero", "reflect", "symmetric", "periodic"}
        Extension past the edges (module docstring).

    Returns
    -------
    array
        Shape ``(ceil(n/2),)``, ``(ceil(H/2), ceil(W/2))`` or ``(ceil(H/2), ceil(W/2), C)``.
    """
    image = _check_image(image)
    kernel = _check_kernel(kernel)
    boundary = _check_boundary(boundary)
    return _reduce(image, kernel, boundary)


def _target_shape(image: np.ndarray, shape) -> tuple:
    """The fine spatial shape, checked so that reduce(fine) has image's shape."""
    try:
        shape = tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"shape must be a tuple of ints, got {type(shape).__name__} {shape!r}") from None
    spatial = _spatial_ndim(image)
    if len(shape) == image.ndim and image.ndim == 3:
        if shape[2] != image.shape[2]:
            raise ValueError(f"shape {shape} has {shape[2]} channels but image has {image.shape[2]}")
        shape = shape[:2]
    if len(shape) != spatial:
        raise ValueError(f"shape must give the {spatial} spatial size(s) of the finer level, got "
                         f"{shape} for an image of shape {image.shape}")
    for axis, n in enumerate(shape):
        m = image.shape[axis]
        if _coarse_length(n) != m:
            raise ValueError(f"shape {shape} cannot be expanded from image shape {image.shape}: "
                             f"axis {axis} needs {2 * m - 1} or {2 * m} samples for {m} coarse "
                             f"samples, got {n}")
    return shape


def expand(image, shape, kernel=None, boundary: str = "reflect") -> np.ndarray:
    """Blur-and-upsample ``F``: insert zeros to reach ``shape``, blur with ``2 * kernel`` per axis.

    Implements the lecture's up-sampling (``↑2``, then the low-pass ``[1 4 6 4 1]``,
    here normalised to ``2 * [1 4 6 4 1] / 16`` per axis so constants stay constant).
    The coarse samples land on the even indices, matching :func:`reduce`.

    Parameters
    ----------
    image : (m,), (h, w) or (h, w, C) array
        The coarser level.
    shape : tuple of int
        The finer level's spatial shape ``(n,)`` or ``(H, W)`` (a full ``(H, W, C)`` is
        accepted too); each ``n`` must be ``2m - 1`` or ``2m``, so odd sizes round-trip.
    kernel : (k,) array, optional
        Odd-length low-pass filter summing to 1; default ``[1 4 6 4 1] / 16``.
    boundary : {"zero", "reflect", "symmetric", "periodic"}
        Extension past the edges of the zero-inserted signal (module docstring).

    Returns
    -------
    array
        Shape ``shape`` (plus the channel axis for colour images).
    """
    image = _check_image(image)
    shape = _target_shape(image, shape)
    kernel = _check_kernel(kernel)
    boundary = _check_boundary(boundary)
    return _expand(image, shape, kernel, boundary)


# --------------------------------------------------------------------------- operators as matrices

def _source_index(j: int, n: int, boundary: str):
    """Which sample of a length-n signal the filter reads at index j (None: a zero)."""
    if 0 <= j < n:
        return j
    if boundary == "zero":
        return None
    if boundary == "periodic":
        return j % n
    if boundary == "reflect":  # whole-sample mirror about 0 and n-1: period 2(n-1)
        if n == 1:
            return 0
        j %= 2 * (n - 1)
        return j if j < n else 2 * (n - 1) - j
    j %= 2 * n  # "symmetric": half-sample mirror, the edge sample repeated: period 2n
    return j if j < n else 2 * n - 1 - j


def _check_length(n, name: str) -> int:
    return check_positive_int(n, name)


def downsample_matrix(n: int, kernel=None, boundary: str = "zero") -> np.ndarray:
    """The 1-D reduce operator ``G`` as a dense ``(ceil(n/2), n)`` matrix.

    Row ``i`` holds the kernel centred on sample ``2 i``:
    ``G[i, j] = sum_t k[t] [j == b(2 i + t - r)]`` with ``r = len(k) // 2`` and ``b``
    the boundary's index map, so that ``G @ x == reduce(x)``.

    Parameters
    ----------
    n : int >= 1
        Length of the fine signal.
    kernel : (k,) array, optional
        Default ``[1 4 6 4 1] / 16``.
    boundary : {"zero", "reflect", "symmetric", "periodic"}
        Default "zero", the lecture's convention.

    Returns
    -------
    (ceil(n/2), n) array
    """
    n = _check_length(n, "n")
    kernel = _check_kernel(kernel)
    boundary = _check_boundary(boundary)
    r = kernel.size // 2
    g = np.zeros((_coarse_length(n), n))
    for i in range(g.shape[0]):
        for t, weight in enumerate(kernel):
            j = _source_index(2 * i + t - r, n, boundary)
            if j is not None:
                g[i, j] += weight
    return g


def upsample_matrix(m: int, n: int | None = None, kernel=None, boundary: str = "zero") -> np.ndarray:
    """The 1-D expand operator ``F`` as a dense ``(n, m)`` matrix (the lecture's ``F3`` for m = 4).

    ``F = 2 B U``: ``U`` puts coarse sample ``i`` at fine index ``2 i`` (zeros in
    between) and ``B`` blurs the length-n signal with the boundary rule, so that
    ``F @ x == expand(x, (n,))``. ``8 * upsample_matrix(4)`` is the slide's 8 x 4
    matrix with columns ``6 4 1 0 ...``, ``1 4 6 4 1 ...``.

    Parameters
    ----------
    m : int >= 1
        Length of the coarse signal.
    n : int, optional
        Length of the fine signal, ``2m - 1`` or ``2m`` (default ``2m``).
    kernel : (k,) array, optional
        Default ``[1 4 6 4 1] / 16``.
    boundary : {"zero", "reflect", "symmetric", "periodic"}
        Default "zero", the lecture's convention.

    Returns
    -------
    (n, m) array
    """
    m = _check_length(m, "m")
    n = 2 * m if n is None else _check_length(n, "n")
    if _coarse_length(n) != m:
        raise ValueError(f"n must be {2 * m - 1} or {2 * m} for m = {m} coarse samples, got {n}")
    kernel = _check_kernel(kernel)
    boundary = _check_boundary(boundary)
    r = kernel.size // 2
    f = np.zeros((n, m))
    for j in range(n):
        for t, weight in enumerate(kernel):
            source = _source_index(j + t - r, n, boundary)
            if source is not None and source % 2 == 0:  # odd fine indices hold inserted zeros
                f[j, source // 2] += 2.0 * weight
    return f


def level_sizes(n: int, levels: int) -> list:
    """Lengths ``[n, ceil(n/2), ceil(n/4), ...]`` of a ``levels``-level 1-D pyramid."""
    n = _check_length(n, "n")
    levels = _check_levels(levels, (n,))
    sizes = [n]
    for _ in range(levels - 1):
        sizes.append(_coarse_length(sizes[-1]))
    return sizes


def laplacian_matrix(n: int, levels: int, kernel=None, boundary: str = "zero") -> np.ndarray:
    """The 1-D Laplacian pyramid as one matrix: coefficients = ``M @ x_1``.

    Blocks, stacked top to bottom (sizes from :func:`level_sizes`)::

        (I - F_1 G_1)                       n rows         high frequencies
        (I - F_2 G_2) G_1                   ceil(n/2)      mid band
        ...
        G_{K-1} ... G_1                     low-pass residual x_K

    Parameters
    ----------
    n : int >= 1
        Signal length.
    levels : int
        Number of levels K (band-pass levels plus the residual), at most :func:`max_levels`.
    kernel, boundary
        As in :func:`downsample_matrix`.

    Returns
    -------
    (sum(level_sizes(n, levels)), n) array
    """
    sizes = level_sizes(n, levels)
    blocks = []
    to_level = np.eye(sizes[0])  # maps x_1 to x_k
    for fine, coarse in zip(sizes[:-1], sizes[1:]):
        g = downsample_matrix(fine, kernel, boundary)
        f = upsample_matrix(coarse, fine, kernel, boundary)
        blocks.append((np.eye(fine) - f @ g) @ to_level)
        to_level = g @ to_level
    blocks.append(to_level)
    return np.vstack(blocks)


# --------------------------------------------------------------------------- pyramids

def max_levels(shape) -> int:
    """Most levels a pyramid of an image of this shape can have.

    Each level halves the spatial sides (rounding up) until the smaller side is 1:
    ``1 + ceil(log2(min side))``, e.g. 10 for 512 x 512 (512 ... 1), 1 for one pixel.

    Parameters
    ----------
    shape : tuple of int
        ``(n,)``, ``(H, W)`` or ``(H, W, C)``.
    """
    try:
        shape = tuple(int(side) for side in shape)
    except TypeError:
        raise TypeError(f"shape must be a tuple of ints such as image.shape, got "
                        f"{type(shape).__name__} {shape!r}") from None
    if not 1 <= len(shape) <= 3:
        raise ValueError(f"shape must be (n,), (H, W) or (H, W, C), got {shape}")
    spatial = shape[:1] if len(shape) == 1 else shape[:2]
    smallest = min(spatial)
    if smallest < 1:
        raise ValueError(f"shape {shape} is empty")
    return 1 + math.ceil(math.log2(smallest))


def _check_levels(levels, shape) -> int:
    levels = check_positive_int(levels, "levels")
    most = max_levels(shape)
    if levels > most:
        raise ValueError(f"levels={levels} is too many for shape {tuple(shape)}: at most {most} "
                         f"(each level halves the smaller side until it is 1)")
    return levels


def gaussian_pyramid(image, levels: int, kernel=None, boundary: str = "reflect") -> list:
    """Gaussian pyramid ``[x_1, x_2, ..., x_K]`` with ``x_{k+1} = G x_k``, finest first.

    Parameters
    ----------
    image : (n,), (H, W) or (H, W, C) array
        ``x_1``.
    levels : int
        ``K``, counting the image itself (the lecture's 512, 256, 128, 64 is K = 4);
        at most :func:`max_levels`.
    kernel, boundary
        As in :func:`reduce`.

    Returns
    -------
    list of K arrays
        Level k has spatial sides ``ceil(side / 2^(k-1))``.
    """
    image = _check_image(image)
    levels = _check_levels(levels, image.shape)
    kernel = _check_kernel(kernel)
    boundary = _check_boundary(boundary)
    pyramid = [image]
    for _ in range(levels - 1):
        pyramid.append(_reduce(pyramid[-1], kernel, boundary))
    return pyramid


@dataclass(frozen=True)
class LaplacianPyramid:
    """Band-pass levels, low-pass residual and the settings needed to invert them.

    Attributes
    ----------
    bands : tuple of arrays
        ``L_1, ..., L_{K-1}``, finest first; ``L_k`` has the shape of ``x_k``.
    residual : array
        The low-pass residual ``x_K`` (the lecture's coarsest Gaussian level).
    kernel : (k,) array
        The low-pass filter used by ``F``.
    boundary : str
        The boundary rule used by ``F``.
    """

    bands: tuple
    residual: np.ndarray
    kernel: np.ndarray
    boundary: str

    @property
    def levels(self) -> int:
        """K: the band-pass levels plus the residual."""
        return len(self.bands) + 1


def laplacian_pyramid(image, levels: int, kernel=None, boundary: str = "reflect") -> LaplacianPyramid:
    """Laplacian pyramid: ``L_k = x_k - F_k x_{k+1} = (I - F_k G_k) x_k`` and the residual ``x_K``.

    Parameters
    ----------
    image : (n,), (H, W) or (H, W, C) array
        ``x_1``.
    levels : int
        ``K``: ``K - 1`` band-pass levels plus the residual (the slide's ``L_1, L_2, L_3, x_4``
        is K = 4); at most :func:`max_levels`.
    kernel, boundary
        As in :func:`reduce`; stored in the result for :func:`reconstruct`.

    Returns
    -------
    LaplacianPyramid
    """
    image = _check_image(image)
    kernel = _check_kernel(kernel)
    boundary = _check_boundary(boundary)
    gaussian = gaussian_pyramid(image, levels, kernel, boundary)
    bands = tuple(fine - _expand(coarse, fine.shape[:_spatial_ndim(fine)], kernel, boundary)
                  for fine, coarse in zip(gaussian[:-1], gaussian[1:]))
    return LaplacianPyramid(bands=bands, residual=gaussian[-1], kernel=kernel, boundary=boundary)


def reconstruct(pyramid: LaplacianPyramid) -> np.ndarray:
    """Collapse a Laplacian pyramid: ``x_k = L_k + F_k x_{k+1}`` from the residual up to ``x_1``.

    A pure function of the coefficients (bands, residual) and the stored kernel and
    boundary; exact (to round-off) because each ``L_k`` stored what ``F_k x_{k+1}`` missed,
    whatever ``F_k`` is.

    Parameters
    ----------
    pyramid : LaplacianPyramid

    Returns
    -------
    array
        ``x_1``, the shape of ``pyramid.bands[0]`` (or the residual when K = 1).
    """
    if not isinstance(pyramid, LaplacianPyramid):
        raise TypeError(f"pyramid must be a LaplacianPyramid (from laplacian_pyramid), got "
                        f"{type(pyramid).__name__}")
    kernel = _check_kernel(pyramid.kernel)
    boundary = _check_boundary(pyramid.boundary)
    x = _check_image(pyramid.residual, "pyramid.residual")
    bands = [_check_image(band, f"pyramid.bands[{k}]") for k, band in enumerate(pyramid.bands)]
    coarser = x
    for k in range(len(bands) - 1, -1, -1):  # every shape checked before any work
        if bands[k].ndim != coarser.ndim:
            raise ValueError(f"pyramid.bands[{k}] has shape {bands[k].shape} but the coarser level has "
                             f"shape {coarser.shape}; levels must have the same number of axes")
        _target_shape(coarser, bands[k].shape)
        coarser = bands[k]
    for band in reversed(bands):
        x = band + _expand(x, band.shape[:_spatial_ndim(band)], kernel, boundary)
    return x


def blend(a, b, mask, levels: int, kernel=None, boundary: str = "reflect") -> np.ndarray:
    """Multiresolution blending (Burt and Adelson 1983): ``L(j) = G(j) LA(j) + (1 - G(j)) LB(j)``.

    The mask's Gaussian pyramid ``G`` weighs the two images' Laplacian pyramids
    ``LA``, ``LB`` level by level (the residuals too); the result is collapsed with
    :func:`reconstruct`. Coarse levels thus mix over wide seams, fine ones over narrow.

    Parameters
    ----------
    a, b : (H, W) or (H, W, C) arrays of the same shape
        The images; ``a`` shows where the mask is 1.
    mask : (H, W) or a's shape, values in [0, 1]
        A 2-D mask weighs every channel alike.
    levels : int
        Pyramid levels K, at most :func:`max_levels`.
    kernel, boundary
        As in :func:`reduce`. The mask's pyramid uses ``"reflect"`` when ``boundary``
        is ``"zero"``, so that a mask of ones stays ones up to the border.

    Returns
    -------
    array, a's shape
        Equals ``a`` for a mask of ones, ``b`` for zeros, and ``a`` when ``a == b`` (to round-off).
    """
    a = _check_image(a, "a")
    b = _check_image(b, "b")
    mask = _check_image(mask, "mask")
    if a.ndim == 1:
        raise ValueError(f"a must be an (H, W) or (H, W, C) image, got shape {a.shape}")
    if b.shape != a.shape:
        raise ValueError(f"b must have a's shape {a.shape}, got {b.shape}")
    if mask.shape not in (a.shape, a.shape[:2]):
        raise ValueError(f"mask must have shape {a.shape[:2]} or {a.shape}, got {mask.shape}")
    if mask.min() < 0 or mask.max() > 1:
        raise ValueError(f"mask values must lie in [0, 1], got [{mask.min():.3g}, {mask.max():.3g}]; "
                         "divide an 8-bit mask by 255")
    kernel = _check_kernel(kernel)
    boundary = _check_boundary(boundary)
    pyr_a = laplacian_pyramid(a, levels, kernel, boundary)
    pyr_b = laplacian_pyramid(b, levels, kernel, boundary)
    mask_boundary = "reflect" if boundary == "zero" else boundary
    weights = gaussian_pyramid(mask, levels, kernel, mask_boundary)
    if mask.ndim < a.ndim:  # one weight per pixel, shared by the channels
        weights = [w[..., np.newaxis] for w in weights]
    bands = tuple(w * la + (1.0 - w) * lb for w, la, lb in zip(weights, pyr_a.bands, pyr_b.bands))
    residual = weights[-1] * pyr_a.residual + (1.0 - weights[-1]) * pyr_b.residual
    return reconstruct(LaplacianPyramid(bands, residual, kernel, boundary))


def keep_largest(pyramid: LaplacianPyramid, fraction: float) -> LaplacianPyramid:
    """Compression by coring: keep the largest-magnitude band-pass coefficients, zero the rest.

    The band-pass levels of natural images are mostly near zero, so dropping the
    small ones changes the image little. The residual is always kept.

    Parameters
    ----------
    pyramid : LaplacianPyramid
    fraction : float in [0, 1]
        Share of the band-pass coefficients (all bands pooled) that are kept; ties at
        the threshold are kept too.

    Returns
    -------
    LaplacianPyramid
        Same kernel, boundary and residual; bands with the small coefficients set to 0.
    """
    if not isinstance(pyramid, LaplacianPyramid):
        raise TypeError(f"pyramid must be a LaplacianPyramid, got {type(pyramid).__name__}")
    fraction = check_positive_float(fraction, "fraction", allow_zero=True)
    if fraction > 1:
        raise ValueError(f"fraction must lie in [0, 1], got {fraction}")
    if not pyramid.bands:
        return pyramid
    magnitudes = np.concatenate([np.abs(band).ravel() for band in pyramid.bands])
    keep = int(round(fraction * magnitudes.size))
    if keep == 0:
        bands = tuple(np.zeros_like(band) for band in pyramid.bands)
    else:
        threshold = np.partition(magnitudes, magnitudes.size - keep)[magnitudes.size - keep]
        bands = tuple(np.where(np.abs(band) >= threshold, band, 0.0) for band in pyramid.bands)
    return LaplacianPyramid(bands, pyramid.residual, pyramid.kernel, pyramid.boundary)


# --------------------------------------------------------------------------- interactive demo

def blend_explorer(a, b, mask, max_levels_shown: int | None = None):
    """Notebook 02's widget: number of pyramid levels and mask blur -> blended image.

    ``compute(levels, mask_blur)`` blurs the mask with a Gaussian of standard
    deviation ``mask_blur`` pixels (0: none), then calls :func:`blend`; its result
    is a dict with ``"mask"`` (the blurred mask) and ``"blended"``.

    Parameters
    ----------
    a, b : (H, W) or (H, W, C) arrays in [0, 1]
    mask : (H, W) array in [0, 1]
    max_levels_shown : int, optional
        Upper end of the levels slider (default: :func:`max_levels` of a, at most 8).

    Returns
    -------
    lecture_utils.widgets.Explorer
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    from .widgets import Explorer

    a = _check_image(a, "a")
    mask = _check_image(mask, "mask")
    if mask.shape != a.shape[:2]:
        raise ValueError(f"mask must have shape {a.shape[:2]}, got {mask.shape}")
    if max_levels_shown is None:
        top = min(8, max_levels(a.shape))
    else:
        top = _check_levels(max_levels_shown, a.shape)

    def compute(levels, mask_blur):
        soft = ndimage.gaussian_filter(mask, sigma=mask_blur, mode="nearest") if mask_blur > 0 else mask
        return {"mask": soft, "blended": blend(a, b, soft, levels)}

    def draw(result):
        fig = Figure(figsize=(6, 3))
        for i, (key, title) in enumerate((("mask", "mask (blurred)"), ("blended", "blended"))):
            ax = fig.add_subplot(1, 2, i + 1)
            ax.imshow(np.clip(result[key], 0, 1), cmap="gray", vmin=0, vmax=1)
            ax.set_title(title)
            ax.axis("off")
        fig.tight_layout()
        return fig

    controls = {
        "levels": widgets.IntSlider(value=min(5, top), min=1, max=top, description="levels"),
        "mask_blur": widgets.FloatSlider(value=0.0, min=0.0, max=16.0, step=1.0, description="mask blur"),
    }
    return Explorer(compute, draw, controls, title="Pyramid blending explorer")
