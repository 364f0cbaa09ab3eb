"""lecture_utils.nn: every derivative against finite differences, closed forms, identities, bad input."""

import numpy as np
import pytest
from scipy.special import expit, log_softmax
from scipy.special import softmax as scipy_softmax

from bad_input import Case, check_refused, expand

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


# --- MLP: every gradient against finite differences ----------------------------------

ARCHITECTURES = [
    ([3, 4, 2], ["tanh", "identity"], "mse"),
    ([2, 2, 1], ["tanh", "sigmoid"], "mse"),
    ([4, 5, 3, 2], ["relu", "leaky_relu", "identity"], "mse"),
    ([3, 6, 4], ["sigmoid", "identity"], "softmax_cross_entropy"),
    ([5, 3, 4, 3, 3], ["tanh", "relu", "sigmoid", "identity"], "softmax_cross_entropy"),
]


def _targets_for(loss, n, k, rng):
    if loss == "mse":
        return rng.standard_normal((n, k))
    return rng.integers(0, k, n)


@pytest.mark.parametrize("sizes, activations, loss", ARCHITECTURES)
@pytest.mark.parametrize("n", [1, 6])
def test_mlp_gradients_match_finite_differences(sizes, activations, loss, n):
    rng = np.random.default_rng(len(sizes) * 10 + n)
    model = nn.MLP(sizes, activations, rng=rng)
    for name in model.params:  # non-zero biases, so a dropped bias term would show
        model.params[name] += 0.1 * rng.standard_normal(model.params[name].shape)
    x = rng.standard_normal((n, sizes[0]))
    y = _targets_for(loss, n, sizes[-1], rng)
    _, grads = model.loss(x, y, loss)
    for name, value in model.params.items():
        numeric = numerical_gradient(lambda _: model.loss(x, y, loss)[0], value)
        assert rel_error(grads[name], numeric) < 1e-7, name
    # and dC/dx_0, the input gradient returned by backward
    out, cache = model.forward(x)
    dx, grads_again = model.backward(nn.LOSSES[loss](out, y)[1], cache)
    assert all(np.array_equal(grads_again[k], grads[k]) for k in grads)
    numeric_x = numerical_gradient(lambda z: nn.LOSSES[loss](model.forward(z)[0], y)[0], x.copy())
    assert rel_error(dx, numeric_x) < 1e-7


def test_mlp_forward_is_the_composition_of_its_layers():
    rng = np.random.default_rng(9)
    model = nn.MLP([3, 4, 2], ["tanh", "identity"], rng=rng)
    x = rng.standard_normal((5, 3))
    p = model.params
    expected = np.tanh(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-13)
    outputs = model.layer_outputs(x)
    assert [o.shape for o in outputs] == [(5, 3), (5, 4), (5, 2)]
    np.testing.assert_array_equal(outputs[0], x)
    np.testing.assert_allclose(outputs[1], np.tanh(x @ p["w1"] + p["b1"]), rtol=1e-13)


def test_mlp_initialisation_is_seeded_with_unit_variance_preactivations():
    a, b = nn.MLP([400, 300, 2], ["relu", "identity"], rng=3), nn.MLP([400, 300, 2], ["relu", "identity"], rng=3)
    np.testing.assert_array_equal(a.params["w1"], b.params["w1"])
    assert a.params["w1"].var() * 400 == pytest.approx(1.0, rel=0.02)  # var 1/fan_in
    np.testing.assert_array_equal(a.params["b1"], np.zeros(300))
    assert a.n_layers == 2 and "sizes=[400, 300, 2]" in repr(a)


def test_mlp_loss_returns_a_snapshot_of_the_gradients():
    model = nn.MLP([2, 3, 1], ["tanh", "identity"], rng=0)
    _, first = model.loss(np.ones((2, 2)), np.zeros((2, 1)))
    kept = first["w1"].copy()
    model.loss(-np.ones((2, 2)), np.ones((2, 1)))
    np.testing.assert_array_equal(first["w1"], kept)


