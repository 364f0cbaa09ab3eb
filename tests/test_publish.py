"""Slides and static site (lecture_utils.course.publish): offline, complete, and checked in a real browser."""

import base64
import html
import io
import json
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
from bs4 import BeautifulSoup
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lecture_utils.course.cli import main
from lecture_utils.course.publish import (
    ASSETS,
    PublishError,
    StaticWidgetPreprocessor,
    build_site,
    build_slides,
    expected_slide_count,
    index_html,
    notation_html,
    notebook_info,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ASSET_BUDGET_BYTES = 4_000_000
# Elements that make a browser fetch something when the page is shown (links in <a> are not fetched).
FETCHING = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src",
            "video": "src", "audio": "src", "embed": "src", "object": "data"}
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""")
TITLE = "# 42 · A tiny lecture\n\n*Follows: seed 042.*\n\n**Learning goals.** You can\n- add $a+b$;\n" \
        "- multiply\n  two numbers;\n\nMore text."


def png_base64():
    fig = Figure(figsize=(1, 1))
    fig.add_subplot().plot([0, 1], [1, 0])
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=20)
    return base64.b64encode(buffer.getvalue()).decode()


def tiny_notebook(title=TITLE, slide_types=("slide", "-", "subslide", "fragment", "slide", "skip", "notes")):
    """Title slide, math, a figure, a widget showing a picture, and every slide type."""
    figure = new_output("display_data", data={"image/png": png_base64(), "text/plain": "<Figure>"})
    widget = new_output("execute_result", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "box", "version_major": 2, "version_minor": 0},
        "text/plain": "Explorer (a)"}, execution_count=2)
    cells = [new_markdown_cell(title),
             new_code_cell("plot()", outputs=[figure], execution_count=1),
             new_markdown_cell(r"## Math\n\n$$\frac{\partial L}{\partial w} = x^\top g$$"),
             new_code_cell("explorer", outputs=[widget], execution_count=2),
             new_markdown_cell("## Second section"),
             new_markdown_cell("Skipped in the slides."),
             new_markdown_cell("Speaker notes.")]
    for cell, slide_type in zip(cells, slide_types):
        cell.metadata["slideshow"] = {"slide_type": slide_type}
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "version_major": 2, "version_minor": 0, "state": {
            "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_row", "IPY_MODEL_img"]}},
            "row": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_slider"]}},
            "slider": {"model_name": "IntSliderModel", "state": {"value": 3}},
            "img": {"model_name": "ImageModel", "state": {"format": "png"},
                    "buffers": [{"path": ["value"], "encoding": "base64", "data": png_base64()}]}}}}
    return nb


@pytest.fixture
def tiny_path(tmp_path):
    path = tmp_path / "nb" / "42_tiny.ipynb"
    path.parent.mkdir()
    nbformat.write(tiny_notebook(), path)
    return path


def snapshot(paths, folder: Path):
    """Copies of notebooks, so a notebook re-executed meanwhile cannot change under a test."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for path in paths:
        (folder / path.name).write_bytes(path.read_bytes())
        copies.append(folder / path.name)
    return copies


def fetched_urls(html_text):
    """Every URL the page makes the browser fetch: element attributes and CSS url()/@import."""
    soup = BeautifulSoup(html_text, "html.parser")
    urls = [tag.get(attr) for name, attr in FETCHING.items() for tag in soup.find_all(name) if tag.get(attr)]
    for style in soup.find_all("style"):
        urls += CSS_URL.findall(style.get_text())
    return urls


def assert_offline(page: Path):
    """No remote URL is fetched, and every local one exists next to the page."""
    for url in fetched_urls(page.read_text(encoding="utf-8")):
        parsed = urlparse(url)
        assert parsed.scheme in ("", "data"), f"{page.name} fetches a remote URL: {url}"
        assert not url.startswith("//"), f"{page.name} fetches a protocol-relative URL: {url}"
        if parsed.scheme == "" and parsed.path:
            target = (page.parent / unquote(parsed.path)).resolve()
            assert target.is_file(), f"{page.name} refers to a missing file: {url}"
            if target.suffix == ".css":  # fonts and imports of the vendored stylesheets
                for inner in CSS_URL.findall(target.read_text(encoding="utf-8")):
                    inner_parsed = urlparse(inner)
                    assert inner_parsed.scheme in ("", "data"), f"{target.name} imports {inner}"


