"""Motion magnification: phase-based (Wadhwa et al. 2013) and linear (Wu et al. 2012).

Lecture 6 of MIT 6.869 (seed ``001``), its last slide "Phase-based Pipeline": a complex
steerable pyramid (:mod:`lecture_utils.steerable`) of every frame, temporal filtering of the
phases, reconstruction. The method it improves on, Wu et al.'s linear (Eulerian) magnification,
works on notebook 02's Laplacian pyramid (:mod:`lecture_utils.pyramids`).

Symbols follow notebook 03: ``alpha`` the magnification, ``delta(t)`` the motion at frame ``t``,
``lambda`` a wavelength in pixels, ``dphi_t`` the phase change of a coefficient from the
reference frame.

Both methods share one convention: a motion ``delta(t)`` inside the temporal pass band becomes
``(1 + alpha) delta(t)``. Both band-pass with an FFT along time, which treats the video as
periodic (frame T - 1 is followed by frame 0): a test video should hold whole periods of its
motion.

What limits them (notebook 03 measures both):

* the linear method adds ``alpha`` times the band-passed intensity change, a first-order Taylor
  expansion that holds while ``(1 + alpha) delta < lambda / 8`` (Wu et al., Sec. 3.2);
* the phase method turns each coefficient's phase: that moves the band's carrier but not the
  envelope of its filter (Wadhwa et al., Sec. 3.2), so the part of a motion that changes
  amplitudes is not magnified, the magnified feature loses its shape as ``alpha delta`` nears the
  envelope's width, and a carrier moved by more than half its wavelength looks moved backwards.

:func:`magnify_motion` uses the lecture's subsampled octave pyramid;
:func:`magnify_motion_full_grid` the filters of Wadhwa et al.'s released code, on the full grid
at one or more bands per octave (their default: half an octave, 8 orientations).
:func:`estimate_translation` measures motion independently of any pyramid.
"""

from __future__ import annotations

import numpy as np
from scipy import fft as sp_fft
from scipy import ndimage

from ._validate import OVERFLOWS, array, check, checked, flag, integer, optional, positive, real, unit_scale
from .pyramids import LaplacianPyramid, laplacian_pyramid
from .pyramids import max_levels as laplacian_max_levels
from .pyramids import reconstruct as collapse
from .steerable import (MAX_SIGMA, POSITIVE_ORDER, SteerablePyramid, _check_levels_fit, full_grid_masks, max_levels,
                        reconstruct, steerable_pyramid)

# ---------------------------------------------------------------------------
# Phase-based motion magnification (Wadhwa et al. 2013)
# ---------------------------------------------------------------------------


def _check_phase_args(band, reference):
    band, reference = check({"band": array(dtype="complex"), "reference": array(dtype="complex")},
                            {"band": band, "reference": reference})
    try:
        np.broadcast_shapes(band.shape, reference.shape)
    except ValueError:
        raise ValueError(f"band and reference must have broadcastable shapes, got {band.shape} "
                         f"and {reference.shape}") from None
    return band, reference


def phase_difference(band, reference):
    """Local phase change ``angle(band * conj(reference))`` in radians, in (-pi, pi].

    Wrapping the product (rather than subtracting two phases and taking a modulo)
    keeps a small negative change small and negative.

    Parameters
    ----------
    band, reference : complex arrays of broadcastable shapes

    Returns
    -------
    real array of the broadcast shape
    """
    band, reference = _check_phase_args(band, reference)
    return np.angle(band * np.conj(reference))


def _check_band_edges(low, high, fps):
    low, high, fps = check({"low": real(0), "high": positive(), "fps": positive()},
                           {"low": low, "high": high, "fps": fps})
    if not low < high <= fps / 2:
        raise ValueError(f"need 0 <= low < high <= fps/2 (Nyquist, {fps / 2} Hz), got low={low}, high={high}")
    return low, high, fps


def _check_bandpass_args(signal, low, high, fps, axis):
    signal = array("T ...")(signal, "signal", {})
    ndim = signal.ndim
    axis = integer(-ndim, ndim - 1, why_max=f" (signal has {ndim} axes)")(axis, "axis", {})
    return (signal, *_check_band_edges(low, high, fps), axis)


