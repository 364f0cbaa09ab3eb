"""lecture_utils.demos.pyramids: notebook 02's blending widget, headless (no browser, no kernel)."""

import numpy as np
import pytest
from bad_input import Case, check_refused, expand
from scipy import ndimage

from lecture_utils.demos.pyramids import blend_explorer
from lecture_utils.pyramids import blend, max_levels


def rng_image(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def test_blend_explorer_recomputes_when_controls_change():
    a, b = rng_image((24, 20), seed=1), rng_image((24, 20), seed=2)
    mask = np.zeros((24, 20))
    mask[:, :10] = 1
    explorer = blend_explorer(a, b, mask)
    assert explorer.controls["levels"].max == max_levels((24, 20))
    np.testing.assert_allclose(explorer.result["blended"], blend(a, b, mask, explorer.values["levels"]))
    explorer.controls["levels"].value = 2
    explorer.controls["mask_blur"].value = 3.0
    soft = ndimage.gaussian_filter(mask, 3.0, mode="nearest")
    np.testing.assert_allclose(explorer.result["mask"], soft)
    np.testing.assert_allclose(explorer.result["blended"], blend(a, b, soft, 2))
    assert explorer.updates == 3
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert explorer._repr_mimebundle_()["text/plain"] == "Pyramid blending explorer (levels, mask_blur)"


def test_blend_explorer_slider_tops_at_eight_levels_or_as_asked():
    a = np.zeros((300, 300, 3))
    assert blend_explorer(a, a, np.zeros((300, 300))).controls["levels"].max == 8
    assert blend_explorer(a, a, np.zeros((300, 300)), max_levels_shown=3).controls["levels"].max == 3


def test_blend_explorer_bad_input():
    with pytest.raises(ValueError, match=r"mask must have shape \(8, 8\), got \(8, 8, 3\)"):
        blend_explorer(np.zeros((8, 8, 3)), np.zeros((8, 8, 3)), np.zeros((8, 8, 3)))
    with pytest.raises(ValueError, match=r"max_levels_shown=5 is too many for shape \(8, 8\): at most 4"):
        blend_explorer(np.zeros((8, 8)), np.zeros((8, 8)), np.zeros((8, 8)), max_levels_shown=5)


A = rng_image((9, 8), seed=1)
TABLE = [
    Case(blend_explorer, dict(a=A, b=A + 1, mask=np.full((9, 8), 0.5), max_levels_shown=3),
         {"a": "array", "b": "array", "mask": "array", "max_levels_shown": "count"},
         skip={"max_levels_shown": ["None"]}),   # None is the default: max_levels(a.shape), at most 8
]
PARAMS, IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_with_a_message_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
