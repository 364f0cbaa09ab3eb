"""Notebook 03's pictures: the steered-derivative widget, the frequency tiling of the steerable
pyramid, its block diagram and the two motion-magnification pipelines (boxes and arrows).

Images drawn pixel for pixel come from :func:`lecture_utils.demos.pyramids.panel_figure`.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from scipy import ndimage

from .._validate import array, check, checked, flag, integer, positive, real, shape_tuple
from ..steerable import (ORDER, POSITIVE_ORDER, SIGMA, band_response, basis_angles, directional_derivative_kernel,
                         frequency_grid, max_levels, radial_masks, steer_basis)
from . import Explorer

__all__ = ["draw_frequency_tiling", "draw_magnification_pipelines", "draw_orientation", "draw_pyramid_diagram",
           "orientation_explorer"]

# Okabe and Ito's colour-blind-safe palette: one colour per orientation (text labels say which, too).
ORIENTATION_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#F0E442", "#0072B2", "#D55E00", "#999999")


@checked(kernel=array("S S"), response=array("H W"), angle=real())
def draw_orientation(kernel, response, angle) -> Figure:
    """The steered kernel and the image's response side by side, zero in white.

    Parameters
    ----------
    kernel : (S, S) array
        The steered filter.
    response : (H, W) array
        The image filtered with it.
    angle : float
        The steering angle in radians (shown in degrees in the title).
    """
    fig = Figure(figsize=(6.4, 3.0))
    ax_k, ax_r = fig.subplots(1, 2)
    for ax, values in ((ax_k, kernel), (ax_r, response)):
        lim = np.max(np.abs(values))
        ax.imshow(values, cmap="RdBu_r", vmin=-lim, vmax=lim)   # symmetric limits: 0 is white
        ax.set_axis_off()
    ax_k.set_title(f"kernel at {np.degrees(angle):.0f} deg")
    ax_r.set_title("steered response")
    fig.tight_layout()
    return fig


@checked(image=array("H W"), sigma=SIGMA, order=POSITIVE_ORDER)
def orientation_explorer(image, sigma=2.0, order=1) -> Explorer:
    """Widget: an angle slider steering the filter and the image response.

    The ``order + 1`` basis convolutions are done once; moving the slider only
    recombines them (:func:`~lecture_utils.steerable.steer_basis`), which is the
    point of steerability.

    Parameters
    ----------
    image : (H, W) array
    sigma : float
        Gaussian scale in pixels.
    order : int
        Derivative order N, 1 <= N <= 100.

    Returns
    -------
    Explorer
        ``compute(angle_deg)`` returns a dict with ``angle`` (radians), ``kernel``
        and ``response`` (steered), tested headless.
    """
    kernels = np.stack([directional_derivative_kernel(sigma, t, order) for t in basis_angles(order)])
    responses = np.stack([ndimage.convolve(image, k, mode="reflect") for k in kernels])

    def compute(angle_deg):
        angle = np.radians(angle_deg)
        return {"angle": angle, "kernel": steer_basis(kernels, angle), "response": steer_basis(responses, angle)}

    controls = {"angle_deg": widgets.IntSlider(value=60, min=0, max=180, step=5, description="angle (deg)")}
    return Explorer(compute, lambda result: draw_orientation(**result), controls,
                    title="Steered derivative explorer")


# ---------------------------------------------------------------------------- the frequency tiling

def _check_tiling(shape, levels, order, twidth):
    shape, order, twidth = check({"shape": shape_tuple(ndims=(2,), maximum=1024), "order": ORDER,
                                  "twidth": positive()}, {"shape": shape, "order": order, "twidth": twidth})
    most = max_levels(shape)
    levels = integer(1, most, why_max=f" for shape {shape} (floor(log2(min(H, W))) - 2)")(levels, "levels", {})
    if order + 1 > len(ORIENTATION_COLOURS):
        raise ValueError(f"order must be <= {len(ORIENTATION_COLOURS) - 1} to give every orientation its own "
                         f"colour, got {order}")
    return shape, levels, order, twidth


def _tile_labels(shape, levels, order, twidth):
    """For every frequency the tile holding most of its energy (fftshifted).

    0 is the high-pass residual, ``1 + j (N + 1) + b`` band ``(j, b)``, the last label the low-pass residual.
    """
    r, _ = frequency_grid(shape)
    energies = [radial_masks(r, twidth)[0] ** 2]
    energies += [np.abs(band_response(shape, j, b, order, twidth)) ** 2
                 for j in range(levels) for b in range(order + 1)]
    energies.append(np.prod([radial_masks(2**i * r, twidth)[1] for i in range(levels + 1)], axis=0) ** 2)
    return np.fft.fftshift(np.argmax(np.stack(energies), axis=0))


def draw_frequency_tiling(shape=(256, 256), levels=3, order=3, twidth=1.0, example=(1, 1)):
    """The steerable pyramid's rings and wedges in the frequency plane, and one band's squared response.

    Left: every frequency ``(omega_x, omega_y) / pi`` coloured by the band that holds most of its
    energy (:func:`~lecture_utils.steerable.band_response`): one colour per orientation (lighter for
    odd levels), grey for the high-pass residual in the corners, white for the low-pass disc, black
    lines between tiles. Middle: ``|R_jb|^2`` of the band ``example = (j, b)``, the two opposite
    wedges of a real band; right: the complex band's, one wedge (``|R|^2 / 4``). ``omega_y`` points
    down, as the image rows do, so the angles turn clockwise on screen as in the module docstring.

    Parameters
    ----------
    shape : (H, W) tuple of int
        The frequency grid (sides up to 1024).
    levels : int
        Band levels J, 1 to ``max_levels(shape)``.
    order : int
        N, 0 to 7 (one colour per orientation).
    twidth : float
        Radial transition width in octaves.
    example : (j, b)
        The band shown on its own.

    Returns
    -------
    matplotlib.figure.Figure (made with pyplot)
    """
    shape, levels, order, twidth = _check_tiling(shape, levels, order, twidth)
    if not isinstance(example, tuple) or len(example) != 2:
        raise TypeError(f"example must be a pair (level, orientation), got {example!r}")
    j_ex, b_ex = check({"example[0]": integer(0, levels - 1), "example[1]": integer(0, order)},
                       {"example[0]": example[0], "example[1]": example[1]})
    labels = _tile_labels(shape, levels, order, twidth)
    palette = [to_rgb("0.75")]
    for j in range(levels):
        for b in range(order + 1):
            colour = np.array(to_rgb(ORIENTATION_COLOURS[b]))
            palette.append(tuple(colour + (1 - colour) * (0.55 if j % 2 else 0.0)))   # odd levels lighter
    palette.append((1.0, 1.0, 1.0))
    picture = np.array(palette)[labels]
    edges = (labels != np.roll(labels, 1, 0)) | (labels != np.roll(labels, 1, 1))
    picture[edges] = 0.0
    extent = (-1, 1, 1, -1)                                            # omega_y / pi grows downwards
    fig, axes = plt.subplots(1, 3, figsize=(10.6, 4.1), gridspec_kw={"width_ratios": [1.25, 1, 1]})
    axes[0].imshow(picture, extent=extent, interpolation="nearest")
    axes[0].set_title(f"tiles: high-pass (grey corners), rings j = 0 (outer)\nto {levels - 1}, "
                      f"{order + 1} orientations each, low-pass (white)", fontsize=9)
    for b, theta in enumerate(basis_angles(order)):                    # label the level-0 wedges
        x, y = 0.6 * np.cos(theta), 0.6 * np.sin(theta)
        axes[0].text(x, y, f"{np.degrees(theta):.0f}°", ha="center", va="center", fontsize=8)
    shifted = [np.fft.fftshift(np.abs(band_response(shape, j_ex, b_ex, order, twidth, complex_bands=c)) ** 2)
               / (4 if c else 1) for c in (False, True)]
    angle = np.degrees(basis_angles(order)[b_ex])
    for ax, values, title in zip(axes[1:], shifted, (f"real band j={j_ex}, {angle:.0f}°: $|R|^2$",
                                                       f"complex band j={j_ex}, {angle:.0f}°: $|R|^2/4$")):
        image = ax.imshow(values, extent=extent, cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.03).ax.tick_params(labelsize=8)
    for ax in axes[1:]:                                                # the example band sits inside |omega| < 0.6 pi
        ax.set_xlim(-0.6, 0.6)
        ax.set_ylim(0.6, -0.6)
    for ax in axes:
        ax.set_xticks([-1, -0.5, 0, 0.5, 1] if ax is axes[0] else [-0.5, 0, 0.5])
        ax.set_yticks([-1, -0.5, 0, 0.5, 1] if ax is axes[0] else [-0.5, 0, 0.5])
        ax.set_xlabel(r"$\omega_x / \pi$", fontsize=9)
        ax.set_ylabel(r"$\omega_y / \pi$ (down)", fontsize=9)
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------- boxes and arrows

def _box(ax, x, y, text, width=1.5, height=0.62, dashed=False, face="white"):
    """A rounded box centred at (x, y), in the axes' data units; returns its (left, right, bottom, top)."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.04",
                                facecolor=face, edgecolor="0.2", linewidth=1.0, linestyle="--" if dashed else "-"))
    ax.text(x, y, text, ha="center", va="center", fontsize=8.5)
    return x - width / 2, x + width / 2, y - height / 2, y + height / 2