def temporal_bandpass(signal, low, high, fps, axis=0):
    """Ideal band-pass along time: keep temporal frequencies ``low <= |f| <= high`` (Hz).

    Done with an FFT along ``axis``, which treats the signal as periodic in time: sample ``T - 1``
    is followed by sample 0, so a motion that does not fill whole periods of its frequency has a
    jump at the wrap, whose spectrum leaks into the pass band (give it whole periods).

    Parameters
    ----------
    signal : (T, ...) array
        Real samples at ``fps`` frames per second along ``axis``.
    low, high : float
        Pass band edges in Hz, ``0 <= low < high <= fps / 2``.
    fps : float
        Frame rate in Hz.
    axis : int
        The time axis of ``signal``.

    Returns
    -------
    real array shaped like ``signal``
    """
    signal, low, high, fps, axis = _check_bandpass_args(signal, low, high, fps, axis)
    n = signal.shape[axis]
    freqs = np.fft.rfftfreq(n, d=1 / fps)             # the signal is real: the frequencies >= 0 hold it all
    keep = (freqs >= low) & (freqs <= high)
    shape = [1] * signal.ndim
    shape[axis] = freqs.size                          # broadcast the mask along the time axis
    return sp_fft.irfft(sp_fft.rfft(signal, axis=axis) * keep.reshape(shape), n=n, axis=axis)


def _amplitude_weighted_blur(phase, amplitude, sigma):
    """Gaussian blur of ``phase`` weighted by ``amplitude`` over the last two axes (Wadhwa et al. 2013).

    ``G_sigma * (A dphi) / G_sigma * A``: where a coefficient's amplitude is small its phase is
    mostly noise, and its neighbours with a strong amplitude take over.
    """
    axes_sigma = (0,) * (phase.ndim - 2) + (sigma, sigma)
    num = ndimage.gaussian_filter(phase * amplitude, axes_sigma, mode="wrap")
    den = ndimage.gaussian_filter(amplitude, axes_sigma, mode="wrap")
    return num / np.maximum(den, np.finfo(float).tiny)


def _largest_fitting_levels(shape):
    """The most levels whose every level halves ``shape`` exactly (at most :func:`max_levels`)."""
    levels = max_levels(shape)
    while levels > 0 and (shape[0] % 2**levels or shape[1] % 2**levels):
        levels -= 1
    return levels


def _check_frames(frames):
    """A (T, H, W) grey-level video of at least 2 frames; a list names the first frame of another shape."""
    if isinstance(frames, (list, tuple)):  # name the first frame whose shape differs
        shapes = [np.shape(f) for f in frames]
        for t, shape in enumerate(shapes):
            if shape != shapes[0]:
                raise ValueError(f"frames must all have the same shape: frame 0 is {shapes[0]}, frame {t} is {shape}")
    frames = array("T H W", limit=OVERFLOWS)(frames, "frames", {})
    if frames.shape[0] < 2:
        raise ValueError(f"frames must hold at least 2 frames (T, H, W), got shape {frames.shape}")
    return frames


def _check_magnify_args(frames, alpha, low, high, fps, levels, order, twidth, sigma, reference):
    frames = _check_frames(frames)
    alpha, order, twidth, sigma = check(
        {"alpha": real(0), "order": POSITIVE_ORDER, "twidth": positive(), "sigma": real(0, MAX_SIGMA)},
        {"alpha": alpha, "order": order, "twidth": twidth, "sigma": sigma})
    count, shape = frames.shape[0], frames.shape[1:]
    reference = integer(0, count - 1, why_max=f" (an index into the {count} frames)")(reference, "reference", {})
    levels = _largest_fitting_levels(shape) if levels is None else _check_levels_fit(levels, shape, "each frame")
    return (frames, alpha, *_check_band_edges(low, high, fps), levels, order, twidth, sigma, reference)


def _bandpassed_phases(stack, low, high, fps, sigma, reference):
    """``dphi~_t`` of one level's complex bands over time ``(T, K, H_j, W_j)``.

    ``dphi_t = angle(B_t conj(B_ref))`` band-passed in time and, if ``sigma`` > 0, blurred in
    space weighted by the amplitude ``|B_t|``.
    """
    dphi = temporal_bandpass(phase_difference(stack, stack[reference]), low, high, fps, axis=0)
    if sigma > 0:
        dphi = _amplitude_weighted_blur(dphi, np.abs(stack), sigma)
    return dphi


def _magnify_phases(stack, alpha, low, high, fps, sigma, reference):
    """One level's complex bands over time ``(T, K, H_j, W_j)``, their band-passed phase changes times alpha added.

    ``B'_t = B_t exp(i alpha dphi~_t)``, with ``dphi~_t`` from :func:`_bandpassed_phases`.
    """
    return stack * np.exp(1j * alpha * _bandpassed_phases(stack, low, high, fps, sigma, reference))


