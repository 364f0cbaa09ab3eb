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


# --- the lecture model through the generic layers (conv.py + nn.py) ------------------------

@pytest.mark.parametrize("n_filters", [1, 3])
def test_matrix_form_equals_generic_layer_by_layer_backprop(n_filters):
    from lecture_utils.cnn import lecture_gradients_layerwise
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

from lecture_utils.cnn import (accuracy, confusion_matrix, digit_explorer, inspect_digit,  # noqa: E402
                               lenet_backward, lenet_forward, lenet_init, lenet_input_shape,
                               lenet_loss, lenet_predict_proba, sgd_momentum_update, train_lenet)


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
    assert cache["conv1"].shape == (3, 2, 8, 8) and cache["pool1"].shape == (3, 2, 4, 4)
    assert cache["conv2"].shape == (3, 3, 4, 4) and cache["pool2"].shape == (3, 3, 2, 2)
    assert lenet_input_shape(lenet_init((4, 5), image_size=16)) == (1, 16, 16)


def test_lenet_gradients_match_finite_differences(tiny_net):
    x, labels, params = tiny_net
    _, grads = lenet_loss(x, labels, params)
    assert set(grads) == set(params)
    for name in params:
        def loss_of(z, name=name):
            return lenet_loss(x, labels, {**params, name: z})[0]
        assert rel_error(grads[name], numerical_gradient(loss_of, params[name].copy())) < 1e-7, name


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


def test_momentum_update_closed_form():
    w, g, v = np.array([1.0, -2.0]), np.array([0.5, 1.0]), np.array([0.1, 0.0])
    new_w, new_v = sgd_momentum_update(w, g, v, learning_rate=0.2, momentum=0.9)
    np.testing.assert_allclose(new_v, [0.9 * 0.1 - 0.2 * 0.5, -0.2])
    np.testing.assert_allclose(new_w, [1.0 + 0.09 - 0.1, -2.2])
    plain_w, _ = sgd_momentum_update(w, g, v, learning_rate=0.2, momentum=0.0)
    np.testing.assert_allclose(plain_w, w - 0.2 * g)


def test_momentum_minimises_a_quadratic():
    # f(w) = |w|^2 / 2, gradient w: heavy-ball iterations converge to 0.
    w, v = np.array([3.0, -4.0]), np.zeros(2)
    for _ in range(300):
        w, v = sgd_momentum_update(w, w, v, learning_rate=0.1, momentum=0.9)
    np.testing.assert_allclose(w, 0, atol=1e-6)


def test_training_is_seeded_and_learns_digits(capsys):
    from lecture_utils.data import digits_split
    x_train, y_train, x_test, y_test = digits_split(rng=0)
    kwargs = dict(epochs=2, learning_rate=0.05, rng=0, x_test=x_test, y_test=y_test)
    run = train_lenet(x_train[:400], y_train[:400], **kwargs)
    again = train_lenet(x_train[:400], y_train[:400], verbose=False, **kwargs)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].startswith("epoch  1/2  mean training loss")
    np.testing.assert_array_equal(run.params["w1"], again.params["w1"])
    assert len(run.step_losses) == 2 * 13 and run.epoch_losses[1] < run.epoch_losses[0] < np.log(10) + 0.5
    assert run.test_accuracy[-1] > 0.6  # chance is 0.1
    assert run.test_accuracy[-1] == accuracy(lenet_predict_proba(x_test, run.params), y_test)


def test_training_does_not_modify_the_initial_parameters(tiny_net):
    x, labels, params = tiny_net
    before = {k: v.copy() for k, v in params.items()}
    train_lenet(x, labels, params, epochs=1, verbose=False)
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


