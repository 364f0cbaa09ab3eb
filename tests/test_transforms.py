"""The lecture's table of transforms, measured: each property against a closed form or a known case.

Witnesses: the Gaussian level's folded energy from the binomial filter's closed-form response
cos^4(omega / 2), zero for the steerable pyramid whose bands vanish above their grid's Nyquist
frequency, the critically sampled wavelet folding most of its detail bands, Parseval for the DFT
under any translation, and the ring-shaped steerable levels against the square wavelet tiles.
"""

import numpy as np
import pytest
from skimage import data

from bad_input import Case, check_refused, expand_with
from lecture_utils.transforms import (INVERSES, SUBBANDS, energy_changes, folded_share, rotation_spread,
                                      transform_table)


def test_folded_energy_of_the_gaussian_level_is_the_binomial_filters_tail():
    n = 32
    omega = 2 * np.pi * np.fft.fftfreq(n)
    response = np.cos(omega / 2) ** 4                        # [1 4 6 4 1] / 16, centred: cos^4(omega / 2)
    energy = np.outer(response**2, response**2)
    f = np.fft.fftfreq(n)
    inside = (f >= -0.25) & (f < 0.25)
    closed = 1 - energy[np.ix_(inside, inside)].sum() / energy.sum()
    assert folded_share(SUBBANDS["Gaussian pyramid"], (n, n), 1, 2) == pytest.approx(closed, abs=1e-12)


def test_steerable_bands_fold_nothing_and_wavelet_details_fold_most():
    steer = SUBBANDS["steerable pyramid (real)"]
    names = [name for name, _, _ in steer(np.zeros((32, 32)))]
    for index, (name, _, step) in enumerate(steer(np.zeros((32, 32)))):
        assert folded_share(steer, (32, 32), index, max(step, 1)) < 1e-12, name
    wavelet = SUBBANDS["orthonormal wavelet (Daubechies, 8 taps)"]
    assert all(folded_share(wavelet, (32, 32), i, 2) > 0.85 for i in range(3))   # the finest details
    assert len(names) == 1 + 3 * 4 + 1


def test_unsubsampled_bands_fold_nothing():
    assert folded_share(SUBBANDS["DFT"], (16, 16), 0, 1) == pytest.approx(0.0, abs=1e-15)
    assert folded_share(SUBBANDS["Gaussian pyramid"], (16, 16), 0, 1) == pytest.approx(0.0, abs=1e-15)


def test_dft_and_steerable_energies_do_not_move_with_the_image():
    image = data.camera().astype(float)[64:128, 200:264] / 255
    for name in ("DFT", "steerable pyramid (real)", "steerable pyramid (complex)"):
        for dx in (1.0, 0.5, 0.3):
            assert energy_changes(SUBBANDS[name], image, dx).max() < 1e-12, (name, dx)
    assert energy_changes(SUBBANDS["orthonormal wavelet (Daubechies, 8 taps)"], image, 0.5).max() > 0.05


def test_every_inverse_is_exact():
    image = np.random.default_rng(0).standard_normal((32, 48))
    for name, inverse in INVERSES.items():
        assert np.abs(inverse(image) - image).max() < 1e-12, name


def test_rings_keep_a_rotating_patterns_energy_and_square_tiles_do_not():
    assert rotation_spread(SUBBANDS["steerable pyramid (real)"], 0.17) < 1e-4
    assert rotation_spread(SUBBANDS["DFT"], 0.17) < 1e-6                          # Parseval
    assert rotation_spread(SUBBANDS["orthonormal wavelet (Daubechies, 8 taps)"], 0.17) > 0.3


def test_table_rows_and_counts():
    image = data.camera().astype(float)[64:128, 200:264] / 255
    rows = {row["name"]: row for row in transform_table(image)}
    assert list(rows) == list(SUBBANDS)
    assert rows["DFT"]["per_pixel"] == 1 and rows["orthonormal wavelet (Daubechies, 8 taps)"]["per_pixel"] == 1
    assert rows["Laplacian pyramid"]["per_pixel"] == pytest.approx(1 + 1 / 4 + 1 / 16 + 1 / 64)
    # steerable, 3 levels of 4 orientations: 1 (high-pass) + 4 (1 + 1/4 + 1/16) + 1/64, complex bands twice
    assert rows["steerable pyramid (real)"]["per_pixel"] == pytest.approx(1 + 4 * 21 / 16 + 1 / 64)
    assert rows["steerable pyramid (complex)"]["per_pixel"] == pytest.approx(1 + 8 * 21 / 16 + 1 / 64)
    assert all(row["inverse"] < 1e-12 for row in rows.values())


