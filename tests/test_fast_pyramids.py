"""lecture_utils.fast.pyramids: the polyphase pyramids equal the lecture's, to 1e-12, and check alike.

The lecture versions are themselves tested against independent routes (scipy.signal,
the slide's matrices, pyrtools) in test_pyramids.py; here every fast function is compared
with the lecture function it accelerates, on odd, even, one-pixel, one-row and colour
sizes, every boundary and several kernels, and once more against pyrtools.
"""

import numpy as np
import pytest
from bad_input import Case, check_refused, expand as expand_table

from lecture_utils import pyramids as lecture
from lecture_utils.fast import pyramids as fast
from lecture_utils.pyramids import BOUNDARIES, LaplacianPyramid, binomial_kernel, max_levels

K5 = binomial_kernel(5)
SHAPES = [(513, 300), (31, 17), (16, 16), (2, 3), (1, 1), (1, 7), (7, 1), (9,), (2,), (1,), (12, 9, 3),
          (5, 6, 1), (3, 2, 4)]
KERNELS = {"1 tap": [1.0], "3 taps": [0.25, 0.5, 0.25], "5 taps": K5, "7 taps": binomial_kernel(7),
           "15 taps": binomial_kernel(15), "not binomial": [0.1, 0.2, 0.4, 0.2, 0.1]}
TOLERANCE = dict(rtol=0, atol=1e-12)