def magnify_motion(frames, alpha, low, high, fps, levels=None, order=3, twidth=1, sigma=0.0, reference=0):
    """Phase-based motion magnification (Wadhwa et al., SIGGRAPH 2013).

    For every frame ``t`` a complex steerable pyramid is built; for every band
    the phase change from the reference frame, ``dphi_t = angle(B_t conj(B_ref))``,
    is band-passed in time (:func:`temporal_bandpass`), optionally smoothed in
    space weighted by the amplitude ``|B_t|``, multiplied by ``alpha`` and added:
    ``B_t' = B_t exp(i alpha dphi_t)``. The residuals are kept. Convention: a
    motion ``delta(t)`` inside the pass band becomes ``(1 + alpha) delta(t)``.

    The phase shift moves each band's carrier, not the envelope of its filter: the
    magnified motion ``alpha delta`` must stay within that envelope (Wadhwa et al., Sec. 3.2).
    The temporal FFT treats the video as periodic: give it whole periods of the motion.

    Parameters
    ----------
    frames : (T, H, W) array
        Grey-level video, T >= 2; H, W divisible by ``2**levels``.
    alpha : float
        Magnification >= 0 (0 returns the input up to round-off).
    low, high : float
        Temporal pass band in Hz, ``0 <= low < high <= fps/2``.
    fps : float
        Frame rate in Hz.
    levels : int, optional
        Pyramid levels; default the most that :func:`steerable_pyramid` accepts for
        the frame size (at most ``max_levels``, with H and W divisible by ``2**levels``).
    order : int
        Angular order N, 1 <= N <= 100 (N + 1 orientations).
    twidth : float
        Radial transition width in octaves.
    sigma : float
        Std (pixels of each level, 0 to 100) of the amplitude-weighted phase smoothing; 0 = none.
    reference : int
        Index of the reference frame.

    Returns
    -------
    (T, H, W) array
    """
    frames, alpha, low, high, fps, levels, order, twidth, sigma, reference = _check_magnify_args(
        frames, alpha, low, high, fps, levels, order, twidth, sigma, reference)
    # The lecture pyramid, not lecture_utils.fast: this is the lecture's pipeline, read next to
    # the equations, and a lecture module does not import speed paths. The price is the masks,
    # recomputed for every frame: lecture_utils.fast.magnify.magnify_motion is about 3 times faster.
    pyramids = [steerable_pyramid(f, levels, order, complex_bands=True, twidth=twidth) for f in frames]
    new_bands = [_magnify_phases(np.stack([p.bands[j] for p in pyramids]), alpha, low, high, fps, sigma, reference)
                 for j in range(levels)]                                 # each (T, K, H_j, W_j)
    edited = [SteerablePyramid(p.highpass, tuple(b[t] for b in new_bands), p.lowpass, order, p.twidth, True)
              for t, p in enumerate(pyramids)]
    return np.stack([reconstruct(p) for p in edited])


def _check_full_grid_args(frames, alpha, low, high, fps, octaves, bands_per_octave, order, twidth, reference):
    frames = _check_frames(frames)
    alpha, = check({"alpha": real(0)}, {"alpha": alpha})
    count, shape = frames.shape[0], frames.shape[1:]
    reference = integer(0, count - 1, why_max=f" (an index into the {count} frames)")(reference, "reference", {})
    octaves = max_levels(shape) if octaves is None else octaves
    analytic = full_grid_masks(shape, octaves, order, twidth, bands_per_octave)    # checks the rest
    real_rings = full_grid_masks(shape, octaves, order, twidth, bands_per_octave, complex_bands=False)[1]
    return (frames, alpha, *_check_band_edges(low, high, fps), analytic, real_rings, reference)


