"""lecture_utils.fast.conv: the training layers equal the lecture layers in float64, and float32 stays
within float32's rounding of them."""

import numpy as np
import pytest
from test_conv import LAYER_CASES, _layer_problem

from lecture_utils import conv, nn
from lecture_utils.fast import conv as fast

EPS32 = np.finfo(np.float32).eps   # 1.19e-7, float32's relative spacing; u = EPS32 / 2 is its rounding error


@pytest.mark.parametrize("case", LAYER_CASES)
def test_fast_conv_equals_the_lecture_layer_in_float64(case):
    x, w, b, params = _layer_problem(case, seed=5)
    y, cache = fast.conv2d_forward(x, w, b, **params)
    y_ref, cache_ref = conv.conv2d_forward(x, w, b, **params)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    dy = np.random.default_rng(5).standard_normal(y.shape)
    for ours, ref in zip(fast.conv2d_backward(dy, cache), conv.conv2d_backward(dy, cache_ref)):
        assert ours.dtype == np.float64
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


def test_backward_can_skip_the_input_gradient():
    # A network's first layer needs no gradient for its images; dw and db must not change.
    rng = np.random.default_rng(11)
    x, w, b = rng.standard_normal((3, 2, 6, 5)), rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4)
    y, cache = fast.conv2d_forward(x, w, b, stride=1, padding=1)
    dy = rng.standard_normal(y.shape)
    dx, dw, db = fast.conv2d_backward(dy, cache)
    none, dw_only, db_only = fast.conv2d_backward(dy, cache, input_gradient=False)
    assert none is None and dx.shape == x.shape
    np.testing.assert_array_equal(dw_only, dw)
    np.testing.assert_array_equal(db_only, db)


def float32_bound(n_terms):
    """Relative bound on |float32 result - float64 result| for sums of n_terms products.

    Rounding the two factors of each product to float32 costs at most 2u, and summing n
    products in float32 at most n u more (Higham's gamma_n), relative to the sum of the
    terms' absolute values; doubled for safety: (n + 2) * EPS32. For the layers here
    (n <= 100) that is about 1e-5, inside the rtol ~ 1e-4 usually quoted for float32.
    """
    bound = (n_terms + 2) * EPS32
    assert bound < 1e-4
    return bound


def assert_float32_close(result32, result64, scale, n_terms):
    """float32 result within float32_bound(n_terms) of the float64 one, relative to ``scale``
    (the same computation on absolute values: the sum of |terms| of every output)."""
    assert result32.dtype == np.float32 and result64.dtype == np.float64
    assert np.all(np.abs(result32 - result64) <= float32_bound(n_terms) * scale)


@pytest.mark.parametrize("case", LAYER_CASES)
def test_float32_conv_layer_stays_float32_and_agrees_with_float64(case):
    x, w, b, params = _layer_problem(case, seed=3)
    y64, cache64 = conv.conv2d_forward(x, w, b, **params)
    dy = np.random.default_rng(3).standard_normal(y64.shape)
    grads64 = conv.conv2d_backward(dy, cache64)
    f32 = [a.astype(np.float32) for a in (x, w, b, dy)]
    y32, cache32 = fast.conv2d_forward(*f32[:3], **params)
    grads32 = fast.conv2d_backward(f32[3], cache32)
    # scales: the float64 layer on absolute values gives each output's sum of |terms|
    y_abs, cache_abs = conv.conv2d_forward(np.abs(x), np.abs(w), np.abs(b), **params)
    scales = conv.conv2d_backward(np.abs(dy), cache_abs)
    N, K, Ho, Wo = y64.shape
    C, R, S = w.shape[1:]
    assert_float32_close(y32, y64, y_abs, C * R * S + 1)
    for g32, g64, scale in zip(grads32, grads64, scales):          # dx, dw, db
        assert_float32_close(g32, g64, scale, max(K * R * S, N * Ho * Wo))
    assert fast.conv2d_backward(f32[3], cache32, input_gradient=False)[1].dtype == np.float32


def test_any_float64_input_makes_the_layer_float64():
    x, w, b, params = _layer_problem(LAYER_CASES[1], seed=4)
    y_mixed, _ = fast.conv2d_forward(x.astype(np.float32), w, b, **params)
    y_converted, _ = fast.conv2d_forward(x.astype(np.float32).astype(np.float64), w, b, **params)
    assert y_mixed.dtype == np.float64
    np.testing.assert_array_equal(y_mixed, y_converted)


