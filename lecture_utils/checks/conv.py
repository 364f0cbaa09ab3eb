"""Checkers for notebook 05 (convolution-layer gradients).

The one-channel exercises use the forward pass of seed 004, ``Y = X (x) W`` (valid
cross-correlation, ``Y(p, q) = sum_i sum_j X(p + i, q + j) W(i, j)``, Y of size
(U - R + 1, V - S + 1)):

* ``weight_gradient(X, dJ_dY) -> dJ/dW`` (seed 004);
* ``input_gradient(dJ_dY, W) -> dJ/dX`` (seed 002, Eq. A);
* ``input_gradient_stride2(dJ_dY, W, x_shape) -> dJ/dX`` for the same layer with stride 2,
  ``Y(p, q) = sum_i sum_j X(2p + i, 2q + j) W(i, j)``; pixels no window reached get 0.

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
from ._core import CheckFailure, attempt, call_student, checker, compare, passed, test_cases

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
                    "collect fewer terms, not none.",
        mistakes=(((3, 4), "that is the shape of Y and of dJ/dY; a gradient has the shape of what it "
                           "differentiates"),
                  ((3, 3), "that is the kernel's shape; this gradient is with respect to the image"),
                  ((7, 8), "that is the size of a 'full' output; the gradient has the shape of X itself"))),
    "05-stride2-terms": Prediction(
        question="A 3x3 kernel slides over a 7x7 image with stride 2 (no padding). How many outputs read "
                 "the pixel X(2, 2), i.e. how many terms does dJ/dX(2, 2) have?",
        expected=4,
        explanation="output (p, q) reads rows 2p .. 2p + 2 and columns 2q .. 2q + 2. Row 2 is read by "
                    "p = 0 (as its last row) and p = 1 (as its first), column 2 likewise by q = 0 and "
                    "q = 1: 2 x 2 = 4 outputs. Its neighbour X(2, 3) is read by only 2, X(3, 3) by 1.",
        mistakes=((9, "9 windows would cover a pixel at stride 1; at stride 2 they start every second pixel"),
                  (1, "more than one window covers X(2, 2): neighbouring windows overlap at stride 2 with a "
                      "3x3 kernel"),
                  (2, "that counts the windows along the rows or along the columns alone; a window must "
                      "cover both"))),
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


@checker
def check_weight_gradient(fn, cases: str = "all") -> None:
    """Check ``fn(X, dJ_dY) -> dJ/dW`` for ``Y = X (x) W`` with one channel (seed 004)."""
    chosen = test_cases(CASES, HIDDEN_CASES, cases)
    for seed, shape, _ in chosen:
        x, _, dy = _case(shape, 500 + seed)
        expected = correlate2d_naive(x, dy)                 # dJ/dW(i, j) = sum_pq dJ/dY(p,q) X(p+i, q+j)
        case = f"X {x.shape}, dJ/dY {dy.shape} (so W is {shape[2]}x{shape[3]})"
        mistakes = [
            ("you flipped dJ/dY (a convolution): in output (p, q), W(i, j) multiplied X(p + i, q + j), "
             "with the offsets running forwards, so no flip is involved.", convolve2d_naive(x, dy)),
            ("your dJ/dW is turned by 180 degrees: follow the weight W(0, 0) through the forward formula to "
             "the pixels it met.", _flip(expected)),
            ("rows and columns are swapped (a transposed result): the first index of W is a row offset, "
             "along X's rows.", expected.T),
            ("you averaged over the outputs: the chain rule adds up the contributions of every output (p, q).",
             expected / dy.size),
            ("you used 'full' mode: dJ/dW has W's shape, one entry per weight, so dJ/dY slides only where it "
             "fits inside X ('valid').", attempt(lambda: correlate2d_naive(x, dy, "full"))),
        ]
        got = call_student(fn, (x.copy(), dy.copy()), case)
        compare("dJ/dW", got, expected, mistakes, case)
    passed("dJ/dW = X (x) dJ/dY", len(chosen), _n_hidden(chosen))


@checker
def check_input_gradient(fn, cases: str = "all") -> None:
    """Check ``fn(dJ_dY, W) -> dJ/dX`` for ``Y = X (x) W`` with one channel (seed 002, Eq. A)."""
    chosen = test_cases(CASES, HIDDEN_CASES, cases)
    for seed, shape, _ in chosen:
        x, w, dy = _case(shape, 600 + seed)
        expected = convolve2d_naive(dy, w, "full")          # = correlate(dy, flipped w, "full")
        case = f"dJ/dY {dy.shape}, W {w.shape} (so X is {x.shape[0]}x{x.shape[1]})"
        mistakes = [
            ("the kernel's orientation is wrong (not flipped, or flipped twice): follow one pixel through "
             "the outputs that read it, and see in which order it meets W's entries as p and q grow. "
             "Correlation and convolution differ exactly there.",
             correlate2d_naive(dy, w, "full")),
            # One axis of the kernel in the wrong order: a correlation that flipped W along one axis only
            # and a scatter that flipped W along the other give the same numbers, so the hint names the
            # axis that is wrong in the result, not which flip the student wrote.
            ("W's columns meet the pixels in the wrong order and its rows in the right one (a flip too many "
             "or too few along the columns only): follow one pixel along a row of X through the outputs "
             "that read it, and see in which order it meets W's columns as q grows.",
             correlate2d_naive(dy, w[::-1], "full")),
            ("W's rows meet the pixels in the wrong order and its columns in the right one (a flip too many "
             "or too few along the rows only): follow one pixel down a column of X through the outputs "
             "that read it, and see in which order it meets W's rows as p grows.",
             correlate2d_naive(dy, w[:, ::-1], "full")),
            ("you used 'valid' mode: every pixel of X, the borders included, receives a gradient, so dJ/dX "
             "has X's shape; outputs that do not exist near the border add nothing ('full' mode).",
             attempt(lambda: convolve2d_naive(dy, w, "valid"))),
            ("'valid' mode and the kernel's orientation: dJ/dX has X's shape (every pixel gets a gradient), "
             "and a pixel meets W's entries in the opposite order to the outputs.",
             attempt(lambda: correlate2d_naive(dy, w, "valid"))),
            ("rows and columns are swapped (a transposed result): dJ/dX has X's shape (U, V).",
             expected.T),
            ("you transposed the kernel: its row and column offsets keep their axes; only the order in "
             "which a pixel meets them changes.", convolve2d_naive(dy, w.T, "full")),
            ("you flipped dJ/dY: the outputs keep their places; only the order in which a pixel meets the "
             "kernel's entries changes.", correlate2d_naive(_flip(dy), w, "full")),
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


ONE_OFF = [(1, 0), (0, 1), (1, 1), (-1, 0), (0, -1), (-1, -1), (1, -1), (-1, 1)]   # (rows, columns)
OFF_BY_ONE_WRITE = ("each output's gradient is written one position off: it reaches pixels one row or one column "
                    "(or both) away from those that output read. Recount, with indices from 0, the first pixel "
                    "of the window output (p, q) read in the forward formula.")


def _shifted(a, rows, cols):
    """``a`` moved by ``rows`` and ``cols`` (each of them -1, 0 or 1), zeros coming in, what leaves the array
    dropped: what a loop that writes one position off (and skips the pixels outside X) returns."""
    out = np.zeros_like(a)
    U, V = a.shape
    out[max(rows, 0):U + min(rows, 0), max(cols, 0):V + min(cols, 0)] = \
        a[max(-rows, 0):U + min(-rows, 0), max(-cols, 0):V + min(-cols, 0)]
    return out


def _stride2_case(shape, seed):
    rng = np.random.default_rng(seed)
    U, V, R, S = shape
    x = rng.standard_normal((U, V))
    w = rng.standard_normal((R, S))
    dy = rng.standard_normal(((U - R) // 2 + 1, (V - S) // 2 + 1))
    return x, w, dy


@checker
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
            ("the stride is missing: output (p, q) read the block of X starting at (2p, 2q), not (p, q).",
             _scatter(dy, w, (U, V), 1, 1)),
            ("the stride applies to the columns too: output (p, q) read the S columns starting at column 2q.",
             _scatter(dy, w, (U, V), 2, 1)),
            ("the stride applies to the rows too: output (p, q) read the R rows starting at row 2p.",
             _scatter(dy, w, (U, V), 1, 2)),
            ("the kernel is flipped: in output (p, q), X(2p + i, 2q + j) met W(i, j), with both offsets "
             "running forwards, and the gradient goes back along the same pairs.", _scatter(dy, _flip(w), (U, V))),
            ("you assigned (=) where two windows overlap: a pixel read by two outputs collects both "
             "contributions.",
             _scatter(dy, w, (U, V), add=False) if R > 2 or S > 2 else None),
            (f"dJ/dX must have X's shape {(U, V)} (x_shape): the last row or column that no window "
             "reached (when U - R or V - S is odd) gets gradient 0, it does not disappear.",
             expected[:reached[0], :reached[1]] if reached != (U, V) else None),
            ("rows and columns are swapped (a transposed result): dJ/dX[a, b] belongs to pixel X(a, b).",
             expected.T),
        ] + [(OFF_BY_ONE_WRITE, _shifted(expected, rows, cols)) for rows, cols in ONE_OFF]
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


def _off_by_one_crop(a, padding, U, V, rows, cols):
    """The crop a student writes with its start ``rows`` and ``cols`` off, sliced as numpy slices it: a start
    of -1 counts from the end (an empty axis), a window past the end comes back shorter."""
    return a[:, :, padding + rows:padding + rows + U, padding + cols:padding + cols + V]


@checker
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
            raise CheckFailure("return the three gradients as one tuple, in the order of the forward pass's "
                               "inputs: dx, dw, db.")
        got_dx, got_dw, got_db = result
        if np.shape(got_dx) == w.shape and np.shape(got_dw) == x.shape and x.shape != w.shape:
            raise CheckFailure(f"dx and dw are swapped for {case}: the order is dx, dw, db (dx has x's shape "
                               f"{x.shape}, dw has w's shape {w.shape}).")
        square = K == C
        compare("dJ/db", got_db, db, [
            (f"there is no sum over the batch: b[k] is added to every output of filter k in every image, "
             f"so dJ/db has one entry per filter (shape ({K},)).", dy.sum(axis=(2, 3))),
            ("you added up over the filters instead of the images: b[k] belongs to filter k alone, and "
             "every image uses it.", dy.sum(axis=(1, 2, 3))),
            ("you averaged instead of adding up: every output adds its own dy to dJ/db.",
             dy.mean(axis=(0, 2, 3))),
            ("you used only the first image: every image's outputs add to dJ/db.",
             dy[0].sum(axis=(1, 2)) if N > 1 else None),
        ], case)
        compare("dJ/dw", got_dw, dw, [
            ("dJ/dw comes from the first image only: the same weights touch every image's outputs, so every "
             "image contributes.", _layer_loops(dy, x, w, padding, first_image_dw=True)[1] if N > 1 else None),
            (f"you averaged over the batch (divided by N = {N}): the cost adds up the images, so its "
             "gradient does too.", dw / N if N > 1 else None),
            ("you convolved (scipy's convolve2d flips its second argument): in output (p, q), "
             "w[k, c, i, j] multiplied x_pad[n, c, p + i, q + j], with the offsets running forwards, so "
             "no flip is involved.", _layer_loops(dy[:, :, ::-1, ::-1], x, w, padding)[1]),
            ("your filters are turned by 180 degrees: follow the weight w[k, c, 0, 0] through the forward "
             "pass to the pixels it met.", dw[:, :, ::-1, ::-1]),
            ("the filter and channel axes are swapped: dw has w's shape (K, C, R, S), filter first.",
             dw.transpose(1, 0, 2, 3) if square else None),
        ], case)
        dx_pad, _ = _layer_loops(dy, x, w, padding)
        dx_mistakes = [
            (f"dx has the padded input's shape: dx has x's shape {x.shape}, and the gradient that reached "
             f"the {padding} zero rows and columns added on each side belongs to no pixel of x.",
             dx_pad if padding else None),
            ("the padding is cropped on one side only: the padding rows and columns sit at the start and "
             "at the end of each axis.", dx_pad[:, :, :U, :V] if padding else None),
            ("some contributions are overwritten: a pixel is read by several outputs and several filters, "
             "and it collects all of their contributions.",
             _crop(_layer_loops(dy, x, w, padding, assign_dx=True)[0], padding, U, V)),
            ("only the first filter reaches dx: every filter read the pixel, so every filter contributes.",
             _crop(_layer_loops(dy[:, :1], x, w[:1], padding)[0], padding, U, V) if K > 1 else None),
            ("the kernel is flipped: in the forward pass x_pad[n, c, p + i, q + j] met w[k, c, i, j], and "
             "the gradient goes back along the same pairs; a flip only appears when dx is written as a "
             "correlation of dy.",
             _crop(_layer_loops(dy, x, w, padding, w_for_dx=w[:, :, ::-1, ::-1])[0], padding, U, V)),
            ("the filter and channel axes of w are swapped: channel c of the input met the weights w[k, c] "
             "of each filter k.",
             _crop(_layer_loops(dy, x, w, padding, w_for_dx=w.transpose(1, 0, 2, 3))[0], padding, U, V)
             if square else None),
        ]
        dx_mistakes.append(("dx is empty for padding 0: your crop keeps no row and no column. With padding 0 a "
                            "slice bound of -padding is 0, the start of the axis, not its end, and a start of -1 "
                            "counts from the end: count the positions from the start of the padded axis.",
                            dx_pad[:, :, :0, :0] if padding == 0 else None))
        dx_mistakes += [(f"you cropped the padded gradient one sample off (padding {padding}): the part you kept "
                         "starts one row or one column before or after x's first pixel. Count where the padding "
                         "put x's first pixel in the padded input.",
                         _off_by_one_crop(dx_pad, padding, U, V, rows, cols)) for rows, cols in ONE_OFF]
        compare("dJ/dx", got_dx, dx, dx_mistakes, case)
    passed("convolution layer backward (dx, dw, db)", len(chosen), _n_hidden(chosen))
