"""The lecture's table of image transformations, measured on one image.

The slide "Image transformations" sets the DFT and the Gaussian, Laplacian and steerable pyramids
side by side, and the slides before it say what each is for: the Laplacian pyramid is "useful for
noise reduction and coding", the steerable pyramid has "non-aliased subbands", is "good for texture
and feature analysis" but "overcomplete and with HF residual"; Simoncelli et al. (1992) call a
transform *shiftable* when the energy of its subbands does not change as the image moves. Each
property here is a number, computed the same way for every transform (with an orthonormal wavelet,
:mod:`lecture_utils.wavelets`, as the critically sampled one):

* **coefficients per pixel**: real numbers stored (a complex coefficient is two);
* **inversion**: the largest reconstruction error relative to the image's largest value;
* **folded energy** (:func:`folded_share`): the share of a subband's response to white noise that
  comes from frequencies above the Nyquist frequency of the subband's own sampling grid, and so
  lands on the grid folded onto another frequency (aliasing);
* **shiftability** (:func:`energy_changes`): how much each subband's energy changes when the image
  is translated by one pixel and by half a pixel (exactly, :func:`lecture_utils.magnify.fourier_translate`);
* **rotation**: how much the energy of the level holding a pattern changes as the pattern turns.

Every transform here treats the image as periodic (``boundary="periodic"`` for the Gaussian and
Laplacian pyramids, the FFT for the steerable pyramid, wrapped filters for the wavelet), so that a
translation is exact and only the transforms differ.

A transform is given as ``subbands(image) -> list of (name, coefficients, step)``: each subband's
array and the spacing of its samples in pixels (:data:`SUBBANDS`).
"""

from __future__ import annotations

import itertools

import numpy as np

from . import pyramids, steerable, wavelets
from ._validate import array, check, checked, function, integer, optional, unit_scale
from .magnify import fourier_translate

__all__ = ["INVERSES", "SUBBANDS", "energy_changes", "folded_share", "rotation_spread", "transform_table"]

LEVELS = 3


def _dft(image):
    return [("DFT", np.fft.fft2(image), 1)]


def _gaussian(image):
    levels = pyramids.gaussian_pyramid(image, LEVELS + 1, boundary="periodic")
    return [(f"x_{k + 1}", level, 2**k) for k, level in enumerate(levels)]


def _laplacian(image):
    pyr = pyramids.laplacian_pyramid(image, LEVELS + 1, boundary="periodic")
    return [(f"L_{k + 1}", band, 2**k) for k, band in enumerate(pyr.bands)] + [("low-pass", pyr.lowpass, 2**LEVELS)]


def _wavelet(image):
    pyr = wavelets.wavelet_pyramid(image, LEVELS, wavelets.daubechies_filter(4))
    names = ("high in x", "high in y", "diagonal")
    return [(f"level {j + 1}, {name}", band, 2 ** (j + 1)) for j, level in enumerate(pyr.bands)
            for name, band in zip(names, level)] + [("low-pass", pyr.lowpass, 2**LEVELS)]


def _steerable(complex_bands):
    def subbands(image):
        pyr = steerable.steerable_pyramid(image, LEVELS, order=3, complex_bands=complex_bands)
        return ([("high-pass", pyr.highpass, 1)]
                + [(f"level {j}, {np.degrees(t):.0f} deg", band, 2**j) for j, level in enumerate(pyr.bands)
                   for t, band in zip(pyr.orientations, level)] + [("low-pass", pyr.lowpass, 2**LEVELS)])
    return subbands


# name -> subbands(image): the lecture's four transforms and the orthonormal wavelet, 3 levels each.
SUBBANDS = {"DFT": _dft, "Gaussian pyramid": _gaussian, "Laplacian pyramid": _laplacian,
            "orthonormal wavelet (Daubechies, 8 taps)": _wavelet, "steerable pyramid (real)": _steerable(False),
            "steerable pyramid (complex)": _steerable(True)}


def _dft_inverse(image):
    return np.fft.ifft2(np.fft.fft2(image)).real


