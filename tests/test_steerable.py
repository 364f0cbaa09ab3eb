"""Steerable filters, the steerable pyramid and motion magnification.

Every expected value comes from an independent derivation: the Gaussian's closed
form and finite differences of it, trigonometric identities, Parseval, direct
frequency-domain filtering with the closed-form masks, or pyrtools (optional).
"""

import dataclasses
import math

import numpy as np
import pytest
from scipy import ndimage
from skimage import data, transform

from lecture_utils.steerable import (SteerablePyramid, angular_constant, angular_masks,
                                     basis_angles, directional_derivative_kernel,
                                     estimate_translation, frequency_grid,
                                     gaussian_derivative_kernels, magnify_motion,
                                     max_pyramid_height, oriented_responses, orientation_explorer,
                                     phase_difference, pyramid_energy, radial_masks,
                                     reconstruct_steerable, steer, steer_bands, steer_basis,
                                     steerable_pyramid, steering_weights, temporal_bandpass)

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


def test_steering_functions_reject_bad_input():
    with pytest.raises(ValueError, match="sigma must be finite and > 0, got -1.0"):
        gaussian_derivative_kernels(-1.0)
    with pytest.raises(TypeError, match="size must be an integer"):
        gaussian_derivative_kernels(1.0, size=4.5)
    with pytest.raises(ValueError, match=r"same shape, got \(3, 3\) and \(3, 4\)"):
        steer(np.zeros((3, 3)), np.zeros((3, 4)), 0.1)
    with pytest.raises(TypeError, match="angle must be a real number"):
        steer(np.zeros(3), np.zeros(3), "60")
    with pytest.raises(ValueError, match="angle must be finite"):
        steer(np.zeros(3), np.zeros(3), np.inf)
    with pytest.raises(ValueError, match="order must be >= 0, got -1"):
        steering_weights(-1, 0.0)
    with pytest.raises(ValueError, match="image must be 2-D"):
        oriented_responses(np.zeros((2, 8, 8)), 1.0, [0.0])
    with pytest.raises(ValueError, match="basis must have one entry"):
        steer_basis(np.zeros((0, 3)), 0.1)


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


def test_complex_angular_masks_are_twice_on_a_half_plane():
    theta = np.array([0.0, 1.0, 2.0, -2.0, np.pi])
    m = angular_masks(theta, 1, complex=True)
    np.testing.assert_allclose(m[0], [2, 2 * np.cos(1.0), 0, 0, 0], atol=1e-15)
    with pytest.raises(ValueError, match="complex masks need order >= 1"):
        angular_masks(theta, 0, complex=True)


def test_frequency_grid_units():
    r, theta = frequency_grid((8, 4))
    assert r[0, 0] == 0 and r[0, 2] == 1.0 and r[4, 0] == 1.0  # Nyquist along each axis
    assert r[0, 1] == 0.5 and theta[2, 0] == pytest.approx(np.pi / 2) and theta[0, 1] == 0.0
    with pytest.raises(ValueError, match="shape must be"):
        frequency_grid((4, 4, 4))


# --- the pyramid --------------------------------------------------------------------------


CONFIGS = [  # (shape, height, order, twidth)
    ((128, 128), 4, 3, 1), ((64, 96), 3, 1, 1), ((32, 32), 2, 0, 1), ((64, 64), 4, 5, 1),
    ((48, 80), 2, 2, 0.5), ((64, 64), 3, 3, 2), ((64, 64), 0, 3, 1),
]


def _image(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape) * 50 + 100


@pytest.mark.parametrize("shape,height,order,twidth,cplx",
                         [c + (False,) for c in CONFIGS] + [c + (True,) for c in CONFIGS if c[2] >= 1])
def test_perfect_reconstruction_and_tight_frame(shape, height, order, twidth, cplx):
    image = _image(shape)
    pyr = steerable_pyramid(image, height, order, complex=cplx, twidth=twidth)
    assert pyr.height == height and pyr.num_orientations == order + 1 and pyr.shape == shape
    assert rel(reconstruct_steerable(pyr), image) < 1e-12
    assert pyramid_energy(pyr) == pytest.approx(np.sum(image**2), rel=1e-12)


