"""lecture_utils.fast.cnn: the fast LeNet path equals the lecture's in float64; float32 stays close."""

import numpy as np
import pytest

from lecture_utils import cnn
from lecture_utils.data import digits_split
from lecture_utils.fast import cnn as fast


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
