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

:func:`magnify_motion` is the lecture's phase-based magnification (the same phase step,
:func:`lecture_utils.steerable._bandpassed_phases`) on these pyramids: about 3 times faster,
which is what parameter sweeps over a video need. A sweep over the magnification alpha
repeats only the last step: :func:`magnify_motion_sweep` builds the pyramids and band-passes
the phases once and returns one video per alpha, and :func:`magnify_motion_linear_sweep` does
the same for the linear method (:func:`lecture_utils.steerable.magnify_motion_linear`).

``benchmarks/bench_steerable.py`` times these against pyrtools' ``SteerablePyramidFreq``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import fft as sp_fft

from .._validate import array, check
from ..steerable import (SteerablePyramid, _bandpassed_phases, _check_linear_args, _check_magnify_args, _check_pyramid,
                         _check_pyramid_args, _collapse_over_time, _laplacian_levels_over_time, angular_masks,
                         frequency_grid, linear_level_gains, radial_masks, temporal_bandpass)

__all__ = ["steerable_pyramid", "reconstruct", "magnify_motion", "magnify_motion_sweep", "magnify_motion_linear_sweep"]


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


def magnify_motion(frames, alpha, low, high, fps, levels=None, order=3, twidth=1, sigma=0.0, reference=0):
    """:func:`lecture_utils.steerable.magnify_motion` on the fast pyramids: same arguments, checks and result.

    Parameters
    ----------
    frames : (T, H, W) array
        Grey-level video, T >= 2; H, W divisible by ``2**levels``.
    alpha : float
        Magnification >= 0: a motion in the pass band becomes ``(1 + alpha)`` times itself.
    low, high, fps : float
        Temporal pass band and frame rate in Hz.
    levels, order, twidth, sigma, reference
        As in the lecture function.

    Returns
    -------
    (T, H, W) array
    """
    frames, alpha, low, high, fps, levels, order, twidth, sigma, reference = _check_magnify_args(
        frames, alpha, low, high, fps, levels, order, twidth, sigma, reference)
    return _magnified_videos(frames, [alpha], low, high, fps, levels, order, twidth, sigma, reference)[0]


def _check_alphas(alphas):
    """The magnifications of a sweep: a non-empty 1-D array of reals >= 0."""
    (alphas,) = check({"alphas": array("A")}, {"alphas": alphas})
    if np.any(alphas < 0):
        raise ValueError(f"alphas must all be >= 0 (a magnification), got {alphas.min():g} among them")
    return alphas


def magnify_motion_sweep(frames, alphas, low, high, fps, levels=None, order=3, twidth=1, sigma=0.0, reference=0):
    """:func:`magnify_motion` for several magnifications: one video per alpha, the pyramids built once.

    ``magnify_motion_sweep(frames, alphas, ...)[i]`` equals ``magnify_motion(frames, alphas[i], ...)``
    (``tests/test_fast_steerable.py``): only ``B_t exp(i alpha dphi~_t)`` and the reconstruction
    depend on alpha, so the pyramids and the band-passed phases ``dphi~_t`` are computed once.

    Parameters
    ----------
    frames : (T, H, W) array
        Grey-level video, T >= 2; H, W divisible by ``2**levels``.
    alphas : (A,) array
        Magnifications >= 0.
    low, high, fps, levels, order, twidth, sigma, reference
        As in :func:`magnify_motion`.

    Returns
    -------
    list of A (T, H, W) arrays
    """
    alphas = _check_alphas(alphas)
    frames, _, low, high, fps, levels, order, twidth, sigma, reference = _check_magnify_args(
        frames, 0.0, low, high, fps, levels, order, twidth, sigma, reference)
    return _magnified_videos(frames, alphas, low, high, fps, levels, order, twidth, sigma, reference)


def _magnified_videos(frames, alphas, low, high, fps, levels, order, twidth, sigma, reference):
    """Unchecked phase-based magnification for each alpha (the lecture's step, :func:`_bandpassed_phases`)."""
    pyramids = [steerable_pyramid(f, levels, order, complex_bands=True, twidth=twidth) for f in frames]
    stacks = [np.stack([p.bands[j] for p in pyramids]) for j in range(levels)]          # each (T, K, H_j, W_j)
    phases = [_bandpassed_phases(stack, low, high, fps, sigma, reference) for stack in stacks]
    videos = []
    for alpha in alphas:
        new_bands = [stack * np.exp(1j * alpha * dphi) for stack, dphi in zip(stacks, phases)]
        videos.append(np.stack([reconstruct(SteerablePyramid(p.highpass, tuple(b[t] for b in new_bands), p.lowpass,
                                                             order, p.twidth, True)) for t, p in enumerate(pyramids)]))
    return videos


def magnify_motion_linear_sweep(frames, alphas, low, high, fps, levels=None, lambda_c=0.0):
    """:func:`lecture_utils.steerable.magnify_motion_linear` for several magnifications, the pyramids built once.

    ``magnify_motion_linear_sweep(frames, alphas, ...)[i]`` equals
    ``magnify_motion_linear(frames, alphas[i], ...)`` to 1e-12 (``tests/test_fast_steerable.py``):
    the Laplacian pyramids and the band-passed levels are computed once; only
    ``D_k + alpha_k bandpass(D_k)`` and the collapse are repeated for each alpha. (The lecture's
    pyramids: at video-frame sizes :mod:`lecture_utils.fast.pyramids` is no faster, and its
    scipy.signal import alone takes half a second.)

    Parameters
    ----------
    frames : (T, H, W) array
        Grey-level video, T >= 2 (any H, W).
    alphas : (A,) array
        Magnifications >= 0.
    low, high, fps, levels, lambda_c
        As in :func:`lecture_utils.steerable.magnify_motion_linear`.

    Returns
    -------
    list of A (T, H, W) arrays
    """
    alphas = _check_alphas(alphas)
    frames, _, low, high, fps, levels, lambda_c = _check_linear_args(frames, 0.0, low, high, fps, levels, lambda_c)
    levels_over_time, kernel, boundary = _laplacian_levels_over_time(frames, levels)   # each (T, H_k, W_k)
    passed = [temporal_bandpass(stack, low, high, fps, axis=0) for stack in levels_over_time]
    videos = []
    for alpha in alphas:
        magnified = [stack + gain * band for stack, band, gain in
                     zip(levels_over_time, passed, linear_level_gains(alpha, levels, lambda_c))]
        videos.append(_collapse_over_time(magnified, kernel, boundary))
    return videos