def test_tight_frame_weights_written_out(camera):
    pyr = steerable_pyramid(camera, 3, 3)
    weighted = (np.sum(pyr.highpass**2) + sum(4**j * np.sum(b**2) for j, b in enumerate(pyr.bands))
                + 4**3 * np.sum(pyr.lowpass**2))
    assert weighted == pytest.approx(np.sum(camera**2), rel=1e-12)
    assert rel(reconstruct_steerable(pyr), camera) < 1e-12


@pytest.mark.parametrize("order", [1, 2, 3])
def test_complex_band_real_part_and_double_energy(camera, order):
    real = steerable_pyramid(camera, 3, order)
    cplx = steerable_pyramid(camera, 3, order, complex=True)
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
    b0 = steerable_pyramid(np.cos(omega * x), 2, complex=True).band(0, 0)
    b1 = steerable_pyramid(np.cos(omega * (x - d)), 2, complex=True).band(0, 0)
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
    assert rel(reconstruct_steerable(summed), camera + camera.T) < 1e-12
    # Removing the level-0 bands removes exactly their contribution.
    no_level0 = dataclasses.replace(a, bands=(np.zeros_like(a.bands[0]),) + a.bands[1:])
    only_level0 = dataclasses.replace(a, highpass=np.zeros_like(a.highpass),
                                      bands=(a.bands[0], *(np.zeros_like(x) for x in a.bands[1:])),
                                      lowpass=np.zeros_like(a.lowpass))
    assert rel(reconstruct_steerable(no_level0) + reconstruct_steerable(only_level0), camera) < 1e-12


@pytest.mark.parametrize("cplx", [False, True])
def test_steer_bands_equals_the_band_filtered_at_that_angle(camera, cplx):
    pyr = steerable_pyramid(camera, 2, order=3, complex=cplx)
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


def test_pyramid_band_accessors(camera):
    pyr = steerable_pyramid(camera, 2, order=1)
    np.testing.assert_allclose(pyr.orientations, [0, np.pi / 2])
    assert pyr.band(1, 1).shape == (64, 64)
    with pytest.raises(ValueError, match=r"within \(2, 2\), got \(2, 0\)"):
        pyr.band(2, 0)


def test_pyramid_rejects_bad_input():
    with pytest.raises(ValueError, match=r"image must be 2-D, got shape \(2, 32, 32\)"):
        steerable_pyramid(np.zeros((2, 32, 32)), 2)
    with pytest.raises(ValueError, match=r"height=4 is too large for an image of shape \(32, 32\): at most .* = 3"):
        steerable_pyramid(np.zeros((32, 32)), 4)
    with pytest.raises(ValueError, match="order must be >= 0, got -1"):
        steerable_pyramid(np.zeros((32, 32)), 2, order=-1)
    with pytest.raises(ValueError, match="complex=True needs order >= 1"):
        steerable_pyramid(np.zeros((32, 32)), 2, order=0, complex=True)
    with pytest.raises(ValueError, match=r"\(33, 32\) must be divisible by 2\*\*height = 4.*np.pad"):
        steerable_pyramid(np.zeros((33, 32)), 2)
    with pytest.raises(ValueError, match="twidth must be finite and > 0"):
        steerable_pyramid(np.zeros((32, 32)), 2, twidth=0)
    with pytest.raises(ValueError, match="image contains NaN"):
        steerable_pyramid(np.full((32, 32), np.nan), 2)
    with pytest.raises(TypeError, match="complex must be True or False"):
        steerable_pyramid(np.zeros((32, 32)), 2, complex="yes")
    assert max_pyramid_height((32, 64)) == 3 and max_pyramid_height((4, 4)) == 0


def test_reconstruct_and_steer_reject_inconsistent_pyramids(camera):
    pyr = steerable_pyramid(camera, 2)
    with pytest.raises(TypeError, match="pyr must be a SteerablePyramid, got dict"):
        reconstruct_steerable({"bands": pyr.bands})
    bad = dataclasses.replace(pyr, bands=(pyr.bands[0][:3], pyr.bands[1]))
    with pytest.raises(ValueError, match=r"pyr.bands\[0\] must have shape \(4, 128, 128\), got \(3, 128, 128\)"):
        reconstruct_steerable(bad)
    with pytest.raises(ValueError, match=r"pyr.lowpass must have shape \(32, 32\)"):
        reconstruct_steerable(dataclasses.replace(pyr, lowpass=np.zeros((16, 16))))
    with pytest.raises(ValueError, match="level must be < pyr.height = 2, got 2"):
        steer_bands(pyr, 2, 0.0)


