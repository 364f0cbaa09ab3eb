"""Checker quality for notebook 04: the reference passes, each typical wrong answer is caught with its hint,
answers that delegate to the package or return complex or string values are refused, and an answer
hard-coded to the visible cases fails the hidden ones.

Every wrong answer here is written with numpy, as a student would: the checkers refuse any answer
that calls lecture_utils (the MLP exercise excepted, which may chain the layers' backward passes).
"""

import numpy as np
import pytest

from lecture_utils import nn
from checker_probes import assert_hard_coded_fails_hidden
from lecture_utils.checks._core import CheckFailure
from lecture_utils.checks.nn import (check_dense_backward, check_mlp_backward, check_sigmoid_backward,
                                     check_steepest_step)


# --- sigmoid_backward ------------------------------------------------------------------

def sigmoid_backward(dout, cache):
    y = cache
    return dout * y * (1 - y)


def test_sigmoid_reference_passes(capsys):
    check_sigmoid_backward(sigmoid_backward)
    assert capsys.readouterr().out.startswith("PASS sigmoid_backward")


def test_sigmoid_accepts_the_natural_alternatives():
    check_sigmoid_backward(lambda dout, y: dout * (y - y ** 2))
    check_sigmoid_backward(lambda dout, y: np.multiply(dout, y * (1.0 - y)))


SIGMOID_MUTANTS = {
    "applied the sigmoid to it again": lambda dout, y: dout * (1 / (1 + np.exp(-y))) * (1 - 1 / (1 + np.exp(-y))),
    "forgot the upstream gradient dout": lambda dout, y: y * (1 - y),
    "sign is flipped": lambda dout, y: dout * y * (y - 1),
    "a factor of dy/da is missing": lambda dout, y: dout * y,
    "a factor of dy/da is missing: write": lambda dout, y: dout * (1 - y),
    "you divided by dy/da": lambda dout, y: dout / (y * (1 - y)),
    "tanh's derivative": lambda dout, y: dout * (1 - y ** 2),
    "the chain rule multiplies": lambda dout, y: dout + y * (1 - y),
    "forget the `return`": lambda dout, y: None,
    "right shape but wrong values": lambda dout, y: dout * y * (1 - y) + 1e-3,
    "should have shape": lambda dout, y: (dout * y * (1 - y)).ravel(),
}


@pytest.mark.parametrize("hint", SIGMOID_MUTANTS)
def test_sigmoid_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_sigmoid_backward(SIGMOID_MUTANTS[hint])


def test_sigmoid_refuses_delegation_complex_and_strings():
    with pytest.raises(CheckFailure, match=r"calls lecture_utils\.nn\.sigmoid"):
        check_sigmoid_backward(lambda dout, y: dout * nn.sigmoid(np.log(y / (1 - y))) * (1 - y))
    with pytest.raises(CheckFailure, match="calls lecture_utils"):
        check_sigmoid_backward(lambda dout, y: nn.sigmoid_backward(dout, nn.ActivationCache("sigmoid_forward", y)))
    with pytest.raises(CheckFailure, match="is complex"):
        check_sigmoid_backward(lambda dout, y: sigmoid_backward(dout, y) + 0j)
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        check_sigmoid_backward(lambda dout, y: "dout * y * (1 - y)")


def test_sigmoid_answer_for_2d_only_fails_on_the_3d_case():
    def only_matrices(dout, y):
        return (dout.T * y.T * (1 - y.T)).T if y.ndim == 2 else dout @ y
    with pytest.raises(CheckFailure, match=r"y of shape \(2, 3, 4\)"):
        check_sigmoid_backward(only_matrices)


def test_sigmoid_hard_coded_to_the_visible_cases_fails_the_hidden_ones():
    assert_hard_coded_fails_hidden(check_sigmoid_backward, sigmoid_backward)


# --- dense_backward --------------------------------------------------------------------

def dense_backward(dout, cache):
    x, w, b = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def test_dense_reference_passes(capsys):
    check_dense_backward(dense_backward)
    assert "PASS dense_backward" in capsys.readouterr().out


