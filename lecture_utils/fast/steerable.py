"""Speed path for :mod:`lecture_utils.steerable`: half spectra and cached masks.

The same pyramid as the lecture's :func:`~lecture_utils.steerable.steerable_pyramid`
and :func:`~lecture_utils.steerable.reconstruct` (same arguments, same checks, equal
to 1e-12 in ``tests/test_fast_steerable.py``), computed with two tricks:

* Real images and real bands have Hermitian spectra, ``X(-omega) = conj X(omega)``,
  so only the columns ``omega_x >= 0`` are stored and transformed (numpy's ``rfft2``
  layout): half the work. Complex bands have no such symmetry and use the full grid;
  reconstruction only needs their real parts, so it always uses half spectra.
* The masks of a level depend only on its shape, the order, ``twidth`` and the layout,
  so they are computed once and cached (read-only arrays).

Motion magnification on these pyramids is in :mod:`lecture_utils.fast.magnify`.

``benchmarks/bench_steerable.py`` times these against pyrtools' ``SteerablePyramidFreq``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import fft as sp_fft

from ..steerable import SteerablePyramid, _check_pyramid, _check_pyramid_args, angular_masks, frequency_grid, radial_masks

__all__ = ["steerable_pyramid", "reconstruct"]


def _fft(x, half):
    """2-D FFT over the last two axes: ``rfft2`` layout (columns 0..W/2) if ``half``."""
    return sp_fft.rfft2(x, axes=(-2, -1)) if half else sp_fft.fft2(x, axes=(-2, -1))


def _ifft(spectrum, shape, half):
    """Inverse of :func:`_fft` for images of spatial ``shape``; real if ``half``."""
    return sp_fft.irfft2(spectrum, s=shape, axes=(-2, -1)) if half else sp_fft.ifft2(spectrum, axes=(-2, -1))


@lru_cache(maxsize=64)
def _level_masks(shape, order, twidth, complex_bands, half):
    """H(r), L(r), L(2r), i^N A_b(theta) H(2r) and its conjugate on one level's grid (cached, read-only)."""
    r, theta = frequency_grid(shape)
    if half:
        r, theta = r[:, : shape[1] // 2 + 1], theta[:, : shape[1] // 2 + 1]
    high, low = radial_masks(r, twidth)
    high2, low2 = radial_masks(2 * r, twidth)
    oriented = (1j**order) * angular_masks(theta, order, complex_bands) * high2
    conj_oriented = np.conj(oriented)
    for arr in (high, low, low2, oriented, conj_oriented):
        arr.setflags(write=False)
    return high, low, low2, oriented, conj_oriented


def _crop_indices(n):
    """Where the frequencies of an (n/2)-point FFT (``|k| <= n/4``) sit in an n-point FFT (n even)."""
    half = n // 2
    return np.rint(np.fft.fftfreq(half, d=1 / half)).astype(int) % n


@lru_cache(maxsize=64)
def _coarse_index(shape, half):
    """Index of the coarse (H/2, W/2) grid's frequencies inside a level's spectrum (cached)."""
    rows = _crop_indices(shape[0])
    cols = np.arange(shape[1] // 4 + 1) if half else _crop_indices(shape[1])  # rfft: k = 0..W/4
    return np.ix_(rows, cols)


def steerable_pyramid(image, levels, order=3, complex_bands=False, twidth=1):
    """:func:`lecture_utils.steerable.steerable_pyramid`, from half spectra (real bands) and cached masks.

    Parameters
    ----------
    image : (H, W) array
        H and W divisible by ``2**levels``.
    levels : int
        Number of oriented band levels, 0 <= levels <= ``max_levels(image.shape)``.
    order : int
        Derivative order N, 0 <= N <= 100; K = N + 1 bands per level.
    complex_bands : bool
        Complex (analytic) bands; needs order >= 1.
    twidth : float
        Radial transition width in octaves, > 0.

    Returns
    -------
    SteerablePyramid
    """
    image, levels, order, complex_bands, twidth = _check_pyramid_args(image, levels, order, complex_bands,
                                                                      twidth)
    half = not complex_bands
    shape = image.shape
    spectrum = _fft(image, half)
    high0, low0, _, _, _ = _level_masks(shape, order, twidth, complex_bands, half)
    highpass = _ifft(high0 * spectrum, shape, half).real
    current = low0 * spectrum
    bands = []
    for _ in range(levels):
        _, _, low2, oriented, _ = _level_masks(shape, order, twidth, complex_bands, half)
        bands.append(_ifft(oriented * current, shape, half))
        current = (low2 * current)[_coarse_index(shape, half)] / 4
        shape = (shape[0] // 2, shape[1] // 2)
    lowpass = _ifft(current, shape, half).real
    return SteerablePyramid(highpass, tuple(bands), lowpass, order, float(twidth), complex_bands)


def reconstruct(pyramid):
    """:func:`lecture_utils.steerable.reconstruct`, from half spectra and cached masks.

    Parameters
    ----------
    pyramid : SteerablePyramid
        Made by either ``steerable_pyramid``, possibly edited.

    Returns
    -------
    (H, W) array
    """
    highpass, bands, lowpass = _check_pyramid(pyramid)
    order, twidth = pyramid.order, pyramid.twidth
    current = _fft(lowpass, half=True)
    for level_bands in reversed(bands):
        level_bands = np.real(level_bands)   # real parts: Hermitian spectra, half spectra suffice
        shape = level_bands.shape[1:]
        _, _, low2, _, conj_oriented = _level_masks(shape, order, twidth, False, True)
        padded = np.zeros(low2.shape, dtype=complex)
        padded[_coarse_index(shape, True)] = 4 * current   # undo the analysis' division by 4
        current = low2 * padded + np.sum(conj_oriented * _fft(level_bands, True), axis=0)
    high0, low0, _, _, _ = _level_masks(highpass.shape, order, twidth, False, True)
    return _ifft(high0 * _fft(highpass, True) + low0 * current, highpass.shape, True)