def _arrow(ax, start, end, text="", style="-|>", rad=0.0, offset=(0.0, 0.13)):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=10, color="0.15", linewidth=1.0,
                                 connectionstyle=f"arc3,rad={rad}", shrinkA=2, shrinkB=2))
    if text:
        ax.text((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1], text, ha="center",
                va="bottom", fontsize=8)


def _canvas(width, height, xmax, ymax):
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, ymax)
    ax.set_axis_off()
    return fig, ax


def _node(ax, x, y, text):
    ax.add_patch(plt.Circle((x, y), 0.22, facecolor="white", edgecolor="0.2", linewidth=1.0))
    ax.text(x, y, text, ha="center", va="center", fontsize=8.5)


def draw_pyramid_diagram():
    """The steerable pyramid's analysis as a block diagram (the module docstring's equations).

    The image's spectrum splits into the high-pass residual and ``Y_0``; each level filters
    ``Y_j`` into its K oriented bands and hands ``crop(L(2r) Y_j) / 4`` to the next level (the
    dashed box runs J times, on a grid halved each time); ``Y_J`` is the low-pass residual.
    A note says how synthesis runs the boxes backwards.

    Returns
    -------
    matplotlib.figure.Figure (made with pyplot)
    """
    fig, ax = _canvas(10.4, 3.9, 15.0, 5.6)
    top, mid, low = 4.9, 3.0, 1.55
    _box(ax, 0.7, top, "image $I$", width=1.1)
    _box(ax, 2.4, top, "FFT", width=1.0)
    _box(ax, 4.6, top, r"$\times\, H(r)$", width=1.3)
    _box(ax, 6.5, top, "IFFT", width=1.0)
    _box(ax, 9.0, top, "high-pass residual $I_{hi}$", width=2.6, face="#EEEEEE")
    _arrow(ax, (1.25, top), (1.9, top))
    _arrow(ax, (2.9, top), (3.95, top), r"$S$")
    _arrow(ax, (5.25, top), (6.0, top))
    _arrow(ax, (7.0, top), (7.7, top))
    _box(ax, 4.6, 3.9, r"$\times\, L(r)$", width=1.3)
    _arrow(ax, (3.3, top), (3.95, 3.95), rad=0.25)
    # One level: the dashed box, run J times on grids halved each time.
    ax.add_patch(FancyBboxPatch((5.75, 0.75), 6.2, 3.05, boxstyle="round,pad=0.05", facecolor="#F6F6F6",
                                edgecolor="0.4", linestyle="--", linewidth=1.0))
    ax.text(8.85, 3.55, "level $j$ = 0, 1, ..., J - 1 (each on a grid half the size of the one before)",
            ha="center", fontsize=8, style="italic")
    _node(ax, 6.35, 2.3, "$Y_j$")
    _arrow(ax, (5.25, 3.9), (6.2, 2.5), r"$Y_0$", rad=-0.2, offset=(0.25, 0.0))
    _box(ax, 8.3, mid, r"$\times\, i^N A_b(\theta)\, H(2r)$, $b = 0..N$", width=2.7)
    _box(ax, 10.85, mid, "IFFT", width=1.0)
    _box(ax, 13.4, mid, "$K = N + 1$ oriented\nbands $B_{j,b}$", width=2.2, height=0.8, face="#EEEEEE")
    _arrow(ax, (6.57, 2.42), (6.95, mid))
    _arrow(ax, (9.65, mid), (10.35, mid))
    _arrow(ax, (11.35, mid), (12.3, mid))
    _box(ax, 7.75, low, r"$\times\, L(2r)$", width=1.5)
    _box(ax, 10.2, low, r"crop $|\omega| < \pi/2$, $\div 4$" + "\n(downsample by 2)", width=2.4, height=0.8)
    _arrow(ax, (6.57, 2.18), (7.0, low))
    _arrow(ax, (8.5, low), (9.0, low))
    _arrow(ax, (11.4, low), (12.55, low), r"$Y_{j+1}$")
    _arrow(ax, (11.0, 1.13), (6.35, 2.07), rad=-0.35)
    ax.text(8.6, 0.85, "on to the next level, $j + 1$", ha="center", fontsize=8)
    _box(ax, 13.4, low, "low-pass residual (last\nlevel): $I_{lo}$ = IFFT($Y_J$)", width=2.3, height=0.8,
         face="#EEEEEE")
    ax.text(0.15, 1.7, "Synthesis runs every box backwards:\nconjugate masks, zero-padding (x 4)\n"
            "instead of the crop, branches summed.\nIt is exact because", fontsize=8, va="center", linespacing=1.35)
    ax.text(0.15, 0.75, r"$H^2 + L^2\,\left(\sum_b A_b^2\, H(2r)^2 + L(2r)^2\right) = 1$", fontsize=8.5,
            va="center")
    return fig


