"""Checkers for notebook 03 (steerable filters, steerable pyramid, motion magnification).

Exercises:

* ``my_steer(g_x, g_y, psi)``: the first-order derivative along the steering angle ``psi``, from the two
  basis filters;
* ``my_angular_mask(theta, b, order)``: the angular mask ``c_N cos^N(theta - theta_b)``, with the
  constant ``c_N`` the student derives (the squared masks of the ``N + 1`` bands sum to 1);
* ``my_phase_difference(band, reference)``: the wrapped phase change between two complex bands;
* ``magnify_band(bands, reference, alpha, low, high, fps)``: one phase-magnification step of a band
  over time, from the band-passed phase change of each coefficient (the package's
  :func:`~lecture_utils.magnify.temporal_bandpass` allowed). Its result is complex: it is compared
  by :func:`_compare_complex`, not by ``compare`` (which refuses complex results).

Every checker runs visible cases, then hidden ones of other shapes (``cases="all" | "visible" | "hidden"``).
"""

from __future__ import annotations

from math import comb

import numpy as np

from .. import magnify as _magnify
from .. import steerable as _lecture
from ..magnify import phase_difference, temporal_bandpass
from ..steerable import angular_masks, frequency_grid, gaussian_derivative_kernels, steer
from ._core import CheckFailure, call_student, checker, compare, passed, result_numbers, test_cases
from .predictions import Prediction
from .pyramids import may_use

# (sigma, size, angle in radians): angles away from 0, 45 and 90 degrees so that
# swapping cos and sin, or flipping a sign, changes the values.
STEER_CASES = [(1.0, 7, np.pi / 3), (2.0, 13, 0.4), (1.5, 9, 2.2), (0.8, 5, -1.1), (3.0, 19, 4.0)]
STEER_HIDDEN = [(1.2, 11, 0.9), (2.5, 15, -2.7), (1.0, 9, 5.5)]

# (frequency-grid shape, band b, order N): several orders and every kind of band index.
# The first case tells the usual mistakes apart (for N = 1, b = 1, pi b / N = 2 pi b / (N + 1)).
MASK_CASES = [((16, 12), 2, 3), ((8, 8), 1, 1), ((10, 14), 0, 2), ((12, 12), 3, 4), ((6, 10), 1, 2)]
MASK_HIDDEN = [((9, 15), 4, 5), ((14, 8), 0, 1), ((12, 10), 2, 6)]

# Shapes of the complex band arrays for the phase exercise.
PHASE_CASES = [(6,), (4, 5), (3, 4, 4), (20,), (2, 3)]
PHASE_HIDDEN = [(5, 3), (7,), (2, 2, 3)]

# (T frames, H, W), fps, pass band low-high (Hz), alpha, reference frame index.
MAGNIFY_CASES = [((24, 4, 5), 24.0, 2.0, 4.0, 2.5, 3), ((16, 3, 3), 32.0, 3.0, 6.0, 1.5, 0),
                 ((30, 6, 2), 30.0, 1.0, 5.0, 3.0, 7), ((20, 5, 4), 20.0, 2.0, 3.0, 0.7, 1),
                 ((12, 2, 7), 12.0, 1.0, 2.0, 4.5, 5)]
MAGNIFY_HIDDEN = [((18, 3, 6), 18.0, 2.0, 5.0, 2.2, 2), ((32, 4, 4), 16.0, 1.0, 3.0, 1.8, 9),
                  ((10, 5, 3), 10.0, 1.0, 2.0, 3.3, 4)]

ALLOW_NOTHING = may_use(_lecture)            # its argument specs only (see checks.pyramids.may_use)
ALLOW_BANDPASS = may_use(_magnify, "temporal_bandpass")


def _n_hidden(chosen) -> int:
    return sum(hidden for *_, hidden in chosen)


# ---------------------------------------------------------------------------- exercise 1: steering

