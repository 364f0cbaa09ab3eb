"""Notebook 05's picture and widget: how many outputs read each pixel (terms in dJ/dx's sum)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .._validate import array, checked, integer
from ..conv import receptive_field_counts
from . import Explorer


@checked(counts=array("H W", dtype="int"), out_shape=array("2", dtype="int"), padding=integer(0, 1000))
def draw_receptive_field_counts(counts, out_shape, padding):
    """Figure of :func:`lecture_utils.conv.receptive_field_counts`: the image outlined inside its padding."""
    fig = Figure(figsize=(4.2, 3.6))
    ax = fig.add_subplot()
    image = ax.imshow(counts, cmap="viridis", vmin=0)
    fig.colorbar(image, ax=ax, label="outputs reading the pixel")
    H, W = counts.shape[0] - 2 * padding, counts.shape[1] - 2 * padding
    ax.add_patch(Rectangle((padding - 0.5, padding - 0.5), W, H, fill=False, ec="white", lw=2))
    skipped = int(np.sum(counts[padding:padding + H, padding:padding + W] == 0))
    ax.set_title(f"output {out_shape[0]}x{out_shape[1]}; {skipped} image pixels get no gradient",
                 fontsize=10)
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
