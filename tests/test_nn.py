"""lecture_utils.nn: every derivative against finite differences, closed forms, identities, bad input."""

import numpy as np
import pytest
from scipy.special import expit, log_softmax
from scipy.special import softmax as scipy_softmax

from lecture_utils import nn
from lecture_utils.gradcheck import layer_gradient_errors, numerical_gradient, rel_error
from lecture_utils.linear import one_hot


def away_from_zero(shape, seed):
    """Random activations with |a| >= 0.05, so finite differences never straddle a ReLU kink."""
    a = np.random.default_rng(seed).standard_normal(shape)
    return a + 0.05 * np.sign(a) + 0.05 * (a == 0)


# --- sigmoid and softmax -----------------------------------------------------------

def test_sigmoid_matches_scipy_expit_over_a_wide_range():
    a = np.linspace(-50, 50, 1001)
    np.testing.assert_allclose(nn.sigmoid(a), expit(a), rtol=1e-14, atol=1e-300)


def test_sigmoid_is_stable_at_plus_minus_1000_without_warnings():
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        y = nn.sigmoid(np.array([-1000.0, -745.0, 0.0, 745.0, 1000.0]))
    assert y[0] == 0.0 and y[2] == 0.5 and y[-1] == 1.0
    assert 0.0 <= y[1] < 1e-300 and y[3] == 1.0


def test_sigmoid_keeps_shape_and_accepts_scalars():
    assert nn.sigmoid(np.zeros((2, 3, 4))).shape == (2, 3, 4)
    assert float(nn.sigmoid(0.0)) == 0.5


def test_tanh_is_two_sigmoid_of_twice_minus_one():
    # The lecture's identity tanh(x) = 2 sigmoid(2x) - 1.
    x = np.linspace(-20, 20, 401)
    np.testing.assert_allclose(nn.tanh_forward(x)[0], 2 * nn.sigmoid(2 * x) - 1, atol=1e-15)


def test_softmax_matches_scipy_and_sums_to_one():
    s = np.random.default_rng(0).standard_normal((4, 5)) * 10
    np.testing.assert_allclose(nn.softmax(s), scipy_softmax(s, axis=-1), rtol=1e-13)
    np.testing.assert_allclose(nn.softmax(s, axis=0), scipy_softmax(s, axis=0), rtol=1e-13)
    np.testing.assert_allclose(nn.softmax(s).sum(axis=1), 1.0, rtol=1e-15)


def test_softmax_is_stable_for_logits_of_1000():
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        p = nn.softmax(np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 1000.0]]))
    np.testing.assert_allclose(p, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-300)


# --- activation layers: derivatives against finite differences ---------------------

LAYERS = {
    "sigmoid": (nn.sigmoid_forward, nn.sigmoid_backward, {}),
    "tanh": (nn.tanh_forward, nn.tanh_backward, {}),
    "relu": (nn.relu_forward, nn.relu_backward, {}),
    "leaky_relu": (nn.leaky_relu_forward, nn.leaky_relu_backward, {"alpha": 0.02}),
    "identity": (nn.identity_forward, nn.identity_backward, {}),
}


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 3, 4)])
def test_activation_backward_matches_finite_differences(name, shape):
    forward, backward, params = LAYERS[name]
    a = away_from_zero(shape, seed=len(shape)) * 3
    errors = layer_gradient_errors(forward, backward, [a], params, rng=1)
    assert errors[0] < 1e-7, f"{name}: relative error {errors[0]:.2e}"


@pytest.mark.parametrize("alpha", [0.0, 0.01, 0.3])
def test_leaky_relu_slope_is_plus_alpha_for_negative_inputs(alpha):
    # The notes print -alpha; the slope of alpha * a is +alpha. Secant slope on a < 0:
    a = np.array([-3.0, -1.0, -0.5, 0.5, 2.0])
    y, cache = nn.leaky_relu_forward(a, alpha=alpha)
    np.testing.assert_allclose(y, [-3 * alpha, -alpha, -0.5 * alpha, 0.5, 2.0])
    np.testing.assert_allclose((y[1] - y[0]) / (a[1] - a[0]), alpha)
    np.testing.assert_allclose(nn.leaky_relu_backward(np.ones(5), cache), [alpha] * 3 + [1, 1])


