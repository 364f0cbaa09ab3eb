"""lecture_utils.optim: the update rules against hand-written arithmetic, the one loop's bookkeeping."""

import numpy as np
import pytest
from bad_input import Case, check_refused, expand

from lecture_utils.linear import linear_loss
from lecture_utils.optim import History, fit_bfgs, momentum_step, sgd_step, train


def test_sgd_step_is_theta_minus_eta_gradient_and_leaves_inputs_alone():
    params = {"w1": np.array([[1.0, 2.0]]), "b1": np.array([0.5, -0.5])}
    grads = {"w1": np.array([[10.0, -10.0]]), "b1": np.array([1.0, 2.0])}
    new = sgd_step(params, grads, 0.1)
    np.testing.assert_allclose(new["w1"], [[0.0, 3.0]])
    np.testing.assert_allclose(new["b1"], [0.4, -0.7])
    np.testing.assert_array_equal(params["w1"], [[1.0, 2.0]])


def test_momentum_step_by_hand_and_its_two_limits():
    p, g, v = {"w": np.array([1.0, -1.0])}, {"w": np.array([2.0, 4.0])}, {"w": np.array([0.5, 0.0])}
    new, velocity = momentum_step(p, g, v, learning_rate=0.1, momentum=0.9)
    np.testing.assert_allclose(velocity["w"], [0.9 * 0.5 - 0.2, -0.4])
    np.testing.assert_allclose(new["w"], [1.0 + 0.25, -1.4])
    plain, _ = momentum_step(p, g, v, learning_rate=0.1, momentum=0.0)          # mu = 0: plain descent
    np.testing.assert_array_equal(plain["w"], sgd_step(p, g, 0.1)["w"])
    assert v["w"].tolist() == [0.5, 0.0]                                          # inputs untouched


def quadratic(params, x, y):
    """0.5 * mean((x w - y)^2) over the batch: a convex cost with a known minimiser."""
    r = x @ params["w"] - y
    return 0.5 * float(np.mean(r ** 2)), {"w": x.T @ r / len(x)}


@pytest.fixture
def regression():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20, 3))
    return x, x @ np.array([1.0, -2.0, 0.5])


def test_full_batch_training_is_plain_gradient_descent_with_one_cost_per_step(regression):
    x, y = regression
    calls = []

    def counted(params, xb, yb):
        calls.append(len(xb))
        return quadratic(params, xb, yb)

    params, history = train(counted, {"w": np.zeros(3)}, x, y, learning_rate=0.5, epochs=4, shuffle=False)
    w = np.zeros(3)
    costs = []
    for _ in range(4):
        cost, g = quadratic({"w": w}, x, y)
        costs.append(cost)
        w = w - 0.5 * g["w"]
    costs.append(quadratic({"w": w}, x, y)[0])
    np.testing.assert_array_equal(params["w"], w)
    assert history.losses == costs and history.step_losses == costs[:-1]
    assert calls == [20] * 5          # the batch cost is reused as the epoch's cost: 4 steps + the final one


def test_mini_batches_visit_every_example_once_per_epoch_in_a_seeded_order(regression):
    x, y = regression
    seen = []

    def recording(params, xb, yb):
        seen.append(xb.copy())
        return quadratic(params, xb, yb)

    _, history = train(recording, {"w": np.zeros(3)}, x, y, learning_rate=0.1, epochs=2, batch_size=6,
                       rng=3, full_loss=False)
    assert history.updates_per_epoch == 4 and [len(b) for b in seen] == [6, 6, 6, 2] * 2
    first_epoch = np.concatenate(seen[:4])
    order = np.random.default_rng(3).permutation(20)
    np.testing.assert_array_equal(first_epoch, x[order])
    assert len(history.step_losses) == 8 and history.losses == []


def test_momentum_and_decay_follow_the_written_recurrence(regression):
    x, y = regression
    params, _ = train(quadratic, {"w": np.zeros(3)}, x, y, learning_rate=0.2, epochs=3, momentum=0.5,
                      decay=0.5, shuffle=False)
    w, v = np.zeros(3), np.zeros(3)
    for epoch in range(3):
        g = quadratic({"w": w}, x, y)[1]["w"]
        v = 0.5 * v - 0.2 * 0.5 ** epoch * g
        w = w + v
    np.testing.assert_allclose(params["w"], w, rtol=1e-15)


