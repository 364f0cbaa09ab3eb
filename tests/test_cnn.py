"""The lecture's CNN (seed 003) in matrix form: shapes, finite differences, references."""

import numpy as np
import pytest
from scipy.signal import correlate2d

from lecture_utils.cnn import (conv_valid, conv_valid_naive, filter_gradient, lecture_accuracy,
                               lecture_backward, lecture_forward, lecture_gradients, lecture_init,
                               lecture_loss, train_lecture_model)
from lecture_utils.gradcheck import numerical_gradient, rel_error


def _small_problem(n_filters=1, seed=0, n=5, size=7):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, size, size))
    f, W, b = lecture_init(n_filters, size, 3, rng=seed)
    W = W * 3  # larger weights: the sigmoids leave their linear regime
    b = b + 0.3
    y = rng.integers(0, 2, n).astype(float)
    return X, y, f, W, b


# --- the lecture's conv ------------------------------------------------------------------

@pytest.mark.parametrize("x_shape, f_shape", [((3, 7, 6), (3, 3)), ((2, 5, 5), (2, 4)),
                                               ((4, 6, 8), (3, 3, 3)), ((1, 3, 3), (3, 3))])
def test_conv_valid_equals_scipy_cross_correlation_and_the_loops(x_shape, f_shape):
    rng = np.random.default_rng(1)
    x, f = rng.standard_normal(x_shape), rng.standard_normal(f_shape)
    z = conv_valid(x, f)
    filters = f.reshape(-1, *f_shape[-2:])
    expected = np.stack([[correlate2d(image, g, mode="valid") for g in filters] for image in x])
    np.testing.assert_allclose(z, expected[:, 0] if f.ndim == 2 else expected, atol=1e-12)
    np.testing.assert_allclose(conv_valid_naive(x, f), z, atol=1e-12)


def test_conv_valid_output_size_is_u_minus_s_plus_1():
    assert conv_valid(np.zeros((100, 22, 22)), np.zeros((3, 3))).shape == (100, 20, 20)
    assert conv_valid(np.zeros((100, 22, 22)), np.zeros((3, 3, 3))).shape == (100, 3, 20, 20)


@pytest.mark.parametrize("delta_shape", [(4, 5, 4), (4, 2, 5, 4)])
def test_filter_gradient_is_the_derivative_of_sum_conv_times_delta(delta_shape):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 7, 6))
    delta = rng.standard_normal(delta_shape)
    f = rng.standard_normal(((delta_shape[1],) if len(delta_shape) == 4 else ()) + (3, 3))
    numeric = numerical_gradient(lambda g: np.sum(conv_valid(x, g) * delta), f.copy())
    assert rel_error(filter_gradient(x, delta), numeric) < 1e-8
    # and seed 004's form: the valid cross-correlation of each image with its output gradient
    maps = delta if delta.ndim == 4 else delta[:, None]
    by_scipy = sum(np.stack([correlate2d(x[n], maps[n, k], mode="valid") for k in range(maps.shape[1])])
                   for n in range(4))
    np.testing.assert_allclose(filter_gradient(x, delta), by_scipy if delta.ndim == 4 else by_scipy[0],
                               atol=1e-12)


# --- the lecture's model -----------------------------------------------------------------

@pytest.mark.parametrize("n_filters, d", [(1, 400), (3, 1200)])
def test_forward_has_the_slides_shapes(n_filters, d):
    X = np.random.default_rng(0).random((100, 22, 22))
    f, W, b = lecture_init(n_filters, 22, 3, rng=0)
    assert W.shape == (d, 1)
    O, cache = lecture_forward(X, f, W, b)
    assert O.shape == (1, 100) and cache.H1.shape == (d, 100)
    assert cache.Z1.shape == ((100, 20, 20) if n_filters == 1 else (100, 3, 20, 20))
    assert np.all((O > 0) & (O < 1))


def test_forward_composes_the_lecture_equations_image_by_image():
    X, y, f, W, b = _small_problem(n_filters=2)
    O, cache = lecture_forward(X, f, W, b)
    for n in range(len(X)):
        maps = [correlate2d(X[n], f[k], mode="valid") for k in range(2)]
        h1 = 1 / (1 + np.exp(-np.concatenate([m.ravel() for m in maps])))  # column n of H1
        np.testing.assert_allclose(cache.H1[:, n], h1, rtol=1e-12)
        assert O[0, n] == pytest.approx(1 / (1 + np.exp(-(W[:, 0] @ h1 + b.item()))), rel=1e-12)


def test_loss_is_half_the_summed_squared_error():
    E, dE_dO = lecture_loss(np.array([[0.5, 0.25, 1.0]]), np.array([1, 0, 1]))
    assert E == pytest.approx(0.5 * (0.25 + 0.0625 + 0.0))
    np.testing.assert_allclose(dE_dO, [[-0.5, 0.25, 0.0]])


@pytest.mark.parametrize("n_filters", [1, 3])
def test_matrix_form_gradients_match_finite_differences(n_filters):
    X, y, f, W, b = _small_problem(n_filters, seed=n_filters)
    E, df, dW, db = lecture_gradients(X, y, f, W, b)
    assert df.shape == f.shape and dW.shape == W.shape and db.shape == b.shape
    assert rel_error(df, numerical_gradient(lambda z: lecture_gradients(X, y, z, W, b)[0], f.copy())) < 1e-7
    assert rel_error(dW, numerical_gradient(lambda z: lecture_gradients(X, y, f, z, b)[0], W.copy())) < 1e-7
    assert rel_error(db, numerical_gradient(lambda z: lecture_gradients(X, y, f, W, z)[0], b.copy())) < 1e-7


