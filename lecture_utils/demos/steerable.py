"""Notebook 03's pictures: the steered-derivative widget, the frequency tiling of the steerable
pyramid, its block diagram and the two motion-magnification pipelines (boxes and arrows).

Images drawn pixel for pixel come from :func:`lecture_utils.demos.pyramids.panel_figure`.
"""

from __future__ import annotations

import math
import re

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.offsetbox import AnnotationBbox, HPacker, TextArea, VPacker
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from scipy import ndimage

from .._validate import array, check, checked, flag, integer, positive, real, shape_tuple
from ..steerable import (ORDER, POSITIVE_ORDER, SIGMA, band_response, basis_angles, directional_derivative_kernel,
                         frequency_grid, max_levels, radial_masks, steer_basis)
from . import Explorer
from .style import MIN_TEXT_CSS_PX, diagram_canvas, styled

__all__ = ["draw_frequency_tiling", "draw_magnification_pipelines", "draw_orientation", "draw_pyramid_diagram",
           "orientation_explorer"]

# Okabe and Ito's colour-blind-safe palette: one colour per orientation (text labels say which, too).
ORIENTATION_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#F0E442", "#0072B2", "#D55E00", "#999999")


@checked(kernel=array("S S"), response=array("H W"), angle=real())
@styled
def draw_orientation(kernel, response, angle) -> Figure:
    """The steered kernel and the image's response side by side, each on a scale centred on 0 (white).

    Parameters
    ----------
    kernel : (S, S) array
        The steered filter.
    response : (H, W) array
        The image filtered with it.
    angle : float
        The steering angle in radians (shown in degrees in the title).
    """
    fig = Figure(figsize=(7.6, 3.4))
    ax_k, ax_r = fig.subplots(1, 2)
    for ax, values, label in ((ax_k, kernel, "kernel value"), (ax_r, response, "response")):
        lim = np.max(np.abs(values)) or 1.0
        image = ax.imshow(values, cmap="RdBu_r", vmin=-lim, vmax=lim)   # symmetric limits: 0 is white
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.03, label=label)
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


@styled
def draw_frequency_tiling(shape=(256, 256), levels=3, order=3, twidth=1.0, example=(1, 1)):
    """The steerable pyramid's rings and wedges in the frequency plane, and one band's squared response.

    Left: every frequency ``(omega_x, omega_y) / pi`` coloured by the band that holds most of its
    energy (:func:`~lecture_utils.steerable.band_response`): one colour per orientation (lighter for
    odd levels), grey for the high-pass residual outside the rings, white for the low-pass disc, black
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
    fig, axes = plt.subplots(1, 3, figsize=(10.9, 4.0), gridspec_kw={"width_ratios": [1.3, 1, 1]},
                             layout="constrained")
    axes[0].imshow(picture, extent=extent, interpolation="nearest")
    axes[0].set_title(f"tiles: {levels} rings (level j = 0 outside),\n{order + 1} orientations each")
    for b, theta in enumerate(basis_angles(order)):                    # label the level-0 wedges
        x, y = 0.53 * np.cos(theta), 0.53 * np.sin(theta)            # mid-ring (twidth 1: level 0 holds r of about 0.35 to 0.69)
        axes[0].text(x, y, f"{np.degrees(theta):.0f}°", ha="center", va="center")
    shifted = [np.fft.fftshift(np.abs(band_response(shape, j_ex, b_ex, order, twidth, complex_bands=c)) ** 2)
               / (4 if c else 1) for c in (False, True)]
    angle = np.degrees(basis_angles(order)[b_ex])
    for ax, values, title in zip(axes[1:], shifted, (f"real band j={j_ex}, {angle:.0f}°:\nsquared response",
                                                       f"complex band j={j_ex}, {angle:.0f}°:\nsquared response / 4")):
        image = ax.imshow(values, extent=extent, cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(title)
    fig.colorbar(image, ax=axes[1:], fraction=0.03, pad=0.03, label="squared response")
    for ax in axes[1:]:                                                # the example band sits inside |omega| < 0.6 pi
        ax.set_xlim(-0.6, 0.6)
        ax.set_ylim(0.6, -0.6)
    for ax in axes:
        ticks = [-1, 0, 1] if ax is axes[0] else [-0.5, 0, 0.5]
        ax.set_xticks(ticks)
        ax.set_yticks(ticks)
        ax.set_xlabel(r"$\omega_x / \pi$", fontsize=SCRIPTED_MATH_PT)
    for ax in axes[:2]:
        ax.set_ylabel(r"$\omega_y / \pi$ (down)", fontsize=SCRIPTED_MATH_PT)
    axes[2].set_yticklabels([])
    return fig


# ---------------------------------------------------------------------------- boxes and arrows
# The diagrams are drawn in CSS pixels (style.diagram_canvas), so a box is sized for its 11-point text.

# Mathtext draws a sub- or superscript at 0.7 of its text's size: 7.7 px for 11-point text. A symbol with
# an index (I_t, B_{j,b}) is set at 16 points, so its index is 11.2 px; the words around it stay at 11.
SCRIPTED_MATH_PT = math.ceil(MIN_TEXT_CSS_PX / 0.7)


def _label(ax, x, y, text, ha="center", va="center", line_gap=3, **props):
    """Text at (x, y), in CSS pixels, whose $math$ with sub/superscripts is drawn at SCRIPTED_MATH_PT.

    Each line is a row of pieces on one baseline (words at the style's 11 points, indexed symbols at
    16), the lines ``line_gap`` pixels apart; ``ha`` and ``va`` place the whole block as ``ax.text`` would.
    """
    lines = []
    for line in text.split("\n"):
        pieces = [TextArea(piece, textprops=dict(props, **({"fontsize": SCRIPTED_MATH_PT}
                                                           if re.fullmatch(r"\$.*([_^]|\\frac).*\$", piece) else {})))
                  for piece in re.split(r"(\$[^$]*\$)", line) if piece]
        lines.append(pieces[0] if len(pieces) == 1 else HPacker(children=pieces, align="baseline", pad=0, sep=0))
    # a packer of one child is that child (packers lay their children out again at every drawing)
    block = lines[0] if len(lines) == 1 else VPacker(children=lines, align={"left": "left", "right": "right"}.get(
        ha, "center"), pad=0, sep=line_gap)
    ax.add_artist(AnnotationBbox(block, (x, y), frameon=False, pad=0, annotation_clip=False,
                                 box_alignment=({"left": 0, "right": 1}.get(ha, 0.5),
                                                {"bottom": 0, "top": 1}.get(va, 0.5))))


def _box(ax, x, y, text, width, height=30, face="white"):
    """A rounded box centred at (x, y) with its text, in CSS pixels."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=2",
                                facecolor=face, edgecolor="0.2", linewidth=1.0))
    _label(ax, x, y, text)