def test_softmax_mlp_at_zero_weights_has_loss_log_c():
    # cs231n's sanity check: equal scores give cost log(C).
    model = nn.MLP([3, 4, 5], ["tanh", "identity"], rng=0)
    model.params = {k: np.zeros_like(v) for k, v in model.params.items()}
    value, _ = model.loss(np.ones((4, 3)), [0, 1, 2, 3], "softmax_cross_entropy")
    assert value == pytest.approx(np.log(5), rel=1e-15)


# --- SGD and BFGS on MLPs -------------------------------------------------------------

def _realisable_regression(n=24, seed=11):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    w_true, b_true = rng.standard_normal((3, 2)), rng.standard_normal(2)
    return x, x @ w_true + b_true, w_true, b_true


@pytest.mark.parametrize("batch_size, epochs", [(1, 60), (5, 150), (24, 400)])
def test_sgd_on_a_linear_model_reaches_the_least_squares_solution(batch_size, epochs):
    # A linear network on noise-free targets: every batch has the same minimiser, the
    # exact (lstsq) solution, so SGD with any batch size must converge to it.
    x, y, w_true, b_true = _realisable_regression()
    model = nn.MLP([3, 2], ["identity"], rng=0)
    history = nn.train_sgd(model, x, y, learning_rate=0.05, batch_size=batch_size, epochs=epochs, rng=1)
    design = np.hstack([x, np.ones((24, 1))])
    exact = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(model.params["w1"], exact[:3], atol=1e-6)
    np.testing.assert_allclose(model.params["b1"], exact[3], atol=1e-6)
    assert len(history.losses) == epochs + 1 and history.losses[-1] < 1e-12
    assert history.updates_per_epoch == -(-24 // batch_size)


def test_full_batch_sgd_equals_hand_written_gradient_descent():
    x, y, _, _ = _realisable_regression(n=6)
    model = nn.MLP([3, 2], ["identity"], rng=0)
    w, b = model.params["w1"].copy(), model.params["b1"].copy()
    nn.train_sgd(model, x, y, learning_rate=0.1, epochs=5, rng=0)
    for _ in range(5):  # lecture 1's gradients of L = (1/N) sum (x w + b - y)^2
        g = 2 * (x @ w + b - y) / 6
        w, b = w - 0.1 * x.T @ g, b - 0.1 * g.sum(axis=0)
    np.testing.assert_allclose(model.params["w1"], w, rtol=1e-12)
    np.testing.assert_allclose(model.params["b1"], b, rtol=1e-12)


def test_sgd_is_reproducible_from_its_seed():
    x, y, _, _ = _realisable_regression()
    runs = []
    for _ in range(2):
        model = nn.MLP([3, 4, 2], ["tanh", "identity"], rng=5)
        runs.append(nn.train_sgd(model, x, y, batch_size=4, epochs=3, rng=6).losses)
    assert runs[0] == runs[1]


def test_xor_is_solved_by_a_2_2_1_network_from_a_seeded_start():
    x = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    model = nn.MLP([2, 2, 1], ["tanh", "sigmoid"], rng=0)
    history = nn.train_sgd(model, x, y, learning_rate=2.0, epochs=300, rng=0)
    np.testing.assert_array_equal(model.predict(x) > 0.5, y > 0.5)
    assert history.losses[-1] < 0.01 < history.losses[0]


def test_sgd_with_softmax_cross_entropy_separates_three_blobs():
    rng = np.random.default_rng(14)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    labels = np.repeat([0, 1, 2], 15)
    x = centres[labels] + 0.5 * rng.standard_normal((45, 2))
    model = nn.MLP([2, 5, 3], ["relu", "identity"], rng=0)
    history = nn.train_sgd(model, x, labels, loss="softmax_cross_entropy", learning_rate=0.5,
                           batch_size=9, epochs=30, rng=0)
    np.testing.assert_array_equal(model.predict(x).argmax(axis=1), labels)
    assert history.losses[-1] < 0.1 * history.losses[0]


def test_sgd_stops_on_divergence_without_overflow_warnings():
    x, y, _, _ = _realisable_regression()
    model = nn.MLP([3, 8, 2], ["tanh", "identity"], rng=0)
    with np.errstate(over="raise", invalid="raise"):
        history = nn.train_sgd(model, 10 * x, y, learning_rate=3.0, batch_size=1, epochs=200, rng=0)
    assert history.diverged and len(history.losses) < 201


def test_fit_bfgs_fits_x_squared_with_three_tanh_units():
    x = np.linspace(-1, 1, 50)[:, None]
    model = nn.MLP([1, 3, 1], ["tanh", "identity"], rng=2)
    cost = nn.fit_bfgs(model, x, x ** 2, max_iter=300)
    assert cost < 1e-6
    assert cost == pytest.approx(np.mean((model.predict(x) - x ** 2) ** 2), rel=1e-12)


def test_fit_bfgs_on_a_linear_model_is_least_squares():
    x, y, _, _ = _realisable_regression()
    model = nn.MLP([3, 2], ["identity"], rng=0)
    nn.fit_bfgs(model, x, y)
    exact = np.linalg.lstsq(np.hstack([x, np.ones((24, 1))]), y, rcond=None)[0]
    np.testing.assert_allclose(model.params["w1"], exact[:3], atol=1e-5)


# --- training checks its data once, then runs the layers' equations -------------------------

@pytest.mark.parametrize("sizes, activations, loss", ARCHITECTURES)
def test_training_objective_is_the_checked_loss_bit_for_bit(sizes, activations, loss):
    # train_sgd and fit_bfgs check x, y and params once, then call the layers' bodies on every step.
    rng = np.random.default_rng(len(sizes) + 20)
    model = nn.MLP(sizes, activations, rng=rng)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in model.params.items()}
    x = rng.standard_normal((7, sizes[0]))
    y = _targets_for(loss, 7, sizes[-1], rng)
    value, grads = model.loss(x, y, loss, params)
    value_once, grads_once = model._checked_once_objective(loss)(params, x, y)
    assert value_once == value
    assert sorted(grads_once) == sorted(grads)
    assert all(np.array_equal(grads_once[k], grads[k]) for k in grads)