def test_explorer_follows_the_slider_headless(tiny_net):
    x, labels, params = tiny_net
    explorer = digit_explorer(x, labels, params)
    assert explorer.result["label"] == 1 and explorer.updates == 1
    explorer.controls["index"].value = 2
    direct = inspect_digit(x, labels, params, 2)
    assert explorer.updates == 2 and explorer.result["label"] == 7
    np.testing.assert_array_equal(explorer.result["probabilities"], direct["probabilities"])
    np.testing.assert_allclose(direct["probabilities"],
                               lenet_predict_proba(x[2:3], params)[0], rtol=1e-12)
    assert direct["conv1"].shape == (2, 8, 8) and direct["conv2"].shape == (3, 4, 4)
    assert explorer._repr_mimebundle_()["text/plain"] == "Digit explorer (index)"


# --- LeNet bad input -----------------------------------------------------------------------

def test_images_of_the_wrong_size_for_lenet(tiny_net):
    _, labels, params = tiny_net
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 8, 8\).*got \(3, 1, 10, 10\)"):
        lenet_forward(np.zeros((3, 1, 10, 10)), params)


@pytest.mark.parametrize("labels, pattern", [
    (np.array([0, 10, 3]), r"labels must lie in 0..9, got \[10\]"),
    (np.array([0, -1, 3]), r"labels must lie in 0..9, got \[-1\]"),
    (np.array([0.0, 1.0, 3.0]), r"labels must be 3 integer classes"),
    (np.array([0, 1]), r"labels must be 3 integer classes, shape \(3,\), got shape \(2,\)"),
])
def test_labels_outside_the_classes_are_rejected(tiny_net, labels, pattern):
    x, _, params = tiny_net
    with pytest.raises(ValueError, match=pattern):
        lenet_loss(x, labels, params)


def test_nan_in_a_batch_stops_training_before_it_starts(tiny_net):
    x, labels, params = tiny_net
    x = x.copy()
    x[1, 0, 4, 4] = np.nan
    with pytest.raises(ValueError, match=r"x contains NaN or infinite values in example\(s\) \[1\]"):
        train_lenet(x, labels, params, verbose=False)


def test_divergence_stops_with_a_clear_error_before_nan_weights(tiny_net):
    x, labels, params = tiny_net
    # Finite but huge images: the first update makes the weights huge too, the next
    # forward pass overflows. Training must say so instead of returning NaN weights.
    with pytest.raises(FloatingPointError, match=r"training stopped at epoch 1, step 1.*learning_rate=0.1"):
        train_lenet(1e160 * x, labels, params, epochs=3, batch_size=2, learning_rate=0.1, verbose=False)


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(momentum=1.0), ValueError, r"momentum must lie in \[0, 1\), got 1.0"),
    (dict(momentum=-0.1), ValueError, "momentum must be finite and >= 0"),
    (dict(learning_rate=0.0), ValueError, "learning_rate must be finite and > 0"),
])
def test_momentum_update_rejects_bad_settings(kwargs, error, pattern):
    args = dict(learning_rate=0.1, momentum=0.9) | kwargs
    with pytest.raises(error, match=pattern):
        sgd_momentum_update(np.ones(2), np.ones(2), np.zeros(2), **args)


def test_momentum_update_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"one shape, got \(2,\), \(3,\) and \(2,\)"):
        sgd_momentum_update(np.ones(2), np.ones(3), np.zeros(2), 0.1)


def test_bad_params_and_settings_are_named(tiny_net):
    x, labels, params = tiny_net
    with pytest.raises(ValueError, match=r"params must be a dict with keys \['w1'"):
        lenet_forward(x, {"w1": params["w1"]})
    with pytest.raises(ValueError, match="image_size must be divisible by 4"):
        lenet_init(image_size=10)
    with pytest.raises(ValueError, match=r"decay must lie in \(0, 1\]"):
        train_lenet(x, labels, params, decay=1.5, verbose=False)
    with pytest.raises(ValueError, match=r"momentum must lie in \[0, 1\), got 1.0"):
        train_lenet(x, labels, params, momentum=1.0, verbose=False)
    with pytest.raises(ValueError, match=r"index must lie in 0..2, got 3"):
        inspect_digit(x, labels, params, 3)


