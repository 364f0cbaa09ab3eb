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
    Laplacian  L_k = x_k - F_k x_{k+1} = (I - F_k G_k) x_k,  plus the low-pass x_K
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

:func:`reduce` and :func:`expand` extend with ``numpy.pad``; the matrices index the
extension with :func:`_source_index`, the same rule written as an index map (equal for
every length, a one-sample signal and filters longer than the signal included).
The lecture's matrix ``F3`` uses ``"zero"`` (hence :func:`downsample_matrix` and
:func:`upsample_matrix` default to it); images default to ``"reflect"``, which
does not darken the borders. Reconstruction is exact for every boundary.

Arrays: 1-D signals ``(n,)``, grayscale images ``(H, W)`` and colour images
``(H, W, C)`` with the channels last (C <= 4). Only the 1 or 2 spatial axes are
filtered. Integer images are converted to float64 without rescaling.

The same pyramids, computed faster (polyphase filtering), are in
``lecture_utils.fast.pyramids``; the pictures and the blending widget in
``lecture_utils.demos.pyramids``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import Spec, array, check, checked, choice, flag, instance, integer, optional, real, shape_tuple

__all__ = ["BOUNDARIES", "LaplacianPyramid", "binomial_kernel", "blend", "downsample_matrix", "expand",
           "expand_to", "gaussian_pyramid", "keep_largest", "laplacian_matrix", "laplacian_pyramid", "level_sizes",
           "max_levels", "reconstruct", "reduce", "synthesis_norms", "upsample_matrix"]

BOUNDARIES = ("zero", "reflect", "symmetric", "periodic")
PAD_MODES = {"zero": "constant", "reflect": "reflect", "symmetric": "symmetric", "periodic": "wrap"}
MAX_CHANNELS = 4
MAX_TAPS = 4097          # a binomial filter this long already has a standard deviation of 32 samples
MAX_MATRIX_SIDE = 4096   # the dense matrices are for reading; reduce and expand filter long signals
MAX_SIDE = 2**24         # sides of shapes that describe an image (max_levels, level_sizes)


# --------------------------------------------------------------------------- what the arguments must be

class _Image(Spec):
    """A signal (n,), a grey image (H, W) or a channels-last colour image (H, W, C <= 4), float64."""

    description = "a signal (n,), a grey image (H, W) or a colour image (H, W, C) with C <= 4 channels last"
    _array = array("n | H W | H W C")

    def __call__(self, value, name, sizes):
        image = self._array(value, name, {})  # its own sizes: the images of one call need not agree
        if image.ndim == 3 and image.shape[2] > MAX_CHANNELS:
            raise ValueError(f"{name} must be (H, W, C) with at most {MAX_CHANNELS} channels last, got shape "
                             f"{image.shape}; if the channels come first use np.moveaxis({name}, 0, -1)")
        return image


class _Kernel(Spec):
    """The 1-D low-pass filter: None for the lecture's binomial, else odd length, summing to 1."""

    description = "None (the lecture's [1 4 6 4 1] / 16) or an odd-length filter summing to 1"
    _array = array("k")

    def __call__(self, value, name, sizes):
        if value is None:
            return binomial_kernel(5)
        kernel = self._array(value, name, {})
        if kernel.size % 2 == 0:
            raise ValueError(f"{name} must have odd length (a centre tap), got length {kernel.size}")
        if kernel.size > MAX_TAPS:
            raise ValueError(f"{name} must have at most {MAX_TAPS} taps, got length {kernel.size}")
        if abs(kernel.sum() - 1.0) > 1e-12:
            raise ValueError(f"{name} must sum to 1 so that a blur keeps constants, got sum "
                             f"{kernel.sum():.6g}; divide it by its sum")
        return kernel


