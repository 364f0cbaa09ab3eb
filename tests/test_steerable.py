"""Steerable filters and the steerable pyramid (motion magnification: tests/test_magnify.py).

Every expected value comes from an independent derivation: the Gaussian's closed
form and finite differences of it, trigonometric identities, Parseval, direct
frequency-domain filtering with the closed-form masks, or pyrtools (optional).
"""

import dataclasses
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import ndimage
from skimage import data, transform

from bad_input import Case, check_refused, expand_with
from lecture_utils.magnify import phase_difference
from lecture_utils.steerable import (MAX_ORDER, SteerablePyramid, angular_constant, angular_masks,
                                     band_response, basis_angles, directional_derivative_kernel,
                                     frequency_grid, full_grid_masks, gaussian_derivative_kernels, max_levels,
                                     oriented_responses, pyramid_energy, radial_masks, reconstruct, steer,
                                     steer_bands, steer_basis, steerable_pyramid, steering_weights)

ANGLES = [0.0, 0.3, np.pi / 3, 1.0, np.pi / 2, 2.5, -0.7, 4.0]


def gaussian(x, y, sigma):
    return np.exp(-(x**2 + y**2) / (2 * sigma**2)) / (2 * np.pi * sigma**2)


@pytest.fixture(scope="module")
def camera():
    return transform.resize(data.camera().astype(float), (128, 128), anti_aliasing=True)


def rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


# --- Gaussian derivatives and steering -------------------------------------------------


def test_gaussian_kernels_match_the_slide_formulas():
    g, g_x, g_y = gaussian_derivative_kernels(1.5, size=9)
    assert g.shape == g_x.shape == g_y.shape == (9, 9)
    # Row 4 + 1 is y = +1, column 4 + 2 is x = +2 (x along columns, y along rows).
    x, y, s = 2.0, 1.0, 1.5
    assert g[5, 6] == pytest.approx(gaussian(x, y, s), rel=1e-14)
    assert g_x[5, 6] == pytest.approx(-x / (2 * np.pi * s**4) * math.exp(-(x**2 + y**2) / (2 * s**2)), rel=1e-14)
    assert g_y[5, 6] == pytest.approx(-y / (2 * np.pi * s**4) * math.exp(-(x**2 + y**2) / (2 * s**2)), rel=1e-14)


def test_gaussian_default_size_holds_the_mass_and_derivatives_are_finite_differences():
    sigma = 2.0
    g, g_x, g_y = gaussian_derivative_kernels(sigma)
    assert g.shape == (13, 13)
    assert g.sum() == pytest.approx(1.0, abs=3e-3)  # +-3 sigma, sampled
    offsets = np.arange(13) - 6.0
    y, x = np.meshgrid(offsets, offsets, indexing="ij")
    h = 1e-5
    np.testing.assert_allclose(g_x, (gaussian(x + h, y, sigma) - gaussian(x - h, y, sigma)) / (2 * h), atol=1e-10)
    np.testing.assert_allclose(g_y, (gaussian(x, y + h, sigma) - gaussian(x, y - h, sigma)) / (2 * h), atol=1e-10)


@pytest.mark.parametrize("angle", ANGLES)
def test_first_order_steering_reproduces_the_rotated_derivative(angle):
    _, g_x, g_y = gaussian_derivative_kernels(1.7, size=15)
    direct = directional_derivative_kernel(1.7, angle, order=1, size=15)
    assert rel(steer(g_x, g_y, angle), direct) < 1e-12


def test_slide_sixty_degree_example():
    _, g_x, g_y = gaussian_derivative_kernels(2.0)
    expected = 0.5 * g_x + np.sqrt(3) / 2 * g_y
    assert rel(steer(g_x, g_y, np.pi / 3), expected) < 1e-14
    assert rel(directional_derivative_kernel(2.0, np.pi / 3), expected) < 1e-12