def _arrow(ax, start, end, text="", rad=0.0, offset=(0, 4), ha="center"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color="0.15", linewidth=1.0,
                                 connectionstyle=f"arc3,rad={rad}", shrinkA=2, shrinkB=2))
    if text:
        _label(ax, (start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1], text, ha=ha,
               va="bottom")


@styled
def draw_pyramid_diagram():
    """The steerable pyramid's analysis as a block diagram (the module docstring's equations).

    The image's spectrum splits into the high-pass residual and ``Y_0``; each level filters
    ``Y_j`` into its K oriented bands and hands ``crop(L(2r) Y_j) / 4`` to the next level (the
    grey box runs J times, on a grid halved each time); ``Y_J`` is the low-pass residual.
    A note says how synthesis runs the boxes backwards.

    Returns
    -------
    matplotlib.figure.Figure (made with pyplot)
    """
    fig, ax = diagram_canvas(780, 420, pyplot=True)
    top = 392
    _box(ax, 42, top, "image $I$", 72)
    _box(ax, 140, top, "FFT", 50)
    _box(ax, 290, top, r"$\times\, H(r)$", 74)
    _box(ax, 410, top, "IFFT", 54)
    _box(ax, 640, top, "high-pass residual $I_{hi}$", 190, face="#EEEEEE")
    _arrow(ax, (80, top), (113, top))
    _arrow(ax, (167, top), (251, top), r"$S$")
    _arrow(ax, (329, top), (381, top))
    _arrow(ax, (439, top), (543, top))
    _box(ax, 290, 330, r"$\times\, L(r)$", 74)
    _arrow(ax, (205, top - 2), (251, 332), rad=0.25)
    # One level: the grey box, run J times on grids halved each time.
    ax.add_patch(FancyBboxPatch((120, 100), 650, 194, boxstyle="round,pad=4", facecolor="#F4F4F4",
                                edgecolor="0.4", linestyle="--", linewidth=1.0))
    ax.text(445, 278, "level $j$ = 0, 1, ..., J - 1, each on a grid half the size of the one before",
            ha="center", va="center", style="italic")
    ax.add_patch(plt.Circle((160, 200), 17, facecolor="white", edgecolor="0.2", linewidth=1.0))
    _label(ax, 160, 200, "$Y_j$")
    _arrow(ax, (290, 314), (168, 217), r"$Y_0$", rad=0.2, offset=(-20, 0), ha="right")
    _box(ax, 335, 238, r"$\times\, i^N A_b(\theta)\, H(2r)$, $b = 0..N$", 200)
    _box(ax, 492, 238, "IFFT", 54)
    _box(ax, 662, 238, "$K = N + 1$ oriented\nbands $B_{j,b}$", 160, height=44, face="#EEEEEE")
    _arrow(ax, (172, 212), (233, 238))
    _arrow(ax, (437, 238), (463, 238))
    _arrow(ax, (521, 238), (580, 238))
    _box(ax, 262, 160, r"$\times\, L(2r)$", 80)
    _box(ax, 445, 160, r"crop $|\omega| < \pi/2$, $\div\, 4$" + "\n(downsample by 2)", 170, height=44)
    _arrow(ax, (172, 188), (220, 160))
    _arrow(ax, (304, 160), (358, 160))
    ax.plot([445, 445, 160], [137, 122, 122], color="0.15", linewidth=1.0)       # the loop to the next level
    _arrow(ax, (160, 122), (160, 181))
    _label(ax, 300, 118, "$Y_{j+1}$: on to the next level", va="top")
    _box(ax, 662, 62, "low-pass residual:\n" + r"$I_{lo} = \mathrm{IFFT}(Y_J)$", 160, height=44, face="#EEEEEE")
    _arrow(ax, (532, 168), (640, 86), "after level\nJ - 1", rad=-0.3, offset=(30, 6), ha="left")
    _label(ax, 8, 56, "Synthesis runs every box backwards: conjugate masks,\nzero-padding (x 4) instead of the crop, "
           "branches summed.\nIt is exact because "
           r"$H^2 + L^2\,\left(\sum_b A_b^2\, H(2r)^2 + L(2r)^2\right) = 1$.", ha="left", line_gap=6)
    return fig


