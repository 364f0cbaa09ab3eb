"""What the steerable pyramid is for: oriented energy and texture synthesis.

The lecture's slides say the steerable pyramid is "good for texture and feature analysis" and list
"analyze texture" among the uses of pyramids; its software slide points to Simoncelli's texture
analysis/synthesis code. Two classic uses, each a few lines on top of :mod:`lecture_utils.steerable`:

* **Oriented energy** (Freeman and Adelson 1991). A complex band steered to angle ``psi`` is a
  quadrature pair (its real and imaginary parts are the even and odd filter), so
  ``E(psi) = |B_psi|^2`` measures the local contrast at that orientation whatever the phase of the
  pattern (an edge or a line alike). For one oriented pattern of frequency angle ``theta_0``,
  ``E(psi) = E_0 cos^(2N)(psi - theta_0)``: a sum of the harmonics ``e^{2ik psi}``, ``|k| <= N``. Its
  second harmonic ``C_2 = sum_m E(psi_m) e^{2 i psi_m}`` over ``M >= N + 2`` angles ``psi_m = pi m / M``
  (the other harmonics cancel in that sum; with fewer angles the highest one aliases onto it) points
  at ``2 theta_0``: the dominant orientation is ``arg(C_2) / 2``.
* **Texture synthesis** (Heeger and Bergen 1995). A texture is described by the histograms of
  its pixels and of its pyramid's subbands. Starting from noise, match the noise's pixel histogram
  to the texture's, then repeat: build the pyramid, match every subband's histogram to the
  texture's subband, collapse, match the pixel histogram again. Matching a histogram is a
  monotone remapping: the k-th smallest value takes the k-th smallest value of the target.

Angles follow :mod:`lecture_utils.steerable`: ``psi`` is a frequency direction, measured from the x
axis towards y (clockwise on screen); a band at ``psi`` responds to edges and lines that run
perpendicular to it, along ``psi + 90 degrees``.
"""

from __future__ import annotations

import numpy as np

from ._validate import OVERFLOWS, array, check, checked, integer, seed, unit_scale
from .steerable import (SteerablePyramid, _check_levels_fit, max_levels, reconstruct, steer_bands,
                        steerable_pyramid)

__all__ = ["dominant_orientation", "match_histogram", "oriented_energy", "subband_statistics", "synthesize_texture"]

MAX_ITERATIONS = 100


def _check_energy_args(image, level, angles):
    image, angles = check({"image": array("H W", limit=OVERFLOWS),                  # the energy is its square
                           "angles": integer(2, 180, why_max=" (one per degree)")}, {"image": image, "angles": angles})
    level = integer(0)(level, "level", {})
    most = max_levels(image.shape)
    if level >= most:
        raise ValueError(f"level must be below {most} (the levels an image of shape {image.shape} has), got {level}")
    _check_levels_fit(level + 1, image.shape, "an image")
    return image, level, angles


def oriented_energy(image, level, angles=8):
    """Local energy ``E(psi) = |B(psi)|^2`` of level ``level``'s complex band steered to ``angles`` orientations.

    Order 3 (4 basis bands per level); the band at any ``psi`` comes from them by
    :func:`lecture_utils.steerable.steer_bands`, made analytic again on its half plane.

    Parameters
    ----------
    image : (H, W) array
        Sides divisible by ``2**(level + 1)``; values up to 1e150 (beyond, their energies overflow float64).
    level : int
        j >= 0, below ``max_levels(image.shape)`` (0 is the finest band).
    angles : int
        M, the orientations ``psi_m = pi m / M``, 2 to 180 (M >= 5 recovers a single orientation exactly).

    Returns
    -------
    psi : (M,) array
        The angles in radians.
    energy : (M, H / 2^j, W / 2^j) array
        The level's energy at each angle (image units squared).
    """
    image, level, angles = _check_energy_args(image, level, angles)
    pyramid = steerable_pyramid(image, level + 1, order=3, complex_bands=True)
    psi = np.pi * np.arange(angles) / angles
    return psi, np.stack([np.abs(steer_bands(pyramid, level, a)) ** 2 for a in psi])


@checked(energy=array("M H W"), psi=array("M"))
def dominant_orientation(energy, psi):
    """Dominant orientation and its strength from energies at equally spaced angles (Freeman and Adelson).

    ``C_2 = (2 / M) sum_m E(psi_m) e^{2 i psi_m}``; the orientation is ``arg(C_2) / 2`` in ``[0, pi)`` (a
    frequency direction: the pattern's lines run perpendicular to it) and ``|C_2|`` its strength, 0 where
    every orientation has the same energy.

    Parameters
    ----------
    energy : (M, H, W) array
        From :func:`oriented_energy`, one level.
    psi : (M,) array
        The angles ``pi m / M`` in radians.

    Returns
    -------
    orientation, strength : (H, W) arrays
    """
    spaced = np.pi * np.arange(psi.size) / psi.size
    if not np.allclose(psi, spaced, atol=1e-12):
        raise ValueError(f"psi must be the {psi.size} angles pi m / {psi.size} (equally spaced from 0), got "
                         f"{np.round(psi, 4).tolist()}")
    c2 = 2 / psi.size * np.tensordot(np.exp(2j * psi), energy, axes=1)
    return np.mod(np.angle(c2) / 2, np.pi), np.abs(c2)