def test_dense_accepts_a_row_shaped_bias_gradient_and_loops():
    def row_db(dout, cache):
        dx, dw, db = dense_backward(dout, cache)
        return dx, dw, db.reshape(1, -1)

    def loops(dout, cache):
        x, w, b = cache
        dw = sum(np.outer(x[n], dout[n]) for n in range(len(x)))
        return dout @ w.T, dw, sum(dout[n] for n in range(len(x)))

    check_dense_backward(row_db)
    check_dense_backward(loops)


def _dense_mutant(dx=None, dw=None, db=None):
    def backward(dout, cache):
        x, w, _ = cache
        ref = dense_backward(dout, cache)
        return (dx(dout, x, w) if dx else ref[0],
                dw(dout, x, w) if dw else ref[1],
                db(dout) if db else ref[2])
    return backward


DENSE_MUTANTS = {
    r"your dC/dw is transposed \(shape \(M, D\)\)": _dense_mutant(dw=lambda g, x, w: g.T @ x),
    r"sums x's inputs against dout's examples": _dense_mutant(dw=lambda g, x, w: x @ g),
    r"you divided by N: the batch average is already inside dout, so just add up": _dense_mutant(
        dw=lambda g, x, w: x.T @ g / len(g)),
    "dC/dw is wrong .* only the first example": _dense_mutant(dw=lambda g, x, w: np.outer(x[0], g[0])),
    "there is no sum over the batch": _dense_mutant(db=lambda g: g),
    r"you added up the outputs \(the columns\)": _dense_mutant(db=lambda g: g.sum(axis=1)),
    "averaged instead of adding up": _dense_mutant(db=lambda g: g.mean(axis=0)),
    "used only the first example": _dense_mutant(db=lambda g: g[0]),
    "added up everything into one number": _dense_mutant(db=lambda g: g.sum()),
    "the indices of w are swapped": _dense_mutant(dx=lambda g, x, w: g @ w),
    "your dC/dx is transposed": _dense_mutant(dx=lambda g, x, w: w @ g.T),
    "three gradients as one tuple": lambda dout, cache: dense_backward(dout, cache)[:2],
    "dC/dx is wrong .* you divided by N": _dense_mutant(dx=lambda g, x, w: g @ w.T / len(g)),
}


@pytest.mark.parametrize("hint", DENSE_MUTANTS)
def test_dense_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_dense_backward(DENSE_MUTANTS[hint])


def test_dense_refuses_delegation_complex_and_strings():
    with pytest.raises(CheckFailure, match=r"calls lecture_utils\.(nn|linear)\..*the package.s own code"):
        check_dense_backward(nn.dense_backward)
    with pytest.raises(CheckFailure, match="dC/dw is complex"):
        check_dense_backward(lambda g, c: (g @ c[1].T, (c[0].T @ g).astype(complex), g.sum(axis=0)))
    with pytest.raises(CheckFailure, match="dC/dx must be a numeric array, got str"):
        check_dense_backward(lambda g, c: ("dout w^T", c[0].T @ g, g.sum(axis=0)))


def test_dense_crash_names_the_case():
    with pytest.raises(CheckFailure, match=r"raised ValueError .*\(for x \(3, 3\), w \(3, 3\), b \(3,\)"):
        check_dense_backward(lambda dout, cache: (dout @ cache[1][:2], None, None))


def test_unimplemented_exercises_say_so():
    def stub(*args):
        raise NotImplementedError
    for checker in (check_sigmoid_backward, check_dense_backward, check_steepest_step, check_mlp_backward):
        with pytest.raises(CheckFailure, match="not implemented yet"):
            checker(stub)


def test_dense_hard_coded_to_the_visible_cases_fails_the_hidden_ones():
    assert_hard_coded_fails_hidden(check_dense_backward, dense_backward)


# --- backward through a 2-layer MLP (tanh hidden layer, sigmoid output) ------------------

