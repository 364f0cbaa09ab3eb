"""Checker quality for notebook 05: reference answers pass, typical wrong answers are named.

Every wrong answer (mutant) is written the way a student would write it, with numpy
loops, slicing or scipy.signal, never by calling lecture_utils (the checkers refuse
answers that do, which is tested separately).
"""

import numpy as np
import pytest
from checker_probes import assert_hard_coded_fails_hidden
from scipy import signal

import lecture_utils.checks.conv
import lecture_utils.conv
from lecture_utils.checks import CheckFailure
from lecture_utils.checks.conv import (check_conv_layer_backward, check_input_gradient,
                                       check_input_gradient_stride2, check_weight_gradient)

CHECKERS = {"weight": check_weight_gradient, "input": check_input_gradient,
            "stride2": check_input_gradient_stride2, "layer": check_conv_layer_backward}


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
    "turned by 180 degrees": lambda X, g: weight_gradient_loops(X, g)[::-1, ::-1],
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
    with pytest.raises(CheckFailure, match="not flipped, or flipped twice"):
        check_input_gradient(lambda g, W: input_gradient_scatter(g, W[::-1, ::-1]))


def _no_flip(g, W):
    return input_gradient_loops(g, W[::-1, ::-1])  # flipping twice = not flipping


INPUT_MUTANTS = {
    "the kernel's orientation is wrong": _no_flip,
    "used 'valid' mode": lambda g, W: signal.convolve2d(g, W, "valid") if (
        g.shape[0] >= W.shape[0] and g.shape[1] >= W.shape[1]) else np.zeros((1, 1)),
    "'valid' mode and the kernel's orientation": lambda g, W: signal.correlate2d(g, W, "valid") if (
        g.shape[0] >= W.shape[0] and g.shape[1] >= W.shape[1]) else np.zeros((1, 1)),
    "rows and columns are swapped": lambda g, W: input_gradient_loops(g, W).T,
    "you transposed the kernel": lambda g, W: input_gradient_loops(g, W.T),
    # One axis of the kernel in the wrong order, written either way: the message names the axis that is
    # wrong in the result (a correlation flipped along the rows only = a scatter flipped along the columns).
    "W's columns meet the pixels in the wrong order": lambda g, W: signal.correlate2d(g, np.flipud(W), "full"),
    "W's columns meet the pixels in the wrong order and its rows in the right one \\(a flip too many": (
        lambda g, W: input_gradient_scatter(g, W[:, ::-1])),
    "W's rows meet the pixels in the wrong order": lambda g, W: input_gradient_loops(g, W[::-1]),  # rows twice
    "W's rows meet the pixels in the wrong order and its columns in the right one": (
        lambda g, W: input_gradient_scatter(g, W[::-1])),
    "you flipped dJ/dY: the outputs keep their places": lambda g, W: signal.correlate2d(g[::-1, ::-1], W, "full"),
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


# ---------------------------------------------------------------- dJ/dX with stride 2

def stride2_scatter(dJ_dY, W, x_shape, row_step=2, col_step=2, accumulate=True, kernel=None):
    """The natural answer: output (p, q)'s gradient times W lands on the block at (2p, 2q)."""
    R, S = W.shape
    kernel = W if kernel is None else kernel
    dJ_dX = np.zeros(x_shape)
    for p in range(dJ_dY.shape[0]):
        for q in range(dJ_dY.shape[1]):
            rows, cols = slice(row_step * p, row_step * p + R), slice(col_step * q, col_step * q + S)
            if accumulate:
                dJ_dX[rows, cols] += dJ_dY[p, q] * kernel
            else:
                dJ_dX[rows, cols] = dJ_dY[p, q] * kernel
    return dJ_dX


def stride2_one_off(dJ_dY, W, x_shape, rows=1, cols=1):
    """The scatter written entry by entry with its write position one off (pixels outside X skipped)."""
    U, V = x_shape
    R, S = W.shape
    dJ_dX = np.zeros(x_shape)
    for p in range(dJ_dY.shape[0]):
        for q in range(dJ_dY.shape[1]):
            for i in range(R):
                for j in range(S):
                    a, b = 2 * p + i + rows, 2 * q + j + cols
                    if 0 <= a < U and 0 <= b < V:
                        dJ_dX[a, b] += dJ_dY[p, q] * W[i, j]
    return dJ_dX


def spread(dJ_dY):
    """dJ/dY at the stride-1 positions, zeros in between: (2P - 1, 2Q - 1)."""
    out = np.zeros((2 * dJ_dY.shape[0] - 1, 2 * dJ_dY.shape[1] - 1))
    out[::2, ::2] = dJ_dY
    return out


def stride2_via_spread(dJ_dY, W, x_shape, correlate=False, pad_to_x=True):
    """The notebook's derivation: spread dJ/dY, full convolution with W, zeros for unreached pixels."""
    full = (signal.correlate2d if correlate else signal.convolve2d)(spread(dJ_dY), W, "full")
    if not pad_to_x:
        return full
    dJ_dX = np.zeros(x_shape)
    dJ_dX[:full.shape[0], :full.shape[1]] = full
    return dJ_dX


def test_stride2_reference_passes(capsys):
    check_input_gradient_stride2(stride2_scatter)
    assert capsys.readouterr().out.startswith("PASS dJ/dX with stride 2")


def test_stride2_spread_and_convolve_passes():
    check_input_gradient_stride2(stride2_via_spread)


STRIDE2_MUTANTS = {
    "the stride is missing": lambda g, W, s: stride2_scatter(g, W, s, row_step=1, col_step=1),
    "applies to the columns too": lambda g, W, s: stride2_scatter(g, W, s, col_step=1),
    "applies to the rows too": lambda g, W, s: stride2_scatter(g, W, s, row_step=1),
    "the kernel is flipped": lambda g, W, s: stride2_via_spread(g, W, s, correlate=True),
    "the kernel is flipped: in output \\(p, q\\)": lambda g, W, s: stride2_scatter(g, W, s, kernel=W[::-1, ::-1]),
    "you assigned \\(=\\) where two windows overlap": lambda g, W, s: stride2_scatter(g, W, s, accumulate=False),
    "must have X's shape": lambda g, W, s: stride2_via_spread(g, W, s, pad_to_x=False),
    "rows and columns are swapped": lambda g, W, s: stride2_scatter(g, W, s).T,
    "written one position off": stride2_one_off,
    "gradient is written one position off: it reaches pixels one row": (
        lambda g, W, s: stride2_one_off(g, W, s, rows=-1, cols=0)),
    "forget the `return`": lambda g, W, s: None,
    "right shape but wrong values": lambda g, W, s: stride2_scatter(g, W, s) * 1.01,
}


@pytest.mark.parametrize("hint", STRIDE2_MUTANTS)
def test_stride2_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_input_gradient_stride2(STRIDE2_MUTANTS[hint])


# ---------------------------------------------------------------- the layer: dx, dw, db

def layer_backward(dy, x, w, padding, *, db_axes=(0, 2, 3), db_mean=False, dw_images=None, dw_scale=1.0,
                   dw_convolve=False, dx_assign=False, dx_kernel=None, dx_filters=None, crop="both"):
    """A student's loops for the layer's backward, with switchable mistakes."""
    N, C, H, W = x.shape
    K, _, R, S = w.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dx_pad, dw = np.zeros_like(x_pad), np.zeros_like(w)
    kernel = w if dx_kernel is None else dx_kernel
    for n in range(N):
        for k in range(K if dx_filters is None else dx_filters):
            for p in range(dy.shape[2]):
                for q in range(dy.shape[3]):
                    rows, cols = slice(p, p + R), slice(q, q + S)
                    if dx_assign:
                        dx_pad[n, :, rows, cols] = dy[n, k, p, q] * kernel[k]
                    else:
                        dx_pad[n, :, rows, cols] += dy[n, k, p, q] * kernel[k]
    for n in range(N if dw_images is None else dw_images):
        for k in range(K):
            for c in range(C):
                if dw_convolve:
                    dw[k, c] += signal.convolve2d(x_pad[n, c], dy[n, k], "valid")
                else:
                    dw[k, c] += signal.correlate2d(x_pad[n, c], dy[n, k], "valid")
    db = dy.mean(axis=db_axes) if db_mean else dy.sum(axis=db_axes)
    if crop == "both":
        dx = dx_pad[:, :, padding:padding + H, padding:padding + W]
    elif crop == "start":
        dx = dx_pad[:, :, :H, :W]
    elif crop == "minus padding":
        dx = dx_pad[:, :, padding:-padding, padding:-padding]
    elif crop == "one late":
        dx = dx_pad[:, :, padding + 1:padding + 1 + H, padding + 1:padding + 1 + W]
    elif crop == "one early in the rows":
        dx = dx_pad[:, :, padding - 1:padding - 1 + H, padding:padding + W]
    else:
        dx = dx_pad
    return dx, dw * dw_scale, db


def test_layer_reference_passes(capsys):
    check_conv_layer_backward(layer_backward)
    assert capsys.readouterr().out.startswith("PASS convolution layer backward")


def test_layer_as_full_correlations_passes():
    # the notebook's summary form: dx_pad[n, c] = sum_k dy[n, k] * w[k, c] (full convolution)
    def by_convolutions(dy, x, w, padding):
        N, C, H, W = x.shape
        dx_pad = np.zeros((N, C, H + 2 * padding, W + 2 * padding))
        for n in range(N):
            for c in range(C):
                for k in range(w.shape[0]):
                    dx_pad[n, c] += signal.convolve2d(dy[n, k], w[k, c], "full")
        dw = layer_backward(dy, x, w, padding)[1]
        return dx_pad[:, :, padding:padding + H, padding:padding + W], dw, dy.sum(axis=(0, 2, 3))

    check_conv_layer_backward(by_convolutions)


def _swapped_kw(dy, x, w, padding):
    return layer_backward(dy, x, w, padding, dx_kernel=w.transpose(1, 0, 2, 3))


LAYER_MUTANTS = {
    "dJ/db is wrong .* there is no sum over the batch": lambda *a: layer_backward(*a, db_axes=(2, 3)),
    "averaged instead of adding up": lambda *a: layer_backward(*a, db_mean=True),
    "dJ/dw comes from the first image only": lambda *a: layer_backward(*a, dw_images=1),
    "averaged over the batch": lambda dy, x, w, p: layer_backward(dy, x, w, p, dw_scale=1 / len(x)),
    "you convolved \\(scipy's convolve2d flips": lambda *a: layer_backward(*a, dw_convolve=True),
    "your filters are turned by 180 degrees": lambda *a: (lambda dx, dw, db: (dx, dw[:, :, ::-1, ::-1], db))(*layer_backward(*a)),
    "dx has the padded input's shape": lambda *a: layer_backward(*a, crop="none"),
    "cropped on one side only": lambda *a: layer_backward(*a, crop="start"),
    "dx is empty for padding 0": lambda *a: layer_backward(*a, crop="minus padding"),
    "you cropped the padded gradient one sample off": lambda *a: layer_backward(*a, crop="one late"),
    "cropped the padded gradient one sample off \\(padding": lambda *a: layer_backward(*a, crop="one early in the rows"),
    "some contributions are overwritten": lambda *a: layer_backward(*a, dx_assign=True),
    "only the first filter reaches dx": lambda *a: layer_backward(*a, dx_filters=1),
    "dJ/dx is wrong .* the kernel is flipped": lambda dy, x, w, p: layer_backward(
        dy, x, w, p, dx_kernel=w[:, :, ::-1, ::-1]),
    "filter and channel axes of w are swapped": _swapped_kw,
    "dx and dw are swapped": lambda *a: (lambda dx, dw, db: (dw, dx, db))(*layer_backward(*a)),
    "three gradients as one tuple": lambda *a: layer_backward(*a)[:2],
    "added up over the filters instead of the images": lambda dy, x, w, p: (
        layer_backward(dy, x, w, p)[:2] + (dy.sum(axis=(1, 2, 3)),)),
    "used only the first image: every image's outputs": lambda dy, x, w, p: (
        layer_backward(dy, x, w, p)[:2] + (dy[0].sum(axis=(1, 2)),)),
    "the filter and channel axes are swapped: dw has w's shape": lambda *a: (
        lambda dx, dw, db: (dx, dw.transpose(1, 0, 2, 3), db))(*layer_backward(*a)),
}


@pytest.mark.parametrize("hint", LAYER_MUTANTS)
def test_layer_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_conv_layer_backward(LAYER_MUTANTS[hint])


# ---------------------------------------------------------------- answers that only look right

REFERENCES = {"weight": weight_gradient_loops, "input": input_gradient_loops,
              "stride2": stride2_scatter, "layer": layer_backward}

DELEGATIONS = {
    "weight": (lambda X, g: lecture_utils.conv.correlate2d_naive(X, g), "lecture_utils.conv.correlate2d_naive"),
    "input": (lambda g, W: lecture_utils.conv.convolve2d_naive(g, W, "full"), "lecture_utils.conv.convolve2d_naive"),
    "stride2": (lambda g, W, s: lecture_utils.conv.conv2d_backward(
        g[None, None], lecture_utils.conv.conv2d_forward(np.zeros((1, 1, *s)), W[None, None], stride=2)[1]
    )[0][0, 0], "lecture_utils.conv.conv2d_forward"),
    "layer": (lambda dy, x, w, p: lecture_utils.conv.conv2d_backward_naive(
        dy, lecture_utils.conv.conv2d_forward_naive(x, w, padding=p)[1]), "lecture_utils.conv.conv2d_forward_naive"),
}


@pytest.mark.parametrize("name", CHECKERS)
def test_an_answer_delegating_to_the_package_is_refused(name):
    fn, called = DELEGATIONS[name]
    with pytest.raises(CheckFailure, match=f"calls {called}, the package's own code"):
        CHECKERS[name](fn)


def test_an_answer_calling_the_checker_s_own_reference_code_is_refused():
    """The checkers' reference loops are the package's code too (they were once exempt)."""
    def layer_from_the_checker(dy, x, w, padding):
        dx_pad, dw = lecture_utils.checks.conv._layer_loops(dy, x, w, padding)
        U, V = x.shape[2:]
        return dx_pad[:, :, padding:padding + U, padding:padding + V], dw, dy.sum(axis=(0, 2, 3))
    with pytest.raises(CheckFailure, match="calls lecture_utils.checks.conv._layer_loops, the package's own code"):
        check_conv_layer_backward(layer_from_the_checker)


def _complex(name):
    ref = REFERENCES[name]
    if name == "layer":
        return lambda *a: tuple(g + 0j for g in ref(*a))
    return lambda *a: ref(*a) + 0j


@pytest.mark.parametrize("name", CHECKERS)
def test_complex_and_string_results_are_refused(name):
    with pytest.raises(CheckFailure, match="is complex"):
        CHECKERS[name](_complex(name))
    text = (lambda *a: ("dx", "dw", "db")) if name == "layer" else (lambda *a: "dJ/dX")
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        CHECKERS[name](text)


@pytest.mark.parametrize("name", CHECKERS)
def test_an_answer_hard_coded_to_the_visible_cases_fails_the_hidden_ones(name):
    assert_hard_coded_fails_hidden(CHECKERS[name], REFERENCES[name])


def test_cases_argument_is_validated():
    with pytest.raises(ValueError, match="cases must be 'all', 'visible' or 'hidden'"):
        check_weight_gradient(weight_gradient_loops, cases="some")


def test_non_function_is_refused():
    with pytest.raises(CheckFailure, match="fn must be your function itself"):
        check_conv_layer_backward(np.zeros(3))