def test_forward_refuses_params_of_another_shape_or_kind_naming_the_entry():
    model = nn.MLP([3, 4, 2], ["tanh", "identity"], rng=0)
    x = np.ones((5, 3))
    with pytest.raises(ValueError, match=r"params\['w2'\] must have shape \(4, 2\), got shape \(3, 2\)"):
        model.forward(x, dict(model.params, w2=np.ones((3, 2))))
    with pytest.raises(TypeError, match=r"params\['b1'\] must be an array of real numbers of shape \(4,\)"):
        model.loss(x, np.zeros((5, 2)), params=dict(model.params, b1="zeros"))
    with pytest.raises(ValueError, match=r"params\['b1'\] contains NaN"):
        model.predict(x, dict(model.params, b1=np.array([0.0, np.nan, 0.0, 0.0])))


@pytest.mark.parametrize("loss, y, pattern", [
    ("softmax_cross_entropy", [0, 1, 2, 0, 1, 5], r"labels must lie in 0..2, got \[5\]"),
    ("mse", np.vstack([np.zeros((5, 3)), [[0.0, np.nan, 0.0]]]), r"y contains NaN"),
])
def test_training_refuses_a_bad_target_in_any_row_before_the_first_step(loss, y, pattern):
    model = nn.MLP([2, 3, 3], ["tanh", "identity"], rng=0)
    before = {k: v.copy() for k, v in model.params.items()}
    x = np.random.default_rng(1).standard_normal((6, 2))
    with pytest.raises(ValueError, match=pattern):
        nn.train_sgd(model, x, y, loss=loss, batch_size=2, epochs=3)
    assert all(np.array_equal(model.params[k], before[k]) for k in before)


def test_training_keeps_params_float64_of_the_networks_shapes():
    model = nn.MLP([2, 2, 1], ["tanh", "sigmoid"], rng=0)
    model.params = {k: v.tolist() for k, v in model.params.items()}      # lists, as a student might set them
    nn.train_sgd(model, np.ones((4, 2)), np.zeros((4, 1)), epochs=2)
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float64 for v in model.params.values())


