"""Checkers for notebook 05 (convolution-layer gradients).

The one-channel exercises use the forward pass of seed 004, ``Y = X (x) W`` (valid
cross-correlation, ``Y(p, q) = sum_i sum_j X(p + i, q + j) W(i, j)``, Y of size
(U - R + 1, V - S + 1)):

* ``weight_gradient(X, dJ_dY) -> dJ/dW``, which is ``X (x) dJ/dY`` (valid);
* ``input_gradient(dJ_dY, W) -> dJ/dX``, which is the full convolution ``dJ/dY * W``,
  i.e. the full cross-correlation of dJ/dY with the flipped kernel (seed 002, Eq. A);
* ``input_gradient_stride2(dJ_dY, W, x_shape) -> dJ/dX`` for the same layer with stride 2,
  ``Y(p, q) = sum_i sum_j X(2p + i, 2q + j) W(i, j)``: output (p, q)'s gradient times W lands
  on the block of X at (2p, 2q); pixels no window reached get 0.

The layer exercise is the convolution layer of the notebook (stride 1, ``padding`` zeros on
each side), ``y[n, k, p, q] = b[k] + sum_{c,i,j} x_pad[n, c, p + i, q + j] w[k, c, i, j]``:

* ``conv_layer_backward(dy, x, w, padding) -> (dx, dw, db)``, with x (N, C, U, V), w (K, C, R, S) and
  dy (N, K, U', V'): the one-channel letters, so W only ever names weights.

Every checker runs visible cases (described in its messages) and hidden cases of other
shapes (``cases="visible" | "hidden" | "all"``, as the autograder does), refuses answers
that call the package's own convolutions, and names the usual mistakes.
"""

from __future__ import annotations

import numpy as np

from ..conv import conv2d_backward, conv2d_forward, convolve2d_naive, correlate2d_naive
from .predictions import Prediction
from ._core import CheckFailure, attempt, call_student, compare, passed, test_cases

# (U, V, R, S): a square case first (a transposed answer then has the right shape and
# can be named), rectangular images and kernels both ways, a 1x1 output, a 1-wide kernel.
CASES = [(5, 5, 3, 3), (6, 5, 3, 2), (4, 7, 2, 3), (3, 3, 3, 3), (6, 4, 1, 2)]
HIDDEN_CASES = [(7, 6, 3, 3), (5, 8, 2, 4), (8, 3, 2, 1)]

# Stride 2, (U, V, R, S): overlapping windows (R > 2), a last row that no window reaches
# ((U - R) odd), windows that tile without overlap (2x2), a single output row.
STRIDE2_CASES = [(5, 5, 3, 3), (7, 6, 3, 2), (6, 5, 3, 3), (6, 8, 2, 2), (4, 7, 3, 3)]
STRIDE2_HIDDEN_CASES = [(7, 7, 3, 3), (8, 5, 3, 2), (9, 6, 4, 3), (5, 6, 1, 1)]

# The layer, (N, C, U, V, K, R, S, padding): K = C first (swapped filter and channel axes
# then have the right shape and can be named), padding 1, a single image and channel,
# one filter, 1x1 kernels.
LAYER_CASES = [(2, 3, 5, 5, 3, 3, 3, 0), (2, 2, 6, 5, 3, 3, 2, 1), (1, 1, 4, 4, 2, 2, 2, 0),
               (3, 2, 5, 6, 1, 3, 3, 1), (2, 3, 4, 4, 3, 1, 1, 0)]
LAYER_HIDDEN_CASES = [(2, 4, 6, 6, 4, 3, 3, 1), (3, 1, 5, 7, 2, 2, 3, 0), (1, 3, 6, 4, 2, 3, 3, 2)]

PREDICTIONS = {
    "05-dx-shape": Prediction(
        question="What shape does dJ/dX have for a 3x3 kernel on a 5x6 image (stride 1, no padding)?",
        expected=(5, 6),
        explanation="a gradient has the shape of what it differentiates. Y and dJ/dY are only 3 x 4, "
                    "but every one of X's 5 x 6 pixels moves J, so dJ/dX is 5 x 6: the border pixels "
                    "collect fewer terms, not none."),
    "05-stride2-terms": Prediction(
        question="A 3x3 kernel slides over a 7x7 image with stride 2 (no padding). How many outputs read "
                 "the pixel X(2, 2), i.e. how many terms does dJ/dX(2, 2) have?",
        expected=4,
        explanation="output (p, q) reads rows 2p .. 2p + 2 and columns 2q .. 2q + 2. Row 2 is read by "
                    "p = 0 (as its last row) and p = 1 (as its first), column 2 likewise by q = 0 and "
                    "q = 1: 2 x 2 = 4 outputs. Its neighbour X(2, 3) is read by only 2, X(3, 3) by 1."),
}


