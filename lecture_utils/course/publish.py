"""Slides and a static site from the executed notebooks, viewable without a network.

Both are rendered by nbconvert with the two small templates in
``lecture_utils/course/assets/templates`` (nbconvert's ``reveal`` and ``lab`` templates
minus every remote script), and load reveal.js and MathJax from a copy of the
vendored assets written next to the pages (``_static/``), so a folder of slides
or the site works from a USB stick, over ``file://`` or from any static host.

* :func:`build_slides`: one reveal.js deck per notebook, ``NN_topic.slides.html``;
  a cell with slide type ``slide`` starts a section, ``subslide`` a vertical
  slide inside it, ``fragment`` appears on a click, ``skip`` is left out and
  ``notes`` goes to the speaker view (press ``s``). What a slide shows of each
  cell is decided by :mod:`.slides`; when the deck opens, ``lecture_fit.js``
  fits every slide to the projector (splits, figure and equation sizes).
* :func:`build_site`: ``NN_topic.html`` per notebook, its deck beside it, an
  ``index.html`` listing the notebooks in lecture order with the learning goals
  read from each title cell, and ``notation.html``, the students' page of symbols and
  conventions (``notation.md`` beside the notebooks), which every title cell links to;
  from the instructor edition, or (``edition="student"``, :mod:`.student_site`) from the
  student edition, with no answer in it.

Interactive widgets cannot run without a kernel; in both outputs an
:class:`~lecture_utils.demos.Explorer` shows the picture it last drew.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter, SlidesExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbconvert.preprocessors import Preprocessor

from .._validate import Spec, checked, choice, flag
from .editions import NOTATION_PAGE, notebook_paths, string_argument
from .slides import SlideMetadataError, check_slide_metadata

ASSETS = Path(__file__).resolve().parent / "assets"
TEMPLATES = ASSETS / "templates"
STATIC = "_static"  # folder of the copied assets, next to the pages
MATHJAX_URL = f"{STATIC}/mathjax/es5/tex-chtml-full.js"
REVEAL_PREFIX = f"{STATIC}/reveal.js"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
TITLE_PATTERN = re.compile(r"^#\s+(?:(\d+)\s*[·.:-]\s*)?(.+?)\s*$")


class PublishError(ValueError):
    """A notebook that cannot be published (e.g. no title cell); names the notebook and cell."""


EDITIONS = ("instructor", "student")   # what a site is built from (build_site's edition)


# --- widgets -> their last picture --------------------------------------------------------

def _widget_images(state: dict, model_id: str, seen=None) -> list[tuple[str, str]]:
    """(base64 PNG, display width) of the Image widgets inside a widget (depth first, in display order)."""
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    model = state[model_id]
    images = []
    if model.get("model_name") == "ImageModel" and model.get("state", {}).get("format", "png") == "png":
        width = str(model.get("state", {}).get("width", ""))
        images += [(b["data"], width) for b in model.get("buffers", [])
                   if b.get("path") == ["value"] and b.get("encoding") == "base64"]
    for child in model.get("state", {}).get("children", []):
        if isinstance(child, str) and child.startswith("IPY_MODEL_"):
            images += _widget_images(state, child[len("IPY_MODEL_"):], seen)
    return images


class StaticWidgetPreprocessor(Preprocessor):
    """Replace each widget output by the picture it showed when the notebook was executed.

    A static page has no kernel, so sliders would move nothing; instead of the
    widget manager (a script from a CDN), the output keeps its plain-text form
    and gains the PNG of the first Image widget it contains. The notebook's
    saved widget state is dropped, so no widget JavaScript is emitted at all.
    """

    def preprocess(self, nb, resources):
        state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if WIDGET_VIEW not in data:
                    continue
                images = _widget_images(state, data[WIDGET_VIEW].get("model_id", ""))
                del data[WIDGET_VIEW]
                if images:
                    png, width = images[0]
                    data["image/png"] = png
                    if width.isdigit():        # rendered at 2x for sharpness: show at its CSS width
                        output.setdefault("metadata", {})["image/png"] = {"width": int(width)}
        nb.metadata.pop("widgets", None)
        return nb, resources


class AltTextPreprocessor(Preprocessor):
    """Give every picture the alt text its cell's metadata holds (``lecture_utils.alt``).

    The i-th picture a cell shows (a plot, or a widget's last picture) gets the i-th
    string; the templates write it into ``<img alt="...">``, for pages and decks alike.
    """

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            alt = cell.get("metadata", {}).get("lecture_utils", {}).get("alt")
            alts = [alt] if isinstance(alt, str) else list(alt or [])
            pictures = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
            for output, text in zip(pictures, alts):
                output.setdefault("metadata", {}).setdefault("image/png", {})["alt"] = text
        return nb, resources


# --- notebook titles and learning goals -----------------------------------------------------

@dataclass(frozen=True)
class NotebookInfo:
    """What the index shows about one notebook.

    Attributes
    ----------
    stem : str
        File name without ``.ipynb`` (``01_linear_network_backprop``).
    number : str
        Lecture-order number from the title (``"01"``), or ``""``.
    title : str
        The title without its number.
    follows : str
        The "Follows: ..." line (markdown), or ``""``.
    goals : tuple of str
        The learning goals (markdown, may hold LaTeX).
    """

    stem: str
    number: str
    title: str
    follows: str
    goals: tuple


class _NotebookInfos(Spec):
    """A non-empty list (or tuple) of :class:`NotebookInfo`, one per notebook of the site."""

    description = "a non-empty list of NotebookInfo (notebook_info(nb, name) of each notebook)"

    def __call__(self, value, name, sizes):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise TypeError(f"{name} must be {self.description}, got {type(value).__name__} {value!r:.60}")
        bad = [type(v).__name__ for v in value if not isinstance(v, NotebookInfo)]
        if bad:
            raise TypeError(f"{name} must be {self.description}, got an entry of type {bad[0]}")
        if not value:
            raise ValueError(f"{name} must be {self.description}, got an empty {type(value).__name__}")
        return list(value)


def notebook_info(nb, name: str) -> NotebookInfo:
    """Title, lecture reference and learning goals from a notebook's first cell.

    The title cell is a markdown cell starting ``# NN · Title``; the goals are
    the bullet items after a line mentioning "learning goals" (continuation
    lines are joined to their item).

    Raises
    ------
    PublishError
        When the first cell has no ``# `` title or no learning-goals list.
    """
    if not isinstance(nb, nbformat.NotebookNode) or "cells" not in nb:
        raise TypeError(f"nb must be a notebook read with nbformat, got {type(nb).__name__}")
    first = nb.cells[0] if nb.cells else None
    if first is None or first.cell_type != "markdown" or not first.source.startswith("# "):
        raise PublishError(f"{name}, cell 0: the first cell must be a markdown title '# NN · Title'.")
    lines = first.source.splitlines()
    number, title = TITLE_PATTERN.match(lines[0]).groups()
    start = next((k for k, ln in enumerate(lines) if "follows" in ln.lower() and ":" in ln), None)
    follows = ""
    if start is not None:                    # the whole paragraph: it may wrap onto several lines
        end = next((k for k in range(start, len(lines)) if not lines[k].strip()), len(lines))
        follows = " ".join(ln.strip() for ln in lines[start:end])
    goals, in_goals = [], False
    for line in lines[1:]:
        stripped = line.strip()
        if "learning goals" in stripped.lower():
            in_goals = True
        elif in_goals and re.match(r"^([-*+]|\d+\.)\s+", stripped):
            goals.append(re.sub(r"^([-*+]|\d+\.)\s+", "", stripped))
        elif in_goals and goals and stripped:
            goals[-1] += " " + stripped  # a wrapped bullet
        elif in_goals and goals and not stripped:
            break  # a blank line ends the list
    if not goals:
        raise PublishError(f"{name}, cell 0: the title cell has no 'Learning goals' bullet list.")
    return NotebookInfo(Path(name).stem, number or "", title, follows, tuple(goals))


# --- exporters ------------------------------------------------------------------------------

# Our template folders and the shared macro (mathjax3.html.j2) live in TEMPLATES.
TEMPLATE_DIRS = {"extra_template_basedirs": [str(TEMPLATES)], "extra_template_paths": [str(TEMPLATES)]}


def _configure(exporter):
    exporter.mathjax_url = MATHJAX_URL
    exporter.register_preprocessor(StaticWidgetPreprocessor(), enabled=True)
    exporter.register_preprocessor(AltTextPreprocessor(), enabled=True)   # after: widgets are pictures now
    return exporter


def slides_exporter() -> SlidesExporter:
    """nbconvert's reveal.js exporter pointed at the vendored reveal.js and MathJax.

    After widgets become pictures and pictures get their alt texts, :mod:`.slides` decides
    what each slide shows of its cells; only then are the cells grouped into slides
    (nbconvert's own step, which ``lecture_reveal/conf.json`` moves to the end).
    """
    from nbconvert.exporters.slides import _RevealMetadataPreprocessor

    from .slides import SlideContentPreprocessor

    exporter = SlidesExporter(template_name="lecture_reveal", **TEMPLATE_DIRS)
    exporter.reveal_url_prefix = REVEAL_PREFIX
    exporter.reveal_theme = "white"  # its fonts are vendored; other themes import web fonts
    _configure(exporter)
    exporter.register_preprocessor(SlideContentPreprocessor(), enabled=True)
    exporter.register_preprocessor(_RevealMetadataPreprocessor(), enabled=True)
    return exporter


def html_exporter() -> HTMLExporter:
    """nbconvert's lab HTML exporter with MathJax from the vendored copy."""
    return _configure(HTMLExporter(template_name="lecture_lab", **TEMPLATE_DIRS))


def copy_assets(out_dir: Path) -> Path:
    """Copy reveal.js and MathJax (not the templates) into ``out_dir/_static``."""
    target = Path(out_dir) / STATIC
    if target.exists():
        shutil.rmtree(target)
    for name in ("reveal.js", "mathjax"):
        shutil.copytree(ASSETS / name, target / name)
    return target


def _export_all(exporter, notebooks, out_dir: Path, suffix: str, site=None, finish=None) -> list[Path]:
    """Write ``<stem><suffix>`` for each (path, notebook) with an nbconvert exporter; return the files.

    ``site(i)`` gives the i-th page's navigation context (``resources.site`` in the template);
    ``finish(stem, body)`` may rewrite the HTML before it is written.
    """
    written = []
    for i, (path, nb) in enumerate(notebooks):
        resources = {"metadata": {"name": path.stem}}
        if site is not None:
            resources["site"] = site(i)
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        if finish is not None:
            body = finish(path.stem, body)
        target = out_dir / f"{path.stem}{suffix}"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


def _read_all(paths) -> list[tuple[Path, nbformat.NotebookNode]]:
    return [(p, nbformat.read(p, as_version=4)) for p in notebook_paths(paths)]


def expected_slide_count(nb) -> int:
    """Number of top-level reveal.js sections a notebook makes.

    One per cell of slide type ``slide``, plus one when the first shown cell
    is not a ``slide`` (nbconvert opens a section there anyway).
    """
    types = [c.metadata.get("slideshow", {}).get("slide_type", "-") for c in nb.cells]
    shown = [t for t in types if t not in ("skip", "notes")]
    return types.count("slide") + (1 if shown and shown[0] != "slide" else 0)


def build_slides(paths, out_dir) -> list[Path]:
    """Render each notebook as an offline reveal.js deck ``out_dir/<stem>.slides.html``.

    Parameters
    ----------
    paths : iterable of path-like
        Executed notebooks.
    out_dir : path-like
        Output folder; ``_static/`` with reveal.js and MathJax is written into it.

    Returns
    -------
    list of Path
        The decks, in the order of ``paths``.
    """
    return _write_decks(_read_all(paths), out_dir)


def _check_slide_metadata(notebooks) -> None:
    """PublishError naming the first cell whose ``lecture_utils.slides`` metadata is malformed."""
    for path, nb in notebooks:
        try:
            check_slide_metadata(nb, path.name)
        except SlideMetadataError as exc:
            raise PublishError(str(exc)) from None


def _write_decks(notebooks, out_dir) -> list[Path]:
    """The decks of (path, notebook) pairs, with the vendored assets, into ``out_dir``."""
    _check_slide_metadata(notebooks)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_assets(out_dir)
    return _export_all(slides_exporter(), notebooks, out_dir, ".slides.html",
                       finish=lambda stem, body: label_math_headers(body))


def _md(text: str) -> str:
    """Markdown (with $math$ left for MathJax) as an HTML fragment."""
    return markdown2html_mistune(text).strip()


# --- the site: navigation, table of contents, search -----------------------------------------

HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)<a class="anchor-link"', re.S)
TOC_MARK = "<!--LECTURE-TOC-->"


PAGE_END = re.compile(r'<nav\b[^>]*\bclass="prev-next"')   # the page's text ends at the previous/next links


def _text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed.

    Cell prompts (``In [2]:``) and the student site's folds (a prediction's result, a worked
    answer: not for search results) are left out; syntax-highlighting spans are dropped without
    a space (``x</span><span>=`` reads ``x=``); every other tag separates words.
    """
    without_tags = re.sub(r"<(script|style)\b.*?</\1>", " ", fragment, flags=re.S)
    without_tags = re.sub(r'<details class="lecture-fold">.*?</details>', " ", without_tags, flags=re.S)
    without_tags = re.sub(r'<div class="jp-(?:In|Out)putPrompt[^"]*">.*?</div>', " ", without_tags, flags=re.S)
    without_tags = re.sub(r"</?span\b[^>]*>", "", without_tags)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", without_tags))).strip()


def _plain(text: str) -> str:
    """Text for search results, which are shown without MathJax: display equations left out,
    inline LaTeX as plain words (``$\\partial J/\\partial W$`` -> ``dJ/dW``)."""
    from .editions import latex_to_text

    text = re.sub(r"\$\$.*?\$\$|\\\[.*?\\\]|\\begin\{(\w+\*?)\}.*?\\end\{\1\}", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]+\$", lambda m: latex_to_text(m.group(0)), text)   # code keeps its braces
    return re.sub(r"\s+", " ", text).strip()


def page_sections(body: str) -> list[dict]:
    """The h2/h3 sections of a rendered page: level, anchor, heading and the text up to the next heading.

    A section's text starts after its heading's closing tag and the last one ends where the
    previous/next links begin, so neither the anchor links nor the navigation are indexed.
    """
    found = list(HEADING.finditer(body))
    end_of_text = PAGE_END.search(body)
    page_end = end_of_text.start() if end_of_text else len(body)
    sections = []
    for k, m in enumerate(found):
        start = body.find(f"</h{m.group(1)}>", m.end())
        start = m.end() if start < 0 else start + len(f"</h{m.group(1)}>")
        end = found[k + 1].start() if k + 1 < len(found) else page_end
        sections.append({"level": int(m.group(1)), "anchor": m.group(2), "heading": _text(m.group(3)),
                         "text": _text(body[start:end])})
    return sections


MATH_HEADER = re.compile(r"<th([^>]*)>(\s*\$[^<]*\$\s*)</th>")


def label_math_headers(body: str) -> str:
    """Give table headers made only of math (``| $f(a)$ |``) a text screen readers can read.

    Its plain words ("f'(a)") come first, visually hidden, then the formula as MathJax renders it.
    """
    from .editions import latex_to_text

    def label(m):
        words = html.escape(latex_to_text(html.unescape(m.group(2))).strip())
        return f'<th{m.group(1)}><span class="visually-hidden">{words}</span>{m.group(2)}</th>'
    return MATH_HEADER.sub(label, body)


def toc_html(sections) -> str:
    """The page's own table of contents, one link per h2/h3 heading."""
    items = "\n".join(f'    <li class="level-{s["level"]}"><a href="#{html.escape(s["anchor"])}">'
                      f'{html.escape(s["heading"])}</a></li>' for s in sections)
    return f"<ol>\n{items}\n  </ol>" if sections else "<p>No sections.</p>"