def magnify_motion_full_grid(frames, alpha, low, high, fps, octaves=None, bands_per_octave=2, order=7, twidth=0.75,
                             reference=0):
    """Phase-based magnification on Wadhwa et al.'s full-grid pyramids (default: their half-octave one).

    The same phase step as :func:`magnify_motion`, ``B'_t = B_t exp(i alpha dphi~_t)``, on the rings
    of :func:`lecture_utils.steerable.full_grid_masks`: every band keeps the frame's full size
    (nothing is subsampled), and the frame is rebuilt from the real parts with the real filters,
    ``IFFT(highpass^2 S + lowpass^2 S + sum_sb conj(R_sb) FFT(Re B'_sb))`` (``R_sb`` the real filter).
    Narrower bands (more per octave, more orientations) have wider envelopes: they magnify
    further before the envelope limit, at the price of more coefficients.

    Parameters
    ----------
    frames : (T, H, W) array
        Grey-level video, T >= 2; sides up to 4096.
    alpha : float
        Magnification >= 0.
    low, high, fps : float
        Temporal pass band and frame rate in Hz, ``0 <= low < high <= fps/2``.
    octaves : int, optional
        Octaves of rings; default :func:`lecture_utils.steerable.max_levels` of the frame size.
    bands_per_octave, order, twidth
        As in :func:`lecture_utils.steerable.full_grid_masks`: 2, 7 (8 orientations), 0.75 is the
        released code's half-octave pyramid, 1, 3, 1 its octave one.
    reference : int
        Index of the reference frame.

    Returns
    -------
    (T, H, W) array
    """
    frames, alpha, low, high, fps, (highpass, rings, lowpass), real_rings, reference = _check_full_grid_args(
        frames, alpha, low, high, fps, octaves, bands_per_octave, order, twidth, reference)
    spectra = sp_fft.fft2(frames, axes=(-2, -1))                                      # (T, H, W)
    out = (highpass**2 + lowpass**2) * spectra                                        # the residuals, untouched
    for ring, real_ring in zip(rings, real_rings):                                    # (K, H, W): one scale
        bands = sp_fft.ifft2(ring * spectra[:, None], axes=(-2, -1))                  # (T, K, H, W)
        bands = _magnify_phases(bands, alpha, low, high, fps, 0.0, reference)
        out += np.sum(np.conj(real_ring) * sp_fft.fft2(bands.real, axes=(-2, -1)), axis=1)
    return sp_fft.ifft2(out, axes=(-2, -1)).real


# ---------------------------------------------------------------------------
# Linear (Eulerian) motion magnification (Wu et al. 2012), to compare with
# ---------------------------------------------------------------------------


def _check_linear_args(frames, alpha, low, high, fps, levels, lambda_c, skip_ends):
    frames = _check_frames(frames)
    alpha, lambda_c, skip_ends = check({"alpha": real(0), "lambda_c": real(0), "skip_ends": flag()},
                                       {"alpha": alpha, "lambda_c": lambda_c, "skip_ends": skip_ends})
    shape = frames.shape[1:]
    most = laplacian_max_levels(shape)
    levels = most if levels is None else integer(1, most, why_max=f" for frames of shape {shape} (each level "
                                                              "halves the smaller side until it is 1)")(
        levels, "levels", {})
    if skip_ends and levels < 3:
        raise ValueError(f"skip_ends=True leaves out the finest band and the low-pass level, so levels must be "
                         f">= 3 to magnify anything, got {levels}")
    return (frames, alpha, *_check_band_edges(low, high, fps), levels, lambda_c, skip_ends)


def linear_level_gains(alpha, levels, lambda_c=0.0, skip_ends=False):
    """Wu et al.'s magnification of each Laplacian level: ``alpha_k``, attenuated below ``lambda_c``.

    Band ``D_k`` (notebook 02's ``L_k``; k = 1 the finest) holds wavelengths of about ``2^k`` to
    ``2^(k+1)`` pixels;
    its representative wavelength is ``lambda_k = 2^(k+1)``. The first-order (Taylor)
    approximation holds while ``(1 + alpha) delta < lambda / 8`` (Wu et al. 2012, Sec. 3.2,
    Eq. 14). Their reference code gives each level the largest gain that keeps it within that
    bound for the motion ``delta = lambda_c / (8 (1 + alpha))`` that just meets it at ``lambda_c``::

        alpha_k = clip((1 + alpha) lambda_k / lambda_c - 1, 0, alpha)

    a linear ramp in ``lambda`` from 0 at ``lambda_c / (1 + alpha)`` to ``alpha`` at ``lambda_c``
    (their Fig. 6). ``lambda_c = 0`` switches the cut-off off; the low-pass level gets ``alpha``.
    Their released MATLAB code (``amplify_spatial_lpyr_temporal_*.m``) also leaves the finest band
    and the low-pass level unmagnified: ``skip_ends=True`` sets those two gains to 0.

    Parameters
    ----------
    alpha : float
        Magnification >= 0.
    levels : int
        Laplacian levels K >= 1 (K - 1 bands and the low-pass).
    lambda_c : float
        Cut-off wavelength in pixels, >= 0 (0: none).
    skip_ends : bool
        Gain 0 for the finest band ``D_1`` and the low-pass level, as in Wu et al.'s released code.

    Returns
    -------
    (K,) array
        ``alpha_1, ..., alpha_{K-1}`` and the low-pass level's gain.
    """
    alpha, levels, lambda_c, skip_ends = check(
        {"alpha": real(0), "levels": integer(1, 64, why_max=" (2^64 pixels)"), "lambda_c": real(0),
         "skip_ends": flag()},
        {"alpha": alpha, "levels": levels, "lambda_c": lambda_c, "skip_ends": skip_ends})
    wavelengths = 2.0 ** np.arange(2, levels + 1)                        # lambda_k = 2^(k+1), k = 1 .. K-1
    if lambda_c == 0:
        gains = np.full(levels - 1, alpha)
    else:
        gains = np.clip((1 + alpha) * wavelengths / lambda_c - 1, 0.0, alpha)
    gains = np.append(gains, alpha)
    if skip_ends:
        gains[0] = gains[-1] = 0.0               # the finest band and the low-pass level
    return gains


