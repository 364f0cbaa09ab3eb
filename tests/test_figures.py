"""The figure standard (lecture_utils/demos/style.py), checked where students meet it.

* Every figure of every notebook, rendered in a kernel the way ``make notebooks`` runs it and
  measured from its output (tests/figure_audit.py): an image, not the text ``<Figure ...>``;
  HiDPI (2 pixels per CSS pixel, or SVG); no wider than the column; text at least 11 CSS pixels
  where it is shown; colour-blind-safe colour maps; a colour bar beside every colour-mapped
  image; a label on every axis with tick labels; one alt text per picture. The counts the issue
  asks for (figures, smallest text, how many HiDPI) are printed at the end.
* Every drawing function of ``lecture_utils.demos`` meets the same standard on its own.
* The pieces: the 2x PNG and its palette (data colours exact), the style applied whatever the
  caller's settings, and a Figure displayed before any pyplot call still being a picture.
"""

import base64
import io

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from bad_input import Case, check_refused, expand
from figure_audit import Picture, alt_problems, audit_notebook, measure, png_width, smallest_glyph_points, summary
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.mathtext import MathTextParser
from matplotlib.text import Text
from nbclient import NotebookClient
from PIL import Image

from lecture_utils.demos import Explorer, figure_png, plain_log_ticks, styled, use_figure_style
from lecture_utils.demos import style
from lecture_utils.demos.cnn import (draw_confusion_matrix, draw_digit_inspection, draw_filter_rows, draw_mistakes,
                                     draw_pyramid_vs_pooling, draw_shape_pipeline, draw_validation_curves)
from lecture_utils.demos.conv import draw_receptive_field_counts, draw_scatter_add
from lecture_utils.demos.linear import draw_loss_curve
from lecture_utils.demos.nn import draw_sgd_demo, sgd_demo
from lecture_utils.demos.pyramids import Panel, _draw as draw_blend, panel_figure
from lecture_utils.demos.steerable import (draw_frequency_tiling, draw_magnification_pipelines, draw_orientation,
                                           draw_pyramid_diagram)
from lecture_utils.conv import receptive_field_counts
from test_notebooks import NOTEBOOKS

# ------------------------------------------------------------------ every figure of every notebook, as shown

PICTURES = []


@pytest.fixture(scope="module")
def report(request):
    """Collects every notebook's pictures; prints the counts when the module is done."""
    yield PICTURES
    if PICTURES:
        writer = request.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["", "figure standard: " + summary(PICTURES)]
        for path in NOTEBOOKS:
            mine = [p for p in PICTURES if p.notebook == path.name]
            if mine:
                lines.append(f"  {path.name}: " + summary(mine))
        with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
            for line in lines:
                writer.write_line(line) if writer else print(line)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_meets_the_standard_as_shown(path, report):
    pictures = audit_notebook(path)
    report.extend(pictures)
    found = [f"{p.notebook} cell {p.cell} ({p.cell_id}): {problem}" for p in pictures for problem in p.problems()]
    found += alt_problems(path, pictures)
    assert pictures, f"{path.name} shows no picture at all"
    assert not found, "figures below the standard:\n" + "\n".join(found)


# ------------------------------------------------------------------ every drawing function on its own

RNG = np.random.default_rng(0)
DIGIT = RNG.random((8, 8))
COUNTS, OUT_SHAPE = receptive_field_counts(8, 8, 3, 2, 1)
SGD = sgd_demo(np.linspace(-1, 1, 20)[:, None], np.sin(np.pi * np.linspace(-1, 1, 20))[:, None], epochs=5)
INSPECTION = {"image": DIGIT, "label": 3, "predicted": 5, "probabilities": np.full(10, 0.1),
              "conv1": RNG.random((16, 8, 8)), "pool1": RNG.random((16, 4, 4)), "conv2": RNG.random((32, 4, 4))}
