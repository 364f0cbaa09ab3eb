"""Render every figure of every notebook and measure it as a reader sees it.

Each notebook runs top to bottom in a fresh kernel (nbclient, as ``make notebooks`` does) with
one extra first cell that wraps IPython's display formatter. Every object the notebook shows
passes through that formatter (``display(fig)``, ``plt.show()``, a widget as a cell's value),
so for each matplotlib ``Figure`` and each ``lecture_utils.demos.Explorer`` it records, from the
output bundle and the figure itself, never from what the drawing code says about itself:

* whether the output is a picture at all (``image/png`` or ``image/svg+xml``), or only the text
  ``<Figure size ... with N Axes>`` a Figure becomes when no image formatter is registered;
* its width in CSS pixels (the output's ``width`` metadata, else its pixel width) and its pixel
  density, pixels per CSS pixel (2 for a "retina" PNG, "vector" for SVG);
* the smallest text, in CSS pixels at the size it is shown (:func:`measure`): every ``Text`` that
  matplotlib draws (tick labels, titles, legends, annotations, colour-bar labels) is collected
  while the figure is rendered once more at 144 dpi, two pixels a point; the ratio of what the
  picture and that rendering draw (their widths, margins trimmed) gives the picture's pixels per
  point, the output's ``css_width / pixel width`` its CSS pixels per pixel, times
  ``min(1, COLUMN_CSS_PX / css_width)`` when the picture is wider than the column of the notebook
  and the site and so is shrunk by the page. Sub- and superscripts of math text, and a fraction's
  parts, are drawn at 70 % of their text's size per level, as typography does: the size measured
  is that of the smallest glyph (:func:`smallest_glyph_points`; $I_t$ in 11-point text: 7.7).
* what else the standard asks (:func:`measure`): colour maps from the course's colour-blind-safe
  list, a colour bar beside every colour-mapped image (unless every value is written on it), a
  label on every axis whose tick labels are drawn, and no title drawn over another text.

``tests/test_figures.py`` asserts the standard on these records; as a script it prints a table::

    python tests/figure_audit.py notebooks/*.ipynb
"""

from __future__ import annotations

import argparse
import io
import itertools
import re
import json
import struct
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from lecture_utils.demos.style import COLUMN_CSS_PX, GREYS, MIN_TEXT_CSS_PX, READABLE_CMAPS  # noqa: E402

MARK = "FIGURE-AUDIT-RECORDS:"


# ------------------------------------------------------------------ measuring one figure (also in the kernel)

@contextmanager
def _collect_drawn_texts():
    """Every non-empty, visible Text drawn inside the block, with its box (display pixels) as it was drawn."""
    import matplotlib.text as mtext
    drawn, original = [], mtext.Text.draw

    def draw(self, renderer, *args, **kwargs):
        result = original(self, renderer, *args, **kwargs)
        if self.get_visible() and self.get_text().strip():
            drawn.append((self, self.get_window_extent(renderer)))     # where this drawing put it
        return result

    mtext.Text.draw = draw
    try:
        yield drawn
    finally:
        mtext.Text.draw = original


SCRIPT_SHRINK = 0.7   # matplotlib's mathtext draws a sub- or superscript, and a \\frac's parts, at 0.7 times


def _script_depth(math: str) -> int:
    """How deeply ``math`` (mathtext between $...$) nests sub/superscripts and fractions: x_t is 1, x_{a_b} 2."""
    depth, i = 0, 0
    while i < len(math):
        if math[i] in "_^" or math.startswith("\\frac", i):
            i += 1 if math[i] in "_^" else len("\\frac")
            while i < len(math) and math[i] == " ":
                i += 1
            if i < len(math) and math[i] == "{":
                level, j = 0, i
                for j in range(i, len(math)):
                    level += {"{": 1, "}": -1}.get(math[j], 0)
                    if level == 0:
                        break
                inner, i = math[i + 1:j], j + 1
            else:
                command = re.match(r"\\[A-Za-z]+", math[i:])
                inner = command.group(0) if command else math[i:i + 1]
                i += max(1, len(inner))
            depth = max(depth, 1 + _script_depth(inner))
        else:
            i += 1
    return depth


def smallest_glyph_points(text) -> float:
    """The smallest size, in points, at which a Text draws a glyph: its font size, shrunk by 0.7 for each
    level of mathtext sub/superscript or fraction (x$_t$ at 11 pt draws its t at 7.7 pt)."""
    size = text.get_fontsize()
    maths = re.findall(r"(?<!\\)\$(.+?)(?<!\\)\$", text.get_text())
    if not maths or text.get_usetex():
        return size
    return size * SCRIPT_SHRINK ** max(_script_depth(m) for m in maths)


def png_width(png: bytes) -> int:
    return struct.unpack(">I", png[16:20])[0]


