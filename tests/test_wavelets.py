"""The orthonormal wavelet pyramid: Daubechies' filters, one level as an orthogonal matrix, exact inversion.

Witnesses: Daubechies' closed form for 4 taps, the quadrature-mirror identity, vanishing moments,
Parseval (an orthonormal transform keeps the energy), and PyWavelets when it is installed (optional).
"""

import dataclasses
import math

import numpy as np
import pytest

from bad_input import Case, check_refused, expand_with
from lecture_utils.wavelets import (WaveletPyramid, daubechies_filter, max_levels, reconstruct, wavelet_matrix,
                                    wavelet_pyramid)


def test_haar_and_daubechies_four_taps_are_their_closed_forms():
    np.testing.assert_allclose(daubechies_filter(1), [1 / math.sqrt(2)] * 2, atol=1e-15)
    s3 = math.sqrt(3)
    closed = np.array([1 + s3, 3 + s3, 3 - s3, 1 - s3]) / (4 * math.sqrt(2))
    np.testing.assert_allclose(daubechies_filter(2), closed, atol=1e-15)


@pytest.mark.parametrize("p", range(1, 11))
def test_filters_are_orthonormal_to_their_even_shifts_and_have_p_vanishing_moments(p):
    h = daubechies_filter(p)
    assert h.size == 2 * p and h.sum() == pytest.approx(math.sqrt(2), abs=1e-13)
    lags = [np.dot(h[: h.size - 2 * k], h[2 * k:]) for k in range(p)]
    np.testing.assert_allclose(lags, [1.0] + [0.0] * (p - 1), atol=1e-13)
    # The high-pass g[i] = (-1)^i h[L-1-i] kills polynomials of degree < p: sum_i g[i] (i / L)^m = 0.
    g = (-1.0) ** np.arange(h.size) * h[::-1]
    t = np.arange(h.size) / h.size
    np.testing.assert_allclose([np.sum(g * t**m) for m in range(p)], 0.0, atol=1e-13)
    assert abs(np.sum(g * t**p)) > 1e-8                      # and no more (it is 1.5e-7 for p = 10)


def test_filters_match_pywavelets_when_installed():
    pywt = pytest.importorskip("pywt")
    for p in (2, 4, 8):
        np.testing.assert_allclose(daubechies_filter(p), pywt.Wavelet(f"db{p}").rec_lo, atol=1e-12)