DRAWINGS = {
    "loss curve": lambda: draw_loss_curve(np.exp(-np.linspace(0, 5, 50)), title="final loss 0.0067"),
    "SGD demo": lambda: draw_sgd_demo(SGD),
    "blend widget": lambda: draw_blend({"mask": DIGIT, "blended": np.stack([DIGIT] * 3, axis=-1)}),
    "panels with axes and bars": lambda: panel_figure(
        [[Panel(RNG.standard_normal((24, 48)), "x-t slice", zoom=4, cmap="RdBu_r", limits="symmetric",
                colorbar="value", xlabel="x (pixels)", ylabel="t (frames)")]]),
    "steered kernel": lambda: draw_orientation(RNG.standard_normal((9, 9)), RNG.standard_normal((64, 64)), 0.5),
    "frequency tiling": lambda: draw_frequency_tiling((64, 64), levels=2, order=3, example=(1, 1)),
    "pyramid diagram": draw_pyramid_diagram,
    "magnification pipelines": draw_magnification_pipelines,
    "receptive-field counts": lambda: draw_receptive_field_counts(COUNTS, OUT_SHAPE, 1),
    "scatter-add": lambda: draw_scatter_add(np.arange(15.0).reshape(3, 5) - 7, np.array([[1.0, 0], [2, -1], [0, 1]])),
    "digit inspection": lambda: draw_digit_inspection(INSPECTION),
    "shape pipeline": lambda: draw_shape_pipeline([("X", (100, 22, 22)), ("Z1", (100, 20, 20)), ("H1", (400, 100)),
                                                   ("Z2", (1, 100)), ("O", (1, 100)), ("E", ())],
                                                  ["conv", "sigmoid,\nflatten", "W^T H1 + b", "sigmoid", "sum"]),
    "validation curves": lambda: draw_validation_curves({"eta 0.1": ([3.0, 2.0, 1.0], [0.5, 0.7, 0.9])}, "step",
                                                        "cost", chosen=("eta 0.1", 2)),
    "confusion matrix": lambda: draw_confusion_matrix(np.array([[5, 1, 0], [0, 4, 2], [0, 0, 6]])),
    "filter rows": lambda: draw_filter_rows([("learned", RNG.standard_normal((3, 3, 3))),
                                             ("initial", RNG.standard_normal((3, 3, 3)))], "three filters",
                                            column_labels=["filter 0", "filter 1", "filter 2"]),
    "sixteen filters": lambda: draw_filter_rows([("g, g_x, g_y", RNG.standard_normal((3, 3, 3))),
                                                 ("learned", RNG.standard_normal((16, 3, 3)))]),
    "mistakes": lambda: draw_mistakes(RNG.random((12, 8, 8)), np.arange(12), np.ones(12, dtype=int), list(range(10))),
    "pyramid vs pooling": lambda: draw_pyramid_vs_pooling(DIGIT, [DIGIT, DIGIT[::2, ::2]],
                                                          [("conv", DIGIT), ("pool", DIGIT[::2, ::2])]),
}


@pytest.mark.parametrize("name", DRAWINGS)
def test_every_drawing_function_meets_the_standard(name):
    fig = DRAWINGS[name]()
    png, width, _ = figure_png(fig)
    seen = measure(fig, width, png)
    assert Image.open(io.BytesIO(png)).size[0] in (2 * width, 2 * width - 1), "not rendered at 2x"
    assert width <= style.COLUMN_CSS_PX, f"{width} CSS px wide"
    assert round(seen["min_text_px"], 1) >= style.MIN_TEXT_CSS_PX, f"text of {seen['min_text_px']} px: {seen['smallest']!r}"
    assert not seen["bad_cmaps"] + seen["images_without_scale"] + seen["unlabelled_axes"], seen
    plt.close("all")


def test_the_widget_picture_is_2x_and_shown_at_its_css_width():
    import ipywidgets as widgets
    explorer = Explorer(lambda n: n, lambda n: draw_loss_curve(np.arange(1.0, n + 1)[::-1]),
                        {"n": widgets.IntSlider(value=5, min=2, max=9)})
    png = bytes(explorer.image.value)
    assert Image.open(io.BytesIO(png)).size[0] in (2 * int(explorer.image.width), 2 * int(explorer.image.width) - 1)


# ------------------------------------------------------------------ the pieces