def rng_image(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def coarse_shape(shape):
    spatial = shape[:1] if len(shape) == 1 else shape[:2]
    return tuple(-(-n // 2) for n in spatial) + shape[len(spatial):]


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_reduce_and_expand_equal_the_lecture(boundary, shape):
    x, small = rng_image(shape, seed=1), rng_image(coarse_shape(shape), seed=2)
    np.testing.assert_allclose(fast.reduce(x, boundary=boundary), lecture.reduce(x, boundary=boundary),
                               **TOLERANCE)
    np.testing.assert_allclose(fast.expand(small, shape, boundary=boundary),
                               lecture.expand(small, shape, boundary=boundary), **TOLERANCE)


@pytest.mark.parametrize("kernel", KERNELS.values(), ids=KERNELS)
@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_other_kernels_equal_the_lecture(kernel, boundary):
    # Kernels longer than the signal too: 15 taps on sides of 1 to 7 samples.
    for shape in [(7, 5), (1, 6), (3, 3, 2), (11,), (2, 1)]:
        x, small = rng_image(shape, seed=3), rng_image(coarse_shape(shape), seed=4)
        np.testing.assert_allclose(fast.reduce(x, kernel, boundary), lecture.reduce(x, kernel, boundary),
                                   **TOLERANCE)
        np.testing.assert_allclose(fast.expand(small, shape, kernel, boundary),
                                   lecture.expand(small, shape, kernel, boundary), **TOLERANCE)


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_pyramids_and_reconstruction_equal_the_lecture(boundary, shape):
    x = rng_image(shape, seed=5)
    levels = max_levels(shape)
    for ours, theirs in zip(fast.gaussian_pyramid(x, levels, boundary=boundary),
                            lecture.gaussian_pyramid(x, levels, boundary=boundary), strict=True):
        np.testing.assert_allclose(ours, theirs, **TOLERANCE)
    quick = fast.laplacian_pyramid(x, levels, boundary=boundary)
    slow = lecture.laplacian_pyramid(x, levels, boundary=boundary)
    assert isinstance(quick, LaplacianPyramid) and quick.boundary == boundary and quick.levels == levels
    for ours, theirs in zip(quick.bands + (quick.lowpass,), slow.bands + (slow.lowpass,), strict=True):
        np.testing.assert_allclose(ours, theirs, **TOLERANCE)
    # The pyramids are interchangeable: each reconstruction inverts the other's pyramid.
    np.testing.assert_allclose(fast.reconstruct(slow), x, **TOLERANCE)
    np.testing.assert_allclose(lecture.reconstruct(quick), x, **TOLERANCE)
    np.testing.assert_allclose(fast.reconstruct(quick), lecture.reconstruct(quick), **TOLERANCE)


def test_integer_images_become_float_as_in_the_lecture():
    x = np.random.default_rng(1).integers(0, 256, (9, 11)).astype(np.uint8)
    assert fast.reduce(x).dtype == np.float64
    np.testing.assert_allclose(fast.reduce(x), lecture.reduce(x), **TOLERANCE)


def test_fast_pyramids_match_pyrtools():
    pt = pytest.importorskip("pyrtools")
    x = rng_image((64, 45))
    # pyrtools scales its filter by sqrt(2) per axis: its level k is ours times 2^k.
    theirs = pt.pyramids.GaussianPyramid(x, height=4).pyr_coeffs
    for k, level in enumerate(fast.gaussian_pyramid(x, 4)):
        np.testing.assert_allclose(level, theirs[(k, 0)] / 2 ** k, **TOLERANCE)
    np.testing.assert_allclose(fast.reconstruct(fast.laplacian_pyramid(x, 4)),
                               pt.pyramids.LaplacianPyramid(x, height=4).recon_pyr(), **TOLERANCE)


@pytest.mark.parametrize("name", ["reduce", "gaussian_pyramid", "laplacian_pyramid"])
def test_fast_functions_check_their_arguments_as_the_lecture_does(name):
    assert getattr(fast, name).specs == getattr(lecture, name).specs


# ------------------------------------------------------------------ every function x every kind of bad value

IMAGE = rng_image((9, 8))
PYRAMID = lecture.laplacian_pyramid(IMAGE, 3)
FILTERING = {"kernel": "array", "boundary": "choice"}
DEFAULT_KERNEL = {"kernel": ["None"]}          # None is the default: the lecture's binomial filter
SIGNAL_TOO = ["one axis too few"]              # (9, 8)[0] is an (8,) signal, which pyramids accept too

TABLE = [
    Case(fast.reduce, dict(image=IMAGE, kernel=K5, boundary="reflect"), {"image": "array", **FILTERING},
         skip={"image": SIGNAL_TOO, **DEFAULT_KERNEL}),
    Case(fast.expand, dict(image=rng_image((5, 4)), shape=(9, 8), kernel=K5, boundary="reflect"),
         {"image": "array", "shape": "shape", **FILTERING}, skip=DEFAULT_KERNEL),
    Case(fast.gaussian_pyramid, dict(image=IMAGE, levels=3, kernel=K5, boundary="reflect"),
         {"image": "array", "levels": "count", **FILTERING}, skip={"image": SIGNAL_TOO, **DEFAULT_KERNEL}),
    Case(fast.laplacian_pyramid, dict(image=IMAGE, levels=3, kernel=K5, boundary="reflect"),
         {"image": "array", "levels": "count", **FILTERING}, skip={"image": SIGNAL_TOO, **DEFAULT_KERNEL}),
]
NOT_A_PYRAMID = {
    "None": None, "a list of bands": list(PYRAMID.bands), "an array": IMAGE,
    "a low-pass of the wrong size": LaplacianPyramid(PYRAMID.bands, np.zeros((2, 2)), K5, "reflect"),
    "a NaN band": LaplacianPyramid((np.full((9, 8), np.nan), PYRAMID.bands[1]), PYRAMID.lowpass, K5, "reflect"),
    "an unknown boundary": LaplacianPyramid(PYRAMID.bands, PYRAMID.lowpass, K5, "mirror"),
}
PYRAMID_ROWS = [(fast.reconstruct, dict(pyramid=PYRAMID), "pyramid", d, v) for d, v in NOT_A_PYRAMID.items()]
PARAMS, IDS = expand_table(TABLE)
PARAMS += PYRAMID_ROWS
IDS += [f"fast.{fn.__qualname__}-{arg}-{d.replace(' ', '_')}" for fn, _, arg, d, _ in PYRAMID_ROWS]


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_with_a_message_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)


def test_bad_input_table_covers_every_fast_function():
    assert {fn.__name__ for fn, *_ in PARAMS} == set(fast.__all__)
