"""The course's one figure style: sharp on HiDPI screens, legible on a projector, readable by everyone.

Every drawing function in ``lecture_utils.demos`` draws inside :func:`styled`, and every notebook's
setup cell calls :func:`use_figure_style`, so a figure looks the same wherever it is made.

The standard (CONTRIBUTING.md, "Figures"):

* **HiDPI.** A figure is laid out at 72 dpi, where one point is one CSS pixel, rendered at
  ``SCALE = 2`` pixels per CSS pixel and shown at its CSS size (the ``width`` metadata of the
  output): as sharp on a "retina" screen as text, and never blurred by upscaling. PNG rather than
  SVG: JupyterLab refuses to render SVG outputs of a notebook it does not trust (any notebook a
  student downloads), image panels drawn pixel for pixel would be embedded in the SVG as PNGs
  anyway, and a lossless PNG with a palette (:func:`figure_png`) stays small.
* **Text at least 11 CSS pixels where it is shown.** Fonts are at least ``MIN_TEXT_CSS_PX`` points,
  and a figure is at most ``COLUMN_CSS_PX`` CSS pixels wide, the column of a notebook, a site page
  and a deck, so that no page shrinks it.
* **Colours everyone can tell apart.** Lines cycle through Okabe and Ito's palette; magnitudes use
  viridis, cividis or magma, signed values a diverging map centred on 0 (RdBu_r, PuOr_r), phases
  twilight (cyclic), photographs grey levels. Never jet or rainbow, never red against green alone.
* **Every figure says what it shows:** axes labelled with units, a colour bar with a stated
  scale beside every image whose values matter, an alt text in the cell's metadata.

``tests/test_figures.py`` renders every figure of every notebook and checks the standard as
shown (``tests/figure_audit.py``).
"""

from __future__ import annotations

import base64
import functools
import io
from contextlib import contextmanager

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatter
from matplotlib.transforms import Bbox
from PIL import Image   # matplotlib's own PNG writer; always installed with it

from .._validate import checked, choice, flag, function, instance, integer, positive

__all__ = ["COLUMN_CSS_PX", "DIVERGING", "MIN_TEXT_CSS_PX", "OKABE_ITO", "READABLE_CMAPS", "SCALE", "SCREEN_DPI",
           "diagram_canvas", "figure_png", "plain_log_ticks", "styled", "use_figure_style"]

SCREEN_DPI = 72          # layout resolution: one point = one CSS pixel
SCALE = 2                # pixels per CSS pixel in every rendered figure ("retina")
MIN_TEXT_CSS_PX = 11     # smallest text, in CSS pixels at the size a figure is shown
COLUMN_CSS_PX = 800      # widest figure: the column of a notebook, a site page or a deck
PAD_CSS_PX = 4           # white margin around a rendered figure

# Okabe and Ito (2008), "Color Universal Design": eight colours distinct under every common colour-vision
# deficiency. Black is left for references (ideal lines, optima), so the cycle starts with orange.
OKABE_ITO = {"orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7", "black": "#000000"}
LINE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442")
# Colour maps a figure may use: grey levels for photographs and intensities; perceptually uniform maps
# for magnitudes; diverging maps, centred on 0, for signed values; a cyclic map for phases.
GREYS = ("gray", "gray_r", "Greys", "binary")
SEQUENTIAL = ("viridis", "cividis", "magma", "inferno", "plasma")
DIVERGING = ("RdBu_r", "RdBu", "PuOr_r", "PuOr")
CYCLIC = ("twilight", "twilight_shifted")
READABLE_CMAPS = GREYS + SEQUENTIAL + DIVERGING + CYCLIC