def test_the_audit_catches_small_text_unlabelled_axes_and_unreadable_colour_maps():
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.imshow(RNG.random((4, 4)), cmap="jet")
    ax.set_title("tiny", fontsize=7)
    seen = measure(fig)
    assert seen["min_text_px"] == 7 and seen["smallest"] == "tiny"
    assert seen["bad_cmaps"] and seen["images_without_scale"]
    assert len(seen["unlabelled_axes"]) == 2
    png, width, _ = figure_png(fig)                           # 2 pixels a point, shown at its width: 7 px
    assert measure(fig, width, png)["min_text_px"] == pytest.approx(7, rel=0.01)
    # the same picture shown 2000 CSS pixels wide: the page shrinks it to the 800-pixel column
    assert measure(fig, 2000, png)["min_text_px"] == pytest.approx(7 * style.COLUMN_CSS_PX / width, rel=0.01)
    one_x = io.BytesIO()
    fig.savefig(one_x, format="png", dpi=72, bbox_inches="tight")  # a 72-dpi picture, shown at half its width
    half = png_width(one_x.getvalue()) / 2
    assert measure(fig, half, one_x.getvalue())["min_text_px"] == pytest.approx(3.5, rel=0.02)


def _as_shown(fig):
    """The figure as the course shows it (2x PNG at its CSS width), judged like a notebook's picture."""
    png, width, _ = figure_png(fig)
    seen = measure(fig, width, png)
    return seen, Picture("test.ipynb", 0, "", "figure", True, width, 2.0, seen["min_text_px"], seen["smallest"])


def test_a_subscript_is_measured_at_the_size_matplotlib_draws_it():
    """Typography's rule, which matplotlib's mathtext follows: a sub/superscript is set at 0.7 of its text.
    Every word of the figure is 11 pt or more; only the index t of I_t is small: 0.7 x 11 = 7.7 px."""
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("time (frames)", fontsize=11)
    ax.set_ylabel("intensity (grey level)", fontsize=11)
    ax.tick_params(labelsize=11)
    label = ax.text(0.5, 0.5, "frames $I_t$", fontsize=11)
    seen, picture = _as_shown(fig)
    assert seen["smallest"] == "frames $I_t$" and seen["min_text_px"] == pytest.approx(0.7 * 11, rel=0.01)
    assert any("below 11" in problem for problem in picture.problems()), picture.problems()
    label.set_fontsize(16)                                    # 0.7 x 16 = 11.2 px: the index is legible
    seen, picture = _as_shown(fig)
    assert seen["min_text_px"] == pytest.approx(11, rel=0.01) and not picture.problems(), (seen, picture.problems())
    label.set_text("frames I(t)")                             # the notation written without an index: 11 px
    assert _as_shown(fig)[1].problems() == []


@pytest.mark.parametrize("text", ["frames $I_t$", "$x_{a_b}$", r"rotate: $B_t\, e^{i\alpha\Delta\phi_t}$",
                                  r"$\frac{1}{2}$", r"$\frac{a_1}{2}$", r"$\mathdefault{10^{-3}}$", r"$\omega_x / \pi$",
                                  "$B_{j,b}$", "$|R|^2/4$", r"$\sum_b A_b^2$", r"$\overline{B_{ref}}$", "$x$ and $y_1$",
                                  r"$\times\, H(r)$", "no maths at all", r"costs \$5 and \$6"])
def test_the_audits_smallest_glyph_is_the_smallest_glyph_matplotlib_lays_out(text):
    """The witness: matplotlib's mathtext parser lays the text out and reports each glyph's font size."""
    laid_out = MathTextParser("path").parse(text, dpi=72, prop=FontProperties(size=11))
    smallest = min(glyph[1] for glyph in laid_out.glyphs)
    assert smallest_glyph_points(Text(text=text, fontsize=11)) == pytest.approx(smallest, rel=1e-9)


def _titled(case, rc):
    """A small figure made under ``rc`` whose title may sit on another text (see the test below)."""
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(4, 3))
        ax = fig.add_subplot()
        ax.set(xlabel="x", ylabel="y")
        if case == "left title, offset text":
            ax.plot([0, 1], [1e-7, 3e-7])
            ax.set_title("left title", loc="left")
        elif case == "ticks on top":
            ax.xaxis.tick_top()
            ax.set_title("a title over the ticks")
        elif case == "inset with an offset text":
            inset = ax.inset_axes([0.5, 0.4, 0.4, 0.4])
            inset.plot([0, 1], [1e-7, 3e-7])
            inset.set_title("inset", loc="left")
        elif case == "two long titles side by side":
            ax.remove()
            for ax, side in zip(fig.subplots(1, 2), ("left", "right")):
                ax.set(title=f"the {side} panel's long title", xticks=[], yticks=[])
        elif case == "clear":
            ax.set_title("title")
    return fig


