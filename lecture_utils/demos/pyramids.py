"""Notebook 02's widget: multiresolution blending, with sliders for the levels and the mask's blur."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from scipy import ndimage

from .._validate import check
from ..pyramids import _check_blend, _Levels, _max_levels, blend
from . import Explorer


def _check_explorer(a, b, mask, max_levels_shown):
    """blend_explorer's arguments: a, b and mask as for blend, the mask (H, W); the slider's top <= max_levels(a)."""
    a, b, mask, _, _, _ = _check_blend(a, b, mask, 1, None, "reflect")
    if mask.shape != a.shape[:2]:
        raise ValueError(f"mask must have shape {a.shape[:2]}, got {mask.shape}")
    top = min(8, _max_levels(a.shape)) if max_levels_shown is None else max_levels_shown
    top, = check({"max_levels_shown": _Levels("a")}, {"a": a, "max_levels_shown": top})
    return a, b, mask, top


def _draw(result: dict) -> Figure:
    """The blurred mask and the blended image (clipped to [0, 1]) side by side, as a standalone Figure."""
    fig = Figure(figsize=(6, 3))
    for i, (key, title) in enumerate((("mask", "mask (blurred)"), ("blended", "blended"))):
        ax = fig.add_subplot(1, 2, i + 1)
        ax.imshow(np.clip(result[key], 0, 1), cmap="gray", vmin=0, vmax=1)
        ax.set_title(title)
        ax.axis("off")
    fig.tight_layout()
    return fig


def blend_explorer(a, b, mask, max_levels_shown: int | None = None) -> Explorer:
    """Notebook 02's widget: number of pyramid levels and mask blur -> blended image.

    ``compute(levels, mask_blur)`` blurs the mask with a Gaussian of standard
    deviation ``mask_blur`` pixels (0: none), then calls
    :func:`lecture_utils.pyramids.blend`; its result is a dict with ``"mask"`` (the
    blurred mask) and ``"blended"``.

    Parameters
    ----------
    a, b : (H, W) or (H, W, C) arrays in [0, 1], of the same shape
    mask : (H, W) array in [0, 1]
    max_levels_shown : int, optional
        Upper end of the levels slider (default: :func:`~lecture_utils.pyramids.max_levels`
        of a, at most 8).

    Returns
    -------
    lecture_utils.demos.Explorer
    """
    a, b, mask, top = _check_explorer(a, b, mask, max_levels_shown)

    def compute(levels, mask_blur):
        soft = ndimage.gaussian_filter(mask, sigma=mask_blur, mode="nearest") if mask_blur > 0 else mask
        return {"mask": soft, "blended": blend(a, b, soft, levels)}

    controls = {
        "levels": widgets.IntSlider(value=min(5, top), min=1, max=top, description="levels"),
        "mask_blur": widgets.FloatSlider(value=0.0, min=0.0, max=16.0, step=1.0, description="mask blur"),
    }
    return Explorer(compute, _draw, controls, title="Pyramid blending explorer")