@pytest.mark.parametrize("size, stride, shape", [(2, 2, (2, 3, 6, 8)), (3, 1, (1, 2, 5, 6))])
def test_float32_max_pool_picks_the_same_maxima(size, stride, shape):
    rng = np.random.default_rng(sum(shape) + 1)
    x = rng.standard_normal(shape)
    out64, cache64 = conv.max_pool_forward(x, size, stride)
    out32, cache32 = fast._pool_forward(x.astype(np.float32), size, stride)
    assert out32.dtype == np.float32
    np.testing.assert_array_equal(out32, out64.astype(np.float32))  # rounding keeps the order: same maxima
    np.testing.assert_array_equal(cache32.argmax, cache64.argmax)
    dout = rng.standard_normal(out64.shape)
    dx64 = conv.max_pool_backward(dout, cache64)
    dx32 = fast._pool_backward(dout.astype(np.float32), cache32)
    # each pixel adds up the gradients of the (at most size^2) windows whose maximum it is
    assert_float32_close(dx32, dx64, conv.max_pool_backward(np.abs(dout), cache64), size * size)
    np.testing.assert_array_equal(fast._pool_backward(dout, cache32), dx64)


def test_float64_kernels_equal_the_lecture_layers():
    rng = np.random.default_rng(23)
    a = rng.standard_normal((4, 5))
    dout = rng.standard_normal((4, 5))
    y, a_kept = fast._relu_forward(a)
    np.testing.assert_array_equal(y, nn.relu_forward(a)[0])
    np.testing.assert_array_equal(fast._relu_backward(dout, a_kept), nn.relu_backward(dout, nn.relu_forward(a)[1]))
    x, w, b = rng.standard_normal((6, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
    out, cache = fast._dense_forward(x, w, b)
    out_ref, cache_ref = nn.dense_forward(x, w, b)
    np.testing.assert_array_equal(out, out_ref)
    g = rng.standard_normal((6, 3))
    for ours, ref in zip(fast._dense_backward(g, cache), nn.dense_backward(g, cache_ref)):
        np.testing.assert_array_equal(ours, ref)
    labels = rng.integers(0, 3, 6)
    loss, dscores = fast._softmax_cross_entropy(out, labels)
    loss_ref, dscores_ref = nn.softmax_cross_entropy(out, labels)
    assert loss == pytest.approx(loss_ref, rel=1e-14)
    np.testing.assert_array_equal(dscores, dscores_ref)


def test_float32_softmax_cross_entropy_agrees_with_float64():
    rng = np.random.default_rng(21)
    s = rng.standard_normal((6, 10)) * 3
    labels = rng.integers(0, 10, 6)
    n, c = s.shape
    # Error budget in units of u: rounding s and its maximum shifts each exponent by up to
    # 2 max|s| u (plus u for the subtraction), which exp turns into a relative error, twice
    # (numerator and sum); the C-term sum adds C u, exp, log and the division a few u.
    # Doubled for safety: (8 max|s| + C + N + 4) EPS32, about 1e-5 here.
    tol = (8 * np.abs(s).max() + c + n + 4) * EPS32
    assert tol < 1e-4
    loss32, dscores32 = fast._softmax_cross_entropy(s.astype(np.float32), labels)
    loss64, dscores64 = nn.softmax_cross_entropy(s, labels)
    assert isinstance(loss32, float) and dscores32.dtype == np.float32
    assert loss32 == pytest.approx(loss64, rel=tol)
    np.testing.assert_allclose(dscores32, dscores64, rtol=0, atol=tol / n)   # |p - t| / N <= 1 / N


def test_public_fast_layers_check_their_arguments():
    with pytest.raises(ValueError, match=r"w must have shape \(K, C, R, S\) with C = 3 as in x"):
        fast.conv2d_forward(np.ones((2, 3, 5, 5)), np.ones((4, 2, 3, 3)))
    with pytest.raises(ValueError, match="x contains NaN"):
        fast.conv2d_forward(np.full((1, 1, 4, 4), np.nan, dtype=np.float32), np.ones((1, 1, 2, 2), np.float32))
    _, cache = fast.conv2d_forward(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)))
    with pytest.raises(TypeError, match="cache must be the FastConvCache"):
        fast.conv2d_backward(np.ones((1, 1, 3, 3)), conv.conv2d_forward(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)))[1])
    with pytest.raises(ValueError, match=r"dy must have shape \(1, 1, 3, 3\)"):
        fast.conv2d_backward(np.ones((1, 1, 2, 2)), cache)
    with pytest.raises(TypeError, match="input_gradient must be True or False"):
        fast.conv2d_backward(np.ones((1, 1, 3, 3)), cache, input_gradient="no")