def _chain(ax, y, name, texts, start=2.55, width=2.2, step=2.5, height=0.95):
    ax.text(0.85, y, name, ha="center", va="center", fontsize=8.5, weight="bold")
    x = start
    _box(ax, x, y, "frames $I_t$", width=1.2, height=height)
    right = x + 0.6
    for text in texts:
        x += step
        _arrow(ax, (right, y), (x - width / 2, y))
        _box(ax, x, y, text, width=width, height=height)
        right = x + width / 2
    x += step
    _arrow(ax, (right, y), (x - 0.7, y))
    _box(ax, x, y, "output", width=1.4, height=height, face="#EEEEEE")


@checked(magnify_step=flag())
def draw_magnification_pipelines(magnify_step: bool = True):
    """Phase-based (Wadhwa et al. 2013) and linear (Wu et al. 2012) motion magnification, box by box.

    Parameters
    ----------
    magnify_step : bool
        Write the phase method's magnification step as a formula; False leaves that box a
        question (before the exercise that derives it, whose answer the formula is).

    Returns
    -------
    matplotlib.figure.Figure (made with pyplot)
    """
    fig, ax = _canvas(11.8, 2.9, 20.9, 4.6)
    magnify = (r"rotate: $B_t\, e^{i\alpha\widetilde{\Delta\phi}_t}$" if magnify_step
               else "magnify: ?\n(Exercise 4)")
    _chain(ax, 3.55, "phase-based\n(Wadhwa 2013)",
           ["complex steerable\npyramid: $B_t$", "phase change\n" + r"$\Delta\phi_t = \arg B_t\overline{B_{ref}}$",
            "temporal\nband-pass", "blur weighted by\nthe amplitude\n(optional)", magnify, "collapse"])
    _chain(ax, 1.0, "linear, Eulerian\n(Wu 2012)",
           ["Laplacian\npyramid: $D_k(t)$", "(the intensities\nthemselves)", "temporal\nband-pass",
            r"$\times\,\alpha_k$ (less below" + "\n" + r"the cut-off $\lambda_c$)",
            r"add: $D_k + \alpha_k\,\mathrm{BP}(D_k)$", "collapse"])
    ax.text(10.4, 2.27, r"one convention: a motion $\delta(t)$ in the pass band comes out $(1 + \alpha)\,\delta(t)$;"
            " the phase method turns phases, the linear one adds intensity changes", ha="center", fontsize=8,
            style="italic")
    return fig
