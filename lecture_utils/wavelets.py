"""An orthonormal wavelet pyramid (Daubechies' filters), beside the Laplacian pyramid.

The lecture's software slide points to matlabPyrTools' "QMF/wavelets" and to wavelet image
coders (EPIC, EPWIC); its table of image transformations sets the DFT and the Gaussian,
Laplacian and steerable pyramids side by side. This module is the orthonormal member of that
family, used in notebook 02 (compression at an equal count of coefficients) and in notebook
03's table of transforms.

One level along one axis (``n`` even samples, periodic: sample ``n`` is sample 0)::

    a[k] = sum_i h[i] x[(2k + i) mod n]        low-pass, k = 0 .. n/2 - 1
    d[k] = sum_i g[i] x[(2k + i) mod n]        high-pass, g[i] = (-1)^i h[L - 1 - i]

that is ``(a, d) = W x`` with the ``(n, n)`` matrix :func:`wavelet_matrix`, orthogonal
(``W^T W = I``) when ``h`` satisfies ``sum_i h[i] h[i + 2k] = delta_k`` (the quadrature-mirror
condition). So the inverse is ``x = W^T (a, d)`` and every coefficient weighs exactly its value
in the image: dropping a set of coefficients changes the image by the norm of what was dropped
(Parseval), which is why keeping the largest ones is the best choice for a given count.

In 2-D, ``W`` acts along the columns (x) and the rows (y) of the image: a level turns an
``(H, W)`` image into the low-pass ``(H/2, W/2)`` and three details ``(3, H/2, W/2)`` -- high in x
(vertical edges), high in y (horizontal edges) and high in both (diagonal) -- and the next level
splits the low-pass again. The coefficients number exactly the pixels: critically sampled, 1 per
pixel, against the Laplacian pyramid's 4/3.

Daubechies' filters with ``p`` vanishing moments (``2p`` taps) are the shortest with
``|H(omega)|^2 = 2 cos^(2p)(omega/2) P(sin^2(omega/2))``,
``P(y) = sum_{k<p} binom(p - 1 + k, k) y^k``; :func:`daubechies_filter` factors ``P`` with its
roots (minimum phase), exact to round-off for ``p <= 10``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validate import array, check, checked, instance, integer, optional, shape_tuple

__all__ = ["WaveletPyramid", "daubechies_filter", "max_levels", "reconstruct", "wavelet_matrix", "wavelet_pyramid"]

MAX_MOMENTS = 10             # beyond, the roots of P lose digits (Daubechies' own tables stop at 10)
MAX_SIDE = 4096              # the dense (n, n) matrix of one level


@checked(vanishing_moments=integer(1, MAX_MOMENTS, why_max=" (the polynomial roots lose accuracy beyond; "
                                                          "db10 has 20 taps)"))
def daubechies_filter(vanishing_moments: int = 2) -> np.ndarray:
    """Daubechies' low-pass filter ``h`` with ``p`` vanishing moments: ``2p`` taps, ``sum h = sqrt 2``.

    ``p = 1`` is Haar's ``[1, 1] / sqrt 2``; ``p = 2`` is ``(1 + sqrt 3, 3 + sqrt 3, 3 - sqrt 3, 1 - sqrt 3) /
    (4 sqrt 2)``. Built as ``h(z) ~ ((1 + z) / 2)^p q(z)`` with ``q`` the minimum-phase factor of
    ``P``: each root ``y_i`` of ``P`` gives ``z + 1/z = 2 - 4 y_i``, of whose two roots the one
    inside the unit circle is kept.

    Parameters
    ----------
    vanishing_moments : int, 1 <= p <= 10

    Returns
    -------
    (2p,) array
        Orthonormal: ``sum_i h[i] h[i + 2k] = 1`` for ``k = 0``, else 0.
    """
    p = vanishing_moments
    coefficients = [math.comb(p - 1 + k, k) for k in range(p)]           # P(y), lowest power first
    zeros = []
    for y in np.roots(coefficients[::-1]) if p > 1 else []:
        pair = np.roots([1.0, -(2 - 4 * y), 1.0])                           # z^2 - (2 - 4y) z + 1 = 0
        zeros.append(pair[np.argmin(np.abs(pair))])                         # the root inside the unit circle
    h = np.poly(np.concatenate([-np.ones(p), zeros])).real                 # (z + 1)^p prod (z - z_i)
    return math.sqrt(2) * h / h.sum()


def _check_filter(h, name="h"):
    """An even-length filter meeting the quadrature-mirror condition (else the transform is not orthogonal)."""
    h = array("L")(h, name, {})
    if h.size % 2:
        raise ValueError(f"{name} must have an even number of taps (an orthonormal wavelet filter), got {h.size}")
    if np.abs(h).max() > 1:                                 # sum_i h[i]^2 = 1: no tap beyond 1 (and no overflow below)
        raise ValueError(f"{name} must be orthonormal (sum_i h[i]^2 = 1, so no tap beyond 1 in size), got a tap of "
                         f"size {np.abs(h).max():.3g}; use daubechies_filter(p)")
    lags = [float(np.dot(h[: h.size - 2 * k], h[2 * k:])) for k in range(h.size // 2)]
    if abs(lags[0] - 1) > 1e-10 or max(map(abs, lags[1:]), default=0) > 1e-10:
        raise ValueError(f"{name} must be orthonormal to its even shifts (sum_i h[i] h[i + 2k] = 1 for k = 0, else 0), "
                         f"got {np.round(lags, 6).tolist()}; use daubechies_filter(p)")
    return h


def _check_matrix_args(n, h):
    n, = check({"n": integer(2, MAX_SIDE, why_max=" (the dense matrix of one level)")}, {"n": n})
    if n % 2:
        raise ValueError(f"n must be even (a level halves it), got {n}")
    return n, daubechies_filter(2) if h is None else _check_filter(h)


def wavelet_matrix(n: int, h=None) -> np.ndarray:
    """One level of the periodic wavelet transform along one axis, as an ``(n, n)`` orthogonal matrix.

    Row ``k < n/2`` holds ``h`` starting at sample ``2k``, row ``n/2 + k`` holds
    ``g[i] = (-1)^i h[L - 1 - i]`` starting at sample ``2k``, both wrapped around the ends
    (taps landing on one sample add up, so it works for filters longer than ``n`` too).

    Parameters
    ----------
    n : int
        Even length, 2 to 4096.
    h : (L,) array, optional
        Orthonormal low-pass filter; default ``daubechies_filter(2)``.

    Returns
    -------
    (n, n) array
        ``W`` with ``W @ x = (a, d)`` and ``W.T @ W = I``.
    """
    n, h = _check_matrix_args(n, h)
    g = (-1.0) ** np.arange(h.size) * h[::-1]
    w = np.zeros((n, n))
    for k in range(n // 2):
        for i in range(h.size):
            w[k, (2 * k + i) % n] += h[i]
            w[n // 2 + k, (2 * k + i) % n] += g[i]
    return w


@checked(shape=shape_tuple(ndims=(2,), maximum=MAX_SIDE))
def max_levels(shape) -> int:
    """Most levels for an ``(H, W)`` image: how often both sides halve to a whole number of samples."""
    levels, (rows, cols) = 0, shape
    while rows % 2 == 0 and cols % 2 == 0:
        rows, cols, levels = rows // 2, cols // 2, levels + 1
    return levels


@dataclass(frozen=True)
class WaveletPyramid:
    """Detail coefficients, the low-pass and the filter, which is all :func:`reconstruct` needs.

    Attributes
    ----------
    bands : tuple of arrays
        ``bands[j]`` has shape ``(3, H / 2^(j+1), W / 2^(j+1))``: high in x (vertical edges), high in
        y (horizontal edges), high in both (diagonal), finest level first.
    lowpass : (H / 2^J, W / 2^J) array
    filter : (L,) array
        The low-pass filter ``h``.
    """

    bands: tuple
    lowpass: np.ndarray
    filter: np.ndarray

    @property
    def levels(self) -> int:
        """Number of levels J."""
        return len(self.bands)


def _check_pyramid_args(image, levels, h):
    image, levels = check({"image": array("H W"), "levels": integer(1)}, {"image": image, "levels": levels})
    most = max_levels(image.shape)
    if levels > most:
        raise ValueError(f"levels={levels} is too many for an image of shape {image.shape}: both sides must halve "
                         f"to whole numbers {levels} times, they do {most} times; crop or pad it first")
    return image, levels, daubechies_filter(2) if h is None else _check_filter(h)


def _split(x, h, axis):
    """One level along ``axis``: ``a[k] = sum_i h[i] x[2k + i]``, ``d[k] = sum_i g[i] x[2k + i]``, indices mod n."""
    g = (-1.0) ** np.arange(h.size) * h[::-1]
    shifted = [np.roll(x, -i, axis=axis) for i in range(h.size)]          # shifted[i][m] = x[m + i]
    even = (slice(None),) * axis + (slice(None, None, 2),)
    return (sum(h[i] * s[even] for i, s in enumerate(shifted)),
            sum(g[i] * s[even] for i, s in enumerate(shifted)))


def _merge(a, d, h, axis):
    """The transpose of :func:`_split`: ``x[m] = sum_k a[k] h[m - 2k] + d[k] g[m - 2k]``, indices mod n."""
    g = (-1.0) ** np.arange(h.size) * h[::-1]
    shape = list(a.shape)
    shape[axis] *= 2
    up_a, up_d = np.zeros(shape), np.zeros(shape)
    even = (slice(None),) * axis + (slice(None, None, 2),)
    up_a[even], up_d[even] = a, d                                          # a[k] at sample 2k
    return sum(h[i] * np.roll(up_a, i, axis=axis) + g[i] * np.roll(up_d, i, axis=axis) for i in range(h.size))


def wavelet_pyramid(image, levels: int, h=None) -> WaveletPyramid:
    """The orthonormal wavelet pyramid of an image: :func:`wavelet_matrix` along y and x, on the low-pass each time.

    Each level is ``W_y X W_x^T`` (``tests/test_wavelets.py`` checks it against the matrices),
    computed as the sums of shifted copies that the matrix rows hold.

    Parameters
    ----------
    image : (H, W) array
        Both sides divisible by ``2**levels``.
    levels : int
        J >= 1, at most :func:`max_levels`.
    h : (L,) array, optional
        Orthonormal low-pass filter; default ``daubechies_filter(2)``.

    Returns
    -------
    WaveletPyramid
        As many coefficients as pixels; ``sum`` of their squares equals ``sum(image**2)``.
    """
    image, levels, h = _check_pyramid_args(image, levels, h)
    bands, low = [], image
    for _ in range(levels):
        low_y, high_y = _split(low, h, axis=0)                             # along y (rows)
        low, high_x = _split(low_y, h, axis=1)                             # along x (columns)
        high_x_low_y = high_x
        low_x_high_y, high_both = _split(high_y, h, axis=1)
        bands.append(np.stack([high_x_low_y, low_x_high_y, high_both]))
    return WaveletPyramid(tuple(bands), low, h)


def _check_wavelet_pyramid(pyramid):
    pyramid, = check({"pyramid": instance(WaveletPyramid, made_by="wavelet_pyramid")}, {"pyramid": pyramid})
    h = _check_filter(pyramid.filter, "pyramid.filter")
    low = array("h w")(pyramid.lowpass, "pyramid.lowpass", {})
    levels = len(instance((tuple, list))(pyramid.bands, "pyramid.bands", {}))
    bands = tuple(array(f"3 {low.shape[0] << (levels - 1 - j)} {low.shape[1] << (levels - 1 - j)}")(
        band, f"pyramid.bands[{j}]", {}) for j, band in enumerate(pyramid.bands))   # each level twice the next
    return bands, low, h


def reconstruct(pyramid: WaveletPyramid) -> np.ndarray:
    """Invert :func:`wavelet_pyramid` with the transposes: ``X = W_y^T level W_x``, from the coarsest level up.

    Parameters
    ----------
    pyramid : WaveletPyramid
        Possibly edited coefficients.

    Returns
    -------
    (H, W) array
    """
    bands, low, h = _check_wavelet_pyramid(pyramid)
    for detail in reversed(bands):
        low_y = _merge(low, detail[0], h, axis=1)                          # undo x, then y
        high_y = _merge(detail[1], detail[2], h, axis=1)
        low = _merge(low_y, high_y, h, axis=0)
    return low