def mlp_backward(dout, cache):
    (x0, w1, b1), (_, x1, _) = cache.layers[0]
    (_, w2, b2), (_, x2, _) = cache.layers[1]
    da2 = dout * x2 * (1 - x2)                  # through the output sigmoid
    dx1 = da2 @ w2.T
    da1 = dx1 * (1 - x1 ** 2)                   # through the hidden tanh
    grads = {"w2": x1.T @ da2, "b2": da2.sum(axis=0), "w1": x0.T @ da1, "b1": da1.sum(axis=0)}
    return da1 @ w1.T, grads


def test_mlp_reference_passes(capsys):
    check_mlp_backward(mlp_backward)
    assert capsys.readouterr().out.startswith("PASS 2-layer MLP backward")


def test_mlp_answer_chaining_the_layers_backward_passes_is_allowed():
    def layer_by_layer(dout, cache):
        grads = {}
        for i, activation_backward in ((2, nn.sigmoid_backward), (1, nn.tanh_backward)):
            dense_cache, act_cache = cache.layers[i - 1]
            da = activation_backward(dout, act_cache)
            dout, grads[f"w{i}"], grads[f"b{i}"] = nn.dense_backward(da, dense_cache)
        return dout, grads
    check_mlp_backward(layer_by_layer)


def test_mlp_accepts_row_shaped_bias_gradients():
    def rows(dout, cache):
        dx, grads = mlp_backward(dout, cache)
        return dx, {k: v.reshape(1, -1) if k[0] == "b" else v for k, v in grads.items()}
    check_mlp_backward(rows)


def _mlp_mutant(output_derivative=lambda x2: x2 * (1 - x2), hidden_derivative=lambda x1: 1 - x1 ** 2,
                sent_down=lambda dout, da2, w2: da2 @ w2.T, w1_input=lambda x0, x1: x0,
                w2_input=lambda x0, x1: x1, dx=lambda dx1, da1, w1: da1 @ w1.T, db=lambda da: da.sum(axis=0)):
    """The reference with one of its steps replaced."""
    def backward(dout, cache):
        (x0, w1, b1), (_, x1, _) = cache.layers[0]
        (_, w2, b2), (_, x2, _) = cache.layers[1]
        da2 = dout * output_derivative(x2)
        dx1 = sent_down(dout, da2, w2)
        da1 = dx1 * hidden_derivative(x1)
        grads = {"w2": w2_input(x0, x1).T @ da2, "b2": db(da2), "w1": w1_input(x0, x1).T @ da1, "b1": db(da1)}
        return dx(dx1, da1, w1), grads
    return backward


def _mlp_grad(name, wrong):
    """The reference, with grads[name] replaced by ``wrong(dout, x0, x1, x2, w1, w2)``."""
    def backward(dout, cache):
        (x0, w1, _), (_, x1, _) = cache.layers[0]
        (_, w2, _), (_, x2, _) = cache.layers[1]
        dx, grads = mlp_backward(dout, cache)
        return dx, dict(grads, **{name: wrong(dout, x0, x1, x2, w1, w2)})
    return backward


def _da(dout, x1, x2, w2):
    """da_2 and da_1 of the reference."""
    da2 = dout * x2 * (1 - x2)
    return da2, (da2 @ w2.T) * (1 - x1 ** 2)


