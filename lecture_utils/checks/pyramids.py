"""Checkers for notebook 02 (Gaussian and Laplacian pyramids).

Exercises, all with the lecture's binomial filter ``h``:

* ``reduce_1d(x)``: the operator G, blur with h (zeros beyond the ends) and sub-sample;
* ``expand_1d(x, n)``: insert zeros to reach n samples, blur with ``g h`` (zeros beyond the ends);
  the student derives the gain g;
* ``build_laplacian(image, levels)``: the bands ``L_k`` and the residual ``x_K``,
  with the package's :func:`~lecture_utils.pyramids.reduce` and :func:`~lecture_utils.pyramids.expand`;
* ``collapse(bands, residual)``: the image back from its pyramid, with :func:`~lecture_utils.pyramids.expand`;
* ``blend_images(a, b, mask, levels)``: Burt and Adelson's multi-resolution blend (the package's
  pyramids allowed, not ``blend``).

Every checker runs visible cases, then hidden ones of other shapes (``cases="all" | "visible" |
"hidden"``), uses odd and even lengths, so an answer that only works for powers of two fails, and
names the usual mistakes: a missing gain, odd samples kept, no blur, an off-by-one on odd
sizes, np.convolve's modes and other edge rules, a band or the residual left out, the sign of a band,
swapped weights.
"""

from __future__ import annotations

import inspect
import types

import numpy as np

from .. import pyramids as _lecture
from .._validate import Spec
from ..pyramids import (LaplacianPyramid, binomial_kernel, blend, expand, gaussian_pyramid,
                        laplacian_pyramid, reduce)
from ._core import CheckFailure, call_student, checker, compare, passed, test_cases
from .predictions import Prediction

K5 = binomial_kernel(5)

# Fine lengths n: the lecture's 8 first, then odd and even lengths >= 5.
REDUCE_LENGTHS = [8, 9, 5, 16, 11]
REDUCE_HIDDEN = [7, 12, 21, 6]
# (coarse m, fine n): the lecture's F3 (4 -> 8), then odd fine lengths.
EXPAND_LENGTHS = [(4, 8), (5, 9), (3, 5), (6, 12), (7, 13)]
EXPAND_HIDDEN = [(8, 16), (4, 7), (10, 19)]
# (image shape, levels K): square, odd and non-square, colour, a single band, no band at all.
LAPLACIAN_CASES = [((16, 16), 3), ((13, 9), 3), ((21, 14, 3), 4), ((9, 7), 2), ((8, 8), 1)]
LAPLACIAN_HIDDEN = [((12, 10), 3), ((17, 11, 3), 3), ((32, 24), 5)]
# (image shape, levels): square, odd and non-square, colour, a single band, no band at all.
COLLAPSE_CASES = [((16, 16), 3), ((13, 9), 3), ((21, 14, 3), 4), ((8, 8), 2), ((9, 7), 1)]
COLLAPSE_HIDDEN = [((12, 10), 3), ((17, 11, 3), 3), ((32, 24), 5)]
# (image shape, levels, mask): a straight seam, a blob, colour with a 2-D mask, a soft mask.
BLEND_CASES = [((16, 16), 3, "left half"), ((13, 9), 3, "blob"), ((20, 14, 3), 4, "left half"),
               ((12, 12), 2, "soft"), ((11, 15, 3), 3, "blob")]
BLEND_HIDDEN = [((17, 12), 3, "top half"), ((24, 16, 3), 4, "blob"), ((10, 10), 2, "soft")]


# ---------------------------------------------------------------------------- what an answer may call

