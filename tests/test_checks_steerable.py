"""Checker quality for notebook 03: the reference passes, typical wrong answers are caught with their hint,
answers that delegate to the package or return the wrong kind of value are refused, and an answer
hard-coded to the visible cases fails the hidden ones.

The wrong answers are written with numpy, as a student would (the magnification exercise may use the
package's temporal_bandpass, as its instructions say).
"""

from math import comb

import numpy as np
import pytest

from checker_probes import assert_hard_coded_fails_hidden
from bad_input import Case, check_refused, expand
from lecture_utils.checks import CheckFailure, check_prediction
from lecture_utils.checks.steerable import (ALLOW_BANDPASS, check_angular_mask, check_magnify_band,
                                            check_phase_difference, check_steer_first_order)
from lecture_utils.magnify import phase_difference, temporal_bandpass
from lecture_utils.steerable import angular_masks, steer


# --- exercise 1: steer a first-order Gaussian derivative -------------------------------


def student_steer(g_x, g_y, psi):
    return np.cos(psi) * g_x + np.sin(psi) * g_y


def test_steer_reference_passes(capsys):
    check_steer_first_order(student_steer)
    assert capsys.readouterr().out.startswith("PASS steer_first_order: matches the reference on 5 test cases "
                                              "(and 3 extra)")


def test_steer_as_a_dot_product_with_the_gradient_passes():
    check_steer_first_order(lambda gx, gy, a: np.tensordot([np.cos(a), np.sin(a)], np.stack([gx, gy]), 1))


STEER_MUTANTS = {
    "cos and sin are swapped": lambda gx, gy, a: np.sin(a) * gx + np.cos(a) * gy,
    "sign of the g_y term is flipped": lambda gx, gy, a: np.cos(a) * gx - np.sin(a) * gy,
    "psi \\+ 90 degrees": lambda gx, gy, a: -np.sin(a) * gx + np.cos(a) * gy,
    "already in radians": lambda gx, gy, a: np.cos(np.deg2rad(a)) * gx + np.sin(np.deg2rad(a)) * gy,
    "take radians": lambda gx, gy, a: np.cos(a * 180 / np.pi) * gx + np.sin(a * 180 / np.pi) * gy,
    "g_y term is missing": lambda gx, gy, a: np.cos(a) * gx,
    "both terms have the same weight": lambda gx, gy, a: np.cos(a) * gx + np.cos(a) * gy,
    "weights are squared": lambda gx, gy, a: np.cos(a) ** 2 * gx + np.sin(a) ** 2 * gy,
    "forget the `return`": lambda gx, gy, a: None,
    "right shape but wrong values": lambda gx, gy, a: student_steer(gx, gy, a) * 1.01,
    "has shape": lambda gx, gy, a: student_steer(gx, gy, a)[1:],
}


@pytest.mark.parametrize("hint", STEER_MUTANTS)
def test_steer_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_steer_first_order(STEER_MUTANTS[hint])


def test_steer_refuses_delegation_complex_and_strings():
    with pytest.raises(CheckFailure, match="calls lecture_utils.steerable.steer"):
        check_steer_first_order(lambda gx, gy, a: steer(gx, gy, a))
    with pytest.raises(CheckFailure, match="is complex"):
        check_steer_first_order(lambda gx, gy, a: (np.exp(1j * a) * (gx - 1j * gy)))
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        check_steer_first_order(lambda gx, gy, a: f"cos({a}) g_x + sin({a}) g_y")


def test_steer_hard_coded_to_the_visible_cases_fails_the_hidden_ones(capsys):
    assert_hard_coded_fails_hidden(check_steer_first_order, student_steer)


def test_steer_memorised_once_fails():
    memo = {}

    def memorised_once(g_x, g_y, alpha):
        memo.setdefault("answer", student_steer(g_x, g_y, alpha))
        return memo["answer"]

    with pytest.raises(CheckFailure):
        check_steer_first_order(memorised_once)


# --- exercise 2: the angular mask, its constant derived -----------------------------------