class _Levels(Spec):
    """An integer from 1 to ``max_levels`` of the (already checked) argument ``of``: an array or a length."""

    needs_values = True

    def __init__(self, of: str):
        self.of = of
        self.description = f"an integer from 1 to the most levels {of} allows"

    def __call__(self, value, name, sizes, values):
        levels = integer(1)(value, name, sizes)
        of = values[self.of]
        shape = of.shape if isinstance(of, np.ndarray) else (of,)
        most = _max_levels(shape)
        if levels > most:
            raise ValueError(f"{name}={levels} is too many for shape {shape}: at most {most} "
                             "(each level halves the smaller side until it is 1)")
        return levels


IMAGE = _Image()
KERNEL = _Kernel()
BOUNDARY = choice(*BOUNDARIES)
SHAPE = shape_tuple((1, 2, 3), maximum=MAX_SIDE)
LENGTH = integer(1, MAX_SIDE, why_max=" (longer than any signal a pyramid is built for)")
MATRIX_SIDE = integer(1, MAX_MATRIX_SIDE, why_max=" (the dense matrix would be too large to read or "
                                                  "store; reduce and expand filter long signals)")


# --------------------------------------------------------------------------- small helpers

def _spatial_ndim(image: np.ndarray) -> int:
    return 1 if image.ndim == 1 else 2


def _coarse_length(n: int) -> int:
    """Samples kept by reduce from n: indices 0, 2, 4, ... < n, that is ceil(n/2)."""
    return (n + 1) // 2


def _on_axis(axis: int, index) -> tuple:
    """The index tuple that applies ``index`` along ``axis`` (``x[_on_axis(1, 0)]`` is ``x[:, 0]``)."""
    return (slice(None),) * axis + (index,)


def _max_levels(shape: tuple) -> int:
    """Levels until the smaller spatial side of ``shape`` is 1, halving and rounding up."""
    side = min(shape[:1] if len(shape) == 1 else shape[:2])
    levels = 1
    while side > 1:
        side = _coarse_length(side)
        levels += 1
    return levels


# --------------------------------------------------------------------------- the filter

@checked(n=integer(1, MAX_TAPS, why_max=" (a blur wider than any image a pyramid is built for)"))
def binomial_kernel(n: int = 5) -> np.ndarray:
    """The normalised binomial low-pass filter, ``h[i] = C(n-1, i) / 2^(n-1)``.

    Computed as the binomial theorem builds it, ``(1/2 + z/2)^(n-1)``: ``n - 1``
    convolutions of ``[1/2, 1/2]``. That is exact in float64 up to n = 58 (the
    coefficients still fit in its 53-bit significand) and never overflows, whereas
    ``C(1099, 549)`` alone exceeds the largest float64.

    Parameters
    ----------
    n : int, 1 <= n <= 4097
        Number of taps (odd for a centred filter, as :func:`reduce` requires).

    Returns
    -------
    (n,) array
        Sums to 1; ``[1 4 6 4 1] / 16`` for ``n = 5``, the lecture's filter.
    """
    kernel = np.ones(1)
    for _ in range(n - 1):
        kernel = np.convolve(kernel, [0.5, 0.5])
    return kernel


def _blur(x: np.ndarray, kernel: np.ndarray, axis: int, boundary: str) -> np.ndarray:
    """``y[j] = sum_t k[t] x[j + t - r]`` along ``axis`` (r = len(k) // 2), x extended by the boundary rule.

    Same length as ``x``: the extension adds ``r`` samples past each end, and tap ``t``
    reads the extended signal shifted by ``t``.
    """
    n, r = x.shape[axis], kernel.size // 2
    width = [(0, 0)] * x.ndim
    width[axis] = (r, r)
    extended = np.pad(x, width, mode=PAD_MODES[boundary])
    return sum(weight * extended[_on_axis(axis, slice(t, t + n))] for t, weight in enumerate(kernel))


