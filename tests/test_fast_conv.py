"""lecture_utils.fast.conv: the training layers equal the lecture layers in float64, and float32 stays
within float32's rounding of them."""

import sys

import numpy as np
import pytest
from test_conv import LAYER_CASES, _layer_problem

from lecture_utils import conv, nn
from lecture_utils.fast import conv as fast
from lecture_utils.fast._memory import reuse_freed_memory, scratch
from lecture_utils.fast import _parallel as fast_parallel
from lecture_utils.fast._parallel import threads as fast_threads

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


# --- the stride-1 paths: wide rows (col2im or correlation for dJ/dx), tall single-channel
# chunks, channels last; several chunks, kept or recomputed columns, one or two threads -----

# (N, C, H, W, K, R, S, padding) and the path each one takes
PATH_CASES = [
    ((7, 1, 9, 8, 3, 3, 3, 0), "wide rows"),      # C = 1: tall chunks, col2im (K > 2C)
    ((5, 1, 8, 8, 1, 3, 3, 1), "wide rows"),      # C = 1, K = 1: correlation
    ((4, 3, 12, 11, 9, 3, 2, 1), "wide rows"),    # K > 2C: col2im
    ((3, 4, 6, 7, 6, 3, 3, 0), "wide rows"),      # C < K <= 2C on a small image: correlation
    ((3, 4, 17, 16, 6, 3, 3, 0), "wide rows"),    # C < K <= 2C on a large image: col2im
    ((6, 16, 4, 4, 8, 3, 3, 1), "channels last"),
    ((2, 24, 3, 5, 5, 2, 3, 1), "channels last"),
]


def _path_problem(case, seed):
    N, C, H, W, K, R, S, padding = case
    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal((N, C, H, W)), rng.standard_normal((K, C, R, S)), rng.standard_normal(K)
    y_ref, cache_ref = conv.conv2d_forward(x, w, b, stride=1, padding=padding)
    dy = rng.standard_normal(y_ref.shape)
    return x, w, b, padding, dy, (y_ref, *conv.conv2d_backward(dy, cache_ref))


@pytest.mark.parametrize("case, path", PATH_CASES)
@pytest.mark.parametrize("chunk_bytes, keep_bytes", [(1 << 19, 1 << 24), (1, 0), (3000, 1 << 24)])
def test_every_stride_one_path_equals_the_lecture_layer(case, path, chunk_bytes, keep_bytes, monkeypatch):
    # chunk_bytes = 1: one image per chunk; 3000: a short last chunk; keep_bytes = 0: columns recomputed
    monkeypatch.setattr(fast, "_CHUNK_BYTES", chunk_bytes)
    monkeypatch.setattr(fast, "_KEEP_BYTES", keep_bytes)
    monkeypatch.setattr(fast._memory, "freed_memory_reused", True)
    x, w, b, padding, dy, reference = _path_problem(case, seed=sum(case))
    y, cache = fast.conv2d_forward(x, w, b, padding=padding)
    assert cache.path == path
    ours = (y, *fast.conv2d_backward(dy, cache))
    for name, got, expected in zip(["y", "dx", "dw", "db"], ours, reference):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=name)
    # a second call reuses the scratch buffers: nothing left over from the first may leak in
    again = (fast.conv2d_forward(x, w, b, padding=padding)[0], *fast.conv2d_backward(dy, cache))
    for got, first in zip(again, ours):
        np.testing.assert_array_equal(got, first)


def test_scratch_left_by_a_larger_batch_does_not_leak_into_a_smaller_one(monkeypatch):
    monkeypatch.setattr(fast, "_CHUNK_BYTES", 3000)
    x, w, b, padding, dy, _ = _path_problem((7, 1, 9, 8, 3, 3, 3, 0), seed=3)
    fast.conv2d_backward(dy, fast.conv2d_forward(x, w, b)[1])          # fills the buffers with 7 images' data
    x2, dy2 = x[:2] * 0.5, dy[:2] * -2.0
    y_ref, cache_ref = conv.conv2d_forward(x2, w, b)
    y, cache = fast.conv2d_forward(x2, w, b)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    for got, expected in zip(fast.conv2d_backward(dy2, cache), conv.conv2d_backward(dy2, cache_ref)):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case, path", PATH_CASES[:5])