RC = {
    "figure.dpi": SCREEN_DPI,
    "savefig.dpi": SCALE * SCREEN_DPI,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "font.size": MIN_TEXT_CSS_PX,
    "axes.titlesize": 12,
    "axes.labelsize": MIN_TEXT_CSS_PX,
    "xtick.labelsize": MIN_TEXT_CSS_PX,
    "ytick.labelsize": MIN_TEXT_CSS_PX,
    "legend.fontsize": MIN_TEXT_CSS_PX,
    "legend.title_fontsize": MIN_TEXT_CSS_PX,
    "figure.titlesize": 12,
    "axes.prop_cycle": matplotlib.cycler(color=LINE_COLOURS),
    "image.cmap": "viridis",
    "lines.linewidth": 1.75,
    "axes.grid": False,
    "legend.framealpha": 0.9,
}
# The course's own drawing functions (inside styled) also fix a title's height: its pad above the axes. By
# default (axes.titley None) matplotlib measures, at every drawing, the top of each axes and of what sits above
# it (top tick labels, an offset text, twin and inset axes) and lifts the title until its descenders clear them:
# in notebook 03 that took a fifth of the drawing time. The course's titles are laid out clear of their axes
# instead (panel_figure's pad of 4 points; tests/figure_audit.py finds a title drawn over another text); a
# student's own figure keeps matplotlib's search.
DRAWING_RC = {**RC, "axes.titley": 1.0}


@checked(draw=function())
def styled(draw):
    """Decorator: run a drawing function inside the course style (``DRAWING_RC``), whatever the caller's rcParams.

    Matplotlib reads most settings when an artist is made, but tick labels are made lazily at the
    first draw; they are made here, inside the style, so the figure keeps its fonts wherever it
    is rendered later. A constrained layout settles only on its second pass: it is drawn once
    here, so that every rendering of the figure (the notebook's, a test's) has the same layout.
    """
    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(DRAWING_RC):
            fig = draw(*args, **kwargs)
            for ax in getattr(fig, "axes", ()):
                for axis in (ax.xaxis, ax.yaxis) if ax.axison else ():      # an image panel draws no ticks
                    axis.get_major_ticks(), axis.get_minor_ticks()
            if isinstance(fig, Figure) and type(fig.get_layout_engine()).__name__ == "ConstrainedLayoutEngine":
                fig.draw_without_rendering()
        return fig
    return wrapper


class _PlainLogFormatter(LogFormatter):
    """Log-axis tick labels as plain numbers: 0.01, 0.3, 1e-05."""

    def _num_to_string(self, x, vmin, vmax):
        return f"{x:g}"


@checked(ax=instance(Axes), axis=choice("x", "y", "both"))
def plain_log_ticks(ax, axis: str = "y") -> None:
    """Label a log-scaled axis with plain numbers (0.01, 0.3, 1e-05) instead of powers of ten.

    Matplotlib's default writes 10^-2, whose exponent is drawn at 70 % of the text size: 7.7 CSS
    pixels for 11-point text, too small to read where the value matters.
    """
    for target in ((ax.xaxis, ax.yaxis) if axis == "both" else (getattr(ax, f"{axis}axis"),)):
        target.set_major_formatter(_PlainLogFormatter())
        target.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False))


@checked(width=positive(), height=positive(), pyplot=flag())
def diagram_canvas(width: float, height: float, pyplot: bool = False):
    """A figure of ``width`` x ``height`` CSS pixels whose data units are CSS pixels, without axes.

    For boxes-and-arrows diagrams: at 72 dpi a point is a CSS pixel, so a box can be sized for its
    11-point text (about 6.5 pixels per character). ``pyplot=True`` makes it with pyplot, for a
    notebook cell that shows it with ``plt.show()``. Returns ``(fig, ax)``.
    """
    size = (width / SCREEN_DPI, height / SCREEN_DPI)
    if pyplot:
        import matplotlib.pyplot as plt
        fig = plt.figure(figsize=size, dpi=SCREEN_DPI)
    else:
        fig = Figure(figsize=size, dpi=SCREEN_DPI)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


PALETTE_SEARCH_LIMIT = 20_000   # colours beyond which a palette is not sought (hundreds of translucent
                                # lines): the search costs seconds and fails; 03's figures have at most 4700
EDGE_TOLERANCE = 12   # largest change of a colour channel (of 255, under 5 %) allowed on an anti-aliased edge


