"""Motion magnification: the phase method (Wadhwa et al. 2013) and the linear one (Wu et al. 2012).

Every expected value comes from an independent derivation: a Fourier shift (the exact translation),
the closed form of a linear filter's noise amplification, Wu et al.'s Eq. 14, scikit-image's phase
cross-correlation for the translation estimate.
"""

import functools

import numpy as np
import pytest
from scipy import ndimage
from skimage import data, transform

from bad_input import Case, check_refused, expand_with
from lecture_utils import magnify
from lecture_utils.magnify import (TranslationNotFound, estimate_translation, fourier_translate, linear_level_gains, magnify_motion, magnify_motion_full_grid,
                                   magnify_motion_linear, phase_difference, phase_share, temporal_bandpass,
                                   translation_amplitude)
from lecture_utils.steerable import frequency_grid, max_levels


@pytest.fixture(scope="module")
def camera():
    return transform.resize(data.camera().astype(float), (128, 128), anti_aliasing=True)


def rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


def _image(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape) * 50 + 100


def translate(image, dx):
    """The exact periodic translation by dx pixels along x (a Fourier shift)."""
    return np.fft.ifft2(ndimage.fourier_shift(np.fft.fft2(image), (0, dx))).real


def test_phase_difference_wraps_instead_of_mis_parsing():
    ref = np.exp(1j * (np.pi - 0.1))
    band = np.exp(-1j * (np.pi - 0.1))  # 0.2 rad further on, across the branch cut
    assert phase_difference(band, ref) == pytest.approx(0.2, abs=1e-12)
    assert phase_difference(ref, band) == pytest.approx(-0.2, abs=1e-12)
    assert phase_difference(3 * np.exp(-0.05j), 2.0) == pytest.approx(-0.05, abs=1e-14)


def test_temporal_bandpass_keeps_only_the_pass_band():
    fps, n = 30.0, 60  # 2 s: 1, 3 and 6 Hz fit whole cycles
    t = np.arange(n) / fps
    parts = [np.sin(2 * np.pi * f * t) for f in (1, 3, 6)]
    signal = np.stack([sum(parts) + 2.0] * 2, axis=1)  # (T, 2)
    out = temporal_bandpass(signal, 2, 4, fps, axis=0)
    np.testing.assert_allclose(out[:, 0], parts[1], atol=1e-12)
    np.testing.assert_allclose(temporal_bandpass(signal.T, 0, 1.5, fps, axis=1)[0], parts[0] + 2.0, atol=1e-12)


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
    out = magnify_motion(video, 0.0, 1, 3, 16.0, levels=3)
    assert rel(out, video) < 1e-12


@pytest.mark.parametrize("sigma", [0.0, 1.0])
def test_magnified_displacement_is_one_plus_alpha_times_the_true_one(sigma):
    video, delta = _vibrating_texture()
    alpha = 4.0
    out = magnify_motion(video, alpha, 1, 3, 16.0, levels=3, sigma=sigma)
    measured = np.array([estimate_translation(f, out[0])[1] for f in out])
    ratio = (measured @ delta) / (delta @ delta)  # least-squares gain of the measured motion
    assert ratio == pytest.approx(1 + alpha, rel=0.1)


def test_magnify_default_levels_fit_the_frame_size():
    # 100 x 100 allows 4 levels by size, but 100 is divisible by 4 and not by 8: 2 levels.
    frames = np.random.default_rng(1).standard_normal((3, 100, 100))
    assert rel(magnify_motion(frames, 0.0, 1, 3, 16.0), frames) < 1e-12
    with pytest.raises(ValueError, match="divisible by 2\\*\\*levels = 8"):
        magnify_motion(frames, 0.0, 1, 3, 16.0, levels=3)
    assert max_levels((32, 64)) == 3 and max_levels((4, 4)) == 0 and max_levels((1, 7)) == 0


def test_linear_magnification_without_cut_off_is_frames_plus_alpha_times_the_band_pass():
    # The Laplacian pyramid is linear and exactly invertible, and it commutes with filtering in time.
    video = np.random.default_rng(5).standard_normal((12, 20, 17))
    out = magnify_motion_linear(video, 3.5, 1.0, 3.0, 12.0)
    np.testing.assert_allclose(out, video + 3.5 * temporal_bandpass(video, 1.0, 3.0, 12.0), atol=1e-12)
    np.testing.assert_allclose(magnify_motion_linear(video, 0.0, 1.0, 3.0, 12.0, lambda_c=16), video, atol=1e-12)