def may_use(module, *public) -> frozenset:
    """``allowed`` for :func:`call_student`: the ``public`` functions of ``module`` and what they run inside it.

    The call tracer sees every call, nested ones too: an allowed ``expand`` runs private
    helpers (``_blur``, the argument specs' ``__call__``, comprehensions) and sometimes other
    public functions (``laplacian_pyramid`` runs ``gaussian_pyramid``, ``reduce``, ``expand``).
    They are collected from the code itself, following the names each function reads, so
    every other public function of the module (``blend``, ``reconstruct``, ...) stays refused.
    """
    namespace = vars(module)
    names, seen = set(), set()
    todo = [namespace[name] for name in public]
    # The module's argument specs run inside every decorated function (before its body). Result
    # classes (a dataclass and its properties) come in through the functions that name them.
    todo += [v for v in namespace.values()
             if inspect.isclass(v) and v.__module__ == module.__name__ and issubclass(v, Spec)]

    def walk(code):
        names.add(code.co_name)
        for name in code.co_names:
            target = namespace.get(name)
            if (inspect.isfunction(target) or inspect.isclass(target)) and target.__module__ == module.__name__:
                todo.append(target)
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                walk(const)

    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if inspect.isclass(obj):
            for member in vars(obj).values():
                member = member.fget if isinstance(member, property) else member
                if inspect.isfunction(member):
                    todo.append(member)
        elif inspect.isfunction(obj):
            walk(inspect.unwrap(obj).__code__)
    return frozenset(f"{module.__name__}.{name}" for name in names)


# Even where no lecture function is allowed, the module's argument specs are: a call of
# reduce() runs its specs first, and the refusal should name reduce, not a spec's __call__.
ALLOW_NOTHING = may_use(_lecture)
ALLOW_REDUCE_EXPAND = may_use(_lecture, "reduce", "expand")
ALLOW_EXPAND = may_use(_lecture, "expand")
ALLOW_PYRAMIDS = may_use(_lecture, "laplacian_pyramid", "gaussian_pyramid", "reconstruct")


# ---------------------------------------------------------------------------- 1-D helpers

def _blur_zero(x, kernel):
    """Blur with zeros beyond the ends, same length as x."""
    r = kernel.size // 2
    return np.convolve(x, kernel)[r:r + x.size]


def _zeros_inserted(x, n, first=0):
    up = np.zeros(n)
    up[first::2] = x[:len(range(first, n, 2))]
    return up


EDGE_HINT = ("only the samples near the ends are wrong: this exercise takes the signal as zero beyond both "
             "ends, as np.convolve does (scipy.ndimage mirrors the signal unless told otherwise).")
FULL_MODE = ("np.convolve's default mode, 'full', returns n + 4 samples: two more at each end, where the filter "
             "hangs over the signal. The blurred signal keeps x's n samples, each centred on its input sample.")
SHIFTED = ("your blurred signal is shifted by two samples: you kept the first n samples of the 'full' "
           "convolution, so each output is centred two samples to the right of its input.")


def _real_array(value, shape):
    """``value`` as a float64 array when it is a real numeric array of ``shape``, else None."""
    try:
        value = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if value.dtype == bool or not np.issubdtype(value.dtype, np.number) or np.iscomplexobj(value):
        return None
    return value.astype(np.float64) if value.shape == shape else None


def _edges_only(got, expected, interior: slice):
    """``got`` outside ``interior`` and ``expected`` inside it: equal to ``got`` only when
    just the edge samples differ (None when ``got`` cannot be compared)."""
    got = _real_array(got, expected.shape)
    if got is None:
        return None                      # as_result_array or the shape check names what is wrong with it
    mixed = got.copy()
    mixed[interior] = expected[interior]
    return mixed


def _n_hidden(chosen) -> int:
    return sum(hidden for *_, hidden in chosen)


# ---------------------------------------------------------------------------- exercise 1: reduce_1d