# --- notebook 04's experiments: a seed sweep and batch sizes at tuned learning rates ------------

XOR_X = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
XOR_LABELS = np.array([0, 1, 1, 0])


def test_xor_2_2_1_solves_13_of_20_seeds_and_each_stuck_run_merges_two_opposite_points():
    # Learning rate 2.0, 300 full-batch epochs. A stuck run puts a point of each class on one
    # saturated spot of hidden space, so the output unit gives both 1/2 (cost 1/8); a solved
    # run keeps opposite labels more than 1 apart.
    y = XOR_LABELS[:, None].astype(float)
    stuck = []
    for seed in range(20):
        model = nn.MLP([2, 2, 1], ["tanh", "sigmoid"], rng=seed)
        history = nn.train_sgd(model, XOR_X, y, learning_rate=2.0, epochs=300, rng=seed)
        hidden = model.layer_outputs(XOR_X)[1]
        gap, n, m = min((np.linalg.norm(hidden[n] - hidden[m]), n, m) for n in range(4) for m in range(4)
                        if XOR_LABELS[n] < XOR_LABELS[m])
        if np.array_equal(model.predict(XOR_X).ravel() > 0.5, XOR_LABELS == 1):
            assert history.losses[-1] < 0.01 and gap > 1, seed
        else:
            stuck.append(seed)
            assert abs(history.losses[-1] - 1 / 8) < 0.005 and gap < 0.01, seed
            assert 3 in (n, m) and np.max(1 - hidden[[n, m]] ** 2) < 0.02, seed   # (1, 1), both tanh saturated
    assert stuck == [1, 3, 6, 10, 13, 14, 16]