def _codes(rgb: np.ndarray) -> np.ndarray:
    """One integer per colour: 0xRRGGBB."""
    rgb = rgb.astype(np.uint32)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def _over_white(rgba: np.ndarray) -> np.ndarray:
    """0xRRGGBB codes of (n, 4) colours in 0..255 composed over the white background."""
    rgba = rgba.astype(np.int64)
    return _codes((rgba[:, :3] * rgba[:, 3:] + 255 * (255 - rgba[:, 3:])) // 255)


def _data_colours(fig: Figure):
    """What a palette must keep of the figure's colour-mapped images, or None if one is an RGB picture.

    Returns ``(data, scale)``: the colours the images' values show, exactly as matplotlib draws
    them, and the colours of their colour maps' whole tables in order, which their colour bars draw.
    """
    data, scale = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for ax in fig.axes:
        for image in ax.images:
            values = image.get_array()
            if values is None or np.ndim(values) == 3:
                return None
            data.append(_over_white(image.to_rgba(values, bytes=True).reshape(-1, 4)))   # as matplotlib draws it
            table = image.get_cmap()(np.linspace(0, 1, image.get_cmap().N))
            scale.append(_over_white(np.round(table * 255)))                             # as a colour bar draws it
    scale = np.concatenate(scale)
    return np.unique(np.concatenate(data)), scale[np.sort(np.unique(scale, return_index=True)[1])]   # in map order


def _channels(codes: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 channels of 0xRRGGBB codes."""
    return np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], axis=-1).astype(np.uint8)


def _compact(image: Image.Image, data_colours: np.ndarray | None) -> bytes:
    """The same picture in fewer bytes: no alpha channel, and one byte per pixel when 256 colours can show it.

    A figure is mostly flat colours (background, lines, the cells of its images) and the anti-aliased
    edges of its text and lines. With at most 256 colours, those are the palette. With more, the
    colours of the data (``data_colours[0]``: those its values show) stay exact in the palette, at
    least every third colour of each colour bar's table (``data_colours[1]``) too, so that a bar is
    still a smooth gradient, Pillow's maximum-coverage quantiser spreads the rest over the other
    colours, and every other
    pixel (a bar's colour between two kept ones, an anti-aliased edge) takes the nearest palette
    colour if no channel moves by more than ``EDGE_TOLERANCE`` of 255. Otherwise (an RGB photograph,
    or data that alone need nearly all 256 colours) the lossless RGB picture.
    """
    colours = np.sort(_codes(np.array([rgb for _, rgb in image.getcolors(image.size[0] * image.size[1])])))
    palette, nearest = None, None
    if len(colours) <= 256:
        palette, nearest = colours, np.arange(len(colours))
    elif data_colours is not None and len(colours) <= PALETTE_SEARCH_LIMIT:
        data, scale = data_colours
        protected = np.isin(colours, data)
        # a colour bar's gradient keeps every step-th colour of its table, so that it shows no bands
        scale = scale[np.isin(scale, colours) & ~np.isin(scale, data)]
        room = 256 - int(protected.sum()) - 48             # 48 colours for the text and the lines
        step = (-(-len(scale) // room) if len(scale) else 1) if room > 0 else 0
        if 1 <= step <= 3:
            guides = scale[::step]
            rest = colours[~protected & ~np.isin(colours, scale)]     # edges of text and lines, blends
            free = min(256 - int(protected.sum()) - len(guides), len(rest))
            spread = Image.frombytes("RGB", (len(rest), 1), _channels(rest).tobytes())
            quantised = spread.quantize(colors=free, method=1, dither=0)      # 1: maximum coverage, 0: none
            extra = _codes(np.array(quantised.getpalette()[:3 * free]).reshape(-1, 3))
            palette = np.unique(np.concatenate([colours[protected], guides, extra]))
            nearest = np.searchsorted(palette, colours)       # the data colours: exactly themselves
            others = np.flatnonzero(~protected)
            distance = np.zeros((len(others), len(palette)), dtype=np.int16)
            for channel in range(3):
                np.maximum(distance, np.abs(_channels(colours[others])[:, None, channel].astype(np.int16)
                                            - _channels(palette)[None, :, channel]), out=distance)
            nearest[others] = distance.argmin(axis=1)
            if len(others) and distance.min(axis=1).max() > EDGE_TOLERANCE:
                palette = None
    compact = image
    if palette is not None:
        lookup = np.zeros(1 << 24, dtype=np.uint8)               # colour -> palette index, one gather per pixel
        lookup[colours] = nearest
        compact = Image.frombytes("P", image.size, lookup[_codes(np.asarray(image))].tobytes())
        compact.putpalette(_channels(palette).ravel().tolist())
    buffer = io.BytesIO()
    compact.save(buffer, format="png", compress_level=6)       # level 9 saves under 1 % and takes 6 times longer
    return buffer.getvalue()


def _drawn(fig: Figure, dpi: float) -> tuple[np.ndarray, Bbox]:
    """The figure drawn once at ``dpi``, as ``savefig`` draws it: its (H, W, 4) uint8 RGBA pixels, and the
    box (inches, on the canvas's coordinates) that matplotlib's ``bbox_inches="tight"`` would crop to,
    taken with this drawing's renderer, whose text sizes are known by then: whatever the figure draws,
    beyond its canvas or not."""
    boxes, sizes = [], []

    def measure(event):                             # in inches, frozen before savefig restores the dpi
        boxes.append(fig.get_tightbbox(event.renderer).frozen())
        sizes.append((event.renderer.width, event.renderer.height))

    watch = fig.canvas.mpl_connect("draw_event", measure)
    buffer = io.BytesIO()
    try:
        with _layout_kept(fig, type(fig.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine"):
            fig.savefig(buffer, format="rgba", dpi=dpi, facecolor=fig.get_facecolor())
    finally:
        fig.canvas.mpl_disconnect(watch)
    columns, rows = (int(size) for size in sizes[-1])     # the last drawing's (a layout engine draws twice),
    pixels = np.frombuffer(buffer.getvalue(), dtype=np.uint8).reshape(rows, columns, 4)  # as Agg truncates
    return pixels, boxes[-1]


@contextmanager
def _layout_kept(fig: Figure, keep: bool = True):
    """Inside the block (if ``keep``), the figure has no layout engine, so that savefig does not lay it out
    again before drawing: for one laid out already (by tight_layout, or by the drawing before)."""
    engine = fig.get_layout_engine()
    if keep:
        with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            fig.set_layout_engine(None)
    try:
        yield
    finally:
        if keep:
            fig.set_layout_engine(engine)


def _drawn_in(fig: Figure, dpi: float, box: Bbox) -> np.ndarray:
    """(H, W, 3) uint8 pixels of the figure drawn again on the canvas ``box`` (inches), its layout kept:
    matplotlib's ``bbox_inches="tight"`` with the tight box already known, not laid out and measured again."""
    buffer = io.BytesIO()
    with _layout_kept(fig):
        fig.savefig(buffer, format="png", dpi=dpi, facecolor=fig.get_facecolor(), bbox_inches=box,
                    pil_kwargs={"compress_level": 0})   # stored, not compressed: re-encoded
    return np.asarray(Image.open(buffer).convert("RGB"))


def _cropped(pixels: np.ndarray, background: np.ndarray, pad: int, scale: int) -> np.ndarray | None:
    """The figure's (H, W, 4) RGBA pixels (from :func:`_drawn`) cropped to what it draws, as (h, w, 3), with
    ``pad`` pixels of background around it and each side a multiple of ``scale``; None if what it draws
    touches the canvas's edge (it may reach beyond it)."""
    red, green, blue = (int(channel) for channel in background)
    rgb = np.ascontiguousarray(pixels).view("<u4")[..., 0] & 0xFFFFFF     # one integer a pixel: R, G, B bytes
    drawn = rgb != red | green << 8 | blue << 16
    rows, cols = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    if (not len(rows) or rows[0] == 0 or cols[0] == 0
            or rows[-1] == drawn.shape[0] - 1 or cols[-1] == drawn.shape[1] - 1):
        return None
    content = pixels[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1, :3]
    height, width = (-(-(n + 2 * pad) // scale) * scale for n in content.shape[:2])
    framed = np.empty((height, width, 3), dtype=np.uint8)
    framed[...] = background
    framed[pad:pad + content.shape[0], pad:pad + content.shape[1]] = content
    return framed


@checked(fig=instance(Figure), scale=integer(1, 4))
def figure_png(fig: Figure, scale: int = SCALE) -> tuple[bytes, int, int]:
    """Render a Figure as the course shows it: a compact PNG of ``scale`` pixels per CSS pixel.

    The figure is cropped to what it draws, plus a margin of ``PAD_CSS_PX``, and laid out at 72 dpi,
    so its size in CSS pixels is its size in points; pyplot's state is not touched. A figure that draws
    only inside its canvas (the course's layouts keep a margin) is drawn once and cropped by its pixels.
    One that draws beyond its canvas (an axis label below a figure without a layout) or up to its edge
    is drawn again on matplotlib's tight box, which the first drawing measured: the picture
    ``bbox_inches="tight"`` gives, without laying the figure out and measuring it a second time.

    Returns
    -------
    png : bytes
        The PNG, ``scale`` times the CSS size in pixels.
    width, height : int
        The size to show it at, in CSS pixels.
    """
    background = np.round(np.array(matplotlib.colors.to_rgb(fig.get_facecolor())) * 255).astype(np.uint8)
    if type(fig.get_layout_engine()).__name__ == "ConstrainedLayoutEngine":
        fig.draw_without_rendering()        # a constrained layout settles on its second pass (see styled)
    pixels, drawn = _drawn(fig, scale * SCREEN_DPI)
    inside = np.all(drawn.min >= 0) and np.all(drawn.max <= fig.get_size_inches())    # the canvas, in inches
    framed = _cropped(pixels, background, PAD_CSS_PX * scale, scale) if inside else None
    if framed is None:          # beyond the canvas, or up to its edge: drawn again on matplotlib's tight box
        framed = _drawn_in(fig, scale * SCREEN_DPI, drawn.padded(PAD_CSS_PX / SCREEN_DPI))
    png = _compact(Image.fromarray(framed), _data_colours(fig))
    height, width = framed.shape[:2]
    return png, -(-width // scale), -(-height // scale)      # rounded up: never shrunk below its layout


def _ipython_png(fig: Figure):
    """IPython's image/png formatter for a Figure: (base64 PNG, its CSS size), or None for an empty figure."""
    if not fig.axes and not fig.lines and not fig.texts:
        return None
    png, width, height = figure_png(fig)
    return base64.b64encode(png).decode("ascii"), {"width": width, "height": height}


def _kernel_shell():
    """The running Jupyter kernel's shell, or None (plain Python, a terminal IPython, a test)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell if shell is not None and hasattr(shell, "kernel") else None


def use_figure_style() -> None:
    """Apply the course's figure style; in a notebook, also show every Figure as a 2x PNG.

    Call it once, in a notebook's setup cell. It sets matplotlib's defaults (fonts of at least
    11 points, Okabe-Ito line colours, viridis, 72 dpi layout). In a Jupyter kernel it also
    switches the inline backend on *now* (``%matplotlib inline``), so that a Figure displayed
    before any pyplot call is still a picture, not the text ``<Figure size ...>``, and then makes
    every Figure, pyplot's or not, render through :func:`figure_png`: 2 pixels per CSS pixel,
    shown at its CSS width.
    """
    shell = _kernel_shell()
    if shell is not None:
        # Activating the inline backend registers its own PNG formatter for Figure (replacing any
        # other), so it must happen before ours is registered, never after.
        shell.run_line_magic("matplotlib", "inline")
        formatters = shell.display_formatter.formatters
        for mime in ("image/svg+xml", "image/jpeg", "application/pdf"):
            formatters[mime].pop(Figure, None)
        formatters["image/png"].for_type(Figure, _ipython_png)
    matplotlib.rcParams.update(RC)