def magnify_motion_linear(frames, alpha, low, high, fps, levels=None, lambda_c=0.0, skip_ends=False):
    """Linear (Eulerian) motion magnification (Wu et al., SIGGRAPH 2012).

    Every frame is split into a Laplacian pyramid (:func:`lecture_utils.pyramids.laplacian_pyramid`);
    every coefficient's time series is band-passed (:func:`temporal_bandpass`), multiplied by
    the level's ``alpha_k`` (:func:`linear_level_gains`) and added back; each frame is collapsed::

        D'_k(t) = D_k(t) + alpha_k bandpass(D_k)(t)      (D_k: notebook 02's L_k; L here is a mask)

    With ``I(x, t) = f(x + delta(t))`` and the first-order Taylor expansion
    ``f(x + delta) ~ f(x) + delta f'(x)``, the band-passed change is ``delta(t) f'(x)``, and adding
    ``alpha`` times it gives ``f(x + (1 + alpha) delta(t))`` (Wu et al., Sec. 3.1): the same
    convention as :func:`magnify_motion`, as long as ``(1 + alpha) delta < lambda / 8`` (Sec. 3.2).
    With ``lambda_c = 0`` every level gets ``alpha`` and, the pyramid being exactly invertible and
    linear, the output is ``frames + alpha bandpass(frames)``: whatever the band-pass lets
    through, noise included, comes out ``1 + alpha`` times larger. Wu et al.'s released MATLAB
    code also leaves out the finest band and the low-pass level (``skip_ends=True``): less noise,
    and less of the motion magnified.

    Parameters
    ----------
    frames : (T, H, W) array
        Grey-level video, T >= 2 (any H, W).
    alpha : float
        Magnification >= 0 (0 returns the input up to round-off).
    low, high : float
        Temporal pass band in Hz, ``0 <= low < high <= fps/2``.
    fps : float
        Frame rate in Hz.
    levels : int, optional
        Laplacian levels K; default the most the frame size allows (down to one pixel).
    lambda_c : float
        Spatial cut-off wavelength in pixels (>= 0; 0: none), see :func:`linear_level_gains`.
    skip_ends : bool
        Leave the finest band and the low-pass level unmagnified (Wu et al.'s released setting);
        needs ``levels >= 3``.

    Returns
    -------
    (T, H, W) array
    """
    frames, alpha, low, high, fps, levels, lambda_c, skip_ends = _check_linear_args(
        frames, alpha, low, high, fps, levels, lambda_c, skip_ends)
    gains = linear_level_gains(alpha, levels, lambda_c, skip_ends)
    levels_over_time, kernel, boundary = _laplacian_levels_over_time(frames, levels)
    magnified = [stack + gain * temporal_bandpass(stack, low, high, fps, axis=0)
                 for stack, gain in zip(levels_over_time, gains)]
    return _collapse_over_time(magnified, kernel, boundary)


def _laplacian_levels_over_time(frames, levels):
    """Every frame's Laplacian pyramid, level by level over time.

    Returns the K stacks ``D_k`` of shape (T, H_k, W_k) (the low-pass last), and the pyramids'
    kernel and boundary.
    """
    pyramids = [laplacian_pyramid(f, levels) for f in frames]
    levels_over_time = [np.stack([p.bands[k] for p in pyramids]) for k in range(levels - 1)]
    levels_over_time.append(np.stack([p.lowpass for p in pyramids]))
    return levels_over_time, pyramids[0].kernel, pyramids[0].boundary


