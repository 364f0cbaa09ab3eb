"""Steerable filters, the steerable pyramid and phase-based motion magnification.

Lecture 6 of MIT 6.869 (seed ``001``, "Gaussian derivatives: Steerability" to
"Phase-based Pipeline").

Coordinates and angles
----------------------
Kernels and images are arrays indexed ``[row, column]``; ``x`` is the column
offset and ``y`` the row offset, so ``y`` points *down* when shown with
``imshow``. An angle ``a`` (radians) names the direction ``(cos a, sin a)`` in
``(x, y)``: it turns from the x axis towards the y axis, clockwise on screen.

Steering (lecture slides "Gaussian derivatives: Steerability")::

    g(x, y)   = 1 / (2 pi sigma^2) exp(-(x^2 + y^2) / (2 sigma^2))
    g_x       = -x / (2 pi sigma^4) exp(...)       g_y = -y / (2 pi sigma^4) exp(...)
    g^a       = cos(a) g_x + sin(a) g_y            (first order: 2 basis filters)
    g^a_(N)   = sum_b k_b(a) g^(theta_b)_(N)       (order N: N + 1 basis filters)

with basis angles ``theta_b = pi b / (N + 1)`` and interpolation functions
``k_b(a) = 1/(N+1) sum_{m in {-N, -N+2, ..., N}} cos(m (a - theta_b))``.

Steerable pyramid (Simoncelli and Freeman 1995), built in the frequency domain
-------------------------------------------------------------------------------
FFT normalisation: numpy's default (``norm="backward"``): the forward FFT is
unscaled and the inverse divides by the number of pixels ``P``, so Parseval
reads ``sum |x|^2 = (1/P) sum |X|^2``.

Frequencies are measured in units of the Nyquist frequency of the level's own
grid: ``r = |omega| / pi`` (``r = 1`` at the Nyquist frequency along an axis) and
``theta = atan2(omega_y, omega_x)``. The closed-form masks (``t`` = ``twidth``,
the transition width in octaves)::

    u(r)  = clip(-log2(r) / t, 0, 1)            0 at r >= 1, 1 at r <= 2^-t
    H(r)  = cos(pi/2 u(r))                      high-pass, raised cosine in log2 r
    L(r)  = sin(pi/2 u(r))                      low-pass;   H^2 + L^2 = 1
    A_b(theta) = c_N cos^N(theta - theta_b),    c_N^2 = 4^N / ((N + 1) binom(2N, N))
    sum_b A_b^2 = 1                             (the "partition of unity" of the angles)

Analysis, with ``X`` the image's FFT::

    high-pass residual   IFFT(H(r) X)
    Y_0 = L(r) X
    band (j, b)          IFFT(i^N A_b(theta) H(2r) Y_j)           K = N + 1 per level
    Y_{j+1}              crop(L(2r) Y_j) / 4       keep |omega| < pi/2, i.e. downsample by 2
    low-pass residual    IFFT(Y_height)

Dividing by 4 when cropping keeps amplitudes: a constant image gives the same
constant in the low-pass residual. Each coefficient of level ``j`` then stands for
``4^j`` pixels, which gives the tight-frame energy identity::

    ||x||^2 = ||h||^2 + sum_j 4^j sum_b ||B_jb||^2 + 4^height ||l||^2

The factor ``i^N`` makes band ``b`` the N-th directional derivative along
``theta_b`` of a band-passed image (the derivative of order N multiplies the
spectrum by ``(i omega . u)^N``). The complex pyramid uses ``2 A_b`` on the half
plane ``|theta - theta_b| < pi/2`` and 0 on the other half: its real part is the
real pyramid's band and its imaginary part the quadrature (Hilbert) pair, so a
complex band holds exactly twice the energy of the real one.

Sizes: each side must be divisible by ``2**height`` so that every level halves
exactly; pad an image first otherwise (``np.pad(image, ..., mode="reflect")``).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import fft as sp_fft
from scipy import ndimage

from ._validate import as_float_array, check_positive_float, check_positive_int

# ---------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------


def _check_angle(angle, name: str = "angle") -> float:
    if isinstance(angle, bool) or not isinstance(angle, numbers.Real):
        raise TypeError(f"{name} must be a real number (radians), got {type(angle).__name__} {angle!r}")
    if not np.isfinite(angle):
        raise ValueError(f"{name} must be finite, got {angle}")
    return float(angle)


def _check_order(order) -> int:
    return check_positive_int(order, "order", minimum=0)


# ---------------------------------------------------------------------------
# Gaussian derivative filters and steering
# ---------------------------------------------------------------------------


def _kernel_grid(sigma, size):
    sigma = check_positive_float(sigma, "sigma")
    if size is None:
        size = 2 * math.ceil(3 * sigma) + 1  # +-3 sigma holds all but 1e-4 of the mass
    size = check_positive_int(size, "size")
    offsets = np.arange(size) - (size - 1) / 2  # centred: 0 is the middle sample
    y, x = np.meshgrid(offsets, offsets, indexing="ij")
    return sigma, x, y


def gaussian_derivative_kernels(sigma, size=None):
    """The Gaussian and its two first derivatives sampled on a square grid.

    Lecture slide "Gaussian derivatives: Steerability"::

        g   = 1 / (2 pi sigma^2) exp(-(x^2 + y^2) / (2 sigma^2))
        g_x = -x / (2 pi sigma^4) exp(-(x^2 + y^2) / (2 sigma^2)),   g_y likewise with y

    Parameters
    ----------
    sigma : float
        Standard deviation in pixels, > 0.
    size : int, optional
        Side of the grid in pixels; default ``2 ceil(3 sigma) + 1``. The grid is
        centred: offsets ``-(size-1)/2 .. (size-1)/2``; ``x`` runs along columns,
        ``y`` along rows.

    Returns
    -------
    g, g_x, g_y : (size, size) arrays
        ``g`` in 1/pixel^2 (it sums to about 1), the derivatives in 1/pixel^3.
    """
    sigma, x, y = _kernel_grid(sigma, size)
    g = np.exp(-(x**2 + y**2) / (2 * sigma**2)) / (2 * np.pi * sigma**2)
    return g, -x / sigma**2 * g, -y / sigma**2 * g


def directional_derivative_kernel(sigma, angle, order=1, size=None):
    """The N-th derivative of the Gaussian along direction ``angle``, sampled directly.

    With ``u = x cos(a) + y sin(a)`` the distance along the direction,
    ``d^N g / du^N = (-1 / sigma)^N He_N(u / sigma) g`` where ``He_N`` is the
    (probabilists') Hermite polynomial: ``He_1(t) = t``, ``He_2(t) = t^2 - 1``.
    This is the "rotated filter" that steering must reproduce.

    Parameters
    ----------
    sigma : float
        Standard deviation in pixels.
    angle : float
        Direction in radians (see the module docstring for the orientation convention).
    order : int
        Derivative order N >= 0 (0 gives g itself).
    size : int, optional
        Grid side, as in :func:`gaussian_derivative_kernels`.

    Returns
    -------
    (size, size) array
    """
    angle = _check_angle(angle)
    order = _check_order(order)
    sigma, x, y = _kernel_grid(sigma, size)
    g = np.exp(-(x**2 + y**2) / (2 * sigma**2)) / (2 * np.pi * sigma**2)
    t = (x * np.cos(angle) + y * np.sin(angle)) / sigma
    hermite = np.polynomial.hermite_e.hermeval(t, [0] * order + [1])
    return (-1 / sigma) ** order * hermite * g


def steer(g_x, g_y, angle):
    """First-order steering ``g^a = cos(a) g_x + sin(a) g_y`` (lecture slide).

    Works on kernels and on filtered images alike (filtering is linear).

    Parameters
    ----------
    g_x, g_y : arrays of the same shape
        The responses (or kernels) of the x and y derivatives.
    angle : float
        Radians; 0 gives ``g_x``, pi/2 gives ``g_y``. The slide's 60 degrees is
        ``np.pi / 3``: ``g^60 = 1/2 g_x + sqrt(3)/2 g_y``.

    Returns
    -------
    array, the shape of ``g_x``
    """
    g_x = as_float_array(g_x, "g_x")
    g_y = as_float_array(g_y, "g_y")
    if g_x.shape != g_y.shape:
        raise ValueError(f"g_x and g_y must have the same shape, got {g_x.shape} and {g_y.shape}")
    angle = _check_angle(angle)
    return np.cos(angle) * g_x + np.sin(angle) * g_y


def basis_angles(order):
    """Basis orientations ``theta_b = pi b / (N + 1)``, b = 0..N, in radians.

    An N-th order derivative needs N + 1 basis filters (not N, as one slide says).

    Returns
    -------
    (N + 1,) array
    """
    order = _check_order(order)
    return np.pi * np.arange(order + 1) / (order + 1)


def steering_weights(order, angle):
    """Interpolation functions ``k_b(a)`` for N-th order derivatives.

    ``cos^N(phi - a) = sum_b k_b(a) cos^N(phi - theta_b)`` for every ``phi``, with
    ``k_b(a) = 1/(N+1) sum_{m = -N, -N+2, ..., N} cos(m (a - theta_b))``
    (Freeman and Adelson 1991). For N = 1 this is ``(cos a, sin a)``; for N = 2,
    ``k_b(a) = (1 + 2 cos(2 (a - theta_b))) / 3`` at 0, 60 and 120 degrees.

    Parameters
    ----------
    order : int
        N >= 0.
    angle : float
        Radians.

    Returns
    -------
    (N + 1,) array
    """
    angle = _check_angle(angle)
    thetas = basis_angles(order)
    harmonics = np.arange(-order, order + 1, 2)  # the N + 1 angular frequencies of cos^N
    return np.cos(np.outer(angle - thetas, harmonics)).sum(axis=1) / (order + 1)


def steer_basis(basis, angle):
    """Steer N-th order basis responses: ``sum_b k_b(a) basis[b]``.

    Parameters
    ----------
    basis : (N + 1, ...) array
        Responses (or kernels) at the angles ``basis_angles(N)``, in order;
        N is inferred from the first axis.
    angle : float
        Radians.

    Returns
    -------
    array of shape ``basis.shape[1:]``
    """
    basis = np.asarray(basis)
    if not np.iscomplexobj(basis):  # complex bands steer too (the weights are real)
        basis = as_float_array(basis, "basis")
    if basis.ndim < 1 or basis.shape[0] < 1:
        raise ValueError(f"basis must have one entry per basis angle on axis 0, got shape {basis.shape}")
    weights = steering_weights(basis.shape[0] - 1, angle)
    return np.tensordot(weights, basis, axes=1)


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
        Derivative order N >= 1.
    size : int, optional
        Kernel side.

    Returns
    -------
    (A, H, W) array
        Response at each angle (units: image units per pixel^N).
    """
    image = as_float_array(image, "image", ndim=2)
    angles = as_float_array(angles, "angles", ndim=1)
    order = check_positive_int(order, "order", minimum=1)
    basis = np.stack([ndimage.convolve(image, directional_derivative_kernel(sigma, theta, order, size),
                                       mode="reflect")
                      for theta in basis_angles(order)])
    return np.stack([steer_basis(basis, float(a)) for a in angles])


# ---------------------------------------------------------------------------
# Closed-form frequency masks
# ---------------------------------------------------------------------------


def frequency_grid(shape):
    """Polar frequency coordinates of an FFT grid, in numpy's unshifted layout.

    Parameters
    ----------
    shape : (H, W) tuple of int

    Returns
    -------
    r : (H, W) array
        ``|omega| / pi``: 1 at the Nyquist frequency along an axis (dimensionless).
    theta : (H, W) array
        ``atan2(omega_y, omega_x)`` in radians, in (-pi, pi].
    """
    if len(shape) != 2:
        raise ValueError(f"shape must be (H, W), got {shape}")
    rows, cols = (check_positive_int(s, "shape entry") for s in shape)
    fy = 2 * np.fft.fftfreq(rows)[:, None]  # cycles/pixel * 2 = omega / pi
    fx = 2 * np.fft.fftfreq(cols)[None, :]
    return np.hypot(fx, fy), np.arctan2(np.broadcast_to(fy, (rows, cols)), np.broadcast_to(fx, (rows, cols)))


def radial_masks(r, twidth=1.0):
    """High- and low-pass radial masks: raised cosine in ``log2 r``.

    ``u = clip(-log2(r) / twidth, 0, 1)``, ``H = cos(pi/2 u)``, ``L = sin(pi/2 u)``,
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
    r = as_float_array(r, "r")
    twidth = check_positive_float(twidth, "twidth")
    if np.any(r < 0):
        raise ValueError("r must be >= 0 (a radius)")
    with np.errstate(divide="ignore"):  # log2(0) = -inf is wanted: DC is pure low-pass
        u = np.clip(-np.log2(r) / twidth, 0.0, 1.0)
    high = np.where(u >= 1, 0.0, np.cos(np.pi / 2 * u))  # exact 0, not cos(pi/2) = 6e-17
    low = np.sin(np.pi / 2 * u)
    return high, low


def angular_constant(order):
    """``c_N`` with ``c_N^2 = 4^N / ((N + 1) binom(2N, N)) = 2^(2N) (N!)^2 / ((N+1) (2N)!)``.

    It makes the squared angular masks of the N + 1 bands sum to one:
    ``sum_b c_N^2 cos^(2N)(theta - theta_b) = 1``.
    """
    order = _check_order(order)
    return math.sqrt(4**order / ((order + 1) * math.comb(2 * order, order)))


def angular_masks(theta, order, complex=False):
    """Angular masks ``A_b(theta) = c_N cos^N(theta - theta_b)`` of the N + 1 bands.

    Parameters
    ----------
    theta : array
        Frequency angle in radians (e.g. from :func:`frequency_grid`).
    order : int
        N >= 0 (>= 1 when ``complex``).
    complex : bool
        If True, the analytic masks ``2 A_b`` on ``|theta - theta_b| < pi/2`` and 0
        elsewhere (one half of the frequency plane).

    Returns
    -------
    (N + 1, *theta.shape) array
    """
    theta = as_float_array(theta, "theta")
    order = _check_order(order)
    if complex and order == 0:
        raise ValueError("complex masks need order >= 1: with order 0 (cos^0 = 1) the two "
                         "half planes do not split the band, got order=0")
    thetas = basis_angles(order).reshape((-1,) + (1,) * theta.ndim)
    delta = theta - thetas
    masks = angular_constant(order) * np.cos(delta) ** order
    if complex:
        wrapped = np.angle(np.exp(1j * delta))  # into (-pi, pi]
        masks = 2 * masks * (np.abs(wrapped) < np.pi / 2)
    return masks


# Real images and real bands have Hermitian spectra, X(-omega) = conj X(omega), so only
# the columns omega_x >= 0 are stored and transformed (numpy's rfft2 layout): half the
# work. Complex bands have no such symmetry and use the full grid. "half" below says
# which layout an array of spectra uses.


def _fft(x, half):
    return sp_fft.rfft2(x, axes=(-2, -1)) if half else sp_fft.fft2(x, axes=(-2, -1))


def _ifft(spectrum, shape, half):
    """Inverse of :func:`_fft` for images of spatial ``shape``; real if ``half``."""
    return sp_fft.irfft2(spectrum, s=shape, axes=(-2, -1)) if half else sp_fft.ifft2(spectrum, axes=(-2, -1))


@lru_cache(maxsize=64)
def _level_masks(shape, order, twidth, complex, half):
    """Masks of one pyramid level on its own grid (cached; read-only arrays)."""
    r, theta = frequency_grid(shape)
    if half:
        r, theta = r[:, : shape[1] // 2 + 1], theta[:, : shape[1] // 2 + 1]
    high, low = radial_masks(r, twidth)          # H(r), L(r): the level-0 split
    high2, low2 = radial_masks(2 * r, twidth)    # H(2r), L(2r): band-pass and next low-pass
    oriented = (1j ** order) * angular_masks(theta, order, complex) * high2
    for arr in (high, low, low2, oriented):
        arr.setflags(write=False)
    return high, low, low2, oriented


def _crop_indices(n):
    """Where the frequencies of an (n/2)-point FFT sit in an n-point FFT (n even).

    These are the integer frequencies ``k`` with ``|k| <= n/4``, the band
    ``|omega| <= pi/2`` that survives downsampling by 2; L(2r) is zero outside it.
    """
    half = n // 2
    return np.rint(np.fft.fftfreq(half, d=1 / half)).astype(int) % n


def _coarse_index(shape, half):
    """Index of the coarse (H/2, W/2) grid's frequencies inside a level's spectrum."""
    rows = _crop_indices(shape[0])
    cols = np.arange(shape[1] // 4 + 1) if half else _crop_indices(shape[1])  # rfft: k = 0..W/4
    return np.ix_(rows, cols)


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
    bands : tuple of ``height`` arrays
        ``bands[j]`` has shape ``(K, H / 2^j, W / 2^j)`` with ``K = order + 1``;
        ``bands[j][b]`` is oriented at ``theta_b = pi b / K``; complex if ``is_complex``.
    lowpass : (H / 2^height, W / 2^height) array
        Low-pass residual (real), amplitude-preserving (see module docstring).
    order : int
        Derivative order N of the angular masks.
    twidth : float
        Radial transition width in octaves.
    is_complex : bool
    """

    highpass: np.ndarray
    bands: tuple
    lowpass: np.ndarray
    order: int
    twidth: float
    is_complex: bool

    @property
    def height(self) -> int:
        """Number of oriented levels."""
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
        (``b = orientation``), complex if ``is_complex``.
        """
        level = check_positive_int(level, "level", minimum=0)
        orientation = check_positive_int(orientation, "orientation", minimum=0)
        if level >= self.height or orientation >= self.num_orientations:
            raise ValueError(f"band (level, orientation) must be within ({self.height}, "
                             f"{self.num_orientations}), got ({level}, {orientation})")
        return self.bands[level][orientation]


def max_pyramid_height(shape):
    """Largest height for an image of ``shape``: ``floor(log2(min(H, W))) - 2``.

    The low-pass residual then keeps at least 4 pixels per side (as in pyrtools).
    """
    return max(int(math.floor(math.log2(min(shape)))) - 2, 0)


def _check_pyramid_args(image, height, order, complex, twidth):
    image = as_float_array(image, "image", ndim=2)
    height = check_positive_int(height, "height", minimum=0)
    order = _check_order(order)
    twidth = check_positive_float(twidth, "twidth")
    if not isinstance(complex, (bool, np.bool_)):
        raise TypeError(f"complex must be True or False, got {type(complex).__name__}")
    if complex and order == 0:
        raise ValueError("complex=True needs order >= 1: with order=0 the real part of a complex "
                         "band is not the real band (see angular_masks)")
    if min(image.shape) < 1:
        raise ValueError(f"image must not be empty, got shape {image.shape}")
    limit = max_pyramid_height(image.shape)
    if height > limit:
        raise ValueError(f"height={height} is too large for an image of shape {image.shape}: "
                         f"at most floor(log2(min(H, W))) - 2 = {limit}")
    step = 2**height
    if image.shape[0] % step or image.shape[1] % step:
        raise ValueError(f"image shape {image.shape} must be divisible by 2**height = {step} on both "
                         f"sides so every level halves exactly; pad it first, e.g. "
                         f"np.pad(image, ((0, {-image.shape[0] % step}), (0, {-image.shape[1] % step})), "
                         f"mode='reflect')")
    return image, height, order, bool(complex), twidth


def steerable_pyramid(image, height, order=3, complex=False, twidth=1):
    """Build a (real or complex) steerable pyramid in the frequency domain.

    Implements the analysis equations of the module docstring (Simoncelli and
    Freeman 1995; lecture slides "Steerable Pyramid").

    Parameters
    ----------
    image : (H, W) array
        H and W divisible by ``2**height`` (pad odd or awkward sizes first).
    height : int
        Number of oriented levels, 0 <= height <= ``max_pyramid_height(image.shape)``.
    order : int
        Derivative order N >= 0; each level has K = N + 1 bands.
    complex : bool
        Complex (analytic, quadrature-pair) bands; needs order >= 1.
    twidth : float
        Radial transition width in octaves, > 0.

    Returns
    -------
    SteerablePyramid
    """
    image, height, order, complex, twidth = _check_pyramid_args(image, height, order, complex, twidth)
    half = not complex  # real bands: half spectra suffice
    shape = image.shape
    spectrum = _fft(image, half)
    high0, low0, _, _ = _level_masks(shape, order, twidth, complex, half)
    highpass = _ifft(high0 * spectrum, shape, half).real
    current = low0 * spectrum  # Y_0
    bands = []
    for _ in range(height):
        _, _, low2, oriented = _level_masks(shape, order, twidth, complex, half)
        bands.append(_ifft(oriented * current, shape, half))
        current = (low2 * current)[_coarse_index(shape, half)] / 4  # downsample by 2, keep amplitude
        shape = (shape[0] // 2, shape[1] // 2)
    lowpass = _ifft(current, shape, half).real
    return SteerablePyramid(highpass, tuple(bands), lowpass, order, float(twidth), complex)


def _check_pyramid(pyr):
    if not isinstance(pyr, SteerablePyramid):
        raise TypeError(f"pyr must be a SteerablePyramid, got {type(pyr).__name__}")
    shape = np.shape(pyr.highpass)
    if len(shape) != 2:
        raise ValueError(f"pyr.highpass must be 2-D, got shape {shape}")
    k = pyr.order + 1
    for j, band in enumerate(pyr.bands):
        want = (k, shape[0] >> j, shape[1] >> j)
        if np.shape(band) != want:
            raise ValueError(f"pyr.bands[{j}] must have shape {want}, got {np.shape(band)}")
    want = (shape[0] >> pyr.height, shape[1] >> pyr.height)
    if np.shape(pyr.lowpass) != want:
        raise ValueError(f"pyr.lowpass must have shape {want}, got {np.shape(pyr.lowpass)}")


def reconstruct_steerable(pyr):
    """Invert :func:`steerable_pyramid` from the coefficients alone.

    Synthesis (the adjoint of each analysis step; exact because
    ``H^2 + L^2 (sum_b A_b^2 H(2r)^2 + L(2r)^2) = 1``)::

        Y_height = FFT(l)   then for j = height-1 .. 0:
        Y_j = L(2r) zero_pad(4 Y_{j+1}) + sum_b conj(i^N) A_b H(2r) FFT(Re B_jb)
        x   = IFFT(H(r) FFT(h) + L(r) Y_0)

    For a complex pyramid only the real parts of the bands are used (they are the
    real pyramid's bands), so edited complex coefficients reconstruct too.

    Parameters
    ----------
    pyr : SteerablePyramid
        Possibly edited (``dataclasses.replace``) coefficients.

    Returns
    -------
    (H, W) array
    """
    _check_pyramid(pyr)
    order, twidth = pyr.order, pyr.twidth
    current = _fft(np.asarray(pyr.lowpass, dtype=np.float64), half=True)
    for j in reversed(range(pyr.height)):
        bands = np.real(pyr.bands[j])  # real parts: all spectra are Hermitian, half spectra suffice
        shape = bands.shape[1:]
        _, _, low2, oriented = _level_masks(shape, order, twidth, False, True)
        padded = np.zeros(low2.shape, dtype=complex)
        padded[_coarse_index(shape, True)] = 4 * current  # undo the analysis' division by 4
        current = low2 * padded + np.sum(np.conj(oriented) * _fft(bands, True), axis=0)
    high0, low0, _, _ = _level_masks(pyr.shape, order, twidth, False, True)
    return _ifft(high0 * _fft(pyr.highpass, True) + low0 * current, pyr.shape, True)


def pyramid_energy(pyr):
    """Weighted coefficient energy ``||h||^2 + sum_j 4^j sum_b ||B_jb||^2 + 4^height ||l||^2``.

    Equals the image energy ``sum x^2`` (tight frame). For a complex pyramid the
    band energies are halved, since a complex band holds twice the real band's energy.

    Returns
    -------
    float, in (image units)^2
    """
    _check_pyramid(pyr)
    band_factor = 0.5 if pyr.is_complex else 1.0
    energy = float(np.sum(pyr.highpass**2))
    for j, bands in enumerate(pyr.bands):
        energy += band_factor * 4**j * float(np.sum(np.abs(bands) ** 2))
    return energy + 4**pyr.height * float(np.sum(pyr.lowpass**2))


def steer_bands(pyr, level, angle):
    """The band of level ``level`` at any orientation, from the K basis bands.

    Real bands are steered with :func:`steering_weights`. For a complex pyramid the
    real parts are steered (exact) and the result made analytic again on the half
    plane ``|theta - angle| < pi/2`` (the half-plane masks themselves do not steer).

    Parameters
    ----------
    pyr : SteerablePyramid
    level : int
        0 <= level < pyr.height.
    angle : float
        Radians.

    Returns
    -------
    (H / 2^level, W / 2^level) array, complex if the pyramid is
    """
    _check_pyramid(pyr)
    level = check_positive_int(level, "level", minimum=0)
    if level >= pyr.height:
        raise ValueError(f"level must be < pyr.height = {pyr.height}, got {level}")
    angle = _check_angle(angle)
    steered = steer_basis(np.real(pyr.bands[level]), angle)
    if not pyr.is_complex:
        return steered
    _, theta = frequency_grid(steered.shape)
    half_plane = np.abs(np.angle(np.exp(1j * (theta - angle)))) < np.pi / 2
    return sp_fft.ifft2(2 * half_plane * sp_fft.fft2(steered))


# ---------------------------------------------------------------------------
# Phase-based motion magnification (Wadhwa et al. 2013)
# ---------------------------------------------------------------------------


def phase_difference(band, reference):
    """Local phase change ``angle(band * conj(reference))`` in radians, in (-pi, pi].

    Wrapping the product (rather than subtracting two phases and taking a modulo)
    keeps a small negative change small and negative.

    Parameters
    ----------
    band, reference : complex arrays of the same shape (broadcastable)

    Returns
    -------
    real array
    """
    band = np.asarray(band)
    reference = np.asarray(reference)
    for name, arr in (("band", band), ("reference", reference)):
        if not np.issubdtype(arr.dtype, np.number):
            raise TypeError(f"{name} must be a numeric (complex) array, got dtype {arr.dtype}")
    try:
        np.broadcast_shapes(band.shape, reference.shape)
    except ValueError:
        raise ValueError(f"band and reference must have broadcastable shapes, got {band.shape} "
                         f"and {reference.shape}") from None
    return np.angle(band * np.conj(reference))


def _check_band_edges(low, high, fps):
    fps = check_positive_float(fps, "fps")
    low = check_positive_float(low, "low", allow_zero=True)
    high = check_positive_float(high, "high")
    if not low < high <= fps / 2:
        raise ValueError(f"need 0 <= low < high <= fps/2 (Nyquist, {fps / 2} Hz), "
                         f"got low={low}, high={high}")
    return low, high, fps


def temporal_bandpass(signal, low, high, fps, axis=0):
    """Ideal band-pass along time: keep temporal frequencies ``low <= |f| <= high`` (Hz).

    Done with an FFT along ``axis`` (the signal is treated as periodic in time).

    Parameters
    ----------
    signal : (T, ...) array
        Real samples at ``fps`` frames per second along ``axis``.
    low, high : float
        Pass band edges in Hz, ``0 <= low < high <= fps / 2``.
    fps : float
        Frame rate in Hz.
    axis : int

    Returns
    -------
    real array shaped like ``signal``
    """
    signal = as_float_array(signal, "signal")
    low, high, fps = _check_band_edges(low, high, fps)
    if signal.ndim == 0:
        raise ValueError("signal must have a time axis, got a scalar")
    n = signal.shape[axis]
    freqs = np.abs(np.fft.fftfreq(n, d=1 / fps))
    keep = (freqs >= low) & (freqs <= high)
    shape = [1] * signal.ndim
    shape[axis] = n
    return sp_fft.ifft(sp_fft.fft(signal, axis=axis) * keep.reshape(shape), axis=axis).real


def _amplitude_weighted_blur(phase, amplitude, sigma):
    """Gaussian blur of ``phase`` weighted by ``amplitude`` over the last two axes."""
    axes_sigma = (0,) * (phase.ndim - 2) + (sigma, sigma)
    num = ndimage.gaussian_filter(phase * amplitude, axes_sigma, mode="wrap")
    den = ndimage.gaussian_filter(amplitude, axes_sigma, mode="wrap")
    return num / np.maximum(den, np.finfo(float).tiny)


def magnify_motion(frames, alpha, low, high, fps, height=None, order=3, twidth=1, sigma=0.0,
                   reference=0):
    """Phase-based motion magnification (Wadhwa et al., SIGGRAPH 2013).

    For every frame ``t`` a complex steerable pyramid is built; for every band
    the phase change from the reference frame, ``dphi_t = angle(B_t conj(B_ref))``,
    is band-passed in time (:func:`temporal_bandpass`), optionally smoothed in
    space weighted by the amplitude ``|B_t|``, multiplied by ``alpha`` and added:
    ``B_t' = B_t exp(i alpha dphi_t)``. The residuals are kept. Convention: a
    motion ``delta(t)`` inside the pass band becomes ``(1 + alpha) delta(t)``.

    Parameters
    ----------
    frames : (T, H, W) array
        Grey-level video, T >= 2; H, W divisible by ``2**height``.
    alpha : float
        Magnification >= 0 (0 returns the input up to round-off).
    low, high : float
        Temporal pass band in Hz, ``0 <= low < high <= fps/2``.
    fps : float
        Frame rate in Hz.
    height : int, optional
        Pyramid height; default the largest that :func:`steerable_pyramid` accepts
        for the frame size (at most ``max_pyramid_height``, with H and W divisible by
        ``2**height``).
    order : int
        Angular order N >= 1 (N + 1 orientations).
    twidth : float
        Radial transition width in octaves.
    sigma : float
        Std (pixels of each level) of the amplitude-weighted phase smoothing; 0 = none.
    reference : int
        Index of the reference frame.

    Returns
    -------
    (T, H, W) array
    """
    if isinstance(frames, (list, tuple)):  # name the first frame whose shape differs
        shapes = [np.shape(f) for f in frames]
        for t, shape in enumerate(shapes):
            if shape != shapes[0]:
                raise ValueError(f"frames must all have the same shape: frame 0 is {shapes[0]}, "
                                 f"frame {t} is {shape}")
    frames = as_float_array(frames, "frames", ndim=3)
    if frames.shape[0] < 2:
        raise ValueError(f"frames must hold at least 2 frames (T, H, W), got shape {frames.shape}")
    alpha = check_positive_float(alpha, "alpha", allow_zero=True)
    low, high, fps = _check_band_edges(low, high, fps)
    sigma = check_positive_float(sigma, "sigma", allow_zero=True)
    reference = check_positive_int(reference, "reference", minimum=0)
    if reference >= frames.shape[0]:
        raise ValueError(f"reference must index a frame (< {frames.shape[0]}), got {reference}")
    if height is None:  # the tallest pyramid whose levels all halve exactly
        height = max_pyramid_height(frames.shape[1:])
        while height > 0 and (frames.shape[1] % 2**height or frames.shape[2] % 2**height):
            height -= 1
    order = check_positive_int(order, "order", minimum=1)
    pyramids = [steerable_pyramid(f, height, order, complex=True, twidth=twidth) for f in frames]

    new_bands = []
    for j in range(height):
        stack = np.stack([p.bands[j] for p in pyramids])          # (T, K, H_j, W_j)
        dphi = phase_difference(stack, stack[reference])
        dphi = temporal_bandpass(dphi, low, high, fps, axis=0)
        if sigma > 0:
            dphi = _amplitude_weighted_blur(dphi, np.abs(stack), sigma)
        new_bands.append(stack * np.exp(1j * alpha * dphi))
    out = np.empty_like(frames)
    for t, p in enumerate(pyramids):
        edited = SteerablePyramid(p.highpass, tuple(b[t] for b in new_bands), p.lowpass,
                                  p.order, p.twidth, True)
        out[t] = reconstruct_steerable(edited)
    return out


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
        Gauss-Newton iterations at most (it stops when a step is below 1e-12 pixel).

    Returns
    -------
    (2,) array
        ``(dy, dx)`` in pixels.
    """
    frame = as_float_array(frame, "frame", ndim=2)
    reference = as_float_array(reference, "reference", ndim=2)
    if frame.shape != reference.shape:
        raise ValueError(f"frame and reference must have the same shape, got {frame.shape} "
                         f"and {reference.shape}")
    weights = np.ones_like(frame) if weights is None else as_float_array(weights, "weights", ndim=2)
    if weights.shape != frame.shape or np.any(weights < 0) or not np.any(weights > 0):
        raise ValueError(f"weights must be non-negative, not all zero, with shape {frame.shape}, "
                         f"got shape {weights.shape}")
    max_iter = check_positive_int(max_iter, "max_iter")
    spectrum = np.fft.fft2(reference)
    omega_y = 2 * np.pi * np.fft.fftfreq(frame.shape[0])[:, None]   # radians per pixel
    omega_x = 2 * np.pi * np.fft.fftfreq(frame.shape[1])[None, :]
    d = np.zeros(2)
    for _ in range(max_iter):
        shifted = spectrum * np.exp(-1j * (omega_y * d[0] + omega_x * d[1]))
        model = np.fft.ifft2(shifted).real
        # d model / d(dy) and d(dx): multiply the spectrum by -i omega.
        jac = np.stack([np.fft.ifft2(-1j * omega_y * shifted).real.ravel(),
                        np.fft.ifft2(-1j * omega_x * shifted).real.ravel()], axis=1)
        w = weights.ravel()
        residual = (frame - model).ravel()
        step = np.linalg.solve(jac.T @ (w[:, None] * jac), jac.T @ (w * residual))
        d = d + step
        if np.max(np.abs(step)) < 1e-12:
            break
    return d


def draw_orientation(result):
    """Figure for :func:`orientation_explorer`: the steered kernel and the response."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.0))
    ax_k, ax_r = fig.subplots(1, 2)
    lim = np.max(np.abs(result["kernel"]))
    ax_k.imshow(result["kernel"], cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax_k.set_title(f"kernel at {np.degrees(result['angle']):.0f} deg")
    lim = np.max(np.abs(result["response"]))
    ax_r.imshow(result["response"], cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax_r.set_title("steered response")
    for ax in (ax_k, ax_r):
        ax.set_axis_off()
    fig.tight_layout()
    return fig


def orientation_explorer(image, sigma=2.0, order=1):
    """Widget: an angle slider steering the filter and the image response.

    The ``order + 1`` basis convolutions are done once; moving the slider only
    recombines them (:func:`steer_basis`), which is the point of steerability.

    Parameters
    ----------
    image : (H, W) array
    sigma : float
        Gaussian scale in pixels.
    order : int
        Derivative order N >= 1.

    Returns
    -------
    lecture_utils.widgets.Explorer
        ``compute(angle_deg)`` returns a dict with ``angle`` (radians), ``kernel``
        and ``response`` (steered), tested headless.
    """
    import ipywidgets as widgets

    from .widgets import Explorer

    image = as_float_array(image, "image", ndim=2)
    order = check_positive_int(order, "order", minimum=1)
    thetas = basis_angles(order)
    kernels = np.stack([directional_derivative_kernel(sigma, t, order) for t in thetas])
    responses = np.stack([ndimage.convolve(image, k, mode="reflect") for k in kernels])

    def compute(angle_deg):
        angle = np.radians(angle_deg)
        return {"angle": angle, "kernel": steer_basis(kernels, angle),
                "response": steer_basis(responses, angle)}

    controls = {"angle_deg": widgets.IntSlider(value=60, min=0, max=180, step=5,
                                               description="angle (deg)")}
    return Explorer(compute, draw_orientation, controls, title="Steered derivative explorer")
