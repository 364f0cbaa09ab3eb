"""Presenting live with RISE (jupyterlab-rise, the ``instructor`` extra): the notebook opens as a
slideshow in a real ``jupyter lab`` on 127.0.0.1, and the decks' rules hold there too
(``notebooks/rise.css``; the breaks ``tools/slide_breaks.py`` measures in RISE and writes into the
notebooks)."""

import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from slide_breaks import fitting_breaks, mark_breaks  # noqa: E402  (tools/ is not a package)


def test_fitting_breaks_starts_a_subslide_where_the_next_cell_no_longer_fits_at_either_size():
    # Heights in CSS px, worked out by hand. Wide screen: 600 px of room above the arrows, 700 of
    # screen; narrow: 500 and 760. Slide A: 50 + 300 fit both; + 300 fits neither -> break before "c";
    # 300 + 200 = 500 fits both; + 100 = 600 fits only the wide one -> break before "e". The notes
    # cell takes no room. Slide B: 100 + 40 + 450 = 590 is too tall for the narrow room; the heading
    # "h" goes with "g" (490 fits both); "t" (720 px) is taller than the wide screen and is listed.
    # Slide C: "so:" introduces "k" and goes with it (350 fits). Slide D: "long:" and "m" together
    # (700) fit neither room, so only "m" moves.
    cells = [("slide", "# A", 50), ("-", "b", 300), ("-", "c", 300), ("fragment", "d", 200), ("notes", "n", 999),
             ("-", "e", 100), ("slide", "B", 100), ("-", "### h", 40), ("-", "g", 450), ("-", "t", 720),
             ("slide", "C", 300), ("-", "so:", 50), ("-", "k", 300),
             ("slide", "D", 100), ("-", "long:", 400), ("-", "m", 300)]
    nb = new_notebook(cells=[new_markdown_cell(text, metadata={"slideshow": {"slide_type": kind}})
                             for kind, text, _ in cells])
    ids = {c.source: c.id for c in nb.cells}
    heights = {i: h for i, (kind, _, h) in enumerate(cells) if kind != "notes"}
    measured = {(1280, 720): (600, 700, heights), (1024, 768): (500, 760, heights)}
    breaks, too_tall = fitting_breaks(nb, measured)
    assert breaks == [ids[k] for k in ("c", "e", "### h", "t", "so:", "m")]
    assert too_tall == [ids["t"]]
    assert fitting_breaks(nb, {(1280, 720): (10_000, 10_000, heights)}) == ([], [])
    # a widget (one line as saved, sliders and a figure when run) gets a screen of its own
    widget = new_code_cell("explorer()", outputs=[{"output_type": "display_data", "metadata": {}, "data": {
        "application/vnd.jupyter.widget-view+json": {"model_id": "m", "version_major": 2, "version_minor": 0},
        "text/plain": "Explorer(...)"}}], metadata={"slideshow": {"slide_type": "-"}})
    nb = new_notebook(cells=[new_markdown_cell("# W", metadata={"slideshow": {"slide_type": "slide"}}),
                             new_markdown_cell("text", metadata={"slideshow": {"slide_type": "-"}}), widget,
                             new_markdown_cell("after", metadata={"slideshow": {"slide_type": "-"}})])
    small = {0: 50, 1: 50, 2: 30, 3: 50}
    assert fitting_breaks(nb, {(1280, 720): (600, 700, small)}) == ([nb.cells[2].id, nb.cells[3].id], [])
    with pytest.raises(TypeError, match="nb must be a notebook read with nbformat, got dict"):
        fitting_breaks({}, measured)
    with pytest.raises(ValueError, match="measured must be a non-empty dict of size -> "):
        fitting_breaks(nb, {})


def test_mark_breaks_starts_subslides_only_where_a_cell_can_take_one():
    cells = [new_markdown_cell(t, metadata={"slideshow": {"slide_type": s}})
             for t, s in (("a", "slide"), ("b", "-"), ("c", "fragment"), ("d", "notes"), ("e", "skip"), ("f", "-"))]
    nb = new_notebook(cells=cells)
    ids = [c.id for c in nb.cells]
    assert mark_breaks(nb, ids[:5]) == ids[1:3]          # a slide stays a slide; notes and skip stay out
    assert [c.metadata["slideshow"]["slide_type"] for c in nb.cells] == ["slide", "subslide", "subslide", "notes",
                                                                         "skip", "-"]
    assert [c.source for c in nb.cells] == list("abcdef") and [c.id for c in nb.cells] == ids
    with pytest.raises(TypeError, match="nb must be a notebook read with nbformat, got dict"):
        mark_breaks({}, [])
    with pytest.raises(TypeError, match="cell_ids must be strings"):
        mark_breaks(nb, [3])


def test_rise_css_applies_the_decks_default():
    css = (ROOT / "notebooks" / "rise.css").read_text(encoding="utf-8")
    assert ".jp-CodeCell:has(.jp-OutputArea-output img" in css and "display: none" in css
    assert "pre-wrap" in css and "max-height" in css