def student_mask(theta, b, order):
    k = order + 1
    c = np.sqrt(2 ** (2 * order) * np.prod(np.arange(1, order + 1)) ** 2
                / (k * np.prod(np.arange(1, 2 * order + 1))))
    return c * np.cos(theta - np.pi * b / k) ** order


def _const(n):
    return np.sqrt(4**n / ((n + 1) * comb(2 * n, n)))


def test_mask_reference_passes(capsys):
    check_angular_mask(student_mask)
    assert "PASS angular_mask: matches the reference on 5 test cases (and 3 extra)" in capsys.readouterr().out


def test_mask_with_the_constant_measured_numerically_passes():
    # Derived the other way: make sum_b A_b^2 = 1 by measuring sum_b cos^(2N) on a fine grid.
    def measured(theta, b, order):
        k = order + 1
        grid = np.linspace(0, np.pi, 1001)
        total = sum(np.cos(grid - np.pi * j / k) ** (2 * order) for j in range(k))[0]
        return np.cos(theta - np.pi * b / k) ** order / np.sqrt(total)
    check_angular_mask(measured)


MASK_MUTANTS = {
    "normalising constant c_N is missing": lambda t, b, n: np.cos(t - np.pi * b / (n + 1)) ** n,
    "you used c_N squared": lambda t, b, n: _const(n) ** 2 * np.cos(t - np.pi * b / (n + 1)) ** n,
    "c_N = 1 / sqrt\\(N \\+ 1\\) would hold": lambda t, b, n: np.cos(t - np.pi * b / (n + 1)) ** n / np.sqrt(n + 1),
    "sqrt\\(N \\+ 1\\) times too large": lambda t, b, n: np.sqrt(4**n / comb(2 * n, n)) * np.cos(
        t - np.pi * b / (n + 1)) ** n,
    "not 2 pi": lambda t, b, n: _const(n) * np.cos(t - 2 * np.pi * b / (n + 1)) ** n,
    "not pi b / N": lambda t, b, n: _const(n) * np.cos(t - np.pi * b / n) ** n,
    "not N \\+ 1": lambda t, b, n: _const(n) * np.cos(t - np.pi * b / (n + 1)) ** (n + 1),
    "keep the sign of the cosine": lambda t, b, n: _const(n) * np.abs(np.cos(t - np.pi * b / (n + 1))) ** n,
    "wrong rotation": lambda t, b, n: _const(n) * np.cos(t + np.pi * b / (n + 1)) ** n,
    "raised ValueError .*\\(for theta of shape \\(16, 12\\)": lambda t, b, n: np.reshape(t, (5, 5)),
}


@pytest.mark.parametrize("hint", MASK_MUTANTS)
def test_mask_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_angular_mask(MASK_MUTANTS[hint])


def test_mask_not_implemented_says_so():
    def stub(theta, b, order):
        raise NotImplementedError
    with pytest.raises(CheckFailure, match="not implemented yet"):
        check_angular_mask(stub)


def test_mask_refuses_delegation_complex_and_strings():
    with pytest.raises(CheckFailure, match="calls lecture_utils.steerable.angular_masks"):
        check_angular_mask(lambda t, b, n: angular_masks(t, n)[b])
    with pytest.raises(CheckFailure, match="is complex"):
        check_angular_mask(lambda t, b, n: student_mask(t, b, n) * np.exp(0j * t))
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        check_angular_mask(lambda t, b, n: "c_N cos^N")


def test_mask_hard_coded_to_the_visible_cases_fails_the_hidden_ones(capsys):
    assert_hard_coded_fails_hidden(check_angular_mask, student_mask)


# --- exercise 3: wrapped phase difference -------------------------------------------------


def student_phase(band, reference):
    return np.angle(band * np.conj(reference))


def test_phase_reference_passes(capsys):
    check_phase_difference(student_phase)
    assert "PASS phase_difference: matches the reference on 5 test cases (and 3 extra)" in capsys.readouterr().out


def test_phase_wrapped_by_hand_passes():
    check_phase_difference(lambda b, r: (np.angle(b) - np.angle(r) + np.pi) % (2 * np.pi) - np.pi)