@pytest.mark.parametrize("n, p", [(2, 1), (8, 2), (16, 4), (6, 4), (4, 10), (64, 3)])
def test_one_level_is_an_orthogonal_matrix_even_when_the_filter_wraps(n, p):
    w = wavelet_matrix(n, daubechies_filter(p))
    np.testing.assert_allclose(w.T @ w, np.eye(n), atol=1e-13)
    # Its first half is the filter h at samples 2k, 2k + 1, ... (a constant goes to sqrt 2 times itself).
    np.testing.assert_allclose(w[: n // 2] @ np.ones(n), math.sqrt(2), atol=1e-13)
    np.testing.assert_allclose(w[n // 2:] @ np.ones(n), 0.0, atol=1e-13)


def test_one_level_written_out():
    h = daubechies_filter(2)
    x = np.random.default_rng(0).standard_normal(10)
    a = [sum(h[i] * x[(2 * k + i) % 10] for i in range(4)) for k in range(5)]
    g = [h[3], -h[2], h[1], -h[0]]
    d = [sum(g[i] * x[(2 * k + i) % 10] for i in range(4)) for k in range(5)]
    np.testing.assert_allclose(wavelet_matrix(10, h) @ x, a + d, atol=1e-14)


@pytest.mark.parametrize("shape, levels, p", [((64, 64), 4, 2), ((32, 48), 3, 4), ((16, 8), 3, 1), ((8, 8), 3, 6)])
def test_pyramid_inverts_exactly_and_keeps_the_energy(shape, levels, p):
    image = np.random.default_rng(1).standard_normal(shape) * 40 + 100
    pyr = wavelet_pyramid(image, levels, daubechies_filter(p))
    assert pyr.levels == levels and pyr.lowpass.shape == (shape[0] >> levels, shape[1] >> levels)
    count = pyr.lowpass.size + sum(band.size for band in pyr.bands)
    assert count == image.size                                           # critically sampled
    energy = np.sum(pyr.lowpass**2) + sum(np.sum(band**2) for band in pyr.bands)
    assert energy == pytest.approx(np.sum(image**2), rel=1e-13)           # Parseval
    np.testing.assert_allclose(reconstruct(pyr), image, atol=1e-11)


def test_the_bands_see_what_their_names_say():
    n = 32
    x = np.arange(n)
    vertical_edges = np.tile((-1.0) ** x, (n, 1))          # varies along x only, at the Nyquist frequency
    pyr = wavelet_pyramid(vertical_edges, 1, daubechies_filter(3))
    energies = [np.sum(b**2) for b in pyr.bands[0]]        # h has a p-fold zero there: all in "high in x"
    assert energies[0] == pytest.approx(np.sum(vertical_edges**2), rel=1e-13)
    assert energies[1] < 1e-20 and energies[2] < 1e-20 and np.sum(pyr.lowpass**2) < 1e-20
    pyr_t = wavelet_pyramid(vertical_edges.T, 1, daubechies_filter(3))
    np.testing.assert_allclose(pyr_t.bands[0][1], pyr.bands[0][0].T, atol=1e-13)


def test_a_dropped_coefficient_changes_the_image_by_exactly_its_value():
    image = np.random.default_rng(2).standard_normal((16, 16))
    pyr = wavelet_pyramid(image, 2)
    band = pyr.bands[1].copy()
    c = band[2, 1, 3]
    band[2, 1, 3] = 0.0
    edited = dataclasses.replace(pyr, bands=(pyr.bands[0], band))
    assert np.linalg.norm(reconstruct(edited) - image) == pytest.approx(abs(c), rel=1e-12)


def test_max_levels_counts_the_halvings():
    assert max_levels((64, 48)) == 4 and max_levels((512, 512)) == 9 and max_levels((6, 8)) == 1
    assert max_levels((7, 8)) == 0


# --- bad input ---------------------------------------------------------------------------

IMAGE = np.random.default_rng(3).standard_normal((16, 16))
PYR = wavelet_pyramid(IMAGE, 2)
H = daubechies_filter(2)

TABLE = [
    Case(daubechies_filter, dict(vanishing_moments=3), {"vanishing_moments": "count"}),
    Case(wavelet_matrix, dict(n=8, h=H), {"n": "count", "h": "array"}, skip={"h": ("None",)}),   # None: db2
    Case(max_levels, dict(shape=(16, 8)), {"shape": "shape"}),
    Case(wavelet_pyramid, dict(image=IMAGE, levels=2, h=H), {"image": "array", "levels": "count", "h": "array"},
         skip={"h": ("None",)}),
]
CONSTRAINTS = [
    (daubechies_filter, dict(vanishing_moments=2), "vanishing_moments", "above 10", 11),
    (wavelet_matrix, dict(n=8), "n", "an odd length", 7),
    (wavelet_matrix, dict(n=8), "h", "an odd number of taps", np.ones(3) / math.sqrt(3)),
    (wavelet_matrix, dict(n=8), "h", "not orthonormal", np.array([0.5, 0.5, 0.5, 0.5])),
    (wavelet_matrix, dict(n=8), "h", "taps whose squares overflow", 1e300 * H),
    (reconstruct, dict(pyramid=PYR), "pyramid", "a filter with taps whose squares overflow",
     dataclasses.replace(PYR, filter=1e300 * H)),
    (wavelet_pyramid, dict(image=IMAGE, levels=2), "levels", "more halvings than the sides allow", 5),
    (wavelet_pyramid, dict(image=IMAGE, levels=1), "image", "an odd side", np.ones((15, 16))),
    (reconstruct, dict(pyramid=PYR), "pyramid", "a dict", {"bands": PYR.bands}),
    (reconstruct, dict(pyramid=PYR), "pyramid", "a level missing", dataclasses.replace(PYR, bands=PYR.bands[:1])),
    (reconstruct, dict(pyramid=PYR), "pyramid", "NaN in a band",
     dataclasses.replace(PYR, bands=(PYR.bands[0] * np.nan, PYR.bands[1]))),
    (reconstruct, dict(pyramid=PYR), "pyramid", "a wrong filter", dataclasses.replace(PYR, filter=np.ones(4))),
]
BAD_CALLS, BAD_IDS = expand_with(TABLE, CONSTRAINTS)


@pytest.mark.parametrize("fn, good, arg, description, value", BAD_CALLS, ids=BAD_IDS)
def test_bad_input_is_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)


def test_messages_say_what_was_given_and_what_is_wanted():
    with pytest.raises(ValueError, match=r"levels=5 is too many for an image of shape \(16, 16\): both sides must "
                                         r"halve to whole numbers 5 times, they do 4 times"):
        wavelet_pyramid(IMAGE, 5)
    with pytest.raises(ValueError, match=r"h must be orthonormal to its even shifts .* use daubechies_filter\(p\)"):
        wavelet_matrix(8, np.array([0.5, 0.5, 0.5, 0.5]))
    with pytest.raises(TypeError, match=r"pyramid must be a WaveletPyramid"):
        reconstruct(PYR.bands)
    assert isinstance(PYR, WaveletPyramid)


@pytest.mark.parametrize("p", [1, 2, 5])
def test_a_level_is_the_matrices_along_y_and_x(p):
    h = daubechies_filter(p)
    image = np.random.default_rng(4).standard_normal((12, 20))
    level = wavelet_matrix(12, h) @ image @ wavelet_matrix(20, h).T
    pyr = wavelet_pyramid(image, 1, h)
    np.testing.assert_allclose(pyr.lowpass, level[:6, :10], atol=1e-13)
    np.testing.assert_allclose(pyr.bands[0], np.stack([level[:6, 10:], level[6:, :10], level[6:, 10:]]), atol=1e-13)