def test_accuracy_and_confusion_reject_bad_labels():
    with pytest.raises(ValueError, match=r"labels must lie in 0..2, got \[3\]"):
        accuracy(np.eye(3), np.array([0, 1, 3]))
    with pytest.raises(ValueError, match=r"labels must lie in 0..3, got \[4\]"):
        confusion_matrix(np.array([0, 1]), np.array([4, 1]), 4)


def test_test_images_need_their_labels(tiny_net):
    x, labels, params = tiny_net
    with pytest.raises(ValueError, match="got only the images"):
        train_lenet(x, labels, params, x_test=x, verbose=False)
    with pytest.raises(ValueError, match="got only the labels"):
        train_lecture_model(np.zeros((2, 5, 5)), np.array([0, 1]), y_test=np.array([0, 1]))


def test_accuracy_closed_form():
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    assert accuracy(probabilities, np.array([0, 1, 1, 1])) == 0.75


# --- opt-in float32 LeNet ----------------------------------------------------------------

def test_lenet_init_dtype_is_float64_by_default_and_float32_rounds_the_same_draws():
    p64, p32 = lenet_init((2, 3), rng=1), lenet_init((2, 3), rng=1, dtype=np.float32)
    for name in p64:
        assert p64[name].dtype == np.float64 and p32[name].dtype == np.float32
        np.testing.assert_array_equal(p32[name], p64[name].astype(np.float32))
    with pytest.raises(ValueError, match="dtype must be np.float64 or np.float32, got"):
        lenet_init(dtype=np.int32)


def test_float32_lenet_forward_and_backward_stay_float32(tiny_net):
    x, labels, _ = tiny_net
    params = lenet_init((2, 3), rng=1, dtype=np.float32)
    scores, cache = lenet_forward(x, params)          # float64 images take the parameters' dtype
    assert scores.dtype == np.float32 and cache["conv1"].dtype == np.float32
    loss, grads = lenet_loss(x, labels, params)
    assert isinstance(loss, float) and all(g.dtype == np.float32 for g in grads.values())
    assert lenet_predict_proba(x, params).dtype == np.float32
    new_w, new_v = sgd_momentum_update(params["w1"], grads["w1"].astype(np.float64),
                                       np.zeros_like(params["w1"]), 0.1)
    assert new_w.dtype == new_v.dtype == np.float32     # the update works in the parameter's dtype


def test_one_float32_epoch_ends_close_to_the_float64_one():
    from lecture_utils.data import digits_split
    x, labels, _, _ = digits_split(rng=0)
    kwargs = dict(epochs=1, rng=0, verbose=False)
    run64 = train_lenet(x, labels, lenet_init(rng=0), **kwargs)
    run32 = train_lenet(x, labels, lenet_init(rng=0, dtype=np.float32), **kwargs)
    # 42 steps of float32 rounding (relative 6e-8 each) stay far below 1e-4 (about 1e-6 measured)
    assert run32.epoch_losses[0] == pytest.approx(run64.epoch_losses[0], rel=1e-4)
    np.testing.assert_allclose(run32.step_losses, run64.step_losses, rtol=1e-4)
    for name, value in run64.params.items():
        assert value.dtype == np.float64 and run32.params[name].dtype == np.float32
        np.testing.assert_allclose(run32.params[name], value, rtol=0, atol=1e-4 * np.abs(value).max())


def test_float64_lenet_is_unchanged_by_float32_images(tiny_net):
    # float64 parameters convert float32 images to float64 first, exactly as before
    x, labels, params = tiny_net
    x32 = x.astype(np.float32)
    run = train_lenet(x32, labels, params, epochs=2, batch_size=2, verbose=False)
    reference = train_lenet(x32.astype(np.float64), labels, params, epochs=2, batch_size=2, verbose=False)
    assert run.step_losses == reference.step_losses
    for name in params:
        assert run.params[name].dtype == np.float64
        np.testing.assert_array_equal(run.params[name], reference.params[name])