def figure_outputs(nb):
    """PNG/JPEG outputs once widgets are replaced by their pictures: the <img> a page must show."""
    nb, _ = StaticWidgetPreprocessor().preprocess(nbformat.from_dict(nb), {})
    return sum(1 for c in nb.cells for o in c.get("outputs", [])
               if {"image/png", "image/jpeg"} & set(o.get("data", {})))


def top_level_sections(html_text):
    slides = BeautifulSoup(html_text, "html.parser").find("div", class_="slides")
    return slides.find_all("section", recursive=False)


# --- titles and goals ----------------------------------------------------------------------------

def test_notebook_info_reads_title_reference_and_goals():
    info = notebook_info(tiny_notebook(), "42_tiny.ipynb")
    assert (info.stem, info.number, info.title) == ("42_tiny", "42", "A tiny lecture")
    assert info.follows == "*Follows: seed 042.*"
    assert info.goals == ("add $a+b$;", "multiply two numbers;")


def test_notebook_info_numbered_goals_under_a_heading():
    nb = tiny_notebook(title="# Intro\n\n## Learning goals\n\n1. first\n2. second\n")
    info = notebook_info(nb, "00_intro.ipynb")
    assert (info.number, info.title, info.follows, info.goals) == ("", "Intro", "", ("first", "second"))


@pytest.mark.parametrize("title, match", [
    ("Intro without a heading", r"^00_x\.ipynb, cell 0: the first cell must be a markdown title"),
    ("# 00 · Intro\n\nNo goals here.", r"^00_x\.ipynb, cell 0: the title cell has no 'Learning goals'"),
])
def test_notebook_info_errors_name_notebook_and_cell(title, match):
    with pytest.raises(PublishError, match=match):
        notebook_info(tiny_notebook(title=title), "00_x.ipynb")


def test_notebook_info_bad_argument():
    with pytest.raises(TypeError, match="nb must be a notebook read with nbformat, got list"):
        notebook_info([], "x.ipynb")


# --- slide counting and widgets --------------------------------------------------------------------

@pytest.mark.parametrize("types, expected", [
    (("slide", "-", "subslide", "fragment", "slide", "skip", "notes"), 2),
    (("skip", "-", "slide", "slide"), 3),   # nbconvert opens a section at the first shown cell
    (("skip", "slide", "-"), 1),
    (("notes", "-", "-"), 1),
])
def test_expected_slide_count(types, expected):
    nb = new_notebook(cells=[new_markdown_cell("x", metadata={"slideshow": {"slide_type": t}}) for t in types])
    assert expected_slide_count(nb) == expected


def test_widgets_become_their_last_picture():
    nb = tiny_notebook()
    image = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]["img"]["buffers"][0]
    nb, _ = StaticWidgetPreprocessor().preprocess(nb, {})
    data = nb.cells[3].outputs[0]["data"]
    assert data == {"image/png": image["data"], "text/plain": "Explorer (a)"}
    assert "widgets" not in nb.metadata


def test_widget_without_saved_state_keeps_its_text():
    nb = tiny_notebook()
    del nb.metadata["widgets"]
    nb, _ = StaticWidgetPreprocessor().preprocess(nb, {})
    assert nb.cells[3].outputs[0]["data"] == {"text/plain": "Explorer (a)"}


# --- slides ------------------------------------------------------------------------------------------

def test_slides_have_the_expected_sections_and_work_offline(tiny_path, tmp_path):
    (deck,) = build_slides([tiny_path], tmp_path / "slides")
    assert deck.name == "42_tiny.slides.html"
    text = deck.read_text(encoding="utf-8")
    sections = top_level_sections(text)
    assert len(sections) == expected_slide_count(tiny_notebook()) == 2
    assert len(sections[0].find_all("section", recursive=False)) == 2  # the subslide
    assert "Skipped in the slides." not in text
    assert text.count("<img") == figure_outputs(tiny_notebook()) == 2
    assert_offline(deck)


