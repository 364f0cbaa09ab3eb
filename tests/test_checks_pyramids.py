"""Checker quality for notebook 02: the reference passes, each usual mistake is caught with its hint,
answers that delegate to the package or return complex or string values are refused, and an answer
hard-coded to the visible cases fails the hidden ones.

The mutants are written the way a student would write them (np.convolve, slicing, a loop over the
bands, the package's reduce/expand/pyramids where the exercise allows them), not by calling the
checker's own wrong-answer formulas.
"""


import numpy as np
import pytest
from checker_probes import assert_hard_coded_fails_hidden
from bad_input import Case, check_refused, expand as expand_table
from scipy import ndimage

from lecture_utils.checks import CheckFailure, check_prediction
from lecture_utils.checks.pyramids import (ALLOW_EXPAND, ALLOW_PYRAMIDS, ALLOW_REDUCE_EXPAND, check_blend,
                                           check_collapse, check_expand_1d, check_laplacian_pyramid,
                                           check_reduce_1d)
from lecture_utils.pyramids import (LaplacianPyramid, blend, expand, gaussian_pyramid, laplacian_pyramid,
                                    reconstruct, reduce)

K = np.array([1, 4, 6, 4, 1]) / 16


def blur(x, kernel=K):
    """np.convolve with zeros beyond the ends, trimmed to x's length (the 'same' part)."""
    return np.convolve(x, kernel)[2:2 + len(x)]


# ------------------------------------------------------------------ reduce_1d

def reduce_reference(x):
    return blur(x)[::2]


def test_reduce_reference_passes(capsys):
    check_reduce_1d(reduce_reference)
    assert capsys.readouterr().out.startswith(
        "PASS reduce_1d: matches the reference on 5 test cases (and 4 extra)")


def test_reduce_with_np_convolve_same_passes():
    check_reduce_1d(lambda x: np.convolve(x, K, mode="same")[::2])