@pytest.mark.parametrize("alpha", [1.0, 4.0])
def test_linear_magnification_of_a_known_translation(alpha):
    # A smooth texture moving by a 0.02-pixel sine: (1 + alpha) delta is far below lambda / 8 (Wu et al.,
    # Eq. 14), so the first-order expansion holds and the motion comes out (1 + alpha) times larger.
    video, delta = _vibrating_texture(amp=0.02)
    video = np.stack([ndimage.gaussian_filter(f, 1.5, mode="wrap") for f in video])
    out = magnify_motion_linear(video, alpha, 1, 3, 16.0)
    measured = np.array([estimate_translation(f, out[0])[1] for f in out])
    assert (measured @ delta) / (delta @ delta) == pytest.approx(1 + alpha, rel=0.01)


def test_linear_noise_amplification_is_its_closed_form_for_an_ideal_band_pass():
    # Output noise n + alpha BP(n), BP an orthogonal projection keeping a share rho of the temporal
    # frequencies: ||out - clean||^2 = ||n||^2 + (2 alpha + alpha^2) ||BP(n)||^2 exactly, and for
    # white noise E||BP(n)||^2 = rho ||n||^2: amplification sqrt(1 + ((1 + alpha)^2 - 1) rho).
    rng = np.random.default_rng(7)
    frames, fps, low, high, alpha = 32, 32.0, 2.0, 6.0, 9.0
    clean = np.broadcast_to(_image((32, 32), seed=1) / 100, (frames, 32, 32))
    noise = 0.01 * rng.standard_normal((frames, 32, 32))
    out = magnify_motion_linear(clean + noise, alpha, low, high, fps)
    measured = np.linalg.norm(out - clean) / np.linalg.norm(noise)
    exact = np.sqrt(1 + (2 * alpha + alpha**2) * np.sum(temporal_bandpass(noise, low, high, fps) ** 2)
                    / np.sum(noise**2))
    assert measured == pytest.approx(exact, rel=1e-10)
    freqs = np.abs(np.fft.fftfreq(frames, 1 / fps))
    rho = np.mean((freqs >= low) & (freqs <= high))                     # 10 of the 32 temporal frequencies
    assert measured == pytest.approx(np.sqrt(1 + ((1 + alpha) ** 2 - 1) * rho), rel=0.03)


def test_phase_magnification_moves_noise_instead_of_amplifying_it():
    rng = np.random.default_rng(8)
    frames, fps = 32, 32.0
    clean = np.broadcast_to(ndimage.gaussian_filter(_image((64, 64), seed=2), 1.0, mode="wrap") / 100,
                            (frames, 64, 64))
    noise = 0.01 * rng.standard_normal((frames, 64, 64))
    gains = {}
    for name, magnify in (("linear", magnify_motion_linear), ("phase", magnify_motion)):
        gains[name] = np.linalg.norm(magnify(clean + noise, 9.0, 2.0, 6.0, fps) - clean) / np.linalg.norm(noise)
    smoothed = magnify_motion(clean + noise, 9.0, 2.0, 6.0, fps, sigma=2.0)
    gains["smoothed"] = np.linalg.norm(smoothed - clean) / np.linalg.norm(noise)
    assert gains["smoothed"] < gains["phase"] < 0.5 * gains["linear"]


def test_linear_level_gains_follow_wu_et_al_eq_14():
    np.testing.assert_allclose(linear_level_gains(10.0, 6), [10.0] * 6)
    # lambda_k = 4, 8, 16, 32, 64 px and lambda_c = 16: (1 + 10) lambda / 16 - 1 = 1.75, 4.5, then capped at 10.
    np.testing.assert_allclose(linear_level_gains(10.0, 6, lambda_c=16), [1.75, 4.5, 10, 10, 10, 10])
    np.testing.assert_allclose(linear_level_gains(3.0, 3, lambda_c=64), [0.0, 0.0, 3.0])   # 4 * 4 / 64 - 1 < 0
    # Each attenuated level meets the bound (1 + alpha_k) delta = lambda_k / 8 for delta = lambda_c / (8 (1 + alpha)).
    alpha, lambda_c = 5.0, 40.0
    gains = linear_level_gains(alpha, 5, lambda_c)[:-1]
    delta = lambda_c / (8 * (1 + alpha))
    ramp = gains < alpha
    on_the_ramp = ramp & (gains > 0)
    np.testing.assert_allclose(((1 + gains) * delta)[on_the_ramp], (2.0 ** np.arange(2, 6) / 8)[on_the_ramp])


