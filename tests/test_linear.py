import numpy as np
import pytest
from bad_input import Case, check_refused, expand

from lecture_utils.gradcheck import numerical_gradient, rel_error
from lecture_utils.linear import (linear_backward, linear_backward_naive, linear_forward,
                                  linear_loss, mse_loss, one_hot, train_gradient_descent)


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
    params, run = train_gradient_descent(x, y, learning_rate=0.2, steps=2000, rng=1)
    design = np.hstack([x, np.ones((40, 1))])
    exact = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(params["w"], exact[:3], atol=1e-8)
    np.testing.assert_allclose(params["b"].ravel(), exact[3], atol=1e-8)
    assert len(run.losses) == 2001
    assert all(a >= b - 1e-15 for a, b in zip(run.losses, run.losses[1:]))  # monotone at this step size


def test_gradient_descent_reports_divergence_without_overflow_warnings():
    rng = np.random.default_rng(8)
    x = 3 * rng.standard_normal((10, 4))
    with np.errstate(all="raise"):
        params, run = train_gradient_descent(x, np.zeros((10, 2)), learning_rate=5.0, steps=500, rng=0)
    assert run.diverged and len(run.losses) < 501
    assert run.losses[-1] > 1e12 and all(np.isfinite(v).all() for v in params.values())


def test_zero_steps_gives_initial_loss_only():
    _, run = train_gradient_descent(np.ones((2, 2)), np.zeros((2, 1)), steps=0)
    assert len(run.losses) == 1


def test_linear_loss_is_mse_of_the_forward_pass_with_backward_gradients(lecture_problem):
    x, w, b, y = lecture_problem
    loss, grads = linear_loss({"w": w, "b": b}, x, y)
    assert loss == mse_loss(linear_forward(x, w, b)[0], y)[0]
    assert rel_error(grads["w"], numerical_gradient(lambda z: linear_loss({"w": z, "b": b}, x, y)[0], w.copy())) < 1e-8


# --- bad input -------------------------------------------------------------------

def test_forward_names_the_shared_size_that_disagrees():
    with pytest.raises(ValueError, match=r"w must have shape \(D, K\) with D = 4 as in x \(shape \(5, 4\)\), got shape \(3, 3\)"):
        linear_forward(np.ones((5, 4)), np.ones((3, 3)), np.ones(3))
    with pytest.raises(ValueError, match=r"b must have shape \(K,\) or \(1, K\) with K = 3 as in w"):
        linear_forward(np.ones((5, 4)), np.ones((4, 3)), np.ones(4))


def test_backward_says_which_forward_makes_its_cache(lecture_problem):
    x, w, b, _ = lecture_problem
    with pytest.raises(TypeError, match="cache must be a LinearCache .the one linear_forward returns., got NoneType"):
        linear_backward(np.ones((5, 3)), None)
    with pytest.raises(TypeError, match="got tuple"):
        linear_backward(np.ones((5, 3)), (x, w, b))
    _, cache = linear_forward(x, w, b)
    with pytest.raises(ValueError, match=r"dout must have the shape of the forward pass's output, \(5, 3\)"):
        linear_backward(np.ones((3, 5)), cache)


@pytest.mark.parametrize("labels, num_classes, error, pattern", [
    ([0, 3], 3, ValueError, r"labels must lie in 0..2, got \[3\]"),
    ([-1, 0], 3, ValueError, r"labels must lie in 0..2, got \[-1\]"),
    ([0.5, 1], 3, TypeError, "labels must hold integers"),
    ([[0, 1]], 3, ValueError, r"labels must be 1-D \(N,\)"),
    ([0, 1], 0, ValueError, "num_classes must be >= 1"),
    ([0, 1], 10**9, ValueError, r"num_classes must be <= 100000 \(one column per class\)"),
])
def test_one_hot_rejects_bad_labels(labels, num_classes, error, pattern):
    with pytest.raises(error, match=pattern):
        one_hot(labels, num_classes)