def _gaussian_inverse(image):
    return pyramids.gaussian_pyramid(image, LEVELS + 1, boundary="periodic")[0]     # x_1 is the image itself


def _laplacian_inverse(image):
    return pyramids.reconstruct(pyramids.laplacian_pyramid(image, LEVELS + 1, boundary="periodic"))


def _wavelet_inverse(image):
    return wavelets.reconstruct(wavelets.wavelet_pyramid(image, LEVELS, wavelets.daubechies_filter(4)))


def _steerable_inverse(complex_bands):
    return lambda image: steerable.reconstruct(steerable.steerable_pyramid(image, LEVELS, 3, complex_bands))


# name -> image -> the image rebuilt from its coefficients, with each transform's own inverse.
INVERSES = {"DFT": _dft_inverse, "Gaussian pyramid": _gaussian_inverse, "Laplacian pyramid": _laplacian_inverse,
            "orthonormal wavelet (Daubechies, 8 taps)": _wavelet_inverse,
            "steerable pyramid (real)": _steerable_inverse(False), "steerable pyramid (complex)": _steerable_inverse(True)}


def _check_folded_args(subband, shape, index, period):
    subband, shape = check({"subbands": function(), "shape": steerable.shape_tuple(ndims=(2,), maximum=256)},
                           {"subbands": subband, "shape": shape})
    index, period = check({"index": integer(0), "period": integer(1, 32, why_max=" pixels")},
                          {"index": index, "period": period})
    if shape[0] % period or shape[1] % period:
        raise ValueError(f"shape {shape} must be divisible by period = {period} on both sides")
    return subband, shape, index, period


def folded_share(subbands, shape, index, period):
    """The share of subband ``index``'s white-noise energy that arrives from above its grid's Nyquist frequency.

    A subband sampled every ``d`` pixels whose coefficients move by ``period / d`` samples when the image
    moves by ``period`` pixels is a sum of filters sampled on that grid (periodically shift-invariant).
    Its response to a complex exponential of frequency ``omega`` is then a sum of exponentials on the
    band's grid, of frequencies ``d omega + 2 pi j d / period``, computed from the responses ``b_p`` to the
    ``period^2`` impulses at ``p`` in ``[0, period)^2``::

        T e^{i omega . n}  has, at frequency  nu_j = d omega + 2 pi j d / period,  the amplitude
        sum_p e^{i omega . p} FFT(b_p)(nu_j)

    The part that stays with the input's own frequency (``j = 0``, ``omega`` inside the grid's Nyquist
    cell ``|omega| < pi / d``) is the unfolded energy; the rest is folded (aliased). For a filter followed
    by keeping every ``d``-th sample (``period = d``) it is the filter's energy outside the cell.

    Parameters
    ----------
    subbands : callable
        ``subbands(image) -> list of (name, coefficients, step)`` (see :data:`SUBBANDS`).
    shape : (H, W) tuple of int
        The probe size (sides up to 256, divisible by ``period``).
    index : int
        Which subband of the list.
    period : int
        Pixels after which a translation of the image translates the subband by whole samples (1 to 32).

    Returns
    -------
    float in [0, 1]
    """
    subbands, shape, index, period = _check_folded_args(subbands, shape, index, period)
    return _folded_shares(subbands, shape, [index], period)[0]


