"""Checkers for notebook 02 (Gaussian and Laplacian pyramids).

Exercises, all with the lecture's filter ``h = [1 4 6 4 1] / 16``:

* ``reduce_1d(x)``: blur with h (zeros beyond the ends), keep samples 0, 2, 4, ...;
* ``expand_1d(x, n)``: insert zeros to reach n samples, blur with ``2 h`` (zeros beyond the ends);
* ``collapse(bands, residual)``: ``x_k = L_k + F_k x_{k+1}`` with :func:`lecture_utils.pyramids.expand`.

Every checker uses odd and even lengths, so an answer that only works for powers
of two fails, and names the usual mistakes: the missing factor 2, odd samples
kept, no blur, an off-by-one on odd sizes, other edge rules, a band or the residual left out.
"""

from __future__ import annotations

import numpy as np

from .._validate import checked, function
from ..pyramids import binomial_kernel, expand, laplacian_pyramid, reduce
from ._core import CheckFailure, call_student, compare, passed

K5 = binomial_kernel(5)
# Fine lengths n: the lecture's 8 first, then odd and even lengths >= 5.
REDUCE_LENGTHS = [8, 9, 5, 16, 11]
# (coarse m, fine n): the lecture's F3 (4 -> 8), then odd fine lengths.
EXPAND_LENGTHS = [(4, 8), (5, 9), (3, 5), (6, 12), (7, 13)]
# (image shape, levels): square, odd and non-square, colour, a single level.
COLLAPSE_CASES = [((16, 16), 3), ((13, 9), 3), ((21, 14, 3), 4), ((8, 8), 2), ((9, 7), 1)]


def _blur_zero(x, kernel):
    """Blur with zeros beyond the ends, same length as x."""
    r = kernel.size // 2
    return np.convolve(x, kernel)[r:r + x.size]


def _zeros_inserted(x, n, first=0):
    up = np.zeros(n)
    up[first::2] = x[:len(range(first, n, 2))]
    return up


EDGE_HINT = ("only the samples near the ends are wrong: this exercise treats the signal as zero beyond both "
             "ends, as np.convolve does (scipy.ndimage's default mode='reflect' mirrors; use mode='constant').")