MLP_MUTANTS = {
    "output layer's non-linearity is missing": _mlp_mutant(output_derivative=lambda x2: 1.0),
    "applied the sigmoid to it again": _mlp_mutant(
        output_derivative=lambda x2: np.exp(-x2) / (1 + np.exp(-x2)) ** 2),
    "the output layer is a sigmoid; you used tanh's derivative": _mlp_mutant(output_derivative=lambda x2: 1 - x2 ** 2),
    "hidden layer's non-linearity is missing": _mlp_mutant(hidden_derivative=lambda x1: 1.0),
    "you used the sigmoid's derivative there": _mlp_mutant(hidden_derivative=lambda x1: x1 * (1 - x1)),
    "you applied tanh to it again": _mlp_mutant(hidden_derivative=lambda x1: 1 - np.tanh(x1) ** 2),
    "skips the output non-linearity": _mlp_mutant(sent_down=lambda dout, da2, w2: dout @ w2.T),
    "pairs layer 1's INPUT x_0": _mlp_mutant(w1_input=lambda x0, x1: x1),
    "you used the network's input x_0": _mlp_mutant(w2_input=lambda x0, x1: x0),
    "you returned dC/dx_1": _mlp_mutant(dx=lambda dx1, da1, w1: dx1),
    "dC/dx_0 skips the hidden non-linearity": _mlp_mutant(dx=lambda dx1, da1, w1: dx1 @ w1.T),
    "there is no sum over the batch": _mlp_mutant(db=lambda da: da),
    "averaged instead of adding up": _mlp_mutant(db=lambda da: da.mean(axis=0)),
    r"your grads lack \['b1', 'b2'\]": lambda dout, cache: (
        mlp_backward(dout, cache)[0], {k: v for k, v in mlp_backward(dout, cache)[1].items() if k[0] == "w"}),
    "return dx, grads": lambda dout, cache: mlp_backward(dout, cache)[1],
    "the indices of w_1 are swapped": _mlp_mutant(dx=lambda dx1, da1, w1: da1 @ w1),
    r"grads\['b1'\] is wrong .* hidden layer's non-linearity is missing": _mlp_grad(
        "b1", lambda dout, x0, x1, x2, w1, w2: (_da(dout, x1, x2, w2)[0] @ w2.T).sum(axis=0)),
    r"grads\['b2'\] is wrong .* output layer's non-linearity is missing": _mlp_grad(
        "b2", lambda dout, x0, x1, x2, w1, w2: dout.sum(axis=0)),
    r"grads\['b2'\] is wrong .* you added up the outputs \(the columns\)": _mlp_grad(
        "b2", lambda dout, x0, x1, x2, w1, w2: _da(dout, x1, x2, w2)[0].sum(axis=1)),
    r"you added up the hidden units \(the columns\)": _mlp_grad(
        "b1", lambda dout, x0, x1, x2, w1, w2: _da(dout, x1, x2, w2)[1].sum(axis=1)),
    r"dC/dw_1 is transposed": _mlp_grad("w1", lambda dout, x0, x1, x2, w1, w2: _da(dout, x1, x2, w2)[1].T @ x0),
    r"dC/dw_2 is transposed": _mlp_grad("w2", lambda dout, x0, x1, x2, w1, w2: _da(dout, x1, x2, w2)[0].T @ x1),
    r"grads\['w1'\] is wrong .* divided by N again": _mlp_grad(
        "w1", lambda dout, x0, x1, x2, w1, w2: x0.T @ _da(dout, x1, x2, w2)[1] / len(x0)),
    r"wrong order: return dx, grads": lambda dout, cache: mlp_backward(dout, cache)[::-1],
}


@pytest.mark.parametrize("hint", MLP_MUTANTS)
def test_mlp_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_mlp_backward(MLP_MUTANTS[hint])


def test_mlp_refuses_delegation_complex_and_strings():
    def delegating(dout, cache):
        (x0, w1, _), _ = cache.layers[0]
        (_, w2, _), _ = cache.layers[1]
        model = nn.MLP([w1.shape[0], w1.shape[1], w2.shape[1]], ["tanh", "sigmoid"])
        return model.backward(dout, cache)

    with pytest.raises(CheckFailure, match=r"calls lecture_utils\.nn\..*the package.s own code"):
        check_mlp_backward(delegating)
    with pytest.raises(CheckFailure, match=r"grads\['w2'\] is complex"):
        check_mlp_backward(lambda d, c: (mlp_backward(d, c)[0],
                                         {k: v + 0j for k, v in mlp_backward(d, c)[1].items()}))
    with pytest.raises(CheckFailure, match=r"dx \(dC/dx_0\) must be a numeric array, got str"):
        check_mlp_backward(lambda d, c: ("da_1 w_1^T", mlp_backward(d, c)[1]))