def test_odd_size_works_after_reflect_padding():
    image = _image((37, 45))
    padded = np.pad(image, ((0, 3), (0, 3)), mode="reflect")
    pyr = steerable_pyramid(padded, 3)
    assert rel(reconstruct_steerable(pyr)[:37, :45], image) < 1e-12


def test_extreme_amplitudes_reconstruct():
    for scale in (1e-300, 1e300):
        image = _image((32, 32)) * scale / 100
        assert rel(reconstruct_steerable(steerable_pyramid(image, 2, complex=True)), image) < 1e-12


# --- motion magnification -------------------------------------------------------------


def test_phase_difference_wraps_instead_of_mis_parsing():
    ref = np.exp(1j * (np.pi - 0.1))
    band = np.exp(-1j * (np.pi - 0.1))  # 0.2 rad further on, across the branch cut
    assert phase_difference(band, ref) == pytest.approx(0.2, abs=1e-12)
    assert phase_difference(ref, band) == pytest.approx(-0.2, abs=1e-12)
    assert phase_difference(3 * np.exp(-0.05j), 2.0) == pytest.approx(-0.05, abs=1e-14)
    with pytest.raises(ValueError, match="broadcastable shapes"):
        phase_difference(np.ones(3), np.ones(4))
    with pytest.raises(TypeError, match="band must be a numeric"):
        phase_difference(np.array(["a"]), 1.0)


def test_temporal_bandpass_keeps_only_the_pass_band():
    fps, n = 30.0, 60  # 2 s: 1, 3 and 6 Hz fit whole cycles
    t = np.arange(n) / fps
    parts = [np.sin(2 * np.pi * f * t) for f in (1, 3, 6)]
    signal = np.stack([sum(parts) + 2.0] * 2, axis=1)  # (T, 2)
    out = temporal_bandpass(signal, 2, 4, fps, axis=0)
    np.testing.assert_allclose(out[:, 0], parts[1], atol=1e-12)
    np.testing.assert_allclose(temporal_bandpass(signal.T, 0, 1.5, fps, axis=1)[0], parts[0] + 2.0, atol=1e-12)
    with pytest.raises(ValueError, match=r"0 <= low < high <= fps/2 \(Nyquist, 15.0 Hz\), got low=2.0, high=20.0"):
        temporal_bandpass(signal, 2, 20, fps)
    with pytest.raises(ValueError, match="low < high"):
        temporal_bandpass(signal, 4, 2, fps)
    with pytest.raises(ValueError, match="low must be finite and >= 0"):
        temporal_bandpass(signal, -1, 2, fps)


def _vibrating_texture(n=64, frames=16, fps=16.0, freq=2.0, amp=0.1):
    """A mid-band random texture translating horizontally by amp sin(2 pi freq t)."""
    rng = np.random.default_rng(3)
    r, _ = frequency_grid((n, n))
    spectrum = np.fft.fft2(rng.standard_normal((n, n))) * ((r > 0.08) & (r < 0.45))
    texture = np.fft.ifft2(spectrum).real
    t = np.arange(frames) / fps
    delta = amp * np.sin(2 * np.pi * freq * t)
    video = np.stack([np.fft.ifft2(ndimage.fourier_shift(np.fft.fft2(texture), (0, d))).real for d in delta])
    return video, delta


def test_magnify_with_alpha_zero_returns_the_input():
    video, _ = _vibrating_texture()
    out = magnify_motion(video, 0.0, 1, 3, 16.0, height=3)
    assert rel(out, video) < 1e-12


@pytest.mark.parametrize("sigma", [0.0, 1.0])
def test_magnified_displacement_is_one_plus_alpha_times_the_true_one(sigma):
    video, delta = _vibrating_texture()
    alpha = 4.0
    out = magnify_motion(video, alpha, 1, 3, 16.0, height=3, sigma=sigma)
    measured = np.array([estimate_translation(f, out[0])[1] for f in out])
    ratio = (measured @ delta) / (delta @ delta)  # least-squares gain of the measured motion
    assert ratio == pytest.approx(1 + alpha, rel=0.1)