def _collapse_over_time(levels_over_time, kernel, boundary):
    """The (T, H, W) video whose frame t collapses level t of every stack of ``levels_over_time``."""
    *bands, lowpass = levels_over_time
    return np.stack([collapse(LaplacianPyramid(tuple(b[t] for b in bands), lowpass[t], kernel, boundary))
                     for t in range(len(lowpass))])


@checked(image=array("H W"), dx=real(), dy=real())
def fourier_translate(image, dx, dy=0.0):
    """The image moved right by ``dx`` and down by ``dy`` pixels, exactly, as a periodic band-limited signal.

    The spectrum is multiplied by ``exp(-i (omega_y dy + omega_x dx))`` (the shift theorem), the
    model :func:`estimate_translation` fits, so ``estimate_translation(fourier_translate(I, dx, dy), I)``
    is ``(dy, dx)``. Test videos made with it move by exactly the sub-pixel amount asked for.

    Parameters
    ----------
    image : (H, W) array
    dx, dy : float
        Pixels (any real number; the image wraps around).

    Returns
    -------
    (H, W) array
    """
    omega_y = 2 * np.pi * np.fft.fftfreq(image.shape[0])[:, None]
    omega_x = 2 * np.pi * np.fft.fftfreq(image.shape[1])[None, :]
    return sp_fft.ifft2(sp_fft.fft2(image) * np.exp(-1j * (omega_y * dy + omega_x * dx))).real


def _check_translation_args(frame, reference, weights, max_iter):
    frame, reference, weights, max_iter = check(
        {"frame": array("H W", limit=OVERFLOWS), "reference": array("H W", limit=OVERFLOWS),
         "weights": optional(array("H W", limit=OVERFLOWS)),
         "max_iter": integer(1, 10_000, why_max=" (the slowest fits here take hundreds of steps)")},
        {"frame": frame, "reference": reference, "weights": weights, "max_iter": max_iter})
    return frame, reference, np.ones_like(frame) if weights is None else _check_weights(weights), max_iter


def _check_weights(weights):
    """Weights of a least-squares fit: non-negative and not all zero."""
    if np.any(weights < 0) or not np.any(weights > 0):
        raise ValueError(f"weights must be non-negative and not all zero, got values in "
                         f"[{weights.min()}, {weights.max()}]")
    return weights


def _shifted(spectrum, omega_y, omega_x, d):
    """The spectrum of ``S_d reference``: each frequency turned by ``exp(-i (omega_y dy + omega_x dx))``."""
    return spectrum * np.exp(-1j * (omega_y * d[0] + omega_x * d[1]))


def _shifted_and_derivatives(spectrum, omega_y, omega_x, d):
    """``S_d reference`` and its derivatives by ``dy`` and ``dx`` (each spectrum times -i omega)."""
    shifted = _shifted(spectrum, omega_y, omega_x, d)
    model = np.fft.ifft2(shifted).real
    jacobian = np.stack([np.fft.ifft2(-1j * omega * shifted).real.ravel() for omega in (omega_y, omega_x)], axis=1)
    return model, jacobian


class TranslationNotFound(ValueError):
    """:func:`estimate_translation` did not converge: no step below 1e-10 pixel within ``max_iter``, or the
    iterations ran to where the shifted reference has no texture under the weights."""


def _weighted_cost(spectrum, omega_y, omega_x, d, frame, w):
    """``sum w (frame - S_d reference)^2``, which each Gauss-Newton step must lower."""
    model = np.fft.ifft2(_shifted(spectrum, omega_y, omega_x, d)).real
    return w @ (frame - model).ravel() ** 2


def _not_converged(d, steps):
    """The error :func:`estimate_translation` raises when Gauss-Newton, now at ``d`` = (dy, dx), has not converged."""
    return TranslationNotFound(f"the estimate did not converge from (0, 0) in {steps} Gauss-Newton step(s) (it "
                               f"reached (dy, dx) = ({d[0]:.3g}, {d[1]:.3g}) pixels): frame may not be a small shift "
                               "of reference, or reference has too little texture where weights > 0")


