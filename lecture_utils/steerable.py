"""Steerable filters, the steerable pyramid and phase-based motion magnification.

Lecture 6 of MIT 6.869 (seed ``001``, "Gaussian derivatives: Steerability" to
"Phase-based Pipeline"), and the two papers its last slides cite: Wadhwa et al. 2013
(phase-based) and, to compare with, Wu et al. 2012 (Eulerian, linear) motion magnification.

Symbols follow notebook 03, one meaning each: ``psi`` a steering angle, ``alpha`` a
magnification, ``w`` (``twidth``) a transition width in octaves, ``t`` time.

Coordinates and angles
----------------------
Kernels and images are arrays indexed ``[row, column]``; ``x`` is the column
offset and ``y`` the row offset, so ``y`` points *down* when shown with
``imshow``. An angle ``psi`` (radians) names the direction ``(cos psi, sin psi)`` in
``(x, y)``: it turns from the x axis towards the y axis, clockwise on screen.

Steering (lecture slides "Gaussian derivatives: Steerability", which write the angle alpha)::

    g(x, y)     = 1 / (2 pi sigma^2) exp(-(x^2 + y^2) / (2 sigma^2))
    g_x         = -x / (2 pi sigma^4) exp(...)       g_y = -y / (2 pi sigma^4) exp(...)
    g^psi       = cos(psi) g_x + sin(psi) g_y        (first order: 2 basis filters)
    g^psi_(N)   = sum_b k_b(psi) g^(theta_b)_(N)     (order N: N + 1 basis filters)

with basis angles ``theta_b = pi b / (N + 1)`` and interpolation functions
``k_b(psi) = 1/(N+1) sum_{m in {-N, -N+2, ..., N}} cos(m (psi - theta_b))``.

Steerable pyramid (Simoncelli and Freeman 1995), built in the frequency domain
-------------------------------------------------------------------------------
FFT normalisation: numpy's default (``norm="backward"``): the forward FFT is
unscaled and the inverse divides by the number of pixels ``P``, so Parseval
reads ``sum |I|^2 = (1/P) sum |FFT(I)|^2``. Every spectrum here is the full
``(H, W)`` FFT grid (``scipy.fft.fft2``) and every mask is computed from its
closed form when it is needed; ``lecture_utils.fast.steerable`` computes the same
pyramid from half spectra with cached masks. The FFT makes every image periodic:
its last row meets its first, which the coarse bands see as an edge where the two differ.

Frequencies are measured in units of the Nyquist frequency of the level's own
grid: ``r = |omega| / pi`` (``r = 1`` at the Nyquist frequency along an axis) and
``theta = atan2(omega_y, omega_x)``. The closed-form masks (``w`` = ``twidth``,
the transition width in octaves)::

    v(r)  = clip(-log2(r) / w, 0, 1)            0 at r >= 1, 1 at r <= 2^-w
    H(r)  = cos(pi/2 v(r))                      high-pass, raised cosine in log2 r
    L(r)  = sin(pi/2 v(r))                      low-pass;   H^2 + L^2 = 1
    A_b(theta) = c_N cos^N(theta - theta_b),    c_N^2 = 4^N / ((N + 1) binom(2N, N))
    sum_b A_b^2 = 1                             (the "partition of unity" of the angles)

Analysis, with ``I`` the image, ``S = FFT(I)`` its spectrum and ``J`` = ``levels``::

    high-pass residual   I_hi = IFFT(H(r) S)
    Y_0 = L(r) S
    band (j, b)          B_jb = IFFT(i^N A_b(theta) H(2r) Y_j)    K = N + 1 per level
    Y_{j+1}              crop(L(2r) Y_j) / 4       keep |omega| < pi/2, i.e. downsample by 2
    low-pass residual    I_lo = IFFT(Y_J)

Dividing by 4 when cropping keeps amplitudes: a constant image gives the same
constant in the low-pass residual. Each coefficient of level ``j`` then stands for
``4^j`` pixels, which gives the tight-frame energy identity::

    ||I||^2 = ||I_hi||^2 + sum_j 4^j sum_b ||B_jb||^2 + 4^J ||I_lo||^2

On the image's own grid, band ``(j, b)`` is one filter (:func:`band_response`),
``R_jb = i^N A_b(theta) H(2^(j+1) r) prod_{p=0..j} L(2^p r)`` with ``r`` the image's
radius, sampled every ``2^j`` pixels: it is zero above the coarse grid's Nyquist
frequency, so the subsampling does not alias.

The factor ``i^N`` makes band ``b`` the N-th directional derivative along
``theta_b`` of a band-passed image (the derivative of order N multiplies the
spectrum by ``(i omega . u)^N``). The complex pyramid uses ``2 A_b`` on the half
plane ``|theta - theta_b| < pi/2`` and 0 on the other half: its real part is the
real pyramid's band and its imaginary part the quadrature (Hilbert) pair, so a
complex band holds exactly twice the energy of the real one.

Sizes: each side must be divisible by ``2**levels`` so that every level halves
exactly; pad an image first otherwise (``np.pad(image, ..., mode="reflect")``).
Orders are at most ``MAX_ORDER`` = 100 everywhere.

Motion magnification: :func:`magnify_motion` (phase-based) and
:func:`magnify_motion_linear` (Eulerian, on a Laplacian pyramid) share one convention:
a motion ``delta(t)`` inside the temporal pass band becomes ``(1 + alpha) delta(t)``.
Both band-pass with an FFT along time, which treats the video as periodic (frame T - 1
is followed by frame 0): a test video should hold whole periods of its motion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import fft as sp_fft
from scipy import ndimage

from ._validate import (OVERFLOWS, array, check, checked, flag, instance, integer, optional, positive, real,
                        shape_tuple)
from .pyramids import LaplacianPyramid, laplacian_pyramid
from .pyramids import max_levels as laplacian_max_levels
from .pyramids import reconstruct as collapse

MAX_ORDER = 100
MAX_KERNEL_SIZE = 1001
MAX_SIGMA = 100.0        # pixels: the default kernel side 2 ceil(3 sigma) + 1 stays below MAX_KERNEL_SIZE

# The argument specs shared by several functions (see lecture_utils._validate).
ORDER = integer(0, MAX_ORDER, why_max=" (order N needs N + 1 basis filters and masks; no practical "
                                      "steerable filter goes beyond order 100)")
POSITIVE_ORDER = integer(1, MAX_ORDER, why_max=ORDER.why_max)
MIN_SIGMA = 0.05         # pixels: a narrower Gaussian is not sampled by the grid (its derivatives overflow)
SIGMA = real(MIN_SIGMA, MAX_SIGMA)
KERNEL_SIZE = optional(integer(1, MAX_KERNEL_SIZE, why_max=" (a kernel that wide is no local filter: "
                                                           "+-3 sigma needs 6 sigma + 1 pixels)"))


# ---------------------------------------------------------------------------
# Gaussian derivative filters and steering
# ---------------------------------------------------------------------------


def _kernel_grid(sigma, size):
    """Column and row offsets ``x, y`` of a centred square grid (0 in the middle)."""
    if size is None:
        size = 2 * math.ceil(3 * sigma) + 1  # +-3 sigma holds all but 1e-4 of the mass
    offsets = np.arange(size) - (size - 1) / 2
    y, x = np.meshgrid(offsets, offsets, indexing="ij")
    return x, y


@checked(sigma=SIGMA, size=KERNEL_SIZE)
def gaussian_derivative_kernels(sigma, size=None):
    """The Gaussian and its two first derivatives sampled on a square grid.

    Lecture slide "Gaussian derivatives: Steerability"::

        g   = 1 / (2 pi sigma^2) exp(-(x^2 + y^2) / (2 sigma^2))
        g_x = -x / (2 pi sigma^4) exp(-(x^2 + y^2) / (2 sigma^2)),   g_y likewise with y

    Parameters
    ----------
    sigma : float
        Standard deviation in pixels, 0 < sigma <= 100.
    size : int, optional
        Side of the grid in pixels (at most 1001); default ``2 ceil(3 sigma) + 1``. The
        grid is centred: offsets ``-(size-1)/2 .. (size-1)/2``; ``x`` runs along columns,
        ``y`` along rows.

    Returns
    -------
    g, g_x, g_y : (size, size) arrays
        ``g`` in 1/pixel^2 (it sums to about 1), the derivatives in 1/pixel^3.
    """
    x, y = _kernel_grid(sigma, size)
    g = np.exp(-(x**2 + y**2) / (2 * sigma**2)) / (2 * np.pi * sigma**2)
    return g, -x / sigma**2 * g, -y / sigma**2 * g


@checked(sigma=SIGMA, angle=real(), order=ORDER, size=KERNEL_SIZE)
def directional_derivative_kernel(sigma, angle, order=1, size=None):
    """The N-th derivative of the Gaussian along direction ``angle``, sampled directly.

    With ``s = x cos(psi) + y sin(psi)`` the distance along the direction ``psi`` = ``angle``,
    ``d^N g / ds^N = (-1 / sigma)^N He_N(s / sigma) g`` where ``He_N`` is the
    (probabilists') Hermite polynomial: ``He_1(z) = z``, ``He_2(z) = z^2 - 1``.
    This is the "rotated filter" that steering must reproduce.

    Parameters
    ----------
    sigma : float
        Standard deviation in pixels.
    angle : float
        Direction in radians (see the module docstring for the orientation convention).
    order : int
        Derivative order N, 0 <= N <= 100 (0 gives g itself).
    size : int, optional
        Grid side, as in :func:`gaussian_derivative_kernels`.

    Returns
    -------
    (size, size) array
    """
    x, y = _kernel_grid(sigma, size)
    g = np.exp(-(x**2 + y**2) / (2 * sigma**2)) / (2 * np.pi * sigma**2)
    z = (x * np.cos(angle) + y * np.sin(angle)) / sigma      # s / sigma
    hermite = np.polynomial.hermite_e.hermeval(z, [0] * order + [1])
    return (-1 / sigma) ** order * hermite * g


@checked(g_x=array("H W"), g_y=array("H W"), angle=real())
def steer(g_x, g_y, angle):
    """First-order steering ``g^psi = cos(psi) g_x + sin(psi) g_y`` (lecture slide), ``psi`` = ``angle``.

    Works on kernels and on filtered images alike (filtering is linear).

    Parameters
    ----------
    g_x, g_y : (H, W) arrays
        The responses (or kernels) of the x and y derivatives.
    angle : float
        Radians; 0 gives ``g_x``, pi/2 gives ``g_y``. The slide's 60 degrees is
        ``np.pi / 3``: ``g^60 = 1/2 g_x + sqrt(3)/2 g_y``.

    Returns
    -------
    (H, W) array
    """
    return np.cos(angle) * g_x + np.sin(angle) * g_y


@checked(order=ORDER)
def basis_angles(order):
    """Basis orientations ``theta_b = pi b / (N + 1)``, b = 0..N, in radians.

    An N-th order derivative needs N + 1 basis filters (not N, as one slide says).

    Returns
    -------
    (N + 1,) array
    """
    return np.pi * np.arange(order + 1) / (order + 1)


@checked(order=ORDER, angle=real())
def steering_weights(order, angle):
    """Interpolation functions ``k_b(psi)`` for N-th order derivatives.

    ``cos^N(gamma - psi) = sum_b k_b(psi) cos^N(gamma - theta_b)`` for every angle ``gamma``, with
    ``k_b(psi) = 1/(N+1) sum_{m = -N, -N+2, ..., N} cos(m (psi - theta_b))``
    (Freeman and Adelson 1991). For N = 1 this is ``(cos psi, sin psi)``; for N = 2,
    ``k_b(psi) = (1 + 2 cos(2 (psi - theta_b))) / 3`` at 0, 60 and 120 degrees.

    Parameters
    ----------
    order : int
        N, 0 <= N <= 100.
    angle : float
        Radians.

    Returns
    -------
    (N + 1,) array
    """
    harmonics = np.arange(-order, order + 1, 2)  # the N + 1 angular frequencies of cos^N
    return np.cos(np.outer(angle - basis_angles(order), harmonics)).sum(axis=1) / (order + 1)


def _check_basis(basis, angle):
    # Complex bands steer too (the weights are real): a complex array stays complex.
    dtype = "complex" if isinstance(basis, np.ndarray) and np.iscomplexobj(basis) else "float"
    basis, angle = check({"basis": array("K ...", dtype=dtype), "angle": real()},
                         {"basis": basis, "angle": angle})
    integer(1, MAX_ORDER + 1, why_max=" (one entry per basis angle, order <= 100)")(
        basis.shape[0], "basis.shape[0]", {})
    return basis, angle


def steer_basis(basis, angle):
    """Steer N-th order basis responses: ``sum_b k_b(psi) basis[b]``.

    Parameters
    ----------
    basis : (N + 1, ...) array, real or (a numpy array) complex
        Responses (or kernels) at the angles ``basis_angles(N)``, in order;
        N is inferred from the first axis.
    angle : float
        Radians.

    Returns
    -------
    array of shape ``basis.shape[1:]``
    """
    basis, angle = _check_basis(basis, angle)
    return np.tensordot(steering_weights(basis.shape[0] - 1, angle), basis, axes=1)


@checked(image=array("H W"), sigma=SIGMA, angles=array("A"), order=POSITIVE_ORDER, size=KERNEL_SIZE)
def oriented_responses(image, sigma, angles, order=1, size=None):
    """Filter an image at many orientations from only ``order + 1`` convolutions.

    The image is convolved (``scipy.ndimage.convolve``, reflecting borders) once
    with each basis filter ``d^N g / du^N`` at :func:`basis_angles`; every requested
    orientation is then a weighted sum of those responses (:func:`steer_basis`).

    Parameters
    ----------
    image : (H, W) array
    sigma : float
        Gaussian scale in pixels.
    angles : (A,) array
        Orientations in radians.
    order : int
        Derivative order N, 1 <= N <= 100.
    size : int, optional
        Kernel side.

    Returns
    -------
    (A, H, W) array
        Response at each angle (units: image units per pixel^N).
    """
    kernels = [directional_derivative_kernel(sigma, theta, order, size) for theta in basis_angles(order)]
    basis = np.stack([ndimage.convolve(image, kernel, mode="reflect") for kernel in kernels])
    return np.stack([steer_basis(basis, a) for a in angles])


# ---------------------------------------------------------------------------
# Closed-form frequency masks
# ---------------------------------------------------------------------------


@checked(shape=shape_tuple(ndims=(2,), maximum=2**15))
def frequency_grid(shape):
    """Polar frequency coordinates of an FFT grid, in numpy's unshifted layout.

    Parameters
    ----------
    shape : (H, W) tuple of int
        Sides of at most 32768 pixels.

    Returns
    -------
    r : (H, W) array
        ``|omega| / pi``: 1 at the Nyquist frequency along an axis (dimensionless).
    theta : (H, W) array
        ``atan2(omega_y, omega_x)`` in radians, in (-pi, pi].
    """
    fy = 2 * np.fft.fftfreq(shape[0])[:, None]  # cycles/pixel * 2 = omega / pi
    fx = 2 * np.fft.fftfreq(shape[1])[None, :]
    return np.hypot(fx, fy), np.arctan2(np.broadcast_to(fy, shape), np.broadcast_to(fx, shape))


def _check_radii(r, twidth):
    r, twidth = check({"r": array(), "twidth": positive()}, {"r": r, "twidth": twidth})
    if np.any(r < 0):
        raise ValueError(f"r must be >= 0 (a radius), got a minimum of {r.min()}")
    return r, twidth


def radial_masks(r, twidth=1.0):
    """High- and low-pass radial masks: raised cosine in ``log2 r``.

    ``v = clip(-log2(r) / twidth, 0, 1)``, ``H = cos(pi/2 v)``, ``L = sin(pi/2 v)``,
    so ``H^2 + L^2 = 1`` everywhere; ``H = 1, L = 0`` for ``r >= 1`` and
    ``H = 0, L = 1`` for ``r <= 2^-twidth`` (including DC).

    Parameters
    ----------
    r : array
        Radial frequency in units of the Nyquist frequency (>= 0).
    twidth : float
        Width of the transition band in octaves, > 0.

    Returns
    -------
    high, low : arrays shaped like ``r``
    """
    r, twidth = _check_radii(r, twidth)
    with np.errstate(divide="ignore"):  # log2(0) = -inf is wanted: DC is pure low-pass
        v = np.clip(-np.log2(r) / twidth, 0.0, 1.0)
    high = np.where(v >= 1, 0.0, np.cos(np.pi / 2 * v))  # exact 0, not cos(pi/2) = 6e-17
    return high, np.sin(np.pi / 2 * v)


@checked(order=ORDER)
def angular_constant(order):
    """``c_N`` with ``c_N^2 = 4^N / ((N + 1) binom(2N, N)) = 2^(2N) (N!)^2 / ((N+1) (2N)!)``.

    It makes the squared angular masks of the N + 1 bands sum to one:
    ``sum_b c_N^2 cos^(2N)(theta - theta_b) = 1``. Exact integers, rounded once: with
    N <= 100 they have at most 61 digits (microseconds; N = 10^5 took a third of a second).
    """
    return math.sqrt(4**order / ((order + 1) * math.comb(2 * order, order)))


def _check_complex_order(order, complex_bands):
    if complex_bands and order == 0:
        raise ValueError("complex_bands=True needs order >= 1: with order 0 (cos^0 = 1) the two half "
                         "planes do not split the band, and its real part is not the real band; got order=0")


def _check_angular(theta, order, complex_bands):
    theta, order, complex_bands = check({"theta": array(), "order": ORDER, "complex_bands": flag()},
                                        {"theta": theta, "order": order, "complex_bands": complex_bands})
    _check_complex_order(order, complex_bands)
    return theta, order, complex_bands


def angular_masks(theta, order, complex_bands=False):
    """Angular masks ``A_b(theta) = c_N cos^N(theta - theta_b)`` of the N + 1 bands.

    Parameters
    ----------
    theta : array
        Frequency angle in radians (e.g. from :func:`frequency_grid`).
    order : int
        N, 0 <= N <= 100 (>= 1 when ``complex_bands``).
    complex_bands : bool
        If True, the analytic masks ``2 A_b`` on ``|theta - theta_b| < pi/2`` and 0
        elsewhere (one half of the frequency plane).

    Returns
    -------
    (N + 1, *theta.shape) array
    """
    theta, order, complex_bands = _check_angular(theta, order, complex_bands)
    cosines = np.cos(theta - basis_angles(order).reshape((-1,) + (1,) * theta.ndim))  # cos(theta - theta_b)
    masks = angular_constant(order) * cosines**order
    if complex_bands:
        masks = 2 * masks * (cosines > 0)      # the half plane |theta - theta_b| < pi/2
    return masks


def _check_band_response(shape, level, orientation, order, twidth, complex_bands):
    shape, order, twidth, complex_bands = check(
        {"shape": shape_tuple(ndims=(2,), maximum=2**15), "order": ORDER, "twidth": positive(),
         "complex_bands": flag()},
        {"shape": shape, "order": order, "twidth": twidth, "complex_bands": complex_bands})
    _check_complex_order(order, complex_bands)
    most = max_levels(shape)
    level, orientation = check(
        {"level": integer(0, most - 1, why_max=f" (an image of shape {shape} has at most {most} band levels, "
                                               "floor(log2(min(H, W))) - 2)") if most else
                  integer(0, -1, why_max=f" (an image of shape {shape} is too small for any band level)"),
         "orientation": integer(0, order, why_max=f" (order {order} has {order + 1} orientations, 0 to {order})")},
        {"level": level, "orientation": orientation})
    return shape, level, orientation, order, twidth, complex_bands


def band_response(shape, level, orientation, order=3, twidth=1, complex_bands=False):
    """Band ``(level, orientation)`` as one filter on the image's own FFT grid.

    The masks met on the way to the band, each at the image's frequency radius ``r``
    (level ``j``'s grid halves the Nyquist frequency ``j`` times, so its ``L(2r)`` is
    ``L(2^(j+1) r)`` here)::

        R_jb(omega) = i^N A_b(theta) H(2^(j+1) r) prod_{p=0..j} L(2^p r)

    Band ``(j, b)`` of :func:`steerable_pyramid` is ``IFFT(R_jb FFT(I))`` sampled every
    ``2^j`` pixels (exactly: ``R_jb`` is 0 above the coarse grid's Nyquist frequency), and
    ``IFFT(R_jb)``, centred, is the band's kernel in space. Summed over the bands,
    ``|H(r)|^2 + sum_jb |R_jb|^2 + prod_{p=0..J} L(2^p r)^2 = 1``: the tiling of the
    frequency plane is a partition of unity, which is the tight frame.

    Parameters
    ----------
    shape : (H, W) tuple of int
        The image's size (sides of at most 32768 pixels).
    level : int
        j, 0 <= j < ``max_levels(shape)``.
    orientation : int
        b, 0 <= b <= order.
    order : int
        N, 0 <= N <= 100 (>= 1 when ``complex_bands``).
    twidth : float
        Radial transition width in octaves, > 0.
    complex_bands : bool
        The analytic band (``2 A_b`` on one half plane).

    Returns
    -------
    (H, W) complex array
        In numpy's unshifted FFT layout (dimensionless gain).
    """
    shape, level, orientation, order, twidth, complex_bands = _check_band_response(
        shape, level, orientation, order, twidth, complex_bands)
    r, theta = frequency_grid(shape)
    response = 1j**order * angular_masks(theta, order, complex_bands)[orientation]
    response = response * radial_masks(2 ** (level + 1) * r, twidth)[0]        # H(2^(j+1) r)
    for i in range(level + 1):
        response = response * radial_masks(2**i * r, twidth)[1]                # L(2^i r)
    return response


# ---------------------------------------------------------------------------
# The steerable pyramid
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SteerablePyramid:
    """Coefficients of a steerable pyramid and the settings needed to invert it.

    Attributes
    ----------
    highpass : (H, W) array
        High-pass residual (real).
    bands : tuple of ``levels`` arrays
        ``bands[j]`` has shape ``(K, H / 2^j, W / 2^j)`` with ``K = order + 1``;
        ``bands[j][b]`` is oriented at ``theta_b = pi b / K``; complex if ``complex_bands``.
    lowpass : (H / 2^levels, W / 2^levels) array
        Low-pass residual (real), amplitude-preserving (see module docstring).
    order : int
        Derivative order N of the angular masks.
    twidth : float
        Radial transition width in octaves.
    complex_bands : bool
        Whether the bands are complex (analytic, quadrature pairs).
    """

    highpass: np.ndarray
    bands: tuple
    lowpass: np.ndarray
    order: int
    twidth: float
    complex_bands: bool

    @property
    def levels(self) -> int:
        """Number of oriented band levels J."""
        return len(self.bands)

    @property
    def num_orientations(self) -> int:
        """K = order + 1 bands per level."""
        return self.order + 1

    @property
    def orientations(self) -> np.ndarray:
        """Band angles ``theta_b`` in radians, (K,)."""
        return basis_angles(self.order)

    @property
    def shape(self) -> tuple:
        """Shape of the image the pyramid represents."""
        return self.highpass.shape

    def band(self, level: int, orientation: int) -> np.ndarray:
        """The coefficients of band ``(level, orientation)``, level 0 the finest.

        Returns the ``(H / 2^level, W / 2^level)`` array oriented at ``theta_b = pi b / K``
        (``b = orientation``), complex if ``complex_bands``.
        """
        level, orientation = _check_band_index(self, level, orientation)
        return self.bands[level][orientation]


def _level_index(levels):
    """The spec of a level index into a pyramid of ``levels`` band levels."""
    why = f" (the pyramid has {levels} band levels, 0 to {levels - 1})" if levels else " (the pyramid has no bands)"
    return integer(0, levels - 1, why_max=why)


def _check_band_index(pyramid, level, orientation):
    k = pyramid.num_orientations
    return check({"level": _level_index(pyramid.levels),
                  "orientation": integer(0, k - 1, why_max=f" (the pyramid has {k} orientations, 0 to {k - 1})")},
                 {"level": level, "orientation": orientation})


@checked(shape=shape_tuple(ndims=(2,)))
def max_levels(shape):
    """Most levels for an image of ``shape`` (H, W): ``max(floor(log2(min(H, W))) - 2, 0)``.

    The low-pass residual then keeps at least 4 pixels per side (as in pyrtools).
    """
    return max(int(math.floor(math.log2(min(shape)))) - 2, 0)


def _check_levels_fit(levels, shape, what):
    """``levels`` within :func:`max_levels` of ``shape``, and every level halving exactly."""
    levels = integer(0, max_levels(shape), why_max=f" for {what} of shape {shape} "
                     "(floor(log2(min(H, W))) - 2)")(levels, "levels", {})
    step = 2**levels
    if shape[0] % step or shape[1] % step:
        raise ValueError(f"{what} of shape {shape} must be divisible by 2**levels = {step} on both sides "
                         f"so every level halves exactly; pad it first, e.g. np.pad(image, ((0, "
                         f"{-shape[0] % step}), (0, {-shape[1] % step})), mode='reflect')")
    return levels


def _check_pyramid_args(image, levels, order, complex_bands, twidth):
    image, order, complex_bands, twidth = check(
        {"image": array("H W"), "order": ORDER, "complex_bands": flag(), "twidth": positive()},
        {"image": image, "order": order, "complex_bands": complex_bands, "twidth": twidth})
    _check_complex_order(order, complex_bands)
    return image, _check_levels_fit(levels, image.shape, "an image"), order, complex_bands, twidth


def _first_split(shape, twidth):
    """H(r) and L(r) on the image's (H, W) grid: high-pass residual and Y_0."""
    r, _ = frequency_grid(shape)
    return radial_masks(r, twidth)


def _level_masks(shape, order, twidth, complex_bands):
    """On one level's (H, W) grid: L(2r), (H, W), and the K band masks i^N A_b(theta) H(2r), (K, H, W)."""
    r, theta = frequency_grid(shape)
    high2, low2 = radial_masks(2 * r, twidth)    # H(2r): this level's band; L(2r): what goes on
    return low2, 1j**order * angular_masks(theta, order, complex_bands) * high2


def _central_frequencies(n):
    """Where the n/2 frequencies of an (n/2)-point FFT (``|k| <= n/4``) sit in an n-point FFT (n even)."""
    return np.rint(np.fft.fftfreq(n // 2, d=2 / n)).astype(int) % n


def _downsample(spectrum):
    """The central (H/2, W/2) block of an (H, W) spectrum: ``|omega| <= pi/2``, the coarse grid's."""
    rows, cols = (_central_frequencies(n) for n in spectrum.shape)
    return spectrum[np.ix_(rows, cols)]


def _upsample(spectrum, shape):
    """Zero-pad an (H/2, W/2) spectrum into the (H, W) grid: the adjoint of :func:`_downsample`."""
    padded = np.zeros(shape, dtype=complex)
    padded[np.ix_(*(_central_frequencies(n) for n in shape))] = spectrum
    return padded


def steerable_pyramid(image, levels, order=3, complex_bands=False, twidth=1):
    """Build a (real or complex) steerable pyramid in the frequency domain.

    Implements the analysis equations of the module docstring (Simoncelli and
    Freeman 1995; lecture slides "Steerable Pyramid") on full FFT grids.

    Parameters
    ----------
    image : (H, W) array
        H and W divisible by ``2**levels`` (pad odd or awkward sizes first).
    levels : int
        Number J of oriented band levels, 0 <= J <= ``max_levels(image.shape)``.
    order : int
        Derivative order N, 0 <= N <= 100; each level has K = N + 1 bands.
    complex_bands : bool
        Complex (analytic, quadrature-pair) bands; needs order >= 1.
    twidth : float
        Radial transition width in octaves, > 0.

    Returns
    -------
    SteerablePyramid
    """
    image, levels, order, complex_bands, twidth = _check_pyramid_args(image, levels, order, complex_bands,
                                                                      twidth)
    spectrum = sp_fft.fft2(image)                                            # X
    high, low = _first_split(image.shape, twidth)
    highpass = sp_fft.ifft2(high * spectrum).real
    current = low * spectrum                                                 # Y_0
    bands = []
    for _ in range(levels):
        low2, oriented = _level_masks(current.shape, order, twidth, complex_bands)
        band = sp_fft.ifft2(oriented * current, axes=(-2, -1))
        bands.append(band if complex_bands else band.real)  # real bands: the Hermitian part
        current = _downsample(low2 * current) / 4                            # Y_{j+1}, amplitude kept
    lowpass = sp_fft.ifft2(current).real
    return SteerablePyramid(highpass, tuple(bands), lowpass, order, float(twidth), complex_bands)


def _check_pyramid(pyramid):
    """The pyramid's ``(highpass, bands, lowpass)``, after checking that they fit together."""
    instance(SteerablePyramid, made_by="steerable_pyramid")(pyramid, "pyramid", {})
    names = {"order": ORDER, "twidth": positive(), "complex_bands": flag(), "bands": instance((tuple, list))}
    check({f"pyramid.{n}": spec for n, spec in names.items()}, {f"pyramid.{n}": getattr(pyramid, n) for n in names})
    highpass = array("H W")(pyramid.highpass, "pyramid.highpass", {})
    (rows, cols), levels, k = highpass.shape, len(pyramid.bands), pyramid.order + 1
    if rows % 2**levels or cols % 2**levels:
        raise ValueError(f"pyramid.highpass of shape {highpass.shape} must be divisible by 2**levels = "
                         f"{2**levels}, with levels = len(pyramid.bands) = {levels}")
    dtype = "complex" if pyramid.complex_bands else "float"
    bands = tuple(array(f"{k} {rows >> j} {cols >> j}", dtype=dtype)(band, f"pyramid.bands[{j}]", {})
                  for j, band in enumerate(pyramid.bands))
    lowpass = array(f"{rows >> levels} {cols >> levels}")(pyramid.lowpass, "pyramid.lowpass", {})
    return highpass, bands, lowpass


def reconstruct(pyramid):
    """Invert :func:`steerable_pyramid` from the coefficients alone.

    Synthesis (the adjoint of each analysis step; exact because
    ``H^2 + L^2 (sum_b A_b^2 H(2r)^2 + L(2r)^2) = 1``)::

        Y_J = FFT(l)   then for j = J-1 .. 0:
        Y_j = L(2r) zero_pad(4 Y_{j+1}) + sum_b conj(i^N) A_b H(2r) FFT(Re B_jb)
        x   = IFFT(H(r) FFT(h) + L(r) Y_0)

    For a complex pyramid only the real parts of the bands are used (they are the
    real pyramid's bands), so edited complex coefficients reconstruct too.

    Parameters
    ----------
    pyramid : SteerablePyramid
        Possibly edited (``dataclasses.replace``) coefficients.

    Returns
    -------
    (H, W) array
    """
    highpass, bands, lowpass = _check_pyramid(pyramid)
    order, twidth = pyramid.order, pyramid.twidth
    current = sp_fft.fft2(lowpass)                                           # Y_J
    for band in reversed(bands):
        band = np.real(band)  # the real pyramid's band, with the real masks below
        low2, oriented = _level_masks(band.shape[1:], order, twidth, False)
        band_sum = np.sum(np.conj(oriented) * sp_fft.fft2(band, axes=(-2, -1)), axis=0)
        current = low2 * _upsample(4 * current, band.shape[1:]) + band_sum   # 4 undoes the / 4
    high, low = _first_split(highpass.shape, twidth)
    return sp_fft.ifft2(high * sp_fft.fft2(highpass) + low * current).real


def pyramid_energy(pyramid):
    """Weighted coefficient energy ``||h||^2 + sum_j 4^j sum_b ||B_jb||^2 + 4^J ||l||^2``.

    Equals the image energy ``sum x^2`` (tight frame). For a complex pyramid the
    band energies are halved, since a complex band holds twice the real band's energy.

    Returns
    -------
    float, in (image units)^2
    """
    highpass, bands, lowpass = _check_pyramid(pyramid)
    band_factor = 0.5 if pyramid.complex_bands else 1.0
    energy = float(np.sum(highpass**2))
    for j, level_bands in enumerate(bands):
        energy += band_factor * 4**j * float(np.sum(np.abs(level_bands) ** 2))
    return energy + 4 ** len(bands) * float(np.sum(lowpass**2))


def _check_steer_bands_args(pyramid, level, angle):
    _check_pyramid(pyramid)
    return check({"level": _level_index(pyramid.levels), "angle": real()}, {"level": level, "angle": angle})


def steer_bands(pyramid, level, angle):
    """The band of level ``level`` at any orientation, from the K basis bands.

    Real bands are steered with :func:`steering_weights`. For a complex pyramid the
    real parts are steered (exact) and the result made analytic again on the half
    plane ``|theta - angle| < pi/2`` (the half-plane masks themselves do not steer).

    Parameters
    ----------
    pyramid : SteerablePyramid
    level : int
        0 <= level < pyramid.levels.
    angle : float
        Radians.

    Returns
    -------
    (H / 2^level, W / 2^level) array, complex if the pyramid is
    """
    level, angle = _check_steer_bands_args(pyramid, level, angle)
    steered = steer_basis(np.real(pyramid.bands[level]), angle)
    if not pyramid.complex_bands:
        return steered
    _, theta = frequency_grid(steered.shape)
    half_plane = np.cos(theta - angle) > 0     # |theta - angle| < pi/2, as in angular_masks
    return sp_fft.ifft2(2 * half_plane * sp_fft.fft2(steered))


# ---------------------------------------------------------------------------
# Phase-based motion magnification (Wadhwa et al. 2013)
# ---------------------------------------------------------------------------


def _check_phase_args(band, reference):
    band, reference = check({"band": array(dtype="complex"), "reference": array(dtype="complex")},
                            {"band": band, "reference": reference})
    try:
        np.broadcast_shapes(band.shape, reference.shape)
    except ValueError:
        raise ValueError(f"band and reference must have broadcastable shapes, got {band.shape} "
                         f"and {reference.shape}") from None
    return band, reference


def phase_difference(band, reference):
    """Local phase change ``angle(band * conj(reference))`` in radians, in (-pi, pi].

    Wrapping the product (rather than subtracting two phases and taking a modulo)
    keeps a small negative change small and negative.

    Parameters
    ----------
    band, reference : complex arrays of broadcastable shapes

    Returns
    -------
    real array of the broadcast shape
    """
    band, reference = _check_phase_args(band, reference)
    return np.angle(band * np.conj(reference))


def _check_band_edges(low, high, fps):
    low, high, fps = check({"low": real(0), "high": positive(), "fps": positive()},
                           {"low": low, "high": high, "fps": fps})
    if not low < high <= fps / 2:
        raise ValueError(f"need 0 <= low < high <= fps/2 (Nyquist, {fps / 2} Hz), got low={low}, high={high}")
    return low, high, fps


def _check_bandpass_args(signal, low, high, fps, axis):
    signal = array("T ...")(signal, "signal", {})
    ndim = signal.ndim
    axis = integer(-ndim, ndim - 1, why_max=f" (signal has {ndim} axes)")(axis, "axis", {})
    return (signal, *_check_band_edges(low, high, fps), axis)


def temporal_bandpass(signal, low, high, fps, axis=0):
    """Ideal band-pass along time: keep temporal frequencies ``low <= |f| <= high`` (Hz).

    Done with an FFT along ``axis``, which treats the signal as periodic in time: sample ``T - 1``
    is followed by sample 0, so a motion that does not fill whole periods of its frequency has a
    jump at the wrap, whose spectrum leaks into the pass band (give it whole periods).

    Parameters
    ----------
    signal : (T, ...) array
        Real samples at ``fps`` frames per second along ``axis``.
    low, high : float
        Pass band edges in Hz, ``0 <= low < high <= fps / 2``.
    fps : float
        Frame rate in Hz.
    axis : int
        The time axis of ``signal``.

    Returns
    -------
    real array shaped like ``signal``
    """
    signal, low, high, fps, axis = _check_bandpass_args(signal, low, high, fps, axis)
    n = signal.shape[axis]
    freqs = np.fft.rfftfreq(n, d=1 / fps)             # the signal is real: the frequencies >= 0 hold it all
    keep = (freqs >= low) & (freqs <= high)
    shape = [1] * signal.ndim
    shape[axis] = freqs.size                          # broadcast the mask along the time axis
    return sp_fft.irfft(sp_fft.rfft(signal, axis=axis) * keep.reshape(shape), n=n, axis=axis)


def _amplitude_weighted_blur(phase, amplitude, sigma):
    """Gaussian blur of ``phase`` weighted by ``amplitude`` over the last two axes (Wadhwa et al. 2013).

    ``G_sigma * (A dphi) / G_sigma * A``: where a coefficient's amplitude is small its phase is
    mostly noise, and its neighbours with a strong amplitude take over.
    """
    axes_sigma = (0,) * (phase.ndim - 2) + (sigma, sigma)
    num = ndimage.gaussian_filter(phase * amplitude, axes_sigma, mode="wrap")
    den = ndimage.gaussian_filter(amplitude, axes_sigma, mode="wrap")
    return num / np.maximum(den, np.finfo(float).tiny)


def _largest_fitting_levels(shape):
    """The most levels whose every level halves ``shape`` exactly (at most :func:`max_levels`)."""
    levels = max_levels(shape)
    while levels > 0 and (shape[0] % 2**levels or shape[1] % 2**levels):
        levels -= 1
    return levels


def _check_frames(frames):
    """A (T, H, W) grey-level video of at least 2 frames; a list names the first frame of another shape."""
    if isinstance(frames, (list, tuple)):  # name the first frame whose shape differs
        shapes = [np.shape(f) for f in frames]
        for t, shape in enumerate(shapes):
            if shape != shapes[0]:
                raise ValueError(f"frames must all have the same shape: frame 0 is {shapes[0]}, frame {t} is {shape}")
    frames = array("T H W", limit=OVERFLOWS)(frames, "frames", {})
    if frames.shape[0] < 2:
        raise ValueError(f"frames must hold at least 2 frames (T, H, W), got shape {frames.shape}")
    return frames


def _check_magnify_args(frames, alpha, low, high, fps, levels, order, twidth, sigma, reference):
    frames = _check_frames(frames)
    alpha, order, twidth, sigma = check(
        {"alpha": real(0), "order": POSITIVE_ORDER, "twidth": positive(), "sigma": real(0, MAX_SIGMA)},
        {"alpha": alpha, "order": order, "twidth": twidth, "sigma": sigma})
    count, shape = frames.shape[0], frames.shape[1:]
    reference = integer(0, count - 1, why_max=f" (an index into the {count} frames)")(reference, "reference", {})
    levels = _largest_fitting_levels(shape) if levels is None else _check_levels_fit(levels, shape, "each frame")
    return (frames, alpha, *_check_band_edges(low, high, fps), levels, order, twidth, sigma, reference)


def _bandpassed_phases(stack, low, high, fps, sigma, reference):
    """``dphi~_t`` of one level's complex bands over time ``(T, K, H_j, W_j)``.

    ``dphi_t = angle(B_t conj(B_ref))`` band-passed in time and, if ``sigma`` > 0, blurred in
    space weighted by the amplitude ``|B_t|``.
    """
    dphi = temporal_bandpass(phase_difference(stack, stack[reference]), low, high, fps, axis=0)
    if sigma > 0:
        dphi = _amplitude_weighted_blur(dphi, np.abs(stack), sigma)
    return dphi


def _magnify_phases(stack, alpha, low, high, fps, sigma, reference):
    """One level's complex bands over time ``(T, K, H_j, W_j)``, their band-passed phase changes times alpha added.

    ``B'_t = B_t exp(i alpha dphi~_t)``, with ``dphi~_t`` from :func:`_bandpassed_phases`.
    """
    return stack * np.exp(1j * alpha * _bandpassed_phases(stack, low, high, fps, sigma, reference))


def magnify_motion(frames, alpha, low, high, fps, levels=None, order=3, twidth=1, sigma=0.0, reference=0):
    """Phase-based motion magnification (Wadhwa et al., SIGGRAPH 2013).

    For every frame ``t`` a complex steerable pyramid is built; for every band
    the phase change from the reference frame, ``dphi_t = angle(B_t conj(B_ref))``,
    is band-passed in time (:func:`temporal_bandpass`), optionally smoothed in
    space weighted by the amplitude ``|B_t|``, multiplied by ``alpha`` and added:
    ``B_t' = B_t exp(i alpha dphi_t)``. The residuals are kept. Convention: a
    motion ``delta(t)`` inside the pass band becomes ``(1 + alpha) delta(t)``.

    The phase shift moves each band's carrier, not the envelope of its filter: the
    magnified motion ``alpha delta`` must stay within that envelope (Wadhwa et al., Sec. 3.2).
    The temporal FFT treats the video as periodic: give it whole periods of the motion.

    Parameters
    ----------
    frames : (T, H, W) array
        Grey-level video, T >= 2; H, W divisible by ``2**levels``.
    alpha : float
        Magnification >= 0 (0 returns the input up to round-off).
    low, high : float
        Temporal pass band in Hz, ``0 <= low < high <= fps/2``.
    fps : float
        Frame rate in Hz.
    levels : int, optional
        Pyramid levels; default the most that :func:`steerable_pyramid` accepts for
        the frame size (at most ``max_levels``, with H and W divisible by ``2**levels``).
    order : int
        Angular order N, 1 <= N <= 100 (N + 1 orientations).
    twidth : float
        Radial transition width in octaves.
    sigma : float
        Std (pixels of each level, 0 to 100) of the amplitude-weighted phase smoothing; 0 = none.
    reference : int
        Index of the reference frame.

    Returns
    -------
    (T, H, W) array
    """
    frames, alpha, low, high, fps, levels, order, twidth, sigma, reference = _check_magnify_args(
        frames, alpha, low, high, fps, levels, order, twidth, sigma, reference)
    # The lecture pyramid, not lecture_utils.fast: this is the lecture's pipeline, read next to
    # the equations, and a lecture module does not import speed paths. The price is the masks,
    # recomputed for every frame: lecture_utils.fast.steerable.magnify_motion is about 3 times faster.
    pyramids = [steerable_pyramid(f, levels, order, complex_bands=True, twidth=twidth) for f in frames]
    new_bands = [_magnify_phases(np.stack([p.bands[j] for p in pyramids]), alpha, low, high, fps, sigma, reference)
                 for j in range(levels)]                                 # each (T, K, H_j, W_j)
    edited = [SteerablePyramid(p.highpass, tuple(b[t] for b in new_bands), p.lowpass, order, p.twidth, True)
              for t, p in enumerate(pyramids)]
    return np.stack([reconstruct(p) for p in edited])


# ---------------------------------------------------------------------------
# Linear (Eulerian) motion magnification (Wu et al. 2012), to compare with
# ---------------------------------------------------------------------------


def _check_linear_args(frames, alpha, low, high, fps, levels, lambda_c):
    frames = _check_frames(frames)
    alpha, lambda_c = check({"alpha": real(0), "lambda_c": real(0)}, {"alpha": alpha, "lambda_c": lambda_c})
    shape = frames.shape[1:]
    most = laplacian_max_levels(shape)
    levels = most if levels is None else integer(1, most, why_max=f" for frames of shape {shape} (each level "
                                                              "halves the smaller side until it is 1)")(
        levels, "levels", {})
    return (frames, alpha, *_check_band_edges(low, high, fps), levels, lambda_c)


def linear_level_gains(alpha, levels, lambda_c=0.0):
    """Wu et al.'s magnification of each Laplacian level: ``alpha_k``, attenuated below ``lambda_c``.

    Band ``D_k`` (notebook 02's ``L_k``; k = 1 the finest) holds wavelengths of about ``2^k`` to
    ``2^(k+1)`` pixels;
    its representative wavelength is ``lambda_k = 2^(k+1)``. The first-order (Taylor)
    approximation holds while ``(1 + alpha) delta < lambda / 8`` (Wu et al. 2012, Sec. 3.2,
    Eq. 14). Their reference code gives each level the largest gain that keeps it within that
    bound for the motion ``delta = lambda_c / (8 (1 + alpha))`` that just meets it at ``lambda_c``::

        alpha_k = clip((1 + alpha) lambda_k / lambda_c - 1, 0, alpha)

    a linear ramp in ``lambda`` from 0 at ``lambda_c / (1 + alpha)`` to ``alpha`` at ``lambda_c``
    (their Fig. 6). ``lambda_c = 0`` switches the cut-off off; the low-pass level always gets ``alpha``.

    Parameters
    ----------
    alpha : float
        Magnification >= 0.
    levels : int
        Laplacian levels K >= 1 (K - 1 bands and the low-pass).
    lambda_c : float
        Cut-off wavelength in pixels, >= 0 (0: none).

    Returns
    -------
    (K,) array
        ``alpha_1, ..., alpha_{K-1}`` and the low-pass level's ``alpha``.
    """
    alpha, levels, lambda_c = check({"alpha": real(0), "levels": integer(1, 64, why_max=" (2^64 pixels)"),
                                     "lambda_c": real(0)}, {"alpha": alpha, "levels": levels, "lambda_c": lambda_c})
    wavelengths = 2.0 ** np.arange(2, levels + 1)                        # lambda_k = 2^(k+1), k = 1 .. K-1
    if lambda_c == 0:
        gains = np.full(levels - 1, alpha)
    else:
        gains = np.clip((1 + alpha) * wavelengths / lambda_c - 1, 0.0, alpha)
    return np.append(gains, alpha)


def magnify_motion_linear(frames, alpha, low, high, fps, levels=None, lambda_c=0.0):
    """Linear (Eulerian) motion magnification (Wu et al., SIGGRAPH 2012).

    Every frame is split into a Laplacian pyramid (:func:`lecture_utils.pyramids.laplacian_pyramid`);
    every coefficient's time series is band-passed (:func:`temporal_bandpass`), multiplied by
    the level's ``alpha_k`` (:func:`linear_level_gains`) and added back; each frame is collapsed::

        D'_k(t) = D_k(t) + alpha_k bandpass(D_k)(t)      (D_k: notebook 02's L_k; L here is a mask)

    With ``I(x, t) = f(x + delta(t))`` and the first-order Taylor expansion
    ``f(x + delta) ~ f(x) + delta f'(x)``, the band-passed change is ``delta(t) f'(x)``, and adding
    ``alpha`` times it gives ``f(x + (1 + alpha) delta(t))`` (Wu et al., Sec. 3.1): the same
    convention as :func:`magnify_motion`, as long as ``(1 + alpha) delta < lambda / 8`` (Sec. 3.2).
    With ``lambda_c = 0`` every level gets ``alpha`` and, the pyramid being exactly invertible and
    linear, the output is ``frames + alpha bandpass(frames)``: whatever the band-pass lets
    through, noise included, comes out ``1 + alpha`` times larger. Unlike Wu et al.'s MATLAB
    code, which also leaves out the finest and the coarsest level, every level is magnified.

    Parameters
    ----------
    frames : (T, H, W) array
        Grey-level video, T >= 2 (any H, W).
    alpha : float
        Magnification >= 0 (0 returns the input up to round-off).
    low, high : float
        Temporal pass band in Hz, ``0 <= low < high <= fps/2``.
    fps : float
        Frame rate in Hz.
    levels : int, optional
        Laplacian levels K; default the most the frame size allows (down to one pixel).
    lambda_c : float
        Spatial cut-off wavelength in pixels (>= 0; 0: none), see :func:`linear_level_gains`.

    Returns
    -------
    (T, H, W) array
    """
    frames, alpha, low, high, fps, levels, lambda_c = _check_linear_args(frames, alpha, low, high, fps, levels,
                                                                         lambda_c)
    gains = linear_level_gains(alpha, levels, lambda_c)
    levels_over_time, kernel, boundary = _laplacian_levels_over_time(frames, levels)
    magnified = [stack + gain * temporal_bandpass(stack, low, high, fps, axis=0)
                 for stack, gain in zip(levels_over_time, gains)]
    return _collapse_over_time(magnified, kernel, boundary)


def _laplacian_levels_over_time(frames, levels):
    """Every frame's Laplacian pyramid, level by level over time.

    Returns the K stacks ``D_k`` of shape (T, H_k, W_k) (the low-pass last), and the pyramids'
    kernel and boundary.
    """
    pyramids = [laplacian_pyramid(f, levels) for f in frames]
    levels_over_time = [np.stack([p.bands[k] for p in pyramids]) for k in range(levels - 1)]
    levels_over_time.append(np.stack([p.lowpass for p in pyramids]))
    return levels_over_time, pyramids[0].kernel, pyramids[0].boundary


def _collapse_over_time(levels_over_time, kernel, boundary):
    """The (T, H, W) video whose frame t collapses level t of every stack of ``levels_over_time``."""
    *bands, lowpass = levels_over_time
    return np.stack([collapse(LaplacianPyramid(tuple(b[t] for b in bands), lowpass[t], kernel, boundary))
                     for t in range(len(lowpass))])


def _check_translation_args(frame, reference, weights, max_iter):
    frame, reference, weights, max_iter = check(
        {"frame": array("H W", limit=OVERFLOWS), "reference": array("H W", limit=OVERFLOWS),
         "weights": optional(array("H W", limit=OVERFLOWS)),
         "max_iter": integer(1, 1000, why_max=" (Gauss-Newton converges in a few steps)")},
        {"frame": frame, "reference": reference, "weights": weights, "max_iter": max_iter})
    if weights is None:
        return frame, reference, np.ones_like(frame), max_iter
    if np.any(weights < 0) or not np.any(weights > 0):
        raise ValueError(f"weights must be non-negative and not all zero, got values in "
                         f"[{weights.min()}, {weights.max()}]")
    return frame, reference, weights, max_iter


def _shifted_and_derivatives(spectrum, omega_y, omega_x, d):
    """``S_d reference`` and its derivatives by ``dy`` and ``dx`` (each spectrum times -i omega)."""
    shifted = spectrum * np.exp(-1j * (omega_y * d[0] + omega_x * d[1]))
    model = np.fft.ifft2(shifted).real
    jacobian = np.stack([np.fft.ifft2(-1j * omega * shifted).real.ravel() for omega in (omega_y, omega_x)], axis=1)
    return model, jacobian


def estimate_translation(frame, reference, weights=None, max_iter=50):
    """Sub-pixel translation ``(dy, dx)`` with ``frame ~ reference shifted by (dy, dx)``.

    Weighted least squares ``min_d sum w (frame - S_d reference)^2`` where ``S_d`` is
    the exact periodic Fourier shift (spectrum times ``exp(-i (omega_y dy + omega_x dx))``),
    solved by Gauss-Newton from ``d = 0`` with the derivatives of ``S_d`` taken in
    the Fourier domain. Independent of the pyramid, so it can measure magnified motion.
    Meant for small shifts (below a few pixels) of a textured image.

    Parameters
    ----------
    frame, reference : (H, W) arrays
    weights : (H, W) array, optional
        Non-negative weights (default 1), e.g. a region mask.
    max_iter : int
        Gauss-Newton iterations, 1 to 1000 (it stops when a step is below 1e-12 pixel).

    Returns
    -------
    (2,) array
        ``(dy, dx)`` in pixels.
    """
    frame, reference, weights, max_iter = _check_translation_args(frame, reference, weights, max_iter)
    spectrum = np.fft.fft2(reference)
    omega_y = 2 * np.pi * np.fft.fftfreq(frame.shape[0])[:, None]   # radians per pixel
    omega_x = 2 * np.pi * np.fft.fftfreq(frame.shape[1])[None, :]
    w, d = weights.ravel(), np.zeros(2)
    for _ in range(max_iter):
        model, jac = _shifted_and_derivatives(spectrum, omega_y, omega_x, d)
        normal = jac.T @ (w[:, None] * jac)
        if np.linalg.cond(normal) > 1e12:
            raise ValueError("reference has (almost) no texture where weights > 0, so no shift changes it: a "
                             "constant or one-directional image cannot measure a translation")
        step = np.linalg.solve(normal, jac.T @ (w * (frame - model).ravel()))
        d = d + step
        if np.max(np.abs(step)) < 1e-12:
            break
    return d