def test_directional_second_derivative_is_the_finite_difference_along_the_direction():
    sigma, angle, h = 1.3, 0.4, 1e-4
    k = directional_derivative_kernel(sigma, angle, order=2, size=11)
    offsets = np.arange(11) - 5.0
    y, x = np.meshgrid(offsets, offsets, indexing="ij")
    c, s = np.cos(angle), np.sin(angle)
    fd = (gaussian(x + h * c, y + h * s, sigma) - 2 * gaussian(x, y, sigma)
          + gaussian(x - h * c, y - h * s, sigma)) / h**2
    np.testing.assert_allclose(k, fd, atol=1e-7)
    assert rel(directional_derivative_kernel(sigma, 0.0, order=0, size=11), gaussian(x, y, sigma)) < 1e-15


def test_steering_weights_closed_forms():
    for a in ANGLES:
        np.testing.assert_allclose(steering_weights(1, a), [np.cos(a), np.sin(a)], atol=1e-15)
        thetas = np.radians([0, 60, 120])
        np.testing.assert_allclose(steering_weights(2, a), (1 + 2 * np.cos(2 * (a - thetas))) / 3, atol=1e-15)
    np.testing.assert_allclose(basis_angles(2), np.radians([0, 60, 120]))


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5])
def test_cos_power_interpolation_identity(order):
    # cos^N(phi - a) = sum_b k_b(a) cos^N(phi - theta_b) for all phi.
    phi = np.linspace(-np.pi, np.pi, 37)
    for a in ANGLES:
        steered = steering_weights(order, a) @ np.cos(phi[None, :] - basis_angles(order)[:, None]) ** order
        np.testing.assert_allclose(steered, np.cos(phi - a) ** order, atol=1e-13)


@pytest.mark.parametrize("order", [2, 3])
@pytest.mark.parametrize("angle", ANGLES)
def test_higher_order_steering_of_sampled_kernels(order, angle):
    basis = np.stack([directional_derivative_kernel(1.5, t, order, size=13) for t in basis_angles(order)])
    assert basis.shape[0] == order + 1  # N-th order needs N + 1 basis filters
    direct = directional_derivative_kernel(1.5, angle, order, size=13)
    assert rel(steer_basis(basis, angle), direct) < 1e-12


@pytest.mark.parametrize("order", [1, 2])
def test_steering_filtered_images(camera, order):
    image = camera[:48, :48]
    angles = np.array([0.2, np.pi / 3, 2.0])
    got = oriented_responses(image, 1.5, angles, order=order)
    assert got.shape == (3, 48, 48)
    for a, response in zip(angles, got):
        direct = ndimage.convolve(image, directional_derivative_kernel(1.5, a, order), mode="reflect")
        assert rel(response, direct) < 1e-12
    if order == 1:  # the slide's form on filtered images
        _, g_x, g_y = gaussian_derivative_kernels(1.5)
        rx = ndimage.convolve(image, g_x, mode="reflect")
        ry = ndimage.convolve(image, g_y, mode="reflect")
        assert rel(steer(rx, ry, np.pi / 3), got[1]) < 1e-12


# --- masks ------------------------------------------------------------------------------


def test_radial_masks_raised_cosine():
    r = np.array([0.0, 0.1, 0.25, 2**-0.5, 0.5, 0.75, 1.0, 1.3])
    high, low = radial_masks(r, twidth=1)
    np.testing.assert_allclose(high**2 + low**2, 1.0, atol=1e-15)
    assert high[0] == 0.0 and low[0] == 1.0           # DC is pure low-pass
    assert high[-1] == 1.0 and low[-1] == 0.0          # beyond Nyquist pure high-pass
    np.testing.assert_allclose(high[3], np.sqrt(0.5), atol=1e-15)  # mid-transition: cos(pi/4)
    np.testing.assert_allclose(high[5], np.cos(np.pi / 2 * -np.log2(0.75)), atol=1e-15)
    high2, low2 = radial_masks(np.array([0.25, 0.5]), twidth=2)
    np.testing.assert_allclose(high2, [0.0, np.sqrt(0.5)], atol=1e-15)


@pytest.mark.parametrize("order", range(7))
def test_squared_angular_masks_partition_unity(order):
    _, theta = frequency_grid((32, 48))
    masks = angular_masks(theta, order)
    assert masks.shape == (order + 1, 32, 48)
    np.testing.assert_allclose(np.sum(masks**2, axis=0), 1.0, atol=1e-12)
    factorial_form = 2 ** (2 * order) * math.factorial(order) ** 2 / ((order + 1) * math.factorial(2 * order))
    assert angular_constant(order) ** 2 == pytest.approx(factorial_form, rel=1e-14)


