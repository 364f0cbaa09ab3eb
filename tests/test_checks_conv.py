"""Checker quality for notebook 05: reference answers pass, typical wrong answers are named."""

import numpy as np
import pytest
from scipy import signal

from lecture_utils.checks import CheckFailure
from lecture_utils.checks.conv import check_input_gradient, check_weight_gradient


# ---------------------------------------------------------------- dJ/dW = X (x) dJ/dY

def weight_gradient_loops(X, dJ_dY):
    """What a student writes from seed 004: dJ/dW(i, j) = sum_pq dJ/dY(p, q) X(p + i, q + j)."""
    P, Q = dJ_dY.shape
    R, S = X.shape[0] - P + 1, X.shape[1] - Q + 1
    dJ_dW = np.zeros((R, S))
    for i in range(R):
        for j in range(S):
            dJ_dW[i, j] = np.sum(dJ_dY * X[i:i + P, j:j + Q])
    return dJ_dW


def test_weight_reference_passes(capsys):
    check_weight_gradient(weight_gradient_loops)
    assert capsys.readouterr().out.startswith("PASS dJ/dW")


def test_weight_scipy_answer_passes():
    check_weight_gradient(lambda X, g: signal.correlate2d(X, g, "valid"))


def test_weight_scatter_answer_passes():
    # the other natural loop: every output adds dJ/dY(p, q) times the block of X it read
    def weight_gradient_scatter(X, dJ_dY):
        P, Q = dJ_dY.shape
        R, S = X.shape[0] - P + 1, X.shape[1] - Q + 1
        dJ_dW = np.zeros((R, S))
        for p in range(P):
            for q in range(Q):
                dJ_dW += dJ_dY[p, q] * X[p:p + R, q:q + S]
        return dJ_dW

    check_weight_gradient(weight_gradient_scatter)


WEIGHT_MUTANTS = {
    "you flipped dJ/dY": lambda X, g: signal.convolve2d(X, g, "valid"),
    "upside down and mirrored": lambda X, g: weight_gradient_loops(X, g)[::-1, ::-1],
    "rows and columns are swapped": lambda X, g: weight_gradient_loops(X, g).T,
    "averaged over the outputs": lambda X, g: weight_gradient_loops(X, g) / g.size,
    "used 'full' mode": lambda X, g: signal.correlate2d(X, g, "full"),
    "forget the `return`": lambda X, g: None,
    "right shape but wrong values": lambda X, g: weight_gradient_loops(X, g) + 0.5,
}


@pytest.mark.parametrize("hint", WEIGHT_MUTANTS)
def test_weight_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_weight_gradient(WEIGHT_MUTANTS[hint])


def test_weight_hard_coded_answer_fails():
    first = {}

    def memorised(X, g):
        first.setdefault("answer", weight_gradient_loops(X, g))
        return first["answer"]

    with pytest.raises(CheckFailure, match="dJ/dW"):
        check_weight_gradient(memorised)


# ---------------------------------------------------------------- dJ/dX = dJ/dY * W (full)

def input_gradient_loops(dJ_dY, W):
    """Seed 002, Eq. A written out: pad dJ/dY for 'full' mode, correlate with the flipped kernel."""
    R, S = W.shape
    padded = np.pad(dJ_dY, ((R - 1, R - 1), (S - 1, S - 1)))
    W_flipped = W[::-1, ::-1]
    U, V = padded.shape[0] - R + 1, padded.shape[1] - S + 1
    dJ_dX = np.zeros((U, V))
    for a in range(U):
        for b in range(V):
            dJ_dX[a, b] = np.sum(padded[a:a + R, b:b + S] * W_flipped)
    return dJ_dX


def test_input_reference_passes(capsys):
    check_input_gradient(input_gradient_loops)
    assert capsys.readouterr().out.startswith("PASS dJ/dX")


def test_input_scipy_answer_passes():
    check_input_gradient(lambda g, W: signal.convolve2d(g, W, "full"))


def input_gradient_scatter(dJ_dY, W):
    """The other natural answer: each output's gradient times W, added onto the pixels it read."""
    R, S = W.shape
    dJ_dX = np.zeros((dJ_dY.shape[0] + R - 1, dJ_dY.shape[1] + S - 1))
    for p in range(dJ_dY.shape[0]):
        for q in range(dJ_dY.shape[1]):
            dJ_dX[p:p + R, q:q + S] += dJ_dY[p, q] * W
    return dJ_dX


def test_input_scatter_answer_passes():
    check_input_gradient(input_gradient_scatter)


def test_input_scatter_with_a_flip_too_many_is_named():
    with pytest.raises(CheckFailure, match="not flipped \\(or flipped twice\\)"):
        check_input_gradient(lambda g, W: input_gradient_scatter(g, W[::-1, ::-1]))


def _no_flip(g, W):
    return input_gradient_loops(g, W[::-1, ::-1])  # flipping twice = not flipping


INPUT_MUTANTS = {
    "kernel is not flipped": _no_flip,
    "used 'valid' mode": lambda g, W: signal.convolve2d(g, W, "valid") if (
        g.shape[0] >= W.shape[0] and g.shape[1] >= W.shape[1]) else np.zeros((1, 1)),
    "'valid' mode and no flip": lambda g, W: signal.correlate2d(g, W, "valid") if (
        g.shape[0] >= W.shape[0] and g.shape[1] >= W.shape[1]) else np.zeros((1, 1)),
    "rows and columns are swapped": lambda g, W: input_gradient_loops(g, W).T,
    "transposed kernel": lambda g, W: input_gradient_loops(g, W.T),
    "flipped W along the rows only": lambda g, W: signal.correlate2d(g, np.flipud(W), "full"),
    "flipped W along the columns only": lambda g, W: input_gradient_loops(g, W[::-1]),  # flips twice in rows
    "flipped dJ/dY instead of the kernel": lambda g, W: signal.correlate2d(g[::-1, ::-1], W, "full"),
    "not implemented yet": lambda g, W: (_ for _ in ()).throw(NotImplementedError),
    "raised IndexError": lambda g, W: g[g.shape[0] + 1],
}


@pytest.mark.parametrize("hint", INPUT_MUTANTS)
def test_input_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_input_gradient(INPUT_MUTANTS[hint])


def test_input_wrong_shape_is_reported():
    with pytest.raises(CheckFailure, match=r"dJ/dX has shape \(2, 2\) but should have shape \(5, 5\)"):
        check_input_gradient(lambda g, W: np.zeros((2, 2)))