def _insert_zeros(x: np.ndarray, n: int, axis: int) -> np.ndarray:
    """``u`` of length n along ``axis`` with ``u[2i] = x[i]`` and zeros at the odd indices."""
    shape = list(x.shape)
    shape[axis] = n
    upsampled = np.zeros(shape)
    upsampled[_on_axis(axis, slice(0, None, 2))] = x
    return upsampled


# --------------------------------------------------------------------------- reduce G and expand F

@checked(image=IMAGE, kernel=KERNEL, boundary=BOUNDARY)
def reduce(image, kernel=None, boundary: str = "reflect") -> np.ndarray:
    """Blur-and-downsample ``G``: blur with ``kernel`` per axis, keep every second sample.

    Implements the lecture's down-sampling (blur, then ``↓2``) along each spatial axis:
    ``y[i] = sum_t h[t] x[2i + t - r]``, ``r = len(h) // 2``, with ``x`` extended past its
    ends by the boundary rule. The samples kept are the even indices 0, 2, 4, ..., so
    ``n`` samples become ``ceil(n/2)``.

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
    for axis in range(_spatial_ndim(image)):  # the 2-D blur is separable: one axis, then the other
        blurred = _blur(image, kernel, axis, boundary)
        image = blurred[_on_axis(axis, slice(0, None, 2))]  # keep samples 0, 2, 4, ...
    return image


def _check_finer_shape(image, shape, kernel, boundary):
    """The arguments of expand and expand_to, with ``shape`` cut to its spatial sizes.

    ``shape`` gives a finer level's spatial size(s); a full (H, W, C) shape must have image's channels.
    """
    image, shape, kernel, boundary = check(
        {"image": IMAGE, "shape": SHAPE, "kernel": KERNEL, "boundary": BOUNDARY},
        {"image": image, "shape": shape, "kernel": kernel, "boundary": boundary})
    spatial = _spatial_ndim(image)
    if len(shape) == image.ndim == 3:  # a full (H, W, C) shape: the channels must agree
        if shape[2] != image.shape[2]:
            raise ValueError(f"shape {shape} has {shape[2]} channels but image has {image.shape[2]}")
        shape = shape[:2]
    if len(shape) != spatial:
        raise ValueError(f"shape must give the {spatial} spatial size(s) of a finer level, got "
                         f"{shape} for an image of shape {image.shape}")
    return image, shape, kernel, boundary


def _check_expand(image, shape, kernel, boundary):
    """expand's arguments; ``shape`` must be the finer level's: reduce takes it to image's shape."""
    image, shape, kernel, boundary = _check_finer_shape(image, shape, kernel, boundary)
    for axis, n in enumerate(shape):
        m = image.shape[axis]
        if _coarse_length(n) != m:
            raise ValueError(f"shape {shape} cannot be expanded from image shape {image.shape}: "
                             f"axis {axis} needs {2 * m - 1} or {2 * m} samples for {m} coarse "
                             f"samples, got {n}")
    return image, shape, kernel, boundary


