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
from . import Explorer
from .style import COLUMN_CSS_PX, PAD_CSS_PX, READABLE_CMAPS, SCREEN_DPI, styled

__all__ = ["Panel", "blend_explorer", "panel_figure"]

TITLE_LINE = 16               # CSS pixels per line of a 12-point title
COLORBAR_ROOM = (10, 70)      # the bar's width and the room for its 11-point tick labels and label
AXIS_ROOM = (52, 38)          # room left of an image for a y label, below it for an x label, with tick labels
SPECIALS = ("symmetric",)     # limits="symmetric": centred on 0, as far as the largest |value|


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
        One of the course's ``READABLE_CMAPS`` (:mod:`lecture_utils.demos.style`): ``"gray"`` for
        images, ``"viridis"`` / ``"cividis"`` for magnitudes, ``"RdBu_r"`` with symmetric limits
        for signed values, ``"twilight"`` for phases.
    limits : (low, high) or "symmetric"
        The values at the two ends of the colour map; ``"symmetric"``: ``(-m, m)`` with ``m`` the
        largest ``|value|``, so that 0 sits in the middle.
    colorbar : str, optional
        The colour bar's label; None draws no colour bar.
    ticks : tuple of float
        Where the colour bar has ticks (default: matplotlib's choice).
    tick_labels : tuple of str
        Their labels (as many as ``ticks``), e.g. ``("−π", "0", "π")``.
    xlabel, ylabel : str
        Axis labels with units, e.g. ``"x (pixels)"``, ``"t (frames)"``; an image with either gets
        tick marks in image pixels on both axes (default ``""``: a picture without axes).
    """

    image: np.ndarray
    title: str = ""
    zoom: int = 1
    cmap: str = "gray"
    limits: object = (0.0, 1.0)
    colorbar: str | None = None
    ticks: tuple = ()
    tick_labels: tuple = ()
    xlabel: str = ""
    ylabel: str = ""


def _check_panel(panel, name):
    panel, = check({name: instance(Panel)}, {name: panel})
    image = array("H W | H W 3", finite=False)(panel.image, f"{name}.image", {})
    if not np.any(np.isfinite(image)):
        raise ValueError(f"{name}.image has no finite value to draw")
    if np.isinf(image).any():
        raise ValueError(f"{name}.image contains infinite values; use NaN for the pixels not to draw")
    zoom = integer(1, 16, why_max=" (a sample wider than 16 CSS pixels: crop the image instead)")(
        panel.zoom, f"{name}.zoom", {})
    side = max(image.shape[:2]) * zoom
    if side > COLUMN_CSS_PX:
        raise ValueError(f"{name} would be {side} CSS pixels wide (image {image.shape[:2]} at zoom {zoom}); "
                         f"at most {COLUMN_CSS_PX}, the notebook's column: crop the image or lower the zoom")
    check({f"{name}.title": instance(str), f"{name}.cmap": choice(*READABLE_CMAPS),
           f"{name}.colorbar": optional(instance(str)), f"{name}.ticks": instance(tuple),
           f"{name}.tick_labels": instance(tuple), f"{name}.xlabel": instance(str), f"{name}.ylabel": instance(str)},
          {f"{name}.title": panel.title, f"{name}.cmap": panel.cmap, f"{name}.colorbar": panel.colorbar,
           f"{name}.ticks": panel.ticks, f"{name}.tick_labels": panel.tick_labels, f"{name}.xlabel": panel.xlabel,
           f"{name}.ylabel": panel.ylabel})
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


def _check_panel_figure(rows, gap):
    """panel_figure's arguments: rows of checked panels (panel, image, zoom, limits), and the gap."""
    gap, = check({"gap": integer(0, 200, why_max=" CSS pixels")}, {"gap": gap})
    if isinstance(rows, Panel):
        raise TypeError("rows must be a list of rows, each a list of Panels; got a single Panel: use [[panel]]")
    if not isinstance(rows, (list, tuple)) or not rows:
        raise TypeError(f"rows must be a non-empty list of rows, each a list of Panels, got {type(rows).__name__}")
    checked_rows = []
    for i, row in enumerate(rows):
        if not isinstance(row, (list, tuple)) or not row:
            raise TypeError(f"rows[{i}] must be a non-empty list of Panels, got {type(row).__name__}")
        checked_rows.append([(panel,) + _check_panel(panel, f"rows[{i}][{j}]") for j, panel in enumerate(row)])
    return checked_rows, gap


def _axis_room(panel):
    """CSS pixels left of and below the image for its axis labels (0 for a picture without axes)."""
    labelled = bool(panel.xlabel or panel.ylabel)
    return (AXIS_ROOM[0] if labelled else 0), (AXIS_ROOM[1] if labelled else 0)


def _panel_width(panel, image, zoom):
    return (_axis_room(panel)[0] + image.shape[1] * zoom
            + (sum(COLORBAR_ROOM) if panel.colorbar is not None else 0))


ROW_MARGIN = 12          # CSS pixels above the first row and below the last, inside the figure


def _layout(rows, gap):
    """Figure size in CSS pixels (with margins of ``PAD_CSS_PX`` and ``ROW_MARGIN``) and, per panel, its image box and
    colour-bar box in figure fractions."""
    row_heights, titles = [], []
    for row in rows:
        lines = max(panel.title.count("\n") + 1 if panel.title else 0 for panel, *_ in row)
        titles.append(lines * TITLE_LINE + (4 if lines else 0))
        row_heights.append(max(image.shape[0] * zoom + _axis_room(panel)[1] for panel, image, zoom, _ in row))
    widths = [sum(_panel_width(p, im, z) for p, im, z, _ in row) + gap * (len(row) - 1) for row in rows]
    # margins inside the figure, so that nothing drawn touches its edge (figure_png crops to what is drawn):
    # above and below, room for half a colour bar's end tick label
    width = max(widths) + 2 * PAD_CSS_PX
    height = sum(row_heights) + sum(titles) + gap * (len(rows) - 1) + 2 * ROW_MARGIN
    boxes, top = [], height - ROW_MARGIN
    for row, row_height, title in zip(rows, row_heights, titles):
        top -= title
        left = PAD_CSS_PX
        for panel, image, zoom, _ in row:
            w, h = image.shape[1] * zoom, image.shape[0] * zoom
            x0 = left + _axis_room(panel)[0]
            image_box = (x0 / width, (top - h) / height, w / width, h / height)
            bar_box = None
            if panel.colorbar is not None:
                bar_box = ((x0 + w + 6) / width, (top - h) / height, COLORBAR_ROOM[0] / width, h / height)
            boxes.append((image_box, bar_box))
            left += _panel_width(panel, image, zoom) + gap
        top -= row_height + gap
    return (width, height), boxes


@styled
def panel_figure(rows, gap: int = 14) -> Figure:
    """Rows of images, each drawn at ``zoom`` CSS pixels per image pixel, with optional colour bars and axes.

    Laid out at 72 dpi (one point is one CSS pixel), an image of ``W`` pixels at zoom ``z`` takes
    exactly ``z W`` CSS pixels (``2 z W`` screen pixels of the course's 2x rendering), so nothing is
    shrunk by the drawing: fine patterns show as they are, not as display moiré. Panels are laid
    out left to right, rows top to bottom, aligned at the top; the figure may be at most
    ``COLUMN_CSS_PX`` wide, the notebook's column.

    Parameters
    ----------
    rows : list of lists of Panel
        The panels of each row.
    gap : int
        CSS pixels between panels and between rows, 0 to 200.

    Returns
    -------
    matplotlib.figure.Figure
        Made with pyplot (the notebook shows it with ``plt.show()``); its axes are the panels
        in reading order (colour bars after them), so a cell can draw on them.
    """
    rows, gap = _check_panel_figure(rows, gap)
    (width, height), boxes = _layout(rows, gap)
    if width > COLUMN_CSS_PX:
        raise ValueError(f"rows would make a figure {width} CSS pixels wide with its margin, more "
                         f"than the notebook's column ({COLUMN_CSS_PX}): crop the images, lower a zoom or split a row")
    fig = plt.figure(figsize=(width / SCREEN_DPI, height / SCREEN_DPI), dpi=SCREEN_DPI)
    bars = []
    panels = [item for row in rows for item in row]
    for (panel, image, _, limits), (image_box, bar_box) in zip(panels, boxes):
        ax = fig.add_axes(image_box)
        cmap = plt.get_cmap(panel.cmap).with_extremes(bad="0.6")
        shown = np.clip(image, 0, 1) if image.ndim == 3 else np.ma.masked_invalid(image)
        picture = ax.imshow(shown, cmap=cmap, vmin=limits[0], vmax=limits[1], interpolation="nearest")
        if panel.xlabel or panel.ylabel:
            ax.set_xlabel(panel.xlabel)
            ax.set_ylabel(panel.ylabel)
        else:
            ax.set_axis_off()
        if panel.title:
            ax.set_title(panel.title, pad=4)              # clear of the image, descenders too
        if bar_box is not None:
            bars.append((picture, bar_box, panel))
    for picture, bar_box, panel in bars:
        bar = fig.colorbar(picture, cax=fig.add_axes(bar_box))
        bar.set_label(panel.colorbar)
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


@styled
def _draw(result: dict) -> Figure:
    """The blurred mask (weight of image a, with its colour bar) and the blended image (clipped to [0, 1])."""
    fig = Figure(figsize=(7, 3.3))
    ax_mask, ax_blend = fig.subplots(1, 2)
    weights = ax_mask.imshow(np.clip(result["mask"], 0, 1), cmap="gray", vmin=0, vmax=1)
    fig.colorbar(weights, ax=ax_mask, fraction=0.046, pad=0.03, label="weight of image a")
    ax_blend.imshow(np.clip(result["blended"], 0, 1), cmap="gray", vmin=0, vmax=1)
    for ax, title in ((ax_mask, "mask (blurred)"), (ax_blend, "blended")):
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