def _folded_shares(subbands, shape, indices, period):
    """:func:`folded_share` of several subbands, from one set of impulse responses."""
    responses = {}                                                   # p -> the subbands' responses to delta_p
    for p in itertools.product(range(period), repeat=2):
        impulse = np.zeros(shape)
        impulse[p] = 1.0
        found = subbands(impulse)
        if max(indices) >= len(found):
            raise ValueError(f"index must be below {len(found)} (the number of subbands), got {max(indices)}")
        responses[p] = [(np.fft.fft2(found[i][1]), found[i][2]) for i in indices]
    ky, kx = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")      # input frequencies
    omega_y, omega_x = 2 * np.pi * ky / shape[0], 2 * np.pi * kx / shape[1]
    fy, fx = np.fft.fftfreq(shape[0])[:, None], np.fft.fftfreq(shape[1])[None, :]     # cycles per pixel
    shares = []
    for n in range(len(indices)):
        grid, step = responses[(0, 0)][n][0].shape, responses[(0, 0)][n][1]
        inside = (fy >= -0.5 / step) & (fy < 0.5 / step) & (fx >= -0.5 / step) & (fx < 0.5 / step)
        own, total = 0.0, 0.0
        repeat = period // step if period >= step else 1
        for jy, jx in itertools.product(range(repeat), repeat=2):
            ny = (ky + jy * grid[0] // repeat) % grid[0]       # nu_j = 2 pi (k + j M / repeat) / M on the M-sample grid
            nx = (kx + jx * grid[1] // repeat) % grid[1]
            amplitude = sum(np.exp(1j * (omega_y * p[0] + omega_x * p[1])) * response[n][0][ny, nx]
                            for p, response in responses.items())
            energy = np.abs(amplitude) ** 2
            total += energy.sum()
            if jy == jx == 0:
                own += energy[inside].sum()
        shares.append(max(float(1 - own / total), 0.0) if total > 0 else 0.0)
    return shares


@checked(subbands=function(), image=array("H W"), dx=steerable.real())
def energy_changes(subbands, image, dx):
    """Each subband's energy after translating the image by ``dx`` pixels, relative to before, minus 1.

    ``|E(translated) / E(image) - 1|`` per subband: 0 for a shiftable transform, whatever ``dx``
    (Simoncelli et al. 1992). The translation is exact (:func:`lecture_utils.magnify.fourier_translate`)
    once the image's Nyquist row and column (even sides) are removed, which is done first: a real image
    cannot hold ``cos(pi n)`` moved by half a sample (it would be ``sin(pi n) = 0``).

    The ratios do not depend on the image's size (the transforms are linear), so the image is first scaled by a power
    of two (exactly, :func:`lecture_utils._validate.unit_scale`) to values below 1, whose energies cannot overflow.

    Parameters
    ----------
    subbands : callable
        ``subbands(image) -> list of (name, coefficients, step)``, linear in the image.
    image : (H, W) array
    dx : float
        Pixels, along x.

    Returns
    -------
    (S,) array
        One entry per subband, in the order ``subbands`` lists them.
    """
    spectrum = np.fft.fft2(image / unit_scale(image))
    spectrum[image.shape[0] // 2] = spectrum[:, image.shape[1] // 2] = 0    # no Nyquist row or column (below)
    image = np.fft.ifft2(spectrum).real
    before = np.array([np.sum(np.abs(c) ** 2) for _, c, _ in subbands(image)])
    after = np.array([np.sum(np.abs(c) ** 2) for _, c, _ in subbands(fourier_translate(image, dx))])
    empty = before == 0                                     # a subband the image leaves empty stays empty
    return np.where(empty, 0.0, np.abs(after - before) / np.where(empty, 1.0, before))


def _check_rotation_args(subbands, frequency, angles, size):
    subbands, frequency, angles, size = check(
        {"subbands": function(), "frequency": steerable.real(0, 0.5, min_open=True),
         "angles": integer(2, 360, why_max=" (one per degree)"), "size": integer(16, 256, why_max=" pixels")},
        {"subbands": subbands, "frequency": frequency, "angles": angles, "size": size})
    if size % 2**LEVELS:
        raise ValueError(f"size must be divisible by 2**{LEVELS} = {2**LEVELS}, got {size}")
    return subbands, frequency, angles, size


def rotation_spread(subbands, frequency, angles=12, size=64, step=None):
    """How much the energy of the level holding a pattern changes as the pattern turns: ``max / min - 1``.

    The pattern is a grating of ``frequency`` cycles per pixel under a Gaussian window of ``size / 8``
    pixels, centred in a ``size x size`` image, at ``angles`` orientations over half a turn. The level
    is the set of subbands sampled every ``step`` pixels, by default the one that holds the most of the
    pattern's energy at 0 degrees (for the DFT, its one subband); its energy, summed over its
    orientations, is compared.
    A transform whose levels are rings in the frequency plane keeps it; square tiles do not.

    Parameters
    ----------
    subbands : callable
        ``subbands(image) -> list of (name, coefficients, step)``.
    frequency : float
        Cycles per pixel, in (0, 0.5].
    angles : int
        Orientations, 2 to 360.
    size : int
        Image side, 16 to 256, divisible by 8.
    step : int, optional
        The level's sample spacing in pixels.

    Returns
    -------
    float
        0 when the level's energy does not depend on the orientation.
    """
    subbands, frequency, angles, size = _check_rotation_args(subbands, frequency, angles, size)
    step, = check({"step": optional(integer(1, size))}, {"step": step})
    y, x = np.mgrid[:size, :size] - size / 2
    window = np.exp(-(x**2 + y**2) / (2 * (size / 8) ** 2))
    energies = []
    for psi in np.pi * np.arange(angles) / angles:
        pattern = window * np.cos(2 * np.pi * frequency * (x * np.cos(psi) + y * np.sin(psi)))
        by_step = {}
        for _, coefficients, spacing in subbands(pattern):
            by_step[spacing] = by_step.get(spacing, 0.0) + float(np.sum(np.abs(coefficients) ** 2))
        energies.append(by_step)
    level = max(energies[0], key=energies[0].get) if step is None else step
    if level not in energies[0]:
        raise ValueError(f"step must be the spacing of some subband, one of {sorted(energies[0])}, got {step}")
    values = np.array([e[level] for e in energies])
    return float(values.max() / values.min() - 1)


@checked(image=array("H W"))
def transform_table(image):
    """Every property of the module docstring, for every transform of :data:`SUBBANDS`, on ``image``.

    Parameters
    ----------
    image : (H, W) array
        Sides from 32 to 256 pixels, divisible by 8 (3 levels of every pyramid); not all zeros. Every property
        is a ratio, computed on the image scaled to values below 1 (as in :func:`energy_changes`).

    Returns
    -------
    list of dict
        One per transform: ``name``, ``per_pixel`` (real numbers per pixel), ``inverse`` (largest
        error / largest value), ``folded`` (the largest folded share among the subbands sampled every
        2 pixels, or of the DFT), ``shift_1`` and ``shift_half`` (largest relative energy change of a
        subband), ``rotation`` (:func:`rotation_spread` at 0.17 cycles per pixel, 8 orientations; for the Gaussian pyramid,
        whose finest level is the image itself, its first blurred level ``x_2``).
    """
    if image.shape[0] % 8 or image.shape[1] % 8 or not 32 <= min(image.shape) <= max(image.shape) <= 256:
        raise ValueError(f"image must have sides from 32 to 256 pixels, divisible by 8 (3 levels of every pyramid), "
                         f"got shape {image.shape}")
    if not np.any(image):
        raise ValueError("image is all zeros: every error and energy is 0, so no ratio can be measured")
    image = image / unit_scale(image)               # every property is a ratio: huge values give the same table
    rows = []
    for name, subbands in SUBBANDS.items():
        found = subbands(image)
        numbers = sum(c.size * (2 if np.iscomplexobj(c) and name != "DFT" else 1) for _, c, _ in found)
        probe = (32, 32)
        half = [i for i, (_, _, step) in enumerate(found) if step == 2] or [0]     # the DFT: its one subband
        period = {"DFT": 1, "Laplacian pyramid": 4}.get(name, 2)    # L_2 = (I - F G) G x: whole samples every 4 px
        rows.append({
            "name": name,
            "per_pixel": numbers / image.size,
            "inverse": float(np.abs(INVERSES[name](image) - image).max() / np.abs(image).max()),
            "folded": max(_folded_shares(subbands, probe, half, period)),
            "shift_1": float(energy_changes(subbands, image, 1.0).max()),
            "shift_half": float(energy_changes(subbands, image, 0.5).max()),
            "rotation": rotation_spread(subbands, 0.17, angles=8, step=2 if name == "Gaussian pyramid" else None),
        })
    return rows