def estimate_translation(frame, reference, weights=None, max_iter=1000):
    """Sub-pixel translation ``(dy, dx)`` with ``frame ~ reference shifted by (dy, dx)``.

    Weighted least squares ``min_d sum w (frame - S_d reference)^2`` where ``S_d`` is
    the exact periodic Fourier shift (spectrum times ``exp(-i (omega_y dy + omega_x dx))``),
    solved by Gauss-Newton from ``d = 0`` with the derivatives of ``S_d`` taken in
    the Fourier domain, each step halved until it lowers the sum (on a frame that is not
    an exact shift a full step can overshoot, and plain Gauss-Newton then goes round in
    a cycle). Independent of the pyramid, so it can measure magnified motion.
    Meant for small shifts (below a few pixels) of a textured image: it finds the
    least-squares shift nearest (0, 0), which for a frame shifted further than the
    texture is wide can be a wrong, local one.

    Parameters
    ----------
    frame, reference : (H, W) arrays
    weights : (H, W) array, optional
        Non-negative weights (default 1), e.g. a region mask.
    max_iter : int
        Gauss-Newton iterations, 1 to 10 000: it stops when a step is below 1e-10 pixel, and raises if no
        step is within ``max_iter``. A frame that is an exact shift takes a few; one that is not (noise, or
        motion magnified past its limit) converges more slowly, by a constant factor a step: hundreds.

    Returns
    -------
    (2,) array
        ``(dy, dx)`` in pixels, each in ``(-n/2, n/2]`` for a side of ``n`` pixels (the shift is periodic).

    Raises
    ------
    ValueError
        If the reference has no texture where weights > 0 (a constant or one-directional image).
    TranslationNotFound
        (a ValueError) If the iterations do not converge, within ``max_iter`` or to where the shifted
        reference has no texture: ``frame`` is then not a small shift of it, or the texture is too faint.
    """
    frame, reference, weights, max_iter = _check_translation_args(frame, reference, weights, max_iter)
    scale = unit_scale(reference)           # a power of two: exact, and no square of a tiny value underflows
    frame, reference, weights = frame / scale, reference / scale, weights / unit_scale(weights)
    spectrum = np.fft.fft2(reference)
    omega_y = 2 * np.pi * np.fft.fftfreq(frame.shape[0])[:, None]   # radians per pixel
    omega_x = 2 * np.pi * np.fft.fftfreq(frame.shape[1])[None, :]
    w, d, half = weights.ravel(), np.zeros(2), np.array(frame.shape) / 2
    for iteration in range(max_iter):
        model, jac = _shifted_and_derivatives(spectrum, omega_y, omega_x, d)
        normal = jac.T @ (w[:, None] * jac)
        if np.linalg.cond(normal) > 1e12:                  # no shift changes the model: nothing to solve for
            if iteration == 0:
                raise ValueError("reference has (almost) no texture where weights > 0, so no shift changes it: a "
                                 "constant or one-directional image cannot measure a translation (it needs "
                                 "texture in two directions)")
            raise _not_converged(d, iteration)
        residual = (frame - model).ravel()
        step = np.linalg.solve(normal, jac.T @ (w * residual))
        cost = w @ residual**2
        while np.max(np.abs(step)) >= 1e-10 and _weighted_cost(spectrum, omega_y, omega_x, d + step, frame,
                                                               w) > cost:
            step = step / 2                   # the full step overshoots: a shorter one along it lowers the sum
        d = d + step
        if np.any(np.abs(d) > half):          # the shift is periodic: bring it back to (-n/2, n/2]
            d = -((half - d) % (2 * half)) + half
        if np.max(np.abs(step)) < 1e-10:      # far below what noise lets any measurement here resolve
            return d
    raise _not_converged(d, max_iter)



# ---------------------------------------------------------------------------
# Measuring magnification
# ---------------------------------------------------------------------------


def _check_amplitude_args(frames, wave, weights):
    frames = _check_frames(frames)
    wave, weights = check({"wave": array("T"), "weights": optional(array("H W"))}, {"wave": wave, "weights": weights},
                          {axis: (size, "frames", frames.shape) for axis, size in zip("THW", frames.shape)})
    if not np.any(wave):
        raise ValueError("wave must not be all zeros (the motion's time course, e.g. sin(2 pi f t))")
    return frames, wave, weights