def test_angular_constant_is_the_binomial_form_up_to_the_largest_order():
    # 4^N (N!)^2 / (2N)! = prod_{k=1..N} 2k / (2k - 1), in exact rational arithmetic.
    for order in range(MAX_ORDER + 1):
        c2 = Fraction(1, order + 1) * math.prod(Fraction(2 * k, 2 * k - 1) for k in range(1, order + 1))
        assert angular_constant(order) ** 2 == pytest.approx(float(c2), rel=1e-14), order
    _, theta = frequency_grid((16, 16))
    np.testing.assert_allclose(np.sum(angular_masks(theta, MAX_ORDER) ** 2, axis=0), 1.0, atol=1e-12)


def test_complex_angular_masks_are_twice_on_a_half_plane():
    theta = np.array([0.0, 1.0, 2.0, -2.0, np.pi])
    m = angular_masks(theta, 1, complex_bands=True)
    np.testing.assert_allclose(m[0], [2, 2 * np.cos(1.0), 0, 0, 0], atol=1e-15)
    with pytest.raises(ValueError, match="complex_bands=True needs order >= 1"):
        angular_masks(theta, 0, complex_bands=True)


def test_frequency_grid_units():
    r, theta = frequency_grid((8, 4))
    assert r[0, 0] == 0 and r[0, 2] == 1.0 and r[4, 0] == 1.0  # Nyquist along each axis
    assert r[0, 1] == 0.5 and theta[2, 0] == pytest.approx(np.pi / 2) and theta[0, 1] == 0.0
    with pytest.raises(ValueError, match="shape must be"):
        frequency_grid((4, 4, 4))


# --- the pyramid --------------------------------------------------------------------------


CONFIGS = [  # (shape, levels, order, twidth)
    ((128, 128), 4, 3, 1), ((64, 96), 3, 1, 1), ((32, 32), 2, 0, 1), ((64, 64), 4, 5, 1),
    ((48, 80), 2, 2, 0.5), ((64, 64), 3, 3, 2), ((64, 64), 0, 3, 1),
]


def _image(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape) * 50 + 100


@pytest.mark.parametrize("shape,levels,order,twidth,cplx",
                         [c + (False,) for c in CONFIGS] + [c + (True,) for c in CONFIGS if c[2] >= 1])
def test_perfect_reconstruction_and_tight_frame(shape, levels, order, twidth, cplx):
    image = _image(shape)
    pyr = steerable_pyramid(image, levels, order, complex_bands=cplx, twidth=twidth)
    assert pyr.levels == levels and pyr.num_orientations == order + 1 and pyr.shape == shape
    assert rel(reconstruct(pyr), image) < 1e-12
    assert pyramid_energy(pyr) == pytest.approx(np.sum(image**2), rel=1e-12)


def test_tight_frame_weights_written_out(camera):
    pyr = steerable_pyramid(camera, 3, 3)
    weighted = (np.sum(pyr.highpass**2) + sum(4**j * np.sum(b**2) for j, b in enumerate(pyr.bands))
                + 4**3 * np.sum(pyr.lowpass**2))
    assert weighted == pytest.approx(np.sum(camera**2), rel=1e-12)
    assert rel(reconstruct(pyr), camera) < 1e-12


@pytest.mark.parametrize("order", [1, 2, 3])
def test_complex_band_real_part_and_double_energy(camera, order):
    real = steerable_pyramid(camera, 3, order)
    cplx = steerable_pyramid(camera, 3, order, complex_bands=True)
    for j in range(3):
        assert rel(cplx.bands[j].real, real.bands[j]) < 1e-12
        for b in range(order + 1):
            assert np.sum(np.abs(cplx.band(j, b)) ** 2) == pytest.approx(2 * np.sum(real.band(j, b) ** 2), rel=1e-12)
    assert rel(cplx.highpass, real.highpass) < 1e-12


