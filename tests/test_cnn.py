"""The lecture's CNN (seed 003) in matrix form: shapes, finite differences, references."""

import numpy as np
import pytest
from scipy.signal import correlate2d

from bad_input import Case, check_refused, expand

from lecture_utils.cnn import (accuracy, confusion_matrix, conv_valid, conv_valid_naive, filter_gradient,
                               lecture_accuracy, lecture_backward, lecture_forward, lecture_gradients,
                               lecture_gradients_layerwise, lecture_init, lecture_loss, lenet_backward,
                               lenet_forward, lenet_init, lenet_input_shape, lenet_loss, lenet_predict_proba,
                               train_lecture_model, train_lenet)
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
    params, run = train_lecture_model(x_train, y_train, learning_rate=0.001, steps=150, rng=0,
                                      X_test=x_test, y_test=y_test)
    test_accuracy = run.metrics["test accuracy"]
    assert len(run.losses) == 151 and len(test_accuracy) == 151
    assert all(a >= b for a, b in zip(run.losses, run.losses[1:]))  # small steps: monotone
    assert run.metrics["training accuracy"][-1] >= 0.9 and test_accuracy[-1] >= 0.8
    assert lecture_accuracy(x_test, y_test, params["f"], params["W"], params["b"]) == test_accuracy[-1]


def test_init_is_seeded_and_sized():
    f1, W1, b1 = lecture_init(3, 22, 3, rng=1)
    f2, W2, _ = lecture_init(3, 22, 3, rng=1)
    assert f1.shape == (3, 3, 3) and W1.shape == (1200, 1) and b1.shape == (1, 1)
    np.testing.assert_array_equal(f1, f2)
    np.testing.assert_array_equal(W1, W2)


# --- the lecture model through the generic layers (conv.py + nn.py) ------------------------

@pytest.mark.parametrize("n_filters", [1, 3])
def test_matrix_form_equals_generic_layer_by_layer_backprop(n_filters):
    rng = np.random.default_rng(10 + n_filters)
    X = rng.standard_normal((100, 22, 22))
    y = rng.integers(0, 2, 100)
    f, W, b = lecture_init(n_filters, 22, 3, rng=n_filters)
    matrix_form = lecture_gradients(X, y, f, W, b)
    layerwise = lecture_gradients_layerwise(X, y, f, W, b)
    assert matrix_form[0] == pytest.approx(layerwise[0], rel=1e-12)
    for ours, generic in zip(matrix_form[1:], layerwise[1:]):
        assert ours.shape == generic.shape
        assert rel_error(ours, generic) < 1e-12


# --- the LeNet-style network ---------------------------------------------------------------

@pytest.fixture
def tiny_net():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 1, 8, 8))
    labels = np.array([1, 4, 7])
    return x, labels, lenet_init((2, 3), rng=1)


def test_lenet_shapes_follow_the_architecture(tiny_net):
    x, _, params = tiny_net
    assert params["w1"].shape == (2, 1, 3, 3) and params["w3"].shape == (12, 10)
    assert lenet_input_shape(params) == (1, 8, 8)
    scores, cache = lenet_forward(x, params)
    assert scores.shape == (3, 10)
    maps = cache.maps
    assert maps["conv1"].shape == (3, 2, 8, 8) and maps["pool1"].shape == (3, 2, 4, 4)
    assert maps["conv2"].shape == (3, 3, 4, 4) and maps["pool2"].shape == (3, 3, 2, 2)
    assert lenet_input_shape(lenet_init((4, 5), image_size=16)) == (1, 16, 16)


def test_lenet_gradients_match_finite_differences(tiny_net):
    x, labels, params = tiny_net
    _, grads = lenet_loss(x, labels, params)
    assert set(grads) == set(params)
    for name in params:
        def loss_of(z, name=name):
            return lenet_loss(x, labels, {**params, name: z})[0]
        assert rel_error(grads[name], numerical_gradient(loss_of, params[name].copy())) < 1e-7, name
    # and the input gradient the contract returns
    scores, cache = lenet_forward(x, params)
    dout = np.random.default_rng(1).standard_normal(scores.shape)
    dx, _ = lenet_backward(dout, cache)
    assert rel_error(dx, numerical_gradient(lambda z: np.sum(lenet_forward(z, params)[0] * dout), x.copy())) < 1e-7


