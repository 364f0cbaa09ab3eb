"""Checker quality: the reference passes, every typical wrong answer is caught with its hint."""

import numpy as np
import pytest

from lecture_utils.checks import CheckFailure, check_linear_backward, check_mse_gradient
from lecture_utils.linear import linear_backward, mse_loss


def test_mse_reference_passes(capsys):
    check_mse_gradient(lambda y_hat, y: mse_loss(y_hat, y)[1])
    assert capsys.readouterr().out.startswith("PASS dL/dy_hat")


MSE_MUTANTS = {
    "factor 2": lambda yh, y: (yh - y) / len(yh),
    "1/N is missing": lambda yh, y: 2 * (yh - y),
    "divided by N\\*K": lambda yh, y: 2 * (yh - y) / yh.size,
    "divided by K = y_hat.shape\\[1\\]": lambda yh, y: 2 * (yh - y) / yh.shape[1],
    "sign is flipped": lambda yh, y: 2 * (y - yh) / len(yh),
    "forget the `return`": lambda yh, y: None,
    "right shape but wrong values": lambda yh, y: 2 * (yh - y) / len(yh) + 0.01,
    "transposed": lambda yh, y: (2 * (yh - y) / len(yh)).T,
}


@pytest.mark.parametrize("hint", MSE_MUTANTS)
def test_mse_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_mse_gradient(MSE_MUTANTS[hint])


def test_hard_coded_lecture_answer_fails():
    # An answer memorised from one case (the first checked one) must fail on the others.
    first = {}

    def memorised(y_hat, y):
        if not first:
            first["g"] = mse_loss(y_hat, y)[1]
        return first["g"]

    with pytest.raises(CheckFailure):
        check_mse_gradient(memorised)


def test_backward_reference_passes(capsys):
    check_linear_backward(linear_backward)
    assert "PASS linear_backward" in capsys.readouterr().out


def test_backward_accepts_the_natural_alternatives():
    # keepdims row, a loop over examples, einsum: all correct, all must pass
    def keepdims(g, cache):
        x, w, b = cache
        return g @ w.T, x.T @ g, g.sum(axis=0, keepdims=True)

    def loops(g, cache):
        x, w, b = cache
        dw = sum(np.outer(x[n], g[n]) for n in range(len(g)))
        return g @ w.T, dw, sum(g[n] for n in range(len(g)))

    def einsum(g, cache):
        x, w, b = cache
        return np.einsum("nk,dk->nd", g, w), np.einsum("nd,nk->dk", x, g), np.einsum("nk->k", g)

    for fn in (keepdims, loops, einsum):
        check_linear_backward(fn)


def test_mse_accepts_the_natural_alternatives():
    check_mse_gradient(lambda yh, y: 2 / len(y) * (yh - y))
    check_mse_gradient(lambda yh, y: np.subtract(yh, y) * (2.0 / np.shape(yh)[0]))


def test_backward_accepts_flat_bias_gradient():
    def flat_db(g, cache):
        dx, dw, db = linear_backward(g, cache)
        return dx, dw, db.ravel()
    check_linear_backward(flat_db)


def _mutant(dx=None, dw=None, db=None):
    def backward(g, cache):
        x, w, b = cache
        ref = linear_backward(g, cache)
        return (dx(g, x, w) if dx else ref[0],
                dw(g, x, w) if dw else ref[1],
                db(g) if db else ref[2])
    return backward


BACKWARD_MUTANTS = {
    "dL/dy_hat\\^T x": _mutant(dw=lambda g, x, w: g.T @ x),
    "divided by N again": _mutant(dw=lambda g, x, w: x.T @ g / len(g)),
    "x is not transposed": _mutant(dw=lambda g, x, w: x @ g),
    "a column": _mutant(db=lambda g: g.sum(axis=0).reshape(-1, 1)),
    "summed over the classes": _mutant(db=lambda g: g.sum(axis=1)),
    "averaged instead of summing": _mutant(db=lambda g: g.mean(axis=0)),
    "only the first example": _mutant(db=lambda g: g[0]),
    "w is not transposed": _mutant(dx=lambda g, x, w: g @ w),
    "wrong way round": _mutant(dx=lambda g, x, w: w @ g.T),
    "dL/dx is wrong .* divided by N again": _mutant(dx=lambda g, x, w: g @ w.T / len(g)),
}


@pytest.mark.parametrize("hint", BACKWARD_MUTANTS)
def test_backward_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_linear_backward(BACKWARD_MUTANTS[hint])


def test_crash_in_student_code_names_the_case():
    with pytest.raises(CheckFailure, match=r"raised ValueError for x \(3, 3\), w \(3, 3\)"):
        check_linear_backward(lambda g, cache: (g @ cache[1][:2], None, None))


def test_unimplemented_exercise_says_so():
    def stub(g, cache):
        raise NotImplementedError
    with pytest.raises(CheckFailure, match="not implemented yet"):
        check_linear_backward(stub)


def test_backward_must_return_three_gradients():
    with pytest.raises(CheckFailure, match="return dx, dw, db"):
        check_linear_backward(lambda g, cache: linear_backward(g, cache)[1:])