def expand(image, shape, kernel=None, boundary: str = "reflect") -> np.ndarray:
    """Blur-and-upsample ``F``: insert zeros to reach ``shape``, blur with ``2 * kernel`` per axis.

    Implements the lecture's up-sampling (``↑2``, then the low-pass ``[1 4 6 4 1]``,
    here normalised to ``2 * [1 4 6 4 1] / 16`` per axis so constants stay constant):
    ``y[j] = sum_t 2 h[t] u[j + t - r]`` with ``u[2i] = x[i]``, zeros at the odd indices,
    and ``u`` extended past its ends by the boundary rule. The coarse samples land on
    the even indices, matching :func:`reduce`.

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
    image, shape, kernel, boundary = _check_expand(image, shape, kernel, boundary)
    for axis, n in enumerate(shape):
        upsampled = _insert_zeros(image, n, axis)  # coarse samples at 0, 2, 4, ...
        image = _blur(upsampled, 2.0 * kernel, axis, boundary)  # 2: half the samples are zeros
    return image


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


@checked(n=MATRIX_SIDE, kernel=KERNEL, boundary=BOUNDARY)
def downsample_matrix(n: int, kernel=None, boundary: str = "zero") -> np.ndarray:
    """The 1-D reduce operator ``G`` as a dense ``(ceil(n/2), n)`` matrix.

    Row ``i`` holds the kernel centred on sample ``2 i``:
    ``G[i, j] = sum_t k[t] [j == b(2 i + t - r)]`` with ``r = len(k) // 2`` and ``b``
    the boundary's index map, so that ``G @ x == reduce(x)``.

    Parameters
    ----------
    n : int, 1 <= n <= 4096
        Length of the fine signal.
    kernel : (k,) array, optional
        Default ``[1 4 6 4 1] / 16``.
    boundary : {"zero", "reflect", "symmetric", "periodic"}
        Default "zero", the lecture's convention.

    Returns
    -------
    (ceil(n/2), n) array
    """
    r = kernel.size // 2
    g = np.zeros((_coarse_length(n), n))
    for i in range(g.shape[0]):
        for t, weight in enumerate(kernel):
            j = _source_index(2 * i + t - r, n, boundary)
            if j is not None:
                g[i, j] += weight
    return g


def _check_upsample(m, n, kernel, boundary):
    """upsample_matrix's arguments; n (default 2m) must be 2m - 1 or 2m."""
    m, n, kernel, boundary = check(
        {"m": integer(1, MAX_MATRIX_SIDE // 2, why_max=" (the dense matrix would be too large to read or store)"),
         "n": optional(MATRIX_SIDE), "kernel": KERNEL, "boundary": BOUNDARY},
        {"m": m, "n": n, "kernel": kernel, "boundary": boundary})
    n = 2 * m if n is None else n
    if _coarse_length(n) != m:
        raise ValueError(f"n must be {2 * m - 1} or {2 * m} for m = {m} coarse samples, got {n}")
    return m, n, kernel, boundary


def upsample_matrix(m: int, n: int | None = None, kernel=None, boundary: str = "zero") -> np.ndarray:
    """The 1-D expand operator ``F`` as a dense ``(n, m)`` matrix (the lecture's ``F3`` for m = 4).

    ``F = 2 B U``: ``U`` puts coarse sample ``i`` at fine index ``2 i`` (zeros in
    between) and ``B`` blurs the length-n signal with the boundary rule, so that
    ``F @ x == expand(x, (n,))``. ``8 * upsample_matrix(4)`` is the slide's 8 x 4
    matrix with columns ``6 4 1 0 ...``, ``1 4 6 4 1 ...``.

    Parameters
    ----------
    m : int, 1 <= m <= 2048
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
    m, n, kernel, boundary = _check_upsample(m, n, kernel, boundary)
    r = kernel.size // 2
    f = np.zeros((n, m))
    for j in range(n):
        for t, weight in enumerate(kernel):
            source = _source_index(j + t - r, n, boundary)
            if source is not None and source % 2 == 0:  # odd fine indices hold inserted zeros
                f[j, source // 2] += 2.0 * weight
    return f


@checked(n=LENGTH, levels=_Levels("n"))
def level_sizes(n: int, levels: int) -> list:
    """Lengths ``[n, ceil(n/2), ceil(n/4), ...]`` of a ``levels``-level 1-D pyramid."""
    sizes = [n]
    for _ in range(levels - 1):
        sizes.append(_coarse_length(sizes[-1]))
    return sizes


@checked(n=MATRIX_SIDE, levels=_Levels("n"), kernel=KERNEL, boundary=BOUNDARY)
def laplacian_matrix(n: int, levels: int, kernel=None, boundary: str = "zero") -> np.ndarray:
    """The 1-D Laplacian pyramid as one matrix: coefficients = ``M @ x_1``.

    Blocks, stacked top to bottom (sizes from :func:`level_sizes`)::

        (I - F_1 G_1)                       n rows         high frequencies
        (I - F_2 G_2) G_1                   ceil(n/2)      mid band
        ...
        G_{K-1} ... G_1                     the low-pass x_K

    Parameters
    ----------
    n : int, 1 <= n <= 4096
        Signal length.
    levels : int
        Number of levels K (band-pass levels plus the low-pass), at most :func:`max_levels`.
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

@checked(shape=SHAPE)
def max_levels(shape) -> int:
    """Most levels a pyramid of an image of this shape can have.

    Each level halves the spatial sides (rounding up) until the smaller side is 1:
    ``1 + ceil(log2(min side))``, e.g. 10 for 512 x 512 (512 ... 1), 1 for one pixel.

    Parameters
    ----------
    shape : tuple of int
        ``(n,)``, ``(H, W)`` or ``(H, W, C)`` (the channels do not count).
    """
    return _max_levels(shape)


@checked(image=IMAGE, levels=_Levels("image"), kernel=KERNEL, boundary=BOUNDARY)
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
    pyramid = [image]
    for _ in range(levels - 1):
        pyramid.append(reduce(pyramid[-1], kernel, boundary))
    return pyramid


@dataclass(frozen=True)
class LaplacianPyramid:
    """Band-pass levels, the low-pass level and the settings needed to invert them.

    Attributes
    ----------
    bands : tuple of arrays
        ``L_1, ..., L_{K-1}``, finest first; ``L_k`` has the shape of ``x_k``.
    lowpass : array
        The low-pass residual ``x_K`` (the lecture's coarsest Gaussian level).
    kernel : (k,) array
        The low-pass filter used by ``F``.
    boundary : str
        The boundary rule used by ``F``.
    """

    bands: tuple
    lowpass: np.ndarray
    kernel: np.ndarray
    boundary: str

    @property
    def levels(self) -> int:
        """K: the band-pass levels plus the low-pass."""
        return len(self.bands) + 1


@checked(image=IMAGE, levels=_Levels("image"), kernel=KERNEL, boundary=BOUNDARY)
def laplacian_pyramid(image, levels: int, kernel=None, boundary: str = "reflect") -> LaplacianPyramid:
    """Laplacian pyramid: ``L_k = x_k - F_k x_{k+1} = (I - F_k G_k) x_k`` and the low-pass ``x_K``.

    Parameters
    ----------
    image : (n,), (H, W) or (H, W, C) array
        ``x_1``.
    levels : int
        ``K``: ``K - 1`` band-pass levels plus the low-pass (the slide's ``L_1, L_2, L_3, x_4``
        is K = 4); at most :func:`max_levels`.
    kernel, boundary
        As in :func:`reduce`; stored in the result for :func:`reconstruct`.

    Returns
    -------
    LaplacianPyramid
    """
    gaussian = gaussian_pyramid(image, levels, kernel, boundary)
    bands = tuple(fine - expand(coarse, fine.shape, kernel, boundary)
                  for fine, coarse in zip(gaussian[:-1], gaussian[1:]))
    return LaplacianPyramid(bands=bands, lowpass=gaussian[-1], kernel=kernel, boundary=boundary)


def _check_pyramid(pyramid) -> LaplacianPyramid:
    """A LaplacianPyramid whose levels fit together (reduce takes each band's shape to the next).

    Returns a copy with every part checked and converted, so reconstruction does no more checks.
    """
    pyramid, = check({"pyramid": instance(LaplacianPyramid, made_by="laplacian_pyramid")}, {"pyramid": pyramid})
    _, kernel, boundary, lowpass = check(
        {"pyramid.bands": instance((tuple, list)), "pyramid.kernel": KERNEL, "pyramid.boundary": BOUNDARY,
         "pyramid.lowpass": IMAGE},
        {"pyramid.bands": pyramid.bands, "pyramid.kernel": pyramid.kernel, "pyramid.boundary": pyramid.boundary,
         "pyramid.lowpass": pyramid.lowpass})
    names = [f"pyramid.bands[{k}]" for k in range(len(pyramid.bands))]
    bands = check(dict.fromkeys(names, IMAGE), dict(zip(names, pyramid.bands)))
    coarser = lowpass
    for k in reversed(range(len(bands))):
        fine = bands[k]
        reduced = tuple(_coarse_length(n) for n in fine.shape[:_spatial_ndim(fine)]) + fine.shape[2:]
        if reduced != coarser.shape:
            raise ValueError(f"pyramid.bands[{k}] has shape {fine.shape} but the coarser level has shape "
                             f"{coarser.shape}; reduce takes {fine.shape} to {reduced}")
        coarser = fine
    return LaplacianPyramid(bands, lowpass, kernel, boundary)


def reconstruct(pyramid: LaplacianPyramid) -> np.ndarray:
    """Collapse a Laplacian pyramid: ``x_k = L_k + F_k x_{k+1}`` from the low-pass up to ``x_1``.

    A pure function of the coefficients (bands, low-pass) and the stored kernel and
    boundary; exact (to round-off) because each ``L_k`` stored what ``F_k x_{k+1}`` missed,
    whatever ``F_k`` is.

    Parameters
    ----------
    pyramid : LaplacianPyramid

    Returns
    -------
    array
        ``x_1``, the shape of ``pyramid.bands[0]`` (or the low-pass when K = 1).
    """
    pyramid = _check_pyramid(pyramid)
    x = pyramid.lowpass
    for band in reversed(pyramid.bands):  # coarsest band first
        x = band + expand(x, band.shape, pyramid.kernel, pyramid.boundary)
    return x


# --------------------------------------------------------------------------- a level at full resolution

def _spatial_sizes(fine: tuple, coarse: tuple) -> list:
    """Spatial shapes from ``fine`` down to ``coarse`` (both ends included); None if reduce never reaches it."""
    sizes = [tuple(fine)]
    while sizes[-1] != tuple(coarse):
        if max(sizes[-1]) == 1:
            return None
        sizes.append(tuple(_coarse_length(n) for n in sizes[-1]))
    return sizes


def _check_expand_to(image, shape, kernel, boundary):
    """expand_to's arguments; reducing ``shape`` level by level must reach ``image``'s spatial shape."""
    image, shape, kernel, boundary = _check_finer_shape(image, shape, kernel, boundary)
    sizes = _spatial_sizes(shape, image.shape[:len(shape)])
    if sizes is None:
        raise ValueError(f"shape {shape} is not a finer level of image shape {image.shape}: reducing {shape} "
                         f"halves it (rounding up) to {tuple(_coarse_length(n) for n in shape)}, ... , never "
                         f"to {image.shape[:len(shape)]}")
    return image, sizes, kernel, boundary


def expand_to(image, shape, kernel=None, boundary: str = "reflect") -> np.ndarray:
    """A coarse level brought back to a finer size: ``F_1 F_2 ... F_{k-1} x_k``, one octave at a time.

    How Burt and Adelson (1983, Fig. 5) show every level of a pyramid "at full resolution":
    the expand ``F`` of each finer level in turn, coarsest first. ``expand_to(x, x.shape)``
    is ``x`` itself.

    Parameters
    ----------
    image : (m,), (h, w) or (h, w, C) array
        A level ``x_k`` (or a band ``L_k``) of a pyramid.
    shape : tuple of int
        The spatial shape ``(n,)`` or ``(H, W)`` of a finer level (``(H, W, C)`` accepted): reducing it
        ``k - 1`` times, each side to ``ceil(side / 2)``, must give ``image``'s spatial shape.
    kernel, boundary
        As in :func:`expand`.

    Returns
    -------
    array
        Spatial shape ``shape`` (plus the channel axis for colour images).
    """
    image, sizes, kernel, boundary = _check_expand_to(image, shape, kernel, boundary)
    for size in reversed(sizes[:-1]):          # the coarsest expand first
        image = expand(image, size, kernel, boundary)
    return image


# --------------------------------------------------------------------------- blending and compression

def _check_blend(a, b, mask, levels, kernel, boundary):
    """blend's arguments: b shaped like a, mask like a or like its (H, W), in [0, 1]."""
    a, b, mask, levels, kernel, boundary = check(
        {"a": IMAGE, "b": IMAGE, "mask": IMAGE, "levels": _Levels("a"), "kernel": KERNEL, "boundary": BOUNDARY},
        {"a": a, "b": b, "mask": mask, "levels": levels, "kernel": kernel, "boundary": boundary})
    if a.ndim == 1:
        raise ValueError(f"a must be an (H, W) or (H, W, C) image, got shape {a.shape}")
    if b.shape != a.shape:
        raise ValueError(f"b must have a's shape {a.shape}, got {b.shape}")
    if mask.shape not in (a.shape, a.shape[:2]):
        raise ValueError(f"mask must have shape {a.shape[:2]} or {a.shape}, got {mask.shape}")
    if mask.min() < 0 or mask.max() > 1:
        raise ValueError(f"mask values must lie in [0, 1], got [{mask.min():.3g}, {mask.max():.3g}]; "
                         "divide an 8-bit mask by 255")
    return a, b, mask, levels, kernel, boundary


def blend(a, b, mask, levels: int, kernel=None, boundary: str = "reflect") -> np.ndarray:
    """Multiresolution blending (Burt and Adelson 1983): ``L(j) = G(j) LA(j) + (1 - G(j)) LB(j)``.

    The mask's Gaussian pyramid ``G`` weighs the two images' Laplacian pyramids
    ``LA``, ``LB`` level by level (the low-pass levels too); the result is collapsed with
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
    a, b, mask, levels, kernel, boundary = _check_blend(a, b, mask, levels, kernel, boundary)
    pyr_a = laplacian_pyramid(a, levels, kernel, boundary)
    pyr_b = laplacian_pyramid(b, levels, kernel, boundary)
    mask_boundary = "reflect" if boundary == "zero" else boundary
    weights = gaussian_pyramid(mask, levels, kernel, mask_boundary)
    if mask.ndim < a.ndim:  # one weight per pixel, shared by the channels
        weights = [w[..., np.newaxis] for w in weights]
    bands = tuple(w * la + (1.0 - w) * lb for w, la, lb in zip(weights, pyr_a.bands, pyr_b.bands))
    lowpass = weights[-1] * pyr_a.lowpass + (1.0 - weights[-1]) * pyr_b.lowpass
    return reconstruct(LaplacianPyramid(bands, lowpass, kernel, boundary))


def _check_synthesis_norms(shape, levels, kernel, boundary):
    """synthesis_norms' arguments: levels at most what ``shape`` allows."""
    shape, kernel, boundary = check({"shape": SHAPE, "kernel": KERNEL, "boundary": BOUNDARY},
                                    {"shape": shape, "kernel": kernel, "boundary": boundary})
    spatial = shape[:1] if len(shape) == 1 else shape[:2]
    most = _max_levels(spatial)
    levels = integer(1)(levels, "levels", {})
    if levels > most:
        raise ValueError(f"levels={levels} is too many for shape {shape}: at most {most} "
                         "(each level halves the smaller side until it is 1)")
    return spatial, levels, kernel, boundary


def synthesis_norms(shape, levels: int, kernel=None, boundary: str = "reflect") -> np.ndarray:
    """How much one coefficient of each level weighs in the image: ``||s_k|| = ||F_1 ... F_{k-1} e||``.

    Collapsing is linear, ``x_1 = sum_k F_1 ... F_{k-1} L_k`` (the low-pass ``x_K`` last), so a
    coefficient ``c`` of level ``k`` adds ``c s_k`` to the image, with ``s_k`` the unit
    coefficient ``e`` at that level expanded to full size (:func:`expand_to`). The
    Laplacian pyramid is not an orthonormal frame: the ``s_k`` grow with ``k`` (about 2 per
    level in 2-D), so the error made by dropping ``c`` is ``|c| ||s_k||``, not ``|c|``.
    Measured for a coefficient at the centre of each level, away from the borders, one axis at
    a time: ``F`` is separable, so a unit's 2-D synthesis image is the outer product of two 1-D
    ones and its norm the product of theirs.

    Parameters
    ----------
    shape : tuple of int
        The image's shape ``(n,)``, ``(H, W)`` or ``(H, W, C)`` (the channels do not count).
    levels : int
        Pyramid levels K (band-pass levels plus the low-pass), at most :func:`max_levels`.
    kernel, boundary
        As in :func:`laplacian_pyramid`.

    Returns
    -------
    (K,) array
        ``||s_1||, ..., ||s_{K-1}||`` for the bands (``||s_1|| = 1``) and ``||s_K||`` for the low-pass.
    """
    shape, levels, kernel, boundary = _check_synthesis_norms(shape, levels, kernel, boundary)
    norms = np.ones(levels)
    for n in shape:                                             # separable: a product over the axes
        for k, m in enumerate(level_sizes(n, levels)):
            unit = np.zeros(m)
            unit[m // 2] = 1.0                                  # one coefficient, at the level's centre
            norms[k] *= np.linalg.norm(expand_to(unit, (n,), kernel, boundary))
    return norms


@checked(pyramid=instance(LaplacianPyramid, made_by="laplacian_pyramid"), fraction=real(0.0, 1.0),
         weighted=flag())
def keep_largest(pyramid: LaplacianPyramid, fraction: float, weighted: bool = False) -> LaplacianPyramid:
    """Compression: keep the largest band-pass coefficients, zero the rest (hard thresholding).

    The band-pass levels of natural images are mostly near zero, so dropping the
    small ones changes the image little. The low-pass level is always kept.
    Ranking raw magnitudes ``|c|`` treats a coefficient of every level alike, but a
    coarse coefficient spreads over more pixels: with ``weighted=True`` the ranking is
    by ``|c| ||s_k||`` (:func:`synthesis_norms`), the size of what dropping it changes
    in the image. (Coring, for noise removal, is another rule: every coefficient of a band shrunk
    towards 0 by a threshold, sign(c) max(|c| - t, 0).)

    Parameters
    ----------
    pyramid : LaplacianPyramid
    fraction : float in [0, 1]
        Share of the band-pass coefficients (all bands pooled) that are kept; ties at
        the threshold are kept too.
    weighted : bool
        Rank by ``|c| ||s_k||`` instead of ``|c|``.

    Returns
    -------
    LaplacianPyramid
        Same kernel, boundary and low-pass; bands with the small coefficients set to 0.
    """
    if not pyramid.bands:
        return pyramid
    norms = np.ones(len(pyramid.bands))
    if weighted:
        norms = synthesis_norms(pyramid.bands[0].shape, pyramid.levels, pyramid.kernel, pyramid.boundary)[:-1]
    scores = [norm * np.abs(band) for norm, band in zip(norms, pyramid.bands)]
    magnitudes = np.concatenate([score.ravel() for score in scores])
    keep = int(round(fraction * magnitudes.size))
    if keep == 0:
        bands = tuple(np.zeros_like(band) for band in pyramid.bands)
    else:
        threshold = np.partition(magnitudes, magnitudes.size - keep)[magnitudes.size - keep]
        bands = tuple(np.where(score >= threshold, band, 0.0) for score, band in zip(scores, pyramid.bands))
    return LaplacianPyramid(bands, pyramid.lowpass, pyramid.kernel, pyramid.boundary)
