"""The speed path lecture_utils.fast.texture equals the lecture's texture synthesis.

fast.synthesize_texture runs the lecture's Heeger-Bergen loop on the fast pyramids (half spectra,
cached masks). The pyramids agree to 1e-12 (tests/test_fast_steerable.py), but histogram matching
ranks values, so two values closer than that could trade places: the syntheses are compared
exactly, on the textures the notebook synthesises, and must refuse the same bad input.
"""

import numpy as np
import pytest
from skimage import data, transform

from bad_input import Case, check_refused, expand
from lecture_utils import texture as lecture
from lecture_utils.fast import texture as fast


@pytest.mark.parametrize("name, size, levels, iterations", [("grass", 128, 4, 5), ("gravel", 64, 3, 2),
                                                             ("brick", 128, 4, 0)])
def test_fast_synthesis_is_the_lecture_synthesis(name, size, levels, iterations):
    texture = transform.resize(getattr(data, name)().astype(float) / 255, (size, size), anti_aliasing=True)
    np.testing.assert_array_equal(fast.synthesize_texture(texture, levels, iterations, rng=3),
                                  lecture.synthesize_texture(texture, levels, iterations, rng=3))


def test_the_fast_synthesis_builds_and_collapses_on_the_fast_path(monkeypatch):
    # One pyramid of the texture, then one per round, each collapsed: all by lecture_utils.fast.steerable.
    from lecture_utils.fast import steerable as fast_steerable
    calls = []

    def spy(name):
        def called(*args, **kwargs):
            calls.append(name)
            return getattr(fast_steerable, name)(*args, **kwargs)
        return called

    for name in ("steerable_pyramid", "reconstruct"):
        monkeypatch.setattr(fast, name, spy(name))
    fast.synthesize_texture(np.random.default_rng(1).random((32, 32)), 2, 3, rng=0)
    assert calls == ["steerable_pyramid"] + ["steerable_pyramid", "reconstruct"] * 3


def test_a_generator_is_used_as_the_lecture_uses_it():
    texture = np.random.default_rng(0).gamma(2.0, size=(32, 48))
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    np.testing.assert_array_equal(fast.synthesize_texture(texture, 2, 3, rng=a),
                                  lecture.synthesize_texture(texture, 2, 3, rng=b))
    assert a.bit_generator.state == b.bit_generator.state


IMAGE = np.random.default_rng(3).standard_normal((16, 16))
TABLE = [Case(fast.synthesize_texture, dict(texture=IMAGE, levels=2, iterations=1, rng=0),
              {"texture": "array", "levels": "count", "iterations": "count", "rng": "seed"}, skip={"levels": ("None",)})]
BAD_CALLS, BAD_IDS = expand(TABLE)
BAD_CALLS += [(fast.synthesize_texture, dict(texture=IMAGE, levels=2), "texture", "a constant", np.ones((16, 16))),
              (fast.synthesize_texture, dict(texture=IMAGE, levels=2), "levels", "more than fit", 3)]
BAD_IDS += [f"synthesize_texture-{c[2]}-{c[3].replace(' ', '_')}" for c in BAD_CALLS[len(BAD_IDS):]]


@pytest.mark.parametrize("fn, good, arg, description, value", BAD_CALLS, ids=BAD_IDS)
def test_bad_input_is_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
