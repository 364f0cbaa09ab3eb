"""The speed path lecture_utils.fast.steerable equals the lecture's pyramid (1e-12, float64).

The lecture computes every mask from its closed form on the full FFT grid; the fast path
uses half spectra (rfft2) for real bands and caches the masks. Both must give the same
coefficients and the same reconstruction, for real and complex pyramids of several sizes,
levels, orders and transition widths, and refuse the same bad input.
"""

import dataclasses

import numpy as np
import pytest

from bad_input import Case, check_refused, expand
from lecture_utils import steerable as lecture
from lecture_utils.fast import steerable as fast

CONFIGS = [  # (shape, levels, order, twidth)
    ((64, 64), 3, 3, 1.0), ((48, 80), 2, 2, 0.5), ((32, 96), 3, 1, 2.0), ((128, 128), 5, 5, 1.0),
    ((32, 32), 2, 0, 1.0), ((64, 32), 0, 4, 1.0), ((16, 48), 1, 7, 0.75),
]
CASES = [c + (False,) for c in CONFIGS] + [c + (True,) for c in CONFIGS if c[2] >= 1]


def _image(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape) * 50 + 100


def rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


@pytest.mark.parametrize("shape, levels, order, twidth, complex_bands", CASES)
def test_fast_pyramid_equals_the_lecture_pyramid(shape, levels, order, twidth, complex_bands):
    image = _image(shape)
    want = lecture.steerable_pyramid(image, levels, order, complex_bands=complex_bands, twidth=twidth)
    got = fast.steerable_pyramid(image, levels, order, complex_bands=complex_bands, twidth=twidth)
    assert (got.order, got.twidth, got.complex_bands, got.levels) == (order, twidth, complex_bands, levels)
    assert rel(got.highpass, want.highpass) < 1e-12 and rel(got.lowpass, want.lowpass) < 1e-12
    for g, w in zip(got.bands, want.bands, strict=True):
        assert g.shape == w.shape and g.dtype == w.dtype
        assert rel(g, w) < 1e-12


@pytest.mark.parametrize("shape, levels, order, twidth, complex_bands", CASES)
def test_fast_reconstruct_equals_the_lecture_reconstruct(shape, levels, order, twidth, complex_bands):
    image = _image(shape, seed=1)
    pyr = lecture.steerable_pyramid(image, levels, order, complex_bands=complex_bands, twidth=twidth)
    # Edited coefficients (not a pyramid of any image): reconstruction is a linear map of them.
    rng = np.random.default_rng(2)
    edited = dataclasses.replace(pyr, bands=tuple(b * rng.uniform(0.5, 2.0, b.shape) for b in pyr.bands))
    for p in (pyr, edited):
        want = lecture.reconstruct(p)
        assert rel(fast.reconstruct(p), want) < 1e-12
    assert rel(fast.reconstruct(fast.steerable_pyramid(image, levels, order, complex_bands, twidth)), image) < 1e-12


def test_cached_masks_are_read_only_and_reused():
    image = _image((64, 64))
    fast.steerable_pyramid(image, 2, 3)
    masks = fast._level_masks((64, 64), 3, 1.0, False, True)
    assert masks is fast._level_masks((64, 64), 3, 1.0, False, True)
    with pytest.raises(ValueError, match="read-only"):
        masks[3][0, 0, 0] = 0
    # The cache does not leak between calls: a second, different image gives its own pyramid.
    other = _image((64, 64), seed=5)
    assert rel(fast.reconstruct(fast.steerable_pyramid(other, 2, 3)), other) < 1e-12


def test_fast_magnification_edit_reconstructs_like_the_lecture():
    # magnify_motion's edit: multiply complex bands by a phase factor, then reconstruct.
    image = _image((64, 64), seed=3)
    pyr = fast.steerable_pyramid(image, 3, 3, complex_bands=True)
    phase = tuple(np.exp(0.3j * np.angle(b)) for b in pyr.bands)
    edited = dataclasses.replace(pyr, bands=tuple(b * p for b, p in zip(pyr.bands, phase)))
    assert rel(fast.reconstruct(edited), lecture.reconstruct(edited)) < 1e-12


# --- bad input: the same checks as the lecture functions --------------------------------

IMAGE = _image((16, 16))
PYR = fast.steerable_pyramid(IMAGE, 2, order=1)

TABLE = [
    Case(fast.steerable_pyramid, dict(image=IMAGE, levels=2, order=1, complex_bands=False, twidth=1.0),
         {"image": "array", "levels": "count", "order": "count", "complex_bands": "flag", "twidth": "positive"}),
]
BAD_PYRAMIDS = {
    "a dict": {"bands": PYR.bands}, "None": None,
    "a band missing an orientation": dataclasses.replace(PYR, bands=(PYR.bands[0][:1], PYR.bands[1])),
    "a level missing": dataclasses.replace(PYR, bands=PYR.bands[:1]),
    "NaN in a band": dataclasses.replace(PYR, bands=(PYR.bands[0] * np.nan, PYR.bands[1])),
    "complex bands in a real pyramid": dataclasses.replace(PYR, bands=tuple(b + 1j for b in PYR.bands)),
    "an order above 100": dataclasses.replace(PYR, order=101),
    "a wrong-size lowpass": dataclasses.replace(PYR, lowpass=np.zeros((3, 3))),
}
BAD_CALLS, BAD_IDS = expand(TABLE)
BAD_CALLS += [(fast.reconstruct, {"pyramid": PYR}, "pyramid", d, v) for d, v in BAD_PYRAMIDS.items()]
BAD_CALLS += [(fast.steerable_pyramid, dict(image=IMAGE, levels=2), "image", "a side not divisible by 4",
               np.ones((18, 16))),
              (fast.steerable_pyramid, dict(image=IMAGE, levels=2, complex_bands=True), "order",
               "order 0, complex", 0)]
BAD_IDS += [f"{c[0].__qualname__}-{c[2]}-{c[3].replace(' ', '_')}" for c in BAD_CALLS[len(BAD_IDS):]]


@pytest.mark.parametrize("fn, good, arg, description, value", BAD_CALLS, ids=BAD_IDS)
def test_bad_input_is_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