def test_lenet_matches_pytorch_autograd(tiny_net):
    torch = pytest.importorskip("torch")
    x, labels, params = tiny_net
    loss, grads = lenet_loss(x, labels, params)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    h = torch.nn.functional.conv2d(torch.tensor(x), t["w1"], t["b1"], padding=1)
    h = torch.nn.functional.max_pool2d(torch.relu(h), 2)
    h = torch.nn.functional.conv2d(h, t["w2"], t["b2"], padding=1)
    h = torch.nn.functional.max_pool2d(torch.relu(h), 2)
    scores = h.reshape(3, -1) @ t["w3"] + t["b3"]
    reference = torch.nn.functional.cross_entropy(scores, torch.tensor(labels))
    reference.backward()
    assert loss == pytest.approx(reference.item(), rel=1e-12)
    for name in params:
        np.testing.assert_allclose(grads[name], t[name].grad.numpy(), rtol=1e-9, atol=1e-12)


def test_untrained_loss_is_near_log_of_the_class_count():
    # cs231n's sanity check: small random scores give softmax ~ 1/10, loss ~ log(10).
    params = lenet_init(rng=3)
    params["w3"] = params["w3"] * 1e-3
    x = np.random.default_rng(3).random((50, 1, 8, 8))
    loss, _ = lenet_loss(x, np.arange(50) % 10, params)
    assert loss == pytest.approx(np.log(10), abs=1e-3)


def test_training_is_seeded_and_learns_digits(capsys):
    from lecture_utils.data import digits_split
    x_train, y_train, x_test, y_test = digits_split(rng=0)
    kwargs = dict(epochs=2, learning_rate=0.05, rng=0, x_test=x_test, y_test=y_test)
    params, run = train_lenet(x_train[:400], y_train[:400], **kwargs)
    params_again, _ = train_lenet(x_train[:400], y_train[:400], verbose=False, **kwargs)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].startswith("epoch  1/2  mean training loss")
    np.testing.assert_array_equal(params["w1"], params_again["w1"])
    epoch_losses = run.per_epoch()
    assert len(run.step_losses) == 2 * 13 and epoch_losses[1] < epoch_losses[0] < np.log(10) + 0.5
    test_accuracy = run.metrics["test accuracy"]
    assert len(test_accuracy) == 3 and test_accuracy[-1] > 0.6  # chance is 0.1
    assert test_accuracy[-1] == accuracy(lenet_predict_proba(x_test, params), y_test)


def test_training_does_not_modify_the_initial_parameters(tiny_net):
    x, labels, params = tiny_net
    before = {k: v.copy() for k, v in params.items()}
    train_lenet(x, labels, params, epochs=1, batch_size=2, verbose=False)
    for name in params:
        np.testing.assert_array_equal(params[name], before[name])


def test_confusion_matrix_equals_scikit_learn():
    from sklearn.metrics import confusion_matrix as sk_confusion
    rng = np.random.default_rng(4)
    labels, predicted = rng.integers(0, 5, 60), rng.integers(0, 5, 60)
    np.testing.assert_array_equal(confusion_matrix(labels, predicted, 5),
                                  sk_confusion(labels, predicted, labels=range(5)))


def test_extreme_images_give_finite_probabilities(tiny_net):
    x, _, params = tiny_net
    with np.errstate(over="raise", invalid="raise"):  # underflow of exp(-1e4) to 0 is harmless
        p = lenet_predict_proba(1e4 * x, params)
    assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=1), 1)


# --- bad input -----------------------------------------------------------------------------

