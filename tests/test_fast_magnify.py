"""The speed path lecture_utils.fast.magnify equals the lecture's magnification (1e-12, float64).

fast.magnify_motion runs the lecture's phase step on the fast pyramids; the sweeps return one video
per alpha with the pyramids built once. Each must equal the lecture function it replaces, and refuse
the same bad input.
"""

import numpy as np
import pytest

from bad_input import Case, check_refused, expand
from lecture_utils import magnify as lecture
from lecture_utils.fast import magnify as fast


def _image(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape) * 50 + 100


def rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


@pytest.mark.parametrize("sigma, reference, levels, order", [(0.0, 0, None, 3), (1.5, 3, 2, 2), (0.5, 7, 3, 1)])
def test_fast_magnify_motion_equals_the_lecture_magnify_motion(sigma, reference, levels, order):
    rng = np.random.default_rng(4)
    base = _image((32, 48), seed=6)
    video = np.stack([np.roll(base, s, axis=1) for s in (0, 1, 0, -1) * 3]) + rng.standard_normal((12, 32, 48))
    args = (video, 6.0, 2.0, 4.0, 12.0)
    kwargs = dict(levels=levels, order=order, sigma=sigma, reference=reference)
    assert rel(fast.magnify_motion(*args, **kwargs), lecture.magnify_motion(*args, **kwargs)) < 1e-12


@pytest.mark.parametrize("sigma, reference, levels", [(0.0, 0, None), (1.5, 3, 2)])
def test_magnify_motion_sweep_is_one_magnify_motion_per_alpha(sigma, reference, levels):
    rng = np.random.default_rng(5)
    base = _image((32, 48), seed=7)
    video = np.stack([np.roll(base, s, axis=0) for s in (0, 1, 0, -1) * 3]) + rng.standard_normal((12, 32, 48))
    alphas = [0.0, 2.5, 9.0]
    kwargs = dict(levels=levels, order=2, sigma=sigma, reference=reference)
    videos = fast.magnify_motion_sweep(video, alphas, 2.0, 4.0, 12.0, **kwargs)
    assert len(videos) == len(alphas)
    for alpha, out in zip(alphas, videos):
        assert rel(out, lecture.magnify_motion(video, alpha, 2.0, 4.0, 12.0, **kwargs)) < 1e-12


@pytest.mark.parametrize("levels, lambda_c, skip_ends", [(None, 0.0, False), (3, 16.0, False), (4, 0.0, True)])
def test_magnify_motion_linear_sweep_is_one_linear_magnification_per_alpha(levels, lambda_c, skip_ends):
    rng = np.random.default_rng(6)
    base = _image((30, 44), seed=8)          # odd halvings: the Laplacian pyramid takes any size
    video = np.stack([np.roll(base, s, axis=1) for s in (0, 1, 0, -1) * 3]) + rng.standard_normal((12, 30, 44))
    alphas = np.array([0.0, 3.0, 12.0])
    kwargs = dict(levels=levels, lambda_c=lambda_c, skip_ends=skip_ends)
    videos = fast.magnify_motion_linear_sweep(video, alphas, 1.0, 3.0, 12.0, **kwargs)
    for alpha, out in zip(alphas, videos):
        expected = lecture.magnify_motion_linear(video, alpha, 1.0, 3.0, 12.0, **kwargs)
        assert rel(out, expected) < 1e-12


@pytest.mark.parametrize("octaves, bands_per_octave, order, twidth, reference",
                         [(None, 2, 7, 0.75, 0), (2, 1, 3, 1.0, 4), (2, 3, 2, 0.5, 1)])
def test_full_grid_sweep_is_one_full_grid_magnification_per_alpha(octaves, bands_per_octave, order, twidth, reference):
    rng = np.random.default_rng(9)
    base = _image((32, 32), seed=9)
    video = np.stack([np.roll(base, s, axis=1) for s in (0, 1, 0, -1) * 3]) + rng.standard_normal((12, 32, 32))
    alphas = [0.0, 2.5, 9.0]
    kwargs = dict(octaves=octaves, bands_per_octave=bands_per_octave, order=order, twidth=twidth, reference=reference)
    videos = fast.magnify_motion_full_grid_sweep(video, alphas, 2.0, 4.0, 12.0, **kwargs)
    for alpha, out in zip(alphas, videos):
        assert rel(out, lecture.magnify_motion_full_grid(video, alpha, 2.0, 4.0, 12.0, **kwargs)) < 1e-12


# --- bad input: the same checks as the lecture functions --------------------------------

IMAGE = _image((16, 16))
FRAMES = np.stack([IMAGE, np.roll(IMAGE, 1, axis=1), IMAGE])
TABLE = [
    Case(fast.magnify_motion, dict(frames=FRAMES, alpha=2.0, low=1.0, high=3.0, fps=16.0, levels=1, order=1,
                                   twidth=1.0, sigma=0.5, reference=0),
         {"frames": "array", "alpha": "real", "low": "real", "high": "positive", "fps": "positive",
          "levels": "count", "order": "count", "twidth": "positive", "sigma": "real", "reference": "count"},
         skip={"levels": ("None",)}),
    Case(fast.magnify_motion_sweep, dict(frames=FRAMES, alphas=[0.0, 2.0], low=1.0, high=3.0, fps=16.0, levels=1,
                                         order=1, twidth=1.0, sigma=0.5, reference=0),
         {"frames": "array", "alphas": "array", "low": "real", "high": "positive", "fps": "positive",
          "levels": "count", "order": "count", "twidth": "positive", "sigma": "real", "reference": "count"},
         skip={"levels": ("None",)}),
    Case(fast.magnify_motion_linear_sweep, dict(frames=FRAMES, alphas=[0.0, 2.0], low=1.0, high=3.0, fps=16.0,
                                                levels=3, lambda_c=0.0, skip_ends=True),
         {"frames": "array", "alphas": "array", "low": "real", "high": "positive", "fps": "positive",
          "levels": "count", "lambda_c": "real", "skip_ends": "flag"},
         skip={"levels": ("None",)}),
]
TABLE.append(Case(fast.magnify_motion_full_grid_sweep,
                  dict(frames=FRAMES, alphas=[0.0, 2.0], low=1.0, high=3.0, fps=16.0, octaves=2, bands_per_octave=2,
                       order=3, twidth=0.75, reference=0),
                  {"frames": "array", "alphas": "array", "low": "real", "high": "positive", "fps": "positive",
                   "octaves": "count", "bands_per_octave": "count", "order": "count", "twidth": "positive",
                   "reference": "count"}, skip={"octaves": ("None",)}))
BAD_CALLS, BAD_IDS = expand(TABLE)
BAD_CALLS += [(fast.magnify_motion_sweep, dict(frames=FRAMES, alphas=[1.0], low=1.0, high=3.0, fps=16.0, levels=1),
               "alphas", "a negative alpha", [2.0, -1.0]),
              (fast.magnify_motion_linear_sweep, dict(frames=FRAMES, alphas=[1.0], low=1.0, high=3.0, fps=16.0),
               "alphas", "a negative alpha", [-0.5]),
              (fast.magnify_motion_linear_sweep, dict(frames=FRAMES, alphas=[1.0], low=1.0, high=3.0, fps=16.0,
                                                      skip_ends=True), "levels", "2 levels and skip_ends", 2)]
BAD_IDS += [f"{c[0].__qualname__}-{c[2]}-{c[3].replace(' ', '_')}" for c in BAD_CALLS[len(BAD_IDS):]]


@pytest.mark.parametrize("fn, good, arg, description, value", BAD_CALLS, ids=BAD_IDS)
def test_bad_input_is_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