def test_magnify_default_height_fits_the_frame_size():
    # 100 x 100 allows height 4 by size, but 100 is divisible by 4 and not by 8: height 2.
    frames = np.random.default_rng(1).standard_normal((3, 100, 100))
    assert rel(magnify_motion(frames, 0.0, 1, 3, 16.0), frames) < 1e-12
    with pytest.raises(ValueError, match="divisible by 2\\*\\*height = 8"):
        magnify_motion(frames, 0.0, 1, 3, 16.0, height=3)


def test_magnify_rejects_bad_input():
    video, _ = _vibrating_texture(frames=4)
    with pytest.raises(ValueError, match=r"frame 0 is \(64, 64\), frame 2 is \(64, 32\)"):
        magnify_motion([video[0], video[1], video[2][:, :32]], 2.0, 1, 3, 16.0)
    with pytest.raises(ValueError, match="frames must be 3-D"):
        magnify_motion(video[0], 2.0, 1, 3, 16.0)
    with pytest.raises(ValueError, match="at least 2 frames"):
        magnify_motion(video[:1], 2.0, 1, 3, 16.0)
    with pytest.raises(ValueError, match="alpha must be finite and >= 0, got -1.0"):
        magnify_motion(video, -1.0, 1, 3, 16.0)
    with pytest.raises(ValueError, match=r"high <= fps/2 \(Nyquist, 8.0 Hz\)"):
        magnify_motion(video, 2.0, 1, 9, 16.0)
    with pytest.raises(ValueError, match="order must be >= 1, got 0"):
        magnify_motion(video, 2.0, 1, 3, 16.0, order=0)
    with pytest.raises(ValueError, match="reference must index a frame"):
        magnify_motion(video, 2.0, 1, 3, 16.0, reference=4)


def test_estimate_translation_recovers_a_fourier_shift(camera):
    smooth = ndimage.gaussian_filter(camera[:64, :64], 1.0, mode="wrap")
    moved = np.fft.ifft2(ndimage.fourier_shift(np.fft.fft2(smooth), (0.3, -0.7))).real
    np.testing.assert_allclose(estimate_translation(moved, smooth), [0.3, -0.7], atol=1e-8)
    skimage_registration = pytest.importorskip("skimage.registration")
    shift, _, _ = skimage_registration.phase_cross_correlation(moved, smooth, upsample_factor=100)
    np.testing.assert_allclose(estimate_translation(moved, smooth), shift, atol=0.02)
    weights = np.zeros((64, 64))
    weights[10:40, 10:40] = 1
    np.testing.assert_allclose(estimate_translation(moved, smooth, weights), [0.3, -0.7], atol=1e-8)
    with pytest.raises(ValueError, match="weights must be non-negative"):
        estimate_translation(moved, smooth, -weights)
    with pytest.raises(ValueError, match=r"same shape, got \(64, 64\) and \(64, 63\)"):
        estimate_translation(moved, smooth[:, :63])


# --- widget ----------------------------------------------------------------------------


def test_orientation_explorer_headless(camera):
    image = camera[:40, :40]
    explorer = orientation_explorer(image, sigma=2.0)
    assert explorer.updates == 1 and np.degrees(explorer.result["angle"]) == pytest.approx(60)
    _, g_x, g_y = gaussian_derivative_kernels(2.0)
    assert rel(explorer.result["kernel"], 0.5 * g_x + np.sqrt(3) / 2 * g_y) < 1e-12
    explorer.controls["angle_deg"].value = 135
    assert explorer.updates == 2
    direct = ndimage.convolve(image, directional_derivative_kernel(2.0, np.radians(135)), mode="reflect")
    assert rel(explorer.result["response"], direct) < 1e-12
    assert explorer.image.value[:4] == b"\x89PNG"
    assert "Steered derivative explorer (angle_deg)" in explorer._repr_mimebundle_()["text/plain"]
    with pytest.raises(ValueError, match="order must be >= 1"):
        orientation_explorer(image, order=0)