@checker
def check_steer_first_order(fn, cases: str = "all") -> None:
    """Check ``fn(g_x, g_y, psi) -> g^psi``, the first derivative along the angle psi (radians) from the basis."""
    chosen = test_cases(STEER_CASES, STEER_HIDDEN, cases)
    for _, (sigma, size, psi), _ in chosen:
        _, g_x, g_y = gaussian_derivative_kernels(sigma, size)
        expected = steer(g_x, g_y, psi)
        c, s = np.cos(psi), np.sin(psi)
        mistakes = [
            ("cos and sin are swapped: psi is measured from the x axis, so psi = 0 must give g_x itself.",
             s * g_x + c * g_y),
            ("the sign of the g_y term is flipped: the direction turns from the x axis towards the y axis "
             "as psi grows.", c * g_x - s * g_y),
            ("that is the derivative at psi + 90 degrees, the perpendicular direction: differentiate along "
             "u itself.", -s * g_x + c * g_y),
            ("psi is already in radians: do not convert it with np.radians / np.deg2rad.",
             np.cos(np.radians(psi)) * g_x + np.sin(np.radians(psi)) * g_y),
            ("np.cos and np.sin take radians: do not convert psi to degrees.",
             np.cos(np.degrees(psi)) * g_x + np.sin(np.degrees(psi)) * g_y),
            ("the g_y term is missing: u has a y component too, so both basis filters contribute.", c * g_x),
            ("both terms have the same weight: the chain rule weights each basis filter with its own "
             "component of u.", c * (g_x + g_y)),
            ("the weights are squared: the chain rule gives a derivative that is linear in u's components.",
             c**2 * g_x + s**2 * g_y),
        ]
        case = f"sigma={sigma}, {size}x{size} kernels, psi={psi:.3f} rad"
        got = call_student(fn, (g_x.copy(), g_y.copy(), psi), case, allowed=ALLOW_NOTHING)
        compare("g^psi", got, expected, mistakes, case, rtol=1e-9, atol=1e-12)
    passed("steer_first_order", len(chosen), _n_hidden(chosen))


# ---------------------------------------------------------------------------- exercise 2: the angular mask

@checker
def check_angular_mask(fn, cases: str = "all") -> None:
    """Check ``fn(theta, b, order) -> c_N cos^N(theta - pi b / (N + 1))``, the real pyramid's mask."""
    chosen = test_cases(MASK_CASES, MASK_HIDDEN, cases)
    for _, (shape, b, order), _ in chosen:
        _, theta = frequency_grid(shape)
        expected = angular_masks(theta, order)[b]
        k = order + 1
        c2 = 4**order / (k * comb(2 * order, order))
        raw = np.cos(theta - np.pi * b / k) ** order
        mistakes = [
            ("the normalising constant c_N is missing: the squared masks of the N + 1 bands must add up "
             "to 1 for every theta, and the bare cosine powers do not.", raw),
            ("you used c_N squared: the condition on the squared masks fixes c_N^2, and the mask takes c_N.",
             c2 * raw),
            ("c_N = 1 / sqrt(N + 1) would hold if cos^(2N) averaged to 1; work out its constant term "
             "with the binomial theorem.", raw / np.sqrt(k)),
            ("your constant is sqrt(N + 1) times too large: every one of the N + 1 bands adds its square to "
             "the sum that must be 1.", np.sqrt(c2 * k) * raw),
            ("the band angles are theta_b = pi b / (N + 1): they spread over half a turn, not 2 pi.",
             np.sqrt(c2) * np.cos(theta - 2 * np.pi * b / k) ** order),
            ("there are K = N + 1 orientations: theta_b = pi b / (N + 1), not pi b / N.",
             np.sqrt(c2) * np.cos(theta - np.pi * b / order) ** order),
            ("the power is the order N (cos^N), not N + 1.", np.sqrt(c2) * np.cos(theta - np.pi * b / k) ** k),
            ("keep the sign of the cosine: with |cos|^N an odd order loses its odd symmetry "
             "A(theta + pi) = -A(theta), which makes the band a derivative.",
             np.sqrt(c2) * np.abs(np.cos(theta - np.pi * b / k)) ** order),
            ("the angle is theta - theta_b; you used theta + theta_b (the wrong rotation).",
             np.sqrt(c2) * np.cos(theta + np.pi * b / k) ** order),
        ]
        case = f"theta of shape {shape}, band b={b}, order N={order}"
        got = call_student(fn, (theta.copy(), b, order), case, allowed=ALLOW_NOTHING)
        compare("A_b(theta)", got, expected, mistakes, case, rtol=1e-9, atol=1e-12)
    passed("angular_mask", len(chosen), _n_hidden(chosen))


# ---------------------------------------------------------------------------- exercise 3: phase difference

def _phase_case(shape, seed):
    """Complex bands whose phases sit near +-pi, so the phase change crosses the branch cut."""
    rng = np.random.default_rng(seed)
    ref_phase = rng.choice([-1, 1], shape) * (np.pi - rng.uniform(0.05, 0.4, shape))
    change = rng.uniform(-0.6, 0.6, shape)
    amp_ref, amp = rng.uniform(0.5, 2.0, shape), rng.uniform(0.5, 2.0, shape)
    return amp * np.exp(1j * (ref_phase + change)), amp_ref * np.exp(1j * ref_phase)