def test_relu_derivative_follows_the_lecture_at_zero_and_is_dead_below():
    y, cache = nn.relu_forward(np.array([-2.0, 0.0, 3.0]))
    np.testing.assert_array_equal(y, [0, 0, 3])
    np.testing.assert_array_equal(nn.relu_backward(np.array([5.0, 5.0, 5.0]), cache), [0, 5, 5])


def test_sigmoid_and_tanh_derivatives_closed_form_at_zero_and_saturation():
    # sigmoid'(0) = 1/4, tanh'(0) = 1; both vanish far out (saturation): no NaN at |a| = 1000.
    a = np.array([0.0, 1000.0, -1000.0])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        ds = nn.sigmoid_backward(np.ones(3), nn.sigmoid_forward(a)[1])
        dt = nn.tanh_backward(np.ones(3), nn.tanh_forward(a)[1])
    np.testing.assert_array_equal(ds, [0.25, 0, 0])
    np.testing.assert_array_equal(dt, [1, 0, 0])


# --- dense layer ---------------------------------------------------------------------

@pytest.mark.parametrize("n, d, m", [(1, 1, 1), (5, 4, 3), (3, 7, 2), (8, 2, 6)])
def test_dense_backward_matches_finite_differences(n, d, m):
    rng = np.random.default_rng(n * 100 + d * 10 + m)
    x, w, b = rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)
    errors = layer_gradient_errors(nn.dense_forward, nn.dense_backward, [x, w, b], rng=2)
    assert max(errors) < 1e-7, errors


def test_dense_forward_is_x_w_plus_b_entry_by_entry():
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    out, _ = nn.dense_forward(x, w, b)
    expected = [[sum(x[n, i] * w[i, m] for i in range(3)) + b[m] for m in range(4)] for n in range(2)]
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-14)


def test_dense_bias_gradient_keeps_the_bias_shape():
    _, cache = nn.dense_forward(np.ones((3, 2)), np.ones((2, 4)), np.zeros(4))
    dx, dw, db = nn.dense_backward(np.ones((3, 4)), cache)
    assert db.shape == (4,) and dw.shape == (2, 4) and dx.shape == (3, 2)
    np.testing.assert_array_equal(db, [3, 3, 3, 3])  # summed over the 3 examples


def test_mse_loss_is_the_linear_modules():
    from lecture_utils.linear import mse_loss
    assert nn.mse_loss is mse_loss


# --- softmax cross-entropy -----------------------------------------------------------

def test_softmax_cross_entropy_matches_scipy_log_softmax():
    rng = np.random.default_rng(4)
    s = rng.standard_normal((6, 4)) * 3
    labels = rng.integers(0, 4, 6)
    loss, _ = nn.softmax_cross_entropy(s, labels)
    expected = -np.mean(log_softmax(s, axis=1)[np.arange(6), labels])
    assert loss == pytest.approx(expected, rel=1e-13)


def test_softmax_cross_entropy_is_log_c_for_equal_scores():
    loss, dscores = nn.softmax_cross_entropy(np.zeros((3, 10)), [0, 4, 9])
    assert loss == pytest.approx(np.log(10), rel=1e-15)
    np.testing.assert_allclose(dscores.sum(axis=1), 0.0, atol=1e-16)


