"""lecture_utils.fast.nn: many small MLPs trained side by side equal train_sgd, run by run."""

import numpy as np
import pytest

from lecture_utils import nn
from lecture_utils.fast import nn as fast
from bad_input import Case, check_refused, expand

X_XOR = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
Y_XOR = np.array([[0], [1], [1], [0]], dtype=float)
X_SIN = np.sort(np.random.default_rng(7).uniform(-1, 1, 50))[:, None]
Y_SIN = np.sin(np.pi * X_SIN)


def _reference(sizes, activations, init_seed, x, y, **kwargs):
    model = nn.MLP(sizes, activations, rng=init_seed)
    history = nn.train_sgd(model, x, y, **kwargs)
    return model.params, history


def test_xor_from_twenty_seeds_equals_twenty_train_sgd_runs():
    sizes, activations = [2, 2, 1], ["tanh", "sigmoid"]
    starts = [nn.MLP(sizes, activations, rng=s).params for s in range(20)]
    runs = fast.train_sgd_many(nn.MLP(sizes, activations), starts, X_XOR, Y_XOR, 2.0, epochs=300, seeds=range(20))
    assert runs.losses.shape == (20, 301) and not runs.diverged.any()
    for s in range(20):
        params, history = _reference(sizes, activations, s, X_XOR, Y_XOR, learning_rate=2.0, epochs=300, rng=s)
        np.testing.assert_allclose(runs.losses[s], history.losses, rtol=1e-12, atol=1e-15)
        for name in params:
            np.testing.assert_allclose(runs.params[s][name], params[name], rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("batch_size", [1, 10, 32, 50])
def test_mini_batches_at_several_rates_equal_train_sgd_including_divergence(batch_size):
    sizes, activations = [1, 3, 1], ["tanh", "identity"]
    rates = [0.1, 0.2, 0.4, 0.8]
    starts = [nn.MLP(sizes, activations, rng=3).params for _ in rates]
    runs = fast.train_sgd_many(nn.MLP(sizes, activations), starts, X_SIN, Y_SIN, np.array(rates),
                               batch_size=batch_size, epochs=40, seeds=[3] * 4)
    for j, rate in enumerate(rates):
        params, history = _reference(sizes, activations, 3, X_SIN, Y_SIN, learning_rate=rate,
                                     batch_size=batch_size, epochs=40, rng=3)
        assert runs.diverged[j] == history.diverged
        kept = len(history.losses)
        np.testing.assert_allclose(runs.losses[j, :kept], history.losses, rtol=1e-10)
        assert np.all(np.isnan(runs.losses[j, kept:]))
        for name in params:                      # a diverged run keeps its last finite parameters
            np.testing.assert_allclose(runs.params[j][name], params[name], rtol=1e-9, atol=1e-12)
    assert batch_size > 1 or runs.diverged.tolist() == [False, False, True, True]


def test_relu_and_deeper_networks_equal_train_sgd():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((12, 3)), rng.standard_normal((12, 2))
    sizes, activations = [3, 4, 5, 2], ["relu", "tanh", "identity"]
    starts = [nn.MLP(sizes, activations, rng=s, init=init).params for s, init in [(0, "he"), (1, "xavier")]]
    runs = fast.train_sgd_many(nn.MLP(sizes, activations), starts, x, y, [0.05, 0.1], batch_size=5, epochs=10,
                               seeds=[4, 5])
    for j, (s, init, rate, shuffle_seed) in enumerate([(0, "he", 0.05, 4), (1, "xavier", 0.1, 5)]):
        model = nn.MLP(sizes, activations, rng=s, init=init)
        history = nn.train_sgd(model, x, y, learning_rate=rate, batch_size=5, epochs=10, rng=shuffle_seed)
        np.testing.assert_allclose(runs.losses[j], history.losses, rtol=1e-12)


def test_the_runs_do_not_touch_their_inputs_or_the_model():
    model = nn.MLP([2, 2, 1], ["tanh", "sigmoid"], rng=9)
    before = {k: v.copy() for k, v in model.params.items()}
    starts = [nn.MLP([2, 2, 1], ["tanh", "sigmoid"], rng=s).params for s in range(3)]
    copies = [{k: v.copy() for k, v in p.items()} for p in starts]
    fast.train_sgd_many(model, starts, X_XOR, Y_XOR, 1.0, epochs=5, seeds=range(3))
    for p, q in zip(starts + [model.params], copies + [before]):
        for k in q:
            np.testing.assert_array_equal(p[k], q[k])


def test_clear_errors():
    model = nn.MLP([2, 2, 1], ["tanh", "sigmoid"])
    start = [model.params]
    with pytest.raises(TypeError, match="params must be a non-empty list of parameter dicts"):
        fast.train_sgd_many(model, model.params, X_XOR, Y_XOR, 1.0, seeds=[0])
    with pytest.raises(ValueError, match="seeds must give one seed per run"):
        fast.train_sgd_many(model, start * 2, X_XOR, Y_XOR, 1.0, seeds=[0])
    with pytest.raises(ValueError, match="learning_rates must be > 0"):
        fast.train_sgd_many(model, start, X_XOR, Y_XOR, -1.0, seeds=[0])
    with pytest.raises(ValueError, match=r"params\['w1'\] must have shape \(2, 2\)"):
        fast.train_sgd_many(model, [{**model.params, "w1": np.ones((3, 2))}], X_XOR, Y_XOR, 1.0, seeds=[0])
    with pytest.raises(ValueError, match="activations must be among"):
        fast.train_sgd_many(nn.MLP([2, 2, 1], ["leaky_relu", "sigmoid"]), start, X_XOR, Y_XOR, 1.0, seeds=[0])
    with pytest.raises(ValueError, match="batch_size must be at most the number of examples N = 4"):
        fast.train_sgd_many(model, start, X_XOR, Y_XOR, 1.0, batch_size=5, seeds=[0])


MODEL = nn.MLP([2, 2, 1], ["tanh", "sigmoid"])
TABLE = [Case(fast.train_sgd_many, dict(model=MODEL, params=[MODEL.params], x=X_XOR, y=Y_XOR, learning_rates=1.0,
                                        batch_size=2, epochs=2, seeds=[0]),
              {"x": "array", "y": "array", "batch_size": "count", "epochs": "count"},
              skip={"batch_size": ["None"], "seeds": ["None"]})]      # None: the full batch; seeds 0 to S - 1
PARAMS, IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_clearly(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