@pytest.fixture(scope="module")
def course_site(tmp_path_factory):
    """The site of copies of the committed notebooks, built once for the tests below."""
    folder = tmp_path_factory.mktemp("course")
    copies = snapshot(NOTEBOOKS, folder / "nb")
    if copies:
        build_site(copies, folder / "site")
    return {p.name: p for p in copies}, folder / "site"


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_every_notebook_deck_builds_offline(name, course_site):
    copies, site = course_site
    nb = nbformat.read(copies[name], as_version=4)
    deck = site / name.replace(".ipynb", ".slides.html")
    text = deck.read_text(encoding="utf-8")
    assert len(top_level_sections(text)) == expected_slide_count(nb)
    assert text.count("<img") >= figure_outputs(nb)
    assert_offline(deck)


def test_build_slides_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="paths must name at least one notebook"):
        build_slides([], tmp_path)
    with pytest.raises(ValueError, match=r"paths must be existing \.ipynb files, got '.*nope\.txt'"):
        build_slides([tmp_path / "nope.txt"], tmp_path)


# --- site -----------------------------------------------------------------------------------------------

def test_site_index_lists_notebooks_in_lecture_order(tmp_path):
    second, first = tmp_path / "02_second.ipynb", tmp_path / "01_first.ipynb"
    nbformat.write(tiny_notebook(title=TITLE.replace("42 · A tiny lecture", "02 · Second")), second)
    nbformat.write(tiny_notebook(title=TITLE.replace("42 · A tiny lecture", "01 · First")), first)
    written = build_site([second, first], tmp_path / "site", title="My course")
    assert [p.name for p in written] == ["index.html", "01_first.html", "02_second.html"]
    soup = BeautifulSoup(written[0].read_text(encoding="utf-8"), "html.parser")
    assert soup.h1.get_text() == "My course"
    assert [h.get_text() for h in soup.find_all("h2")] == ["01 · First", "02 · Second"]
    assert [a["href"] for a in soup.select("p.links a")] == [
        "01_first.html", "01_first.slides.html", "notebooks/01_first.ipynb", "student/01_first.ipynb",
        "02_second.html", "02_second.slides.html", "notebooks/02_second.ipynb", "student/02_second.ipynb"]
    goals = [li.get_text(" ", strip=True) for li in soup.select("ul.goals li")]
    assert goals == ["add $a+b$;", "multiply two numbers;"] * 2
    assert soup.find("main") is not None and soup.find("form", attrs={"role": "search"}) is not None
    site = tmp_path / "site"
    for page in written + [site / "01_first.slides.html", site / "search.html"]:
        assert_offline(page)
        for a in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all("a", href=True):
            target = unquote(urlparse(a["href"]).path)
            assert not target or (site / target).is_file(), f"{page.name} links to a missing {a['href']}"


def test_pages_have_the_site_navigation(tmp_path):
    paths = []
    for number, name in (("01", "First"), ("02", "Second"), ("03", "Third")):
        path = tmp_path / f"{number}_{name.lower()}.ipynb"
        nbformat.write(tiny_notebook(title=TITLE.replace("42 · A tiny lecture", f"{number} · {name}")), path)
        paths.append(path)
    build_site(paths, tmp_path / "site", title="My course")
    soup = BeautifulSoup((tmp_path / "site" / "02_second.html").read_text(encoding="utf-8"), "html.parser")
    sidebar = soup.find("nav", attrs={"aria-label": "Notebooks in lecture order"})
    assert [a.get_text() for a in sidebar.find_all("a")][:3] == ["01 · First", "02 · Second", "03 · Third"]
    assert sidebar.find("a", attrs={"aria-current": "page"})["href"] == "02_second.html"
    prev_next = soup.find("nav", attrs={"aria-label": "Previous and next notebook"})
    assert [a["rel"] for a in prev_next.find_all("a")] == [["prev"], ["next"]]
    assert [a["href"] for a in prev_next.find_all("a")] == ["01_first.html", "03_third.html"]
    toc = soup.find("aside", attrs={"aria-label": "On this page"})
    anchors = [a["href"][1:] for a in toc.find_all("a")]
    assert anchors and all(soup.find(id=anchor) is not None for anchor in anchors)
    links = {a.get_text(): a["href"] for a in soup.select("p.page-links a")}
    assert links == {"Slides of this notebook": "02_second.slides.html",
                     "Download the notebook": "notebooks/02_second.ipynb",
                     "Download the student edition": "student/02_second.ipynb"}
    assert soup.find("main", id="content") is not None and soup.find(class_="skip-link")["href"] == "#content"