@checker
def check_reduce_1d(fn, cases: str = "all") -> None:
    """Check ``fn(x) -> G x`` for 1-D signals of odd and even lengths (zero boundary)."""
    chosen = test_cases(REDUCE_LENGTHS, REDUCE_HIDDEN, cases)
    for seed, n, _ in chosen:
        x = np.random.default_rng(seed).standard_normal(n)
        expected = reduce(x, boundary="zero")
        blurred = _blur_zero(x, K5)
        odd = n % 2 == 1
        full = np.convolve(x, K5)
        mistakes = [
            ("you kept the odd samples; G keeps the samples at even indices, starting with the first.",
             blurred[1::2]),
            ("there is no blur: sub-sampling alone aliases, so G low-passes the signal first.", x[::2]),
            ("your blur multiplies the signal by 16: a low-pass filter's taps add up to 1, so that a constant "
             "signal stays constant.", 16 * expected),
            ("one sample short for an odd length: a signal of odd length keeps its first and its last sample; "
             "count the even indices below n.", expected[:n // 2] if odd else None),
            ("you sub-sampled first and blurred afterwards; G blurs the whole signal, then keeps every "
             "second sample.", _blur_zero(x[::2], K5)),
            ("your edges are mirrored; this exercise takes the signal as zero beyond both ends.",
             reduce(x, boundary="reflect")),
            (FULL_MODE, full[::2]),
            ("np.convolve's mode 'valid' drops the samples where the filter hangs over an end; this exercise "
             "keeps all n samples and takes the signal as zero beyond the ends.",
             np.convolve(x, K5, mode="valid")[::2]),
            (SHIFTED, full[:n][::2]),
        ]
        case = f"a signal of odd length n={n}" if odd else f"a signal of length n={n}"
        got = call_student(fn, (x.copy(),), case, allowed=ALLOW_NOTHING)
        # Outputs 1 .. (n-3)//2 read samples 2i-2 .. 2i+2, all inside the signal.
        mistakes.append((EDGE_HINT, _edges_only(got, expected, slice(1, (n - 3) // 2 + 1))))
        compare("reduce_1d(x)", got, expected, mistakes, case, rtol=1e-10, atol=1e-12)
    passed("reduce_1d", len(chosen), _n_hidden(chosen))


# ---------------------------------------------------------------------------- exercise 2: expand_1d

GAIN_HINT = ("your result is a constant multiple of the right one, so a constant signal does not stay "
             "constant: the gain is off. Work it out from the taps of the blur that meet a non-zero sample at "
             "an even output and at an odd one.")


def _constant_multiple(got, expected):
    """``got`` if it is a multiple of ``expected`` other than 1 (a wrong gain), else None."""
    got = np.asarray(got)
    if got.dtype.kind not in "iuf":
        return None
    scale = float(np.vdot(expected, expected))
    if got.shape != expected.shape or scale == 0 or not np.all(np.isfinite(got)):
        return None
    ratio = float(np.vdot(expected, got)) / scale
    if abs(ratio) < 1e-12 or np.isclose(ratio, 1.0) or not np.allclose(got, ratio * expected, rtol=1e-6, atol=1e-12):
        return None
    return got


@checker
def check_expand_1d(fn, cases: str = "all") -> None:
    """Check ``fn(x, n) -> F x``, the expansion to n samples with the gain the student derives (zero boundary)."""
    chosen = test_cases(EXPAND_LENGTHS, EXPAND_HIDDEN, cases)
    for seed, (m, n), _ in chosen:
        x = np.random.default_rng(50 + seed).standard_normal(m)
        expected = expand(x, (n,), boundary="zero")
        odd = n % 2 == 1
        full = 2 * np.convolve(_zeros_inserted(x, n), K5)
        mistakes = [
            ("you put x at the odd indices; x_i belongs at index 2 i.",
             None if odd else 2 * _blur_zero(_zeros_inserted(x, n, first=1), K5)),
            ("you returned 2m samples; the fine signal has n samples, and an odd n is 2m - 1.",
             expand(x, (2 * m,), boundary="zero") if odd else None),
            ("you repeated each sample instead of inserting zeros; insert zeros, then blur.",
             _blur_zero(np.repeat(x, 2)[:n], K5)),
            ("there is no low-pass filter after inserting zeros: the zeros between the samples stay.",
             _zeros_inserted(x, n)),
            ("your edges are mirrored; this exercise takes the signal as zero beyond both ends.",
             expand(x, (n,), boundary="reflect")),
            (FULL_MODE, full),
            (SHIFTED, full[:n]),
        ]
        case = f"m={m} coarse samples expanded to odd n={n}" if odd else f"m={m} samples expanded to n={n}"
        got = call_student(fn, (x.copy(), n), case, allowed=ALLOW_NOTHING)
        # Outputs 2 .. n-3 read fine indices j-2 .. j+2, all inside the signal.
        mistakes.append((EDGE_HINT, _edges_only(got, expected, slice(2, n - 2))))
        # Any other gain: named without its ratio, which would hand over the gain the exercise derives.
        mistakes.append((GAIN_HINT, _constant_multiple(got, expected)))
        compare("expand_1d(x, n)", got, expected, mistakes, case, rtol=1e-10, atol=1e-12)
    passed("expand_1d", len(chosen), _n_hidden(chosen))


# ---------------------------------------------------------------------------- exercise 3: build_laplacian

def _laplacian_variants(image, levels):
    """The usual wrong Laplacian pyramids of one image: name -> (bands, residual)."""
    gauss = gaussian_pyramid(image, levels)
    right = [fine - expand(coarse, fine.shape) for fine, coarse in zip(gauss[:-1], gauss[1:])]
    reduced_bands, x = [], image                      # x_{k+1} = G L_k: the band reduced, not the level
    for _ in range(levels - 1):
        band = x - expand(reduce(x), x.shape)
        reduced_bands.append(band)
        x = reduce(band)
    zero = gaussian_pyramid(image, levels, boundary="zero")
    zero_bands = [fine - expand(coarse, fine.shape, boundary="zero") for fine, coarse in zip(zero[:-1], zero[1:])]
    return {
        "sign": [-band for band in right],
        "reduced the band": reduced_bands,
        "gaussian": gauss[:-1],
        "zero": zero_bands,
    }


SAME_LEVEL = ("your band is a filter of x_k at its own resolution, such as a difference of two blurs (x_k minus a "
              "blurred x_k, or a difference of Gaussians): it never goes through the next coarser level. The "
              "lecture's band is what the coarser level, expanded back to the size of x_k, cannot explain of x_k: "
              "go down a level and back up.")
_SHIFT_PROBE = np.random.default_rng(2).uniform(0, 1, (40, 40))
_SHIFT_MARGIN = 10          # pixels from each border of the probe that the comparison leaves out


def _if_same_level_filter(fn, band, expected):
    """The student's finest band ``band`` when their function filters the image at its own resolution (a
    difference of blurs does), else ``expected`` (which a wrong band does not match: not this mistake).

    Such a band moves with the image: away from the borders, the band of the image without its first row
    and column is the image's band without its first row and column. The lecture's band does not
    (it goes through the coarser level, which keeps every second sample), so one extra run of the
    student's function on a 40 x 40 probe and on the probe shifted by one pixel tells them apart. The
    student's function runs again only when their band is wrong.
    """
    band = _real_array(band, expected.shape)
    if band is None or np.allclose(band, expected, rtol=1e-10, atol=1e-12):
        return expected           # compare() says what is wrong with it, or it is right
    finest = []
    for image in (_SHIFT_PROBE, _SHIFT_PROBE[1:, 1:]):
        try:
            result = call_student(fn, (image.copy(), 2), f"a test image of shape {image.shape} with K=2 levels",
                                  allowed=ALLOW_REDUCE_EXPAND)
            first = _real_array(result[0][0], image.shape)
        except (CheckFailure, TypeError, IndexError, KeyError):
            return expected
        if first is None:
            return expected
        finest.append(first)
    m = _SHIFT_MARGIN
    inner = finest[0][1 + m:-m, 1 + m:-m]
    scale = np.abs(inner).max()
    moves = scale > 1e-9 and np.allclose(finest[1][m:-m, m:-m], inner, rtol=0, atol=1e-9 * scale)
    return band if moves else expected


def _as_pyramid_result(result, levels, case):
    """The student's ``(bands, residual)``, checked for its structure (a clear message for each slip)."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailure("return the bands and the residual as a pair: return bands, residual "
                           f"(bands a list of {levels - 1} arrays, finest first), for {case}.")
    bands, residual = result
    if not isinstance(bands, (list, tuple)):
        what = f"an array of shape {np.shape(bands)}" if isinstance(bands, np.ndarray) else type(bands).__name__
        raise CheckFailure(f"the first thing you return must be the list of bands [L_1, ..., L_{{K-1}}], got "
                           f"{what} for {case}: return bands, residual.")
    if len(bands) == levels:
        raise CheckFailure(f"you returned {levels} bands for K={levels} levels, for {case}. K counts the "
                           "residual: the pyramid holds K - 1 band-pass levels L_1 .. L_{K-1} and x_K "
                           "itself, unchanged, as the residual.")
    if len(bands) != levels - 1:
        raise CheckFailure(f"bands holds {len(bands)} arrays but K={levels} levels need K - 1 = {levels - 1} "
                           f"bands (plus the residual), for {case}.")
    return list(bands), residual


@checker
def check_laplacian_pyramid(fn, cases: str = "all") -> None:
    """Check ``fn(image, levels) -> (bands, residual)`` against :func:`lecture_utils.pyramids.laplacian_pyramid`."""
    chosen = test_cases(LAPLACIAN_CASES, LAPLACIAN_HIDDEN, cases)
    for seed, (shape, levels), _ in chosen:
        image = np.random.default_rng(300 + seed).uniform(0, 1, shape)
        pyramid = laplacian_pyramid(image, levels)
        gauss = gaussian_pyramid(image, levels)
        wrong = _laplacian_variants(image, levels)
        n_bands = levels - 1
        case = (f"an image of shape {shape} with K={levels} levels ({n_bands} band{'s' * (n_bands != 1)} "
                "+ residual)")
        result = call_student(fn, (image.copy(), levels), case, allowed=ALLOW_REDUCE_EXPAND)
        bands, residual = _as_pyramid_result(result, levels, case)
        shapes = [np.shape(b) for b in bands]
        expected_shapes = [b.shape for b in pyramid.bands]
        if n_bands > 1 and shapes == expected_shapes[::-1]:
            raise CheckFailure(f"your bands are coarsest first, for {case}: the lecture lists them finest "
                               "first, L_1 (the image's size) to L_{K-1}.")
        for k, expected in enumerate(pyramid.bands):
            mistakes = [
                ("the sign is flipped: a band is what the coarser level cannot explain, the level minus "
                 "what the coarser level predicts of it.", wrong["sign"][k]),
                ("after the first band you reduced the band; the next Gaussian level is reduced from the "
                 "level x_k itself.", wrong["reduced the band"][k]),
                ("you stored the Gaussian levels; a band keeps only what the coarser level, expanded back, "
                 "cannot explain of its level.", wrong["gaussian"][k]),
                ("you used boundary='zero'; use reduce and expand with their default boundary, as the "
                 "exercise says.", wrong["zero"][k]),
            ]
            if k == 0:
                mistakes.append((SAME_LEVEL, _if_same_level_filter(fn, bands[0], expected)))
            compare(f"bands[{k}] (L_{k + 1})", bands[k], expected, mistakes, case, rtol=1e-10, atol=1e-12)
        finer = gauss[-2] if levels > 1 else None
        compare("the residual", residual, pyramid.lowpass, [
            ("the residual is one level too fine: the residual x_K is reduced once more than the last band's "
             "level.", finer),
            ("the residual is stored at its own size, not expanded: the expanded version is only its "
             "prediction of the finer level.", expand(pyramid.lowpass, finer.shape) if finer is not None else None),
            ("the residual is one level too coarse: x_K is the K-th Gaussian level, reduced K - 1 times.",
             reduce(pyramid.lowpass) if min(pyramid.lowpass.shape[:2]) > 1 else None),
        ], case, rtol=1e-10, atol=1e-12)
    passed("build_laplacian (bands and residual)", len(chosen), _n_hidden(chosen))


# ---------------------------------------------------------------------------- exercise 4: collapse

def _repeat_up(x, shape):
    """Nearest-neighbour up-sampling (each pixel repeated 2 x 2), cropped to ``shape``."""
    up = np.repeat(np.repeat(x, 2, axis=0), 2, axis=1) if x.ndim >= 2 else np.repeat(x, 2)
    return up[tuple(slice(0, s) for s in shape)]


def _collapse_variants(bands, residual):
    """The usual wrong collapses, computed for one pyramid."""
    def run(start, combine, skip_finest=False, up=lambda x, shape: expand(x, shape)):
        x = start
        for k in range(len(bands) - 1, -1, -1):
            upsampled = up(x, bands[k].shape)
            x = upsampled if (skip_finest and k == 0) else combine(bands[k], upsampled)
        return x

    add = lambda band, up: band + up  # noqa: E731 (the lecture's step, for the variants)
    return {
        "residual": run(np.zeros_like(residual), add),
        "sign": run(residual, lambda band, up: up - band),
        "finest": run(residual, add, skip_finest=True),
        "no bands": run(residual, lambda band, up: up),
        "repeat": run(residual, add, up=_repeat_up),
    }


@checker
def check_collapse(fn, cases: str = "all") -> None:
    """Check ``fn(bands, residual) -> x_1``, the image collapsed from its Laplacian pyramid."""
    chosen = test_cases(COLLAPSE_CASES, COLLAPSE_HIDDEN, cases)
    for seed, (shape, levels), _ in chosen:
        image = np.random.default_rng(200 + seed).uniform(0, 1, shape)
        pyramid = laplacian_pyramid(image, levels)
        bands, residual = list(pyramid.bands), pyramid.lowpass
        wrong = _collapse_variants(bands, residual)
        mistakes = [
            ("the low-pass residual x_K is missing: it is the coarsest level, where the collapse starts.",
             wrong["residual"]),
            ("the sign is flipped: solve the band's definition for x_k once more.", wrong["sign"]),
            ("the finest band L_1 is not added: visit every band, down to the finest.", wrong["finest"]),
            ("you expanded without adding the bands back: each level needs both the expanded coarser level "
             "and its band.", wrong["no bands"]),
            ("you up-sampled by repeating pixels (np.repeat / np.kron): F inserts zeros and blurs, as "
             "expand does.", wrong["repeat"]),
            ("you stopped one level early: that is x_2, the size of L_2; the collapse ends at the image's "
             "size, with the finest band.", reduce(image) if len(bands) >= 2 else None),
        ]
        case = f"an image of shape {shape} with {levels} levels ({len(bands)} bands + residual)"
        got = call_student(fn, ([b.copy() for b in bands], residual.copy()), case, allowed=ALLOW_EXPAND)
        compare("collapse(bands, residual)", got, image, mistakes, case, rtol=1e-10, atol=1e-10)
    passed("collapse (Laplacian reconstruction)", len(chosen), _n_hidden(chosen))


# ---------------------------------------------------------------------------- exercise 5: blend_images

def _blend_case(shape, kind, seed):
    """Two images and a mask (H, W) in [0, 1]."""
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 1, shape), rng.uniform(0, 1, shape)
    rows, cols = np.mgrid[:shape[0], :shape[1]]
    if kind == "left half":
        mask = (cols < shape[1] // 2).astype(float)
    elif kind == "top half":
        mask = (rows < shape[0] // 2).astype(float)
    elif kind == "blob":
        mask = ((rows - shape[0] / 2.5) ** 2 + (cols - shape[1] / 1.8) ** 2 < (min(shape[:2]) / 3) ** 2).astype(float)
    else:                                   # soft: a ramp from 1 to 0 across the columns
        mask = np.clip(1.5 - 2 * cols / (shape[1] - 1), 0, 1)
    return a, b, mask


def _blend_variants(a, b, mask, levels):
    """The usual wrong blends: name -> result."""
    la, lb = laplacian_pyramid(a, levels), laplacian_pyramid(b, levels)
    colour = a.ndim == 3

    def weights_of(levels_of_mask):
        return [w[..., None] if colour else w for w in levels_of_mask]

    def combine(weights, low=None, wb=None):
        wb = wb or [1.0 - w for w in weights]
        bands = tuple(w * x + v * y for w, v, x, y in zip(weights, wb, la.bands, lb.bands))
        lowpass = (weights[-1] * la.lowpass + wb[-1] * lb.lowpass) if low is None else low
        return _lecture.reconstruct(LaplacianPyramid(bands, lowpass, la.kernel, la.boundary))

    gauss = weights_of(gaussian_pyramid(mask, levels))
    m = mask[..., None] if colour else mask
    mask_lap = laplacian_pyramid(mask, levels)
    return {
        "swapped": combine([1.0 - w for w in gauss]),
        "one scale": m * a + (1 - m) * b,
        "lowpass a": combine(gauss, low=la.lowpass),
        "lowpass b": combine(gauss, low=lb.lowpass),
        "sub-sampled": combine(weights_of([mask[::2 ** j, ::2 ** j] for j in range(levels)])),
        "laplacian mask": combine(weights_of(list(mask_lap.bands) + [mask_lap.lowpass])),
        "no complement": combine(gauss, wb=[np.ones_like(w) for w in gauss]),
        "mask for b": combine(gauss, wb=gauss),
    }


@checker
def check_blend(fn, cases: str = "all") -> None:
    """Check ``fn(a, b, mask, levels)`` against :func:`lecture_utils.pyramids.blend` (Burt and Adelson 1983)."""
    chosen = test_cases(BLEND_CASES, BLEND_HIDDEN, cases)
    for seed, (shape, levels, kind), _ in chosen:
        a, b, mask = _blend_case(shape, kind, 400 + seed)
        expected = blend(a, b, mask, levels)
        wrong = _blend_variants(a, b, mask, levels)
        mistakes = [
            ("the weights are swapped: a shows where the mask is 1.", wrong["swapped"]),
            ("you blended the images themselves, at one scale: that is the hard cut (or a feather). "
             "Blend level by level, then collapse.", wrong["one scale"]),
            ("the low-pass residual comes from a alone: blend the residuals too, with the mask as seen at "
             "the residual's resolution.", wrong["lowpass a"]),
            ("the low-pass residual comes from b alone: blend the residuals too, with the mask as seen at "
             "the residual's resolution.", wrong["lowpass b"]),
            ("the mask's levels are sub-sampled without a blur: at a coarse level each weight must sum up "
             "the mask over the area that level's sample covers, so coarse levels mix over wide seams.",
             wrong["sub-sampled"]),
            ("you weighted with the mask's Laplacian pyramid, whose levels are differences (negative in "
             "places, near 0 away from the seam); a weight is the mask as seen at its level's resolution, "
             "between 0 and 1.", wrong["laplacian mask"]),
            ("b's weights do not complement a's: blend an image with itself, and your result is not that "
             "image. Revisit which weight b needs where a's weight is M.", wrong["no complement"]),
            ("b is weighted with the mask, like a: the mask is 1 where a shows, so there b must not show at "
             "all. Revisit which image the mask's 1 selects, and which weight b needs so that blending an image "
             "with itself returns it.", wrong["mask for b"]),
        ]
        colour = f"a colour image {shape} with a 2-D mask {mask.shape}" if len(shape) == 3 else f"images {shape}"
        case = f"{colour}, {levels} levels, a {kind} mask"
        got = call_student(fn, (a.copy(), b.copy(), mask.copy(), levels), case, allowed=ALLOW_PYRAMIDS)
        compare("the blend", got, expected, mistakes, case, rtol=1e-9, atol=1e-11)
    passed("blend_images (Burt and Adelson)", len(chosen), _n_hidden(chosen))


# ---------------------------------------------------------------------------- predict-then-run questions

PREDICTIONS = {
    "02-coefficients": Prediction(
        question="How many numbers does a 4-level Laplacian pyramid (bands L_1, L_2, L_3 and the "
                 "residual x_4) of a 512 x 512 image hold?",
        expected=348160,
        explanation="each band L_k has the size of the Gaussian level x_k and the residual is x_4: "
                    "512^2 + 256^2 + 128^2 + 64^2 = 262144 + 65536 + 16384 + 4096 = 348160, "
                    "1.328 times the 262144 pixels (1 + 1/4 + 1/16 + ... stays below 4/3).",
        mistakes=((4 * 512**2, "that counts all 4 levels at the image's full size: each level has a quarter of "
                               "the samples of the one before"),
                  (512**2, "that is the image alone: the pyramid holds every band and the residual"),
                  (512**2 + 256**2 + 128**2, "the residual x_4 is missing: it is stored too"),
                  (512 + 256 + 128 + 64, "you added the sides; a level of side s holds s x s numbers"))),
}


__all__ = ["CheckFailure", "PREDICTIONS", "check_blend", "check_collapse", "check_expand_1d",
           "check_laplacian_pyramid", "check_reduce_1d", "may_use"]