def test_gradient_descent_reaches_the_least_squares_solution(regression):
    x, y = regression
    params, history = train(quadratic, {"w": np.zeros(3)}, x, y, learning_rate=0.5, epochs=300)
    np.testing.assert_allclose(params["w"], np.linalg.lstsq(x, y, rcond=None)[0], atol=1e-10)
    assert history.losses[-1] < 1e-20 and not history.diverged


def test_divergence_stops_before_the_bad_update_and_keeps_finite_parameters(regression):
    x, y = regression
    with np.errstate(all="raise"):
        params, history = train(quadratic, {"w": np.zeros(3)}, 10 * x, y, learning_rate=5.0, epochs=100)
    assert history.diverged and "exceeds 1e+12" in history.stop_reason and "learning_rate=5" in history.stop_reason
    assert np.all(np.isfinite(params["w"])) and len(history.losses) < 101


def test_a_nan_loss_or_gradient_stops_training(regression):
    x, y = regression

    def poisoned(params, xb, yb):
        cost, grads = quadratic(params, xb, yb)
        return cost, {"w": grads["w"] * np.nan}

    params, history = train(poisoned, {"w": np.ones(3)}, x, y, learning_rate=0.1, epochs=5)
    assert history.diverged and "gradient of w is not finite" in history.stop_reason
    np.testing.assert_array_equal(params["w"], np.ones(3))


def test_evaluate_is_recorded_before_training_and_after_every_epoch(regression, capsys):
    x, y = regression
    _, history = train(quadratic, {"w": np.zeros(3)}, x, y, learning_rate=0.5, epochs=3, batch_size=5, rng=0,
                       evaluate=lambda p: {"norm": float(np.linalg.norm(p["w"]))}, verbose=True,
                       metric_format="{:.2f}")
    assert len(history.metrics["norm"]) == 4 and history.metrics["norm"][0] == 0.0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch  1/3  mean training loss") and "norm " in lines[0]
    assert history.per_epoch("mean")[0] == pytest.approx(np.mean(history.step_losses[:4]))
    assert history.per_epoch("sum")[1] == pytest.approx(np.sum(history.step_losses[4:8]))


def test_integer_labels_and_float32_data_keep_their_dtype():
    seen = {}

    def look(params, xb, yb):
        seen["x"], seen["y"] = xb.dtype, yb.dtype
        return 0.0, {"w": np.zeros(1)}

    train(look, {"w": np.zeros(1)}, np.ones((4, 1), dtype=np.float32), np.array([0, 1, 2, 1]),
          learning_rate=0.1, epochs=1)
    assert seen == {"x": np.float32, "y": np.int64}


def test_fit_bfgs_solves_least_squares(regression):
    x, y = regression
    fitted, cost = fit_bfgs(quadratic, {"w": np.zeros(3)}, x, y)
    np.testing.assert_allclose(fitted["w"], [1.0, -2.0, 0.5], atol=1e-6)
    assert cost < 1e-12


def test_the_loop_trains_lecture_1s_linear_network():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((30, 4)), rng.standard_normal((30, 2))
    params, history = train(linear_loss, {"w": np.zeros((4, 2)), "b": np.zeros((1, 2))}, x, y,
                            learning_rate=0.2, epochs=500, shuffle=False)
    exact = np.linalg.lstsq(np.hstack([x, np.ones((30, 1))]), y, rcond=None)[0]
    np.testing.assert_allclose(params["w"], exact[:4], atol=1e-8)
    assert isinstance(history, History)


# --- bad input -------------------------------------------------------------------------------

def test_mismatched_parameter_dicts_are_named():
    with pytest.raises(ValueError, match=r"grads must have the keys \['b', 'w'\] \(those of params\); \['b'\] missing"):
        sgd_step({"w": np.ones(2), "b": np.ones(1)}, {"w": np.ones(2)}, 0.1)
    with pytest.raises(ValueError, match=r"grads\['w'\] must have the shape of params\['w'\], \(2,\), got shape \(3,\)"):
        sgd_step({"w": np.ones(2)}, {"w": np.ones(3)}, 0.1)
    with pytest.raises(ValueError, match="batch_size must be at most the number of examples N = 20, got 21"):
        train(quadratic, {"w": np.zeros(3)}, np.ones((20, 3)), np.ones(20), learning_rate=0.1, epochs=1,
              batch_size=21)
    with pytest.raises(ValueError, match=r"y must have one entry per example of x \(20\), got shape \(19,\)"):
        train(quadratic, {"w": np.zeros(3)}, np.ones((20, 3)), np.ones(19), learning_rate=0.1, epochs=1)
    with pytest.raises(TypeError, match="params must be a dict of named arrays of real numbers, got list"):
        train(quadratic, [np.zeros(3)], np.ones((20, 3)), np.ones(20), learning_rate=0.1, epochs=1)


