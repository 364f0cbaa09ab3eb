"""Presenting live with RISE (jupyterlab-rise, the ``instructor`` extra): the notebook opens as a
slideshow in a real ``jupyter lab`` on 127.0.0.1, and the decks' rules hold there too
(``notebooks/rise.css``; the breaks ``tools/slide_breaks.py`` writes into the notebooks)."""

import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from slide_breaks import deck_breaks, mark_breaks  # noqa: E402  (tools/ is not a package)

from lecture_utils.course.publish import build_slides  # noqa: E402


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


@pytest.mark.course_build
def test_rise_opens_a_notebook_as_a_slideshow_that_fits(tmp_path):
    import browser_check
    import rise_check
    if not rise_check.rise_installed():
        if os.environ.get("REQUIRE_RISE") == "1":
            pytest.fail("REQUIRE_RISE=1 but jupyterlab-rise is not installed (make install-instructor)")
        pytest.skip("jupyterlab-rise is not installed: it is the instructor extra (make install-instructor)")
    if browser_check.find_browser() is None:
        pytest.skip("no Chromium-family browser found (install Debian's chromium)")
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook = folder / "01_linear_network_backprop.ipynb"
    shutil.copy(ROOT / "notebooks" / notebook.name, notebook)
    shutil.copy(ROOT / "notebooks" / "rise.css", folder / "rise.css")
    # As `make slide-breaks` does: the breaks the deck needs, written into the notebook.
    (deck,) = build_slides([notebook], tmp_path / "deck")
    nb = nbformat.read(notebook, 4)
    mark_breaks(nb, deck_breaks([deck])[deck])
    nbformat.write(nb, notebook)
    shots = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path / "shots")
    reports = rise_check.check_rise([notebook], screenshots=shots, root=tmp_path)
    subslides = sum(c.metadata["slideshow"]["slide_type"] in ("slide", "subslide") for c in nb.cells)
    for r in reports:
        print(r.summary())
        print("\n".join(r.details()))
        assert len(r.slides) == subslides, "RISE must show one slide per slide/subslide of the metadata"
        assert r.ok(), r.summary()
    assert sorted(shots.glob("01_linear_network_backprop-1024x768_slide-0-0.png"))
