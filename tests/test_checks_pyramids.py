"""Checker quality for notebook 02: the reference passes, each usual mistake is caught with its hint.

The mutants are written the way a student would write them (np.convolve, slicing,
a loop over the bands), not by calling the checker's own wrong-answer formulas.
"""

import numpy as np
import pytest
from bad_input import Case, check_refused, expand as expand_table
from scipy import ndimage

from lecture_utils.checks import CheckFailure
from lecture_utils.checks.pyramids import check_collapse, check_expand_1d, check_reduce_1d
from lecture_utils.pyramids import expand

K = np.array([1, 4, 6, 4, 1]) / 16


def blur(x, kernel=K):
    """np.convolve with zeros beyond the ends, trimmed to x's length (the 'same' part)."""
    return np.convolve(x, kernel)[2:2 + len(x)]


# ------------------------------------------------------------------ reduce_1d

def reduce_reference(x):
    return blur(x)[::2]


def test_reduce_reference_passes(capsys):
    check_reduce_1d(reduce_reference)
    assert capsys.readouterr().out.startswith("PASS reduce_1d: matches the reference on 5 test cases")


def test_reduce_with_np_convolve_same_passes():
    check_reduce_1d(lambda x: np.convolve(x, K, mode="same")[::2])


REDUCE_MUTANTS = {
    "kept the odd samples": lambda x: blur(x)[1::2],
    "there is no blur": lambda x: x[::2],
    "not normalised": lambda x: blur(x, np.array([1, 4, 6, 4, 1.0]))[::2],
    "off by one for odd lengths": lambda x: blur(x)[: len(x) // 2 * 2 : 2],
    "sub-sampled first": lambda x: blur(x[::2]),
    "edges are reflected": lambda x: np.convolve(np.pad(x, 2, mode="reflect"), K, mode="valid")[::2],
    # scipy.ndimage's default edge rule (half-sample mirror), and its "nearest": only the ends differ.
    "only the samples near the ends are wrong": lambda x: ndimage.convolve1d(x, K)[::2],
    "use mode='constant'": lambda x: ndimage.convolve1d(x, K, mode="nearest")[::2],
    "forget the `return`": lambda x: None,
    "right shape but wrong values": lambda x: blur(x)[::2] + 1e-3,
}


@pytest.mark.parametrize("hint", REDUCE_MUTANTS)
def test_reduce_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_reduce_1d(REDUCE_MUTANTS[hint])


def test_ndimage_with_zero_edges_passes():
    check_reduce_1d(lambda x: ndimage.convolve1d(x, K, mode="constant")[::2])
    check_expand_1d(lambda x, n: 2 * ndimage.convolve1d(_no_filter(x, n), K, mode="constant"))


def test_reduce_off_by_one_is_named_on_the_odd_case():
    with pytest.raises(CheckFailure, match="for a signal of odd length n=9"):
        check_reduce_1d(REDUCE_MUTANTS["off by one for odd lengths"])


def test_reduce_hard_coded_answer_fails():
    first = {}

    def memorised(x):
        first.setdefault("y", reduce_reference(x))
        return first["y"]

    expected = r"has shape \(4,\) but should have shape \(5,\) for a signal of odd length n=9"
    with pytest.raises(CheckFailure, match=expected):
        check_reduce_1d(memorised)


# ------------------------------------------------------------------ expand_1d

def expand_reference(x, n):
    up = np.zeros(n)
    up[::2] = x
    return blur(up, 2 * K)


def test_expand_reference_passes(capsys):
    check_expand_1d(expand_reference)
    assert capsys.readouterr().out.startswith("PASS expand_1d")


def test_expand_as_the_slides_matrix_passes():
    def by_matrix(x, n):
        f = np.zeros((n, len(x)))
        for i in range(len(x)):
            for offset, weight in zip(range(-2, 3), 2 * K):
                if 0 <= 2 * i + offset < n:
                    f[2 * i + offset, i] = weight
        return f @ x
    check_expand_1d(by_matrix)


def _at_odd_indices(x, n):
    up = np.zeros(n)
    up[1::2] = x[: len(up[1::2])]
    return blur(up, 2 * K)


def _two_m_samples(x, n):
    up = np.zeros(2 * len(x))
    up[::2] = x
    return blur(up, 2 * K)


def _no_filter(x, n):
    up = np.zeros(n)
    up[::2] = x
    return up


EXPAND_MUTANTS = {
    "factor 2 is missing": lambda x, n: blur(_no_filter(x, n)),
    "4 is for 2-D images": lambda x, n: blur(_no_filter(x, n), 4 * K),
    "at the odd indices": _at_odd_indices,
    "returned 2m samples": _two_m_samples,
    "repeated each sample": lambda x, n: blur(np.repeat(x, 2)[:n]),
    "no low-pass filter": _no_filter,
    "edges are reflected": lambda x, n: np.convolve(np.pad(_no_filter(x, n), 2, mode="reflect"),
                                                    2 * K, mode="valid"),
    "only the samples near the ends are wrong": lambda x, n: 2 * ndimage.convolve1d(_no_filter(x, n), K),
    "not implemented yet": lambda x, n: (_ for _ in ()).throw(NotImplementedError),
}


@pytest.mark.parametrize("hint", EXPAND_MUTANTS)
def test_expand_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_expand_1d(EXPAND_MUTANTS[hint])


def test_expand_odd_size_mistake_is_named_on_the_odd_case():
    with pytest.raises(CheckFailure, match="expanded to odd n=9"):
        check_expand_1d(_two_m_samples)


def test_expand_crash_names_the_case():
    with pytest.raises(CheckFailure, match="raised ValueError for m=4 samples expanded to n=8"):
        check_expand_1d(lambda x, n: np.zeros(n) + np.ones(n + 1))


# ------------------------------------------------------------------ collapse

def collapse_reference(bands, residual):
    x = residual
    for band in reversed(bands):
        x = band + expand(x, band.shape)
    return x


def test_collapse_reference_passes(capsys):
    check_collapse(collapse_reference)
    assert capsys.readouterr().out.startswith("PASS collapse (Laplacian reconstruction)")


def _collapse_mutant(start_from_zero=False, subtract=False, skip_finest=False, skip_bands=False):
    def collapse(bands, residual):
        x = np.zeros_like(residual) if start_from_zero else residual
        for k in range(len(bands) - 1, -1, -1):
            up = expand(x, bands[k].shape)
            if skip_bands or (skip_finest and k == 0):
                x = up
            elif subtract:
                x = up - bands[k]
            else:
                x = bands[k] + up
        return x
    return collapse


def _loop_from_the_second_band(bands, residual):
    # The classic off-by-one: range(len(bands) - 1, 0, -1) never reaches L_1.
    x = residual
    for k in range(len(bands) - 1, 0, -1):
        x = bands[k] + expand(x, bands[k].shape)
    return expand(x, bands[0].shape)


COLLAPSE_MUTANTS = {
    "residual x_K is missing": _collapse_mutant(start_from_zero=True),
    "sign is flipped": _collapse_mutant(subtract=True),
    "finest band L_1 is not added": _loop_from_the_second_band,
    "without adding the bands": _collapse_mutant(skip_bands=True),
}


@pytest.mark.parametrize("hint", COLLAPSE_MUTANTS)
def test_collapse_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_collapse(COLLAPSE_MUTANTS[hint])


def test_collapse_finest_first_crashes_with_the_case_named():
    def finest_first(bands, residual):
        x = residual
        for band in bands:  # wrong order: L_1 is the largest
            x = band + expand(x, band.shape)
        return x
    with pytest.raises(CheckFailure, match=r"raised ValueError for an image of shape \(16, 16\)"):
        check_collapse(finest_first)


def test_collapse_returning_gaussian_level_has_wrong_shape():
    with pytest.raises(CheckFailure, match=r"has shape \(8, 8\) but should have shape \(16, 16\)"):
        check_collapse(lambda bands, residual: bands[1] + expand(residual, bands[1].shape))


# ------------------------------------------------------------------ bad input: a result or a name instead of a function

TABLE = [Case(check_reduce_1d, dict(fn=reduce_reference), {"fn": "function"}),
         Case(check_expand_1d, dict(fn=lambda x, n: 2 * blur(_no_filter(x, n))), {"fn": "function"}),
         Case(check_collapse, dict(fn=collapse_reference), {"fn": "function"})]
PARAMS, IDS = expand_table(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_with_a_message_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