def _case(shape, seed):
    rng = np.random.default_rng(seed)
    U, V, R, S = shape
    x = rng.standard_normal((U, V))
    w = rng.standard_normal((R, S))
    dy = rng.standard_normal((U - R + 1, V - S + 1))
    return x, w, dy


def _flip(a):
    return a[::-1, ::-1]


def _n_hidden(chosen):
    return sum(hidden for *_, hidden in chosen)


def check_weight_gradient(fn, cases: str = "all") -> None:
    """Check ``fn(X, dJ_dY) -> dJ/dW`` for ``Y = X (x) W`` with one channel (seed 004)."""
    chosen = test_cases(CASES, HIDDEN_CASES, cases)
    for seed, shape, _ in chosen:
        x, _, dy = _case(shape, 500 + seed)
        expected = correlate2d_naive(x, dy)                 # dJ/dW(i, j) = sum_pq dJ/dY(p,q) X(p+i, q+j)
        case = f"X {x.shape}, dJ/dY {dy.shape} (so W is {shape[2]}x{shape[3]})"
        mistakes = [
            ("you flipped dJ/dY (a convolution): weight W(i, j) multiplied X(p + i, q + j) in output "
             "(p, q), so dJ/dW(i, j) pairs dJ/dY(p, q) with X(p + i, q + j), no flip.",
             convolve2d_naive(x, dy)),
            ("your dJ/dW is upside down and mirrored: index it as dJ/dW(i, j) with X(p + i, q + j), "
             "not X(p - i, q - j).", _flip(expected)),
            ("rows and columns are swapped (a transposed result): dJ/dW[i, j] pairs the row offset i "
             "with X's rows.", expected.T),
            ("you averaged over the outputs: the chain rule *sums* dJ/dY(p, q) dY(p, q)/dW(i, j) over "
             "every output (p, q).", expected / dy.size),
            ("you used 'full' mode: dJ/dW has W's shape, one entry per weight, so slide dJ/dY only "
             "where it fits inside X ('valid').", attempt(lambda: correlate2d_naive(x, dy, "full"))),
        ]
        got = call_student(fn, (x.copy(), dy.copy()), case)
        compare("dJ/dW", got, expected, mistakes, case)
    passed("dJ/dW = X (x) dJ/dY", len(chosen), _n_hidden(chosen))


