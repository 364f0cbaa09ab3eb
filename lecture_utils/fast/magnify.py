"""Speed path for :mod:`lecture_utils.magnify`: the phase method on the fast pyramids, and sweeps over alpha.

:func:`magnify_motion` is the lecture's phase-based magnification (the same phase step,
:func:`lecture_utils.magnify._bandpassed_phases`) on :mod:`lecture_utils.fast.steerable`'s
pyramids (half spectra, cached masks): about 3 times faster, which is what parameter sweeps over
a video need. A sweep over the magnification alpha repeats only the last step:
:func:`magnify_motion_sweep` builds the pyramids and band-passes the phases once and returns one
video per alpha, and :func:`magnify_motion_linear_sweep` does the same for the linear method
(:func:`lecture_utils.magnify.magnify_motion_linear`), and :func:`magnify_motion_full_grid_sweep`
for the full-grid pyramids. Each is tested equal to the lecture function in
``tests/test_fast_magnify.py``.
"""

from __future__ import annotations

import numpy as np
from scipy import fft as sp_fft

from .._validate import array, check
from ..magnify import (_bandpassed_phases, _check_full_grid_args, _check_linear_args, _check_magnify_args,
                       _collapse_over_time, _laplacian_levels_over_time, linear_level_gains, temporal_bandpass)
from ..steerable import SteerablePyramid
from .steerable import reconstruct, steerable_pyramid

__all__ = ["magnify_motion", "magnify_motion_sweep", "magnify_motion_linear_sweep", "magnify_motion_full_grid_sweep"]


def magnify_motion(frames, alpha, low, high, fps, levels=None, order=3, twidth=1, sigma=0.0, reference=0):
    """:func:`lecture_utils.magnify.magnify_motion` on the fast pyramids: same arguments, checks and result.

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
    (``tests/test_fast_magnify.py``): only ``B_t exp(i alpha dphi~_t)`` and the reconstruction
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
    for alpha in alphas:        # frame by frame: the rotated bands of one frame stay small (in cache)
        videos.append(np.stack([reconstruct(SteerablePyramid(
            p.highpass, tuple(_turned(stack[t], alpha * dphi[t]) for stack, dphi in zip(stacks, phases)),
            p.lowpass, order, p.twidth, True)) for t, p in enumerate(pyramids)]))
    return videos


def _turned(bands, angle):
    """``bands * exp(i angle)``, the unit phasor written from cos and sin: half the time of a complex exp."""
    phasor = np.empty(angle.shape, dtype=complex)
    np.cos(angle, out=phasor.real)
    np.sin(angle, out=phasor.imag)
    return bands * phasor


def magnify_motion_linear_sweep(frames, alphas, low, high, fps, levels=None, lambda_c=0.0, skip_ends=False):
    """:func:`lecture_utils.magnify.magnify_motion_linear` for several magnifications, the pyramids built once.

    ``magnify_motion_linear_sweep(frames, alphas, ...)[i]`` equals
    ``magnify_motion_linear(frames, alphas[i], ...)`` to 1e-12 (``tests/test_fast_magnify.py``):
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
    low, high, fps, levels, lambda_c, skip_ends
        As in :func:`lecture_utils.magnify.magnify_motion_linear`.

    Returns
    -------
    list of A (T, H, W) arrays
    """
    alphas = _check_alphas(alphas)
    frames, _, low, high, fps, levels, lambda_c, skip_ends = _check_linear_args(frames, 0.0, low, high, fps, levels,
                                                                                lambda_c, skip_ends)
    levels_over_time, kernel, boundary = _laplacian_levels_over_time(frames, levels)   # each (T, H_k, W_k)
    passed = [temporal_bandpass(stack, low, high, fps, axis=0) for stack in levels_over_time]
    videos = []
    for alpha in alphas:
        magnified = [stack + gain * band for stack, band, gain in
                     zip(levels_over_time, passed, linear_level_gains(alpha, levels, lambda_c, skip_ends))]
        videos.append(_collapse_over_time(magnified, kernel, boundary))
    return videos


def magnify_motion_full_grid_sweep(frames, alphas, low, high, fps, octaves=None, bands_per_octave=2, order=7,
                                   twidth=0.75, reference=0):
    """:func:`lecture_utils.magnify.magnify_motion_full_grid` for several magnifications, each ring's phases once.

    ``magnify_motion_full_grid_sweep(frames, alphas, ...)[i]`` equals ``magnify_motion_full_grid(frames,
    alphas[i], ...)`` to 1e-12 (``tests/test_fast_magnify.py``). One ring (all orientations) at a time:
    its bands and band-passed phases are computed once and turned by every alpha, so the memory is
    that of one ring plus one output per alpha.

    Parameters
    ----------
    frames : (T, H, W) array
    alphas : (A,) array
        Magnifications >= 0.
    low, high, fps, octaves, bands_per_octave, order, twidth, reference
        As in the lecture function.

    Returns
    -------
    list of A (T, H, W) arrays
    """
    alphas = _check_alphas(alphas)
    frames, _, low, high, fps, (highpass, rings, lowpass), real_rings, reference = _check_full_grid_args(
        frames, 0.0, low, high, fps, octaves, bands_per_octave, order, twidth, reference)
    spectra = sp_fft.fft2(frames, axes=(-2, -1))
    outs = [(highpass**2 + lowpass**2) * spectra for _ in alphas]
    for ring, real_ring in zip(rings, real_rings):
        bands = sp_fft.ifft2(ring * spectra[:, None], axes=(-2, -1))                 # (T, K, H, W)
        dphi = _bandpassed_phases(bands, low, high, fps, 0.0, reference)
        for out, alpha in zip(outs, alphas):
            turned = _turned(bands, alpha * dphi).real
            out += np.sum(np.conj(real_ring) * sp_fft.fft2(turned, axes=(-2, -1)), axis=1)
    return [sp_fft.ifft2(out, axes=(-2, -1)).real for out in outs]