def test_search_index_holds_every_section(tmp_path, tiny_path):
    build_site([tiny_path], tmp_path / "site")
    script = (tmp_path / "site" / "search_index.js").read_text(encoding="utf-8")
    assert script.startswith("window.SEARCH_INDEX = ")
    import json
    entries = json.loads(script[len("window.SEARCH_INDEX = "):].rstrip().rstrip(";"))
    assert len(entries) == 2 and entries[0]["heading"].startswith("Math") and entries[1]["heading"] == "Second section"
    assert entries[1]["url"] == "42_tiny.html#Second-section" and entries[1]["page"] == "42 · A tiny lecture"
    assert "search_index.js" in (tmp_path / "site" / "search.html").read_text(encoding="utf-8")


def test_search_index_holds_the_readers_text_only(tmp_path):
    # Search results are shown without MathJax: the text a reader sees, not the page's markup,
    # navigation or display equations; inline LaTeX in plain words, code with its braces.
    nb = tiny_notebook()
    nb.cells.insert(5, new_markdown_cell(r"Inline $\partial J/\partial W$ and $\mathbf b$, $\lceil n/2 \rceil$ here."))
    nb.cells.insert(6, new_code_cell('print(f"{x}")'))
    (tmp_path / "nb").mkdir()
    paths = [tmp_path / "nb" / "42_tiny.ipynb", tmp_path / "nb" / "43_next.ipynb"]   # previous/next links
    for path in paths:
        nbformat.write(nb, path)
    build_site(paths, tmp_path / "site")
    assert 'rel="next"' in (tmp_path / "site" / "42_tiny.html").read_text(encoding="utf-8")
    script = (tmp_path / "site" / "search_index.js").read_text(encoding="utf-8")
    import json
    entries = json.loads(script[len("window.SEARCH_INDEX = "):].rstrip().rstrip(";"))
    assert len(entries) == 4
    math, second = entries[:2]
    assert "frac" not in math["text"] and "In [" not in math["text"] and "Out[" not in math["text"]
    assert "Inline dJ/dW and b, ceil(n/2) here." in second["text"] and 'print(f"{x}")' in second["text"]
    for entry in entries:
        text = entry["text"]
        assert "href" not in text and "¶" not in text and "←" not in text and "→" not in text, text
        assert "On this page" not in text and "43_next" not in text and "A tiny lecture" not in text, text


def test_downloads_are_the_two_editions(tmp_path):
    nb = tiny_notebook()
    nb.cells.insert(1, new_code_cell("def f(x):\n    return 2 * x\n", metadata={"tags": ["solution"],
                                     "slideshow": {"slide_type": "-"}}))
    nb.cells.insert(2, new_code_cell("check(f)", metadata={"tags": ["check"], "slideshow": {"slide_type": "-"}}))
    path = tmp_path / "nb" / "44_ex.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    build_site([path], tmp_path / "site")
    instructor = nbformat.read(tmp_path / "site" / "notebooks" / "44_ex.ipynb", 4)
    student = nbformat.read(tmp_path / "site" / "student" / "44_ex.ipynb", 4)
    assert "return 2 * x" in instructor.cells[1].source
    assert "return 2 * x" not in "".join(c.source for c in student.cells)


def test_figures_carry_their_alt_text_into_pages_and_decks(tmp_path):
    nb = tiny_notebook()
    nb.cells[1].metadata["lecture_utils"] = {"alt": "A falling line from (0, 1) to (1, 0), the test figure <1>."}
    nb.cells[3].metadata["lecture_utils"] = {"alt": ["The widget's last picture: the same falling line again."]}
    path = tmp_path / "nb" / "42_tiny.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    build_site([path], tmp_path / "site")
    for name in ("42_tiny.html", "42_tiny.slides.html"):
        images = BeautifulSoup((tmp_path / "site" / name).read_text(encoding="utf-8"), "html.parser").find_all("img")
        assert [i["alt"] for i in images] == ["A falling line from (0, 1) to (1, 0), the test figure <1>.",
                                              "The widget's last picture: the same falling line again."], name


