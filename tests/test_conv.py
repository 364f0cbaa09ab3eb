"""lecture_utils.conv: references are scipy.signal (2-D correlation/convolution), closed forms,
finite differences, and PyTorch when installed."""

import numpy as np
import pytest
from scipy import signal

from bad_input import Case, check_refused, expand

from lecture_utils.conv import (col2im, conv2d_backward, conv2d_backward_naive, conv2d_forward,
                                conv2d_forward_naive, conv2d_output_shape, convolve2d_naive,
                                correlate2d_naive, im2col, max_pool_backward, max_pool_forward,
                                receptive_field_counts)
from lecture_utils.gradcheck import layer_gradient_errors, numerical_gradient, rel_error

SHAPES_2D = [((5, 6), (3, 2)), ((4, 4), (4, 4)), ((7, 3), (1, 3)), ((6, 5), (2, 2))]


# ---------------------------------------------------------------- single 2-D arrays

@pytest.mark.parametrize("mode", ["valid", "full"])
@pytest.mark.parametrize("x_shape, w_shape", SHAPES_2D)
def test_correlate_and_convolve_match_scipy(x_shape, w_shape, mode):
    rng = np.random.default_rng(sum(x_shape) + sum(w_shape))
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    np.testing.assert_allclose(correlate2d_naive(x, w, mode), signal.correlate2d(x, w, mode),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(convolve2d_naive(x, w, mode), signal.convolve2d(x, w, mode),
                               rtol=1e-12, atol=1e-12)


def test_output_size_is_u_minus_s_plus_1():
    y = correlate2d_naive(np.zeros((7, 9)), np.ones((3, 4)))
    assert y.shape == (7 - 3 + 1, 9 - 4 + 1)
    assert correlate2d_naive(np.zeros((7, 9)), np.ones((3, 4)), "full").shape == (9, 12)


def test_correlation_closed_form():
    # x[p, q] = 10 p + q and w = [[1, 0], [0, -1]]: Y(p, q) = x[p, q] - x[p+1, q+1] = -11 everywhere.
    x = 10 * np.arange(4)[:, None] + np.arange(5)[None, :]
    y = correlate2d_naive(x, [[1, 0], [0, -1]])
    np.testing.assert_array_equal(y, np.full((3, 4), -11.0))
    # A convolution flips the kernel: x[p, q] * 1 at offset (0, 0) becomes x[p+1, q+1] - x[p, q].
    np.testing.assert_array_equal(convolve2d_naive(x, [[1, 0], [0, -1]]), np.full((3, 4), 11.0))


@pytest.mark.parametrize("mode", ["valid", "full"])
def test_convolution_is_correlation_with_flipped_kernel(mode):
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((6, 5)), rng.standard_normal((3, 2))
    np.testing.assert_allclose(convolve2d_naive(x, w, mode), correlate2d_naive(x, w[::-1, ::-1], mode),
                               rtol=1e-13, atol=1e-13)


def test_seed_formulas_for_one_channel():
    """dJ/dW = X (x) dJ/dY (valid) and dJ/dX = dJ/dY * W (full), against finite differences."""
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((6, 5)), rng.standard_normal((3, 2))
    g = rng.standard_normal((4, 4))  # dJ/dY for J = sum(Y * g)

    def J_of_w(w_):
        return float(np.sum(correlate2d_naive(x, w_) * g))

    def J_of_x(x_):
        return float(np.sum(correlate2d_naive(x_, w) * g))

    assert rel_error(correlate2d_naive(x, g), numerical_gradient(J_of_w, w.copy())) < 1e-8
    assert rel_error(convolve2d_naive(g, w, "full"), numerical_gradient(J_of_x, x.copy())) < 1e-8
    assert rel_error(correlate2d_naive(g, w[::-1, ::-1], "full"), numerical_gradient(J_of_x, x.copy())) < 1e-8


def test_full_mode_accepts_a_kernel_larger_than_the_image_like_scipy():
    np.testing.assert_allclose(correlate2d_naive(np.ones((2, 2)), np.ones((3, 3)), "full"),
                               signal.correlate2d(np.ones((2, 2)), np.ones((3, 3)), "full"))


# ---------------------------------------------------------------- convolution layer

# (N, C, H, W, K, R, S, stride, padding)
# Strides 1 to 3, padding, rectangular kernels, a 1x1 output, a kernel larger than the image.
LAYER_CASES = [
    (2, 1, 5, 5, 1, 3, 3, 1, 0),
    (2, 3, 6, 5, 4, 3, 2, 1, 0),
    (2, 3, 6, 7, 2, 3, 2, 1, 1),
    (1, 2, 7, 7, 3, 3, 3, 2, 1),
    (3, 2, 5, 6, 2, 2, 3, 3, 2),
    (2, 2, 4, 4, 2, 4, 4, 1, 0),   # kernel as large as the image: a 1x1 output
    (1, 1, 3, 3, 2, 5, 5, 1, 1),   # kernel larger than the image, fits once padded
]


def _layer_problem(case, seed=0):
    N, C, H, W, K, R, S, stride, padding = case
    rng = np.random.default_rng(seed + sum(case))
    return (rng.standard_normal((N, C, H, W)), rng.standard_normal((K, C, R, S)),
            rng.standard_normal(K), dict(stride=stride, padding=padding))


def _scipy_conv_layer(x, w, b, stride, padding):
    """Independent reference: sum over channels of scipy's valid 2-D correlations, then subsample."""
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    N, K = x.shape[0], w.shape[0]
    out = np.array([[sum(signal.correlate2d(x_pad[n, c], w[k, c], "valid") for c in range(x.shape[1])) + b[k]
                     for k in range(K)] for n in range(N)])
    return out[:, :, ::stride, ::stride]


@pytest.mark.parametrize("case", LAYER_CASES)
@pytest.mark.parametrize("forward", [conv2d_forward, conv2d_forward_naive])
def test_forward_matches_scipy(case, forward):
    x, w, b, params = _layer_problem(case)
    y, _ = forward(x, w, b, **params)
    expected = _scipy_conv_layer(x, w, b, **params)
    assert y.shape == expected.shape == conv2d_output_shape(x.shape, w.shape, **params)
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", LAYER_CASES)
def test_fast_equals_naive(case):
    x, w, b, params = _layer_problem(case, seed=1)
    y_fast, cache_fast = conv2d_forward(x, w, b, **params)
    y_naive, cache_naive = conv2d_forward_naive(x, w, b, **params)
    np.testing.assert_allclose(y_fast, y_naive, rtol=1e-12, atol=1e-12)
    dy = np.random.default_rng(9).standard_normal(y_fast.shape)
    for fast, naive in zip(conv2d_backward(dy, cache_fast), conv2d_backward_naive(dy, cache_naive)):
        assert fast.shape == naive.shape
        np.testing.assert_allclose(fast, naive, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", LAYER_CASES)
@pytest.mark.parametrize("layer", [(conv2d_forward, conv2d_backward),
                                   (conv2d_forward_naive, conv2d_backward_naive)],
                         ids=["fast", "naive"])
def test_gradients_match_finite_differences(case, layer):
    x, w, b, params = _layer_problem(case, seed=2)
    errors = layer_gradient_errors(*layer, [x, w, b], params, rng=5)
    assert max(errors) < 1e-8, errors


def test_without_bias():
    x, w, b, params = _layer_problem(LAYER_CASES[1])
    y_none, cache = conv2d_forward(x, w, None, **params)
    np.testing.assert_allclose(y_none, conv2d_forward(x, w, np.zeros(len(w)), **params)[0])
    np.testing.assert_allclose(y_none, conv2d_forward_naive(x, w, **params)[0], rtol=1e-12, atol=1e-12)
    dy = np.ones_like(y_none)
    dx, dw, db = conv2d_backward(dy, cache)
    np.testing.assert_allclose(db, np.full(len(w), dy[:, 0].size))  # each bias touches N*H'*W' outputs


def test_single_channel_gradients_are_the_seed_formulas():
    """Seed 004: dJ/dW = X (x) dJ/dY; seed 002: dJ/dX = dJ/dY * W (full convolution)."""
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((1, 1, 6, 7)), rng.standard_normal((1, 1, 3, 2))
    y, cache = conv2d_forward(x, w)
    dy = rng.standard_normal(y.shape)
    dx, dw, db = conv2d_backward(dy, cache)
    np.testing.assert_allclose(dw[0, 0], signal.correlate2d(x[0, 0], dy[0, 0], "valid"), rtol=1e-12)
    np.testing.assert_allclose(dx[0, 0], signal.convolve2d(dy[0, 0], w[0, 0], "full"), rtol=1e-12)
    assert db[0] == pytest.approx(dy.sum())


def test_extreme_magnitudes_stay_finite_and_exact():
    rng = np.random.default_rng(8)
    x = 1e150 * rng.standard_normal((2, 2, 5, 5))
    w = 1e-150 * rng.standard_normal((3, 2, 3, 3))
    y, cache = conv2d_forward(x, w, np.zeros(3), padding=1)
    y_naive, cache_naive = conv2d_forward_naive(x, w, np.zeros(3), padding=1)
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y, y_naive, rtol=1e-12, atol=1e-12)
    dy = 1e100 * np.ones_like(y)
    for fast, naive in zip(conv2d_backward(dy, cache), conv2d_backward_naive(dy, cache_naive)):
        assert np.all(np.isfinite(fast))
        np.testing.assert_allclose(fast, naive, rtol=1e-12)


def test_matches_pytorch():
    torch = pytest.importorskip("torch")
    x, w, b, params = _layer_problem((3, 2, 8, 7, 4, 3, 3, 2, 1), seed=3)
    y, cache = conv2d_forward(x, w, b, **params)
    dy = np.random.default_rng(1).standard_normal(y.shape)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    yt = torch.nn.functional.conv2d(xt, wt, bt, **params)
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    for ours, theirs in zip(conv2d_backward(dy, cache), (xt, wt, bt)):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_output_shape_formula():
    assert conv2d_output_shape((100, 1, 22, 22), (1, 1, 3, 3)) == (100, 1, 20, 20)   # seed 003's sizes
    assert conv2d_output_shape((8, 3, 32, 32), (16, 3, 5, 5), stride=2, padding=2) == (8, 16, 16, 16)
    assert conv2d_output_shape((1, 1, 7, 7), (1, 1, 3, 3), stride=3) == (1, 1, 2, 2)


def test_dx_is_the_full_correlation_with_the_flipped_kernel_for_stride_one():
    # seed 002, Eq. A: dJ/dx[n, c] = sum_k full_correlate(dJ/dy[n, k], w[k, c] flipped)
    rng = np.random.default_rng(21)
    x, w = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2))
    y, cache = conv2d_forward(x, w)
    dy = rng.standard_normal(y.shape)
    expected = np.array([[sum(signal.correlate2d(dy[n, k], w[k, c, ::-1, ::-1], "full") for k in range(4))
                          for c in range(3)] for n in range(2)])
    np.testing.assert_allclose(conv2d_backward(dy, cache)[0], expected, rtol=1e-12, atol=1e-12)