@checker
def check_phase_difference(fn, cases: str = "all") -> None:
    """Check ``fn(band, reference) ->`` the phase change of band relative to reference, in (-pi, pi]."""
    chosen = test_cases(PHASE_CASES, PHASE_HIDDEN, cases)
    for seed, shape, _ in chosen:
        band, ref = _phase_case(shape, seed)
        expected = phase_difference(band, ref)
        naive = np.angle(band) - np.angle(ref)
        mistakes = [
            ("your changes lie in [0, 2 pi): a small negative change became almost 2 pi. The change must land "
             "in (-pi, pi]: find one complex product whose own phase is the change.",
             np.mod(naive, 2 * np.pi)),
            ("the difference of two np.angle values jumps by 2 pi where the phases straddle the branch cut "
             "at pi: take the phase of a single complex product instead.", naive),
            ("the sign is flipped: the change is band's phase relative to reference's (band's minus "
             "reference's).", -expected),
            ("your product adds the two phases: the change subtracts reference's phase, so which complex "
             "number has reference's amplitude and the opposite phase?", np.angle(band * ref)),
            ("you returned a change of amplitude, not of phase.", np.abs(band) - np.abs(ref)),
            ("your change is in degrees; the exercise asks for radians.", np.degrees(expected)),
        ]
        case = f"bands of shape {shape}"
        got = call_student(fn, (band.copy(), ref.copy()), case, allowed=ALLOW_NOTHING)
        if np.iscomplexobj(np.asarray(got)):
            raise CheckFailure(f"the phase change must be real (radians), got a complex array for {case}: "
                               "return the phase of your complex product, not the product.")
        compare("phase change", got, expected, mistakes, case, rtol=1e-9, atol=1e-12)
    passed("phase_difference", len(chosen), _n_hidden(chosen))


# ---------------------------------------------------------------------------- exercise 4: magnify one band

def _magnify_case(shape, fps, reference, seed):
    """A complex band over time: amplitudes in [0.5, 2], phases near +-pi (the branch cut), moving
    with a few temporal frequencies inside and outside the pass band, plus a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(shape[0])[:, None, None] / fps
    base = rng.choice([-1, 1], shape[1:]) * (np.pi - rng.uniform(0.05, 0.3, shape[1:]))
    motion = np.zeros(shape)
    for f in (1.0, 2.5, 4.0, fps / 4):
        motion += rng.uniform(0.05, 0.25, shape[1:]) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi, shape[1:]))
    phase = base + motion + 0.05 * rng.standard_normal(shape)
    bands = rng.uniform(0.5, 2.0, shape) * np.exp(1j * phase)
    return bands, bands[reference].copy()


def _magnify_variants(bands, ref, alpha, low, high, fps):
    """The usual wrong magnifications: name -> result."""
    dphi = phase_difference(bands, ref)
    bp = temporal_bandpass(dphi, low, high, fps)
    naive = temporal_bandpass(np.angle(bands) - np.angle(ref), low, high, fps)
    return {
        "right": bands * np.exp(1j * alpha * bp),
        "1 + alpha": bands * np.exp(1j * (1 + alpha) * bp),
        "no band-pass": bands * np.exp(1j * alpha * dphi),
        "sign": bands * np.exp(-1j * alpha * bp),
        "unwrapped": bands * np.exp(1j * alpha * naive),
        "factor only": np.exp(1j * alpha * bp),
        "from reference": ref * np.exp(1j * (1 + alpha) * bp),
        "wrong axis": bands * np.exp(1j * alpha * temporal_bandpass(dphi, low, high, fps, axis=-1)),
        "unit amplitude": np.exp(1j * (np.angle(bands) + alpha * bp)),
    }


def _as_complex_result(value, what: str) -> np.ndarray:
    """The student's value as a complex128 array, or a failure saying what came back instead."""
    arr = result_numbers(value, what, "complex", "the magnified band itself")
    if not np.iscomplexobj(arr):
        raise CheckFailure(f"{what} is real (dtype {arr.dtype}), but a band is complex: its phase carries the "
                           "motion. Do not take .real, np.abs or np.angle of the result.")
    return arr.astype(np.complex128)


def _compare_complex(what, got, expected, mistakes, case, rtol=1e-9, atol=1e-12) -> None:
    """:func:`compare` for complex results: shape, known mistakes, then values."""
    got = _as_complex_result(got, what)
    right = got.shape == expected.shape and np.allclose(got, expected, rtol=rtol, atol=atol)
    for hint, wrong in mistakes:
        if right or wrong is None:
            continue
        if got.shape == wrong.shape and np.allclose(got, wrong, rtol=rtol, atol=atol):
            raise CheckFailure(f"{what} is wrong for {case}. Likely mistake: {hint}")
    if got.shape != expected.shape:
        raise CheckFailure(f"{what} has shape {got.shape} but should have shape {expected.shape} for {case}: "
                           "one magnified band per frame, shaped like bands.")
    if not right:
        amplitude = np.allclose(np.abs(got), np.abs(expected), rtol=rtol, atol=atol)
        worst = float(np.max(np.abs(got - expected)))
        detail = ("the amplitudes are right, the phases are not" if amplitude
                  else "even the amplitudes |B_t| differ: the magnification only rotates each coefficient")
        raise CheckFailure(f"{what} has the right shape but wrong values for {case} (largest difference "
                           f"{worst:.3g}; {detail}): follow one coefficient through the phase change, the "
                           "band-pass and the magnification.")