def test_linear_magnification_uses_the_level_gains():
    # Only the low-pass level moves (a constant brightness flicker): it gets alpha whatever lambda_c.
    t = np.arange(16) / 16
    flicker = 0.1 * np.sin(2 * np.pi * 2 * t)[:, None, None] * np.ones((16, 8, 8))
    out = magnify_motion_linear(1 + flicker, 2.0, 1, 3, 16.0, lambda_c=1000.0)
    np.testing.assert_allclose(out, 1 + 3 * flicker, atol=1e-12)


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


def test_released_linear_setting_leaves_the_finest_band_and_the_lowpass_alone():
    np.testing.assert_allclose(linear_level_gains(10.0, 5, skip_ends=True), [0, 10, 10, 10, 0])
    np.testing.assert_allclose(linear_level_gains(10.0, 6, lambda_c=16, skip_ends=True), [0, 4.5, 10, 10, 10, 0])
    # A uniform flicker lives in the low-pass level only: every level magnifies it, skip_ends none.
    t = np.arange(16) / 16
    flicker = 0.1 * np.sin(2 * np.pi * 2 * t)[:, None, None] * np.ones((16, 16, 16))
    np.testing.assert_allclose(magnify_motion_linear(1 + flicker, 2.0, 1, 3, 16.0), 1 + 3 * flicker, atol=1e-12)
    np.testing.assert_allclose(magnify_motion_linear(1 + flicker, 2.0, 1, 3, 16.0, skip_ends=True), 1 + flicker,
                               atol=1e-12)
    # A checkerboard flicker is the Nyquist frequency: all of it in the finest band L_1, where
    # the reflecting boundary keeps it whole (the blur [1 4 6 4 1] / 16 gives it 0), so it is left alone too.
    checker = (-1.0) ** np.add.outer(np.arange(16), np.arange(16))
    video = 0.5 + flicker * checker
    np.testing.assert_allclose(magnify_motion_linear(video, 2.0, 1, 3, 16.0, skip_ends=True), video, atol=1e-12)


@pytest.mark.parametrize("bands_per_octave, order, twidth", [(1, 3, 1.0), (2, 7, 0.75), (2, 3, 1.0)])
def test_full_grid_magnification_of_a_translated_grating_is_exact(bands_per_octave, order, twidth):
    # A grating cos(omega x) translated by delta(t) is, in every ring, c e^{i omega (x - delta)}: its phase
    # change -omega delta(t) is exactly the band-passed sine, so the output is the grating moved by
    # (1 + alpha) delta(t) exactly, whatever the rings (their real filters' squares sum to 1).
    n, fps = 64, 16.0
    x = np.arange(n)[None, :] * np.ones((n, 1))
    omega = 2 * np.pi * 6 / n
    delta = 0.3 * np.sin(2 * np.pi * 2 * np.arange(16) / fps)
    video = np.stack([np.cos(omega * (x - d)) for d in delta])
    out = magnify_motion_full_grid(video, 3.0, 1, 3, fps, 3, bands_per_octave, order, twidth)
    np.testing.assert_allclose(out, np.stack([np.cos(omega * (x - 4 * d)) for d in delta]), atol=1e-12)
    assert rel(magnify_motion_full_grid(video, 0.0, 1, 3, fps, 3, bands_per_octave, order, twidth), video) < 1e-13