def test_bands_are_frequency_domain_filters_written_out(camera):
    # Level 1, band b of a real order-2 pyramid, from the module docstring's equations.
    pyr = steerable_pyramid(camera, 2, order=2)
    r, theta = frequency_grid(camera.shape)
    _, low_r = radial_masks(r)
    _, low_2r = radial_masks(2 * r)
    spectrum = np.fft.fft2(camera) * low_r * low_2r
    y1 = np.fft.fftshift(spectrum)[32:96, 32:96] / 4  # the central half: |omega| < pi/2
    y1 = np.fft.ifftshift(y1)
    r1, theta1 = frequency_grid((64, 64))
    high1, _ = radial_masks(2 * r1)
    for b, tb in enumerate(np.radians([0, 60, 120])):
        mask = (1j**2) * angular_constant(2) * np.cos(theta1 - tb) ** 2 * high1
        assert rel(pyr.band(1, b), np.fft.ifft2(mask * y1).real) < 1e-12


@pytest.mark.parametrize("shape, levels, order, twidth, cplx",
                         [((64, 96), 3, 3, 1.0, False), ((64, 96), 3, 3, 1.0, True), ((32, 32), 2, 1, 0.5, False),
                          ((64, 64), 4, 2, 2.0, True), ((32, 64), 2, 0, 1.0, False)])
def test_each_band_is_one_filter_on_the_image_grid_sampled_every_2_to_the_j(shape, levels, order, twidth, cplx):
    image = _image(shape, seed=4)
    pyr = steerable_pyramid(image, levels, order, complex_bands=cplx, twidth=twidth)
    spectrum = np.fft.fft2(image)
    for j in range(levels):
        for b in range(order + 1):
            full = np.fft.ifft2(band_response(shape, j, b, order, twidth, cplx) * spectrum)
            sampled = full[::2**j, ::2**j]
            assert rel(sampled if cplx else sampled.real, pyr.band(j, b)) < 1e-12
            if not cplx:
                assert np.max(np.abs(full.imag)) < 1e-9 * np.max(np.abs(full.real))


@pytest.mark.parametrize("levels, order, twidth", [(3, 3, 1.0), (2, 1, 0.6), (4, 5, 1.5)])
def test_the_band_responses_tile_the_frequency_plane_with_squares_summing_to_one(levels, order, twidth):
    shape = (64, 128)
    r, _ = frequency_grid(shape)
    total = radial_masks(r, twidth)[0] ** 2                                        # the high-pass residual
    total += sum(np.abs(band_response(shape, j, b, order, twidth)) ** 2
                 for j in range(levels) for b in range(order + 1))
    total += np.prod([radial_masks(2**i * r, twidth)[1] for i in range(levels + 1)], axis=0) ** 2  # the low-pass
    np.testing.assert_allclose(total, 1.0, atol=1e-13)
    # Each band is zero above the Nyquist frequency of its own grid, so sampling it every 2^j does not alias.
    for j in range(levels):
        assert np.all(band_response(shape, j, 0, order, twidth)[r > 2.0**-j] == 0)


def test_complex_band_response_is_twice_the_real_one_on_a_half_plane():
    real = band_response((32, 32), 1, 2, order=3)
    cplx = band_response((32, 32), 1, 2, order=3, complex_bands=True)
    _, theta = frequency_grid((32, 32))
    half = np.cos(theta - basis_angles(3)[2]) > 0
    np.testing.assert_allclose(cplx, 2 * real * half, atol=1e-15)


def test_constant_image_goes_to_the_lowpass_unchanged():
    pyr = steerable_pyramid(np.full((64, 64), 7.0), 3)
    np.testing.assert_allclose(pyr.lowpass, 7.0, rtol=1e-14)
    assert max(np.max(np.abs(b)) for b in pyr.bands) < 1e-12 and np.max(np.abs(pyr.highpass)) < 1e-12


