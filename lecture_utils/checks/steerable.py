"""Checkers for notebook 03 (steerable filters, steerable pyramid, motion magnification)."""

from __future__ import annotations

import numpy as np

from .._validate import checked, function
from ..steerable import (angular_masks, frequency_grid, gaussian_derivative_kernels,
                         phase_difference, steer)
from ._core import CheckFailure, call_student, compare, passed

# (sigma, size, angle in radians): angles away from 0, 45 and 90 degrees so that
# swapping cos and sin, or flipping a sign, changes the values.
STEER_CASES = [(1.0, 7, np.pi / 3), (2.0, 13, 0.4), (1.5, 9, 2.2), (0.8, 5, -1.1), (3.0, 19, 4.0)]

# (frequency-grid shape, band b, order N): several orders and every kind of band index.
# The first case tells the usual mistakes apart (for N = 1, b = 1, pi b / N = 2 pi b / (N + 1)).
MASK_CASES = [((16, 12), 2, 3), ((8, 8), 1, 1), ((10, 14), 0, 2), ((12, 12), 3, 4), ((6, 10), 1, 2)]

# Shapes of the complex band arrays for the phase exercise.
PHASE_CASES = [(6,), (4, 5), (3, 4, 4), (20,), (2, 3)]


@checked(fn=function())
def check_steer_first_order(fn) -> None:
    """Check ``fn(g_x, g_y, alpha) -> cos(alpha) g_x + sin(alpha) g_y`` (alpha in radians)."""
    for sigma, size, alpha in STEER_CASES:
        _, g_x, g_y = gaussian_derivative_kernels(sigma, size)
        expected = steer(g_x, g_y, alpha)
        c, s = np.cos(alpha), np.sin(alpha)
        mistakes = [
            ("cos and sin are swapped: alpha is measured from the x axis, so alpha = 0 must give g_x.",
             s * g_x + c * g_y),
            ("the sign of the sin term is flipped: g^alpha = cos(alpha) g_x + sin(alpha) g_y.",
             c * g_x - s * g_y),
            ("that is the derivative at alpha + 90 degrees (the perpendicular direction): "
             "g^alpha = cos(alpha) g_x + sin(alpha) g_y.", -s * g_x + c * g_y),
            ("alpha is already in radians: do not convert it with np.radians / np.deg2rad.",
             np.cos(np.radians(alpha)) * g_x + np.sin(np.radians(alpha)) * g_y),
            ("np.cos and np.sin take radians: do not convert alpha to degrees.",
             np.cos(np.degrees(alpha)) * g_x + np.sin(np.degrees(alpha)) * g_y),
            ("the g_y term is missing: steering combines both basis filters.", c * g_x),
            ("both terms use cos(alpha): the g_y term is weighted by sin(alpha).", c * (g_x + g_y)),
        ]
        case = f"sigma={sigma}, {size}x{size} kernels, alpha={alpha:.3f} rad"
        got = call_student(fn, (g_x.copy(), g_y.copy(), alpha), case)
        compare("g^alpha", got, expected, mistakes, case, rtol=1e-9, atol=1e-12)
    passed("steer_first_order", len(STEER_CASES))


@checked(fn=function())
def check_angular_mask(fn) -> None:
    """Check ``fn(theta, b, order) -> c_N cos^N(theta - pi b / (N + 1))``, the real pyramid's mask."""
    from math import comb

    for shape, b, order in MASK_CASES:
        _, theta = frequency_grid(shape)
        expected = angular_masks(theta, order)[b]
        k = order + 1
        c2 = 4**order / (k * comb(2 * order, order))
        raw = np.cos(theta - np.pi * b / k) ** order
        mistakes = [
            ("the normalising constant c_N is missing: the squared masks of the N + 1 bands must sum "
             "to 1, which needs c_N = sqrt(4^N / ((N + 1) binom(2N, N))).", raw),
            ("you multiplied by c_N^2; the mask is c_N cos^N, with c_N the square root.", c2 * raw),
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
        got = call_student(fn, (theta.copy(), b, order), case)
        compare("A_b(theta)", got, expected, mistakes, case, rtol=1e-9, atol=1e-12)
    passed("angular_mask", len(MASK_CASES))


def _phase_case(shape, seed):
    """Complex bands whose phases sit near +-pi, so the phase change crosses the branch cut."""
    rng = np.random.default_rng(seed)
    ref_phase = rng.choice([-1, 1], shape) * (np.pi - rng.uniform(0.05, 0.4, shape))
    change = rng.uniform(-0.6, 0.6, shape)
    amp_ref, amp = rng.uniform(0.5, 2.0, shape), rng.uniform(0.5, 2.0, shape)
    return amp * np.exp(1j * (ref_phase + change)), amp_ref * np.exp(1j * ref_phase)


@checked(fn=function())
def check_phase_difference(fn) -> None:
    """Check ``fn(band, reference) -> angle(band * conj(reference))``, wrapped to (-pi, pi]."""
    for seed, shape in enumerate(PHASE_CASES):
        band, ref = _phase_case(shape, seed)
        expected = phase_difference(band, ref)
        naive = np.angle(band) - np.angle(ref)
        mistakes = [
            ("np.mod wraps into [0, 2 pi): a small negative change becomes almost 2 pi. "
             "Use np.angle(band * np.conj(reference)), which lands in (-pi, pi].",
             np.mod(naive, 2 * np.pi)),
            ("the difference of two np.angle values is not wrapped: across the branch cut at pi it is "
             "off by 2 pi. Take the angle of band * conj(reference) instead.", naive),
            ("the sign is flipped: the change is the phase of band relative to reference, "
             "angle(band * conj(reference)).", -expected),
            ("the conjugate is missing: band * reference adds the phases instead of subtracting them.",
             np.angle(band * ref)),
            ("you returned a change of amplitude, not of phase.", np.abs(band) - np.abs(ref)),
        ]
        case = f"bands of shape {shape}"
        got = call_student(fn, (band.copy(), ref.copy()), case)
        if np.iscomplexobj(np.asarray(got)):
            raise CheckFailure(f"the phase change must be real (radians), got a complex array for {case}: "
                               "take np.angle of the product.")
        compare("phase change", got, expected, mistakes, case, rtol=1e-9, atol=1e-12)
    passed("phase_difference", len(PHASE_CASES))