def test_full_grid_octave_magnification_is_close_to_the_subsampled_pyramids():
    # The same filters, the phase edit made on the full grid instead of each level's own: the same
    # magnification of a textured translation to a few per mille.
    rng = np.random.default_rng(4)
    texture = ndimage.gaussian_filter(rng.standard_normal((64, 64)), 2.0, mode="wrap")
    delta = 0.1 * np.sin(2 * np.pi * 2 * np.arange(16) / 16)
    video = np.stack([translate(texture, d) for d in delta])
    ratio = []
    for out in (magnify_motion(video, 4.0, 1, 3, 16.0, levels=3),
                magnify_motion_full_grid(video, 4.0, 1, 3, 16.0, 3, 1, 3, 1.0)):
        measured = np.array([estimate_translation(f, out[0])[1] for f in out])
        ratio.append((measured @ delta) / (delta @ delta))
    assert ratio[1] == pytest.approx(ratio[0], rel=3e-3)
    assert 4.0 < ratio[0] < 5.0                        # short of 1 + alpha: amplitude changes are not magnified


def test_fourier_translate_is_scipys_fourier_shift_and_what_estimate_translation_reads(camera):
    image = ndimage.gaussian_filter(camera[:32, :48], 1.0, mode="wrap")
    np.testing.assert_allclose(fourier_translate(image, 0.7, -1.3), translate_yx(image, -1.3, 0.7), atol=1e-12)
    np.testing.assert_allclose(fourier_translate(image, 3.0), np.roll(image, 3, axis=1), atol=1e-12)
    np.testing.assert_allclose(estimate_translation(fourier_translate(image, 0.25, 0.4), image), [0.4, 0.25], atol=1e-8)


def translate_yx(image, dy, dx):
    return np.fft.ifft2(ndimage.fourier_shift(np.fft.fft2(image), (dy, dx))).real


def test_translation_amplitude_is_the_least_squares_gain_of_the_measured_motion():
    rng = np.random.default_rng(11)
    texture = ndimage.gaussian_filter(rng.standard_normal((32, 32)), 1.5, mode="wrap")
    wave = np.sin(2 * np.pi * np.arange(12) / 6)
    video = np.stack([translate(texture, 0.3 * w + 0.05 * w**2) for w in wave])      # a sine plus a harmonic
    # sum_t (0.3 w + 0.05 w^2) w / sum_t w^2 = 0.3 (the w^3 terms cancel over whole periods)
    assert translation_amplitude(video, wave) == pytest.approx(0.3, abs=1e-8)
    weights = np.zeros((32, 32))
    weights[4:20, 8:30] = 1.0
    assert translation_amplitude(video, wave, weights) == pytest.approx(0.3, abs=1e-8)


def test_phase_share_is_one_for_a_grating_and_tends_to_the_gabor_closed_form():
    n = 128
    x = np.arange(n)[None, :] * np.ones((n, 1))
    assert phase_share(np.cos(2 * np.pi * 10 * x / n), 4) == pytest.approx(1.0, abs=1e-12)
    # A Gabor env(x, y) cos(omega x) with env = exp(-r^2 / 2 s^2): its x-derivative splits into the
    # carrier's part omega env (phase) and env' (amplitude), of energies omega^2 and 1 / (2 s^2) per unit
    # of env^2: s_phase = omega^2 / (omega^2 + 1 / (2 s^2)), which the bands approach as s grows.
    yy, xx = np.mgrid[:n, :n] - n / 2
    omega = 2 * np.pi / 16
    shares, ratios = [], []
    for s in (8, 16, 32):
        gabor = np.exp(-(xx**2 + yy**2) / (2 * s**2)) * np.cos(omega * xx)
        shares.append(phase_share(gabor, 4))
        closed = omega**2 / (omega**2 + 1 / (2 * s**2))
        ratios.append((1 - shares[-1]) / (1 - closed))    # the bands widen a narrow envelope a little
    assert shares[0] < shares[1] < shares[2] < 1
    assert 0.5 < ratios[0] < ratios[1] < ratios[2] <= 1 and ratios[2] > 0.85


def test_phase_share_predicts_the_measured_magnification():
    rng = np.random.default_rng(12)
    texture = ndimage.gaussian_filter(rng.standard_normal((64, 64)), 1.0, mode="wrap")
    texture = texture - np.mean(texture)
    wave = np.sin(2 * np.pi * 2 * np.arange(16) / 16)
    video = np.stack([translate(texture, 0.05 * w) for w in wave])
    measured = translation_amplitude(magnify_motion(video, 4.0, 1, 3, 16.0, levels=3), wave) / 0.05
    assert measured == pytest.approx(1 + 4 * phase_share(texture, 3), rel=0.01)



