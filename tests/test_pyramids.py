"""Gaussian and Laplacian pyramids: operators, matrices, exact reconstruction, blending.

Expected values come from independent routes: the slide's printed matrix F3,
exact integer binomial coefficients and scipy.stats.binom, 2-D convolutions of
padded arrays (scipy.signal), index loops, constant images, and pyrtools when it
is installed. The fast versions are tested equal to these in test_fast_pyramids.py,
the widget in test_demos_pyramids.py.
"""

import math

import numpy as np
import pytest
from bad_input import Case, check_refused, expand as expand_table
from scipy import signal, stats

from lecture_utils.pyramids import (BOUNDARIES, LaplacianPyramid, _source_index, binomial_kernel, blend,
                                    downsample_matrix, expand, expand_to, gaussian_pyramid,
                                    keep_largest, laplacian_matrix, laplacian_pyramid, level_sizes,
                                    max_levels, reconstruct, reduce, synthesis_norms, upsample_matrix)

K5 = np.array([1, 4, 6, 4, 1]) / 16
NUMPY_PAD = {"zero": "constant", "reflect": "reflect", "symmetric": "symmetric", "periodic": "wrap"}
SHAPES = [(513, 300), (31, 17), (16, 16), (2, 3), (1, 1), (1, 7), (9,), (2,), (12, 9, 3), (5, 6, 1)]