@pytest.mark.parametrize("case, found", [
    ("left title, offset text", ["title 'left title' drawn over '1e\u22127'"]),
    ("ticks on top", ["title 'a title over the ticks' drawn over '0.2'", "title 'a title over the ticks' drawn over "
                      "'0.4'", "title 'a title over the ticks' drawn over '0.6'", "title 'a title over the ticks' "
                      "drawn over '0.8'"]),
    ("inset with an offset text", ["title 'inset' drawn over '1e\u22127'"]),
    ("two long titles side by side", ["title \"the left panel's long title\" drawn over \"the right panel's long "
                                      "title\""]),
    ("clear", [])])
def test_a_title_drawn_over_another_text_is_found(case, found):
    # The course's drawing functions fix a title's height (DRAWING_RC); matplotlib's default (titley None)
    # lifts a title over what lies above its axes, so there the same figure has no covered title, except
    # for titles side by side, which nothing moves apart.
    assert measure(_titled(case, style.DRAWING_RC))["covered_titles"] == found
    assert measure(_titled(case, style.RC))["covered_titles"] == (found if case.startswith("two") else [])


def test_panel_titles_a_few_pixels_apart_are_found_and_two_lines_clear_them():
    # Notebook 03's periodic/mirrored bands: two 128-pixel panels whose one-line titles' boxes ended 0.6 point
    # apart, reading "...periodiclevel 2, ..."; on two lines each fits over its panel.
    def titles_of(left, right):
        fig = panel_figure([[Panel(np.zeros((64, 64)), left, zoom=2), Panel(np.zeros((64, 64)), right, zoom=2)]])
        png, width, _ = figure_png(fig)
        plt.close(fig)
        return measure(fig, width, png)["covered_titles"]

    assert titles_of("level 2, 90°, periodic", "level 2, 90°, mirrored first") == [
        "title 'level 2, 90°, periodic' runs into 'level 2, 90°, mirrored first'"]
    assert titles_of("level 2, 90°:\nperiodic", "level 2, 90°:\nmirrored first") == []


def test_a_picture_that_leaves_out_part_of_the_figure_is_found():
    """A figure without a layout draws its x label below its canvas: a picture of the canvas alone
    (what a plain savefig writes) is cut, figure_png's is whole."""
    fig = Figure(figsize=(8, 2.6))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set(xlabel="a label below the canvas", ylabel="y")
    canvas_only = io.BytesIO()
    fig.savefig(canvas_only, format="png", dpi=144)
    assert measure(fig, 8 * 72, canvas_only.getvalue())["cut"]
    png, width, _ = figure_png(fig)
    assert measure(fig, width, png)["cut"] == []


def test_the_palette_keeps_every_data_colour_exact_and_moves_edges_by_at_most_the_tolerance():
    values = np.round(RNG.standard_normal((12, 16)), 1)       # ~60 distinct values on a diverging map
    fig = Figure(figsize=(7, 3), layout="constrained")       # fits its canvas: drawn once and cropped
    ax, ax_line = fig.subplots(1, 2)
    image = ax.imshow(values, cmap="RdBu_r", vmin=-3, vmax=3)
    fig.colorbar(image, ax=ax, label="value")
    ax.set_title("some anti-aliased text")
    ax_line.plot([0, 15], [0, 11], color="#E69F00", lw=3)
    ax_line.set(xlabel="x", ylabel="y")
    fig.draw_without_rendering()                             # a constrained layout settles on its second pass
    # the picture before the palette: the figure drawn at 2x and cropped, as figure_png does first
    drawn = style._cropped(style._drawn(fig, 144)[0], np.array([255, 255, 255], dtype=np.uint8), 2 * style.PAD_CSS_PX, 2)
    raw = io.BytesIO()
    Image.fromarray(drawn).save(raw, format="png")
    before = drawn.astype(int)
    png, _, _ = figure_png(fig)
    after_image = Image.open(io.BytesIO(png))
    after = np.asarray(after_image.convert("RGB")).astype(int)
    assert after_image.mode == "P" and len(png) < len(raw.getvalue()) / 2
    data, scale = style._data_colours(fig)
    codes = style._codes(before)
    is_data = np.isin(codes, data)
    assert is_data.mean() > 0.1                              # the image cells: a good part of the picture
    assert np.array_equal(after[is_data], before[is_data])
    assert np.abs(after - before).max() <= style.EDGE_TOLERANCE
    # the colour bar's gradient: no colour further off than the step between two entries of the map's table
    table = np.round(matplotlib.colormaps["RdBu_r"](np.linspace(0, 1, 256))[:, :3] * 255)
    bar = np.isin(codes, scale) & ~is_data
    assert bar.sum() > 1000 and np.abs(after[bar] - before[bar]).max() <= np.abs(np.diff(table, axis=0)).max()