def test_phase_share_and_translation_amplitude_do_not_depend_on_the_size_of_their_values():
    # s is a ratio, linear in the image and in the weights above and below; a scales as 1 / wave. Scaled by a
    # power of two they give the same numbers to the last bit; at 1e300, where squares overflow, to round-off.
    rng = np.random.default_rng(13)
    image = ndimage.gaussian_filter(rng.standard_normal((32, 32)), 1.0, mode="wrap")
    weights = rng.uniform(0, 1, (32, 32))
    share = phase_share(image, 2, weights)
    assert phase_share(image * 2.0**900, 2, weights * 2.0**-900) == share
    wave = np.sin(2 * np.pi * np.arange(8) / 8)
    video = np.stack([translate(image, 0.2 * w) for w in wave])
    amplitude = translation_amplitude(video, wave)
    assert translation_amplitude(video, wave * 2.0**900) == amplitude / 2.0**900
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert phase_share(image * 1e300, 2, weights * 1e300) == pytest.approx(share, rel=1e-12)
        assert translation_amplitude(video, wave * 1e300) == pytest.approx(amplitude / 1e300, rel=1e-12)

# --- bad input ---------------------------------------------------------------------------

IMAGE = _image((16, 16))                       # max_levels = 2
FRAMES = np.stack([IMAGE, np.roll(IMAGE, 1, axis=1), IMAGE])
ANY_SHAPE = ("one axis too many", "one axis too few")  # any number of axes is accepted

TABLE = [
    Case(phase_difference, dict(band=np.array([[1.0, -2.0], [0.5, 3.0]]), reference=np.ones((2, 2))),
         {"band": "array", "reference": "array"},
         skip={"band": ANY_SHAPE + ("complex numbers",),           # broadcasting shapes; complex bands
               "reference": ANY_SHAPE + ("complex numbers",)}),
    Case(temporal_bandpass, dict(signal=np.ones(16), low=1.0, high=3.0, fps=16.0, axis=0),
         {"signal": "array", "low": "real", "high": "positive", "fps": "positive", "axis": "int"},
         skip={"signal": ("one axis too many",)}),               # a (1, T) signal along axis 0 is fine
    Case(magnify_motion, dict(frames=FRAMES, alpha=2.0, low=1.0, high=3.0, fps=16.0, levels=1, order=1,
                              twidth=1.0, sigma=0.5, reference=0),
         {"frames": "array", "alpha": "real", "low": "real", "high": "positive", "fps": "positive",
          "levels": "count", "order": "count", "twidth": "positive", "sigma": "real", "reference": "count"},
         skip={"levels": ("None",)}),                            # None: the most levels that fit
    Case(magnify_motion_linear, dict(frames=FRAMES, alpha=2.0, low=1.0, high=3.0, fps=16.0, levels=3, lambda_c=8.0,
                                     skip_ends=True),
         {"frames": "array", "alpha": "real", "low": "real", "high": "positive", "fps": "positive",
          "levels": "count", "lambda_c": "real", "skip_ends": "flag"}, skip={"levels": ("None",)}),  # None: most
    Case(linear_level_gains, dict(alpha=2.0, levels=4, lambda_c=8.0, skip_ends=False),
         {"alpha": "real", "levels": "count", "lambda_c": "real", "skip_ends": "flag"}),
    Case(fourier_translate, dict(image=IMAGE, dx=0.5, dy=-0.25), {"image": "array", "dx": "real", "dy": "real"}),
    Case(translation_amplitude, dict(frames=FRAMES, wave=np.array([0.0, 1.0, -1.0]), weights=np.ones((16, 16))),
         {"frames": "array", "wave": "array", "weights": "array"}, skip={"weights": ("None",)}),
    Case(phase_share, dict(image=IMAGE, levels=2, weights=np.ones((16, 16))),
         {"image": "array", "levels": "count", "weights": "array"}, skip={"levels": ("None",), "weights": ("None",)}),
    Case(magnify_motion_full_grid, dict(frames=FRAMES, alpha=2.0, low=1.0, high=3.0, fps=16.0, octaves=2,
                                        bands_per_octave=2, order=3, twidth=0.75, reference=0),
         {"frames": "array", "alpha": "real", "low": "real", "high": "positive", "fps": "positive",
          "octaves": "count", "bands_per_octave": "count", "order": "count", "twidth": "positive",
          "reference": "count"}, skip={"octaves": ("None",)}),      # None: the most octaves
    Case(estimate_translation, dict(frame=IMAGE, reference=np.roll(IMAGE, 1, axis=0), weights=np.ones((16, 16)),
                                    max_iter=50),
         {"frame": "array", "reference": "array", "weights": "array", "max_iter": "count"},
         skip={"weights": ("None",)}),                           # None: uniform weights
]