def test_col2im_is_the_adjoint_of_im2col():
    # <im2col(a), B> = <a, col2im(B)> for every a and B: the defining property of an adjoint
    rng = np.random.default_rng(22)
    a, stride, (R, S) = rng.standard_normal((2, 3, 7, 6)), 2, (3, 2)
    Ho, Wo = (7 - R) // stride + 1, (6 - S) // stride + 1
    cols = im2col(a, R, S, stride, Ho, Wo)
    B = rng.standard_normal(cols.shape)
    assert np.sum(cols * B) == pytest.approx(np.sum(a * col2im(B, 2, 3, 7, 6, R, S, stride, Ho, Wo)), rel=1e-13)


# ---------------------------------------------------------------- max pooling

def _pool_loops(x, size, stride):
    N, C, H, W = x.shape
    Ho, Wo = (H - size) // stride + 1, (W - size) // stride + 1
    out = np.empty((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for p in range(Ho):
                for q in range(Wo):
                    out[n, c, p, q] = x[n, c, p * stride:p * stride + size, q * stride:q * stride + size].max()
    return out


@pytest.mark.parametrize("size, stride, shape", [(2, 2, (2, 3, 6, 8)), (2, 2, (1, 2, 7, 5)),
                                                 (3, 2, (2, 1, 7, 7)), (3, 1, (1, 2, 5, 6))])
def test_max_pool_forward_matches_loops_and_gradients_match_finite_differences(size, stride, shape):
    x = np.random.default_rng(sum(shape)).standard_normal(shape)  # continuous values: no ties
    out, _ = max_pool_forward(x, size, stride)
    np.testing.assert_array_equal(out, _pool_loops(x, size, stride))
    errors = layer_gradient_errors(max_pool_forward, max_pool_backward, [x],
                                   dict(size=size, stride=stride), rng=2)
    assert errors[0] < 1e-8


def test_max_pool_closed_form():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    out, cache = max_pool_forward(x)
    np.testing.assert_array_equal(out[0, 0], [[5, 7], [13, 15]])
    dx = max_pool_backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), cache)
    expected = np.zeros((4, 4))
    expected[1, 1], expected[1, 3], expected[3, 1], expected[3, 3] = 1, 2, 3, 4
    np.testing.assert_array_equal(dx[0, 0], expected)