def _edges_only(got, expected, interior: slice):
    """``got`` outside ``interior`` and ``expected`` inside it: equal to ``got`` only when
    just the edge samples differ (None when ``got`` cannot be compared)."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if got.shape != expected.shape:
        return None
    mixed = got.copy()
    mixed[interior] = expected[interior]
    return mixed


@checked(fn=function())
def check_reduce_1d(fn) -> None:
    """Check ``fn(x) -> G x``: blur with [1 4 6 4 1]/16 (zero boundary), keep even indices."""
    for seed, n in enumerate(REDUCE_LENGTHS):
        x = np.random.default_rng(seed).standard_normal(n)
        expected = reduce(x, boundary="zero")
        blurred = _blur_zero(x, K5)
        odd = n % 2 == 1
        mistakes = [
            ("you kept the odd samples 1, 3, 5, ...; keep indices 0, 2, 4, ... (blurred[::2]).",
             blurred[1::2]),
            ("there is no blur: sub-sampling alone aliases. Blur with [1 4 6 4 1] / 16 first.", x[::2]),
            ("the filter is not normalised: divide [1 4 6 4 1] by 16 so that it sums to 1.", 16 * expected),
            ("off by one for odd lengths: n samples keep ceil(n/2) = (n + 1) // 2 of them, "
             "the last sample included.", expected[:n // 2] if odd else None),
            ("you sub-sampled first and blurred afterwards; blur the full signal, then keep every "
             "second sample.", _blur_zero(x[::2], K5)),
            ("your edges are reflected; this exercise pads with zeros (as np.convolve does).",
             reduce(x, boundary="reflect")),
        ]
        case = f"a signal of odd length n={n}" if odd else f"a signal of length n={n}"
        got = call_student(fn, (x.copy(),), case)
        # Outputs 1 .. (n-3)//2 read samples 2i-2 .. 2i+2, all inside the signal.
        mistakes.append((EDGE_HINT, _edges_only(got, expected, slice(1, (n - 3) // 2 + 1))))
        compare("reduce_1d(x)", got, expected, mistakes, case, rtol=1e-10, atol=1e-12)
    passed("reduce_1d", len(REDUCE_LENGTHS))


@checked(fn=function())
def check_expand_1d(fn) -> None:
    """Check ``fn(x, n) -> F x``: zeros inserted to length n, blur with 2 [1 4 6 4 1]/16 (zero boundary)."""
    for seed, (m, n) in enumerate(EXPAND_LENGTHS):
        x = np.random.default_rng(50 + seed).standard_normal(m)
        expected = expand(x, (n,), boundary="zero")
        odd = n % 2 == 1
        mistakes = [
            ("the factor 2 is missing: half the samples are inserted zeros, so blur with "
             "2 * [1 4 6 4 1] / 16 (a constant signal must stay constant).", expected / 2),
            ("the factor is 2 per axis: 4 is for 2-D images, a 1-D signal needs 2.", 2 * expected),
            ("you put x at the odd indices 1, 3, 5, ...; x[i] belongs at index 2 i.",
             None if odd else 2 * _blur_zero(_zeros_inserted(x, n, first=1), K5)),
            ("you returned 2m samples; for odd n the fine signal has n = 2m - 1 samples. "
             "Insert the zeros into an array of length n.",
             expand(x, (2 * m,), boundary="zero") if odd else None),
            ("you repeated each sample instead of inserting zeros; insert zeros, then blur.",
             _blur_zero(np.repeat(x, 2)[:n], K5)),
            ("there is no low-pass filter after inserting zeros.", _zeros_inserted(x, n)),
            ("your edges are reflected; this exercise pads with zeros (as np.convolve does).",
             expand(x, (n,), boundary="reflect")),
        ]
        case = f"m={m} coarse samples expanded to odd n={n}" if odd else f"m={m} samples expanded to n={n}"
        got = call_student(fn, (x.copy(), n), case)
        # Outputs 2 .. n-3 read fine indices j-2 .. j+2, all inside the signal.
        mistakes.append((EDGE_HINT, _edges_only(got, expected, slice(2, n - 2))))
        compare("expand_1d(x, n)", got, expected, mistakes, case, rtol=1e-10, atol=1e-12)
    passed("expand_1d", len(EXPAND_LENGTHS))


def _collapse_variants(bands, residual):
    """The usual wrong collapses, computed for one pyramid."""
    def run(start, combine, skip_finest=False):
        x = start
        for k in range(len(bands) - 1, -1, -1):
            up = expand(x, bands[k].shape)
            x = up if (skip_finest and k == 0) else combine(bands[k], up)
        return x

    add = lambda band, up: band + up  # noqa: E731 (the lecture's step, for the variants)
    return {
        "residual": run(np.zeros_like(residual), add),
        "sign": run(residual, lambda band, up: up - band),
        "finest": run(residual, add, skip_finest=True),
        "no bands": run(residual, lambda band, up: up),
    }


@checked(fn=function())
def check_collapse(fn) -> None:
    """Check ``fn(bands, residual) -> x_1`` with ``x_k = L_k + expand(x_{k+1}, L_k.shape)``."""
    for seed, (shape, levels) in enumerate(COLLAPSE_CASES):
        image = np.random.default_rng(200 + seed).uniform(0, 1, shape)
        pyramid = laplacian_pyramid(image, levels)
        bands, residual = list(pyramid.bands), pyramid.lowpass
        wrong = _collapse_variants(bands, residual)
        mistakes = [
            ("the low-pass residual x_K is missing: start the loop from x = residual.", wrong["residual"]),
            ("the sign is flipped: the lecture adds the band, x_k = L_k + F_k x_{k+1}.", wrong["sign"]),
            ("off by one: the finest band L_1 is not added. Loop over every band, L_{K-1} down to L_1.",
             wrong["finest"]),
            ("you expanded without adding the bands: x_k = L_k + F_k x_{k+1} needs both.", wrong["no bands"]),
        ]
        case = f"an image of shape {shape} with {levels} levels ({len(bands)} bands + residual)"
        got = call_student(fn, ([b.copy() for b in bands], residual.copy()), case)
        compare("collapse(bands, residual)", got, image, mistakes, case, rtol=1e-10, atol=1e-10)
    passed("collapse (Laplacian reconstruction)", len(COLLAPSE_CASES))


__all__ = ["CheckFailure", "check_collapse", "check_expand_1d", "check_reduce_1d"]