def translation_amplitude(frames, wave, weights=None):
    """Least-squares amplitude ``a`` of a horizontal motion ``dx_t ~ a wave_t``, measured without a pyramid.

    ``dx_t`` is :func:`estimate_translation` of frame ``t`` against frame 0 (its x component, pixels),
    and ``a = sum_t dx_t wave_t / sum_t wave_t^2``: with ``wave = sin(2 pi f t)`` and a motion
    ``delta_0 sin(2 pi f t)`` it measures ``delta_0``, and on a magnified video ``(1 + alpha) delta_0``.

    Parameters
    ----------
    frames : (T, H, W) array
    wave : (T,) array
        The motion's time course (not all zeros).
    weights : (H, W) array, optional
        Where to measure (default everywhere), as in :func:`estimate_translation`.

    Returns
    -------
    float
        Pixels.
    """
    frames, wave, weights = _check_amplitude_args(frames, wave, weights)
    dx = np.empty(len(frames))
    for t, frame in enumerate(frames):                   # frame 0 is every estimate's reference
        try:
            dx[t] = estimate_translation(frame, frames[0], weights)[1]
        except ValueError as error:
            raise type(error)(f"frames[0] cannot be the reference: {error}" if t == 0 else   # the same kind
                              f"frames[{t}] cannot be measured against frames[0]: {error}") from None
    unit = wave / unit_scale(wave)                       # a scales as 1 / wave: on values below 1, no square overflows
    return float(dx @ unit / (unit @ unit) / unit_scale(wave))


def _check_phase_share_args(image, levels, weights):
    image, weights = check({"image": array("H W"), "weights": optional(array("H W"))},
                           {"image": image, "weights": weights})
    levels = _largest_fitting_levels(image.shape) if levels is None else _check_levels_fit(levels, image.shape,
                                                                                          "an image")
    return image, levels, np.ones(image.shape) if weights is None else _check_weights(weights)


def phase_share(image, levels=None, weights=None):
    """The share of a small horizontal translation that the phase method magnifies, to first order.

    A translation by ``delta`` changes the image by ``delta g`` with ``g = dI/dx``, and each complex band
    ``B = |B| e^{i phi}`` by ``delta dB/dx``; only the part along ``i B`` (the phase change) is turned
    by ``alpha``, the part along ``B`` (the amplitude change) is not, nor are the residuals. With
    ``P g`` the image rebuilt from the phase parts alone (order 3, octave pyramid of ``levels``), the
    magnified change is ``delta (g + alpha P g)``, and a least-squares translation estimate weighted by
    ``weights`` reads ``(1 + alpha s) delta`` with

        s = sum w (P g) g / sum w g^2.

    Parameters
    ----------
    image : (H, W) array
        Sides divisible by ``2**levels``; changing along x somewhere ``weights > 0``.
    levels : int, optional
        Pyramid levels; default the most that fit, as in :func:`magnify_motion`.
    weights : (H, W) array, optional
        Where the motion is measured (default everywhere): non-negative, not all zero.

    Returns
    -------
    float
        ``s``, 1 for a grating inside the bands; below 1 when localized features change amplitude.
    """
    image, levels, weights = _check_phase_share_args(image, levels, weights)
    image, weights = image / unit_scale(image), weights / unit_scale(weights)   # s does not depend on their sizes
    omega = 2 * np.pi * np.fft.fftfreq(image.shape[1])[None, :]
    g = sp_fft.ifft2(1j * omega * sp_fft.fft2(image)).real                     # dI/dx
    if not np.any(weights * g):
        raise ValueError("image does not change along x where weights > 0 (dI/dx = 0 there): a horizontal "
                         "translation leaves it as it is, so no share of the motion can be measured")
    pyramid = steerable_pyramid(image, levels, 3, complex_bands=True)
    phase_parts = []
    for band in pyramid.bands:                                         # (K, H_j, W_j), samples 2^j pixels apart
        step = image.shape[1] // band.shape[-1]
        omega_x = 2 * np.pi * np.fft.fftfreq(band.shape[-1])[None, :] / step     # radians per image pixel
        derivative = sp_fft.ifft2(1j * omega_x * sp_fft.fft2(band, axes=(-2, -1)), axes=(-2, -1))   # dB/dx
        unit = band / np.maximum(np.abs(band), np.finfo(float).tiny)
        phase_parts.append(1j * unit * np.imag(derivative * np.conj(unit)))        # the part along i B
    zero = SteerablePyramid(0 * pyramid.highpass, tuple(phase_parts), 0 * pyramid.lowpass, 3, 1.0, True)
    return float(np.sum(weights * reconstruct(zero) * g) / np.sum(weights * g * g))
