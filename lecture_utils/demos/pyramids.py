"""Notebook 02's pictures: images drawn pixel for pixel, and the blending widget.

:func:`panel_figure` draws rows of images at an exact number of screen pixels per image
pixel (nearest neighbour, never shrunk), so that what a figure claims about fine detail
(aliasing, the seam of a blend, the finest band) is visible at the size it is drawn; each
panel may carry its own colour map and colour bar. Notebook 03 uses it too.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from scipy import ndimage

from .._validate import array, check, choice, instance, integer, optional, real
from ..pyramids import _check_blend, _Levels, _max_levels, blend
from . import SCREEN_DPI, Explorer

__all__ = ["Panel", "blend_explorer", "panel_figure"]

MAX_PANEL_PIXELS = 2048       # screen pixels per side: wider than any notebook column
TITLE_LINE = 13               # screen pixels per line of a 9-point title at 72 dpi
COLORBAR_ROOM = (10, 52)      # the bar's width and the room for its tick labels and label
SPECIALS = ("symmetric",)     # limits="symmetric": centred on 0, as far as the largest |value|
# Colour maps every student can read (no red/green-only distinctions, lightness in order):
# grey levels for images, viridis/cividis for magnitudes, RdBu_r (centred) for signed values,
# twilight for phases (cyclic: -pi and pi look alike).
READABLE_CMAPS = ("gray", "viridis", "cividis", "RdBu_r", "twilight", "twilight_shifted")


@dataclass(frozen=True)
class Panel:
    """One image of a :func:`panel_figure`, and how its values are shown.

    Attributes
    ----------
    image : (H, W) array, or (H, W, 3) RGB array in [0, 1]
        NaN entries are drawn in grey (e.g. a phase where the amplitude is too small to define it).
    title : str
        Above the image; ``"\\n"`` starts a second line.
    zoom : int
        Screen pixels per image pixel, 1 to 16 (nearest neighbour: each sample a square).
    cmap : str
        One of ``READABLE_CMAPS``: ``"gray"`` for images, ``"viridis"`` / ``"cividis"`` for
        magnitudes, ``"RdBu_r"`` with symmetric limits for signed values, ``"twilight"`` for phases.
    limits : (low, high) or "symmetric"
        The values at the two ends of the colour map; ``"symmetric"``: ``(-m, m)`` with ``m`` the
        largest ``|value|``, so that 0 sits in the middle.
    colorbar : str, optional
        The colour bar's label; None draws no colour bar.
    ticks : tuple of float
        Where the colour bar has ticks (default: matplotlib's choice).
    tick_labels : tuple of str
        Their labels (as many as ``ticks``), e.g. ``("-π", "0", "π")``.
    """

    image: np.ndarray
    title: str = ""
    zoom: int = 1
    cmap: str = "gray"
    limits: object = (0.0, 1.0)
    colorbar: str | None = None
    ticks: tuple = ()
    tick_labels: tuple = ()


def _check_panel(panel, name):
    panel, = check({name: instance(Panel)}, {name: panel})
    image = array("H W | H W 3", finite=False)(panel.image, f"{name}.image", {})
    if not np.any(np.isfinite(image)):
        raise ValueError(f"{name}.image has no finite value to draw")
    if np.isinf(image).any():
        raise ValueError(f"{name}.image contains infinite values; use NaN for the pixels not to draw")
    zoom = integer(1, 16, why_max=" (a sample wider than 16 screen pixels: crop the image instead)")(
        panel.zoom, f"{name}.zoom", {})
    side = max(image.shape[:2]) * zoom
    if side > MAX_PANEL_PIXELS:
        raise ValueError(f"{name} would be {side} screen pixels wide (image {image.shape[:2]} at zoom {zoom}); "
                         f"at most {MAX_PANEL_PIXELS}: crop the image or lower the zoom")
    check({f"{name}.title": instance(str), f"{name}.cmap": choice(*READABLE_CMAPS),
           f"{name}.colorbar": optional(instance(str)), f"{name}.ticks": instance(tuple),
           f"{name}.tick_labels": instance(tuple)},
          {f"{name}.title": panel.title, f"{name}.cmap": panel.cmap, f"{name}.colorbar": panel.colorbar,
           f"{name}.ticks": panel.ticks, f"{name}.tick_labels": panel.tick_labels})
    if panel.tick_labels and len(panel.tick_labels) != len(panel.ticks):
        raise ValueError(f"{name}.tick_labels must label the {len(panel.ticks)} ticks, got {len(panel.tick_labels)}")
    limits = panel.limits
    if isinstance(limits, str):
        choice(*SPECIALS)(limits, f"{name}.limits", {})
        top = float(np.nanmax(np.abs(image)))
        limits = (-top, top) if top > 0 else (-1.0, 1.0)
    else:
        if not isinstance(limits, (tuple, list)) or len(limits) != 2:
            raise TypeError(f"{name}.limits must be a pair (low, high) or 'symmetric', got {limits!r}")
        limits = tuple(real()(v, f"{name}.limits[{i}]", {}) for i, v in enumerate(limits))
        if not limits[0] < limits[1]:
            raise ValueError(f"{name}.limits must have low < high, got {limits}")
    return image, zoom, limits


def _check_panel_figure(rows, gap, dpi):
    """panel_figure's arguments: rows of checked panels (panel, image, zoom, limits), the gap and the dpi."""
    gap, dpi = check({"gap": integer(0, 200, why_max=" screen pixels"), "dpi": integer(10, 600)},
                     {"gap": gap, "dpi": dpi})
    if isinstance(rows, Panel):
        raise TypeError("rows must be a list of rows, each a list of Panels; got a single Panel: use [[panel]]")
    if not isinstance(rows, (list, tuple)) or not rows:
        raise TypeError(f"rows must be a non-empty list of rows, each a list of Panels, got {type(rows).__name__}")
    checked_rows = []
    for i, row in enumerate(rows):
        if not isinstance(row, (list, tuple)) or not row:
            raise TypeError(f"rows[{i}] must be a non-empty list of Panels, got {type(row).__name__}")
        checked_rows.append([(panel,) + _check_panel(panel, f"rows[{i}][{j}]") for j, panel in enumerate(row)])
    return checked_rows, gap, dpi


def _panel_width(panel, image, zoom):
    return image.shape[1] * zoom + (sum(COLORBAR_ROOM) if panel.colorbar is not None else 0)


def _layout(rows, gap, dpi):
    """Figure size in inches and, per panel, its image box and colour-bar box in figure fractions."""
    row_heights, titles = [], []
    for row in rows:
        lines = max(panel.title.count("\n") + 1 if panel.title else 0 for panel, *_ in row)
        titles.append(lines * TITLE_LINE + (4 if lines else 0))
        row_heights.append(max(image.shape[0] * zoom for _, image, zoom, _ in row))
    widths = [sum(_panel_width(p, im, z) for p, im, z, _ in row) + gap * (len(row) - 1) for row in rows]
    width, height = max(widths), sum(row_heights) + sum(titles) + gap * (len(rows) - 1)
    boxes, top = [], height
    for row, row_height, title in zip(rows, row_heights, titles):
        top -= title
        left = 0
        for panel, image, zoom, _ in row:
            w, h = image.shape[1] * zoom, image.shape[0] * zoom
            image_box = (left / width, (top - h) / height, w / width, h / height)
            bar_box = None
            if panel.colorbar is not None:
                bar_box = ((left + w + 6) / width, (top - h) / height, COLORBAR_ROOM[0] / width, h / height)
            boxes.append((image_box, bar_box))
            left += _panel_width(panel, image, zoom) + gap
        top -= row_height + gap
    return (width / dpi, height / dpi), boxes


def panel_figure(rows, gap: int = 14, dpi: int = SCREEN_DPI) -> Figure:
    """Rows of images, each drawn at ``zoom`` screen pixels per image pixel, with optional colour bars.

    At ``dpi`` (the notebooks' 72) an image of ``W`` pixels at zoom ``z`` takes exactly ``z W``
    screen pixels, so nothing is shrunk by the drawing: fine patterns show as they are, not as
    display moiré. Panels are laid out left to right, rows top to bottom, aligned at the top.

    Parameters
    ----------
    rows : list of lists of Panel
        The panels of each row.
    gap : int
        Screen pixels between panels and between rows, 0 to 200.
    dpi : int
        Dots per inch the figure will be shown at (10 to 600).

    Returns
    -------
    matplotlib.figure.Figure
        Made with pyplot (the notebook shows it with ``plt.show()``); its axes are the panels
        in reading order (colour bars after them), so a cell can draw on them.
    """
    rows, gap, dpi = _check_panel_figure(rows, gap, dpi)
    size, boxes = _layout(rows, gap, dpi)
    fig = plt.figure(figsize=size, dpi=dpi)
    bars = []
    panels = [item for row in rows for item in row]
    for (panel, image, _, limits), (image_box, bar_box) in zip(panels, boxes):
        ax = fig.add_axes(image_box)
        cmap = plt.get_cmap(panel.cmap).with_extremes(bad="0.6")
        shown = np.clip(image, 0, 1) if image.ndim == 3 else np.ma.masked_invalid(image)
        picture = ax.imshow(shown, cmap=cmap, vmin=limits[0], vmax=limits[1], interpolation="nearest")
        ax.set_axis_off()
        if panel.title:
            ax.set_title(panel.title, fontsize=9, pad=3)
        if bar_box is not None:
            bars.append((picture, bar_box, panel))
    for picture, bar_box, panel in bars:
        bar = fig.colorbar(picture, cax=fig.add_axes(bar_box))
        bar.ax.tick_params(labelsize=8)
        bar.set_label(panel.colorbar, fontsize=8)
        if panel.ticks:
            bar.set_ticks(panel.ticks)
            if panel.tick_labels:
                bar.set_ticklabels(panel.tick_labels)
    return fig


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
