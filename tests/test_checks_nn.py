"""Checker quality for notebook 04: the reference passes, each typical wrong answer is caught with its hint."""

import pytest

from lecture_utils import nn
from lecture_utils.checks._core import CheckFailure
from lecture_utils.checks.nn import check_dense_backward, check_sgd_step, check_sigmoid_backward


# --- sigmoid_backward ------------------------------------------------------------------

def test_sigmoid_reference_passes(capsys):
    # the exercise's cache is y itself; the library's layer keeps it in an ActivationCache
    check_sigmoid_backward(lambda dout, y: nn.sigmoid_backward(dout, nn.ActivationCache("sigmoid_forward", y)))
    assert capsys.readouterr().out.startswith("PASS sigmoid_backward")


def test_sigmoid_student_style_answer_passes():
    def student(dout, cache):
        y = cache
        return dout * y * (1 - y)
    check_sigmoid_backward(student)


SIGMOID_MUTANTS = {
    "applied the sigmoid to it again": lambda dout, y: dout * nn.sigmoid(y) * (1 - nn.sigmoid(y)),
    "forgot to multiply by the upstream gradient": lambda dout, y: y * (1 - y),
    "sign is flipped": lambda dout, y: dout * y * (y - 1),
    r"factor \(1 - y\) is missing": lambda dout, y: dout * y,
    "tanh's derivative": lambda dout, y: dout * (1 - y ** 2),
    "forget the `return`": lambda dout, y: None,
    "right shape but wrong values": lambda dout, y: dout * y * (1 - y) + 1e-3,
    "should have shape": lambda dout, y: (dout * y * (1 - y)).ravel(),
}


@pytest.mark.parametrize("hint", SIGMOID_MUTANTS)
def test_sigmoid_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_sigmoid_backward(SIGMOID_MUTANTS[hint])


def test_sigmoid_answer_for_2d_only_fails_on_the_3d_case():
    def only_matrices(dout, y):
        return (dout.T * y.T * (1 - y.T)).T if y.ndim == 2 else dout @ y
    with pytest.raises(CheckFailure, match=r"y of shape \(2, 3, 4\)"):
        check_sigmoid_backward(only_matrices)


# --- dense_backward --------------------------------------------------------------------

def test_dense_reference_passes(capsys):
    check_dense_backward(nn.dense_backward)
    assert "PASS dense_backward" in capsys.readouterr().out


def test_dense_accepts_a_row_shaped_bias_gradient():
    def row_db(dout, cache):
        dx, dw, db = nn.dense_backward(dout, cache)
        return dx, dw, db.reshape(1, -1)
    check_dense_backward(row_db)


def _dense_mutant(dx=None, dw=None, db=None):
    def backward(dout, cache):
        x, w, _ = cache
        ref = nn.dense_backward(dout, cache)
        return (dx(dout, x, w) if dx else ref[0],
                dw(dout, x, w) if dw else ref[1],
                db(dout) if db else ref[2])
    return backward


DENSE_MUTANTS = {
    r"dout\^T x": _dense_mutant(dw=lambda g, x, w: g.T @ x),
    r"you divided by N: the batch average is already inside dout, so just sum": _dense_mutant(
        dw=lambda g, x, w: x.T @ g / len(g)),
    "did not sum over the batch": _dense_mutant(db=lambda g: g),
    r"summed over the outputs \(axis=1\)": _dense_mutant(db=lambda g: g.sum(axis=1)),
    "averaged instead of summing": _dense_mutant(db=lambda g: g.mean(axis=0)),
    "only the first example": _dense_mutant(db=lambda g: g[0]),
    "w is not transposed": _dense_mutant(dx=lambda g, x, w: g @ w),
    "wrong way round": _dense_mutant(dx=lambda g, x, w: w @ g.T),
    "return dx, dw, db": lambda dout, cache: nn.dense_backward(dout, cache)[:2],
}


@pytest.mark.parametrize("hint", DENSE_MUTANTS)
def test_dense_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_dense_backward(DENSE_MUTANTS[hint])


def test_dense_crash_names_the_case():
    with pytest.raises(CheckFailure, match=r"raised ValueError for x \(3, 3\), w \(3, 3\), b \(3,\)"):
        check_dense_backward(lambda dout, cache: (dout @ cache[1][:2], None, None))


def test_unimplemented_dense_exercise_says_so():
    def stub(dout, cache):
        raise NotImplementedError
    with pytest.raises(CheckFailure, match="not implemented yet"):
        check_dense_backward(stub)


# --- sgd_step -------------------------------------------------------------------------

def test_sgd_reference_passes(capsys):
    from lecture_utils.optim import sgd_step
    check_sgd_step(sgd_step)
    assert "PASS sgd_step" in capsys.readouterr().out


def test_sgd_in_place_student_answer_passes():
    def student(params, grads, learning_rate):
        for name in params:
            params[name] -= learning_rate * grads[name]
        return params
    check_sgd_step(student)


SGD_MUTANTS = {
    r"you added the step \(\+ eta": lambda p, g, lr: {k: p[k] + lr * g[k] for k in p},
    "learning rate is missing": lambda p, g, lr: {k: p[k] - g[k] for k in p},
    r"params\['b1'\] is unchanged": lambda p, g, lr: {k: p[k] - lr * g[k] if k.startswith("w") else p[k]
                                                      for k in p},
    "returned only the step": lambda p, g, lr: {k: -lr * g[k] for k in p},
    "returned None": lambda p, g, lr: None,
    "return a dict like params": lambda p, g, lr: [p[k] - lr * g[k] for k in p],
    r"your result lacks \['b1', 'b2'\]": lambda p, g, lr: {k: p[k] - lr * g[k] for k in p if k[0] == "w"},
    "right shape but wrong values": lambda p, g, lr: {k: p[k] - 0.9 * lr * g[k] for k in p},
}


@pytest.mark.parametrize("hint", SGD_MUTANTS)
def test_sgd_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_sgd_step(SGD_MUTANTS[hint])


def test_sgd_answer_hard_coded_for_one_learning_rate_fails():
    with pytest.raises(CheckFailure, match="learning rate 0.05"):
        check_sgd_step(lambda p, g, lr: {k: p[k] - 0.1 * g[k] for k in p})


def test_checkers_use_several_shapes():
    from lecture_utils.checks import nn as checks
    assert len({s for s in checks.SIGMOID_SHAPES}) >= 3
    assert len(set(checks.DENSE_CASES)) >= 3 and any(n == d == m for n, d, m in checks.DENSE_CASES)
    assert len({tuple(s) for s, _ in checks.SGD_CASES}) >= 3
    assert all(lr != 1 for _, lr in checks.SGD_CASES)