def test_lecture_size_filter_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((100, 22, 22))
    y = rng.integers(0, 2, 100)
    f, W, b = lecture_init(1, 22, 3, rng=5)
    _, df, _, _ = lecture_gradients(X, y, f, W, b)
    assert df.shape == (3, 3)
    assert rel_error(df, numerical_gradient(lambda z: lecture_gradients(X, y, z, W, b)[0], f.copy())) < 1e-7


def test_backward_accepts_any_upstream_gradient():
    X, y, f, W, b = _small_problem(seed=4)
    O, cache = lecture_forward(X, f, W, b)
    dout = np.random.default_rng(9).standard_normal(O.shape)
    df, _, _ = lecture_backward(dout, cache)
    numeric = numerical_gradient(lambda z: np.sum(lecture_forward(X, z, W, b)[0] * dout), f.copy())
    assert rel_error(df, numeric) < 1e-7


def test_extreme_inputs_saturate_without_warnings():
    X, y, f, W, b = _small_problem(seed=6)
    with np.errstate(all="raise"):
        E, df, dW, db = lecture_gradients(1e3 * X, y, f, W, b)
    assert np.isfinite(E) and all(np.all(np.isfinite(g)) for g in (df, dW, db))


def test_gradient_descent_lowers_the_error_and_learns_faces():
    from lecture_utils.data import faces_lecture_split
    x_train, y_train, x_test, y_test = faces_lecture_split(rng=0)
    run = train_lecture_model(x_train, y_train, learning_rate=0.001, steps=150, rng=0,
                              X_test=x_test, y_test=y_test)
    assert len(run.losses) == 151 and len(run.test_accuracy) == 151
    assert all(a >= b for a, b in zip(run.losses, run.losses[1:]))  # small steps: monotone
    assert run.train_accuracy[-1] >= 0.9 and run.test_accuracy[-1] >= 0.8
    assert lecture_accuracy(x_test, y_test, run.f, run.W, run.b) == run.test_accuracy[-1]


def test_init_is_seeded_and_sized():
    f1, W1, b1 = lecture_init(3, 22, 3, rng=1)
    f2, W2, _ = lecture_init(3, 22, 3, rng=1)
    assert f1.shape == (3, 3, 3) and W1.shape == (1200, 1) and b1.shape == (1, 1)
    np.testing.assert_array_equal(f1, f2)
    np.testing.assert_array_equal(W1, W2)


# --- bad input ---------------------------------------------------------------------------

def test_images_of_the_wrong_size_are_rejected():
    f, W, b = lecture_init(1, 22, 3)
    with pytest.raises(ValueError, match=r"W must have shape \(529, 1\).*25x25 images.*got \(400, 1\)"):
        lecture_forward(np.zeros((4, 25, 25)), f, W, b)


@pytest.mark.parametrize("X, f, error, pattern", [
    (np.zeros((22, 22)), np.zeros((3, 3)), ValueError, r"X must be 3-D, got shape \(22, 22\)"),
    (np.zeros((2, 2, 2)), np.zeros((3, 3)), ValueError, r"smaller than the filter \(3x3"),
    (np.zeros((2, 5, 5)), np.zeros((1, 1, 3, 3)), ValueError, r"f must be 2-D or 3-D"),
    (np.full((2, 5, 5), np.nan), np.zeros((3, 3)), ValueError, "X contains NaN"),
    ([["a"]], np.zeros((3, 3)), TypeError, "X must be an array of real numbers"),
])
def test_conv_rejects_bad_arguments(X, f, error, pattern):
    with pytest.raises(error, match=pattern):
        conv_valid(X, f)


def test_filter_gradient_rejects_mismatched_delta():
    with pytest.raises(ValueError, match=r"X has shape \(4, 7, 7\), delta has shape \(3, 5, 5\)"):
        filter_gradient(np.zeros((4, 7, 7)), np.zeros((3, 5, 5)))


@pytest.mark.parametrize("y, pattern", [
    (np.array([0, 1, 2]), r"y must hold targets in \[0, 1\]"),
    (np.array([0, 1]), r"y must have shape \(3,\) or \(1, 3\)"),
])
def test_loss_rejects_bad_labels(y, pattern):
    with pytest.raises(ValueError, match=pattern):
        lecture_loss(np.full((1, 3), 0.5), y)


def test_forward_rejects_vector_bias():
    f, W, _ = lecture_init(1, 5, 3)
    with pytest.raises(ValueError, match=r"b must be a single number.*\(2,\)"):
        lecture_forward(np.zeros((2, 5, 5)), f, W, np.zeros(2))


def test_backward_rejects_wrong_upstream_shape():
    X, y, f, W, b = _small_problem()
    _, cache = lecture_forward(X, f, W, b)
    with pytest.raises(ValueError, match=r"dE_dO must have O's shape \(1, 5\), got \(5, 1\)"):
        lecture_backward(np.zeros((5, 1)), cache)


def test_training_rejects_nan_images_and_bad_rate():
    X = np.zeros((4, 22, 22))
    X[2, 3, 3] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        train_lecture_model(X, np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="learning_rate must be finite and > 0"):
        train_lecture_model(np.zeros((4, 22, 22)), np.array([0, 1, 0, 1]), learning_rate=0)