CONSTRAINTS = [  # (fn, good, argument at fault, what is wrong, value)
    (phase_difference, dict(band=np.ones((3, 4)), reference=np.ones((3, 4))), "reference",
     "a shape that does not broadcast", np.ones((3, 5))),
    (temporal_bandpass, dict(signal=np.ones(16), low=1.0, high=3.0, fps=16.0), "high", "above Nyquist", 9.0),
    (temporal_bandpass, dict(signal=np.ones(16), low=1.0, high=3.0, fps=16.0), "low", "above high", 4.0),
    (temporal_bandpass, dict(signal=np.ones((16, 2)), low=1.0, high=3.0, fps=16.0), "axis", "no such axis", 2),
    (magnify_motion, dict(frames=FRAMES, alpha=1.0, low=1.0, high=3.0, fps=16.0, levels=1), "frames",
     "frames of different shapes", [IMAGE, IMAGE, IMAGE[:, :8]]),
    (magnify_motion, dict(frames=FRAMES, alpha=1.0, low=1.0, high=3.0, fps=16.0, levels=1), "frames",
     "a single frame", FRAMES[:1]),
    (magnify_motion, dict(frames=FRAMES, alpha=1.0, low=1.0, high=3.0, fps=16.0, levels=1), "reference",
     "past the last frame", 3),
    (magnify_motion, dict(frames=FRAMES, alpha=1.0, low=1.0, high=3.0, fps=16.0, levels=1), "levels",
     "more than the frames allow", 3),
    (magnify_motion, dict(frames=FRAMES, alpha=1.0, low=1.0, high=3.0, fps=16.0, levels=1), "order",
     "order 0 (magnification needs complex bands)", 0),
    (magnify_motion_linear, dict(frames=FRAMES, alpha=1.0, low=1.0, high=3.0, fps=16.0), "frames",
     "a single frame", FRAMES[:1]),
    (magnify_motion_linear, dict(frames=FRAMES, alpha=1.0, low=1.0, high=3.0, fps=16.0), "levels",
     "more than the frames allow", 6),
    (magnify_motion_linear, dict(frames=FRAMES, alpha=1.0, low=1.0, high=3.0, fps=16.0), "high", "above Nyquist", 9.0),
    (estimate_translation, dict(frame=IMAGE, reference=IMAGE), "reference", "another shape than frame",
     IMAGE[:, :15]),
    (estimate_translation, dict(frame=IMAGE, reference=IMAGE), "weights", "negative weights", -np.ones((16, 16))),
    (estimate_translation, dict(frame=IMAGE, reference=IMAGE), "weights", "all-zero weights", np.zeros((16, 16))),
    (magnify_motion_linear, dict(frames=FRAMES, alpha=1.0, low=1.0, high=3.0, fps=16.0, skip_ends=True), "levels",
     "2 levels and skip_ends", 2),
    (translation_amplitude, dict(frames=FRAMES, wave=np.array([0.0, 1.0, -1.0])), "wave", "all zeros", np.zeros(3)),
    (translation_amplitude, dict(frames=FRAMES, wave=np.array([0.0, 1.0, -1.0])), "wave", "one entry per frame "
     "too many", np.ones(4)),
    (phase_share, dict(image=IMAGE), "levels", "more than fit", 3),
    (phase_share, dict(image=IMAGE), "image", "constant along every row", np.tile(IMAGE[:, :1], (1, 16))),
    (phase_share, dict(image=IMAGE), "image", "(-1)^x, whose samples of dI/dx are 0",
     np.tile((-1.0) ** np.arange(16), (16, 1))),
    (phase_share, dict(image=IMAGE), "weights", "negative weights", -np.ones((16, 16))),
    (translation_amplitude, dict(frames=FRAMES, wave=np.array([0.0, 1.0, -1.0])), "frames",
     "a constant first frame (the reference)", np.stack([np.full((16, 16), 0.5), IMAGE, IMAGE])),
    (magnify_motion_full_grid, dict(frames=FRAMES, alpha=1.0, low=1.0, high=3.0, fps=16.0), "octaves",
     "more octaves than the frames allow", 3),
    (magnify_motion_full_grid, dict(frames=FRAMES, alpha=1.0, low=1.0, high=3.0, fps=16.0), "bands_per_octave",
     "more than 4 bands per octave", 5),
    (magnify_motion_full_grid, dict(frames=FRAMES, alpha=1.0, low=1.0, high=3.0, fps=16.0), "reference",
     "past the last frame", 3),
]