def test_an_rgb_photograph_is_kept_lossless():
    fig = Figure(figsize=(3, 3))
    fig.add_subplot().imshow(RNG.random((40, 40, 3)))
    png, _, _ = figure_png(fig)
    assert Image.open(io.BytesIO(png)).mode == "RGB"


def test_drawing_functions_keep_the_course_fonts_whatever_the_callers_settings():
    with matplotlib.rc_context({"font.size": 6, "xtick.labelsize": 5, "ytick.labelsize": 5, "axes.titlesize": 6}):
        fig = draw_loss_curve([1.0, 0.5, 0.25], title="t")
    assert measure(fig)["min_text_px"] >= style.MIN_TEXT_CSS_PX


def test_log_axes_are_labelled_without_superscripts():
    fig = Figure()
    ax = fig.add_subplot()
    ax.semilogy([1, 1e-3, 1e-5])
    plain_log_ticks(ax)
    FigureCanvasAgg(fig).draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels and not any("^" in label or "$" in label for label in labels), labels
    assert "0.001" in labels


def test_use_figure_style_outside_a_kernel_only_sets_the_defaults():
    with matplotlib.rc_context():
        use_figure_style()
        assert matplotlib.rcParams["font.size"] == style.MIN_TEXT_CSS_PX
        assert matplotlib.rcParams["image.cmap"] == "viridis"


def test_styled_returns_what_the_function_returns():
    assert styled(lambda: None)() is None


AXES = Figure().add_subplot()
TABLE = [Case(figure_png, dict(fig=draw_loss_curve([1.0, 0.5]), scale=2), {"scale": "count"}),
         Case(plain_log_ticks, dict(ax=AXES, axis="y"), {"axis": "choice"}),
         Case(style.diagram_canvas, dict(width=100.0, height=50.0, pyplot=False),
              {"width": "positive", "height": "positive", "pyplot": "flag"})]
BAD_CALLS, BAD_IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", BAD_CALLS, ids=BAD_IDS)
def test_bad_input_is_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)


@pytest.mark.parametrize("call, name", [(lambda: figure_png("a figure"), "fig"),
                                        (lambda: plain_log_ticks(np.zeros(3)), "ax")])
def test_not_a_figure_or_axes_is_refused_naming_it(call, name):
    with pytest.raises(TypeError, match=f"^{name} must be"):
        call()


def _run(cells):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return [o for cell in nb.cells for o in cell.outputs if o.get("output_type") in ("display_data", "execute_result")]


A_FIGURE_BEFORE_PYPLOT = ("from matplotlib.figure import Figure\nfrom IPython.display import display\n"
                          "fig = Figure(figsize=(3, 2))\nfig.add_subplot().plot([0, 1])\ndisplay(fig)")


def test_a_figure_displayed_before_any_pyplot_call_is_a_2x_picture():
    """Notebook 05's scatter-add picture was the text <Figure size ...>: with the style it is a 2x PNG."""
    output, = _run(["import matplotlib.pyplot as plt\nfrom lecture_utils.demos import use_figure_style\n"
                    "use_figure_style()", A_FIGURE_BEFORE_PYPLOT])
    png = base64.b64decode(output["data"]["image/png"])
    width = output["metadata"]["image/png"]["width"]
    assert Image.open(io.BytesIO(png)).size[0] in (2 * width, 2 * width - 1)


def test_without_the_style_that_figure_is_only_text():
    """The control: the defect the audit must catch still happens without use_figure_style()."""
    output, = _run(["import matplotlib.pyplot as plt", A_FIGURE_BEFORE_PYPLOT])
    assert "image/png" not in output["data"] and output["data"]["text/plain"].startswith("<Figure size")


# ------------------------------------------------------------------ pages and decks show the 2x picture at its CSS size