def _site_header(title: str, skip_text: str) -> str:
    """The skip link and the header of the index and search pages: the site's title and the search form.

    (The notebook pages get the same header from ``lecture_lab/index.html.j2``.)
    """
    return f"""<a class="skip-link" href="#content">{html.escape(skip_text)}</a>
<header class="site-header">
  <a class="site-title" href="index.html">{html.escape(title)}</a>
  <form class="site-search" role="search" action="search.html" method="get">
    <label for="site-search-q">Search the course</label>
    <input id="site-search-q" name="q" type="search" placeholder="e.g. Laplacian">
    <button type="submit">Search</button>
  </form>
</header>"""


SEARCH_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Search: {title}</title>
<style>
{site_css}
body {{ font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; }}
main {{ max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; }}
.result {{ margin: 0 0 1.1rem; }} .result p {{ margin: 0.2rem 0; color: #3d3d3d; }}
mark {{ background: #fff2a8; color: #1a1a1a; }}
</style>
<script src="search_index.js"></script>
</head>
<body class="lecture-site">
{header}
<main id="content">
<h1>Search</h1>
<p id="summary" role="status">Type words to find the sections of the notebooks that contain all of them.</p>
<div id="results"></div>
</main>
<script>
(function () {{
  const query = new URLSearchParams(window.location.search).get('q') || '';
  document.getElementById('site-search-q').value = query;
  const words = query.toLowerCase().split(/\\s+/).filter(w => w.length > 1);
  if (!words.length) {{ return; }}
  const escape = s => s.replace(/[&<>"]/g, c => ({{'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}})[c]);
  const hits = [];
  for (const section of window.SEARCH_INDEX) {{
    const haystack = (section.page + ' ' + section.heading + ' ' + section.text).toLowerCase();
    if (words.every(w => haystack.includes(w))) {{
      const score = words.reduce((n, w) => n + (section.heading.toLowerCase().includes(w) ? 10 : 1), 0);
      hits.push([score, section]);
    }}
  }}
  hits.sort((a, b) => b[0] - a[0]);
  document.getElementById('summary').textContent =
      hits.length + (hits.length === 1 ? ' section contains ' : ' sections contain ') + 'all of: ' + words.join(', ');
  const marked = text => {{
    let out = escape(text);
    for (const w of words) {{ out = out.replace(new RegExp('(' + w.replace(/[.*+?^${{}}()|[\\]\\\\]/g, '\\\\$&') + ')', 'gi'), '<mark>$1</mark>'); }}
    return out;
  }};
  document.getElementById('results').innerHTML = hits.slice(0, 60).map(([_, s]) => {{
    const i = Math.max(0, s.text.toLowerCase().indexOf(words[0]) - 80);
    const snippet = (i > 0 ? '... ' : '') + s.text.slice(i, i + 240) + ' ...';
    return '<div class="result"><a href="' + s.url + '">' + escape(s.page) + ': ' + escape(s.heading) +
           '</a><p>' + marked(snippet) + '</p></div>';
  }}).join('');
}})();
</script>
</body>
</html>
"""


def _site_css() -> str:
    return "\n".join((TEMPLATES / name).read_text(encoding="utf-8") for name in ("lecture_a11y.css", "lecture_site.css"))


INTRO = {
    "instructor": """<p>The course notebooks in lecture order, rendered with their outputs. Each has a page, a
reveal.js slide deck (arrow keys to move, <kbd>s</kbd> for the speaker view), the notebook to
download and its student edition (answers taken out, checkers kept). Everything here works offline.</p>""",
    "student": """<p>The course notebooks in lecture order, <strong>student edition</strong>: every exercise is
left for you to solve, and the answers are not on these pages. Each notebook has a page, a reveal.js
slide deck (arrow keys to move) and the notebook to download: open it in JupyterLab, write each
exercise's function, and its checker tells you whether it is right. The result of a predict-then-run
question is folded: predict first, then open it. Everything here works offline.</p>""",
}


def _site_page(title: str, head_title: str, skip_text: str, css: str, main: str) -> str:
    """A page of the site that is not a notebook (the index, the notation page): header, MathJax, ``main``."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(head_title)}</title>
<style>
{_site_css()}
body {{ font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; }}
{css}
</style>
<script>
window.MathJax = {{tex: {{inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], processEscapes: true}}}};
</script>
<script defer src="{MATHJAX_URL}"></script>
</head>
<body class="lecture-site">
{_site_header(title, skip_text)}
<main id="content">
{main}
</main>
</body>
</html>
"""


@checked(infos=_NotebookInfos(), title=string_argument("the site's title"), notation=flag(),
         edition=choice(*EDITIONS))
def index_html(infos, title: str, notation: bool = False, edition: str = "instructor") -> str:
    """The site's index page: one entry per notebook, in the order given (and the notation page's link).

    The instructor edition's index offers both notebooks for download; the student edition's
    only the student edition, and says that the answers are not included.
    """
    entries = []
    for info in infos:
        goals = "\n".join(f"      <li>{_md(goal)}</li>" for goal in info.goals)
        number = f"{html.escape(info.number)} · " if info.number else ""
        follows = f'    <div class="follows">{_md(info.follows)}</div>\n' if info.follows else ""
        entries.append(
            f'  <li class="notebook">\n'
            f'    <h2><a href="{info.stem}.html">{number}{html.escape(info.title)}</a></h2>\n'
            f'{follows}'
            f'    <p class="links"><a href="{info.stem}.html">page</a> · '
            f'<a href="{info.stem}.slides.html">slides</a> · '
            + (f'<a href="notebooks/{info.stem}.ipynb" download>notebook</a> · ' if edition == "instructor" else "")
            + f'<a href="student/{info.stem}.ipynb" download>student edition</a></p>\n'
            f'    <p>Learning goals:</p>\n    <ul class="goals">\n{goals}\n    </ul>\n  </li>')
    symbols = ('\n<p>Every symbol, its shape, and the conventions that change from one notebook to the next: '
               '<a href="notation.html">Symbols and conventions</a>.</p>') if notation else ""
    css = """main { max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; }
ol.notebooks { list-style: none; padding: 0; }
li.notebook { border-top: 1px solid #d0d0d0; padding: 0.5rem 0 1rem; }
li.notebook h2 { font-size: 1.25rem; margin: 0.5rem 0 0.25rem; }
.follows, .links { color: #3d3d3d; margin: 0.25rem 0; }
.follows p { margin: 0; }
.goals p { margin: 0; }"""
    main = f"""<h1>{html.escape(title)}</h1>
{INTRO[edition]}{symbols}
<ol class="notebooks">
{chr(10).join(entries)}
</ol>"""
    return _site_page(title, title, "Skip to the notebooks", css, main)


@checked(markdown=string_argument("the notation page's markdown", nonempty=False),
         title=string_argument("the site's title"))
def notation_html(markdown: str, title: str) -> str:
    """The students' notation page (``notation.md``) as a page of the site."""
    css = """main { max-width: 72rem; margin: 1.5rem auto; padding: 0 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #c8c8c8; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }"""
    return _site_page(title, f"Symbols and conventions: {title}", "Skip to the symbols", css, _md(markdown))


def build_site(paths, out_dir, title: str = "Course notebooks", edition: str = "instructor",
               timeout: int = 600) -> list[Path]:
    """Render the notebooks as a static site: pages, decks, downloads, search and an index.

    Parameters
    ----------
    paths : iterable of path-like
        Executed notebooks (the instructor edition), in lecture order (their numbers sort them).
    out_dir : path-like
        Output folder: ``index.html``, ``search.html`` (+ ``search_index.js``),
        ``<stem>.html``, ``<stem>.slides.html``, ``student/<stem>.ipynb`` (the student
        edition), ``_static/`` and, for the instructor edition, ``notebooks/<stem>.ipynb``.
    title : str
        Heading of the index page and of every page's header.
    edition : {"instructor", "student"}
        ``"instructor"``: pages and decks of the notebooks as committed, every answer included
        (for instructors). ``"student"``: pages and decks of the student edition, run top to
        bottom here (:mod:`.student_site`), with no solution anywhere; the only download is the
        student edition (for students, during the term).
    timeout : int
        Student edition only: seconds one cell may take when it is run.

    Returns
    -------
    list of Path
        ``index.html`` first, then each notebook's page.

    Raises
    ------
    PublishError
        A notebook without a title cell or learning goals, or with malformed slide metadata
        (checked before anything is written).
    """
    from .editions import make_student_notebook

    if not isinstance(title, str) or not title.strip():
        raise TypeError(f"title must be a non-empty string, got {title!r}")
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, got {edition!r}")
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds (int), got {timeout!r}")
    notebooks = sorted(_read_all(paths), key=lambda item: item[0].name)
    infos = [notebook_info(nb, path.name) for path, nb in notebooks]
    _check_slide_metadata(notebooks)
    students = [make_student_notebook(nb, path.name) for path, nb in notebooks]   # checks every exercise
    if edition == "student":
        from .student_site import student_site_notebook
        shown = [(path, student_site_notebook(nb, student, path.name, path.parent, timeout))
                 for (path, nb), student in zip(notebooks, students)]
        downloads = (("student", students),)
    else:
        shown = notebooks
        downloads = (("notebooks", [nb for _, nb in notebooks]), ("student", students))
    out_dir = Path(out_dir)
    _write_decks(shown, out_dir)
    for folder, editions in downloads:
        (out_dir / folder).mkdir(exist_ok=True)
        for (path, _), nb in zip(notebooks, editions):
            nbformat.write(nb, out_dir / folder / path.name)
    pages = [{"stem": i.stem, "label": f"{i.number} · {i.title}" if i.number else i.title} for i in infos]

    def site(i):
        return {"title": title, "pages": pages, "previous": pages[i - 1] if i > 0 else None,
                "next": pages[i + 1] if i + 1 < len(pages) else None, "edition": edition}

    index_entries = []

    def finish(stem, body):
        sections = page_sections(body)
        label = next(p["label"] for p in pages if p["stem"] == stem)
        index_entries.extend({"page": label, "url": f"{stem}.html#{s['anchor']}", "heading": _plain(s["heading"]),
                              "text": _plain(s["text"])} for s in sections)
        body = body.replace(f'href="{NOTATION_PAGE}"', 'href="notation.html"')   # the title cell's link
        return label_math_headers(body.replace(TOC_MARK, toc_html(sections)))

    written = _export_all(html_exporter(), shown, out_dir, ".html", site=site, finish=finish)
    notation = next((p.parent / NOTATION_PAGE for p, _ in notebooks if (p.parent / NOTATION_PAGE).is_file()), None)
    if notation is not None:
        page = notation_html(notation.read_text(encoding="utf-8"), title)
        (out_dir / "notation.html").write_text(page, encoding="utf-8")
        index_entries.extend({"page": "Symbols and conventions", "url": f"notation.html#{s['anchor']}",
                              "heading": _plain(s["heading"]), "text": _plain(s["text"])}
                             for s in page_sections(page))
    (out_dir / "search_index.js").write_text(
        "window.SEARCH_INDEX = " + json.dumps(index_entries, ensure_ascii=False) + ";\n", encoding="utf-8")
    (out_dir / "search.html").write_text(SEARCH_PAGE.format(title=html.escape(title), site_css=_site_css(),
                                                              header=_site_header(title, "Skip to the results")),
                                          encoding="utf-8")
    index = out_dir / "index.html"
    index.write_text(index_html(infos, title, notation=notation is not None, edition=edition), encoding="utf-8")
    return [index] + written + ([out_dir / "notation.html"] if notation is not None else [])
