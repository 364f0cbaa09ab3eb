"""Steerable filters and the steerable pyramid.

Lecture 6 of MIT 6.869 (seed ``001``, "Gaussian derivatives: Steerability" to "Steerable
pyramid"): Freeman and Adelson (1991), Simoncelli and Freeman (1995). The pyramid's uses live
next door: phase-based motion magnification in :mod:`lecture_utils.magnify`, oriented energy
and texture synthesis in :mod:`lecture_utils.texture`.

Symbols follow notebook 03, one meaning each: ``psi`` a steering angle, ``w`` (``twidth``) a
transition width in octaves.

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
    H(r)  = cos(pi/2 v(r))                      high-pass: a cosine ramp in log2 r
    L(r)  = sin(pi/2 v(r))                      low-pass: a sine ramp;   H^2 + L^2 = 1

(their squares, ``H^2 = (1 + cos(pi v)) / 2`` and ``L^2 = (1 - cos(pi v)) / 2``, are the raised
cosines: the energy, not the amplitude, crosses over as a raised cosine)
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

The pyramid's filters can also be applied on the full grid, at one or more bands per octave
and without subsampling (:func:`full_grid_masks`): the form of Wadhwa et al.'s released code,
whose default is the half-octave pyramid with 8 orientations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import fft as sp_fft

from ._validate import (array, check, checked, flag, instance, integer, optional, positive, real,
                        shape_tuple)

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
    from scipy import ndimage          # here, not above: notebook 06 uses this module without it (0.3 s to import)

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
    """High- and low-pass radial masks: a cosine and a sine ramp in ``log2 r``.

    ``v = clip(-log2(r) / twidth, 0, 1)``, ``H = cos(pi/2 v)``, ``L = sin(pi/2 v)``,
    so ``H^2 + L^2 = 1`` everywhere (the squares are the raised cosines ``(1 +- cos(pi v)) / 2``); ``H = 1, L = 0`` for ``r >= 1`` and
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
# The same filters on the full grid, at one or more bands per octave
# ---------------------------------------------------------------------------


def _check_full_grid(shape, octaves, order, twidth, bands_per_octave, complex_bands):
    shape, order, twidth, bands_per_octave, complex_bands = check(
        {"shape": shape_tuple(ndims=(2,), maximum=2**12), "order": POSITIVE_ORDER, "twidth": positive(),
         "bands_per_octave": integer(1, 4, why_max=" (a quarter octave is the narrowest band Wadhwa et al. use)"),
         "complex_bands": flag()},
        {"shape": shape, "order": order, "twidth": twidth, "bands_per_octave": bands_per_octave,
         "complex_bands": complex_bands})
    most = max_levels(shape)
    octaves = integer(1, most, why_max=f" for shape {shape} (floor(log2(min(H, W))) - 2)")(octaves, "octaves", {})
    return shape, octaves, order, twidth, bands_per_octave, complex_bands


def full_grid_masks(shape, octaves, order=3, twidth=1.0, bands_per_octave=1, complex_bands=True):
    """The complex pyramid's filters on the image's own FFT grid, ``bands_per_octave`` rings per octave.

    Wadhwa et al.'s released code builds its pyramids this way: every filter multiplies the
    full spectrum and nothing is subsampled (their default is the half-octave pyramid with 8
    orientations: ``bands_per_octave=2, order=7, twidth=0.75``). Radial cuts sit at
    ``r_s = 2^(-s / bands_per_octave)``, ``s = 0 .. S`` with ``S = octaves * bands_per_octave``; each
    cut splits with :func:`radial_masks` around its own radius, ``H_s = H(r / r_s)``,
    ``L_s = L(r / r_s)``. Ring ``s = 1 .. S``, orientation ``b``::

        R_sb = i^N 2 A_b(theta) [|theta - theta_b| < pi/2] H_s(r) prod_{p < s} L_p(r)
        highpass = H_0(r),   lowpass = prod_{p <= S} L_p(r)

    The real filters (``complex_bands=False``: ``A_b`` on both half planes instead of ``2 A_b`` on one) tile the plane as a
    partition of unity, ``H_0^2 + sum_sb (A_b H_s prod_{p<s} L_p)^2 + lowpass^2 = 1``, because
    ``H_s^2 + L_s^2 = 1`` at every cut (the sum telescopes), so analysis followed by synthesis with
    the real filters is exact. With ``bands_per_octave=1`` ring
    ``s`` is :func:`band_response` ``(shape, s - 1, b, order, twidth, complex_bands=True)``.

    Parameters
    ----------
    shape : (H, W) tuple of int
        The image's size (sides of at most 4096).
    octaves : int
        Octaves of rings, 1 to ``max_levels(shape)``.
    order : int
        N, 1 to 100: K = N + 1 orientations.
    twidth : float
        Width of each cut's transition in octaves (> 0); it may exceed the spacing of the cuts.
    bands_per_octave : int
        Rings per octave, 1 to 4.
    complex_bands : bool
        The analytic filters (default) or the real ones.

    Returns
    -------
    highpass : (H, W) array
    bands : (S, K, H, W) complex array
        The rings, coarser with ``s``, in numpy's unshifted FFT layout.
    lowpass : (H, W) array
    """
    shape, octaves, order, twidth, bands_per_octave, complex_bands = _check_full_grid(
        shape, octaves, order, twidth, bands_per_octave, complex_bands)
    r, theta = frequency_grid(shape)
    angular = 1j**order * angular_masks(theta, order, complex_bands)                # (K, H, W)
    highpass, passed = radial_masks(r, twidth)                                      # H_0, and L_0
    rings = []
    for s in range(1, octaves * bands_per_octave + 1):
        high_s, low_s = radial_masks(r * 2 ** (s / bands_per_octave), twidth)      # H(r / r_s), L(r / r_s)
        rings.append(angular * (high_s * passed))
        passed = passed * low_s
    return highpass, np.stack(rings), passed