REDUCE_MUTANTS = {
    "kept the odd samples": lambda x: blur(x)[1::2],
    "there is no blur": lambda x: x[::2],
    "taps add up to 1": lambda x: blur(x, np.array([1, 4, 6, 4, 1.0]))[::2],
    "one sample short for an odd length": lambda x: blur(x)[: len(x) // 2 * 2 : 2],
    "sub-sampled first": lambda x: blur(x[::2]),
    "edges are mirrored": lambda x: np.convolve(np.pad(x, 2, mode="reflect"), K, mode="valid")[::2],
    "np.convolve's default mode, 'full', returns n \\+ 4 samples": lambda x: np.convolve(x, K)[::2],
    "mode 'valid' drops the samples": lambda x: np.convolve(x, K, mode="valid")[::2],
    "shifted by two samples": lambda x: np.convolve(x, K)[:len(x)][::2],
    # scipy.ndimage's default edge rule (half-sample mirror), and its "nearest": only the ends differ.
    "only the samples near the ends are wrong": lambda x: ndimage.convolve1d(x, K)[::2],
    "scipy.ndimage mirrors the signal": lambda x: ndimage.convolve1d(x, K, mode="nearest")[::2],
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
        check_reduce_1d(REDUCE_MUTANTS["one sample short for an odd length"])


def test_reduce_refuses_delegation_complex_and_strings():
    with pytest.raises(CheckFailure, match="calls lecture_utils.pyramids.reduce"):
        check_reduce_1d(lambda x: reduce(x, boundary="zero"))
    with pytest.raises(CheckFailure, match="is complex"):
        check_reduce_1d(lambda x: reduce_reference(x) + 0j)
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        check_reduce_1d(lambda x: str(reduce_reference(x)))


def test_reduce_hard_coded_to_the_visible_cases_fails_the_hidden_ones(capsys):
    assert_hard_coded_fails_hidden(check_reduce_1d, reduce_reference)


def test_reduce_hard_coded_answer_fails():
    first = {}

    def memorised_once(x):
        first.setdefault("y", reduce_reference(x))
        return first["y"]

    expected = r"has shape \(4,\) but should have shape \(5,\) for a signal of odd length n=9"
    with pytest.raises(CheckFailure, match=expected):
        check_reduce_1d(memorised_once)


# ------------------------------------------------------------------ expand_1d

def expand_reference(x, n):
    up = np.zeros(n)
    up[::2] = x
    return blur(up, 2 * K)


def test_expand_reference_passes(capsys):
    check_expand_1d(expand_reference)
    assert capsys.readouterr().out.startswith("PASS expand_1d: matches the reference on 5 test cases (and 3 extra)")


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
    "a constant multiple of the right one, so a constant signal does not stay constant": lambda x, n: blur(_no_filter(x, n)),
    "the gain is off. Work it out from the taps": lambda x, n: blur(_no_filter(x, n), 4 * K),
    "gain is off": lambda x, n: 1.5 * blur(_no_filter(x, n), 2 * K),
    "np.convolve's default mode, 'full'": lambda x, n: np.convolve(_no_filter(x, n), 2 * K),
    "shifted by two samples": lambda x, n: np.convolve(_no_filter(x, n), 2 * K)[:n],
    "at the odd indices": _at_odd_indices,
    "returned 2m samples": _two_m_samples,
    "repeated each sample": lambda x, n: blur(np.repeat(x, 2)[:n]),
    "no low-pass filter": _no_filter,
    "edges are mirrored": lambda x, n: np.convolve(np.pad(_no_filter(x, n), 2, mode="reflect"),
                                                    2 * K, mode="valid"),
    "only the samples near the ends are wrong": lambda x, n: 2 * ndimage.convolve1d(_no_filter(x, n), K),
    # Normalising by the taps that meet a sample (exact at the ends too) is another filter at the ends.
    "only the samples near the ends": lambda x, n: blur(_no_filter(x, n), 2 * K) / (
        blur(_no_filter(np.ones(len(x)), n), 2 * K)),
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
    with pytest.raises(CheckFailure, match=r"raised ValueError .*\(for m=4 samples expanded to n=8"):
        check_expand_1d(lambda x, n: np.zeros(n) + np.ones(n + 1))


def test_expand_refuses_delegation_complex_and_strings():
    with pytest.raises(CheckFailure, match="calls lecture_utils.pyramids.expand"):
        check_expand_1d(lambda x, n: expand(x, (n,), boundary="zero"))
    with pytest.raises(CheckFailure, match="is complex"):
        check_expand_1d(lambda x, n: expand_reference(x, n) * (1 + 0j))
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        check_expand_1d(lambda x, n: "expanded")


def test_expand_hard_coded_to_the_visible_cases_fails_the_hidden_ones(capsys):
    assert_hard_coded_fails_hidden(check_expand_1d, expand_reference)


# ------------------------------------------------------------------ build_laplacian (reduce and expand allowed)

def laplacian_reference(image, levels):
    bands, x = [], image
    for _ in range(levels - 1):
        coarser = reduce(x)
        bands.append(x - expand(coarser, x.shape))
        x = coarser
    return bands, x


def test_laplacian_reference_passes(capsys):
    check_laplacian_pyramid(laplacian_reference)
    assert capsys.readouterr().out.startswith("PASS build_laplacian (bands and residual): matches the "
                                              "reference on 5 test cases (and 3 extra)")


def test_laplacian_accepts_a_tuple_of_bands_and_a_gaussian_list_first():
    def from_gaussian_levels(image, levels):
        gauss = [image]
        for _ in range(levels - 1):
            gauss.append(reduce(gauss[-1]))
        return tuple(f - expand(c, f.shape) for f, c in zip(gauss[:-1], gauss[1:])), gauss[-1]
    check_laplacian_pyramid(from_gaussian_levels)


def _laplacian_mutant(step):
    """The lecture's loop with one line changed: step(x, coarser) -> (band, next x)."""
    def build(image, levels):
        bands, x = [], image
        for _ in range(levels - 1):
            coarser = reduce(x)
            band, x = step(x, coarser)
            bands.append(band)
        return bands, x
    return build


def _k_bands(image, levels):
    # K bands: the residual's "band" computed too, the residual itself appended as well.
    bands, x = laplacian_reference(image, levels)
    return bands + [x - expand(reduce(x), x.shape)], reduce(x)


def _residual_one_level_early(image, levels):
    bands, x = [], image
    for _ in range(levels - 1):
        coarser = reduce(x)
        bands.append(x - expand(coarser, x.shape))
        if len(bands) == levels - 1:
            break                                   # keeps x_{K-1}, not x_K
        x = coarser
    return bands, x


def _residual_expanded(image, levels):
    bands, x = laplacian_reference(image, levels)
    return bands, (expand(x, bands[-1].shape) if bands else x)


def _zero_gaussian(image, levels):
    gauss = [image]
    for _ in range(levels - 1):
        gauss.append(reduce(gauss[-1], boundary="zero"))
    return gauss


def _zero_boundary(image, levels):
    gauss = _zero_gaussian(image, levels)
    return [f - expand(c, f.shape, boundary="zero") for f, c in zip(gauss[:-1], gauss[1:])], gauss[-1]


LAPLACIAN_MUTANTS = {
    "sign is flipped": _laplacian_mutant(lambda x, c: (expand(c, x.shape) - x, c)),
    "you reduced the band": _laplacian_mutant(lambda x, c: (x - expand(c, x.shape),
                                                            reduce(x - expand(c, x.shape)))),
    "stored the Gaussian levels": _laplacian_mutant(lambda x, c: (x, c)),
    "used boundary='zero'": _zero_boundary,
    # A band at the level's own resolution, never going through the coarser level: a difference of blurs.
    "a filter of x_k at its own resolution, such as a difference of two blurs": _laplacian_mutant(
        lambda x, c: (x - ndimage.gaussian_filter(x, 1.0), c)),
    "your band is a filter of x_k at its own resolution": _laplacian_mutant(
        lambda x, c: (ndimage.gaussian_filter(x, 1.0) - ndimage.gaussian_filter(x, 2.0), c)),
    "K counts the residual": _k_bands,
    "residual is one level too fine": _residual_one_level_early,
    "residual is stored at its own size, not expanded": _residual_expanded,
    "residual is one level too coarse": lambda image, levels: (laplacian_reference(image, levels)[0],
                                                                reduce(laplacian_reference(image, levels)[1])),
    "coarsest first": lambda image, levels: (laplacian_reference(image, levels)[0][::-1],
                                             laplacian_reference(image, levels)[1]),
    "return bands, residual": lambda image, levels: laplacian_reference(image, levels)[0],
}


@pytest.mark.parametrize("hint", LAPLACIAN_MUTANTS)
def test_laplacian_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_laplacian_pyramid(LAPLACIAN_MUTANTS[hint])


def test_laplacian_expanding_to_twice_the_coarse_shape_crashes_on_odd_sizes_with_the_case_named():
    def doubled(image, levels):
        bands, x = [], image
        for _ in range(levels - 1):
            coarser = reduce(x)
            bands.append(x - expand(coarser, tuple(2 * s for s in coarser.shape[:2]) + x.shape[2:]))
            x = coarser
        return bands, x
    with pytest.raises(CheckFailure, match=r"raised ValueError .*\(for an image of shape \(13, 9\)"):
        check_laplacian_pyramid(doubled)


def test_laplacian_refuses_delegation_complex_and_strings():
    with pytest.raises(CheckFailure, match="calls lecture_utils.pyramids.laplacian_pyramid"):
        check_laplacian_pyramid(lambda image, levels: (list(laplacian_pyramid(image, levels).bands),
                                                      laplacian_pyramid(image, levels).lowpass))
    with pytest.raises(CheckFailure, match="calls lecture_utils.pyramids.gaussian_pyramid"):
        check_laplacian_pyramid(lambda image, levels: laplacian_reference(*gaussian_pyramid(image, 1), levels))
    with pytest.raises(CheckFailure, match=r"bands\[0\] \(L_1\) is complex"):
        check_laplacian_pyramid(lambda image, levels: (
            [b + 0j for b in laplacian_reference(image, levels)[0]], laplacian_reference(image, levels)[1]))
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        check_laplacian_pyramid(lambda image, levels: (laplacian_reference(image, levels)[0], "x_K"))


def test_laplacian_allows_reduce_and_expand_but_not_the_pyramids():
    assert {"lecture_utils.pyramids.reduce", "lecture_utils.pyramids.expand"} <= ALLOW_REDUCE_EXPAND
    assert not {"lecture_utils.pyramids.laplacian_pyramid", "lecture_utils.pyramids.gaussian_pyramid",
                "lecture_utils.pyramids.reconstruct", "lecture_utils.pyramids.blend"} & ALLOW_REDUCE_EXPAND


def test_laplacian_hard_coded_to_the_visible_cases_fails_the_hidden_ones(capsys):
    assert_hard_coded_fails_hidden(check_laplacian_pyramid, laplacian_reference)


# ------------------------------------------------------------------ collapse (expand allowed)

def collapse_reference(bands, residual):
    x = residual
    for band in reversed(bands):
        x = band + expand(x, band.shape)
    return x


def test_collapse_reference_passes(capsys):
    check_collapse(collapse_reference)
    assert capsys.readouterr().out.startswith("PASS collapse (Laplacian reconstruction): matches the "
                                              "reference on 5 test cases (and 3 extra)")


def test_collapse_by_expanding_every_level_to_full_size_passes():
    # F is linear: x_1 = L_1 + F L_2 + F F L_3 + F F F x_4, summed level by level, is the same image.
    def full_size(x, shapes):
        for shape in reversed(shapes):
            x = expand(x, shape)
        return x

    def summed(bands, residual):
        shapes = [b.shape for b in bands]
        return sum(full_size(b, shapes[:k]) for k, b in enumerate(bands)) + full_size(residual, shapes)
    check_collapse(summed)


def _collapse_mutant(start_from_zero=False, subtract=False, skip_bands=False):
    def collapse(bands, residual):
        x = np.zeros_like(residual) if start_from_zero else residual
        for k in range(len(bands) - 1, -1, -1):
            up = expand(x, bands[k].shape)
            if skip_bands:
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


def _stopped_one_level_early(bands, residual):
    x = residual
    for band in reversed(bands[1:]):
        x = band + expand(x, band.shape)
    return x


def _repeated_pixels(bands, residual):
    x = residual
    for band in reversed(bands):
        up = np.kron(x, np.ones((2, 2) + (1,) * (x.ndim - 2)))
        x = band + up[:band.shape[0], :band.shape[1]]
    return x


COLLAPSE_MUTANTS = {
    "residual x_K is missing": _collapse_mutant(start_from_zero=True),
    "sign is flipped": _collapse_mutant(subtract=True),
    "finest band L_1 is not added": _loop_from_the_second_band,
    "without adding the bands": _collapse_mutant(skip_bands=True),
    "repeating pixels": _repeated_pixels,
    "stopped one level early": _stopped_one_level_early,
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
    with pytest.raises(CheckFailure, match=r"raised ValueError .*\(for an image of shape \(16, 16\)"):
        check_collapse(finest_first)


def test_collapse_refuses_delegation_complex_and_strings():
    def delegated(bands, residual):
        return reconstruct(LaplacianPyramid(tuple(bands), residual, K, "reflect"))
    with pytest.raises(CheckFailure, match="calls lecture_utils.pyramids.reconstruct"):
        check_collapse(delegated)
    with pytest.raises(CheckFailure, match="is complex"):
        check_collapse(lambda bands, residual: collapse_reference(bands, residual) + 0j)
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        check_collapse(lambda bands, residual: "x_1")


def test_collapse_hard_coded_to_the_visible_cases_fails_the_hidden_ones(capsys):
    assert_hard_coded_fails_hidden(check_collapse, collapse_reference)


def test_collapse_allows_expand_only():
    assert "lecture_utils.pyramids.expand" in ALLOW_EXPAND
    assert not {"lecture_utils.pyramids.reconstruct", "lecture_utils.pyramids.reduce"} & ALLOW_EXPAND


# ------------------------------------------------------------------ blend_images (the pyramids allowed, not blend)

def _weights(mask, levels, colour):
    weights = gaussian_pyramid(mask, levels)
    return [w[..., None] for w in weights] if colour else weights


def blend_reference(a, b, mask, levels):
    pyr_a, pyr_b = laplacian_pyramid(a, levels), laplacian_pyramid(b, levels)
    g = _weights(mask, levels, a.ndim == 3)
    bands = [w * la + (1 - w) * lb for w, la, lb in zip(g, pyr_a.bands, pyr_b.bands)]
    lowpass = g[-1] * pyr_a.lowpass + (1 - g[-1]) * pyr_b.lowpass
    return reconstruct(LaplacianPyramid(tuple(bands), lowpass, pyr_a.kernel, pyr_a.boundary))


def test_blend_reference_passes(capsys):
    check_blend(blend_reference)
    assert capsys.readouterr().out.startswith("PASS blend_images (Burt and Adelson): matches the reference on "
                                              "5 test cases (and 3 extra)")


def test_blend_by_reduce_and_expand_and_own_collapse_passes():
    # Everything from the two operators, the collapse written out: also right.
    def by_hand(a, b, mask, levels):
        m = mask[..., None] if a.ndim == 3 else mask
        ga, gb, gm = [a], [b], [m]
        for _ in range(levels - 1):
            ga.append(reduce(ga[-1]))
            gb.append(reduce(gb[-1]))
            gm.append(reduce(gm[-1][..., 0])[..., None] if a.ndim == 3 else reduce(gm[-1]))
        x = gm[-1] * ga[-1] + (1 - gm[-1]) * gb[-1]
        for k in range(levels - 2, -1, -1):
            la = ga[k] - expand(ga[k + 1], ga[k].shape)
            lb = gb[k] - expand(gb[k + 1], gb[k].shape)
            x = gm[k] * la + (1 - gm[k]) * lb + expand(x, ga[k].shape)
        return x
    check_blend(by_hand)


def _blend_mutant(weights_a=None, weights_b=None, lowpass=None, combine_images=False):
    def blend_images(a, b, mask, levels):
        if combine_images:
            m = mask[..., None] if a.ndim == 3 else mask
            return m * a + (1 - m) * b
        pyr_a, pyr_b = laplacian_pyramid(a, levels), laplacian_pyramid(b, levels)
        g = (weights_a or (lambda mask, levels, colour: _weights(mask, levels, colour)))(mask, levels, a.ndim == 3)
        gb = [1 - w for w in g] if weights_b is None else [weights_b(w) for w in g]
        bands = [w * la + v * lb for w, v, la, lb in zip(g, gb, pyr_a.bands, pyr_b.bands)]
        low = g[-1] * pyr_a.lowpass + gb[-1] * pyr_b.lowpass if lowpass is None else lowpass(pyr_a, pyr_b)
        return reconstruct(LaplacianPyramid(tuple(bands), low, pyr_a.kernel, pyr_a.boundary))
    return blend_images


def _subsampled_mask(mask, levels, colour):
    levels_ = [mask[::2 ** j, ::2 ** j] for j in range(levels)]
    return [w[..., None] for w in levels_] if colour else levels_


def _laplacian_of_mask(mask, levels, colour):
    pyr = laplacian_pyramid(mask, levels)
    levels_ = list(pyr.bands) + [pyr.lowpass]
    return [w[..., None] for w in levels_] if colour else levels_


BLEND_MUTANTS = {
    "weights are swapped": _blend_mutant(weights_a=lambda m, k, c: [1 - w for w in _weights(m, k, c)]),
    "one scale: that is the hard cut": _blend_mutant(combine_images=True),
    "residual comes from a alone": _blend_mutant(lowpass=lambda pa, pb: pa.lowpass),
    "residual comes from b alone": _blend_mutant(lowpass=lambda pa, pb: pb.lowpass),
    "sub-sampled without a blur": _blend_mutant(weights_a=_subsampled_mask),
    "weighted with the mask's Laplacian pyramid": _blend_mutant(weights_a=_laplacian_of_mask),
    "do not complement a's": _blend_mutant(weights_b=lambda w: np.ones_like(w)),
    "b is weighted with the mask, like a": _blend_mutant(weights_b=lambda w: w),
}


@pytest.mark.parametrize("hint", BLEND_MUTANTS)
def test_blend_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_blend(BLEND_MUTANTS[hint])


def test_blend_forgetting_the_channel_axis_crashes_on_the_colour_case_with_the_case_named():
    def no_channel_axis(a, b, mask, levels):
        pyr_a, pyr_b = laplacian_pyramid(a, levels), laplacian_pyramid(b, levels)
        g = gaussian_pyramid(mask, levels)
        bands = [w * la + (1 - w) * lb for w, la, lb in zip(g, pyr_a.bands, pyr_b.bands)]
        low = g[-1] * pyr_a.lowpass + (1 - g[-1]) * pyr_b.lowpass
        return reconstruct(LaplacianPyramid(tuple(bands), low, pyr_a.kernel, pyr_a.boundary))
    with pytest.raises(CheckFailure, match=r"raised ValueError .*\(for a colour image \(20, 14, 3\) with a 2-D mask"):
        check_blend(no_channel_axis)


def test_blend_refuses_delegation_complex_and_strings():
    with pytest.raises(CheckFailure, match="calls lecture_utils.pyramids.blend"):
        check_blend(lambda a, b, mask, levels: blend(a, b, mask, levels))
    with pytest.raises(CheckFailure, match="is complex"):
        check_blend(lambda a, b, mask, levels: blend_reference(a, b, mask, levels) + 0j)
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        check_blend(lambda a, b, mask, levels: "blended")


def test_blend_allows_the_pyramids_but_not_blend():
    assert {"lecture_utils.pyramids.laplacian_pyramid", "lecture_utils.pyramids.gaussian_pyramid",
            "lecture_utils.pyramids.reconstruct"} <= ALLOW_PYRAMIDS
    assert "lecture_utils.pyramids.blend" not in ALLOW_PYRAMIDS


def test_blend_hard_coded_to_the_visible_cases_fails_the_hidden_ones(capsys):
    assert_hard_coded_fails_hidden(check_blend, blend_reference)


# ------------------------------------------------------------------ the cases argument, predictions

@pytest.mark.parametrize("checker, reference, visible, hidden", [
    (check_reduce_1d, reduce_reference, 5, 4), (check_expand_1d, expand_reference, 5, 3),
    (check_laplacian_pyramid, laplacian_reference, 5, 3), (check_collapse, collapse_reference, 5, 3),
    (check_blend, blend_reference, 5, 3)])
def test_visible_and_hidden_cases_run_separately(capsys, checker, reference, visible, hidden):
    checker(reference, cases="visible")
    assert f"on {visible} test cases of different shapes" in capsys.readouterr().out
    checker(reference, cases="hidden")
    assert f"on {hidden} hidden test cases" in capsys.readouterr().out


def test_the_coefficient_count_prediction(capsys):
    check_prediction("02-coefficients", 512**2 + 256**2 + 128**2 + 64**2)
    assert "RIGHT: 348160" in capsys.readouterr().out
    with pytest.raises(CheckFailure, match="The answer is 348160"):
        check_prediction("02-coefficients", 4 * 512**2 // 3)


# ------------------------------------------------------------------ bad input: a result or a name instead of a function

TABLE = [Case(check_reduce_1d, dict(fn=reduce_reference, cases="all"), {"fn": "function", "cases": "choice"}),
         Case(check_expand_1d, dict(fn=lambda x, n: 2 * blur(_no_filter(x, n))), {"fn": "function"}),
         Case(check_laplacian_pyramid, dict(fn=laplacian_reference, cases="visible"),
              {"fn": "function", "cases": "choice"}),
         Case(check_collapse, dict(fn=collapse_reference), {"fn": "function"}),
         Case(check_blend, dict(fn=blend_reference, cases="hidden"), {"fn": "function", "cases": "choice"})]
PARAMS, IDS = expand_table(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_with_a_message_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