def test_band_b_is_the_derivative_along_theta_b():
    # A sinusoid varying along theta_b = 90 degrees (rows): the order-1 band at 0 degrees
    # (d/dx) is zero and the band at 90 degrees (d/dy) is the sinusoid's derivative
    # -w sin(w y) divided by w (the angular mask c_1 cos(theta - theta_b) = cos carries the
    # direction of i omega but not its length |omega|), times the radial gain L(r) H(2r).
    n, k = 64, 12
    y = np.arange(n)[:, None] * np.ones((1, n))
    image = np.cos(2 * np.pi * k * y / n)
    pyr = steerable_pyramid(image, 1, order=1)
    high, low = radial_masks(np.array([2 * k / n]))
    high2, _ = radial_masks(np.array([4 * k / n]))
    gain = (low * high2)[0]
    assert np.max(np.abs(pyr.band(0, 0))) < 1e-12
    np.testing.assert_allclose(pyr.band(0, 1), -gain * np.sin(2 * np.pi * k * y / n), atol=1e-12)


def test_shifted_sinusoid_moves_the_band_phase_by_minus_omega_d():
    n, k, d = 64, 10, 0.37
    omega = 2 * np.pi * k / n
    x = np.arange(n)[None, :] * np.ones((n, 1))
    b0 = steerable_pyramid(np.cos(omega * x), 2, complex_bands=True).band(0, 0)
    b1 = steerable_pyramid(np.cos(omega * (x - d)), 2, complex_bands=True).band(0, 0)
    np.testing.assert_allclose(phase_difference(b1, b0), -omega * d, atol=1e-12)


def test_matches_pyrtools_up_to_its_lookup_tables(camera):
    pt = pytest.importorskip("pyrtools")
    ref = pt.pyramids.SteerablePyramidFreq(camera, height=3, order=3)
    ours = steerable_pyramid(camera, 3, order=3)
    # pyrtools multiplies by (-i)^N (ours i^N) and does not rescale when downsampling.
    for j in range(3):
        for b in range(4):
            assert rel(-ours.band(j, b) * 4**j, ref.pyr_coeffs[(j, b)]) < 1e-4
    assert rel(ours.highpass, ref.pyr_coeffs["residual_highpass"]) < 1e-4
    assert rel(ours.lowpass * 4**3, ref.pyr_coeffs["residual_lowpass"]) < 1e-4


def test_reconstruction_is_a_pure_linear_function_of_the_coefficients(camera):
    a = steerable_pyramid(camera, 3)
    b = steerable_pyramid(camera.T.copy(), 3)
    summed = SteerablePyramid(a.highpass + b.highpass, tuple(x + y for x, y in zip(a.bands, b.bands)),
                              a.lowpass + b.lowpass, 3, 1.0, False)
    assert rel(reconstruct(summed), camera + camera.T) < 1e-12
    # Removing the level-0 bands removes exactly their contribution.
    no_level0 = dataclasses.replace(a, bands=(np.zeros_like(a.bands[0]),) + a.bands[1:])
    only_level0 = dataclasses.replace(a, highpass=np.zeros_like(a.highpass),
                                      bands=(a.bands[0], *(np.zeros_like(x) for x in a.bands[1:])),
                                      lowpass=np.zeros_like(a.lowpass))
    assert rel(reconstruct(no_level0) + reconstruct(only_level0), camera) < 1e-12


@pytest.mark.parametrize("cplx", [False, True])
def test_steer_bands_equals_the_band_filtered_at_that_angle(camera, cplx):
    pyr = steerable_pyramid(camera, 2, order=3, complex_bands=cplx)
    np.testing.assert_allclose(steer_bands(pyr, 1, np.pi / 4), pyr.band(1, 1), atol=1e-12 * np.abs(pyr.bands[1]).max())
    r, theta = frequency_grid(camera.shape)
    _, low = radial_masks(r)
    high2, _ = radial_masks(2 * r)
    for angle in (0.3, 2.0):
        ang = angular_constant(3) * np.cos(theta - angle) ** 3
        if cplx:
            ang = 2 * ang * (np.abs(np.angle(np.exp(1j * (theta - angle)))) < np.pi / 2)
        direct = np.fft.ifft2((1j**3) * ang * high2 * low * np.fft.fft2(camera))
        expected = direct if cplx else direct.real
        assert rel(steer_bands(pyr, 0, angle), expected) < 1e-12


