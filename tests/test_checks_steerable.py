"""Checker quality for notebook 03: the reference passes, typical wrong answers are caught with their hint."""

from math import comb

import numpy as np
import pytest

from bad_input import Case, check_refused, expand
from lecture_utils.checks import CheckFailure
from lecture_utils.checks.steerable import (check_angular_mask, check_phase_difference,
                                            check_steer_first_order)

# --- exercise 1: steer a first-order Gaussian derivative -------------------------------


def student_steer(g_x, g_y, alpha):
    return np.cos(alpha) * g_x + np.sin(alpha) * g_y


def test_steer_reference_passes(capsys):
    check_steer_first_order(student_steer)
    assert capsys.readouterr().out.startswith("PASS steer_first_order")


STEER_MUTANTS = {
    "cos and sin are swapped": lambda gx, gy, a: np.sin(a) * gx + np.cos(a) * gy,
    "sign of the sin term": lambda gx, gy, a: np.cos(a) * gx - np.sin(a) * gy,
    "alpha \\+ 90 degrees": lambda gx, gy, a: -np.sin(a) * gx + np.cos(a) * gy,
    "already in radians": lambda gx, gy, a: np.cos(np.deg2rad(a)) * gx + np.sin(np.deg2rad(a)) * gy,
    "take radians": lambda gx, gy, a: np.cos(a * 180 / np.pi) * gx + np.sin(a * 180 / np.pi) * gy,
    "g_y term is missing": lambda gx, gy, a: np.cos(a) * gx,
    "both terms use cos": lambda gx, gy, a: np.cos(a) * gx + np.cos(a) * gy,
    "forget the `return`": lambda gx, gy, a: None,
    "right shape but wrong values": lambda gx, gy, a: student_steer(gx, gy, a) * 1.01,
    "has shape": lambda gx, gy, a: student_steer(gx, gy, a)[1:],
}


@pytest.mark.parametrize("hint", STEER_MUTANTS)
def test_steer_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_steer_first_order(STEER_MUTANTS[hint])


def test_steer_hard_coded_answer_fails():
    memo = {}

    def memorised(g_x, g_y, alpha):
        memo.setdefault("answer", student_steer(g_x, g_y, alpha))
        return memo["answer"]

    with pytest.raises(CheckFailure):
        check_steer_first_order(memorised)


# --- exercise 2: the angular mask ---------------------------------------------------------


def student_mask(theta, b, order):
    k = order + 1
    c = np.sqrt(2 ** (2 * order) * np.prod(np.arange(1, order + 1)) ** 2
                / (k * np.prod(np.arange(1, 2 * order + 1))))
    return c * np.cos(theta - np.pi * b / k) ** order


def _const(n):
    return np.sqrt(4**n / ((n + 1) * comb(2 * n, n)))


def test_mask_reference_passes(capsys):
    check_angular_mask(student_mask)
    assert "PASS angular_mask" in capsys.readouterr().out


MASK_MUTANTS = {
    "normalising constant c_N is missing": lambda t, b, n: np.cos(t - np.pi * b / (n + 1)) ** n,
    "multiplied by c_N\\^2": lambda t, b, n: _const(n) ** 2 * np.cos(t - np.pi * b / (n + 1)) ** n,
    "not 2 pi": lambda t, b, n: _const(n) * np.cos(t - 2 * np.pi * b / (n + 1)) ** n,
    "not pi b / N": lambda t, b, n: _const(n) * np.cos(t - np.pi * b / n) ** n,
    "not N \\+ 1": lambda t, b, n: _const(n) * np.cos(t - np.pi * b / (n + 1)) ** (n + 1),
    "keep the sign of the cosine": lambda t, b, n: _const(n) * np.abs(np.cos(t - np.pi * b / (n + 1))) ** n,
    "wrong rotation": lambda t, b, n: _const(n) * np.cos(t + np.pi * b / (n + 1)) ** n,
    "raised ValueError for theta of shape \\(16, 12\\)": lambda t, b, n: np.reshape(t, (5, 5)),
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


# --- exercise 3: wrapped phase difference -------------------------------------------------


def student_phase(band, reference):
    return np.angle(band * np.conj(reference))


def test_phase_reference_passes(capsys):
    check_phase_difference(student_phase)
    assert "PASS phase_difference" in capsys.readouterr().out


PHASE_MUTANTS = {
    "np.mod wraps into \\[0, 2 pi\\)": lambda b, r: np.mod(np.angle(b) - np.angle(r), 2 * np.pi),
    "is not wrapped": lambda b, r: np.angle(b) - np.angle(r),
    "sign is flipped": lambda b, r: np.angle(r * np.conj(b)),
    "conjugate is missing": lambda b, r: np.angle(b * r),
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


# --- bad input: a checker needs the student's function, not its result -------------------

TABLE = [Case(check_steer_first_order, dict(fn=student_steer), {"fn": "function"}),
         Case(check_angular_mask, dict(fn=student_mask), {"fn": "function"}),
         Case(check_phase_difference, dict(fn=student_phase), {"fn": "function"})]
BAD_CALLS, BAD_IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", BAD_CALLS, ids=BAD_IDS)
def test_bad_input_is_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
