"""Checkers for notebook 05 (convolution-layer gradients).

Both exercises work on one channel, with the forward pass of seed 004,
``Y = X (x) W`` (valid cross-correlation, Y of size (U - R + 1, V - S + 1)):

* ``weight_gradient(X, dJ_dY) -> dJ/dW``, which is ``X (x) dJ/dY`` (valid);
* ``input_gradient(dJ_dY, W) -> dJ/dX``, which is the full convolution ``dJ/dY * W``,
  i.e. the full cross-correlation of dJ/dY with the flipped kernel (seed 002, Eq. A).
"""

from __future__ import annotations

import numpy as np

from ..conv import convolve2d_naive, correlate2d_naive
from .._validate import checked, function
from ._core import attempt, call_student, compare, passed

# (U, V, R, S): a square case first (a transposed answer then has the right shape and
# can be named), rectangular images and kernels both ways, a 1x1 output, a 1-wide kernel.
CASES = [(5, 5, 3, 3), (6, 5, 3, 2), (4, 7, 2, 3), (3, 3, 3, 3), (6, 4, 1, 2)]


def _case(shape, seed):
    rng = np.random.default_rng(seed)
    U, V, R, S = shape
    x = rng.standard_normal((U, V))
    w = rng.standard_normal((R, S))
    dy = rng.standard_normal((U - R + 1, V - S + 1))
    return x, w, dy


def _flip(a):
    return a[::-1, ::-1]


@checked(fn=function())
def check_weight_gradient(fn) -> None:
    """Check ``fn(X, dJ_dY) -> dJ/dW`` for ``Y = X (x) W`` with one channel (seed 004)."""
    for seed, shape in enumerate(CASES):
        x, _, dy = _case(shape, 500 + seed)
        expected = correlate2d_naive(x, dy)                 # dJ/dW(i, j) = sum_pq dJ/dY(p,q) X(p+i, q+j)
        case = f"X {x.shape}, dJ/dY {dy.shape} (so W is {shape[2]}x{shape[3]})"
        mistakes = [
            ("you flipped dJ/dY (a convolution): dJ/dW is the cross-correlation X (x) dJ/dY, "
             "dJ/dW(i, j) = sum_p sum_q dJ/dY(p, q) X(p + i, q + j), no flip.",
             convolve2d_naive(x, dy)),
            ("your dJ/dW is upside down and mirrored: index it as dJ/dW(i, j) with X(p + i, q + j), "
             "not X(p - i, q - j).", _flip(expected)),
            ("rows and columns are swapped (a transposed result): dJ/dW[i, j] pairs the row offset i "
             "with X's rows.", expected.T),
            ("you averaged over the outputs: the chain rule *sums* dJ/dY(p, q) dY(p, q)/dW(i, j) over "
             "every output (p, q).", expected / dy.size),
            ("you used 'full' mode: dJ/dW has W's shape, (U - H' + 1, V - W' + 1), so the correlation "
             "of X with dJ/dY is 'valid'.", attempt(lambda: correlate2d_naive(x, dy, "full"))),
        ]
        got = call_student(fn, (x.copy(), dy.copy()), case)
        compare("dJ/dW", got, expected, mistakes, case)
    passed("dJ/dW = X (x) dJ/dY", len(CASES))


@checked(fn=function())
def check_input_gradient(fn) -> None:
    """Check ``fn(dJ_dY, W) -> dJ/dX`` for ``Y = X (x) W`` with one channel (seed 002, Eq. A)."""
    for seed, shape in enumerate(CASES):
        x, w, dy = _case(shape, 600 + seed)
        expected = convolve2d_naive(dy, w, "full")          # = correlate(dy, flipped w, "full")
        case = f"dJ/dY {dy.shape}, W {w.shape} (so X is {x.shape[0]}x{x.shape[1]})"
        mistakes = [
            ("the kernel is not flipped (or flipped twice): dJ/dX is the full correlation of dJ/dY with "
             "the *flipped* kernel W[::-1, ::-1], equivalently the full convolution dJ/dY * W, or adding "
             "dJ/dY(p, q) * W (unflipped) onto the block of X at (p, q).",
             correlate2d_naive(dy, w, "full")),
            ("you flipped W along the rows only (W[::-1] or np.flipud): flip both axes, W[::-1, ::-1].",
             correlate2d_naive(dy, w[::-1], "full")),
            ("you flipped W along the columns only (W[:, ::-1] or np.fliplr): flip both axes, W[::-1, ::-1].",
             correlate2d_naive(dy, w[:, ::-1], "full")),
            ("you used 'valid' mode: every pixel of X, including the borders, receives gradient, so "
             "pad dJ/dY with R - 1 rows and S - 1 columns of zeros on each side ('full' mode).",
             attempt(lambda: convolve2d_naive(dy, w, "valid"))),
            ("'valid' mode and no flip: pad dJ/dY with R - 1, S - 1 zeros on each side and "
             "correlate with W[::-1, ::-1].", attempt(lambda: correlate2d_naive(dy, w, "valid"))),
            ("rows and columns are swapped (a transposed result): dJ/dX has X's shape (U, V).",
             expected.T),
            ("you used the transposed kernel W.T: flip W in both axes (W[::-1, ::-1]), do not transpose it.",
             convolve2d_naive(dy, w.T, "full")),
            ("you flipped dJ/dY instead of the kernel: only W is flipped.",
             correlate2d_naive(_flip(dy), w, "full")),
        ]
        got = call_student(fn, (dy.copy(), w.copy()), case)
        compare("dJ/dX", got, expected, mistakes, case)
    passed("dJ/dX = full convolution of dJ/dY with W", len(CASES))