BAD_CALLS, BAD_IDS = expand_with(TABLE, CONSTRAINTS)


@pytest.mark.parametrize("fn, good, arg, description, value", BAD_CALLS, ids=BAD_IDS)
def test_bad_input_is_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)


MESSAGES = [  # the wording of the messages students meet most (what they got, what is wanted)
    (lambda: phase_difference(np.ones(3), np.ones(4)), r"broadcastable shapes, got \(3,\) and \(4,\)"),
    (lambda: temporal_bandpass(np.ones(60), 2, 20, 30.0),
     r"0 <= low < high <= fps/2 \(Nyquist, 15.0 Hz\), got low=2.0, high=20.0"),
    (lambda: magnify_motion([FRAMES[0], FRAMES[1], FRAMES[2][:, :8]], 2.0, 1, 3, 16.0),
     r"frame 0 is \(16, 16\), frame 2 is \(16, 8\)"),
    (lambda: magnify_motion(FRAMES, 2.0, 1, 3, 16.0, reference=3),
     r"reference must be <= 2 \(an index into the 3 frames\), got 3"),
    (lambda: estimate_translation(IMAGE, IMAGE, -np.ones((16, 16))), r"weights must be non-negative"),
    (lambda: magnify_motion_linear(FRAMES, 2.0, 1, 3, 16.0, levels=2, skip_ends=True),
     r"skip_ends=True leaves out the finest band and the low-pass level, so levels must be >= 3"),
]


def _stripes_and_blob():
    """Horizontal stripes (texture in y only) and one small blob, the weights a 13 x 13 window on the blob."""
    rows, cols = np.mgrid[:64, :64]
    reference = np.sin(2 * np.pi * rows / 16) + 0.3 * np.exp(-((rows - 20) ** 2 + (cols - 20) ** 2) / 4.5)
    weights = np.zeros((64, 64))
    weights[14:27, 14:27] = 1
    return reference, weights


def _smooth_texture(sigma=4.0, seed=4):
    """64 x 64 smooth periodic noise (blurred by sigma pixels): texture in every direction, wider than sigma."""
    return ndimage.gaussian_filter(np.random.default_rng(seed).standard_normal((64, 64)), sigma, mode="wrap")


@pytest.mark.parametrize("case", ["constant", "stripes", "not within max_iter"])
def test_estimate_translation_refuses_what_it_cannot_measure(case):
    # A constant or one-directional reference: no shift (or no x shift) changes it, the normal matrix is singular
    # at d = 0. A 1.5-pixel shift needs more than two Gauss-Newton steps to settle below 1e-10 pixel.
    rows = np.mgrid[:64, :64][0]
    texture = _smooth_texture()
    calls = {"constant": ((np.ones((64, 64)), np.ones((64, 64)), None), ValueError, "no texture"),
             "stripes": ((np.sin(2 * np.pi * rows / 16 + 0.5), np.sin(2 * np.pi * rows / 16), None), ValueError,
                         "no texture"),
             "not within max_iter": ((fourier_translate(texture, 1.5, 0.0), texture, None, 2), TranslationNotFound,
                                     r"did not converge from \(0, 0\) in 2 Gauss-Newton step")}
    args, kind, message = calls[case]
    with pytest.raises(kind, match=message):
        estimate_translation(*args)