def test_momentum_step_checks_its_arrays_naming_each():
    params, grads, velocity = {"w": np.ones(2)}, {"w": np.ones(2)}, {"w": np.zeros(2)}
    with pytest.raises(ValueError, match=r"velocity\['w'\] must have the shape of params\['w'\], \(2,\), got shape \(3,\)"):
        momentum_step(params, grads, {"w": np.zeros(3)}, 0.1)
    with pytest.raises(ValueError, match=r"velocity must have the keys \['w'\] \(those of params\); \['v'\] extra"):
        momentum_step(params, grads, {"w": np.zeros(2), "v": np.zeros(1)}, 0.1)
    with pytest.raises(ValueError, match=r"grads\['w'\] contains NaN or infinite values"):
        momentum_step(params, {"w": np.array([1.0, np.nan])}, velocity, 0.1)
    with pytest.raises(TypeError, match=r"params\['w'\] must be an array of real numbers, got str"):
        momentum_step({"w": "abc"}, grads, velocity, 0.1)
    with pytest.raises(TypeError, match="velocity must be a dict of named arrays"):
        momentum_step(params, grads, None, 0.1)
    new, v = momentum_step({"w": np.ones(2, dtype=np.float32)}, grads, velocity, 0.1)
    assert new["w"].shape == (2,) and v["w"].shape == (2,)


def test_training_on_data_too_large_for_the_loss_stops_and_says_so():
    def squares(params, x, y):
        r = x @ params["w"] - y
        return float(np.mean(r ** 2)), {"w": 2 * x.T @ r / len(x)}
    _, history = train(squares, {"w": np.ones(2)}, 1e300 * np.ones((4, 2)), np.ones(4), learning_rate=0.1, epochs=2)
    assert history.diverged and "the loss is inf" in history.stop_reason
    _, history = train(squares, {"w": np.ones(2)}, np.ones((4, 2)), np.ones(4), learning_rate=1e300, epochs=2)
    assert history.diverged and "larger than 1e+150" in history.stop_reason
    with pytest.raises(ValueError, match="the cost or its gradient at the initial params is not finite"):
        fit_bfgs(squares, {"w": np.ones(2)}, 1e300 * np.ones((4, 2)), np.ones(4))
    with pytest.raises(ValueError, match="x contains NaN or infinite values"):
        train(squares, {"w": np.ones(2)}, np.full((4, 2), np.nan), np.ones(4), learning_rate=0.1, epochs=1)
    with pytest.raises(TypeError, match="x must be a real numeric array .* complex"):
        train(squares, {"w": np.ones(2)}, np.ones((4, 2)) + 1j, np.ones(4), learning_rate=0.1, epochs=1)


P, G = {"w": np.ones(2)}, {"w": np.ones(2)}
X, Y = np.ones((6, 2)), np.ones(6)
TABLE = [
    Case(sgd_step, dict(params=P, grads=G, learning_rate=0.1), {"learning_rate": "positive"}),
    Case(momentum_step, dict(params=P, grads=G, velocity=G, learning_rate=0.1, momentum=0.5),
         {"learning_rate": "positive", "momentum": "real"}),
    Case(train, dict(loss_and_gradients=quadratic, params=P, x=X, y=Y, learning_rate=0.1, epochs=1, batch_size=2,
                     momentum=0.0, decay=1.0, shuffle=True, rng=0, full_loss=True, evaluate=None, verbose=False),
         {"loss_and_gradients": "function", "learning_rate": "positive", "epochs": "count", "batch_size": "count",
          "momentum": "real", "decay": "positive", "shuffle": "flag", "rng": "seed", "full_loss": "flag",
          "verbose": "flag"}, skip={"batch_size": ["None"]}),         # None: the full batch
    Case(fit_bfgs, dict(loss_and_gradients=quadratic, params=P, x=X, y=Y, max_iter=3, tol=1e-9),
         {"loss_and_gradients": "function", "max_iter": "count", "tol": "positive"}),
]
PARAMS, IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_clearly(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