@pytest.mark.parametrize("bands_per_octave, order, twidth", [(1, 3, 1.0), (2, 7, 0.75), (4, 5, 0.5), (2, 1, 1.5)])
def test_full_grid_real_filters_tile_the_plane_and_the_complex_ones_are_twice_on_a_half_plane(
        bands_per_octave, order, twidth):
    highpass, rings, lowpass = full_grid_masks((48, 64), 3, order, twidth, bands_per_octave, complex_bands=False)
    assert rings.shape == (3 * bands_per_octave, order + 1, 48, 64)
    np.testing.assert_allclose(highpass**2 + np.sum(np.abs(rings) ** 2, axis=(0, 1)) + lowpass**2, 1.0, atol=1e-14)
    _, analytic, _ = full_grid_masks((48, 64), 3, order, twidth, bands_per_octave)
    _, theta = frequency_grid((48, 64))
    half = np.cos(theta - basis_angles(order)[:, None, None]) > 0
    np.testing.assert_allclose(analytic, 2 * rings * half, atol=1e-15)


@pytest.mark.parametrize("order, twidth", [(3, 1.0), (1, 0.6)])
def test_full_grid_octave_rings_are_the_pyramids_band_responses(order, twidth):
    _, rings, _ = full_grid_masks((64, 32), 3, order, twidth)
    for s in range(3):
        for b in range(order + 1):
            np.testing.assert_array_equal(rings[s, b], band_response((64, 32), s, b, order, twidth, complex_bands=True))


def test_full_grid_half_octave_rings_sit_half_an_octave_apart():
    # A ring's radial profile peaks where H(r / r_s) L(r / r_(s-1)) does: every ring is the one before
    # it scaled down by 2^(1/2) in frequency (the cuts are 2^(-s/2)), once clear of the outermost cut.
    r, _ = frequency_grid((256, 256))
    _, rings, _ = full_grid_masks((256, 256), 3, 3, 0.75, 2, complex_bands=False)
    radial = np.sum(np.abs(rings) ** 2, axis=1)                     # summed over the orientations
    peaks = [float(r.ravel()[np.argmax(ring.ravel())]) for ring in radial]
    np.testing.assert_allclose(np.array(peaks[2:-1]) / np.array(peaks[1:-2]), 2 ** -0.5, rtol=0.03)


def test_pyramid_band_accessors(camera):
    pyr = steerable_pyramid(camera, 2, order=1)
    np.testing.assert_allclose(pyr.orientations, [0, np.pi / 2])
    assert pyr.band(1, 1).shape == (64, 64)
    assert pyr.levels == 2 and pyr.num_orientations == 2 and pyr.shape == (128, 128)


def test_odd_size_works_after_reflect_padding():
    image = _image((37, 45))
    padded = np.pad(image, ((0, 3), (0, 3)), mode="reflect")
    pyr = steerable_pyramid(padded, 3)
    assert rel(reconstruct(pyr)[:37, :45], image) < 1e-12


def test_extreme_amplitudes_reconstruct():
    for scale in (1e-300, 1e300):
        image = _image((32, 32)) * scale / 100
        assert rel(reconstruct(steerable_pyramid(image, 2, complex_bands=True)), image) < 1e-12


# --- motion magnification -------------------------------------------------------------


# --- bad input ---------------------------------------------------------------------------
# Every public function, every argument, every kind of bad value (tests/bad_input.py), then
# the constraints between arguments, each naming the argument at fault.

IMAGE = _image((16, 16))                       # max_levels = 2
PYR = steerable_pyramid(IMAGE, 2, order=1)
CPYR = steerable_pyramid(IMAGE, 2, order=1, complex_bands=True)
KERNEL = gaussian_derivative_kernels(1.0, 5)[1]
FRAMES = np.stack([IMAGE, np.roll(IMAGE, 1, axis=1), IMAGE])
ANY_SHAPE = ("one axis too many", "one axis too few")  # any number of axes is accepted