def test_mlp_hard_coded_to_the_visible_cases_fails_the_hidden_ones():
    assert_hard_coded_fails_hidden(check_mlp_backward, mlp_backward)


def test_checkers_use_several_shapes():
    from lecture_utils.checks import nn as checks
    assert len(set(checks.SIGMOID_SHAPES)) >= 3 and not set(checks.SIGMOID_SHAPES) & set(checks.HIDDEN_SIGMOID_SHAPES)
    assert len(set(checks.DENSE_CASES)) >= 3 and any(n == d == m for n, d, m in checks.DENSE_CASES)
    assert not set(checks.DENSE_CASES) & set(checks.HIDDEN_DENSE_CASES)
    assert len({tuple(s) for s, _ in checks.STEEPEST_CASES}) >= 3
    assert all(length != 1 for _, length in checks.STEEPEST_CASES + checks.HIDDEN_STEEPEST_CASES)
    assert any(d == h for _, d, h, _ in checks.MLP_CASES) and not set(checks.MLP_CASES) & set(checks.HIDDEN_MLP_CASES)


# --- Exercise 2 (a derivation): the steepest step of a given length ---------------------------


def steepest_step(params, grads, step_length):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))       # the length of the whole gradient
    return {name: value - step_length * grads[name] / norm for name, value in params.items()}


def test_steepest_reference_passes(capsys):
    check_steepest_step(steepest_step)
    assert "PASS steepest step of a given length" in capsys.readouterr().out


def test_steepest_accepts_the_natural_alternatives():
    def concatenated(params, grads, step_length):        # one long vector, then back into the dict
        g = np.concatenate([grads[k].ravel() for k in params])
        step = -step_length * g / np.linalg.norm(g)
        out, start = {}, 0
        for k, v in params.items():
            out[k] = v + step[start:start + v.size].reshape(v.shape)
            start += v.size
        return out

    def in_place(params, grads, step_length):
        norm = np.sqrt(sum(np.vdot(g, g) for g in grads.values()))
        for k in params:
            params[k] -= step_length / norm * grads[k]
        return params
    check_steepest_step(concatenated)
    check_steepest_step(in_place)


def _norm(grads, p=2):
    return (sum(np.sum(np.abs(g) ** p) for g in grads.values())) ** (1 / p)


def _biases_only(update):
    """The weights take the right step, the biases ``update(p, g, step_length, grads)``."""
    return lambda p, g, e: {k: update(p[k], g[k], e, g) if k[0] == "b" else p[k] - e * g[k] / _norm(g) for k in p}


STEEPEST_MUTANTS = {
    r"your step raises E.*the notes' \+ sign climbs": lambda p, g, e: {k: p[k] + e * g[k] / _norm(g) for k in p},
    "scaled each parameter array to length step_length on its own":
        lambda p, g, e: {k: p[k] - e * g[k] / np.linalg.norm(g[k]) for k in p},
    "step's length is step_length times the gradient's length": lambda p, g, e: {k: p[k] - e * g[k] for k in p},
    "shorter than step_length by a factor": lambda p, g, e: {k: p[k] - e * g[k] / _norm(g) ** 2 for k in p},
    "L1 norm": lambda p, g, e: {k: p[k] - e * g[k] / _norm(g, 1) for k in p},
    "returned only the step": lambda p, g, e: {k: -e * g[k] / _norm(g) for k in p},
    r"params\['b1'\] is unchanged": lambda p, g, e: {k: p[k] - e * g[k] / _norm(g) if k[0] == "w" else p[k]
                                                     for k in p},
    "returned None": lambda p, g, e: None,
    "return a dict like params": lambda p, g, e: [p[k] - e * g[k] / _norm(g) for k in p],
    r"your result lacks \['b1', 'b2'\]": lambda p, g, e: {k: p[k] - e * g[k] / _norm(g) for k in p if k[0] == "w"},
    "right shape but wrong values": lambda p, g, e: {k: p[k] - 0.9 * e * g[k] / _norm(g) for k in p},
    r"params\['w1'\] is unchanged": lambda p, g, e: {k: p[k] - e * g[k] / _norm(g) if k[0] == "b" else p[k]
                                                     for k in p},
    # a bias alone wrong (the weights right), so that the biases' own hints show
    r"params\['b1'\] is wrong .*the notes' \+ sign climbs": _biases_only(lambda p, g, e, gs: p + e * g / _norm(gs)),
    r"params\['b1'\] is wrong .* to length step_length on its own":
        _biases_only(lambda p, g, e, gs: p - e * g / np.linalg.norm(g)),
    r"params\['b1'\] is wrong .* step_length times the gradient's length": _biases_only(lambda p, g, e, gs: p - e * g),
    r"params\['b1'\] is wrong .* shorter than step_length": _biases_only(lambda p, g, e, gs: p - e * g / _norm(gs) ** 2),
    r"params\['b1'\] is wrong .* L1 norm": _biases_only(lambda p, g, e, gs: p - e * g / _norm(gs, 1)),
    r"params\['b1'\] is wrong .* returned only the step": _biases_only(lambda p, g, e, gs: -e * g / _norm(gs)),
}