@checked(values=array(), target=array())
def match_histogram(values, target):
    """``values`` remapped monotonically to have the histogram of ``target`` (same number of entries).

    The entry of rank k (the k-th smallest, ties broken by position) takes the k-th smallest value
    of ``target``: afterwards the two hold exactly the same values, in the order of ``values``.

    Parameters
    ----------
    values, target : arrays of the same size (any shapes)

    Returns
    -------
    array shaped like ``values``
    """
    if values.size != target.size:
        raise ValueError(f"target must have as many entries as values ({values.size}), got {target.size}")
    matched = np.empty(values.size)
    matched[np.argsort(values, axis=None, kind="stable")] = np.sort(target, axis=None)
    return matched.reshape(values.shape)


def _subbands(pyramid):
    """The pyramid's subbands as a flat list: high-pass residual, every (level, orientation), low-pass."""
    return [pyramid.highpass] + [band for level in pyramid.bands for band in level] + [pyramid.lowpass]


def _from_subbands(subbands, like):
    """A pyramid shaped like ``like`` holding ``subbands`` (the order of :func:`_subbands`)."""
    k = like.num_orientations
    levels = tuple(np.stack(subbands[1 + j * k:1 + (j + 1) * k]) for j in range(like.levels))
    return SteerablePyramid(subbands[0], levels, subbands[-1], like.order, like.twidth, False)


def _check_synthesis_args(texture, levels, iterations, rng):
    texture, iterations, rng = check(
        {"texture": array("H W"), "iterations": integer(0, MAX_ITERATIONS, why_max=" (Heeger and Bergen use ~5)"),
         "rng": seed()}, {"texture": texture, "iterations": iterations, "rng": rng})
    if np.ptp(texture) == 0:
        raise ValueError("texture is constant: it has no histogram to match (its synthesis would be the same constant)")
    levels = min(4, max_levels(texture.shape)) if levels is None else levels
    return texture, _check_levels_fit(levels, texture.shape, "texture"), iterations, rng


def synthesize_texture(texture, levels=None, iterations=5, rng=0):
    """Heeger and Bergen's synthesis on the real steerable pyramid (order 3): a new image of the same texture.

    Parameters
    ----------
    texture : (H, W) array
        The example, sides divisible by ``2**levels``; the result has its size.
    levels : int, optional
        Pyramid levels; default 4 (or fewer for a small texture).
    iterations : int
        Rounds of subband matching, 0 to 100 (0: the noise with the texture's pixel histogram).
    rng : int or numpy.random.Generator
        Seed of the starting noise.

    Returns
    -------
    (H, W) array
        Holds exactly the texture's pixel values (its histogram), rearranged.
    """
    texture, levels, iterations, rng = _check_synthesis_args(texture, levels, iterations, rng)
    return _heeger_bergen(texture, levels, iterations, rng)


def _heeger_bergen(texture, levels, iterations, rng, steerable_pyramid=steerable_pyramid, reconstruct=reconstruct):
    """The synthesis loop, on the lecture's pyramid (:mod:`lecture_utils.fast.texture` passes its faster, equal one)."""
    target = steerable_pyramid(texture, levels, order=3)
    goals = _subbands(target)
    image = match_histogram(rng.standard_normal(texture.shape), texture)
    for _ in range(iterations):
        subbands = _subbands(steerable_pyramid(image, levels, order=3))
        image = reconstruct(_from_subbands([match_histogram(s, g) for s, g in zip(subbands, goals)], target))
        image = match_histogram(image, texture)
    return image


def _check_statistics_args(image, levels):
    image, = check({"image": array("H W")}, {"image": image})
    return image, _check_levels_fit(levels, image.shape, "an image")


def subband_statistics(image, levels):
    """Standard deviation, skewness and kurtosis of the pixels and of every subband (order 3).

    The statistics Heeger and Bergen's matching controls, to compare a synthesis with its source:
    rows in the order pixels, high-pass residual, bands (level by level, 4 orientations each), low-pass.

    Parameters
    ----------
    image : (H, W) array
    levels : int
        Pyramid levels, as in :func:`synthesize_texture`.

    Returns
    -------
    (2 + 4 levels + 1, 3) array
        Columns: std, skewness ``E[z^3]``, kurtosis ``E[z^4]`` (3 for a Gaussian), ``z`` standardised.
    """
    image, levels = _check_statistics_args(image, levels)
    scale = unit_scale(image)              # computed on values below 1, whose squares cannot overflow: exact
    rows = []
    for values in [image / scale] + _subbands(steerable_pyramid(image / scale, levels, order=3)):
        std = values.std()
        z = (values - values.mean()) / std if std > 0 else np.zeros_like(values)
        rows.append((std * scale, np.mean(z**3), np.mean(z**4)))    # only the std has the image's units
    return np.array(rows)