def test_max_pool_ties_route_to_first_maximum_and_extremes_work():
    x = np.full((1, 1, 2, 2), -1e300)
    out, cache = max_pool_forward(x)
    assert out[0, 0, 0, 0] == -1e300
    dx = max_pool_backward(np.ones((1, 1, 1, 1)), cache)
    np.testing.assert_array_equal(dx[0, 0], [[1, 0], [0, 0]])  # the gradient is not duplicated


def test_max_pool_matches_pytorch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 8))
    out, cache = max_pool_forward(x, 3, 2)
    dout = np.random.default_rng(1).standard_normal(out.shape)
    xt = torch.tensor(x, requires_grad=True)
    ot = torch.nn.functional.max_pool2d(xt, 3, 2)
    ot.backward(torch.tensor(dout))
    np.testing.assert_array_equal(out, ot.detach().numpy())
    np.testing.assert_allclose(max_pool_backward(dout, cache), xt.grad.numpy(), rtol=1e-14)


# ---------------------------------------------------------------- receptive-field counts

@pytest.mark.parametrize("height, width, kernel, stride, padding",
                         [(8, 8, 3, 1, 0), (7, 9, 2, 2, 1), (8, 8, 3, 3, 0), (6, 6, 5, 4, 2)])
def test_counts_are_the_input_gradient_of_an_all_ones_layer(height, width, kernel, stride, padding):
    counts, out_shape = receptive_field_counts(height, width, kernel, stride, padding)
    y, cache = conv2d_forward_naive(np.ones((1, 1, height, width)), np.ones((1, 1, kernel, kernel)),
                                    stride=stride, padding=padding)
    assert out_shape == y.shape[2:]
    dx = conv2d_backward_naive(np.ones_like(y), cache)[0]
    np.testing.assert_array_equal(counts[padding:padding + height, padding:padding + width], dx[0, 0])
    assert counts.sum() == kernel * kernel * y.size      # every output reads R*S pixels