def rise_or_skip():
    """tests/rise_check.py, or a skip (a failure under REQUIRE_RISE=1 / REQUIRE_BROWSER=1)."""
    import browser_check
    import rise_check
    if not rise_check.rise_installed():
        if os.environ.get("REQUIRE_RISE") == "1":
            pytest.fail("REQUIRE_RISE=1 but jupyterlab-rise is not installed (make install-instructor)")
        pytest.skip("jupyterlab-rise is not installed: it is the instructor extra (make install-instructor); "
                    "set REQUIRE_RISE=1 to make this a failure")
    if browser_check.find_browser() is None:
        if os.environ.get("REQUIRE_BROWSER") == "1" or os.environ.get("REQUIRE_RISE") == "1":
            pytest.fail("no Chromium was found (apt-get install chromium) but REQUIRE_BROWSER or REQUIRE_RISE is 1")
        pytest.skip("no Chromium-family browser found (install Debian's chromium)")
    return rise_check


def defects_notebook():
    """A notebook whose slides RISE cannot fit: the check must report each of them."""
    from test_decks import cell, figure_png, notebook, picture
    long = "\n\n".join(f"Paragraph {k}: the gradient has the shape of what it differentiates." for k in range(40))
    wide = "$$" + " + ".join(rf"\frac{{\partial L}}{{\partial \hat y_{{{k}}}}} x_{{{k}}}" for k in range(40)) + "$$"
    figure = cell("code", "draw()")
    figure.outputs = [picture(figure_png(4, 3))]
    nb = notebook([cell("markdown", "Said, not shown.", "notes"),
                   cell("markdown", "## Too long\n\n" + long, "slide"),
                   cell("markdown", "## Figure below the text\n\n" + long, "slide"), figure,
                   cell("markdown", "## Equation cut at the right\n\n" + wide, "slide")])
    nb.metadata["rise"] = {"scroll": True}   # RISE scrolls a slide taller than the screen: still a defect
    return nb


@pytest.fixture(scope="module")
def rise_reports(tmp_path_factory):
    """All six notebooks and the one made to overflow, as RISE shows them in one jupyter lab, at
    1280x720 and 1024x768: (reports of the course's notebooks, reports of the made one, folder)."""
    import time

    rise_check = rise_or_skip()
    from deck_check import SIZES
    root = tmp_path_factory.mktemp("rise")
    folder = root / "notebooks"
    folder.mkdir()
    copies = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):   # copies: the lab may save what it opens
        shutil.copy(path, folder / path.name)
        copies.append(folder / path.name)
    shutil.copy(ROOT / "notebooks" / "rise.css", folder / "rise.css")
    made = folder / "99_defects.ipynb"
    nbformat.write(defects_notebook(), made)
    shots = Path(os.environ["BROWSER_SCREENSHOTS"]) if os.environ.get("BROWSER_SCREENSHOTS") else None
    start = time.monotonic()
    reports = rise_check.check_rise(copies + [made], screenshots=shots, root=root)
    print(f"RISE: {len(copies) + 1} notebooks at {len(SIZES)} sizes in {time.monotonic() - start:.0f} s")
    assert len(reports) == (len(copies) + 1) * len(SIZES)
    return ([r for r in reports if not r.deck.endswith(made.name)], [r for r in reports if r.deck.endswith(made.name)],
            folder)


def _print_reports(reports):
    """Each deck's summary and the defects of its slides, for the test's log (pytest -s)."""
    for r in reports:
        print(r.summary())
        print("\n".join(r.details()))


@pytest.mark.course_build
def test_rise_reports_each_defect_of_a_notebook_made_to_overflow(rise_reports):
    _, made, _ = rise_reports
    _print_reports(made)
    for r in made:
        by_title = {s["title"]: s for s in r.slides}
        assert len(r.slides) == 4 and not r.ok()
        assert by_title["Too long"]["overflowing"], r.details()
        assert by_title["Figure below the text"]["out_of_view"], r.details()
        assert by_title["Equation cut at the right"]["clipped"], r.details()
        assert r.counts()["notes"] == 1 and r.counts()["notes_shown"] == 0


@pytest.mark.course_build
def test_rise_shows_the_notebooks_slides_with_notes_off_them(rise_reports):
    """One RISE slide per slide/subslide cell of each notebook; every notes cell in the speaker
    notes, none drawn on a slide."""
    real, _, folder = rise_reports
    for r in real:
        print(r.summary())
        nb = nbformat.read(folder / r.deck.removeprefix("RISE "), 4)
        kinds = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
        assert len(r.slides) == sum(k in ("slide", "subslide") for k in kinds), \
            f"{r.deck}: RISE must show one slide per slide/subslide of the metadata"
        assert r.counts()["notes"] == kinds.count("notes"), f"{r.deck}: every notes cell goes to the speaker notes"
        assert r.counts()["notes_shown"] == 0, r.details()


@pytest.mark.course_build
def test_every_rise_slide_fits_both_screens(rise_reports):
    """Nothing runs off the bottom or the right, every figure whole in view, no arrow on content, no text
    below 11 px, no speaker note on a slide: at 1280x720 and 1024x768, on all six notebooks (the
    breaks tools/slide_breaks.py measured in RISE are committed in the notebooks' metadata)."""
    from deck_check import totals
    real, _, _ = rise_reports
    _print_reports(real)
    measured = totals(real)
    for size, counts in measured.items():
        print(f"RISE, the course's notebooks at {size}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    assert len(measured) == 2, measured
    misfits = {size: {what: counts[what] for what in ("overflowing", "out_of_view", "clipped", "overlapped",
                                                      "small_text", "notes_shown") if counts[what]}
               for size, counts in measured.items()}
    assert not any(misfits.values()), (f"RISE slides that do not fit (per size): {misfits}; "
                                       "run make slide-breaks, or split the cell it names")