def test_error_messages_say_what_does_not_fit(tiny_net):
    x, labels, params = tiny_net
    f, W, b = lecture_init(1, 22, 3)
    with pytest.raises(ValueError, match=r"W must have shape \(529, 1\).*25x25 images.*got \(400, 1\)"):
        lecture_forward(np.zeros((4, 25, 25)), f, W, b)
    with pytest.raises(ValueError, match=r"smaller than the filter f \(3x3"):
        conv_valid(np.zeros((2, 2, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"delta must have shape \(N, P, Q\) or \(N, K, P, Q\) with N = 4 as in X"):
        filter_gradient(np.zeros((4, 7, 7)), np.zeros((3, 5, 5)))
    with pytest.raises(ValueError, match=r"y must hold targets in \[0, 1\]"):
        lecture_loss(np.full((1, 3), 0.5), np.array([0, 1, 2]))
    _, cache = lecture_forward(*_small_problem()[:1], *_small_problem()[2:])
    with pytest.raises(ValueError, match=r"dout must have the shape of the forward pass's output, \(1, 5\)"):
        lecture_backward(np.zeros((5, 1)), cache)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 8, 8\).*got shape \(3, 1, 10, 10\)"):
        lenet_forward(np.zeros((3, 1, 10, 10)), params)
    with pytest.raises(ValueError, match=r"labels must lie in 0..9, got \[10\]"):
        lenet_loss(x, np.array([0, 10, 3]), params)
    with pytest.raises(TypeError, match="labels must hold integers"):
        lenet_loss(x, np.array([0.0, 1.0, 3.0]), params)
    with pytest.raises(ValueError, match=r"params must have the keys \['b1', 'b2', 'b3', 'w1', 'w2', 'w3'\]"):
        lenet_forward(x, {"w1": params["w1"]})
    with pytest.raises(ValueError, match="image_size must be divisible by 4"):
        lenet_init(image_size=10)
    with pytest.raises(ValueError, match="got only X_test"):
        train_lecture_model(np.zeros((2, 5, 5)), np.array([0, 1]), X_test=np.zeros((2, 5, 5)))
    with pytest.raises(ValueError, match="got only y_test"):
        train_lenet(x, labels, params, y_test=labels, verbose=False)


def test_nan_in_a_batch_stops_training_before_it_starts(tiny_net):
    x, labels, params = tiny_net
    x = x.copy()
    x[1, 0, 4, 4] = np.nan
    with pytest.raises(ValueError, match=r"x contains NaN or infinite values in example\(s\) \[1\]"):
        train_lenet(x, labels, params, verbose=False)


def test_divergence_stops_training_before_nan_weights(tiny_net, capsys):
    x, labels, params = tiny_net
    # Finite but huge images: the first update makes the weights huge too, the next
    # forward pass overflows. Training must say so instead of returning NaN weights.
    trained, history = train_lenet(1e160 * x, labels, params, epochs=3, batch_size=2, learning_rate=0.1)
    assert history.diverged and "learning_rate=0.1" in history.stop_reason
    assert "training stopped at epoch 1" in capsys.readouterr().out
    assert all(np.all(np.isfinite(v)) for v in trained.values())


X5, F3 = np.random.default_rng(0).standard_normal((4, 6, 6)), np.ones((3, 3))
W16 = np.ones((16, 1))
PARAMS8 = lenet_init((2, 3), rng=1)
TABLE = [
    Case(conv_valid, dict(X=X5, f=F3), {"X": "array", "f": "array"}, skip={"f": ["one axis too many"]}),
    Case(conv_valid_naive, dict(X=X5, f=F3), {"X": "array", "f": "array"}, skip={"f": ["one axis too many"]}),
    Case(filter_gradient, dict(X=X5, delta=np.ones((4, 4, 4))), {"X": "array", "delta": "array"},
         skip={"delta": ["one axis too many"]}),      # (N, K, H', W'): K filters
    Case(lecture_forward, dict(X=X5, f=F3, W=W16, b=np.zeros((1, 1))), {"X": "array", "f": "array", "W": "array"},
         skip={"f": ["one axis too many"]}),
    Case(lecture_loss, dict(O=np.full((1, 4), 0.5), y=np.array([0.0, 1, 1, 0])), {"O": "array", "y": "array"},
         skip={"y": ["one axis too many"]}),           # (1, N) is accepted as well as (N,)
    Case(lecture_init, dict(n_filters=1, image_size=6, filter_size=3, rng=0),
         {"n_filters": "count", "image_size": "count", "filter_size": "count", "rng": "seed"}),
    Case(train_lecture_model, dict(X=X5, y=np.array([0.0, 1, 1, 0]), n_filters=1, learning_rate=0.01, steps=1, rng=0),
         {"X": "array", "y": "array", "n_filters": "count", "learning_rate": "positive", "steps": "count",
          "rng": "seed"}),
    Case(lenet_init, dict(n_filters=(2, 3), n_classes=10, image_size=8, rng=0),
         {"n_classes": "count", "image_size": "count", "rng": "seed"}),
    Case(lenet_forward, dict(x=np.ones((3, 1, 8, 8)), params=PARAMS8), {"x": "array"}),
    Case(lenet_loss, dict(x=np.ones((3, 1, 8, 8)), labels=np.array([0, 1, 2]), params=PARAMS8), {"x": "array"}),
    Case(lenet_predict_proba, dict(x=np.ones((3, 1, 8, 8)), params=PARAMS8, batch_size=2),
         {"x": "array", "batch_size": "count"}, skip={"batch_size": ["an absurd size"]}),   # any batch size works
    Case(train_lenet, dict(x=np.ones((3, 1, 8, 8)), labels=np.array([0, 1, 2]), params=PARAMS8, epochs=1,
                           batch_size=2, learning_rate=0.01, momentum=0.9, decay=0.9, rng=0, verbose=False),
         {"x": "array", "epochs": "count", "batch_size": "count", "learning_rate": "positive", "momentum": "real",
          "decay": "positive", "rng": "seed", "verbose": "flag"}),
    Case(accuracy, dict(probabilities=np.eye(3), labels=np.array([0, 1, 2])), {"probabilities": "array"}),
    Case(confusion_matrix, dict(labels=np.array([0, 1]), predicted=np.array([1, 1]), n_classes=3),
         {"n_classes": "count"}),
]
PARAMS, IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_clearly(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)


def test_accuracy_closed_form():
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    assert accuracy(probabilities, np.array([0, 1, 1, 1])) == 0.75


# --- honest evaluation: validation runs, Wilson intervals, the baseline, the Gaussian-derivative share ----

from scipy.optimize import minimize  # noqa: E402
from scipy.stats import binomtest, norm  # noqa: E402

from lecture_utils.baselines import logistic_baseline  # noqa: E402
from lecture_utils.cnn import (gaussian_derivative_share, lecture_validation_run, lenet_validation_run,  # noqa: E402
                               wilson_interval)
from lecture_utils.steerable import gaussian_derivative_kernels, steer  # noqa: E402

Z95 = float(norm.ppf(0.975))


@pytest.mark.parametrize("k, n", [(0, 10), (3, 10), (10, 10), (94, 100), (432, 450), (1, 1)])
def test_wilson_interval_equals_scipy_and_contains_the_estimate(k, n):
    low, high = wilson_interval(k, n, z=Z95)
    reference = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert low == pytest.approx(reference.low, abs=1e-12) and high == pytest.approx(reference.high, abs=1e-12)
    assert 0 <= low <= k / n <= high <= 1


def test_wilson_interval_closed_forms_at_the_ends():
    # k = n: the quadratic's roots are n / (n + z^2) and 1; k = 0 mirrors it.
    n, z = 100, 1.96
    assert wilson_interval(n, n, z) == (pytest.approx(n / (n + z * z), abs=1e-15), pytest.approx(1.0, abs=1e-15))
    assert wilson_interval(0, n, z) == (pytest.approx(0.0, abs=1e-15), pytest.approx(z * z / (n + z * z), abs=1e-15))
    # the example of the notebooks' printed lines
    low, high = wilson_interval(432, 450)
    assert (round(100 * low, 1), round(100 * high, 1)) == (93.8, 97.5)


def test_wilson_interval_refuses_more_successes_than_trials():
    with pytest.raises(ValueError, match="k must be at most n: k = 11 correct answers out of n = 10"):
        wilson_interval(11, 10)


def _newton_logistic(x, y, C, steps=50):
    """Binary L2 logistic regression, ||w||^2 / 2 + C sum log(1 + exp(-s (x w + b))), intercept unpenalised."""
    design = np.hstack([x, np.ones((len(x), 1))])
    theta = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) / C
    penalty[-1, -1] = 0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-design @ theta))
        gradient = design.T @ (p - y) + penalty @ theta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        theta -= np.linalg.solve(hessian, gradient)
    return theta