PHASE_MUTANTS = {
    "your changes lie in \\[0, 2 pi\\)": lambda b, r: np.mod(np.angle(b) - np.angle(r), 2 * np.pi),
    "jumps by 2 pi where the phases straddle": lambda b, r: np.angle(b) - np.angle(r),
    "sign is flipped": lambda b, r: np.angle(r * np.conj(b)),
    "your product adds the two phases": lambda b, r: np.angle(b * r),
    "in degrees": lambda b, r: np.degrees(np.angle(b * np.conj(r))),
    "change of amplitude": lambda b, r: np.abs(b) - np.abs(r),
    "must be real": lambda b, r: b * np.conj(r),
}


@pytest.mark.parametrize("hint", PHASE_MUTANTS)
def test_phase_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_phase_difference(PHASE_MUTANTS[hint])


def test_phase_unwrap_over_the_array_is_rejected():
    # np.unwrap along the flattened array is a plausible but wrong "fix".
    def unwrapped(band, reference):
        d = np.angle(band) - np.angle(reference)
        return np.unwrap(d.ravel()).reshape(d.shape)
    with pytest.raises(CheckFailure):
        check_phase_difference(unwrapped)


def test_phase_refuses_delegation_and_strings():
    with pytest.raises(CheckFailure, match="calls lecture_utils.magnify.phase_difference"):
        check_phase_difference(lambda b, r: phase_difference(b, r))
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        check_phase_difference(lambda b, r: "angle(b conj(r))")


def test_phase_hard_coded_to_the_visible_cases_fails_the_hidden_ones(capsys):
    assert_hard_coded_fails_hidden(check_phase_difference, student_phase)


# --- exercise 4: one phase-magnification step (a complex result) ---------------------------


def student_magnify(bands, reference, alpha, low, high, fps):
    dphi = np.angle(bands * np.conj(reference))
    return bands * np.exp(1j * alpha * temporal_bandpass(dphi, low, high, fps))


def _ideal_bandpass(signal, low, high, fps):
    # The band-pass written out with numpy's FFT along time: the same filter, no package call.
    freqs = np.abs(np.fft.fftfreq(signal.shape[0], d=1 / fps))
    keep = ((freqs >= low) & (freqs <= high)).reshape((-1,) + (1,) * (signal.ndim - 1))
    return np.fft.ifft(np.fft.fft(signal, axis=0) * keep, axis=0).real


def test_magnify_reference_passes(capsys):
    check_magnify_band(student_magnify)
    assert capsys.readouterr().out.startswith("PASS magnify_band (one phase-magnification step): matches the "
                                              "reference on 5 test cases (and 3 extra)")


def test_magnify_with_a_hand_written_bandpass_and_polar_form_passes():
    def polar(bands, reference, alpha, low, high, fps):
        dphi = _ideal_bandpass(np.angle(bands / reference), low, high, fps)
        return np.abs(bands) * np.exp(1j * (np.angle(bands) + alpha * dphi))
    check_magnify_band(polar)


def _magnify_mutant(gain=lambda a: a, bandpass=True, wrap=True, axis=0, keep="band"):
    def magnify(bands, reference, alpha, low, high, fps):
        dphi = np.angle(bands * np.conj(reference)) if wrap else np.angle(bands) - np.angle(reference)
        if bandpass:
            dphi = temporal_bandpass(dphi, low, high, fps, axis=axis)
        rotation = np.exp(1j * gain(alpha) * dphi)
        if keep == "band":
            return bands * rotation
        if keep == "nothing":
            return rotation
        if keep == "reference":
            return reference * rotation
        return np.exp(1j * np.angle(bands)) * rotation        # the amplitude dropped
    return magnify


