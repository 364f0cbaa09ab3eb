"""Oriented energy from quadrature pairs, histogram matching and Heeger-Bergen texture synthesis.

Witnesses: gratings of known orientation (the energy's closed form cos^6, the orientation exact to
round-off with enough angles and not with too few), scikit-image's histogram matching, the
statistics the synthesis is meant to match.
"""

import numpy as np
import pytest
from skimage import data, exposure

from bad_input import Case, check_refused, expand_with
from lecture_utils.texture import (dominant_orientation, match_histogram, oriented_energy, subband_statistics,
                                   synthesize_texture)

N = 64
Y, X = np.mgrid[:N, :N]


def grating(kx, ky, phase=0.7):
    """A periodic grating of kx, ky cycles across the frame: frequency angle atan2(ky, kx)."""
    return np.cos(2 * np.pi * (kx * X + ky * Y) / N + phase)


@pytest.mark.parametrize("kx, ky", [(15, 5), (6, 14), (-11, 10), (16, 0), (0, 16)])
def test_energy_of_a_grating_is_cos_to_the_sixth_and_its_orientation_is_exact(kx, ky):
    theta = np.mod(np.arctan2(ky, kx), np.pi)
    psi, level = oriented_energy(grating(kx, ky), 0, angles=8)   # |k| / 32 ~ 0.5: the middle of level 0
    shape = np.cos(psi - theta) ** 6
    np.testing.assert_allclose(level[:, 5, 7] / level[:, 5, 7].max(), shape / shape.max(), atol=1e-12)
    np.testing.assert_allclose(level.std(axis=(1, 2)), 0.0, atol=1e-12 * level.max())   # the same at every pixel
    orientation, strength = dominant_orientation(level, psi)
    np.testing.assert_allclose(np.angle(np.exp(2j * (orientation - theta))), 0.0, atol=1e-12)
    assert strength.min() > 0.1 * level.max()


def test_too_few_angles_alias_the_sixth_harmonic_onto_the_second():
    psi, energy = oriented_energy(grating(15, 5), 0, angles=4)
    orientation, _ = dominant_orientation(energy, psi)
    error = np.abs(np.angle(np.exp(2j * (orientation - np.arctan2(5, 15)))))
    assert error.max() > 1e-3
    psi, energy = oriented_energy(grating(15, 5), 0, angles=5)
    orientation, _ = dominant_orientation(energy, psi)
    assert np.abs(np.angle(np.exp(2j * (orientation - np.arctan2(5, 15))))).max() < 1e-12


def test_energy_does_not_depend_on_the_phase_of_the_pattern():
    # A quadrature pair: an edge-like and a line-like pattern of one frequency have the same energy.
    _, even = oriented_energy(grating(12, 6, phase=0.0), 0, angles=6)
    _, odd = oriented_energy(grating(12, 6, phase=np.pi / 2), 0, angles=6)
    np.testing.assert_allclose(even, odd, rtol=1e-10, atol=1e-12)


def test_a_coarser_level_sees_a_coarser_grating():
    psi, energy = oriented_energy(grating(4, 3), 2, angles=8)        # |k| = 5 cycles: r = 0.16, level 2's ring
    assert energy.shape == (8, 16, 16)
    orientation, _ = dominant_orientation(energy, psi)
    np.testing.assert_allclose(np.angle(np.exp(2j * (orientation - np.arctan2(3, 4)))), 0.0, atol=1e-10)


def test_isotropic_energy_has_no_dominant_orientation():
    psi = np.pi * np.arange(6) / 6
    _, strength = dominant_orientation(np.ones((6, 3, 3)), psi)
    np.testing.assert_allclose(strength, 0.0, atol=1e-15)


def test_match_histogram_gives_exactly_the_targets_values_in_the_order_of_the_input():
    rng = np.random.default_rng(0)
    values, target = rng.standard_normal((16, 12)), rng.gamma(2.0, size=(8, 24))
    matched = match_histogram(values, target)
    np.testing.assert_array_equal(np.sort(matched, axis=None), np.sort(target, axis=None))
    np.testing.assert_array_equal(np.argsort(matched, axis=None), np.argsort(values, axis=None))
    np.testing.assert_allclose(matched, exposure.match_histograms(values, target.reshape(16, 12)), atol=1e-12)