def test_logistic_baseline_predicts_like_newtons_method_on_the_same_objective():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((60, 2, 3))
    truth = rng.standard_normal(6)
    y = (x.reshape(60, -1) @ truth + 0.5 * rng.standard_normal(60) > 0).astype(int)
    x_new = rng.standard_normal((40, 2, 3))
    for C in (0.01, 1.0, 10.0):
        theta = _newton_logistic(x.reshape(60, -1), y, C)
        scores = x_new.reshape(40, -1) @ theta[:-1] + theta[-1]
        assert np.min(np.abs(scores)) > 1e-6                   # no point on the boundary to argue about
        np.testing.assert_array_equal(logistic_baseline(x, y, x_new, C), (scores > 0).astype(int))


def test_logistic_baseline_with_several_classes_is_the_softmax_minimum():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((90, 4))
    y = np.repeat([0, 1, 2], 30)
    x[y == 1] += 1.5
    x[y == 2] -= 1.5
    C = 0.5

    def cost(theta):   # ||w||^2 / 2 + C * sum of cross-entropies, intercepts unpenalised
        w, b = theta[:12].reshape(4, 3), theta[12:]
        s = x @ w + b
        s = s - s.max(axis=1, keepdims=True)
        log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        return 0.5 * np.sum(w * w) - C * np.sum(log_p[np.arange(90), y])

    theta = minimize(cost, np.zeros(15), method="BFGS", options={"gtol": 1e-10}).x
    x_new = rng.standard_normal((50, 4)) * 2
    expected = np.argmax(x_new @ theta[:12].reshape(4, 3) + theta[12:], axis=1)
    np.testing.assert_array_equal(logistic_baseline(x, y, x_new, C), expected)