IMAGE = np.random.default_rng(1).standard_normal((16, 16))
IMAGE_32 = np.random.default_rng(2).standard_normal((32, 32))
TABLE = [
    Case(folded_share, dict(subbands=SUBBANDS["DFT"], shape=(8, 8), index=0, period=1),
         {"subbands": "function", "shape": "shape", "index": "count", "period": "count"}),
    Case(energy_changes, dict(subbands=SUBBANDS["DFT"], image=IMAGE, dx=0.5),
         {"subbands": "function", "image": "array", "dx": "real"}),
    Case(rotation_spread, dict(subbands=SUBBANDS["DFT"], frequency=0.2, angles=4, size=16, step=1),
         {"subbands": "function", "frequency": "positive", "angles": "count", "size": "count", "step": "count"},
         skip={"step": ("None",)}),
    Case(transform_table, dict(image=IMAGE_32), {"image": "array"}),
]
CONSTRAINTS = [
    (folded_share, dict(subbands=SUBBANDS["DFT"], shape=(8, 8), index=0, period=1), "period",
     "not dividing the shape", 3),
    (folded_share, dict(subbands=SUBBANDS["DFT"], shape=(8, 8), index=0, period=1), "index", "past the last", 1),
    (rotation_spread, dict(subbands=SUBBANDS["DFT"], frequency=0.2, size=16), "frequency", "above 0.5", 0.6),
    (rotation_spread, dict(subbands=SUBBANDS["DFT"], frequency=0.2, size=16), "size", "not divisible by 8", 20),
    (rotation_spread, dict(subbands=SUBBANDS["DFT"], frequency=0.2, size=16), "step", "no such spacing", 2),
    (transform_table, dict(image=IMAGE_32), "image", "a side not divisible by 8", np.ones((36, 32))),
    (transform_table, dict(image=IMAGE_32), "image", "a side below 32", np.ones((16, 32))),
    (transform_table, dict(image=IMAGE_32), "image", "all zeros (no ratio to measure)", np.zeros((32, 32))),
]


def test_the_table_does_not_depend_on_the_images_size():
    # Every property is a ratio. Scaled by a power of two the image gives the same table to the last bit; at
    # 1e300 the same table to round-off, where the energies themselves would overflow float64.
    rows = transform_table(IMAGE_32)
    assert transform_table(IMAGE_32 * 2.0**900) == rows
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        huge = transform_table(IMAGE_32 * 1e300)
    for row, big in zip(rows, huge):
        assert big["name"] == row["name"]
        for key in ("per_pixel", "inverse", "folded", "shift_1", "shift_half", "rotation"):
            assert big[key] == pytest.approx(row[key], rel=1e-9, abs=1e-13), (row["name"], key)


def test_energy_changes_of_values_below_the_overflow_limit_do_not_overflow():
    # 256 x 256 values near 1e150 (below _validate.OVERFLOWS): the DFT's DC coefficient is 6.6e154 and its square
    # 4e309, beyond float64. Parseval: the DFT's energy does not move with the image, so the change is 0.
    image = 1e150 * np.random.default_rng(3).uniform(0.5, 1, (256, 256))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert energy_changes(SUBBANDS["DFT"], image, 0.5).max() < 1e-12


def test_a_constant_image_gives_a_table():
    rows = transform_table(np.full((32, 32), 0.5))
    assert all(row["shift_1"] == 0 and row["shift_half"] == 0 for row in rows)


BAD_CALLS, BAD_IDS = expand_with(TABLE, CONSTRAINTS)


@pytest.mark.parametrize("fn, good, arg, description, value", BAD_CALLS, ids=BAD_IDS)
def test_bad_input_is_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