def test_two_threads_give_the_same_numbers_as_one(case, path, monkeypatch):
    monkeypatch.setattr(fast, "_CHUNK_BYTES", 3000)                   # several chunks to share out
    monkeypatch.setattr(fast_parallel, "PARALLEL_FLOPS", 0)           # even these small layers
    x, w, b, padding, dy, _ = _path_problem(case, seed=7)
    results = []
    for count in (1, 2):
        with fast_threads(count):
            y, cache = fast.conv2d_forward(x, w, b, padding=padding)
            results.append((y, *fast.conv2d_backward(dy, cache)))
    for one, two in zip(*results):
        np.testing.assert_array_equal(one, two)


def test_threads_refuses_a_count_that_is_not_a_whole_number_of_threads():
    for bad in (0, -1, 1.5, "2", True):
        with pytest.raises(ValueError, match="count must be a whole number of threads >= 1"):
            with fast_threads(bad):
                pass


def test_scratch_buffers_are_reused_per_name_shape_and_thread():
    from concurrent.futures import ThreadPoolExecutor
    first = scratch("test buffer", (3, 4), np.float64, fill=0)
    assert np.all(first == 0)
    first[...] = 5
    assert scratch("test buffer", (3, 4), np.float64, fill=0) is first          # same buffer, contents kept
    assert scratch("test buffer", (4, 3), np.float64, fill=0) is not first      # another shape, another buffer
    other_thread = ThreadPoolExecutor(1).submit(scratch, "test buffer", (3, 4), np.float64, 0).result()
    assert other_thread is not first and np.all(other_thread == 0)


def test_reuse_freed_memory_reports_whether_glibc_took_the_setting():
    import ctypes.util
    assert reuse_freed_memory() is (ctypes.util.find_library("c") is not None and sys.platform.startswith("linux"))


@pytest.mark.parametrize("shape", [(2, 3, 6, 8), (1, 2, 4, 4)])
def test_two_by_two_pooling_keeps_the_first_of_equal_maxima_like_the_lecture(shape):
    rng = np.random.default_rng(5)
    x = np.maximum(rng.standard_normal(shape), 0)      # ReLU outputs: whole windows of zeros tie
    x[0, 0, :2, :2] = 1.0                              # a window where all four corners tie at 1
    x[0, 1, :2, :2] = [[0.0, 2.0], [2.0, 0.0]]         # ties at corners 1 and 2
    out_ref, cache_ref = conv.max_pool_forward(x, 2, 2)
    out, cache = fast._pool_forward(x, 2, 2)
    np.testing.assert_array_equal(out, out_ref)
    np.testing.assert_array_equal(cache.argmax, cache_ref.argmax)
    dout = rng.standard_normal(out.shape)
    np.testing.assert_array_equal(fast._pool_backward(dout, cache), conv.max_pool_backward(dout, cache_ref))


def test_fused_relu_and_pooling_equal_relu_then_pooling():
    rng = np.random.default_rng(9)
    a = rng.standard_normal((3, 4, 6, 8))
    a[0, 0, :2, :2] = [[-1.0, 0.0], [-2.0, -3.0]]      # ReLU makes the window all zeros: the first corner wins
    a[0, 1, :2, :2] = 0.0                               # exact zeros pass the gradient (a >= 0)
    h, relu = nn.relu_forward(a)
    m_ref, pool = conv.max_pool_forward(h, 2, 2)
    m, cache = fast._relu_pool2_forward(a)
    np.testing.assert_array_equal(m, m_ref)
    np.testing.assert_array_equal(cache.argmax, pool.argmax)
    dout = rng.standard_normal(m.shape)
    np.testing.assert_array_equal(fast._relu_pool2_backward(dout, cache),
                                  nn.relu_backward(conv.max_pool_backward(dout, pool), relu))