def test_logistic_baseline_refuses_mismatched_images_and_one_class():
    x, y = np.ones((4, 2, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"x_eval's examples must have the shape of x_fit's, \(2, 2\), got \(4,\)"):
        logistic_baseline(x, y, np.ones((3, 4)))
    with pytest.raises(ValueError, match="y_fit must hold at least two classes"):
        logistic_baseline(x, np.zeros(4, dtype=int), x)


def test_lecture_validation_run_keeps_what_train_lecture_model_reaches_at_every_step():
    X, y, *_ = _small_problem(n=6, size=6)
    X_val, y_val = X[:3] + 0.1, y[:3]
    run = lecture_validation_run(X, y, X_val, y_val, n_filters=2, learning_rate=0.05, steps=4, rng=3)
    assert len(run.params) == 5 and len(run.history.metrics["validation accuracy"]) == 5
    for t in (0, 2, 4):
        params, history = train_lecture_model(X, y, n_filters=2, learning_rate=0.05, steps=t, rng=3)
        for name in ("f", "W", "b"):
            np.testing.assert_array_equal(run.params[t][name], params[name])
        assert run.history.losses[:t + 1] == history.losses
        p = run.params[t]
        assert run.history.metrics["validation accuracy"][t] == lecture_accuracy(X_val, y_val, p["f"], p["W"], p["b"])


def test_lenet_validation_run_keeps_what_train_lenet_reaches_after_every_epoch():
    rng = np.random.default_rng(2)
    x, labels = rng.standard_normal((12, 1, 8, 8)), rng.integers(0, 10, 12)
    x_val, y_val = rng.standard_normal((5, 1, 8, 8)), rng.integers(0, 10, 5)
    start = lenet_init((2, 3), rng=1)
    kwargs = dict(batch_size=4, learning_rate=0.05, momentum=0.9, decay=0.8, rng=0)
    run = lenet_validation_run(x, labels, x_val, y_val, params=start, epochs=3, **kwargs)
    assert len(run.params) == 4
    for e in (1, 3):
        params, _ = train_lenet(x, labels, params=start, epochs=e, verbose=False, **kwargs)
        for name in params:
            np.testing.assert_array_equal(run.params[e][name], params[name])
        expected = accuracy(lenet_predict_proba(x_val, params), y_val)
        assert run.history.metrics["validation accuracy"][e] == expected
    for name in start:                                   # the starting parameters are not modified
        np.testing.assert_array_equal(run.params[0][name], start[name])


def test_gaussian_derivative_share_is_one_on_the_span_and_steers():
    g, g_x, g_y = gaussian_derivative_kernels(1.0, 3)
    angle = 0.7
    bank = np.stack([g, g_x, 2 * g - 3 * steer(g_x, g_y, angle)])
    result = gaussian_derivative_share(bank)
    np.testing.assert_allclose(result["share"], 1.0, atol=1e-12)
    np.testing.assert_allclose(result["fit"], bank, atol=1e-12)
    np.testing.assert_allclose(result["coefficients"][2], [2, -3 * np.cos(angle), -3 * np.sin(angle)], atol=1e-10)
    assert result["angle"][2] == pytest.approx(angle - np.pi)           # -3 (cos a, sin a) points the other way


def test_gaussian_derivative_share_is_zero_off_the_span_and_a_third_for_random_filters():
    basis = np.array(gaussian_derivative_kernels(1.0, 3)).reshape(3, 9)
    orthogonal = np.linalg.svd(basis)[2][3:].reshape(6, 3, 3)          # the span's orthogonal complement
    np.testing.assert_allclose(gaussian_derivative_share(orthogonal)["share"], 0.0, atol=1e-12)
    shares = gaussian_derivative_share(np.random.default_rng(0).standard_normal((4000, 3, 3)))["share"]
    assert shares.mean() == pytest.approx(1 / 3, abs=0.01)             # 3 of 9 dimensions
    assert gaussian_derivative_share(np.eye(3))["share"].shape == (1,)   # one filter as an (R, R) array


def test_gaussian_derivative_share_refuses_an_empty_filter():
    with pytest.raises(ValueError, match=r"filters \[1\] are all zeros"):
        gaussian_derivative_share(np.stack([np.eye(3), np.zeros((3, 3))]))


X6 = np.random.default_rng(0).standard_normal((4, 6, 6))
EVALUATION_TABLE = [
    Case(wilson_interval, dict(k=3, n=10, z=1.96), {"k": "count", "n": "count", "z": "positive"}),
    Case(logistic_baseline, dict(x_fit=X6, y_fit=np.array([0, 1, 0, 1]), x_eval=X6[:2], C=1.0),
         {"x_fit": "array", "x_eval": "array", "C": "positive"}),
    Case(lecture_validation_run, dict(X=X6, y=np.array([0.0, 1, 1, 0]), X_val=X6[:2], y_val=np.array([0.0, 1]),
                                      n_filters=1, learning_rate=0.01, steps=1, rng=0),
         {"X": "array", "y": "array", "X_val": "array", "y_val": "array", "n_filters": "count",
          "learning_rate": "positive", "steps": "count", "rng": "seed"}),
    Case(lenet_validation_run, dict(x=np.ones((3, 1, 8, 8)), labels=np.array([0, 1, 2]), x_val=np.ones((2, 1, 8, 8)),
                                    y_val=np.array([0, 1]), params=PARAMS8, epochs=1, batch_size=2,
                                    learning_rate=0.01, momentum=0.9, decay=0.9, rng=0),
         {"x": "array", "x_val": "array", "epochs": "count", "batch_size": "count", "learning_rate": "positive",
          "momentum": "real", "decay": "positive", "rng": "seed"}),
    Case(gaussian_derivative_share, dict(filters=np.ones((2, 3, 3)), sigma=1.0), {"filters": "array", "sigma": "positive"},
         skip={"filters": ["one axis too few"]}),  # (R, R): one filter
]
EVALUATION_PARAMS, EVALUATION_IDS = expand(EVALUATION_TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", EVALUATION_PARAMS, ids=EVALUATION_IDS)
def test_bad_input_to_the_evaluation_is_refused_clearly(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