@pytest.mark.parametrize("hint", STEEPEST_MUTANTS)
def test_steepest_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_steepest_step(STEEPEST_MUTANTS[hint])


def test_steepest_hints_teach_without_the_answer():
    for hint, mutant in STEEPEST_MUTANTS.items():
        with pytest.raises(CheckFailure) as info:
            check_steepest_step(mutant)
        message = str(info.value)
        for formula in ("/ norm", "/norm", "g / |g|", "-eta", "- eta", "step_length * g", "sqrt(sum"):
            assert formula not in message, (hint, message)


def test_steepest_refuses_delegation_complex_and_strings():
    from lecture_utils.optim import sgd_step as library_step
    with pytest.raises(CheckFailure, match=r"calls lecture_utils\.optim\.sgd_step"):
        check_steepest_step(lambda p, g, e: library_step(p, g, e / _norm(g)))
    with pytest.raises(CheckFailure, match=r"params\['w1'\] is complex"):
        check_steepest_step(lambda p, g, e: {k: v + 0j for k, v in steepest_step(p, g, e).items()})
    with pytest.raises(CheckFailure, match=r"params\['w1'\] must be a numeric array, got str"):
        check_steepest_step(lambda p, g, e: {k: "theta - e g / |g|" for k in p})


def test_steepest_hard_coded_to_the_visible_cases_fails_the_hidden_ones():
    assert_hard_coded_fails_hidden(check_steepest_step, steepest_step)


def test_the_steepest_step_is_steepest_and_lowers_the_cost_as_predicted():
    # Witnesses of the derivation, independent of the checker's formula, on a real network's cost:
    # (1) no step of the same length lowers E more to first order (1000 random directions), the notes'
    #     + sign raises it most; (2) the true change of E approaches -step_length |gradient| as the step shrinks.
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((20, 3)), rng.standard_normal((20, 2))
    model = nn.MLP([3, 4, 2], ["tanh", "identity"], rng=1)
    loss, grads = model.loss(x, y)
    flat = np.concatenate([grads[k].ravel() for k in model.params])       # in the order of the step below
    for length in (1e-2, 1e-4):
        step = {k: v - model.params[k] for k, v in steepest_step(model.params, grads, length).items()}
        delta = np.concatenate([s.ravel() for s in step.values()])
        assert np.isclose(np.linalg.norm(delta), length, rtol=1e-12)
        directions = rng.standard_normal((1000, flat.size))
        random_steps = length * directions / np.linalg.norm(directions, axis=1, keepdims=True)
        assert (random_steps @ flat).min() > flat @ delta == pytest.approx(-length * np.linalg.norm(flat))
        assert (random_steps @ flat).max() < -(flat @ delta)                  # the notes' sign: steepest ascent
        changed = model.loss(x, y, params={k: model.params[k] + step[k] for k in step})[0] - loss
        assert changed / (-length * np.linalg.norm(flat)) == pytest.approx(1, abs=30 * length)