def test_softmax_cross_entropy_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    s = rng.standard_normal((5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    _, grad = nn.softmax_cross_entropy(s, labels)
    numeric = numerical_gradient(lambda z: nn.softmax_cross_entropy(z, labels)[0], s.copy())
    assert rel_error(grad, numeric) < 1e-7
    np.testing.assert_allclose(grad, (scipy_softmax(s, axis=1) - one_hot(labels, 3)) / 5, rtol=1e-13)


def test_softmax_cross_entropy_accepts_one_hot_rows_and_int_labels_alike():
    s = np.random.default_rng(6).standard_normal((4, 3))
    labels = np.array([2, 0, 1, 2])
    by_int = nn.softmax_cross_entropy(s, labels)
    by_row = nn.softmax_cross_entropy(s, one_hot(labels, 3))
    assert by_int[0] == by_row[0]
    np.testing.assert_array_equal(by_int[1], by_row[1])


def test_softmax_cross_entropy_is_stable_for_logits_of_1000():
    s = np.array([[1000.0, 0.0, -1000.0], [1000.0, 0.0, -1000.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss, dscores = nn.softmax_cross_entropy(s, [0, 2])
    # Example 1 is right with certainty (cost 0); example 2 costs -s_2 + logsumexp = 2000.
    assert loss == pytest.approx(1000.0, rel=1e-15)
    np.testing.assert_allclose(dscores, [[0, 0, 0], [0.5, 0, -0.5]], atol=1e-300)


# --- bad input -----------------------------------------------------------------------

def test_sigmoid_rejects_strings():
    with pytest.raises(TypeError, match="a must be an array of real numbers"):
        nn.sigmoid(["x"])


def test_softmax_rejects_scalars_and_bad_axis():
    with pytest.raises(ValueError, match="s must be at least 1-D"):
        nn.softmax(3.0)
    with pytest.raises(ValueError, match=r"axis must be an integer in \[-2, 1\] for s of shape \(2, 3\), got 2"):
        nn.softmax(np.ones((2, 3)), axis=2)


@pytest.mark.parametrize("name", LAYERS)
def test_activation_backward_rejects_wrong_dout_shape(name):
    forward, backward, params = LAYERS[name]
    _, cache = forward(np.ones((2, 3)), **params)
    with pytest.raises(ValueError, match=r"dout must have the layer output's shape \(2, 3\), got \(3, 2\)"):
        backward(np.ones((3, 2)), cache)


def test_leaky_relu_rejects_negative_alpha():
    with pytest.raises(ValueError, match="alpha must be finite and >= 0, got -0.1"):
        nn.leaky_relu_forward(np.ones(3), alpha=-0.1)


def test_dense_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"x has 4 features \(shape \(5, 4\)\)"):
        nn.dense_forward(np.ones((5, 4)), np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"b must have shape \(2,\) or \(1, 2\)"):
        nn.dense_forward(np.ones((5, 4)), np.ones((4, 2)), np.ones(3))


def test_dense_backward_rejects_wrong_dout_shape():
    _, cache = nn.dense_forward(np.ones((5, 4)), np.ones((4, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"dout must have the layer output's shape \(5, 2\), got \(2, 5\)"):
        nn.dense_backward(np.ones((2, 5)), cache)


@pytest.mark.parametrize("labels, error, pattern", [
    ([0, 1], ValueError, r"labels must have one entry per row of scores \(3,\), got shape \(2,\)"),
    ([0, 1, 3], ValueError, r"labels must lie in 0..2, got \[3\]"),
    ([0.5, 1, 2], TypeError, "labels must be integers"),
    (np.ones((3, 2)), ValueError, r"labels must be integer classes of shape \(3,\) or one-hot rows of shape \(3, 3\)"),
    (np.ones((3, 3)), ValueError, "labels given as rows must be one-hot"),
    (np.ones((3, 3, 1)), ValueError, r"got shape \(3, 3, 1\)"),
])
def test_softmax_cross_entropy_rejects_bad_labels(labels, error, pattern):
    with pytest.raises(error, match=pattern):
        nn.softmax_cross_entropy(np.zeros((3, 3)), labels)


def test_softmax_cross_entropy_rejects_1d_scores():
    with pytest.raises(ValueError, match=r"scores must be 2-D, got shape \(3,\)"):
        nn.softmax_cross_entropy(np.zeros(3), [0])
