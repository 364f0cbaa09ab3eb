"""Notebook 05's pictures and widget: dJ/dX as a scatter-add and as a full convolution, and how many
outputs read each pixel (the terms in dJ/dx's sum), padding marked apart from the image."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from .._validate import array, check, checked, integer
from ..conv import receptive_field_counts
from . import Explorer
from .style import styled


def _check_counts(counts, padding):
    counts, padding = check({"counts": array("H W", dtype="int"), "padding": integer(0, 1000)},
                            {"counts": counts, "padding": padding})
    if min(counts.shape) <= 2 * padding:
        raise ValueError(f"counts {counts.shape} must be larger than its padding ring ({padding} on each side)")
    if np.any(counts < 0):
        raise ValueError(f"counts must be counts of outputs (>= 0), got {counts.min()}")
    return counts, padding


def _is_padding(shape, padding):
    mask = np.ones(shape, dtype=bool)
    mask[padding:shape[0] - padding, padding:shape[1] - padding] = False
    return mask


def format_counts(counts, padding):
    """The count array as text, each padding cell in parentheses: ``(2)`` is a padding zero read by 2 outputs.

    Parameters
    ----------
    counts : (H + 2 padding, W + 2 padding) int array
        From :func:`lecture_utils.conv.receptive_field_counts`.
    padding : int >= 0

    Returns
    -------
    str
        One line per row; image pixels as plain numbers, padding cells as ``(n)``.
    """
    counts, padding = _check_counts(counts, padding)
    pad = _is_padding(counts.shape, padding)
    width = len(str(counts.max()))
    cells = [[f"({n:>{width}})" if pad[i, j] else f" {n:>{width}} " for j, n in enumerate(row)]
             for i, row in enumerate(counts)]
    return "\n".join(" ".join(row) for row in cells)


@checked(out_shape=array("2", dtype="int"))
@styled
def draw_receptive_field_counts(counts, out_shape, padding):
    """Figure of :func:`lecture_utils.conv.receptive_field_counts`: image pixels coloured and numbered by
    how many outputs read them; the padding ring hatched grey, its counts in parentheses (not pixels)."""
    counts, padding = _check_counts(counts, padding)
    if np.any(out_shape < 1):
        raise ValueError(f"out_shape must be the output's (rows, columns), each >= 1, got {out_shape.tolist()}")
    pad = _is_padding(counts.shape, padding)
    fig = Figure(figsize=(5.4, 4.6))
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="0.85")
    image = ax.imshow(np.ma.masked_array(counts, pad), cmap=cmap, vmin=0, vmax=max(1, counts.max()))
    fig.colorbar(image, ax=ax, label="outputs reading the pixel").locator = MaxNLocator(integer=True)
    for i, j in zip(*np.nonzero(pad)):
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", ec="0.55", lw=0))
    if counts.shape[1] <= 16:
        for (i, j), n in np.ndenumerate(counts):
            light = not pad[i, j] and n < 0.6 * counts.max()
            ax.text(j, i, f"({n})" if pad[i, j] else str(n), ha="center", va="center",
                    color="white" if light else "black")
    H, W = counts.shape[0] - 2 * padding, counts.shape[1] - 2 * padding
    ax.add_patch(Rectangle((padding - 0.5, padding - 0.5), W, H, fill=False, ec="black", lw=2))
    skipped = int(np.sum(counts[padding:padding + H, padding:padding + W] == 0))
    ax.set_title(f"output {out_shape[0]}x{out_shape[1]}; {skipped} image pixels get no gradient"
                 + (f"\nhatched: {padding} ring(s) of padding zeros" if padding else ""))
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    return fig


@checked(height=integer(1, 64), width=integer(1, 64))
def receptive_field_explorer(height=8, width=8):
    """Widget: kernel size, stride and padding -> terms in each pixel's gradient sum.

    Parameters
    ----------
    height, width : int
        Image size in pixels.

    Returns
    -------
    lecture_utils.demos.Explorer
    """
    def compute(kernel, stride, padding):
        counts, out_shape = receptive_field_counts(height, width, kernel, stride, padding)
        return counts, out_shape, padding

    controls = {
        "kernel": widgets.IntSlider(value=3, min=1, max=min(height, width), description="kernel R=S"),
        "stride": widgets.IntSlider(value=1, min=1, max=4, description="stride"),
        "padding": widgets.IntSlider(value=0, min=0, max=3, description="padding"),
    }
    return Explorer(compute, lambda result: draw_receptive_field_counts(*result), controls,
                    title="Receptive field explorer")


# --------------------------------------------------------------------------------------
# dJ/dX two ways: scatter-add (each output's share onto the block it read) and full convolution
# --------------------------------------------------------------------------------------

@checked(dJ_dY=array("P Q"), W=array("R S"))
def scatter_add_terms(dJ_dY, W):
    """Each output's share of dJ/dX: ``terms[p, q]`` is ``dJ/dY(p, q) * W`` on the block of X that Y(p, q) read.

    For the stride-1 valid cross-correlation ``Y(p, q) = sum_ij X(p + i, q + j) W(i, j)``,
    output (p, q) read the R x S block of X at (p, q) with the weights W, so its gradient goes
    back there, times W. Adding the P Q blocks gives dJ/dX, the full convolution ``dJ/dY * W``.

    Parameters
    ----------
    dJ_dY : (P, Q) array
    W : (R, S) array

    Returns
    -------
    terms : (P, Q, P + R - 1, Q + S - 1) array
        ``terms.sum(axis=(0, 1))`` is dJ/dX, of X's size U x V = (P + R - 1) x (Q + S - 1).
    """
    (P, Q), (R, S) = dJ_dY.shape, W.shape
    terms = np.zeros((P, Q, P + R - 1, Q + S - 1))
    for p in range(P):
        for q in range(Q):
            terms[p, q, p:p + R, q:q + S] = dJ_dY[p, q] * W
    return terms


def _grid(ax, shape):
    ax.set_xticks(np.arange(-0.5, shape[1], 1), minor=True)
    ax.set_yticks(np.arange(-0.5, shape[0], 1), minor=True)
    ax.grid(which="minor", color="0.6", lw=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)


def _numbers(ax, values, limit, skip_zeros=True):
    """Each entry, rounded to a whole number, written on its cell (white on dark cells)."""
    for (i, j), v in np.ndenumerate(values):
        if skip_zeros and v == 0:
            continue
        ax.text(j, i, f"{v:.0f}", ha="center", va="center",
                color="white" if abs(v) > 0.6 * limit else "black")


def _is_position(value) -> bool:
    """A pair of integers (Python or numpy, not bool)."""
    return (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in value))


def _check_picture(dJ_dY, W, outputs, pixel):
    dJ_dY, W = check({"dJ_dY": array("P Q"), "W": array("R S")}, {"dJ_dY": dJ_dY, "W": W})
    P, Q = dJ_dY.shape
    U, V = P + W.shape[0] - 1, Q + W.shape[1] - 1
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else None
    if not outputs or not all(_is_position(o) and 0 <= o[0] < P and 0 <= o[1] < Q for o in outputs):
        raise ValueError(f"outputs must list (p, q) positions inside dJ_dY's {P} x {Q}, got {outputs!r:.80}")
    outputs = [tuple(int(i) for i in o) for o in outputs]
    if not (_is_position(pixel) and 0 <= pixel[0] < U and 0 <= pixel[1] < V):
        raise ValueError(f"pixel must be an (a, b) position inside X's {U} x {V}, got {pixel!r:.60}")
    return dJ_dY, W, outputs, tuple(int(i) for i in pixel)


@styled
def draw_scatter_add(dJ_dY, W, outputs=((0, 0), (0, 1), (2, 4)), pixel=(2, 2)):
    """Figure: dJ/dX as a scatter-add (top row) and as a full convolution (bottom row), same result.

    Top: for a few outputs (p, q), the block ``dJ/dY(p, q) * W`` added onto X's grid where
    Y(p, q) read it, then the sum of all P Q blocks. Bottom: dJ/dY padded with R - 1 rows and
    S - 1 columns of zeros, the flipped kernel ``W~`` on the window that pixel (a, b) reads,
    and the result. One diverging colour scale, centred at 0.

    Parameters
    ----------
    dJ_dY : (P, Q) array
    W : (R, S) array
    outputs : sequence of (p, q)
        The outputs whose blocks are drawn one by one.
    pixel : (a, b)
        The pixel whose window the bottom row outlines.

    Returns
    -------
    matplotlib.figure.Figure
    """
    dJ_dY, W, outputs, (a, b) = _check_picture(dJ_dY, W, outputs, pixel)
    (P, Q), (R, S) = dJ_dY.shape, W.shape
    terms = scatter_add_terms(dJ_dY, W)
    dJ_dX = terms.sum(axis=(0, 1))
    padded = np.pad(dJ_dY, ((R - 1, R - 1), (S - 1, S - 1)))
    limit = max(np.abs(dJ_dX).max(), np.abs(dJ_dY).max())
    style = dict(cmap="RdBu_r", vmin=-limit, vmax=limit)
    n = len(outputs) + 1
    fig = Figure(figsize=(2.4 * n + 1.0, 5.6))
    grid = fig.add_gridspec(2, n + 1, width_ratios=[1] * n + [0.08], hspace=0.5, wspace=0.25,
                            left=0.02, right=0.92, top=0.86, bottom=0.03)

    def panel(row, col, values, title, skip_zeros=True, **kwargs):
        ax = fig.add_subplot(grid[row, col])
        image = ax.imshow(values, **{**style, **kwargs})
        _numbers(ax, values, kwargs.get("vmax", limit), skip_zeros)
        ax.set_title(title, fontsize=11)
        _grid(ax, values.shape)
        return ax, image

    for col, (p, q) in enumerate(outputs):
        ax, image = panel(0, col, terms[p, q], f"dJ/dY({p},{q}) W\non the block at ({p},{q})")
        ax.add_patch(Rectangle((q - 0.5, p - 0.5), S, R, fill=False, ec="black", lw=2))
    panel(0, n - 1, dJ_dX, f"sum of all {P * Q} blocks\n= dJ/dX ({dJ_dX.shape[0]}x{dJ_dX.shape[1]})")
    fig.text(0.02, 0.95, "scatter-add: each output sends its gradient, times W, back onto the pixels it read",
             fontsize=12)

    ax, _ = panel(1, 0, padded, f"dJ/dY padded by R-1={R - 1}, S-1={S - 1}\nwindow read by pixel ({a},{b})")
    ax.add_patch(Rectangle((b - 0.5, a - 0.5), S, R, fill=False, ec="black", lw=2))
    w_limit = np.abs(W).max()
    panel(1, 1, W[::-1, ::-1], f"flipped kernel W~ ({R}x{S})\n(own colour scale)", skip_zeros=False,
          vmin=-w_limit, vmax=w_limit)                       # every weight written: its values are its scale
    ax, _ = panel(1, n - 1, dJ_dX, f"full correlation with W~:\nthe same dJ/dX, pixel ({a},{b})")
    ax.add_patch(Rectangle((b - 0.5, a - 0.5), 1, 1, fill=False, ec="black", lw=2.5))
    for col in range(2, n - 1):
        fig.add_subplot(grid[1, col]).axis("off")
    fig.text(0.02, 0.47, "full convolution: each pixel collects the outputs that read it, through the flipped kernel",
             fontsize=12)
    fig.colorbar(image, cax=fig.add_subplot(grid[:, n]), label="gradient value")
    return fig