def check_input_gradient(fn, cases: str = "all") -> None:
    """Check ``fn(dJ_dY, W) -> dJ/dX`` for ``Y = X (x) W`` with one channel (seed 002, Eq. A)."""
    chosen = test_cases(CASES, HIDDEN_CASES, cases)
    for seed, shape, _ in chosen:
        x, w, dy = _case(shape, 600 + seed)
        expected = convolve2d_naive(dy, w, "full")          # = correlate(dy, flipped w, "full")
        case = f"dJ/dY {dy.shape}, W {w.shape} (so X is {x.shape[0]}x{x.shape[1]})"
        mistakes = [
            ("the kernel is not flipped (or flipped twice): output (p, q) read X(p + i, q + j) with "
             "weight W(i, j), so pixel (a, b) gets dJ/dY(p, q) W(a - p, b - q): read as a correlation "
             "over dJ/dY, the kernel runs backwards (W[::-1, ::-1]); or add dJ/dY(p, q) * W (unflipped) "
             "onto the block of X at (p, q).",
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
    passed("dJ/dX = full convolution of dJ/dY with W", len(chosen), _n_hidden(chosen))


# ------------------------------------------------------------------------------- stride 2

def _scatter(dy, w, shape, row_step=2, col_step=2, add=True):
    """Each output's gradient times w, put on the block of an array of ``shape`` it read."""
    dx = np.zeros(shape)
    R, S = w.shape
    for p in range(dy.shape[0]):
        for q in range(dy.shape[1]):
            block = (slice(row_step * p, row_step * p + R), slice(col_step * q, col_step * q + S))
            if add:
                dx[block] += dy[p, q] * w
            else:
                dx[block] = dy[p, q] * w
    return dx


def _stride2_case(shape, seed):
    rng = np.random.default_rng(seed)
    U, V, R, S = shape
    x = rng.standard_normal((U, V))
    w = rng.standard_normal((R, S))
    dy = rng.standard_normal(((U - R) // 2 + 1, (V - S) // 2 + 1))
    return x, w, dy


def check_input_gradient_stride2(fn, cases: str = "all") -> None:
    """Check ``fn(dJ_dY, W, x_shape) -> dJ/dX`` for ``Y(p, q) = sum_ij X(2p + i, 2q + j) W(i, j)``."""
    chosen = test_cases(STRIDE2_CASES, STRIDE2_HIDDEN_CASES, cases)
    for seed, shape, _ in chosen:
        x, w, dy = _stride2_case(shape, 650 + seed)
        U, V, R, S = shape
        P, Q = dy.shape
        _, cache = conv2d_forward(x[None, None], w[None, None], stride=2)
        expected = conv2d_backward(dy[None, None], cache)[0][0, 0]
        reached = (2 * (P - 1) + R, 2 * (Q - 1) + S)          # the rows and columns some window read
        case = f"dJ/dY {dy.shape}, W {w.shape}, x_shape {(U, V)}"
        mistakes = [
            ("the stride is missing: output (p, q) read the block of X starting at (2p, 2q), not (p, q), "
             "so its gradient times W lands there.", _scatter(dy, w, (U, V), 1, 1)),
            ("the stride applies to the columns too: output (p, q) read columns 2q .. 2q + S - 1.",
             _scatter(dy, w, (U, V), 2, 1)),
            ("the stride applies to the rows too: output (p, q) read rows 2p .. 2p + R - 1.",
             _scatter(dy, w, (U, V), 1, 2)),
            ("the kernel is flipped: output (p, q) read X(2p + i, 2q + j) with weight W(i, j), so "
             "dJ/dY(p, q) * W, unflipped, lands on the block at (2p, 2q) (a full correlation of the "
             "spread-out dJ/dY would need W[::-1, ::-1]).", _scatter(dy, _flip(w), (U, V))),
            ("you assigned (=) where two windows overlap: a pixel read by two outputs gets the sum of "
             "both contributions, so add them up (+=).",
             _scatter(dy, w, (U, V), add=False) if R > 2 or S > 2 else None),
            (f"dJ/dX must have X's shape {(U, V)} (x_shape): the last row or column that no window "
             "reached (when U - R or V - S is odd) gets gradient 0, it does not disappear.",
             expected[:reached[0], :reached[1]] if reached != (U, V) else None),
            ("rows and columns are swapped (a transposed result): dJ/dX[a, b] belongs to pixel X(a, b).",
             expected.T),
        ]
        got = call_student(fn, (dy.copy(), w.copy(), (U, V)), case)
        compare("dJ/dX", got, expected, mistakes, case)
    passed("dJ/dX with stride 2", len(chosen), _n_hidden(chosen))


# ------------------------------------------------------------------------------- the layer

def _layer_case(shape, seed):
    rng = np.random.default_rng(seed)
    N, C, U, V, K, R, S, padding = shape
    x = rng.standard_normal((N, C, U, V))
    w = rng.standard_normal((K, C, R, S))
    y, cache = conv2d_forward(x, w, padding=padding)
    dy = rng.standard_normal(y.shape)
    return x, w, dy, cache


def _layer_loops(dy, x, w, padding, w_for_dx=None, assign_dx=False, first_image_dw=False):
    """The layer's backward as loops over the outputs, with switchable mistakes."""
    w_dx = w if w_for_dx is None else w_for_dx
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dx_pad, dw = np.zeros_like(x_pad), np.zeros_like(w)
    R, S = w.shape[2:]
    for n in range(dy.shape[0]):
        for k in range(dy.shape[1]):
            for p in range(dy.shape[2]):
                for q in range(dy.shape[3]):
                    block = (n, slice(None), slice(p, p + R), slice(q, q + S))
                    if not first_image_dw or n == 0:
                        dw[k] += dy[n, k, p, q] * x_pad[block]
                    if assign_dx:
                        dx_pad[block] = dy[n, k, p, q] * w_dx[k]
                    else:
                        dx_pad[block] += dy[n, k, p, q] * w_dx[k]
    return dx_pad, dw


def _crop(a, padding, U, V):
    return a[:, :, padding:padding + U, padding:padding + V]


def check_conv_layer_backward(fn, cases: str = "all") -> None:
    """Check ``fn(dy, x, w, padding) -> (dx, dw, db)`` for the stride-1 convolution layer."""
    chosen = test_cases(LAYER_CASES, LAYER_HIDDEN_CASES, cases)
    for seed, shape, _ in chosen:
        x, w, dy, cache = _layer_case(shape, 700 + seed)
        N, C, U, V, K, R, S, padding = shape
        dx, dw, db = conv2d_backward(dy, cache)
        case = f"x {x.shape}, w {w.shape}, padding {padding} (dy {dy.shape})"
        result = call_student(fn, (dy.copy(), x.copy(), w.copy(), padding), case)
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise CheckFailure("return the three gradients as a tuple, in the order of the forward's inputs: "
                               "return dx, dw, db")
        got_dx, got_dw, got_db = result
        if np.shape(got_dx) == w.shape and np.shape(got_dw) == x.shape and x.shape != w.shape:
            raise CheckFailure(f"dx and dw are swapped for {case}: return dx, dw, db (dx has x's shape "
                               f"{x.shape}, dw has w's shape {w.shape}).")
        square = K == C
        compare("dJ/db", got_db, db, [
            (f"dJ/db sums over the batch too: b[k] is added to every output of filter k in every image, "
             f"so sum dy over axes 0, 2 and 3 (shape ({K},)).", dy.sum(axis=(2, 3))),
            ("you summed over the filters instead of the images: b[k] belongs to filter k (axis 1), "
             "sum over axes 0, 2 and 3.", dy.sum(axis=(1, 2, 3))),
            ("you averaged instead of summing: every output adds its own dy to dJ/db.",
             dy.mean(axis=(0, 2, 3))),
            ("you used only the first image: every image's outputs add to dJ/db.",
             dy[0].sum(axis=(1, 2)) if N > 1 else None),
        ], case)
        compare("dJ/dw", got_dw, dw, [
            ("dJ/dw comes from the first image only: the same weights touch every image's outputs, so sum "
             "over the batch n too.", _layer_loops(dy, x, w, padding, first_image_dw=True)[1] if N > 1 else None),
            (f"you averaged over the batch (divided by N = {N}): the cost adds up the images, so its "
             "gradient does too.", dw / N if N > 1 else None),
            ("you convolved x_pad with dy (scipy's convolve2d flips dy): w[k, c, i, j] multiplied "
             "x_pad[n, c, p + i, q + j] in output (p, q), so pair dy[n, k, p, q] with that pixel, "
             "a correlation, no flip.", _layer_loops(dy[:, :, ::-1, ::-1], x, w, padding)[1]),
            ("your filters are rotated by 180 degrees: w[k, c, i, j] multiplied "
             "x_pad[n, c, p + i, q + j], so pair dy[n, k, p, q] with that pixel, no flip.",
             dw[:, :, ::-1, ::-1]),
            ("the filter and channel axes are swapped: dw[k, c] comes from dy[n, k] and the input "
             "channel x_pad[n, c].", dw.transpose(1, 0, 2, 3) if square else None),
        ], case)
        dx_pad, _ = _layer_loops(dy, x, w, padding)
        compare("dJ/dx", got_dx, dx, [
            (f"crop the padding: dx has x's shape {x.shape}; the gradient of the {padding} zero rows and "
             "columns added on each side is discarded (dx_pad[:, :, P:P + U, P:P + V]).",
             dx_pad if padding else None),
            ("the padding is cropped on one side only: drop P rows and columns at the start and at the "
             "end, dx_pad[:, :, P:P + U, P:P + V].", dx_pad[:, :, :U, :V] if padding else None),
            ("some contributions are overwritten: a pixel is read by several outputs and several filters, "
             "so add every dy[n, k, p, q] * w[k] onto its window (+=), do not assign (=).",
             _crop(_layer_loops(dy, x, w, padding, assign_dx=True)[0], padding, U, V)),
            ("only the first filter reaches dx: every filter k read the pixel, so sum over k.",
             _crop(_layer_loops(dy[:, :1], x, w[:1], padding)[0], padding, U, V) if K > 1 else None),
            ("the kernel is flipped: each output adds dy[n, k, p, q] * w[k] (unflipped) onto the window "
             "it read; a flip is only needed when you write dx as a correlation of dy.",
             _crop(_layer_loops(dy, x, w, padding, w_for_dx=w[:, :, ::-1, ::-1])[0], padding, U, V)),
            ("the filter and channel axes of w are swapped: the window of channel c gets dy[n, k] * w[k, c].",
             _crop(_layer_loops(dy, x, w, padding, w_for_dx=w.transpose(1, 0, 2, 3))[0], padding, U, V)
             if square else None),
        ], case)
    passed("convolution layer backward (dx, dw, db)", len(chosen), _n_hidden(chosen))