def test_tables_whose_headers_are_formulas_get_words_for_screen_readers():
    from lecture_utils.course.publish import label_math_headers
    out = label_math_headers("<th>$f'(a)$</th><th>name</th>")
    assert out == "<th><span class=\"visually-hidden\">f&#x27;(a)</span>$f'(a)$</th><th>name</th>"


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_every_notebook_page_builds_offline(name, course_site):
    copies, site = course_site
    nb = nbformat.read(copies[name], as_version=4)
    page, index = site / name.replace(".ipynb", ".html"), site / "index.html"
    assert page.read_text(encoding="utf-8").count("<img") >= figure_outputs(nb)
    assert html.escape(notebook_info(nb, name).title) in index.read_text(encoding="utf-8")
    assert_offline(page)
    assert_offline(index)


def test_site_checks_every_title_before_writing(tmp_path, tiny_path):
    bad = tmp_path / "43_bad.ipynb"
    nbformat.write(tiny_notebook(title="# 43 · Bad\n\nno goals"), bad)
    with pytest.raises(PublishError, match=r"43_bad\.ipynb, cell 0: the title cell has no 'Learning goals'"):
        build_site([tiny_path, bad], tmp_path / "site")
    assert not (tmp_path / "site").exists()
    with pytest.raises(TypeError, match="title must be a non-empty string"):
        build_site([tiny_path], tmp_path / "site", title="  ")


# --- command line and vendored assets -------------------------------------------------------------