def _published_notebook():
    """A title, a figure displayed the course's way (2x PNG + CSS width) and a widget, each with an alt text."""
    import ipywidgets as widgets
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    png, width, height = figure_png(draw_loss_curve([1.0, 0.5, 0.25], title="final loss 0.25"))
    figure = new_output("display_data", data={"image/png": base64.b64encode(png).decode(), "text/plain": "<Figure>"},
                        metadata={"image/png": {"width": width, "height": height}})
    explorer = Explorer(lambda n: n, lambda n: draw_loss_curve(np.arange(1.0, n + 1)[::-1]),
                        {"n": widgets.IntSlider(value=5, min=2, max=9)})
    widget = new_output("execute_result", execution_count=2, data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "box", "version_major": 2, "version_minor": 0},
        "text/plain": "Explorer (n)"})
    cells = [new_markdown_cell("# 42 · Figures\n\nLearning goals:\n\n- see a figure sharply;\n- read it."),
             new_code_cell("plot()", outputs=[figure], execution_count=1,
                           metadata={"lecture_utils": {"alt": ["A loss curve falling from 1 to 0.25 over two steps."]}}),
             new_code_cell("explorer", outputs=[widget], execution_count=2,
                           metadata={"lecture_utils": {"alt": ["A widget's loss curve, falling over five steps to 1."]}})]
    for cell in cells:
        cell.metadata["slideshow"] = {"slide_type": "slide" if cell.cell_type == "markdown" else "-"}
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "version_major": 2, "version_minor": 0, "state": {
            "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_img"]}},
            "img": {"model_name": "ImageModel", "state": {"format": "png", "width": explorer.image.width},
                    "buffers": [{"path": ["value"], "encoding": "base64",
                                 "data": base64.b64encode(bytes(explorer.image.value)).decode()}]}}}}
    return nb, [int(width), int(explorer.image.width)]


def test_pages_and_decks_show_each_picture_at_its_css_width_with_its_alt_text(tmp_path):
    from bs4 import BeautifulSoup

    from lecture_utils.course.publish import build_slides, build_site

    nb, widths = _published_notebook()
    path = tmp_path / "42_figures.ipynb"
    nbformat.write(nb, path)
    pages = build_site([path], tmp_path / "site") + build_slides([path], tmp_path / "slides")
    for page in [p for p in pages if p.name.startswith("42_figures")]:
        images = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all("img")
        images = [i for i in images if i.get("src", "").startswith("data:image/png")]
        assert [int(i["width"]) for i in images] == widths, page.name
        assert [i["alt"].split()[:2] for i in images] == [["A", "loss"], ["A", "widget's"]], page.name
        for image, width in zip(images, widths):
            png = base64.b64decode(image["src"].split(",", 1)[1])
            assert png_width(png) in (2 * width, 2 * width - 1), f"{page.name}: not 2 pixels per CSS pixel"
    browser = pytest.importorskip("browser_check")
    if browser.find_browser() is None:
        pytest.skip("no Chromium: the pages' HTML was checked, not their rendering")
    site_page = tmp_path / "site" / "42_figures.html"
    with browser.Browser(browser.find_browser(), 1440, 900) as chromium:
        shown = _shown_images(chromium, site_page, scale=2)
    assert [round(s["shown"]) for s in shown] == widths               # drawn at the CSS width, not shrunk
    assert all(s["natural"] >= 1.95 * s["shown"] for s in shown)     # 2 image pixels per CSS pixel: sharp at 2x


def _shown_images(chromium, page, scale):
    """(natural width, shown CSS width) of every <img> of a page in Chromium at a device scale factor."""
    import json
    import time

    events = []
    target = chromium.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = chromium.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        chromium.send("Emulation.setDeviceMetricsOverride", {"width": chromium.width, "height": chromium.height,
                      "deviceScaleFactor": scale, "mobile": False}, session=session, events=events)
        chromium.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session, events=events)
        script = ("JSON.stringify([...document.querySelectorAll('img')].filter(i => i.complete && i.naturalWidth)"
                  ".map(i => ({natural: i.naturalWidth, shown: i.getBoundingClientRect().width})))")
        for _ in range(50):
            time.sleep(0.2)
            found = json.loads(chromium.send("Runtime.evaluate", {"expression": script, "returnByValue": True},
                                             session=session, events=events)["result"]["value"])
            if len(found) >= 2:
                return found
        return found
    finally:
        chromium.send("Target.closeTarget", {"targetId": target})
