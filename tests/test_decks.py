"""Decks an instructor can present: what a slide shows of each cell, and every slide measured in a browser.

The browser tests (marker ``course_build``) open decks in headless Chromium with
``tests/deck_check.py``: first a hand-made deck with one known defect of each kind (so the
measurement is shown to catch each), then small notebooks built to be hard to fit, then every
course deck at 1280x720 and 1024x768, which must have no overflowing slide, no figure out of
view, no clipped equation or code line, no control over content and no text below 11 px.
"""

import base64
import io
import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lecture_utils.course.publish import PublishError, build_site, build_slides, copy_assets
from lecture_utils.course.slides import SlideMetadataError, check_slide_metadata, shows_figure, slide_choices

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TITLE = "# 42 · Hard to fit\n\n**Learning goals.** You can\n- fit a slide;\n"


def figure_png(width_in=4.0, height_in=3.0, dpi=72):
    fig = Figure(figsize=(width_in, height_in))
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [2, 0, 1])
    ax.set_xlabel("step")
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return base64.b64encode(buffer.getvalue()).decode()


def figure_svg(width_in=5.0, height_in=3.0):
    fig = Figure(figsize=(width_in, height_in))
    fig.add_subplot().plot([0, 1], [0, 1])
    FigureCanvasSVG(fig)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    return buffer.getvalue()


def cell(kind, source, slide_type="-", **metadata):
    made = new_markdown_cell(source) if kind == "markdown" else new_code_cell(source, execution_count=1)
    made.metadata["slideshow"] = {"slide_type": slide_type}
    made.metadata.update(metadata)
    return made


def notebook(cells):
    nb = new_notebook(cells=[cell("markdown", TITLE, "slide")] + cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def picture(data, mime="image/png", width=None):
    out = new_output("display_data", data={mime: data, "text/plain": "<Figure>"})
    if width is not None:
        out.metadata[mime] = {"width": width}
    return out


# --- what a slide shows of a cell ---------------------------------------------------------------

def test_figure_cells_hide_their_code_on_slides_by_default():
    plot = cell("code", "fig, ax = plt.subplots()\nax.plot(x)")
    plot.outputs = [picture(figure_png())]
    svg = cell("code", "draw()")
    svg.outputs = [picture(figure_svg(), "image/svg+xml")]
    widget = cell("code", "explorer")
    widget.outputs = [new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "a"}})]
    printing = cell("code", "print(1)")
    printing.outputs = [new_output("stream", name="stdout", text="1\n")]
    assert [shows_figure(c) for c in (plot, svg, widget, printing)] == [True, True, True, False]
    assert slide_choices(plot) == {"code": "hide", "output": "show"}
    assert slide_choices(printing) == {"code": "show", "output": "show"}
    assert slide_choices(cell("markdown", "text")) == {"code": "show", "output": "show"}


def test_slide_metadata_overrides_the_defaults():
    plot = cell("code", "draw()", lecture_utils={"slides": {"code": "show"}})
    plot.outputs = [picture(figure_png())]
    assert slide_choices(plot) == {"code": "show", "output": "show"}
    table = cell("code", "print(big_table)", lecture_utils={"slides": {"code": "hide", "output": "hide"}})
    assert slide_choices(table) == {"code": "hide", "output": "hide"}


@pytest.mark.parametrize("given, match", [
    ("hide", r"^02_x\.ipynb, cell 3: metadata lecture_utils\.slides must be a dict such as \{\"code\": \"show\"\}, got 'hide'"),
    ({"input": "hide"}, r"^02_x\.ipynb, cell 3: metadata lecture_utils\.slides has the unknown key 'input'; expected one of \['code', 'output'\]"),
    ({"code": "fold"}, r"^02_x\.ipynb, cell 3: metadata lecture_utils\.slides\.code must be 'show' or 'hide', got 'fold'"),
    ({"output": True}, r"^02_x\.ipynb, cell 3: metadata lecture_utils\.slides\.output must be 'show' or 'hide', got True"),
])
def test_malformed_slide_metadata_is_named(given, match):
    nb = notebook([cell("markdown", "a"), cell("markdown", "b"), cell("code", "x = 1", lecture_utils={"slides": given})])
    with pytest.raises(SlideMetadataError, match=match):
        check_slide_metadata(nb, "02_x.ipynb")


def test_slide_functions_refuse_bad_arguments():
    with pytest.raises(TypeError, match="cell must be a notebook cell .*, got list"):
        slide_choices([])
    with pytest.raises(TypeError, match="cell must be a notebook cell .*, got str"):
        shows_figure("print(1)")
    with pytest.raises(TypeError, match="where must be a string naming the cell, got int"):
        slide_choices(cell("code", "x"), where=3)
    with pytest.raises(TypeError, match="name must be a non-empty string .*, got ''"):
        check_slide_metadata(notebook([]), "")
    with pytest.raises(TypeError, match="nb must be a notebook read with nbformat, got str"):
        check_slide_metadata("nb", "x.ipynb")


