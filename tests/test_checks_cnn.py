"""Checker quality for notebook 06: the reference passes, typical wrong answers get their hint."""

import numpy as np
import pytest

from lecture_utils.checks import CheckFailure
from lecture_utils.checks.cnn import check_filter_gradient, check_momentum_update


# --- exercise 1: the lecture model's dE/df, written as a student would --------------------

def student_dE_df(X, H1, O, W, y, *, sign=1.0, output_sigmoid=True, hidden_sigmoid=True,
                  flip=False, transpose=False, average=False, reshape_without_transpose=False,
                  sigmoid_of_h1=False, tap_mean=False):
    """A reference answer from scratch (loops over the 3x3 taps), with switchable mistakes."""
    n, h, w = X.shape
    delta2 = sign * (O - y)
    if output_sigmoid:
        delta2 = delta2 * O * (1 - O)
    delta1 = W @ delta2
    if hidden_sigmoid:
        s = 1 / (1 + np.exp(-H1)) if sigmoid_of_h1 else H1
        delta1 = delta1 * s * (1 - s)
    maps = delta1.reshape(n, h - 2, w - 2) if reshape_without_transpose else delta1.T.reshape(n, h - 2, w - 2)
    df = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            df[i, j] = (np.mean if tap_mean else np.sum)(X[:, i:i + h - 2, j:j + w - 2] * maps)
    if flip:
        df = df[::-1, ::-1]
    if transpose:
        df = df.T
    return df / n if average else df


def test_filter_gradient_reference_passes(capsys):
    check_filter_gradient(student_dE_df)
    assert capsys.readouterr().out.startswith("PASS dE/df")


FILTER_MUTANTS = {
    "sign is flipped": dict(sign=-1.0),
    "O\\(1 - O\\).*missing": dict(output_sigmoid=False),
    "H1\\(1 - H1\\).*missing": dict(hidden_sigmoid=False),
    "rotated by 180 degrees": dict(flip=True),
    "transposed": dict(transpose=True),
    "you divided by N": dict(average=True),
    "reshaped without transposing": dict(reshape_without_transpose=True),
    "applied the sigmoid to H1 once more": dict(sigmoid_of_h1=True),
    "averaged \\(np.mean\\)": dict(tap_mean=True),
}


@pytest.mark.parametrize("hint", FILTER_MUTANTS)
def test_filter_gradient_mutants_are_rejected_with_hint(hint):
    def mutant(X, H1, O, W, y):
        return student_dE_df(X, H1, O, W, y, **FILTER_MUTANTS[hint])
    with pytest.raises(CheckFailure, match=hint):
        check_filter_gradient(mutant)


def test_filter_gradient_hard_coded_size_fails():
    # A student who assumes the lecture's 20x20 maps (or the first case's) fails on other sizes.
    def fixed_size(X, H1, O, W, y):
        n = X.shape[0]
        maps = ((W @ ((O - y) * O * (1 - O))) * H1 * (1 - H1)).T.reshape(n, 7, 7)
        return np.array([[np.sum(X[:, i:i + 7, j:j + 7] * maps) for j in range(3)] for i in range(3)])
    with pytest.raises(CheckFailure, match=r"raised ValueError for X \(4, 8, 11\)"):
        check_filter_gradient(fixed_size)


def test_filter_gradient_small_error_names_the_difference():
    with pytest.raises(CheckFailure, match="right shape but wrong values"):
        check_filter_gradient(lambda *args: student_dE_df(*args) + 1e-3)


def test_filter_gradient_missing_return_and_stub():
    with pytest.raises(CheckFailure, match="forget the `return`"):
        check_filter_gradient(lambda *args: None)

    def stub(*args):
        raise NotImplementedError
    with pytest.raises(CheckFailure, match="not implemented yet"):
        check_filter_gradient(stub)


# --- exercise 2: one SGD update with momentum ----------------------------------------------

def student_momentum(w, grad, velocity, learning_rate, momentum):
    velocity = momentum * velocity - learning_rate * grad
    return w + velocity, velocity


def test_momentum_reference_passes(capsys):
    check_momentum_update(student_momentum)
    assert "PASS SGD update with momentum" in capsys.readouterr().out


MOMENTUM_MUTANTS = {
    "sign is flipped": lambda w, g, v, lr, mu: (w + mu * v + lr * g, mu * v + lr * g),
    "learning rate is missing": lambda w, g, v, lr, mu: (w + mu * v - g, mu * v - g),
    "swapped": lambda w, g, v, lr, mu: (w + lr * v - mu * g, lr * v - mu * g),
    "not carried over": lambda w, g, v, lr, mu: (w - lr * g, -lr * g),
    "returned the old velocity": lambda w, g, v, lr, mu: (w + mu * v - lr * g, v),
    "moved w by the old velocity": lambda w, g, v, lr, mu: (w + v, mu * v - lr * g),
    "subtracted the velocity": lambda w, g, v, lr, mu: (w - (mu * v - lr * g), mu * v - lr * g),
    "return w_new, v_new": lambda w, g, v, lr, mu: w - lr * g,
    "PyTorch's form": lambda w, g, v, lr, mu: (w - lr * (mu * v + g), mu * v + g),
    "wrong order": lambda w, g, v, lr, mu: (mu * v - lr * g, w + mu * v - lr * g),
}


@pytest.mark.parametrize("hint", MOMENTUM_MUTANTS)
def test_momentum_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_momentum_update(MOMENTUM_MUTANTS[hint])


def test_momentum_that_modifies_inputs_in_place_still_passes():
    # In-place updates are fine as long as the returned values are right.
    def in_place(w, g, v, lr, mu):
        v *= mu
        v -= lr * g
        w += v
        return w, v
    check_momentum_update(in_place)


def test_momentum_crash_names_the_case():
    with pytest.raises(CheckFailure, match=r"raised ValueError for w of shape \(3, 3\)"):
        check_momentum_update(lambda w, g, v, lr, mu: (w @ np.ones(4), v))