def test_counts_closed_form_stride_one():
    counts, _ = receptive_field_counts(8, 8, 3)
    assert np.all(counts[2:-2, 2:-2] == 9)          # interior pixels: R*S terms
    assert counts[0, 0] == 1 and counts[0, 1] == 2  # corners and edges: fewer


def test_non_contiguous_views_are_handled():
    # as_strided reads the arrays' own strides: reversed, transposed and sliced views must work
    rng = np.random.default_rng(12)
    base = rng.standard_normal((6, 3, 9, 8))
    x = base[::2, :, ::-1, :].transpose(0, 1, 3, 2)          # (3, 3, 8, 9), negative and swapped strides
    w = rng.standard_normal((4, 3, 3, 3))[:, :, ::-1]
    for params in (dict(), dict(stride=2, padding=1)):
        y, cache = conv2d_forward(x, w, **params)
        y_naive, cache_naive = conv2d_forward_naive(np.ascontiguousarray(x), np.ascontiguousarray(w), **params)
        np.testing.assert_allclose(y, y_naive, rtol=1e-12, atol=1e-12)
        dy = rng.standard_normal(y.shape)[..., ::-1]
        for fast, naive in zip(conv2d_backward(dy, cache), conv2d_backward_naive(np.ascontiguousarray(dy), cache_naive)):
            np.testing.assert_allclose(fast, naive, rtol=1e-12, atol=1e-12)
    out, cache = max_pool_forward(x)
    np.testing.assert_array_equal(out, _pool_loops(np.ascontiguousarray(x), 2, 2))