def test_estimate_translation_refuses_to_go_on_where_the_shifted_reference_loses_its_texture(monkeypatch):
    # The stripes-and-blob reference under its window has texture in x only from the blob; a step that moves the
    # blob out of the window leaves stripes alone there. Emulated here: from the second step on, the model's
    # x derivative is 0, so the normal matrix is singular after one step, not at the start.
    reference, weights = _stripes_and_blob()
    real, calls = magnify._shifted_and_derivatives, []

    def blob_gone_after_one_step(*args):
        model, jacobian = real(*args)
        calls.append(1)
        return model, jacobian * ([1.0, 0.0] if len(calls) > 1 else [1.0, 1.0])

    monkeypatch.setattr(magnify, "_shifted_and_derivatives", blob_gone_after_one_step)
    with pytest.raises(TranslationNotFound, match=r"did not converge from \(0, 0\) in 1 Gauss-Newton step"):
        estimate_translation(fourier_translate(reference, 0.5, 0.0), reference, weights)


def test_estimate_translation_halves_a_step_that_overshoots():
    # A frame that is no exact shift: the texture plus 8 times its x derivative, linear magnification far past its
    # bound. Full Gauss-Newton steps do not settle there (300 steps, seen); halved ones settle on the least-squares
    # shift, where the sum is lower than at the points of a fine grid around it.
    reference = _smooth_texture(sigma=3.0)
    x_derivative = np.fft.ifft2(-2j * np.pi * np.fft.fftfreq(64)[None, :] * np.fft.fft2(reference)).real
    frame = reference - 8 * x_derivative
    d = estimate_translation(frame, reference)
    cost = lambda dy, dx: np.sum((frame - fourier_translate(reference, dx, dy)) ** 2)
    around = [cost(d[0] + a, d[1] + b) for a in (-0.01, 0.0, 0.01) for b in (-0.01, 0.0, 0.01)]
    assert cost(*d) == pytest.approx(min(around), rel=1e-9) and d[1] < -3.0


def test_estimate_translation_is_periodic_and_does_not_depend_on_the_size_of_the_values():
    # fourier_translate shifts periodically: a shift by (40, -12) is one by (40 - 64, -12), which the estimate
    # reports in (-32, 32]; a texture 8 pixels wide lets Gauss-Newton go that far. Tiny values, whose squares
    # underflow, give the same shift.
    texture = _smooth_texture(sigma=8.0)
    for (dy, dx), expected in [((24.0, -12.0), (24.0, -12.0)), ((40.0, -12.0), (-24.0, -12.0))]:
        assert estimate_translation(fourier_translate(texture, dx, dy), texture) == pytest.approx(expected, abs=1e-8)
    frame = fourier_translate(texture, 0.3, -0.7)
    assert estimate_translation(frame * 1e-200, texture * 1e-200) == pytest.approx((-0.7, 0.3), abs=1e-9)
    assert estimate_translation(frame, texture, np.full((64, 64), 1e-320)) == pytest.approx((-0.7, 0.3), abs=1e-9)


def test_translation_amplitude_names_the_frame_it_cannot_measure(monkeypatch):
    texture = _smooth_texture()
    wave = np.sin(2 * np.pi * np.arange(8) / 8)
    frames = np.stack([fourier_translate(texture, 0.5 * w, 0.0) for w in wave])
    # One Gauss-Newton step: frame 0 against itself settles at once, frame 1 (shifted 0.35 px) cannot.
    monkeypatch.setattr(magnify, "estimate_translation", functools.partial(estimate_translation, max_iter=1))
    with pytest.raises(TranslationNotFound, match=r"frames\[1\] cannot be measured against frames\[0\]: the "
                                                  r"estimate did not converge"):
        translation_amplitude(frames, wave)
    monkeypatch.undo()
    with pytest.raises(ValueError, match=r"frames\[0\] cannot be the reference: .*no texture"):
        translation_amplitude(np.ones((8, 64, 64)), wave)


@pytest.mark.parametrize("call, message", MESSAGES, ids=[m[1][:40] for m in MESSAGES])
def test_messages_say_what_was_given_and_what_is_wanted(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()