def test_synthesis_keeps_the_pixel_values_and_matches_the_subband_statistics():
    gravel = data.gravel()[:64, :64].astype(float) / 255
    synthesis = synthesize_texture(gravel, levels=3, iterations=5, rng=1)
    np.testing.assert_array_equal(np.sort(synthesis, axis=None), np.sort(gravel, axis=None))
    source = subband_statistics(gravel, 3)
    start = subband_statistics(synthesize_texture(gravel, levels=3, iterations=0, rng=1), 3)
    after = subband_statistics(synthesis, 3)
    assert np.abs(after[:, 0] / source[:, 0] - 1).max() < 0.25 * np.abs(start[:, 0] / source[:, 0] - 1).max()
    assert np.abs(after[1:, 2] - source[1:, 2]).max() < np.abs(start[1:, 2] - source[1:, 2]).max()
    np.testing.assert_array_equal(synthesis, synthesize_texture(gravel, levels=3, iterations=5, rng=1))
    assert not np.array_equal(synthesis, synthesize_texture(gravel, levels=3, iterations=5, rng=2))


def test_subband_statistics_of_white_noise():
    noise = np.random.default_rng(5).standard_normal((128, 128))
    stats = subband_statistics(noise, 3)
    assert stats.shape == (2 + 4 * 3 + 1, 3)
    assert stats[0, 0] == pytest.approx(noise.std()) and abs(stats[0, 1]) < 0.05 and abs(stats[0, 2] - 3) < 0.1
    # Linear filters of Gaussian noise are Gaussian: kurtosis near 3 in the well-sampled subbands.
    np.testing.assert_allclose(stats[1:6, 2], 3.0, atol=0.15)



def test_subband_statistics_scale_with_the_image_and_do_not_overflow():
    # std is proportional to the image, skewness and kurtosis do not depend on its size: exactly so for a power of
    # two, to round-off at 1e300, where the squares of the values would overflow float64.
    image = np.random.default_rng(4).uniform(0, 1, (32, 32))
    stats = subband_statistics(image, 2)
    scaled = subband_statistics(image * 2.0**900, 2)
    np.testing.assert_array_equal(scaled, stats * [2.0**900, 1, 1])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        huge = subband_statistics(image * 1e300, 2)
    np.testing.assert_allclose(huge, stats * [1e300, 1, 1], rtol=1e-9)

# --- bad input ---------------------------------------------------------------------------

IMAGE = np.random.default_rng(3).standard_normal((16, 16))
PSI = np.pi * np.arange(6) / 6
TABLE = [
    Case(oriented_energy, dict(image=IMAGE, level=1, angles=6), {"image": "array", "level": "count",
                                                                 "angles": "count"}),
    Case(dominant_orientation, dict(energy=np.ones((6, 4, 4)), psi=PSI), {"energy": "array", "psi": "array"}),
    Case(match_histogram, dict(values=IMAGE, target=IMAGE.T), {"values": "array", "target": "array"},
         skip={"values": ("one axis too many", "one axis too few"), "target": ("one axis too many",)}),
    Case(synthesize_texture, dict(texture=IMAGE, levels=2, iterations=1, rng=0),
         {"texture": "array", "levels": "count", "iterations": "count", "rng": "seed"}, skip={"levels": ("None",)}),
    Case(subband_statistics, dict(image=IMAGE, levels=2), {"image": "array", "levels": "count"}),
]
CONSTRAINTS = [
    (oriented_energy, dict(image=IMAGE, level=1), "level", "more than fit", 2),
    (oriented_energy, dict(image=IMAGE, level=1), "image", "a side not divisible by 4", np.ones((18, 16))),
    (oriented_energy, dict(image=IMAGE, level=1), "image", "values whose squares overflow", 1e160 * IMAGE),
    (dominant_orientation, dict(energy=np.ones((6, 4, 4)), psi=PSI), "psi", "unequal angles", PSI**1.1),
    (dominant_orientation, dict(energy=np.ones((6, 4, 4)), psi=PSI), "psi", "one angle too few", PSI[:5]),
    (match_histogram, dict(values=IMAGE, target=IMAGE), "target", "another size", IMAGE[:, :8]),
    (synthesize_texture, dict(texture=IMAGE, levels=2), "texture", "a constant", np.ones((16, 16))),
    (synthesize_texture, dict(texture=IMAGE, levels=2), "iterations", "more than 100", 101),
]
BAD_CALLS, BAD_IDS = expand_with(TABLE, CONSTRAINTS)


@pytest.mark.parametrize("fn, good, arg, description, value", BAD_CALLS, ids=BAD_IDS)
def test_bad_input_is_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