@pytest.mark.parametrize("command, produced", [
    ("slides", ["42_tiny.slides.html"]),
    ("site", ["42_tiny.html", "42_tiny.slides.html", "index.html", "search.html", "search_index.js"]),
    ("student", ["42_tiny.ipynb"]),
])
def test_command_line(command, produced, tiny_path, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([command, str(tiny_path), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.glob("*.*")) == produced
    assert capsys.readouterr().out.count(str(out)) >= 1


def test_command_line_reports_a_bad_notebook(tmp_path, capsys):
    bad = tmp_path / "43_bad.ipynb"
    nbformat.write(tiny_notebook(title="no title"), bad)
    assert main(["site", str(bad), "--out", str(tmp_path / "out")]) == 1
    assert "error: 43_bad.ipynb, cell 0: the first cell must be a markdown title" in capsys.readouterr().err


def test_command_line_without_notebooks(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["slides"]) == 2
    assert "no notebooks given and none found" in capsys.readouterr().err
    assert main(["publish"]) == 2
    assert "error: publish needs --repo" in capsys.readouterr().err


def test_vendored_assets_are_small_and_documented():
    files = [p for p in ASSETS.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < ASSET_BUDGET_BYTES
    readme = (ASSETS / "README.md").read_text(encoding="utf-8")
    for origin in ("reveal.js 4.6.1", "mathjax 3.2.2", "MIT", "Apache-2.0", "OFL"):
        assert origin in readme
    for licence in ("reveal.js/LICENSE", "mathjax/LICENSE", "reveal.js/dist/theme/fonts/source-sans-pro/LICENSE"):
        assert (ASSETS / licence).is_file()


# --- a real browser ---------------------------------------------------------------------------------

@pytest.mark.course_build
def test_site_in_headless_chromium(tmp_path, tiny_path, course_site):
    """Every page loads without console errors or remote requests and shows its figures and math."""
    import browser_check  # tests/browser_check.py: stdlib only, so a failed import is a real error
    if browser_check.find_browser() is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but no Chromium was found (apt-get install chromium)")
        pytest.skip("no Chromium-family browser found (install Debian's chromium, or set $BROWSER); "
                    "set REQUIRE_BROWSER=1 to make this a failure")
    copies, site = course_site
    sources = list(copies.values())
    if not sources:  # no notebooks yet: a small hand-made one
        sources, site = [tiny_path], tmp_path / "site"
        build_site(sources, site)
    audit = browser_check.AXE.is_file()
    if not audit and os.environ.get("REQUIRE_AXE") == "1":
        pytest.fail(f"REQUIRE_AXE=1 but axe-core is not installed at {browser_check.AXE} (make install-a11y)")
    screenshots = os.environ.get("BROWSER_SCREENSHOTS")
    reports = {Path(r.url).name: r for r in browser_check.check_site(site, screenshots and Path(screenshots),
                                                                      audit=audit)}
    # index, search, a page and a deck per notebook (and each deck's print view when audited)
    assert len(reports) == (3 if audit else 2) * len(sources) + 2
    for name, report in reports.items():
        print(report.summary())
        assert report.errors == [], f"{name}: {report.errors}"
        assert report.remote_requests == [], f"{name}: {report.remote_requests}"
        html_images = (site / name.split("?")[0]).read_text(encoding="utf-8").count("<img")
        assert report.images == html_images and report.images_decoded == report.images, name
        assert report.math_errors == 0 and report.raw_tex == 0, name
        assert report.images_without_alt == 0, f"{name}: {report.images_without_alt} figures without alt text"
        if audit:
            assert report.serious() == [], f"{name}: axe-core found {report.serious()}"
            assert report.keyboard_moves in (None, True), f"{name}: the right arrow does not move the deck"
    for path in sources:
        nb = nbformat.read(path, as_version=4)
        page, deck = reports[f"{path.stem}.html"], reports[f"{path.stem}.slides.html"]
        assert page.images_decoded >= figure_outputs(nb)
        has_math = any("$" in c.source for c in nb.cells if c.cell_type == "markdown")
        assert (page.math > 0) == has_math and (deck.math > 0) == has_math, path.name
        assert deck.slides == expected_slide_count(nb), path.name
    assert reports["index.html"].math > 0 or not any("$" in g for p in sources
                                                     for g in notebook_info(nbformat.read(p, 4), p.name).goals)


def test_a_follows_line_that_wraps_is_read_whole():
    nb = tiny_notebook(title="# 42 · T\n\n*Follows: a lecture,\nfrom here to there.*\n\n**Learning goals.**\n- one\n")
    assert notebook_info(nb, "42_t.ipynb").follows == "*Follows: a lecture, from here to there.*"


def test_the_notation_page_is_a_page_of_the_site_and_the_title_cells_link_to_it(tmp_path):
    folder = tmp_path / "nb"
    folder.mkdir()
    title = TITLE + "\n\n*Symbols: [Symbols and conventions](notation.md).*"
    nbformat.write(tiny_notebook(title=title), folder / "42_tiny.ipynb")
    (folder / "notation.md").write_text("# Symbols and conventions\n\n## Shapes\n\n| symbol | shape |\n|---|---|\n"
                                        "| $\\mathbf x$ | $N\\times D$ |\n", encoding="utf-8")
    site = tmp_path / "site"
    written = build_site([folder / "42_tiny.ipynb"], site, title="My course")
    assert written[-1] == site / "notation.html"
    page = BeautifulSoup(written[-1].read_text(encoding="utf-8"), "html.parser")
    assert page.h1.get_text().rstrip("¶") == "Symbols and conventions" and page.find("table") is not None
    assert "$\\mathbf x$" in page.find("table").get_text() and page.find("form", attrs={"role": "search"})
    assert_offline(written[-1])
    for name in ("42_tiny.html", "index.html"):
        links = [a["href"] for a in BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser")
                 .find_all("a", href=True)]
        assert "notation.html" in links and "notation.md" not in links, name
    index = json.loads((site / "search_index.js").read_text(encoding="utf-8").split("=", 1)[1].rstrip(";\n"))
    assert any(entry["url"].startswith("notation.html#") for entry in index)     # found by the search


from bad_input import Case, check_refused, expand as expand_table  # noqa: E402

NOTATION_BAD_INPUT = [
    Case(notation_html, dict(markdown="# Symbols\n\n| a | b |\n|---|---|\n| $x$ | 1 |\n", title="My course"),
         {"markdown": "source", "title": "name"}),
    Case(index_html, dict(infos=[notebook_info(tiny_notebook(), "42_tiny.ipynb")], title="My course", notation=True),
         {"infos": "sequence", "title": "name", "notation": "flag"}),
]


_NOTATION_CALLS, _NOTATION_IDS = expand_table(NOTATION_BAD_INPUT)


@pytest.mark.parametrize("fn, good, arg, description, value", _NOTATION_CALLS, ids=_NOTATION_IDS)
def test_the_site_pages_refuse_bad_arguments_naming_them(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