MAGNIFY_MUTANTS = {
    "magnifies it 2 \\+ alpha times": _magnify_mutant(gain=lambda a: 1 + a, keep="band"),
    "not band-passed in time": _magnify_mutant(bandpass=False),
    "sign is flipped": _magnify_mutant(gain=lambda a: -a),
    "phase change is not wrapped": _magnify_mutant(wrap=False),
    # The phase itself band-passed: the same 2 pi jumps as an unwrapped difference (the reference is DC).
    "np.angle values jump by 2 pi across the branch cut": lambda bands, ref, a, lo, hi, fps: bands * np.exp(
        1j * a * temporal_bandpass(np.angle(bands), lo, hi, fps)),
    "returned the rotation alone": _magnify_mutant(keep="nothing"),
    "rebuilt the band from the reference frame": _magnify_mutant(gain=lambda a: 1 + a, keep="reference"),
    "runs along a space axis": _magnify_mutant(axis=-1),
    "kept the phase but not the amplitude": _magnify_mutant(keep="unit"),
    "is real": lambda bands, ref, a, lo, hi, fps: student_magnify(bands, ref, a, lo, hi, fps).real,
    "forget the `return`": lambda bands, ref, a, lo, hi, fps: None,
    "amplitudes are right, the phases are not": lambda bands, ref, a, lo, hi, fps: student_magnify(
        bands, ref, a, lo, hi, fps) * np.exp(0.01j),
}


@pytest.mark.parametrize("hint", MAGNIFY_MUTANTS)
def test_magnify_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_magnify_band(MAGNIFY_MUTANTS[hint])


def test_magnify_refuses_delegation_strings_and_objects():
    with pytest.raises(CheckFailure, match="calls lecture_utils.magnify.phase_difference"):
        check_magnify_band(lambda bands, ref, a, lo, hi, fps: bands * np.exp(
            1j * a * temporal_bandpass(phase_difference(bands, ref), lo, hi, fps)))
    with pytest.raises(CheckFailure, match="must be a complex array, got str"):
        check_magnify_band(lambda bands, ref, a, lo, hi, fps: "B_t exp(i alpha dphi)")
    with pytest.raises(CheckFailure, match="must be a complex array, got dtype object"):
        check_magnify_band(lambda bands, ref, a, lo, hi, fps: np.array([object()] * len(bands)))


def test_magnify_allows_the_bandpass_only():
    assert "lecture_utils.magnify.temporal_bandpass" in ALLOW_BANDPASS
    assert not {"lecture_utils.magnify.phase_difference", "lecture_utils.magnify.magnify_motion"} & ALLOW_BANDPASS


def test_magnify_hard_coded_to_the_visible_cases_fails_the_hidden_ones(capsys):
    assert_hard_coded_fails_hidden(check_magnify_band, student_magnify)


# --- the cases argument and the predictions -------------------------------------------------

@pytest.mark.parametrize("checker, reference, visible, hidden", [
    (check_steer_first_order, student_steer, 5, 3), (check_angular_mask, student_mask, 5, 3),
    (check_phase_difference, student_phase, 5, 3), (check_magnify_band, student_magnify, 5, 3)])
def test_visible_and_hidden_cases_run_separately(capsys, checker, reference, visible, hidden):
    checker(reference, cases="visible")
    assert f"on {visible} test cases of different shapes" in capsys.readouterr().out
    checker(reference, cases="hidden")
    assert f"on {hidden} hidden test cases" in capsys.readouterr().out


def test_the_predictions(capsys):
    check_prediction("03-basis-count", 5)
    check_prediction("03-phase-shift", -0.98)
    assert capsys.readouterr().out.count("RIGHT") == 2
    with pytest.raises(CheckFailure, match="N \\+ 1 = 5"):
        check_prediction("03-basis-count", 4)
    with pytest.raises(CheckFailure, match="-omega d"):
        check_prediction("03-phase-shift", 0.98)   # the sign matters: the phase moves back


# --- bad input: a checker needs the student's function, not its result -------------------

TABLE = [Case(check_steer_first_order, dict(fn=student_steer, cases="visible"), {"fn": "function", "cases": "choice"}),
         Case(check_angular_mask, dict(fn=student_mask), {"fn": "function"}),
         Case(check_phase_difference, dict(fn=student_phase), {"fn": "function"}),
         Case(check_magnify_band, dict(fn=student_magnify, cases="hidden"), {"fn": "function", "cases": "choice"})]
BAD_CALLS, BAD_IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", BAD_CALLS, ids=BAD_IDS)
def test_bad_input_is_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
