"""lecture_utils.fast.cnn: the fast LeNet path equals the lecture's in float64; float32 stays close."""

import numpy as np
import pytest

from lecture_utils import cnn
from lecture_utils.data import digits_split
from lecture_utils.fast import cnn as fast
from bad_input import Case, check_refused, expand


@pytest.fixture(scope="module")
def digits():
    x, labels, x_test, y_test = digits_split(rng=0)
    return x[:300], labels[:300], x_test[:100], y_test[:100]


def test_loss_and_gradients_equal_the_lecture_network():
    rng = np.random.default_rng(0)
    x, labels = rng.standard_normal((5, 1, 8, 8)), np.array([1, 4, 7, 0, 9])
    params = cnn.lenet_init((4, 6), rng=1)
    loss, grads = fast.lenet_loss(x, labels, params)
    loss_ref, grads_ref = cnn.lenet_loss(x, labels, params)
    assert loss == pytest.approx(loss_ref, rel=1e-13)
    for name in params:
        np.testing.assert_allclose(grads[name], grads_ref[name], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(fast.lenet_predict_proba(x, params), cnn.lenet_predict_proba(x, params),
                               rtol=1e-12)


def test_training_equals_the_lecture_training_in_float64(digits):
    x, labels, x_test, y_test = digits
    kwargs = dict(epochs=2, batch_size=32, learning_rate=0.05, rng=0, x_test=x_test, y_test=y_test, verbose=False)
    params, history = fast.train_lenet(x, labels, cnn.lenet_init(rng=0), **kwargs)
    params_ref, history_ref = cnn.train_lenet(x, labels, cnn.lenet_init(rng=0), **kwargs)
    for name in params:
        np.testing.assert_allclose(params[name], params_ref[name], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(history.step_losses, history_ref.step_losses, rtol=1e-12)
    assert history.metrics == history_ref.metrics


def test_lenet_init_float32_rounds_the_same_draws():
    p64, p32 = fast.lenet_init((2, 3), rng=1), fast.lenet_init((2, 3), rng=1, dtype=np.float32)
    for name in p64:
        assert p64[name].dtype == np.float64 and p32[name].dtype == np.float32
        np.testing.assert_array_equal(p32[name], p64[name].astype(np.float32))
    with pytest.raises(ValueError, match="dtype must be one of"):
        fast.lenet_init(dtype=np.int32)


def test_float32_network_stays_float32():
    rng = np.random.default_rng(2)
    x, labels = rng.standard_normal((3, 1, 8, 8)), np.array([1, 4, 7])
    params = fast.lenet_init((2, 3), rng=1, dtype=np.float32)
    loss, grads = fast.lenet_loss(x, labels, params)      # float64 images take the parameters' precision
    assert isinstance(loss, float) and all(g.dtype == np.float32 for g in grads.values())
    assert fast.lenet_predict_proba(x, params).dtype == np.float32


def test_one_float32_epoch_ends_close_to_the_float64_one(digits):
    x, labels, _, _ = digits
    kwargs = dict(epochs=1, rng=0, verbose=False)
    params64, run64 = fast.train_lenet(x, labels, fast.lenet_init(rng=0), **kwargs)
    params32, run32 = fast.train_lenet(x, labels, fast.lenet_init(rng=0, dtype=np.float32), **kwargs)
    # 10 steps of float32 rounding (relative 6e-8 each) stay far below 1e-4
    np.testing.assert_allclose(run32.step_losses, run64.step_losses, rtol=1e-4)
    for name, value in params64.items():
        assert value.dtype == np.float64 and params32[name].dtype == np.float32
        np.testing.assert_allclose(params32[name], value, rtol=0, atol=1e-4 * np.abs(value).max())


def test_the_fast_path_checks_its_arguments_once_at_the_boundary():
    params = fast.lenet_init((2, 3), rng=1)
    x = np.zeros((3, 1, 8, 8))
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 8, 8\)"):
        fast.lenet_loss(np.zeros((3, 1, 10, 10)), np.array([0, 1, 2]), params)
    with pytest.raises(ValueError, match=r"labels must lie in 0..9"):
        fast.train_lenet(x, np.array([0, 1, 12]), params, verbose=False)
    with pytest.raises(ValueError, match="x contains NaN"):
        fast.train_lenet(np.full((3, 1, 8, 8), np.nan), np.array([0, 1, 2]), params, verbose=False)
    with pytest.raises(ValueError, match="learning_rate must be a finite real number > 0"):
        fast.train_lenet(x, np.array([0, 1, 2]), params, learning_rate=-1, verbose=False)


def _faces_problem():
    from lecture_utils.data import faces_lecture_split, validation_split
    x_train, y_train, _, _ = faces_lecture_split(rng=0)
    return validation_split(x_train, y_train, fraction=0.2, rng=0)


@pytest.mark.parametrize("n_filters, loss, weight_decay", [(1, "squared", 0.0), (3, "squared", 0.0),
                                                          (3, "cross_entropy", 0.0), (1, "cross_entropy", 0.3),
                                                          (3, "squared", 1.0)])
def test_lecture_validation_run_equals_the_lecture_run(n_filters, loss, weight_decay):
    x_fit, y_fit, x_val, y_val = _faces_problem()
    kwargs = dict(n_filters=n_filters, learning_rate=0.003, steps=25, rng=1, loss=loss, weight_decay=weight_decay)
    ours = fast.lecture_validation_run(x_fit, y_fit, x_val, y_val, **kwargs)
    ref = cnn.lecture_validation_run(x_fit, y_fit, x_val, y_val, **kwargs)
    assert_same_run(ours, ref, ours.history.losses, ref.history.losses)


@pytest.mark.parametrize("loss, weight_decay", [("squared", 0.0), ("cross_entropy", 0.5)])
def test_train_lecture_model_equals_the_lecture_training(loss, weight_decay):
    x_fit, y_fit, _, _ = _faces_problem()
    kwargs = dict(n_filters=3, learning_rate=0.003, steps=20, rng=2, loss=loss, weight_decay=weight_decay)
    params, history = fast.train_lecture_model(x_fit, y_fit, **kwargs)
    params_ref, history_ref = cnn.train_lecture_model(x_fit, y_fit, **kwargs)
    np.testing.assert_allclose(history.losses, history_ref.losses, rtol=1e-12)
    assert history.metrics == history_ref.metrics
    for name in params_ref:
        np.testing.assert_allclose(params[name], params_ref[name], rtol=1e-11, atol=1e-14)


def test_the_fast_sigmoid_equals_the_lecture_sigmoid():
    # Two formulas for negative a (1 / (1 + exp(-a)) here, exp(a) / (1 + exp(a)) in the lecture), each an exp and
    # two roundings: a few units in the last place apart (2 seen, with NumPy 2.4 and 1.24's AVX-512 exp; 4e-16
    # relative, the old bound, is less than 2 units at the bottom of a binade). Below 1e-300, subnormal, ours is 0.
    a = np.r_[np.linspace(-800, 800, 4001), -1e6, 1e6, 0.0]
    ours, lecture = fast._sigmoid_three_passes(a), cnn.sigmoid(a)
    normal = lecture > 1e-300
    np.testing.assert_array_max_ulp(ours[normal], lecture[normal], maxulp=4)
    assert np.all(ours[~normal] < 1e-300) and np.any(~normal)


def test_the_windows_matrix_is_the_lecture_convolution():
    X = np.random.default_rng(3).standard_normal((4, 7, 6))
    f = np.random.default_rng(4).standard_normal((2, 3, 3))
    rows = fast._patches(X, 3, 3) @ f.reshape(2, -1).T                        # (N P Q, K)
    np.testing.assert_allclose(rows.reshape(4, 5, 4, 2).transpose(0, 3, 1, 2), cnn.conv_valid(X, f), rtol=1e-13)


def assert_same_run(ours, ref, our_losses, ref_losses):
    """Two ValidationRuns agree: losses to 1e-12, validation accuracies exactly, parameters after every step."""
    np.testing.assert_allclose(our_losses, ref_losses, rtol=1e-12)
    assert set(ours.history.metrics) == set(ref.history.metrics)
    for name, values in ref.history.metrics.items():
        if name == "validation accuracy":
            assert ours.history.metrics[name] == values
        else:
            np.testing.assert_allclose(ours.history.metrics[name], values, rtol=1e-12)
    for p, q in zip(ours.params, ref.params, strict=True):
        for name in q:
            np.testing.assert_allclose(p[name], q[name], rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("pool", [2, 1])
def test_lenet_validation_run_equals_the_lecture_run(digits, pool):
    x, labels, x_val, y_val = digits
    kwargs = dict(params=cnn.lenet_init(rng=0, pool=pool), epochs=2, learning_rate=0.05, rng=0, pool=pool)
    ours = fast.lenet_validation_run(x, labels, x_val, y_val, **kwargs)
    ref = cnn.lenet_validation_run(x, labels, x_val, y_val, **kwargs)
    assert_same_run(ours, ref, ours.history.step_losses, ref.history.step_losses)


def test_the_network_without_pooling_equals_the_lecture_network():
    rng = np.random.default_rng(5)
    x, labels = rng.standard_normal((5, 1, 8, 8)), np.array([1, 4, 7, 0, 9])
    params = cnn.lenet_init((3, 4), rng=1, pool=1)
    assert params["w3"].shape == (4 * 8 * 8, 10)                               # the maps keep their 8 x 8
    loss, grads = fast.lenet_loss(x, labels, params, pool=1)
    loss_ref, grads_ref = cnn.lenet_loss(x, labels, params, pool=1)
    assert loss == pytest.approx(loss_ref, rel=1e-13)
    for name in params:
        np.testing.assert_allclose(grads[name], grads_ref[name], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(fast.lenet_predict_proba(x, params, pool=1), cnn.lenet_predict_proba(x, params, pool=1),
                               rtol=1e-12)


def test_fast_validation_runs_check_their_arguments():
    x_fit, y_fit, x_val, y_val = _faces_problem()
    with pytest.raises(ValueError, match="steps"):
        fast.lecture_validation_run(x_fit, y_fit, x_val, y_val, steps=-1)
    with pytest.raises(ValueError, match="y must hold targets in"):
        fast.lecture_validation_run(x_fit, y_fit + 2, x_val, y_val)
    with pytest.raises(ValueError, match="learning_rate"):
        fast.lenet_validation_run(np.zeros((2, 1, 8, 8)), [0, 1], np.zeros((1, 1, 8, 8)), [0], learning_rate=0)


X6 = np.random.default_rng(0).standard_normal((4, 6, 6))
PARAMS8 = cnn.lenet_init((2, 3), rng=0)
VALIDATION_TABLE = [
    Case(fast.lecture_validation_run, dict(X=X6, y=np.array([0.0, 1, 1, 0]), X_val=X6[:2], y_val=np.array([0.0, 1]),
                                           n_filters=1, learning_rate=0.01, steps=1, rng=0),
         {"X": "array", "y": "array", "X_val": "array", "y_val": "array", "n_filters": "count",
          "learning_rate": "positive", "steps": "count", "rng": "seed"}),
    Case(fast.lenet_validation_run, dict(x=np.ones((3, 1, 8, 8)), labels=np.array([0, 1, 2]),
                                         x_val=np.ones((2, 1, 8, 8)), y_val=np.array([0, 1]), params=PARAMS8,
                                         epochs=1, batch_size=2, learning_rate=0.01, momentum=0.9, decay=0.9, rng=0),
         {"x": "array", "x_val": "array", "epochs": "count", "batch_size": "count", "learning_rate": "positive",
          "momentum": "real", "decay": "positive", "rng": "seed"}),
]
VALIDATION_PARAMS, VALIDATION_IDS = expand(VALIDATION_TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", VALIDATION_PARAMS, ids=VALIDATION_IDS)
def test_bad_input_to_the_fast_validation_runs_is_refused_clearly(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