TABLE = [
    Case(gaussian_derivative_kernels, dict(sigma=1.0, size=7), {"sigma": "positive", "size": "count"},
         skip={"size": ("None",)}),            # None: the default size
    Case(directional_derivative_kernel, dict(sigma=1.0, angle=0.3, order=2, size=7),
         {"sigma": "positive", "angle": "real", "order": "count", "size": "count"}, skip={"size": ("None",)}),
    Case(steer, dict(g_x=KERNEL, g_y=KERNEL.T, angle=0.5), {"g_x": "array", "g_y": "array", "angle": "real"}),
    Case(basis_angles, dict(order=3), {"order": "count"}),
    Case(steering_weights, dict(order=3, angle=0.2), {"order": "count", "angle": "real"}),
    Case(steer_basis, dict(basis=np.ones((3, 4, 4)), angle=0.2), {"basis": "array", "angle": "real"},
         skip={"basis": ANY_SHAPE + ("complex numbers",)}),   # (K, ...) of any shape; complex bands steer
    Case(oriented_responses, dict(image=IMAGE, sigma=1.0, angles=np.array([0.0, 1.0]), order=1, size=5),
         {"image": "array", "sigma": "positive", "angles": "array", "order": "count", "size": "count"},
         skip={"size": ("None",)}),
    Case(frequency_grid, dict(shape=(8, 6)), {"shape": "shape"}),
    Case(radial_masks, dict(r=np.linspace(0, 1.2, 7), twidth=1.0), {"r": "array", "twidth": "positive"},
         skip={"r": ANY_SHAPE}),
    Case(angular_constant, dict(order=3), {"order": "count"}),
    Case(angular_masks, dict(theta=np.linspace(-3, 3, 5), order=2, complex_bands=True),
         {"theta": "array", "order": "count", "complex_bands": "flag"}, skip={"theta": ANY_SHAPE}),
    Case(max_levels, dict(shape=(32, 64)), {"shape": "shape"}),
    Case(steerable_pyramid, dict(image=IMAGE, levels=2, order=1, complex_bands=False, twidth=1.0),
         {"image": "array", "levels": "count", "order": "count", "complex_bands": "flag", "twidth": "positive"}),
    Case(PYR.band, dict(level=1, orientation=1), {"level": "count", "orientation": "count"}),
    Case(steer_bands, dict(pyramid=CPYR, level=1, angle=0.3), {"level": "count", "angle": "real"}),
    Case(band_response, dict(shape=(16, 16), level=1, orientation=1, order=2, twidth=1.0, complex_bands=True),
         {"shape": "shape", "level": "count", "orientation": "count", "order": "count", "twidth": "positive",
          "complex_bands": "flag"}),
]


def pyramid_cases(fn, good):
    """Bad pyramids for a function whose argument ``pyramid`` is the real 2-level ``PYR``."""
    bad = {
        "a dict": {"bands": PYR.bands}, "None": None, "a band array": PYR.bands[0],
        "a band missing an orientation": dataclasses.replace(PYR, bands=(PYR.bands[0][:1], PYR.bands[1])),
        "a level missing": dataclasses.replace(PYR, bands=PYR.bands[:1]),
        "NaN in a band": dataclasses.replace(PYR, bands=(PYR.bands[0] * np.nan, PYR.bands[1])),
        "complex bands in a real pyramid": dataclasses.replace(PYR, bands=tuple(b + 1j for b in PYR.bands)),
        "a negative order": dataclasses.replace(PYR, order=-1),
        "a list of bands with a wrong one": dataclasses.replace(PYR, bands=[PYR.bands[0], PYR.bands[0]]),
        "a wrong-size lowpass": dataclasses.replace(PYR, lowpass=np.zeros((3, 3))),
        "an odd-sized highpass": dataclasses.replace(PYR, highpass=np.zeros((18, 16))),
        "a bands string": dataclasses.replace(PYR, bands="bands"),
    }
    return [(fn, dict(good, pyramid=PYR), "pyramid", d, v) for d, v in bad.items()]