def _categorical(cmap) -> bool:
    """A handful of colours picked by hand (contourf(colors=...)): classes, not values."""
    from matplotlib.colors import ListedColormap
    return isinstance(cmap, ListedColormap) and cmap.N <= 8 and cmap.name not in READABLE_CMAPS


def _content_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels of what a PNG draws: its uniform margins (the background) trimmed."""
    from PIL import Image, ImageChops
    image = Image.open(io.BytesIO(png)).convert("RGB")
    background = Image.new("RGB", image.size, image.getpixel((0, 0)))
    box = ImageChops.difference(image, background).getbbox()
    return (box[2] - box[0], box[3] - box[1]) if box else image.size


def _content_width(png: bytes) -> int:
    return _content_size(png)[0]


def _covered_titles(fig, boxes) -> list[str]:
    """Titles drawn over another visible text, each pair once. The course's drawing functions fix a title's
    height (``style.DRAWING_RC``), so nothing lifts a title clear of what lies above its axes: this finds the
    texts it covers (tick labels on top, an offset text, a neighbour's title). It does not look at non-text
    artists: a title over an image or axes placed above its axes is not found (no course figure has one)."""
    def all_axes(axes):
        return [a for ax in axes for a in [ax] + all_axes(ax.child_axes)]    # insets are child axes

    titles = {id(t) for ax in all_axes(fig.axes) for t in (ax.title, ax._left_title, ax._right_title)}
    shown = [(key in titles, t, box) for key, (t, box) in boxes.items() if t.get_alpha() != 0]
    found = []
    for first, second in itertools.combinations(shown, 2):             # each pair once
        (is_title, title, box), (other_is_title, other, other_box) = (first, second) if first[0] else (second, first)
        width = min(box.x1, other_box.x1) - max(box.x0, other_box.x0)
        height = min(box.y1, other_box.y1) - max(box.y0, other_box.y0)
        # Line boxes hold a line's full ascent and descent: a text that only touches a title is not over it
        # (more than a point both ways, savefig's 2 pixels a point); two titles side by side need a word space
        # (3 points) between them, or they read as one.
        if is_title and height > 2 and width > (-6 if other_is_title else 2):
            found.append(f"title {title.get_text()[:40]!r} drawn over {other.get_text()[:40]!r}"
                         if width > 0 else f"title {title.get_text()[:40]!r} runs into {other.get_text()[:40]!r}")
    return found


def measure(fig, css_width: float | None = None, png: bytes | None = None) -> dict:
    """What a reader sees of ``fig``, shown as the picture ``png`` ``css_width`` CSS pixels wide.

    The figure is rendered again at 144 dpi, two pixels a point, collecting every text drawn. How
    many of the picture's pixels a point takes follows from the ratio of the two renderings' widths,
    margins trimmed; the page shows ``css_width / png width`` CSS pixels per pixel, and shrinks the picture
    further if it is wider than the column. Without ``png``, the figure as laid out: 1 CSS pixel a point.

    Returns a JSON-able dict: ``w72`` (the figure's natural width in CSS pixels), ``texts`` (how many
    drawn), ``min_text_px`` and ``smallest`` (the smallest text in CSS pixels where shown, and its
    start), ``bad_cmaps``, ``images_without_scale``, ``unlabelled_axes``, ``covered_titles`` and ``cut`` (a
    picture that leaves out part of what the figure draws) (descriptions).
    """
    with _collect_drawn_texts() as drawn:             # at 144 dpi (2 pixels a point) text widths scale evenly
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=2 * 72, bbox_inches="tight")
    w72 = round(png_width(buffer.getvalue()) / 2)
    boxes = {id(t): (t, box) for t, box in drawn}     # the last drawing's: savefig's own, after its tight-box pass
    texts = [t for t, _ in boxes.values()]
    if png is None:
        scale = 1.0
    else:
        shown = css_width or png_width(png)
        pixels_per_point = 2 * _content_width(png) / _content_width(buffer.getvalue())
        scale = pixels_per_point * shown / png_width(png) * min(1.0, COLUMN_CSS_PX / shown)  # CSS px a point
    record = {"w72": w72, "texts": len(texts), "min_text_px": None, "smallest": "",
              "bad_cmaps": [], "images_without_scale": [], "unlabelled_axes": [], "cut": [],
              "covered_titles": _covered_titles(fig, boxes)}
    if png is not None:      # the picture shows all the figure draws: the same shape as matplotlib's tight crop
        (w_shown, h_shown), (w_all, h_all) = _content_size(png), _content_size(buffer.getvalue())
        if abs(h_shown / w_shown - h_all / w_all) > 0.02 * h_all / w_all + 4 / w_all:
            record["cut"].append(f"the picture shows {w_shown}x{h_shown} pixels of what the figure "
                                             f"draws, whose tight crop is {w_all}x{h_all}: part is cut off")
    if texts:
        smallest = min(texts, key=smallest_glyph_points)
        record.update(min_text_px=smallest_glyph_points(smallest) * scale, smallest=smallest.get_text()[:60])
    drawn_ids = {id(t) for t in texts}
    scaled = set()                                  # (colour map, limits) that have a colour bar
    mappables = [m for ax in fig.axes for m in list(ax.images) + list(ax.collections)
                 if getattr(m, "get_array", None) and m.get_array() is not None]
    for m in mappables:
        if getattr(m, "colorbar", None) is not None:
            scaled.add((m.get_cmap().name, tuple(round(float(v), 12) for v in m.get_clim())))
    for i, ax in enumerate(fig.axes):
        where = f"axes {i}" + (f" ({ax.get_title()!r})" if ax.get_title() else "")
        for m in list(ax.images) + list(ax.collections):
            if not getattr(m, "get_array", None) or m.get_array() is None:
                continue
            cmap = m.get_cmap()
            if cmap.name not in READABLE_CMAPS and not _categorical(cmap):
                record["bad_cmaps"].append(f"{where}: colour map {cmap.name!r}")
        for image in ax.images:
            values = image.get_array()
            if values.ndim != 2 or image.get_cmap().name in GREYS:
                continue                             # photographs and RGB pictures: no scale to state
            key = (image.get_cmap().name, tuple(round(float(v), 12) for v in image.get_clim()))
            every_value_written = len(ax.texts) >= values.size
            if key not in scaled and not every_value_written:
                record["images_without_scale"].append(f"{where}: {image.get_cmap().name} image, no colour bar")
        if not ax.axison:
            continue
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            labels = [t for t in axis.get_ticklabels(which="both") if id(t) in drawn_ids]
            if labels and not axis.get_label_text().strip():
                record["unlabelled_axes"].append(f"{where}: {name} tick labels without an axis label")
    return record


# ------------------------------------------------------------------ the kernel side: wrap the display formatter

INSTRUMENT = f'''
import base64 as _b64, sys as _sys
_sys.path.insert(0, {str(HERE)!r})
from figure_audit import measure as _audit_measure, png_width as _audit_png_width
from matplotlib.figure import Figure as _Figure

_audit_records, _audit_cell = [], [0]
get_ipython().events.register("pre_run_cell", lambda *info: _audit_cell.__setitem__(0, _audit_cell[0] + 1))


def _audit_record(kind, fig, png, css_width, svg=False):
    record = {{"cell": _audit_cell[0], "kind": kind, "image": png is not None or svg, "css_width": css_width}}
    if png is not None:
        record["css_width"] = css_width = css_width or _audit_png_width(png)
        record["density"] = _audit_png_width(png) / css_width
    elif svg:
        record["density"] = "vector"
    record.update(_audit_measure(fig, css_width, png))
    _audit_records.append(record)


def _audit_width(md, mime):
    width = (md or {{}}).get(mime, {{}}).get("width")
    return int(width) if width else None


_audit_format = get_ipython().display_formatter.format


def _audit_wrapped_format(obj, include=None, exclude=None):
    data, md = _audit_format(obj, include=include, exclude=exclude)
    try:
        if isinstance(obj, _Figure):
            png = data.get("image/png")
            png = _b64.b64decode(png) if isinstance(png, str) else png
            svg = "image/svg+xml" in data
            _audit_record("figure", obj, png, _audit_width(md, "image/png" if png else "image/svg+xml"), svg)
        elif type(obj).__name__ == "Explorer" and hasattr(obj, "draw") and hasattr(obj, "image"):
            width = str(obj.image.width or "")
            _audit_record("widget", obj.draw(obj.result), bytes(obj.image.value),
                          int(width) if width.isdigit() else None)
    except Exception as error:                       # a broken audit must fail the test, not the notebook
        _audit_records.append({{"cell": _audit_cell[0], "kind": "error", "error": repr(error)}})
    return data, md


get_ipython().display_formatter.format = _audit_wrapped_format
'''

REPORT = f"import json as _json\nprint({MARK!r} + _json.dumps(_audit_records))"


@dataclass
class Picture:
    """One picture a notebook shows, as measured in the kernel."""

    notebook: str
    cell: int            # index in the notebook
    cell_id: str
    kind: str            # "figure" or "widget" (or "error" when the audit itself failed)
    image: bool          # shown as a picture, not as text
    css_width: float | None = None
    density: float | str | None = None   # pixels per CSS pixel, or "vector"
    min_text_px: float | None = None
    smallest: str = ""
    error: str = ""
    other: list = field(default_factory=list)   # colour maps, colour bars, axis labels

    @property
    def hidpi(self) -> bool:
        return self.density == "vector" or (isinstance(self.density, (int, float)) and self.density >= 1.95)

    def problems(self) -> list[str]:
        """What breaks the figure standard, one phrase each (empty: the picture meets it)."""
        if self.kind == "error":
            return [f"the audit failed: {self.error}"]
        if not self.image:
            return ["shown as text, not as an image (no image formatter for this Figure)"]
        found = []
        if not self.hidpi:
            found.append(f"not HiDPI ({self.density:.2f} pixels per CSS pixel; needs 2x PNG or SVG)")
        if self.css_width and self.css_width > COLUMN_CSS_PX:
            found.append(f"{self.css_width:.0f} CSS px wide, wider than the {COLUMN_CSS_PX} px column")
        if self.min_text_px is not None and round(self.min_text_px, 1) < MIN_TEXT_CSS_PX:   # to 0.1 px
            found.append(f"text of {self.min_text_px:.1f} CSS px ({self.smallest!r}), below {MIN_TEXT_CSS_PX}")
        return found + self.other

    def row(self) -> str:
        density = self.density if isinstance(self.density, str) or self.density is None else f"{self.density:.2f}x"
        text = "-" if self.min_text_px is None else f"{self.min_text_px:5.1f}"
        width = "-" if self.css_width is None else f"{self.css_width:.0f}"
        return (f"{self.notebook[:2]} cell {self.cell:3d} {self.cell_id[:20]:20s} {self.kind:6s} "
                f"{'image' if self.image else 'TEXT':5s} {width:>4s} css px {str(density):>6s} "
                f"min text {text} px  {'; '.join(self.problems())}")


def audit_notebook(path: Path, timeout: int = 600) -> list[Picture]:
    """Execute one notebook with the instrument and return every picture it showed, in order."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    code_cells = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.source.strip()]
    run = nbformat.v4.new_notebook(metadata=nb.metadata)
    run.cells = ([nbformat.v4.new_code_cell(INSTRUMENT)] + [nb.cells[i] for i in code_cells]
                 + [nbformat.v4.new_code_cell(REPORT)])
    NotebookClient(run, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    text = "".join(o.get("text", "") for o in run.cells[-1].outputs if o.get("output_type") == "stream")
    pictures = []
    for record in json.loads(text.split(MARK, 1)[1]):
        index = code_cells[record["cell"] - 1]     # the counter starts after the instrument's own cell
        other = (record.get("bad_cmaps", []) + record.get("images_without_scale", []) + record.get("unlabelled_axes", [])
                 + record.get("cut", []) + record.get("covered_titles", []))
        pictures.append(Picture(path.name, index, nb.cells[index].get("id", ""), record["kind"],
                                record.get("image", False), record.get("css_width"), record.get("density"),
                                record.get("min_text_px"), record.get("smallest", ""), record.get("error", ""),
                                other))
    return pictures


def alt_problems(path: Path, pictures: list[Picture]) -> list[str]:
    """Cells whose alt texts (metadata.lecture_utils.alt, one per picture) do not match the pictures shown."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    shown = {}
    for picture in pictures:
        shown[picture.cell] = shown.get(picture.cell, 0) + 1
    found = []
    for index, cell in enumerate(nb.cells):
        alt = cell.get("metadata", {}).get("lecture_utils", {}).get("alt")
        alts = [alt] if isinstance(alt, str) else list(alt or [])
        if len(alts) != shown.get(index, 0):
            found.append(f"{path.name} cell {index} ({cell.get('id', '')}): shows {shown.get(index, 0)} "
                         f"picture(s), has {len(alts)} alt text(s)")
        found += [f"{path.name} cell {index}: alt text {text!r} is too short to say what the figure shows"
                  for text in alts if not isinstance(text, str) or len(text.split()) < 8]
    return found


def summary(pictures: list[Picture]) -> str:
    """The counts the figure standard is judged by."""
    sizes = [p.min_text_px for p in pictures if p.min_text_px is not None]
    images = [p for p in pictures if p.image]
    return (f"{len(pictures)} pictures ({sum(p.kind == 'figure' for p in pictures)} figures, "
            f"{sum(p.kind == 'widget' for p in pictures)} widgets): {len(images)} shown as images, "
            f"{sum(p.hidpi for p in images)} HiDPI (2x PNG or SVG); smallest text "
            f"{min(sizes):.1f} CSS px at the size shown (standard: {MIN_TEXT_CSS_PX}); "
            f"{sum(bool(p.problems()) for p in pictures)} below standard")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    everything, alt = [], []
    for path in args.notebooks:
        pictures = audit_notebook(path)
        everything += pictures
        alt += alt_problems(path, pictures)
        for picture in pictures:
            print(picture.row())
    print("\n".join(alt))
    print(summary(everything))
    return 1 if alt or any(p.problems() for p in everything) else 0


if __name__ == "__main__":
    sys.exit(main())
