"""The shared argument checks: the float64 fast path must reject what the general path rejects."""

import numpy as np
import pytest

from lecture_utils._validate import as_float_array, check_choice, check_positive_float, default_rng


@pytest.mark.parametrize("value", [np.array([1.0, np.nan]), np.array([[np.inf]]), [1.0, float("nan")]])
def test_nan_and_inf_are_rejected_on_both_paths(value):
    with pytest.raises(ValueError, match="x contains NaN or infinite values"):
        as_float_array(value, "x")


@pytest.mark.parametrize("value", [np.zeros(3), [0.0, 1.0, 2.0], np.arange(3)])
def test_dimension_check_on_both_paths(value):
    with pytest.raises(ValueError, match=r"x must be 2-D or 3-D, got shape \(3,\)"):
        as_float_array(value, "x", ndim=(2, 3))


def test_float64_arrays_pass_through_without_copy_and_others_are_converted():
    a = np.ones((2, 2))
    assert as_float_array(a, "a") is a
    converted = as_float_array(np.array([True, False]), "mask")
    assert converted.dtype == np.float64 and converted.tolist() == [1.0, 0.0]
    assert as_float_array(np.array([np.nan]), "x", allow_nan=True).shape == (1,)


@pytest.mark.parametrize("value, error", [(["a"], TypeError), (np.array([1 + 2j]), TypeError)])
def test_non_real_input_is_rejected(value, error):
    with pytest.raises(error, match="x must be"):
        as_float_array(value, "x")


def test_other_helpers_name_the_argument():
    with pytest.raises(ValueError, match="boundary must be one of"):
        check_choice("wrap", "boundary", {"zero", "reflect"})
    with pytest.raises(ValueError, match="sigma must be finite and > 0, got 0.0"):
        check_positive_float(0, "sigma")
    with pytest.raises(TypeError, match="rng must be a numpy Generator or an integer seed"):
        default_rng("seed")
    assert default_rng(3).integers(100) == np.random.default_rng(3).integers(100)


# --- the opt-in float32 path (keep_float32), used only by the CNN training layers --------

def test_keep_float32_returns_float32_arrays_unchanged_and_everything_else_as_float64():
    a32 = np.ones((2, 2), dtype=np.float32)
    assert as_float_array(a32, "a", keep_float32=True) is a32            # no copy, no conversion
    assert as_float_array(a32, "a").dtype == np.float64                  # default: always float64
    a64 = np.ones(3)
    assert as_float_array(a64, "a", keep_float32=True) is a64
    for other in ([1.0, 2.0], np.arange(3), np.array([True]), np.ones(2, dtype=np.float16)):
        assert as_float_array(other, "x", keep_float32=True).dtype == np.float64


@pytest.mark.parametrize("value", [np.array([1.0, np.nan], dtype=np.float32),
                                   np.array([[np.inf]], dtype=np.float32)])
def test_keep_float32_keeps_the_nan_and_dimension_checks(value):
    with pytest.raises(ValueError, match="x contains NaN or infinite values"):
        as_float_array(value, "x", keep_float32=True)
    kept = as_float_array(value, "x", allow_nan=True, keep_float32=True)
    assert kept.dtype == np.float32
    with pytest.raises(ValueError, match=r"x must be 3-D, got shape"):
        as_float_array(value, "x", ndim=3, keep_float32=True)


def test_all_float32_needs_every_array_to_be_float32():
    from lecture_utils._validate import all_float32
    f32, f64 = np.ones(2, dtype=np.float32), np.ones(2)
    assert all_float32(f32, f32, None)          # an absent bias does not count
    assert not all_float32(f32, f64)
    assert not all_float32(f32, [1.0, 2.0])     # lists become float64
