import numpy as np
import pytest

from lecture_utils.gradcheck import numerical_gradient, rel_error
from lecture_utils.linear import (linear_backward, linear_backward_naive, linear_forward,
                                  mse_loss, one_hot, train_gradient_descent)


@pytest.fixture
def lecture_problem():
    """The lecture's sizes: 5 examples, 4 features, 3 one-hot classes."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 4))
    w = rng.standard_normal((4, 3))
    b = rng.standard_normal((1, 3))
    y = one_hot(np.array([0, 2, 1, 1, 0]), 3)
    return x, w, b, y


def test_forward_is_x_w_plus_b_row_by_row(lecture_problem):
    x, w, b, _ = lecture_problem
    y_hat, _ = linear_forward(x, w, b)
    assert y_hat.shape == (5, 3)
    for n in range(5):
        for k in range(3):
            assert y_hat[n, k] == pytest.approx(sum(x[n, i] * w[i, k] for i in range(4)) + b[0, k])


def test_forward_accepts_1d_bias(lecture_problem):
    x, w, b, _ = lecture_problem
    np.testing.assert_allclose(linear_forward(x, w, b[0])[0], linear_forward(x, w, b)[0])


def test_mse_loss_divides_by_examples_not_entries():
    # Two examples, three classes, every residual 1: sum of squares 6, over N=2 -> 3.
    y_hat = np.ones((2, 3))
    loss, grad = mse_loss(y_hat, np.zeros((2, 3)))
    assert loss == 3.0
    np.testing.assert_allclose(grad, np.full((2, 3), 1.0))  # 2 * 1 / 2


def test_mse_gradient_matches_finite_differences(lecture_problem):
    x, w, b, y = lecture_problem
    y_hat = linear_forward(x, w, b)[0]
    _, grad = mse_loss(y_hat, y)
    numeric = numerical_gradient(lambda z: mse_loss(z, y)[0], y_hat.copy())
    assert rel_error(grad, numeric) < 1e-8


@pytest.mark.parametrize("shape", [(5, 4, 3), (1, 1, 1), (8, 2, 6), (3, 7, 2)])
def test_backward_matches_finite_differences_of_the_loss(shape):
    n, d, k = shape
    rng = np.random.default_rng(sum(shape))
    x, w, b = rng.standard_normal((n, d)), rng.standard_normal((d, k)), rng.standard_normal(k)
    y = rng.standard_normal((n, k))

    def loss_of(x_, w_, b_):
        return mse_loss(linear_forward(x_, w_, b_)[0], y)[0]

    y_hat, cache = linear_forward(x, w, b)
    dx, dw, db = linear_backward(mse_loss(y_hat, y)[1], cache)
    assert db.shape == b.shape
    assert rel_error(dw, numerical_gradient(lambda z: loss_of(x, z, b), w.copy())) < 1e-7
    assert rel_error(db, numerical_gradient(lambda z: loss_of(x, w, z), b.copy())) < 1e-7
    assert rel_error(dx, numerical_gradient(lambda z: loss_of(z, w, b), x.copy())) < 1e-7


def test_naive_backward_equals_matrix_form(lecture_problem):
    x, w, b, y = lecture_problem
    y_hat, cache = linear_forward(x, w, b)
    g = mse_loss(y_hat, y)[1]
    for fast, slow in zip(linear_backward(g, cache), linear_backward_naive(g, cache)):
        np.testing.assert_allclose(fast, slow, rtol=1e-13, atol=1e-15)


def test_one_hot_closed_form():
    np.testing.assert_array_equal(one_hot([2, 0, 1], 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert one_hot(np.array([], dtype=int), 4).shape == (0, 4)
    assert one_hot([], 4).shape == (0, 4)   # a plain empty list arrives as float64
    np.testing.assert_array_equal(one_hot(np.array([1.0, 0.0]), 2), [[0, 1], [1, 0]])


def test_gradient_descent_reaches_least_squares_solution():
    # The loss is convex: gradient descent must approach the normal-equation solution.
    rng = np.random.default_rng(7)
    x = rng.standard_normal((40, 3))
    y = rng.standard_normal((40, 2))
    run = train_gradient_descent(x, y, learning_rate=0.2, steps=2000, rng=1)
    design = np.hstack([x, np.ones((40, 1))])
    exact = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(run.w, exact[:3], atol=1e-8)
    np.testing.assert_allclose(run.b.ravel(), exact[3], atol=1e-8)
    assert len(run.losses) == 2001
    assert all(a >= b - 1e-15 for a, b in zip(run.losses, run.losses[1:]))  # monotone at this step size


def test_gradient_descent_reports_divergence_without_overflow_warnings():
    rng = np.random.default_rng(8)
    x = 3 * rng.standard_normal((10, 4))
    with np.errstate(all="raise"):
        run = train_gradient_descent(x, np.zeros((10, 2)), learning_rate=5.0, steps=500, rng=0)
    assert run.diverged and len(run.losses) < 501


def test_zero_steps_gives_initial_loss_only():
    run = train_gradient_descent(np.ones((2, 2)), np.zeros((2, 1)), steps=0)
    assert len(run.losses) == 1


# --- bad input -------------------------------------------------------------------

def test_forward_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"x has 4 features \(shape \(5, 4\)\).*\(3, 3\)"):
        linear_forward(np.ones((5, 4)), np.ones((3, 3)), np.ones(3))


def test_forward_rejects_wrong_bias_shape():
    with pytest.raises(ValueError, match=r"b must have shape \(3,\) or \(1, 3\).*\(4,\)"):
        linear_forward(np.ones((5, 4)), np.ones((4, 3)), np.ones(4))


def test_forward_rejects_1d_x():
    with pytest.raises(ValueError, match=r"x must be 2-D, got shape \(4,\)"):
        linear_forward(np.ones(4), np.ones((4, 3)), np.ones(3))


def test_forward_rejects_strings():
    with pytest.raises(TypeError, match="x must be an array of real numbers"):
        linear_forward([["a", "b"]], np.ones((2, 1)), np.ones(1))


def test_mse_rejects_shape_mismatch():
    with pytest.raises(ValueError, match=r"y_hat and y must have the same shape, got \(5, 3\) and \(5, 2\)"):
        mse_loss(np.ones((5, 3)), np.ones((5, 2)))


def test_backward_rejects_wrong_gradient_shape(lecture_problem):
    x, w, b, _ = lecture_problem
    _, cache = linear_forward(x, w, b)
    with pytest.raises(ValueError, match=r"dL_dyhat must have y_hat's shape \(5, 3\), got \(3, 5\)"):
        linear_backward(np.ones((3, 5)), cache)


@pytest.mark.parametrize("labels, num_classes, error, pattern", [
    ([0, 3], 3, ValueError, r"labels must lie in 0..2, got \[3\]"),
    ([-1, 0], 3, ValueError, r"labels must lie in 0..2, got \[-1\]"),
    ([0.5, 1], 3, TypeError, "labels must be integers"),
    ([[0, 1]], 3, ValueError, "labels must be 1-D"),
    ([0, 1], 0, ValueError, "num_classes must be >= 1"),
])
def test_one_hot_rejects_bad_labels(labels, num_classes, error, pattern):
    with pytest.raises(error, match=pattern):
        one_hot(labels, num_classes)


def test_training_rejects_bad_learning_rate():
    with pytest.raises(ValueError, match="learning_rate must be finite and > 0"):
        train_gradient_descent(np.ones((2, 2)), np.ones((2, 1)), learning_rate=-0.1)