def test_build_refuses_malformed_slide_metadata_before_writing(tmp_path):
    path = tmp_path / "42_bad.ipynb"
    nbformat.write(notebook([cell("code", "x = 1", lecture_utils={"slides": {"code": "maybe"}})]), path)
    with pytest.raises(PublishError, match=r"42_bad\.ipynb, cell 1: metadata lecture_utils\.slides\.code must be"):
        build_slides([path], tmp_path / "slides")
    assert not (tmp_path / "slides").exists()
    with pytest.raises(PublishError, match=r"42_bad\.ipynb, cell 1"):
        build_site([path], tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_decks_hide_figure_code_and_keep_it_on_pages(tmp_path):
    plot = cell("code", "ax.semilogy(run.losses)  # drawing code")
    plot.outputs = [picture(figure_png())]
    shown = cell("code", "dw = x.T @ dL_dyhat  # the lesson", lecture_utils={"slides": {"code": "show"}})
    hidden = cell("code", "print(table)  # long table", lecture_utils={"slides": {"output": "hide"}})
    hidden.outputs = [new_output("stream", name="stdout", text="ROW-1 ROW-2\n")]
    notes = cell("markdown", "Say: the curve flattens after 25 steps.", "notes")
    path = tmp_path / "42_show.ipynb"
    nbformat.write(notebook([plot, shown, hidden, notes]), path)
    build_site([path], tmp_path / "site")
    deck = BeautifulSoup((tmp_path / "site" / "42_show.slides.html").read_text(encoding="utf-8"), "html.parser")
    page = BeautifulSoup((tmp_path / "site" / "42_show.html").read_text(encoding="utf-8"), "html.parser")
    slides = deck.find("div", class_="slides")
    assert "drawing code" not in slides.get_text() and "drawing code" in page.get_text()
    assert slides.find("img") is not None                               # the figure stays
    assert "the lesson" in slides.get_text()
    assert "long table" in slides.get_text() and "ROW-1" not in slides.get_text() and "ROW-1" in page.get_text()
    (aside,) = slides.find_all("aside", class_="notes")
    assert "curve flattens" in aside.get_text()
    assert "curve flattens" not in "".join(t for t in slides.find_all(string=True) if not t.find_parent("aside"))
    (fold,) = page.find_all("details", class_="lecture-notes")   # on the page: folded, closed
    assert "curve flattens" in fold.get_text() and fold.summary.get_text() == "Speaker notes"
    assert not fold.has_attr("open")
    assert 'class="reveal lecture-deck"' in str(deck) and "LectureFit.start" in str(deck)


# --- speaker notes -------------------------------------------------------------------------------

def slide_type(c):
    return c.metadata.get("slideshow", {}).get("slide_type", "-")


def sections(cells, starts):
    """(first, cells) of each run of cells that begins with a cell whose slide type is in ``starts``."""
    bounds = [i for i, c in enumerate(cells) if slide_type(c) in starts] + [len(cells)]
    return [(cells[a], cells[a:b]) for a, b in zip(bounds, bounds[1:])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_slide_has_speaker_notes(path):
    """Each cell of slide type `slide` is followed, before the next slide, by a notes cell of 2-5
    bullet points (what the lecturer says; on the last of the slide's subslides when the fitting
    breaks of tools/slide_breaks.py split it); no notes cell holds a heading (it would enter the
    page's table of contents and an exercise's instructions) or is empty."""
    nb = nbformat.read(path, as_version=4)
    missing = [first.source.splitlines()[0][:60] for first, run in sections(nb.cells, ("slide",))
               if not any(slide_type(c) == "notes" for c in run)]
    assert not missing, f"{path.name}: slides without speaker notes: {missing}"
    for c in nb.cells:
        if slide_type(c) == "notes":
            bullets = [line for line in c.source.splitlines() if line.startswith("- ")]
            assert c.cell_type == "markdown" and 2 <= len(bullets) <= 5, f"{path.name}, cell {c.get('id')}: {c.source!r}"
            assert not re.search(r"^#", c.source, re.MULTILINE), f"{path.name}, cell {c.get('id')} has a heading"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_slide_poses_each_question_before_it_shows_the_answer(path):
    """The instructor edition holds the answers: on a slide (deck or RISE), a solution or prediction
    cell comes one click after its question (a fragment) or on the next screen, never with it."""
    nb = nbformat.read(path, as_version=4)
    shown_at_once = [c.get("id") for c in nb.cells if {"solution", "predict"} & set(c.metadata.get("tags", []))
                     and slide_type(c) not in ("fragment", "subslide", "slide")]
    assert not shown_at_once, f"{path.name}: answers shown on the slide with their question: {shown_at_once}"


@pytest.mark.course_build
def test_course_decks_put_speaker_notes_in_the_speaker_view(course_decks):
    """Every top-level slide of every deck holds an ``aside.notes`` (reveal.js hides it and the
    speaker view, key s, shows it), one per notes cell, and no notes text outside the asides."""
    for deck in course_decks:
        nb = nbformat.read(deck.parent.parent / deck.name.replace(".slides.html", ".ipynb"), as_version=4)
        notes = [c.source for c in nb.cells if slide_type(c) == "notes"]
        html = BeautifulSoup(deck.read_text(encoding="utf-8"), "html.parser")
        tops = html.find("div", class_="slides").find_all("section", recursive=False)
        asides = html.find_all("aside", class_="notes")
        assert len(asides) == len(notes), f"{deck.name}: {len(asides)} asides for {len(notes)} notes cells"
        assert all(top.find("aside", class_="notes") for top in tops), f"{deck.name}: a slide without notes"
        outside = " ".join(t for t in html.find("div", class_="slides").find_all(string=True) if not t.find_parent("aside"))
        for text in notes:
            line = longest_plain_bullet(text)
            assert line is None or line not in outside, f"{deck.name}: speaker notes on the slide: {line!r}"


def longest_plain_bullet(text):
    """The longest bullet of a notes cell that has no markdown markup (one text node in the HTML), or None."""
    plain = [line[2:] for line in text.splitlines() if line.startswith("- ") and not re.search(r"[`*_$<>&\\]", line)]
    return max(plain, key=len) if plain else None


# --- every slide measured in a browser ------------------------------------------------------------

def browser_or_skip():
    import browser_check  # tests/browser_check.py: stdlib only
    if browser_check.find_browser() is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but no Chromium was found (apt-get install chromium)")
        pytest.skip("no Chromium-family browser found (install Debian's chromium, or set $BROWSER); "
                    "set REQUIRE_BROWSER=1 to make this a failure")
    import deck_check
    return deck_check


DEFECTS_DECK = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>defects</title>
<link rel="stylesheet" href="_static/reveal.js/dist/reveal.css">
<style>.reveal .slides { text-align: left; } .reveal section { font-size: 24px; }</style>
</head><body><div class="reveal"><div class="slides">
<section><h2>Fits</h2><p>One short line.</p><aside class="notes">Said, not shown.</aside></section>
<section><h2>Too long</h2>{long}</section>
<section><h2>Figure below the text</h2>{long}<img alt="a figure" width="200" height="100" src="data:image/png;base64,{png}"></section>
<section><h2>Code cut at the right</h2><pre style="white-space: pre; overflow-x: auto; width: 90%">{wide}</pre></section>
<section><h2>Equation cut at the right</h2>
  <mjx-container display="true" style="display: block; overflow-x: auto; width: 90%">
  <mjx-math style="display: inline-block; white-space: nowrap">{wide}</mjx-math></mjx-container></section>
<section><h2>Notes on the slide</h2><p>Short.</p><aside class="notes" style="display: block">shown by mistake</aside></section>
<section><h2>Fine print</h2><p style="font-size: 9px">read me if you can</p></section>
<section><h2>Under the arrows</h2>
  <p style="position: absolute; left: 700px; top: 650px; width: 320px; font-size: 60px; margin: 0">covered text</p></section>
</div></div>
<script src="_static/reveal.js/dist/reveal.js"></script>
<script>Reveal.initialize({width: 1024, height: 704, margin: 0, center: false, controls: true, progress: true,
                           transition: 'none', controlsTutorial: false});</script>
</body></html>
"""


@pytest.mark.course_build
def test_deck_check_catches_each_kind_of_defect(tmp_path):
    deck_check = browser_or_skip()
    copy_assets(tmp_path)
    deck = tmp_path / "defects.slides.html"
    deck.write_text(DEFECTS_DECK.replace("{long}", "<p>A line of text.</p>" * 30)
                    .replace("{png}", figure_png(2, 1))
                    .replace("{wide}", "x_1 + x_2 + x_3 + " * 40), encoding="utf-8")
    (report,) = deck_check.check_decks([deck], sizes=[(1024, 768)])
    print(report.summary())
    print("\n".join(report.details()))
    by_title = {r["title"]: r for r in report.slides}
    assert report.counts() == {"slides": 8, "figures": 1, "overflowing": 2, "out_of_view": 1, "clipped": 2,
                               "overlapped": 3, "small_text": 1,   # the long slides run under the arrows too
                               "notes": 2, "notes_shown": 1}
    assert by_title["Notes on the slide"]["notes_shown"] == ["shown by mistake"] and by_title["Fits"]["notes"] == 1
    assert by_title["Fine print"]["smallest_text_px"] == 9
    assert by_title["Too long"]["overflowing"] and by_title["Figure below the text"]["out_of_view"] == ["a figure"]
    assert by_title["Code cut at the right"]["clipped"] and by_title["Equation cut at the right"]["clipped"]
    assert by_title["Under the arrows"]["overlapped"] and not report.ok()
    assert not any(by_title["Fits"][k] for k in ("overflowing", "out_of_view", "clipped", "overlapped", "notes_shown"))


def hard_notebook():
    """Everything that ran off the old decks: long prose, long code, long output, a wide equation,
    a tall figure, figures in three formats, fragments, and one slide holding all of it."""
    long_markdown = "## A long explanation\n\n" + "\n\n".join(
        f"Paragraph {k}: " + "the gradient has the shape of what it differentiates, " * 6 for k in range(12))
    long_list = "### Many points\n\n" + "\n".join(f"- point {k}: $x_{k} = {k}$" for k in range(30))
    wide = "$$" + " + ".join(rf"\frac{{\partial L}}{{\partial \hat y_{{{k}}}}} x_{{{k}}}" for k in range(24)) + "$$"
    long_code = cell("code", "\n".join(f"value_{k} = {k} * weight + bias  # line {k} of a long cell" for k in range(70)))
    long_output = cell("code", "print(table)")
    long_output.outputs = [new_output("stream", name="stdout", text="".join(f"row {k}: {k * 0.5:.3f}\n" for k in range(90)))]
    tall = cell("code", "draw_tall()")
    tall.outputs = [picture(figure_png(3, 9))]                            # 216 x 648 px
    retina = cell("code", "draw_retina()")
    retina.outputs = [picture(figure_png(6, 3, dpi=144), width=432)]     # HiDPI: 864 px drawn at 432 CSS px
    svg = cell("code", "draw_svg()")
    svg.outputs = [picture(figure_svg(), "image/svg+xml")]
    small = cell("code", "draw_small()")
    small.outputs = [picture(figure_png(2, 1.2))]
    return notebook([cell("markdown", long_markdown, "slide"), cell("markdown", wide),
                     cell("markdown", long_list, "fragment"), long_code, long_output,
                     tall, cell("markdown", "## Figures", "slide"), retina, svg,
                     cell("markdown", "Some words before a small figure. " * 30), small])


@pytest.mark.course_build
def test_a_notebook_made_to_overflow_fits_at_both_sizes(tmp_path):
    deck_check = browser_or_skip()
    path = tmp_path / "42_hard.ipynb"
    nbformat.write(hard_notebook(), path)
    (deck,) = build_slides([path], tmp_path / "slides")
    reports = deck_check.check_decks([deck])
    for r in reports:
        print(r.summary())
        print("\n".join(r.details()))
        assert r.ok(), r.summary() + "\n" + "\n".join(r.details())
        assert r.counts()["figures"] == 4
        assert len(r.slides) >= 10       # 3 slides in the notebook: the long ones were split
        titles = [s["title"] for s in r.slides]
        assert any(t.endswith("(continued)") for t in titles), titles
        scales = sorted(x for s in r.slides for x in s["figure_scale"])
        assert scales[0] >= 0.9 * r.height / 768 * 0.95, scales   # no figure shrunk below its own size
    # The small figure got a slide of its own, where it is drawn larger than its own size.
    small = [s for s in reports[1].slides if s["figures"] == 1 and s["figure_scale"][0] > 1.5]
    assert small, [s["figure_scale"] for s in reports[1].slides]


@pytest.fixture(scope="module")
def course_decks(tmp_path_factory):
    """Decks of copies of the committed notebooks (another helper may re-execute one meanwhile)."""
    folder = tmp_path_factory.mktemp("decks")
    copies = []
    for path in NOTEBOOKS:
        (folder / path.name).write_bytes(path.read_bytes())
        copies.append(folder / path.name)
    return build_slides(copies, folder / "slides") if copies else []


@pytest.mark.course_build
def test_every_course_deck_fits_the_projector(course_decks):
    deck_check = browser_or_skip()
    if not course_decks:
        pytest.skip("no notebooks")
    reports = deck_check.check_decks(course_decks)
    for r in reports:
        print(r.summary())
    for size, counts in deck_check.totals(reports).items():
        print(f"all decks at {size}: " + json.dumps(counts))
    bad = [line for r in reports if not r.ok() for line in [r.summary()] + r.details() + r.errors]
    assert not bad, "\n".join(bad)
    # Speaker notes reach every slide of the deck as drawn (after the fitting splits long slides).
    without = [f"{r.deck} slide {h}" for r in reports for h in sorted({s["h"] for s in r.slides})
               if not any(s["notes"] for s in r.slides if s["h"] == h)]
    assert not without, f"slides without speaker notes: {without}"