def test_batch_sizes_at_their_tuned_learning_rates_on_the_notebooks_sine_fit():
    # 1-3-1 tanh network, 50 points of sin(pi x), seed 3, 100 epochs, grid 0.1 * 2^k: every best
    # rate lies inside the grid; per epoch batch 1 ends lowest, per update the full batch does.
    x = np.sort(np.random.default_rng(7).uniform(-1, 1, 50))[:, None]
    y = np.sin(np.pi * x)
    grid = [0.1, 0.2, 0.4, 0.8]
    tuned = {}
    for batch_size in [1, 10, 50]:
        runs = []
        for eta in grid:
            model = nn.MLP([1, 3, 1], ["tanh", "identity"], rng=3)
            runs.append(nn.train_sgd(model, x, y, learning_rate=eta, batch_size=batch_size, epochs=100, rng=3))
        costs = [np.inf if h.diverged else h.losses[-1] for h in runs]
        best = int(np.argmin(costs))
        assert 0 < best < len(grid) - 1, (batch_size, costs)
        tuned[batch_size] = (grid[best], runs[best])
    assert {b: eta for b, (eta, _) in tuned.items()} == {1: 0.2, 10: 0.2, 50: 0.4}
    per_epoch = [h.losses[-1] for _, h in tuned.values()]
    per_update = [h.losses[100 // h.updates_per_epoch] for _, h in tuned.values()]
    assert per_epoch == sorted(per_epoch) and per_update == sorted(per_update, reverse=True)


# --- perceptron --------------------------------------------------------------------------

XY_GATES = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)


def test_perceptron_first_two_epochs_by_hand_on_and():
    # Epoch 1: only (1,1) is wrong -> w = (1, 1), b = 1. Epoch 2: (0,0) and (1,0) are
    # predicted 1 (w = (1,1), b = 0, then w = (0,1), b = -1), (1,1) predicted 0 -> w = (1,2), b = 0.
    params, mistakes = nn.perceptron_train(XY_GATES, [0, 0, 0, 1], epochs=2)
    np.testing.assert_array_equal(params["w"], [1, 2])
    assert params["b"] == 0 and mistakes == [1, 3]


@pytest.mark.parametrize("labels", [[0, 0, 0, 1], [0, 1, 1, 1], [1, 1, 0, 0]])
def test_perceptron_converges_on_linearly_separable_gates(labels):
    params, mistakes = nn.perceptron_train(XY_GATES, labels, epochs=30)
    assert mistakes[-1] == 0
    np.testing.assert_array_equal(nn.perceptron_predict(XY_GATES, params["w"], params["b"]), labels)


def test_perceptron_never_converges_on_xor():
    # XOR is not linearly separable (Minsky and Papert), so every epoch makes a mistake.
    params, mistakes = nn.perceptron_train(XY_GATES, [0, 1, 1, 0], epochs=100)
    assert min(mistakes) > 0
    assert np.sum(nn.perceptron_predict(XY_GATES, params["w"], params["b"]) != [0, 1, 1, 0]) >= 1


def test_perceptron_rule_is_rosenblatts_update_one_example_at_a_time():
    # w <- w + eta (y - y_hat) x, written out by hand, against the library's run
    w, b, eta = np.zeros(2), 0.0, 0.5
    labels = [0, 1, 1, 1]
    for _ in range(3):
        for x_n, y_n in zip(XY_GATES, labels):
            error = y_n - float(x_n @ w + b > 0)
            w, b = w + eta * error * x_n, b + eta * error
    params, _ = nn.perceptron_train(XY_GATES, labels, epochs=3, learning_rate=eta)
    np.testing.assert_array_equal(params["w"], w)
    assert float(params["b"]) == b


# --- bad input: one table, every public function x every kind of bad value ------------------

def test_error_messages_name_the_argument_and_what_was_expected():
    with pytest.raises(ValueError, match=r"axis must be an integer in \[-2, 1\] for s of shape \(2, 3\), got 2"):
        nn.softmax(np.ones((2, 3)), axis=2)
    with pytest.raises(ValueError, match=r"s must be 1-D or more \(K, ...\)|s must have shape"):
        nn.softmax(3.0)
    _, cache = nn.tanh_forward(np.ones((2, 3)))
    with pytest.raises(TypeError, match="cache must be the cache sigmoid_backward|cache must be the cache sigmoid_forward returns, got the cache of tanh_forward"):
        nn.sigmoid_backward(np.ones((2, 3)), cache)
    with pytest.raises(ValueError, match=r"dout must have the shape of the forward pass's output, \(2, 3\)"):
        nn.tanh_backward(np.ones((3, 2)), cache)
    with pytest.raises(ValueError, match=r"labels must be integer classes of shape \(3,\) or one-hot rows of shape \(3, 3\)"):
        nn.softmax_cross_entropy(np.zeros((3, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="labels given as rows must be one-hot"):
        nn.softmax_cross_entropy(np.zeros((3, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"labels must lie in 0..2, got \[3\]"):
        nn.softmax_cross_entropy(np.zeros((3, 3)), [0, 1, 3])


@pytest.mark.parametrize("sizes, activations, error, pattern", [
    ([3], [], ValueError, r"sizes must list at least two layer sizes"),
    ([3, 0, 2], ["tanh", "identity"], ValueError, r"sizes\[1\] must be >= 1, got 0"),
    ([3, 2.5, 2], ["tanh", "identity"], TypeError, r"sizes\[1\] must be an integer"),
    ([3, 10**9, 2], ["tanh", "identity"], ValueError, r"sizes\[1\] must be <= 100000"),
    ([3, 4, 2], ["tanh"], ValueError, r"sizes give 2 layers, got 1 names"),
    ([3, 4, 2], ["tanh", "softplus"], ValueError, r"activations\[1\] must be one of .*'tanh'.*got str 'softplus'"),
    ([3, 4, 2], "tanh", TypeError, r"activations must be a list with one name per layer \(2\)"),
])
def test_mlp_rejects_bad_architectures(sizes, activations, error, pattern):
    with pytest.raises(error, match=pattern):
        nn.MLP(sizes, activations)


def test_mlp_and_its_training_reject_bad_data_before_any_work():
    model = nn.MLP([3, 2], ["identity"])
    x, y, _, _ = _realisable_regression()
    with pytest.raises(ValueError, match=r"x must have shape \(N, 3\), got shape \(5, 2\)"):
        model.forward(np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"loss must be one of 'mse', 'softmax_cross_entropy', got str 'hinge'"):
        model.loss(np.ones((5, 3)), np.ones((5, 2)), "hinge")
    with pytest.raises(TypeError, match="cache must be a MLPCache"):
        model.backward(np.ones((5, 2)), None)
    with pytest.raises(ValueError, match="batch_size must be at most the number of examples N = 24, got 25"):
        nn.train_sgd(model, x, y, batch_size=25)
    with pytest.raises(ValueError, match=r"y must have shape \(24, 2\) for the 'mse' loss .* got shape \(23, 2\)"):
        nn.train_sgd(model, x, y[:23])
    with pytest.raises(ValueError, match=r"y must have shape \(24, 2\) for the 'mse' loss .* got float 1.0"):
        nn.train_sgd(model, x, 1.0)
    with pytest.raises(ValueError, match=r"\(24,\) or \(24, 2\) for the 'softmax_cross_entropy' loss .* got shape \(24, 3\)"):
        nn.fit_bfgs(model, x, np.zeros((24, 3)), loss="softmax_cross_entropy")
    with pytest.raises(TypeError, match="model must be a MLP, got dict"):
        nn.train_sgd({}, x, y)
    with pytest.raises(ValueError, match="y must hold labels 0 or 1"):
        nn.perceptron_train(XY_GATES, [0, 1, 2, 0])


A = np.linspace(-2, 2, 12).reshape(3, 4)
MODEL = nn.MLP([3, 2], ["identity"], rng=0)
X3, Y2 = np.ones((6, 3)), np.zeros((6, 2))
TABLE = [Case(fn, dict(a=A), {"a": "array"}, skip={"a": ["no entries", "one axis too few", "one axis too many"]})
         for fn in (nn.sigmoid, nn.sigmoid_forward, nn.tanh_forward, nn.relu_forward, nn.identity_forward)]
TABLE += [
    # element-wise layers accept any shape, empty ones included (an empty batch gives an empty result)
    Case(nn.leaky_relu_forward, dict(a=A, alpha=0.1), {"a": "array", "alpha": "real"},
         skip={"a": ["no entries", "one axis too few", "one axis too many"]}),
    Case(nn.softmax, dict(s=A, axis=-1), {"s": "array", "axis": "int"},
         skip={"s": ["one axis too few", "one axis too many"]}),
    Case(nn.softmax_cross_entropy, dict(scores=A, labels=[0, 1, 3]), {"scores": "array"}),
    Case(nn.dense_forward, dict(x=X3, w=np.ones((3, 2)), b=np.zeros(2)), {"x": "array", "w": "array"}),
    Case(nn.perceptron_predict, dict(x=XY_GATES, w=np.ones(2), b=0.5), {"x": "array", "w": "array", "b": "real"}),
    Case(nn.perceptron_train, dict(x=XY_GATES, y=np.array([0, 1, 1, 1]), epochs=2, learning_rate=1.0),
         {"x": "array", "y": "array", "epochs": "count", "learning_rate": "positive"}),
    Case(nn.train_sgd, dict(model=MODEL, x=X3, y=Y2, loss="mse", learning_rate=0.1, batch_size=2, epochs=1, rng=0),
         {"x": "array", "loss": "choice", "learning_rate": "positive", "batch_size": "count", "epochs": "count",
          "rng": "seed"}, skip={"batch_size": ["None"]}),       # None means the full batch
    Case(nn.fit_bfgs, dict(model=MODEL, x=X3, y=Y2, loss="mse", max_iter=2, tol=1e-9),
         {"x": "array", "loss": "choice", "max_iter": "count", "tol": "positive"}),
]
for name, (forward, backward) in nn.ACTIVATIONS.items():
    TABLE.append(Case(backward, dict(dout=np.ones((3, 4)), cache=forward(A)[1]), {"dout": "array"}))
PARAMS, IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_clearly(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)


def test_empty_batches_give_empty_results_for_element_wise_layers():
    y, cache = nn.relu_forward(np.zeros((0, 4)))
    assert y.shape == (0, 4) and nn.relu_backward(np.zeros((0, 4)), cache).shape == (0, 4)
    assert nn.sigmoid(np.zeros((0,))).shape == (0,)


# --- optional reference: PyTorch autograd ----------------------------------------------------

@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_mlp_gradients_match_torch_autograd(activation):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(15)
    model = nn.MLP([4, 5, 3], [activation, "identity"], rng=rng)
    x = rng.standard_normal((7, 4))
    labels = rng.integers(0, 3, 7)
    value, grads = model.loss(x, labels, "softmax_cross_entropy")

    t = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
    f = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
         "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01)}[activation]
    scores = f(torch.tensor(x) @ t["w1"] + t["b1"]) @ t["w2"] + t["b2"]
    reference = torch.nn.functional.cross_entropy(scores, torch.tensor(labels))  # mean over the batch
    reference.backward()
    assert value == pytest.approx(reference.item(), rel=1e-12)
    for name in model.params:
        np.testing.assert_allclose(grads[name], t[name].grad.numpy(), rtol=1e-10, atol=1e-14)




# --- initialisation scales (notebook 04's deeper network) ---------------------------

@pytest.mark.parametrize("init, fan_in, fan_out, variance", [("lecun", 100, 30, 1 / 100), ("xavier", 100, 30, 2 / 130),
                                                             ("he", 100, 30, 2 / 100), (0.01, 100, 30, 1e-4),
                                                             (1, 7, 3, 1.0)])
def test_init_std_closed_forms(init, fan_in, fan_out, variance):
    assert nn.init_std(init, fan_in, fan_out) == pytest.approx(np.sqrt(variance), rel=1e-15)


def test_the_default_initialisation_is_lecun_and_the_others_scale_the_same_draws():
    default = nn.MLP([5, 4, 3], ["tanh", "identity"], rng=2)
    for init in ["lecun", "xavier", "he", 0.5]:
        other = nn.MLP([5, 4, 3], ["tanh", "identity"], rng=2, init=init)
        for i, (fan_in, fan_out) in enumerate([(5, 4), (4, 3)], start=1):
            ratio = nn.init_std(init, fan_in, fan_out) / nn.init_std("lecun", fan_in, fan_out)
            np.testing.assert_allclose(other.params[f"w{i}"], ratio * default.params[f"w{i}"], rtol=1e-14)
            assert not other.params[f"b{i}"].any()


def test_variance_propagation_that_the_initialisations_are_derived_from():
    """Var(a) = fan_in Var(w) E[x^2] for a = x w (independent weights), and E[relu(a)^2] = Var(a) / 2."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4000, 400)) * 1.7
    for init in ["lecun", "he", 0.05]:
        w = nn.MLP([400, 300], ["relu"], rng=1, init=init).params["w1"]
        a = x @ w
        predicted = 400 * nn.init_std(init, 400, 300) ** 2 * np.mean(x ** 2)
        assert np.mean(a ** 2) == pytest.approx(predicted, rel=0.05)              # sampling error ~ 1 %
        assert np.mean(np.maximum(a, 0) ** 2) == pytest.approx(np.mean(a ** 2) / 2, rel=0.03)


def test_bad_initialisations_are_refused_clearly():
    with pytest.raises(ValueError, match="init must be one of 'lecun', 'xavier', 'he'"):
        nn.MLP([2, 2], ["tanh"], init="glorot")
    with pytest.raises(ValueError, match=r"init must be a finite real number > 0, got -0.1"):
        nn.MLP([2, 2], ["tanh"], init=-0.1)
    with pytest.raises(TypeError, match="init must be one of .* or a fixed standard deviation"):
        nn.MLP([2, 2], ["tanh"], init=None)
    with pytest.raises(TypeError, match="init must be one of"):
        nn.init_std(True, 3, 3)
    with pytest.raises(ValueError, match="fan_in must be >= 1"):
        nn.init_std("he", 0, 3)