@checker
def check_magnify_band(fn, cases: str = "all") -> None:
    """Check ``fn(bands, reference, alpha, low, high, fps) ->`` the band with its band-passed motion magnified."""
    chosen = test_cases(MAGNIFY_CASES, MAGNIFY_HIDDEN, cases)
    for seed, (shape, fps, low, high, alpha, r), _ in chosen:
        bands, ref = _magnify_case(shape, fps, r, 500 + seed)
        wrong = _magnify_variants(bands, ref, alpha, low, high, fps)
        expected = wrong.pop("right")
        hints = {
            "1 + alpha": "B_t already carries the motion once, so adding (1 + alpha) times the phase change "
                         "magnifies it 2 + alpha times: add only the extra motion.",
            "no band-pass": "the phase change is not band-passed in time: keep only the motion's frequencies, "
                            "[low, high] Hz, before magnifying it.",
            "sign": "the sign is flipped: your rotation turns the motion back instead of magnifying it.",
            "unwrapped": "the phase change is not wrapped: np.angle values jump by 2 pi across the branch cut, "
                         "and the band-pass turns the jumps into false motion. Use the wrapped change of "
                         "Exercise 3.",
            "factor only": "you returned the rotation alone: apply it to the band B_t.",
            "from reference": "you rebuilt the band from the reference frame; keep each frame's own band B_t "
                              "(its amplitude and its phase) and rotate it.",
            "wrong axis": "the band-pass runs along a space axis: time is the first axis of bands "
                          "(T, rows, cols), and the band-pass must run along it.",
            "unit amplitude": "you kept the phase but not the amplitude |B_t|: magnifying the motion only "
                              "rotates each coefficient.",
        }
        mistakes = [(hints[name], value) for name, value in wrong.items()]
        case = f"bands of shape {shape} (T, rows, cols) at {fps:g} fps, pass band {low:g}-{high:g} Hz, alpha={alpha}"
        got = call_student(fn, (bands.copy(), ref.copy(), alpha, low, high, fps), case, allowed=ALLOW_BANDPASS)
        _compare_complex("the magnified band", got, expected, mistakes, case)
    passed("magnify_band (one phase-magnification step)", len(chosen), _n_hidden(chosen))


# ---------------------------------------------------------------------------- predict-then-run questions

PREDICTIONS = {
    "03-basis-count": Prediction(
        question="How many basis filters does the 4th derivative of a Gaussian need, so that its copy at "
                 "every angle is a fixed linear combination of them?",
        expected=5,
        explanation="the N-th directional derivative is a polynomial of degree N in cos(gamma - psi) with only "
                    "powers of N's parity: its angular harmonics are n = -N, -N+2, ..., N, which is N + 1 "
                    "terms, so N + 1 = 5 basis filters for N = 4 (2 for g_x, g_y; 3 for N = 2).",
        mistakes=((4, "that is the order N; count the angular harmonics of an N-th derivative"),
                  (9, "the harmonics -4 .. 4 are 9, but only those of the derivative's parity appear"),
                  (2, "two filters steer the first derivative; the 4th has more angular harmonics"))),
    "03-phase-shift": Prediction(
        question="A grating cos(omega x) with 10 cycles across 64 pixels is shifted by 1 pixel to the right. "
                 "By how many radians does the phase of its complex band change (shifted relative to "
                 "the original, sign included)?",
        expected=-0.9817,                  # -2 pi 10 / 64, to the digits the explanation gives
        tolerance=0.03,
        explanation="inside the band the grating is c e^{i omega x}; cos(omega (x - d)) gives "
                    "c e^{i omega x} e^{-i omega d}: the phase moves by -omega d = -2 pi 10/64 x 1 = -0.982 rad "
                    "at every pixel, and the amplitude does not change.",
        mistakes=((-10 / 64, "that is the shift in cycles of the grating; a phase is measured in radians, "
                             "2 pi per cycle"),
                  (10 / 64, "that is the shift in cycles, with the sign flipped; a phase is measured in "
                            "radians, 2 pi per cycle"))),
}


__all__ = ["CheckFailure", "PREDICTIONS", "check_angular_mask", "check_magnify_band", "check_phase_difference",
           "check_steer_first_order"]