X, W, B = np.ones((5, 4)), np.ones((4, 3)), np.ones((1, 3))
_, CACHE = linear_forward(X, W, B)
TABLE = [
    Case(linear_forward, dict(x=X, w=W, b=B), {"x": "array", "w": "array", "b": "array"},
         skip={"b": ["one axis too few"]}),      # b may be (K,) as well as (1, K)
    Case(mse_loss, dict(y_hat=np.ones((5, 3)), y=np.zeros((5, 3))), {"y_hat": "array", "y": "array"}),
    Case(linear_backward, dict(dout=np.ones((5, 3)), cache=CACHE), {"dout": "array"}),
    Case(linear_backward_naive, dict(dout=np.ones((5, 3)), cache=CACHE), {"dout": "array"}),
    Case(one_hot, dict(labels=[0, 1], num_classes=3), {"num_classes": "count"}),
    Case(train_gradient_descent, dict(x=X, y=np.ones((5, 2)), learning_rate=0.1, steps=2, rng=0,
                                      init_scale=0.01),
         {"x": "array", "y": "array", "learning_rate": "positive", "steps": "count", "rng": "seed",
          "init_scale": "positive"}),
]
PARAMS, IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_clearly(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)


# --- the step-size lesson: the loss's Hessian and the path of gradient descent ----------------

from lecture_utils.gradcheck import jacobian  # noqa: E402
from lecture_utils.linear import gradient_descent_path, loss_hessian, train_gradient_descent  # noqa: E402


def test_loss_hessian_is_the_jacobian_of_the_gradient():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((9, 3)), rng.standard_normal((9, 2))

    def gradient_of_column0(theta):             # dL/d(w_:0, b_0), column 1 held fixed
        w = np.column_stack([theta[:3], np.ones(3)])
        b = np.array([[theta[3], 0.5]])
        _, grads = linear_loss({"w": w, "b": b}, x, y)
        return np.r_[grads["w"][:, 0], grads["b"][0, 0]]

    numeric = jacobian(gradient_of_column0, rng.standard_normal(4))
    np.testing.assert_allclose(loss_hessian(x), numeric, atol=1e-7)


def test_each_step_multiplies_the_error_by_one_minus_eta_times_the_hessian():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((20, 4)), rng.standard_normal((20, 3))
    eta = 0.2
    path, history = gradient_descent_path(x, y, learning_rate=eta, steps=15, rng=2)
    design = np.hstack([x, np.ones((20, 1))])
    optimum = np.linalg.lstsq(design, y, rcond=None)[0]
    step = np.eye(5) - eta * loss_hessian(x)
    for t in range(15):
        np.testing.assert_allclose(path[t + 1] - optimum, step @ (path[t] - optimum), atol=1e-12)
    params, reference = train_gradient_descent(x, y, learning_rate=eta, steps=15, rng=2)
    assert history.losses == reference.losses
    np.testing.assert_array_equal(path[-1], np.vstack([params["w"], params["b"]]))
    best = np.sum((design @ optimum - y) ** 2) / 20
    gaps = [0.5 * np.sum((p - optimum) * (loss_hessian(x) @ (p - optimum))) for p in path]   # L - L* = e^T H e / 2
    np.testing.assert_allclose(np.array(history.losses) - best, gaps, rtol=1e-9, atol=1e-14)


def test_path_stops_where_the_run_diverges():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((10, 2)), rng.standard_normal((10, 1))
    eta = 3 / np.linalg.eigvalsh(loss_hessian(x)).max()                 # above 2 / lambda_max
    path, history = gradient_descent_path(x, y, learning_rate=eta, steps=500, rng=0)
    assert history.diverged and len(path) == len(history.losses) < 501


STEP_TABLE = [
    Case(loss_hessian, dict(x=np.ones((5, 3))), {"x": "array"}),
    Case(gradient_descent_path, dict(x=np.eye(5, 3), y=np.ones((5, 2)), learning_rate=0.1, steps=2, rng=0,
                                     init_scale=0.01),
         {"x": "array", "y": "array", "learning_rate": "positive", "steps": "count", "rng": "seed",
          "init_scale": "positive"}),
]
STEP_PARAMS, STEP_IDS = expand(STEP_TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", STEP_PARAMS, ids=STEP_IDS)
def test_bad_input_to_the_step_size_functions_is_refused_clearly(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