# ---------------------------------------------------------------- bad input

def test_error_messages_name_what_does_not_fit():
    x, w = np.ones((2, 3, 5, 5)), np.ones((4, 3, 3, 3))
    with pytest.raises(ValueError, match=r"w must have shape \(K, C, R, S\) with C = 3 as in x"):
        conv2d_forward(x, np.ones((4, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"kernel 8x8 .* larger than the padded input 7x7"):
        conv2d_forward_naive(x, np.ones((4, 3, 8, 8)), padding=1)
    with pytest.raises(ValueError, match=r"kernel w \(4, 2\) must fit inside x \(3, 3\)"):
        convolve2d_naive(np.ones((3, 3)), np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"the pooling window 4x4 is larger than the 3x3 images"):
        max_pool_forward(np.ones((1, 2, 3, 3)), size=4)
    y, cache = conv2d_forward(x, w)
    with pytest.raises(ValueError, match=r"dy must have the shape of the forward pass's output, \(2, 4, 3, 3\)"):
        conv2d_backward(np.ones((2, 4, 3, 2)), cache)


def test_backward_rejects_a_cache_from_another_layer():
    x, w = np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2))
    _, naive_cache = conv2d_forward_naive(x, w)
    _, fast_cache = conv2d_forward(x, w)
    dy = np.ones((1, 1, 3, 3))
    with pytest.raises(TypeError, match=r"cache must be a ConvCache \(the one conv2d_forward returns\), got ConvNaiveCache"):
        conv2d_backward(dy, naive_cache)
    with pytest.raises(TypeError, match="the one conv2d_forward_naive returns.*got ConvCache"):
        conv2d_backward_naive(dy, fast_cache)
    with pytest.raises(TypeError, match="the one max_pool_forward returns.*got list"):
        max_pool_backward(np.ones((1, 1, 2, 2)), [1, 2, 3, 4])


X4, W4, B4 = np.ones((2, 3, 5, 5)), np.ones((4, 3, 3, 3)), np.zeros(4)
LAYER_ARGS = {"x": "array", "w": "array", "b": "array", "stride": "count", "padding": "count"}
TABLE = [
    Case(fn, dict(x=np.ones((4, 5)), w=np.ones((2, 3)), mode="valid"), {"x": "array", "w": "array", "mode": "choice"})
    for fn in (correlate2d_naive, convolve2d_naive)
] + [
    Case(fn, dict(x=X4, w=W4, b=B4, stride=1, padding=1), LAYER_ARGS, skip={"b": ["None"]})   # b=None: no bias
    for fn in (conv2d_forward, conv2d_forward_naive)
] + [
    Case(conv2d_output_shape, dict(x_shape=(2, 3, 5, 5), w_shape=(4, 3, 3, 3), stride=1, padding=0),
         {"x_shape": "shape", "w_shape": "shape", "stride": "count", "padding": "count"},
         skip={"x_shape": ["an absurd side"], "w_shape": ["an absurd side"]}),   # a formula: no memory at stake
    Case(conv2d_backward, dict(dy=np.ones((2, 4, 5, 5)), cache=conv2d_forward(X4, W4, B4, padding=1)[1]),
         {"dy": "array"}),
    Case(conv2d_backward_naive, dict(dy=np.ones((2, 4, 3, 3)), cache=conv2d_forward_naive(X4, W4)[1]),
         {"dy": "array"}),
    Case(max_pool_forward, dict(x=X4, size=2, stride=2), {"x": "array", "size": "count", "stride": "count"}),
    Case(max_pool_backward, dict(dout=np.ones((2, 3, 2, 2)), cache=max_pool_forward(X4)[1]), {"dout": "array"}),
    Case(receptive_field_counts, dict(height=8, width=8, kernel=3, stride=1, padding=0),
         {"height": "count", "width": "count", "kernel": "count", "stride": "count", "padding": "count"}),
]
PARAMS, IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_clearly(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