def _chain(ax, x, name, texts, top=464, step=54, width=272, height=44):
    """One pipeline as a column of boxes from the frames down to the output, centred at x."""
    ax.text(x, top + 38, name, ha="center", va="center", weight="bold")
    y = top
    for i, text in enumerate(["frames $I_t$"] + texts + ["output"]):
        if i:
            _arrow(ax, (x, y + step - height / 2), (x, y + height / 2))
        _box(ax, x, y, text, width, height, face="#EEEEEE" if i == len(texts) + 1 else "white")
        y -= step


@checked(magnify_step=flag())
@styled
def draw_magnification_pipelines(magnify_step: bool = True):
    """Phase-based (Wadhwa et al. 2013) and linear (Wu et al. 2012) motion magnification, box by box.

    Two columns, one step per row, so that the steps the two methods share line up.

    Parameters
    ----------
    magnify_step : bool
        Write the phase method's magnification step as a formula; False leaves that box a
        question (before the exercise that derives it, whose answer the formula is).

    Returns
    -------
    matplotlib.figure.Figure (made with pyplot)
    """
    fig, ax = diagram_canvas(640, 520, pyplot=True)
    magnify = (r"rotate: $B_t\, \exp(i\alpha\,\widetilde{\Delta\phi}_t)$" if magnify_step
               else "magnify: ?\n(Exercise 4)")
    _chain(ax, 160, "phase-based (Wadhwa 2013)",
           ["complex steerable pyramid: $B_t$", r"phase change: $\Delta\phi_t = \arg\,(B_t\,\overline{B_{ref}})$",
            "temporal band-pass", "blur weighted by the amplitude\n(optional)", magnify, "collapse"])
    _chain(ax, 480, "linear, Eulerian (Wu 2012)",
           ["Laplacian pyramid: $D_k(t)$", "(the intensities themselves)", "temporal band-pass",
            r"$\times\,\alpha_k$, less below the cut-off $\lambda_c$",
            r"add: $D_k + \alpha_k\,\mathrm{BP}(D_k)$", "collapse"])
    ax.text(320, 22, r"one convention: a motion $\delta(t)$ in the pass band comes out $(1 + \alpha)\,\delta(t)$;"
            "\nthe phase method turns phases, the linear one adds intensity changes", ha="center", va="center",
            style="italic", linespacing=1.4)
    return fig