CONSTRAINTS = [  # (fn, good, argument at fault, what is wrong, value)
    (steer, dict(g_x=KERNEL, g_y=KERNEL, angle=0.5), "g_y", "another shape than g_x", KERNEL[:, :4]),
    (steer_basis, dict(basis=np.ones((3, 4)), angle=0.2), "basis", "102 basis entries", np.ones((102, 4))),
    (radial_masks, dict(r=np.ones(3), twidth=1.0), "r", "a negative radius", np.array([0.5, -0.1, 1.0])),
    (angular_masks, dict(theta=np.zeros(3), order=1, complex_bands=True), "order", "order 0, complex", 0),
    (steerable_pyramid, dict(image=IMAGE, levels=2), "image", "a side not divisible by 4", np.ones((18, 16))),
    (steerable_pyramid, dict(image=IMAGE, levels=2, complex_bands=True), "order", "order 0, complex", 0),
    (steerable_pyramid, dict(image=IMAGE, levels=2), "levels", "more than max_levels", 3),
    (PYR.band, dict(level=1, orientation=1), "orientation", "past the last orientation", 2),
    (steer_bands, dict(pyramid=PYR, level=1, angle=0.3), "level", "past the coarsest level", 2),
    (band_response, dict(shape=(16, 16), level=0, orientation=0), "level", "past the last level", 2),
    (band_response, dict(shape=(16, 16), level=0, orientation=0), "orientation", "past the last orientation", 4),
    (band_response, dict(shape=(16, 16), level=0, orientation=0, complex_bands=True), "order",
     "order 0, complex", 0),
] + pyramid_cases(reconstruct, {}) + pyramid_cases(pyramid_energy, {}) + pyramid_cases(
    steer_bands, dict(level=0, angle=0.3))

BAD_CALLS, BAD_IDS = expand_with(TABLE, CONSTRAINTS)


@pytest.mark.parametrize("fn, good, arg, description, value", BAD_CALLS, ids=BAD_IDS)
def test_bad_input_is_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)


MESSAGES = [  # the wording of the messages students meet most (what they got, what is wanted)
    (lambda: steerable_pyramid(np.zeros((32, 32)), 4),
     r"levels must be <= 3 for an image of shape \(32, 32\) \(floor\(log2\(min\(H, W\)\)\) - 2\), got 4"),
    (lambda: steerable_pyramid(np.zeros((33, 32)), 2),
     r"an image of shape \(33, 32\) must be divisible by 2\*\*levels = 4 .*np\.pad\(image, \(\(0, 3\), \(0, 0\)\)"),
    (lambda: steerable_pyramid(np.zeros((32, 32)), 2, order=0, complex_bands=True),
     r"complex_bands=True needs order >= 1"),
    (lambda: angular_constant(10**5), r"order must be <= 100 \(order N needs N \+ 1 basis filters"),
    (lambda: gaussian_derivative_kernels(1000.0), r"sigma must be a finite real number >= 0.05 and <= 100, got 1000"),
    (lambda: steer(np.zeros((3, 3)), np.zeros((3, 4)), 0.1),
     r"g_y must have shape \(H, W\) with W = 3 as in g_x \(shape \(3, 3\)\), got shape \(3, 4\)"),
    (lambda: steer_basis(np.zeros((0, 3)), 0.1), r"basis is empty \(shape \(0, 3\)\)"),
    (lambda: PYR.band(2, 0), r"level must be <= 1 \(the pyramid has 2 band levels, 0 to 1\), got 2"),
    (lambda: reconstruct({"bands": PYR.bands}), r"pyramid must be a SteerablePyramid .*got dict"),
    (lambda: reconstruct(dataclasses.replace(PYR, bands=(PYR.bands[0][:1], PYR.bands[1]))),
     r"pyramid.bands\[0\] must have shape \(2, 16, 16\), got shape \(1, 16, 16\)"),
]


@pytest.mark.parametrize("call, message", MESSAGES, ids=[m[1][:40] for m in MESSAGES])
def test_messages_say_what_was_given_and_what_is_wanted(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


def test_reconstruct_takes_the_transition_width_as_any_real_number():
    """The masks are cached by (shape, order, width): a numpy scalar or 0-d array width is a plain float."""
    import dataclasses
    image = np.random.default_rng(0).standard_normal((64, 64))
    pyramid = steerable_pyramid(image, 3, order=3)
    for width in (np.array(1.0), np.float32(1.0), 1):
        assert np.allclose(reconstruct(dataclasses.replace(pyramid, twidth=width)), image, atol=1e-12)