def rng_image(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# ------------------------------------------------------------------ binomial kernel

def test_binomial_kernel_is_the_lectures_filter():
    np.testing.assert_array_equal(binomial_kernel(), K5)
    np.testing.assert_array_equal(binomial_kernel(5), [0.0625, 0.25, 0.375, 0.25, 0.0625])


@pytest.mark.parametrize("n", [1, 2, 3, 7, 12, 58])
def test_binomial_kernel_is_exactly_the_binomial_coefficients(n):
    # C(n-1, i) / 2^(n-1) from exact integers, divided once (Python rounds int / int correctly):
    # exact in float64 while the coefficients fit in 53 bits.
    expected = [math.comb(n - 1, i) / 2 ** (n - 1) for i in range(n)]
    np.testing.assert_array_equal(binomial_kernel(n), expected)
    assert binomial_kernel(n).sum() == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize("n", [1100, 4097])
def test_long_binomial_kernels_do_not_overflow(n):
    # C(1099, 549) alone is about 1e329, beyond float64: the old formula gave inf / inf = NaN.
    kernel = binomial_kernel(n)
    assert kernel.shape == (n,) and np.all(np.isfinite(kernel)) and np.all(kernel >= 0)
    assert kernel.sum() == pytest.approx(1.0, abs=1e-12)
    big = kernel > 1e-250   # scipy's binomial pmf (Boost), an independent route, where it is accurate
    with np.errstate(divide="ignore"):   # scipy 1.10 warns about its own underflowing tails
        pmf = stats.binom.pmf(np.arange(n), n - 1, 0.5)
    np.testing.assert_allclose(kernel[big], pmf[big], rtol=1e-10)
    np.testing.assert_array_equal(kernel, kernel[::-1])


def test_binomial_kernel_refuses_absurd_sizes_before_any_work():
    with pytest.raises(ValueError, match=r"n must be <= 4097 \(a blur wider than any image.*got 1000000"):
        binomial_kernel(10**6)


# ------------------------------------------------------------------ matrices (1-D operators)

def test_eight_times_upsample_matrix_is_the_slides_F3():
    # The slide, row by row (y_2 = F_3 x_3, 4 coarse -> 8 fine samples, zeros beyond the ends).
    slide_f3 = np.array([[6, 1, 0, 0],
                         [4, 4, 0, 0],
                         [1, 6, 1, 0],
                         [0, 4, 4, 0],
                         [0, 1, 6, 1],
                         [0, 0, 4, 4],
                         [0, 0, 1, 6],
                         [0, 0, 0, 4]], dtype=float)
    np.testing.assert_allclose(8 * upsample_matrix(4), slide_f3, rtol=0, atol=1e-14)


def test_upsample_matrix_columns_are_shifted_filters():
    # Independent construction: coarse sample i sits at fine index 2i and spreads
    # 2 * [1 4 6 4 1] / 16 over fine indices 2i-2 .. 2i+2, cut at the ends (zero boundary).
    m, n = 5, 9
    expected = np.zeros((n, m))
    for i in range(m):
        for offset, weight in zip(range(-2, 3), 2 * K5):
            if 0 <= 2 * i + offset < n:
                expected[2 * i + offset, i] = weight
    np.testing.assert_allclose(upsample_matrix(m, n), expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("n", [4, 7, 8, 13])
def test_zero_boundary_F_is_twice_G_transposed(n):
    g = downsample_matrix(n)
    f = upsample_matrix(g.shape[0], n)
    np.testing.assert_allclose(f, 2 * g.T, rtol=0, atol=1e-15)


def test_reflect_boundary_F_is_not_proportional_to_G_transposed():
    g = downsample_matrix(8, boundary="reflect")
    f = upsample_matrix(4, 8, boundary="reflect")
    assert not np.allclose(f, 2 * g.T)


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("n", range(1, 14))
def test_matrices_equal_reduce_and_expand(boundary, n):
    g = downsample_matrix(n, boundary=boundary)
    m = g.shape[0]
    f = upsample_matrix(m, n, boundary=boundary)
    assert g.shape == (m, n) and m == -(-n // 2)
    fine, coarse = rng_image(n, seed=n), rng_image(m, seed=100 + n)
    np.testing.assert_allclose(g @ fine, reduce(fine, boundary=boundary), rtol=0, atol=1e-14)
    np.testing.assert_allclose(f @ coarse, expand(coarse, (n,), boundary=boundary), rtol=0, atol=1e-14)
    # Column by column: the operator applied to unit vectors is the matrix.
    np.testing.assert_allclose(np.column_stack([reduce(e, boundary=boundary) for e in np.eye(n)]), g,
                               rtol=0, atol=1e-14)
    np.testing.assert_allclose(np.column_stack([expand(e, (n,), boundary=boundary) for e in np.eye(m)]),
                               f, rtol=0, atol=1e-14)


@pytest.mark.parametrize("kernel", [[1.0], [0.25, 0.5, 0.25], binomial_kernel(7), [0.1, 0.2, 0.4, 0.2, 0.1]],
                         ids=["1 tap", "3 taps", "7 taps", "5 taps"])
@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_matrices_equal_reduce_and_expand_for_other_kernels(kernel, boundary):
    for n in range(1, 12):
        m = -(-n // 2)
        fine, coarse = rng_image(n, seed=n), rng_image(m, seed=n + 50)
        np.testing.assert_allclose(downsample_matrix(n, kernel, boundary) @ fine,
                                   reduce(fine, kernel, boundary), rtol=0, atol=1e-14)
        np.testing.assert_allclose(upsample_matrix(m, n, kernel, boundary) @ coarse,
                                   expand(coarse, (n,), kernel, boundary), rtol=0, atol=1e-14)


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_numpy_pad_extends_as_the_matrices_index_map_does(boundary):
    # reduce/expand extend with np.pad, the matrices with _source_index: the same rule for every
    # length, one sample included, and for extensions longer than the signal (long kernels).
    for n in range(1, 12):
        x = np.arange(1.0, n + 1)
        for r in range(0, 3 * n + 8):
            index_map = [_source_index(j, n, boundary) for j in range(-r, n + r)]
            expected = [0.0 if i is None else x[i] for i in index_map]
            padded = np.pad(x, r, mode={"zero": "constant", "reflect": "reflect",
                                        "symmetric": "symmetric", "periodic": "wrap"}[boundary])
            np.testing.assert_array_equal(padded, expected, err_msg=f"n={n}, r={r}")


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_kernels_longer_than_the_signal(boundary, n):
    kernel = binomial_kernel(15)   # reads 7 samples past each end of a 1-, 2- or 3-sample signal
    m = -(-n // 2)
    fine, coarse = rng_image(n, seed=n), rng_image(m, seed=n + 9)
    np.testing.assert_allclose(reduce(fine, kernel, boundary), downsample_matrix(n, kernel, boundary) @ fine,
                               rtol=0, atol=1e-14)
    np.testing.assert_allclose(expand(coarse, (n,), kernel, boundary),
                               upsample_matrix(m, n, kernel, boundary) @ coarse, rtol=0, atol=1e-14)


def test_matrix_bad_input():
    with pytest.raises(ValueError, match="n must be 7 or 8 for m = 4 coarse samples, got 9"):
        upsample_matrix(4, 9)
    with pytest.raises(ValueError, match="n must be >= 1, got 0"):
        downsample_matrix(0)
    with pytest.raises(TypeError, match="m must be an integer"):
        upsample_matrix(4.0)
    with pytest.raises(ValueError, match="boundary must be one of"):
        downsample_matrix(4, boundary="mirror")
    with pytest.raises(ValueError, match=r"n must be <= 4096 \(the dense matrix would be too large"):
        downsample_matrix(10**9)
    with pytest.raises(ValueError, match=r"m must be <= 2048"):
        upsample_matrix(10**5)


# ------------------------------------------------------------------ reduce and expand in 2-D

def padded_blur_2d(x, kernel_2d, boundary):
    """Independent route: pad with numpy, full 2-D convolution, keep the valid part."""
    r = kernel_2d.shape[0] // 2
    padded = np.pad(x, r, mode=NUMPY_PAD[boundary])
    return signal.convolve2d(padded, kernel_2d, mode="valid")


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("shape", [(513, 300), (8, 8), (7, 5), (3, 2), (1, 6)])
def test_reduce_is_2d_blur_then_keep_even_samples(boundary, shape):
    x = rng_image(shape)
    expected = padded_blur_2d(x, np.outer(K5, K5), boundary)[::2, ::2]
    got = reduce(x, boundary=boundary)
    assert got.shape == (-(-shape[0] // 2), -(-shape[1] // 2))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-13)


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("shape", [(513, 300), (8, 8), (7, 5), (3, 2), (1, 6)])
def test_expand_is_zero_insertion_then_2d_blur_times_four(boundary, shape):
    coarse = rng_image((-(-shape[0] // 2), -(-shape[1] // 2)))
    zeros_inserted = np.zeros(shape)
    for i in range(coarse.shape[0]):
        for j in range(coarse.shape[1]):
            zeros_inserted[2 * i, 2 * j] = coarse[i, j]
    expected = padded_blur_2d(zeros_inserted, 4 * np.outer(K5, K5), boundary)
    np.testing.assert_allclose(expand(coarse, shape, boundary=boundary), expected, rtol=0, atol=1e-13)


def test_reduce_matches_pyrtools():
    pt = pytest.importorskip("pyrtools")
    x = rng_image((64, 45))
    # pyrtools' "reflect1" is the whole-sample mirror, our "reflect".
    expected = pt.corrDn(x, np.outer(K5, K5), "reflect1", step=(2, 2))
    np.testing.assert_allclose(reduce(x), expected, rtol=0, atol=1e-13)


def test_colour_images_are_filtered_channel_by_channel():
    x = rng_image((13, 10, 3))
    small = reduce(x)
    assert small.shape == (7, 5, 3)
    big = expand(small, (13, 10))
    np.testing.assert_array_equal(expand(small, (13, 10, 3)), big)
    for c in range(3):
        np.testing.assert_allclose(small[..., c], reduce(x[..., c]), atol=1e-15)
        np.testing.assert_allclose(big[..., c], expand(small[..., c], (13, 10)), atol=1e-15)


def test_integer_images_become_float():
    x = np.random.default_rng(1).integers(0, 256, (9, 11)).astype(np.uint8)
    got = reduce(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, reduce(x.astype(float)))
    assert reduce(x).max() <= 255  # no rescaling, no uint8 wrap-around


@pytest.mark.parametrize("boundary", ["reflect", "symmetric", "periodic"])
def test_reduce_keeps_constants(boundary):
    np.testing.assert_allclose(reduce(np.full((9, 6), 3.5), boundary=boundary), 3.5, rtol=1e-15)


@pytest.mark.parametrize("n", [7, 8, 2, 3])
def test_expand_keeps_constants_with_reflect_for_sizes_from_two(n):
    # The factor 2 per axis: without it the image would come out at a quarter of its brightness.
    coarse = np.full((-(-n // 2), -(-n // 2)), 2.0)
    np.testing.assert_allclose(expand(coarse, (n, n)), 2.0, rtol=1e-15)


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_which_boundaries_keep_constants_as_the_module_docstring_says(boundary):
    # The table in lecture_utils.pyramids: reduce keeps constants except with zeros;
    # expand only with "reflect" (n >= 2) and "periodic" (even n).
    keeps_expand = {"zero": [], "reflect": list(range(2, 12)), "symmetric": [], "periodic": [2, 4, 6, 8, 10]}
    reduce_ok = [n for n in range(2, 12) if np.allclose(reduce(np.ones(n), boundary=boundary), 1)]
    expand_ok = [n for n in range(2, 12)
                 if np.allclose(expand(np.ones(-(-n // 2)), (n,), boundary=boundary), 1)]
    assert reduce_ok == ([] if boundary == "zero" else list(range(2, 12)))
    assert expand_ok == keeps_expand[boundary]


def test_zero_boundary_darkens_the_edges_as_on_the_slide():
    # Row sums of the slide's 8 F3: 7 at the first row (6 + 1), 8 inside, 4 at the last.
    row_sums = 8 * upsample_matrix(4).sum(axis=1)
    np.testing.assert_allclose(row_sums, [7, 8, 8, 8, 8, 8, 7, 4], atol=1e-14)


def test_numerically_extreme_values():
    x = rng_image((9, 8)) * 1e300
    assert np.all(np.isfinite(reduce(x)))
    small = rng_image((9, 8)) * 1e-300
    np.testing.assert_allclose(reduce(small) * 1e300, reduce(small * 1e300), rtol=1e-12)


def test_reduce_and_expand_bad_input():
    with pytest.raises(ValueError, match=r"image is empty \(shape \(0, 5\)\)"):
        reduce(np.zeros((0, 5)))
    with pytest.raises(ValueError, match=r"channels last, got shape \(3, 64, 64\).*moveaxis"):
        reduce(np.zeros((3, 64, 64)))
    with pytest.raises(ValueError, match=r"image must be 1-D or 2-D or 3-D .*got shape \(2, 2, 2, 2\)"):
        reduce(np.zeros((2, 2, 2, 2)))
    with pytest.raises(ValueError, match="image contains NaN"):
        reduce(np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(TypeError, match="image must be an array of real numbers.*got str"):
        reduce("camera")
    with pytest.raises(ValueError, match="kernel must have odd length"):
        reduce(np.ones((4, 4)), kernel=[0.5, 0.5])
    with pytest.raises(ValueError, match="kernel must have at most 4097 taps, got length 1000001"):
        reduce(np.ones((4, 4)), kernel=np.full(10**6 + 1, 1e-6))
    with pytest.raises(ValueError, match="kernel must sum to 1.*got sum 16"):
        reduce(np.ones((4, 4)), kernel=[1, 4, 6, 4, 1])
    with pytest.raises(ValueError, match="boundary must be one of.*got str 'wrap'"):
        reduce(np.ones((4, 4)), boundary="wrap")
    with pytest.raises(ValueError, match=r"axis 1 needs 5 or 6 samples for 3 coarse samples, got 7"):
        expand(np.ones((4, 3)), (8, 7))
    with pytest.raises(ValueError, match="shape must give the 2 spatial size"):
        expand(np.ones((4, 3)), (8,))
    with pytest.raises(ValueError, match="has 4 channels but image has 3"):
        expand(np.ones((4, 3, 3)), (8, 6, 4))
    with pytest.raises(TypeError, match="shape must be a shape tuple of 1 or 2 or 3 positive integers"):
        expand(np.ones((4, 3)), 8)
    with pytest.raises(TypeError, match=r"shape\[0\] must be an integer"):
        expand(np.ones((4, 3)), (8.0, 6))


# ------------------------------------------------------------------ pyramids

def test_gaussian_pyramid_sizes_as_on_the_slide():
    pyramid = gaussian_pyramid(np.zeros((512, 512)), 4)
    assert [p.shape for p in pyramid] == [(512, 512), (256, 256), (128, 128), (64, 64)]
    odd = gaussian_pyramid(np.zeros((513, 300, 3)), 4)
    assert [p.shape for p in odd] == [(513, 300, 3), (257, 150, 3), (129, 75, 3), (65, 38, 3)]


def test_gaussian_pyramid_levels_are_repeated_reduce():
    x = rng_image((21, 14))
    pyramid = gaussian_pyramid(x, 3, boundary="symmetric")
    np.testing.assert_array_equal(pyramid[0], x)
    np.testing.assert_allclose(pyramid[2], reduce(reduce(x, boundary="symmetric"), boundary="symmetric"))


def test_max_levels_halves_the_smaller_side_down_to_one():
    assert max_levels((512, 512)) == 10  # 512 256 ... 2 1
    assert max_levels((513, 300, 3)) == 10  # 300 150 75 38 19 10 5 3 2 1
    assert max_levels((1, 1)) == 1
    assert max_levels((2,)) == 2
    assert len(gaussian_pyramid(np.ones((513, 300)), 10)[-1]) == 2  # 513 -> ... -> 2 rows, 1 column
    assert max_levels([7, 5]) == 4 and max_levels((np.int64(9),)) == 5
    with pytest.raises(ValueError, match=r"shape\[0\] must be >= 1, got 0"):
        max_levels((0, 4))
    with pytest.raises(TypeError, match="shape must be a shape tuple .* such as image.shape, got int 512"):
        max_levels(512)
    with pytest.raises(TypeError, match="shape must be a shape tuple .*, got str '98'"):
        max_levels("98")
    with pytest.raises(TypeError, match=r"shape\[0\] must be an integer .*got float 9.5"):
        max_levels((9.5, 4))
    with pytest.raises(ValueError, match=r"shape must be a shape tuple of 1 or 2 or 3 .*, got \(\)"):
        max_levels(())


def test_level_sizes():
    assert level_sizes(513, 4) == [513, 257, 129, 65]
    assert level_sizes(8, 4) == [8, 4, 2, 1]
    with pytest.raises(ValueError, match="levels=5 is too many for shape \\(8,\\): at most 4"):
        level_sizes(8, 5)


def test_pyramid_bad_levels():
    with pytest.raises(ValueError, match=r"levels=11 is too many for shape \(512, 512\): at most 10"):
        gaussian_pyramid(np.zeros((512, 512)), 11)
    with pytest.raises(ValueError, match="levels=2 is too many for shape \\(1, 1\\): at most 1"):
        laplacian_pyramid(np.zeros((1, 1)), 2)
    with pytest.raises(ValueError, match="levels must be >= 1, got 0"):
        laplacian_pyramid(np.zeros((8, 8)), 0)
    with pytest.raises(TypeError, match="levels must be an integer"):
        gaussian_pyramid(np.zeros((8, 8)), 2.0)


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_reconstruction_is_exact_for_any_size_and_boundary(boundary, shape):
    x = rng_image(shape, seed=len(shape))
    for levels in sorted({1, min(2, max_levels(shape)), max_levels(shape)}):
        pyramid = laplacian_pyramid(x, levels, boundary=boundary)
        assert pyramid.levels == levels and len(pyramid.bands) == levels - 1
        error = np.linalg.norm(reconstruct(pyramid) - x) / np.linalg.norm(x)
        assert error <= 1e-12, (shape, boundary, levels, error)


def test_reconstruction_is_exact_for_a_real_image():
    from skimage import data
    x = data.astronaut()[:301, :222].astype(float)  # odd and even sides, colour, 0..255
    pyramid = laplacian_pyramid(x, 6)
    assert np.max(np.abs(reconstruct(pyramid) - x)) / 255 <= 1e-12


def test_laplacian_bands_are_x_minus_expanded_coarser_level():
    x = rng_image((19, 12))
    gauss = gaussian_pyramid(x, 3)
    pyramid = laplacian_pyramid(x, 3)
    np.testing.assert_allclose(pyramid.bands[0], gauss[0] - expand(gauss[1], (19, 12)), atol=1e-15)
    np.testing.assert_allclose(pyramid.bands[1], gauss[1] - expand(gauss[2], (10, 6)), atol=1e-15)
    np.testing.assert_array_equal(pyramid.lowpass, gauss[2])
    assert [b.shape for b in pyramid.bands] == [(19, 12), (10, 6)]


def test_one_level_laplacian_pyramid_is_the_image():
    x = rng_image((5, 4))
    pyramid = laplacian_pyramid(x, 1)
    assert pyramid.bands == ()
    np.testing.assert_array_equal(reconstruct(pyramid), x)


def test_reconstruct_is_a_pure_linear_function_of_the_coefficients():
    x = rng_image((17, 10))
    pyramid = laplacian_pyramid(x, 3)
    delta = rng_image((17, 10), seed=5)
    edited = LaplacianPyramid((pyramid.bands[0] + delta, pyramid.bands[1]), pyramid.lowpass,
                              pyramid.kernel, pyramid.boundary)
    # The finest band is added last, untouched: the output moves by exactly delta.
    np.testing.assert_allclose(reconstruct(edited), x + delta, atol=1e-13)
    # A pyramid made of zeros collapses to zeros; only the coefficients matter.
    zeros = LaplacianPyramid(tuple(np.zeros_like(b) for b in pyramid.bands), np.zeros((5, 3)),
                             pyramid.kernel, pyramid.boundary)
    np.testing.assert_array_equal(reconstruct(zeros), np.zeros((17, 10)))


def test_reconstruct_bad_input():
    with pytest.raises(TypeError, match="pyramid must be a LaplacianPyramid.*got list"):
        reconstruct([np.zeros((4, 4))])
    pyramid = laplacian_pyramid(rng_image((8, 8)), 2)
    wrong = LaplacianPyramid(pyramid.bands, np.zeros((3, 4)), pyramid.kernel, pyramid.boundary)
    with pytest.raises(ValueError, match=r"bands\[0\] has shape \(8, 8\) but the coarser level has shape "
                                         r"\(3, 4\); reduce takes \(8, 8\) to \(4, 4\)"):
        reconstruct(wrong)
    flat = LaplacianPyramid(pyramid.bands, np.zeros((4, 4, 3)), pyramid.kernel, pyramid.boundary)
    with pytest.raises(ValueError, match=r"bands\[0\] has shape \(8, 8\) but the coarser level has shape"):
        reconstruct(flat)
    with pytest.raises(ValueError, match=r"pyramid.boundary must be one of"):
        reconstruct(LaplacianPyramid(pyramid.bands, pyramid.lowpass, pyramid.kernel, "mirror"))
    with pytest.raises(ValueError, match=r"pyramid.bands\[0\] contains NaN"):
        reconstruct(LaplacianPyramid((np.full((8, 8), np.nan),), pyramid.lowpass, pyramid.kernel, "reflect"))


# ------------------------------------------------------------------ the 1-D Laplacian matrix

@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_laplacian_matrix_gives_the_pyramid_coefficients(boundary):
    x = rng_image(13)
    matrix = laplacian_matrix(13, 4, boundary=boundary)
    assert matrix.shape == (13 + 7 + 4 + 2, 13)
    pyramid = laplacian_pyramid(x, 4, boundary=boundary)
    stacked = np.concatenate(list(pyramid.bands) + [pyramid.lowpass])
    np.testing.assert_allclose(matrix @ x, stacked, rtol=0, atol=1e-14)


def test_laplacian_matrix_bad_input():
    with pytest.raises(ValueError, match=r"levels=5 is too many for shape \(8,\): at most 4"):
        laplacian_matrix(8, 5)
    with pytest.raises(ValueError, match="n must be >= 1, got 0"):
        laplacian_matrix(0, 1)
    with pytest.raises(ValueError, match="kernel must sum to 1"):
        laplacian_matrix(8, 2, kernel=[1.0, 1.0, 1.0])


def test_laplacian_matrix_has_a_left_inverse():
    # Exact reconstruction means the (overcomplete) matrix has full column rank.
    matrix = laplacian_matrix(32, 4)
    assert np.linalg.matrix_rank(matrix) == 32


def test_laplacian_matrix_band_rows_reject_constants_and_the_residual_averages():
    matrix = laplacian_matrix(64, 4, boundary="periodic")
    sizes = level_sizes(64, 4)
    starts = np.cumsum([0] + sizes)
    for k in range(3):  # band-pass rows: zero response at frequency 0
        np.testing.assert_allclose(matrix[starts[k]:starts[k + 1]].sum(axis=1), 0, atol=1e-14)
    np.testing.assert_allclose(matrix[starts[3]:].sum(axis=1), 1, atol=1e-14)


# ------------------------------------------------------------------ blending

@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_blend_with_all_ones_mask_gives_a_and_zeros_gives_b(boundary):
    a, b = rng_image((23, 18, 3), seed=1), rng_image((23, 18, 3), seed=2)
    np.testing.assert_allclose(blend(a, b, np.ones((23, 18)), 4, boundary=boundary), a, atol=1e-12)
    np.testing.assert_allclose(blend(a, b, np.zeros((23, 18)), 4, boundary=boundary), b, atol=1e-12)


def test_blend_of_an_image_with_itself_is_the_image():
    a = rng_image((30, 21))
    mask = np.random.default_rng(3).uniform(0, 1, (30, 21))
    np.testing.assert_allclose(blend(a, a, mask, 5), a, atol=1e-12)


def test_blend_with_a_constant_mask_is_a_weighted_average():
    # Every Gaussian level of a constant mask is that constant, and the pyramids are linear.
    a, b = rng_image((16, 20), seed=1), rng_image((16, 20), seed=2)
    np.testing.assert_allclose(blend(a, b, np.full((16, 20), 0.3), 4), 0.3 * a + 0.7 * b, atol=1e-12)


def test_blend_is_the_lecture_formula_level_by_level():
    a, b = rng_image((12, 12), seed=1), rng_image((12, 12), seed=2)
    mask = np.zeros((12, 12))
    mask[:, :6] = 1
    la, lb = laplacian_pyramid(a, 3), laplacian_pyramid(b, 3)
    g = gaussian_pyramid(mask, 3)
    bands = tuple(g[j] * la.bands[j] + (1 - g[j]) * lb.bands[j] for j in range(2))
    residual = g[2] * la.lowpass + (1 - g[2]) * lb.lowpass
    expected = reconstruct(LaplacianPyramid(bands, residual, la.kernel, la.boundary))
    np.testing.assert_allclose(blend(a, b, mask, 3), expected, atol=1e-14)


def test_blend_accepts_a_colour_mask():
    a, b = rng_image((8, 8, 3), seed=1), rng_image((8, 8, 3), seed=2)
    mask = np.zeros((8, 8, 3))
    mask[..., 0] = 1  # red from a, the rest from b
    out = blend(a, b, mask, 3)
    np.testing.assert_allclose(out[..., 0], a[..., 0], atol=1e-12)
    np.testing.assert_allclose(out[..., 1:], b[..., 1:], atol=1e-12)


def test_blend_bad_input():
    a = np.zeros((8, 8))
    with pytest.raises(ValueError, match=r"mask must have shape \(8, 8\) or \(8, 8\), got \(8, 9\)"):
        blend(a, a, np.zeros((8, 9)), 2)
    with pytest.raises(ValueError, match=r"b must have a's shape \(8, 8\), got \(8, 8, 3\)"):
        blend(a, np.zeros((8, 8, 3)), np.zeros((8, 8)), 2)
    with pytest.raises(ValueError, match=r"mask values must lie in \[0, 1\], got \[0, 255\].*255"):
        blend(a, a, np.full((8, 8), 255.0) * (np.arange(8) > 3), 2)
    with pytest.raises(ValueError, match="b contains NaN"):
        blend(a, np.full((8, 8), np.nan), np.zeros((8, 8)), 2)
    with pytest.raises(ValueError, match="levels=5 is too many"):
        blend(a, a, np.zeros((8, 8)), 5)
    with pytest.raises(ValueError, match=r"a must be an \(H, W\) or \(H, W, C\) image, got shape \(8,\)"):
        blend(np.zeros(8), np.zeros(8), np.zeros(8), 2)


# ------------------------------------------------------------------ levels at full resolution

@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_expand_to_is_the_product_of_the_upsampling_matrices(boundary):
    # F_1 F_2 F_3 x_4 for a 1-D signal of 37 samples: 37 <- 19 <- 10 <- 5.
    x = rng_image((5,))
    sizes = level_sizes(37, 4)
    product = np.eye(37)
    for fine, coarse in zip(sizes[:-1], sizes[1:]):
        product = product @ upsample_matrix(coarse, fine, boundary=boundary)
    np.testing.assert_allclose(expand_to(x, (37,), boundary=boundary), product @ x, atol=1e-14)


def test_expand_to_images_colour_and_the_identity():
    x = rng_image((13, 7, 3))
    np.testing.assert_array_equal(expand_to(x, (13, 7)), x)                  # already at that size
    once = expand(expand(x, (25, 13)), (50, 25))
    np.testing.assert_allclose(expand_to(x, (50, 25, 3)), once, atol=1e-14)
    np.testing.assert_allclose(expand_to(np.full((4, 4), 0.3), (32, 32)), 0.3, atol=1e-14)   # reflect keeps constants


def test_expand_to_names_an_unreachable_shape():
    with pytest.raises(ValueError, match=r"shape \(9, 17\) is not a finer level of image shape \(3, 4\)"):
        expand_to(np.ones((3, 4)), (9, 17))
    with pytest.raises(ValueError, match="shape must give the 2 spatial size"):
        expand_to(np.ones((3, 4)), (9,))
    with pytest.raises(ValueError, match="has 2 channels but image has 3"):
        expand_to(np.ones((3, 4, 3)), (6, 8, 2))


def test_synthesis_norms_are_column_norms_of_the_synthesis_matrices():
    # x_1 = L_1 + F_1 L_2 + F_1 F_2 L_3 + F_1 F_2 F_3 x_4: the centre column of each product.
    n, levels = 129, 4
    sizes = level_sizes(n, levels)
    product, expected = np.eye(n), []
    for k, size in enumerate(sizes):
        expected.append(np.linalg.norm(product[:, size // 2]))
        if k + 1 < levels:
            product = product @ upsample_matrix(sizes[k + 1], size, boundary="reflect")
    np.testing.assert_allclose(synthesis_norms((n,), levels), expected, rtol=1e-14)
    # Separable: in 2-D a centre coefficient's synthesis image is the outer product of the 1-D ones.
    np.testing.assert_allclose(synthesis_norms((n, n, 3), levels), np.array(expected) ** 2, rtol=1e-12)
    assert synthesis_norms((n, n), levels)[0] == 1.0


@pytest.mark.parametrize("shape, boundary", [((64, 48), "reflect"), ((37, 53), "zero"), ((40, 40, 3), "periodic")])
def test_synthesis_norms_are_the_norms_of_a_unit_coefficient_collapsed_in_2d(shape, boundary):
    pyramid = laplacian_pyramid(np.zeros(shape), 4, boundary=boundary)
    levels = list(pyramid.bands) + [pyramid.lowpass]
    for k, level in enumerate(levels):
        units = [np.zeros_like(band) for band in levels]
        units[k][level.shape[0] // 2, level.shape[1] // 2] = 1.0           # one coefficient, every channel
        image = reconstruct(LaplacianPyramid(tuple(units[:-1]), units[-1], K5, boundary))
        channels = 1 if len(shape) == 2 else shape[2]
        assert np.linalg.norm(image) / np.sqrt(channels) == pytest.approx(
            synthesis_norms(shape, 4, boundary=boundary)[k], rel=1e-12)


def test_synthesis_norms_grow_about_two_per_level_in_2d():
    norms = synthesis_norms((512, 512), 5)
    np.testing.assert_allclose(norms[:2], [1.0, 1.09375], rtol=1e-12)      # ||4 h h^T|| = 4 * 70 / 256
    ratios = norms[1:] / norms[:-1]                  # the synthesis kernel widens by 2 per axis per level
    assert np.all(np.diff(ratios) > 0) and abs(ratios[-1] - 2) < 0.02


# ------------------------------------------------------------------ compression by coring

def test_keep_largest_keeps_the_requested_share():
    pyramid = laplacian_pyramid(rng_image((32, 32)), 4)
    total = sum(b.size for b in pyramid.bands)
    kept = keep_largest(pyramid, 0.1)
    assert sum(np.count_nonzero(b) for b in kept.bands) == round(0.1 * total)
    smallest_kept = min(np.abs(b[b != 0]).min() for b in kept.bands if np.any(b))
    largest_dropped = max(np.abs(o[k == 0]).max() for o, k in zip(pyramid.bands, kept.bands))
    assert smallest_kept >= largest_dropped
    np.testing.assert_array_equal(kept.lowpass, pyramid.lowpass)


def test_keep_largest_extremes():
    x = rng_image((16, 16))
    pyramid = laplacian_pyramid(x, 3)
    np.testing.assert_allclose(reconstruct(keep_largest(pyramid, 1.0)), x, atol=1e-12)
    blurred = reconstruct(keep_largest(pyramid, 0.0))  # only the residual, expanded twice
    np.testing.assert_allclose(blurred, expand(expand(pyramid.lowpass, (8, 8)), (16, 16)), atol=1e-14)


def test_weighted_coring_ranks_by_what_dropping_changes_in_the_image():
    pyramid = laplacian_pyramid(rng_image((40, 36)), 4)
    norms = synthesis_norms((40, 36), 4)
    kept = keep_largest(pyramid, 0.2, weighted=True)
    scores = [norm * np.abs(band) for norm, band in zip(norms, pyramid.bands)]
    total = sum(b.size for b in pyramid.bands)
    assert sum(np.count_nonzero(b) for b in kept.bands) == round(0.2 * total)
    smallest_kept = np.concatenate([s[k != 0] for s, k in zip(scores, kept.bands)]).min()
    largest_dropped = np.concatenate([s[k == 0] for s, k in zip(scores, kept.bands)]).max()
    assert smallest_kept >= largest_dropped
    for band, new in zip(pyramid.bands, kept.bands):        # kept coefficients are not altered
        np.testing.assert_array_equal(new[new != 0], band[new != 0])
    # A coarse band's coefficient weighs |c| ||s_k||: dropping it alone changes the image by that much.
    single = [np.zeros_like(b) for b in pyramid.bands]
    single[2][5, 4] = 1.0
    image = reconstruct(LaplacianPyramid(tuple(single), np.zeros_like(pyramid.lowpass), K5, "reflect"))
    np.testing.assert_allclose(np.linalg.norm(image), norms[2], rtol=1e-12)


def test_weighted_coring_of_a_natural_image_beats_raw_magnitudes():
    camera = pytest.importorskip("skimage.data").camera()[::2, ::2].astype(float) / 255
    pyramid = laplacian_pyramid(camera, 5)
    errors = {w: np.linalg.norm(reconstruct(keep_largest(pyramid, 0.05, weighted=w)) - camera) for w in (False, True)}
    assert errors[True] < 0.9 * errors[False]


def test_keep_largest_bad_input():
    pyramid = laplacian_pyramid(rng_image((8, 8)), 2)
    with pytest.raises(ValueError, match="fraction must be a finite real number >= 0 and <= 1, got 1.5"):
        keep_largest(pyramid, 1.5)
    with pytest.raises(ValueError, match="fraction must be a finite real number >= 0 and <= 1, got -0.1"):
        keep_largest(pyramid, -0.1)
    with pytest.raises(TypeError, match="pyramid must be a LaplacianPyramid"):
        keep_largest(np.zeros((8, 8)), 0.5)


# ------------------------------------------------------------------ every function x every kind of bad value

IMAGE = rng_image((9, 8))
PYRAMID = laplacian_pyramid(IMAGE, 3)
FILTERING = {"kernel": "array", "boundary": "choice"}
DEFAULT_KERNEL = {"kernel": ["None"]}          # None is the default: the lecture's binomial filter
SIGNAL_TOO = ["one axis too few"]              # (9, 8)[0] is an (8,) signal, which pyramids accept too

TABLE = [
    Case(binomial_kernel, dict(n=5), {"n": "count"}),
    Case(reduce, dict(image=IMAGE, kernel=K5, boundary="reflect"), {"image": "array", **FILTERING},
         skip={"image": SIGNAL_TOO, **DEFAULT_KERNEL}),
    Case(expand, dict(image=rng_image((5, 4)), shape=(9, 8), kernel=K5, boundary="reflect"),
         {"image": "array", "shape": "shape", **FILTERING}, skip=DEFAULT_KERNEL),
    Case(downsample_matrix, dict(n=8, kernel=K5, boundary="zero"), {"n": "count", **FILTERING},
         skip=DEFAULT_KERNEL),
    Case(upsample_matrix, dict(m=4, n=8, kernel=K5, boundary="zero"), {"m": "count", "n": "count", **FILTERING},
         skip={"n": ["None"], **DEFAULT_KERNEL}),   # n = None is the default, 2 m
    Case(level_sizes, dict(n=9, levels=3), {"n": "count", "levels": "count"}),
    Case(laplacian_matrix, dict(n=9, levels=3, kernel=K5, boundary="zero"),
         {"n": "count", "levels": "count", **FILTERING}, skip=DEFAULT_KERNEL),
    Case(max_levels, dict(shape=(9, 8)), {"shape": "shape"}),
    Case(gaussian_pyramid, dict(image=IMAGE, levels=3, kernel=K5, boundary="reflect"),
         {"image": "array", "levels": "count", **FILTERING}, skip={"image": SIGNAL_TOO, **DEFAULT_KERNEL}),
    Case(laplacian_pyramid, dict(image=IMAGE, levels=3, kernel=K5, boundary="reflect"),
         {"image": "array", "levels": "count", **FILTERING}, skip={"image": SIGNAL_TOO, **DEFAULT_KERNEL}),
    Case(blend, dict(a=IMAGE, b=IMAGE + 1, mask=np.full((9, 8), 0.5), levels=3, kernel=K5, boundary="reflect"),
         {"a": "array", "b": "array", "mask": "array", "levels": "count", **FILTERING}, skip=DEFAULT_KERNEL),
    Case(keep_largest, dict(pyramid=PYRAMID, fraction=0.5, weighted=True), {"fraction": "real", "weighted": "flag"}),
    Case(expand_to, dict(image=rng_image((3, 2)), shape=(9, 8), kernel=K5, boundary="reflect"),
         {"image": "array", "shape": "shape", **FILTERING}, skip=DEFAULT_KERNEL),
    Case(synthesis_norms, dict(shape=(9, 8), levels=3, kernel=K5, boundary="reflect"),
         {"shape": "shape", "levels": "count", **FILTERING}, skip=DEFAULT_KERNEL),
]

# The harness has no family for a pyramid argument: what a student might pass instead.
NOT_A_PYRAMID = {"None": None, "a list of bands": list(PYRAMID.bands), "an array": IMAGE,
                 "a Gaussian pyramid (a list)": gaussian_pyramid(IMAGE, 3)}
BROKEN_PYRAMIDS = {
    "a low-pass of the wrong size": LaplacianPyramid(PYRAMID.bands, np.zeros((2, 2)), K5, "reflect"),
    "bands in the wrong order": LaplacianPyramid(PYRAMID.bands[::-1], PYRAMID.lowpass, K5, "reflect"),
    "a NaN band": LaplacianPyramid((np.full((9, 8), np.nan), PYRAMID.bands[1]), PYRAMID.lowpass, K5, "reflect"),
    "an unknown boundary": LaplacianPyramid(PYRAMID.bands, PYRAMID.lowpass, K5, "mirror"),
    "a kernel that does not sum to 1": LaplacianPyramid(PYRAMID.bands, PYRAMID.lowpass, 16 * K5, "reflect"),
}
PYRAMID_ROWS = ([(reconstruct, dict(pyramid=PYRAMID), "pyramid", d, v)
                 for d, v in {**NOT_A_PYRAMID, **BROKEN_PYRAMIDS}.items()]
                + [(keep_largest, dict(pyramid=PYRAMID, fraction=0.5, weighted=True), "pyramid", d, v)
                   for d, v in NOT_A_PYRAMID.items()])   # keep_largest leaves shapes to reconstruct
PARAMS, IDS = expand_table(TABLE)
PARAMS += PYRAMID_ROWS
IDS += [f"{fn.__qualname__}-{arg}-{d.replace(' ', '_')}" for fn, _, arg, d, _ in PYRAMID_ROWS]


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_with_a_message_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)


def test_bad_input_table_covers_every_public_function():
    import lecture_utils.pyramids as module
    covered = {fn.__name__ for fn, *_ in PARAMS}
    public = {name for name in module.__all__ if callable(getattr(module, name))} - {"LaplacianPyramid"}
    assert covered == public, public - covered
    assert len(PARAMS) > 200
