"""Write the subslide breaks RISE needs into the notebooks, measured in RISE itself.

RISE (jupyterlab-rise) shows the live notebook and splits nothing: its slides are exactly the
notebook's ``slideshow`` metadata, so a slide holding more cells than a screen runs off the
bottom. This tool opens each notebook in RISE (a real ``jupyter lab`` on 127.0.0.1, headless
Chromium, as ``tests/rise_check.py`` does), measures the height of every cell shown on a slide at
1280x720 and 1024x768, and starts a subslide before the first cell that no longer fits below the
ones before it, at either size (``slide_type: "subslide"``, only on cells of type ``-`` or
``fragment``; cell ids, sources and outputs are kept). A heading cell, or text ending in a colon,
goes with the cell after it when both fit. A cell showing a widget gets a screen of its own: saved,
RISE draws it as one line, but run in class it grows sliders and a figure.
A cell taller than the screen by itself cannot be fitted by a break: it is listed, to be shortened
or split in the notebook. The static decks (``make slides``) read the same metadata and split
what is still too tall for their larger text themselves.

Run it after the notebooks change, then commit the notebooks (it needs the ``instructor`` extra)::

    python tools/slide_breaks.py notebooks/*.ipynb            # list the breaks
    python tools/slide_breaks.py notebooks/*.ipynb --write    # and write them (make slide-breaks)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

BREAKABLE = ("-", "fragment")
WIDGET = "application/vnd.jupyter.widget-view+json"
BOTTOM_ROOM = 80     # CSS px kept free under a slide's content: the arrows' 64 (notebooks/rise.css) and a margin

# Every cell shown on a slide: its notebook index (JupyterLab's data-windowed-list-index) and its
# height with margins, all slides laid out at once; and where a full slide's content starts.
CELL_HEIGHTS_JS = """
(() => {
  // reveal.js centres a slide shorter than the screen; a full one starts at the top of the slides.
  const top = Math.max(0, document.querySelector('.reveal .slides').getBoundingClientRect().top);
  const all = document.createElement('style');
  all.textContent = '.reveal .slides section { display: block !important; }';
  document.head.appendChild(all);
  const cells = [...document.querySelectorAll('.reveal .slides section .jp-Cell')]
    .filter(c => !c.closest('aside') && c.dataset.windowedListIndex !== undefined)
    .map(c => { const s = getComputedStyle(c);
                return [Number(c.dataset.windowedListIndex),
                        c.getBoundingClientRect().height + parseFloat(s.marginTop) + parseFloat(s.marginBottom)]; });
  all.remove();
  return JSON.stringify({top, height: innerHeight, cells});
})()
"""


def rise_heights(notebooks, sizes) -> dict:
    """Notebook path -> {size: (room, screen, {cell index: height})}, measured in RISE: the room above
    the arrows and the height of the screen, both below where a slide's content starts, in CSS px."""
    import rise_check
    from browser_check import Browser, find_browser

    executable = find_browser()
    if executable is None:
        raise FileNotFoundError("no Chromium found: install Debian's chromium or set $BROWSER")
    found = {}
    with tempfile.TemporaryDirectory(prefix="rise-breaks-") as served:
        served = Path(served)
        for path in notebooks:               # copies: the lab may save what it opens
            shutil.copy(path, served / Path(path).name)
        shutil.copy(ROOT / "notebooks" / "rise.css", served / "rise.css")
        with rise_check.jupyter_lab(served) as (base, token), Browser(executable) as browser:
            for path in notebooks:
                url = f"{base}/rise/{Path(path).name}?token={token}"
                target, session, events = rise_check.open_slideshow(browser, url, *sizes[0], str(path))
                try:
                    found[path] = {}
                    for width, height in sizes:
                        rise_check._resize(browser, session, events, width, height)
                        time.sleep(0.5)      # reveal.js lays the slides out again
                        m = json.loads(rise_check._evaluate(browser, session, CELL_HEIGHTS_JS, events))
                        screen = m["height"] - m["top"]
                        found[path][(width, height)] = (screen - BOTTOM_ROOM, screen, {i: h for i, h in m["cells"]})
                finally:
                    browser.send("Target.closeTarget", {"targetId": target})
    return found


def _shows_widget(cell) -> bool:
    return any(WIDGET in output.get("data", {}) for output in cell.get("outputs", []))


def _leads_in(cell) -> bool:
    """A markdown cell that only heads or introduces the next one: a heading alone, or text ending in ':'."""
    lines = [line for line in cell.source.strip().splitlines() if line.strip()]
    return cell.cell_type == "markdown" and bool(lines) and (
        (len(lines) == 1 and lines[0].lstrip().startswith("#")) or lines[-1].rstrip().endswith(":"))


def fitting_breaks(nb, measured) -> tuple[list[str], list[str]]:
    """Where subslides must start so that each RISE slide fits at every measured size.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook measured.
    measured : dict
        {size: (room, screen, {cell index: height})} as :func:`rise_heights` gives for it.

    Returns
    -------
    (ids of the cells that should start a subslide, ids of the cells taller than the screen)
    """
    if not isinstance(nb, nbformat.NotebookNode) or "cells" not in nb:
        raise TypeError(f"nb must be a notebook read with nbformat, got {type(nb).__name__}")
    if not isinstance(measured, dict) or not measured or not all(
            isinstance(m, tuple) and len(m) == 3 and isinstance(m[2], dict) for m in measured.values()):
        raise ValueError(f"measured must be a non-empty dict of size -> (room, screen, {{cell index: height}}), "
                         f"got {measured!r:.200}")
    breaks, too_tall = [], []
    used = {size: 0.0 for size in measured}
    previous = None                     # the cell shown before this one on the same slide
    for index, cell in enumerate(nb.cells):
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        if kind in ("notes", "skip"):
            continue
        heights = {size: cells.get(index, 0.0) for size, (_, _, cells) in measured.items()}
        if _shows_widget(cell):           # saved, a widget is one line; run live, sliders and a figure
            heights = {size: max(heights[size], room) for size, (room, _, _) in measured.items()}
        if any(heights[size] > screen for size, (_, screen, _) in measured.items()):
            too_tall.append(cell.id)
        starts = kind in ("slide", "subslide")
        if not starts and previous is not None and kind in BREAKABLE and \
                any(used[size] + heights[size] > measured[size][0] for size in measured):
            starts, at = True, cell
            if _leads_in(previous[0]) and previous[0].id not in breaks and \
                    previous[0].metadata.get("slideshow", {}).get("slide_type", "-") in BREAKABLE and \
                    all(previous[1][size] + heights[size] <= measured[size][0] for size in measured):
                at = previous[0]             # a heading, or "... computed literally:", stays with what it heads
                heights = {size: heights[size] + previous[1][size] for size in heights}
            breaks.append(at.id)
        if starts:
            used = dict(heights)
        else:
            used = {size: used[size] + heights[size] for size in used}
        previous = (cell, heights)
    return breaks, too_tall


def mark_breaks(nb, cell_ids) -> list[str]:
    """Set ``slide_type: "subslide"`` on the cells with these ids; return the ids changed.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook, changed in place.
    cell_ids : iterable of str
        Cells before which a subslide should start.
    """
    if not isinstance(nb, nbformat.NotebookNode) or "cells" not in nb:
        raise TypeError(f"nb must be a notebook read with nbformat, got {type(nb).__name__}")
    wanted = set(cell_ids)
    if not all(isinstance(c, str) for c in wanted):
        raise TypeError(f"cell_ids must be strings (cell ids), got {sorted(map(repr, wanted))}")
    changed = []
    for cell in nb.cells:
        if cell.get("id") in wanted:
            show = cell.metadata.setdefault("slideshow", {})
            if show.get("slide_type", "-") in BREAKABLE:
                show["slide_type"] = "subslide"
                changed.append(cell.id)
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--write", action="store_true", help="write the breaks into the notebooks")
    args = parser.parse_args(argv)
    from deck_check import SIZES

    measured = rise_heights(args.notebooks, SIZES)
    tall = 0
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        breaks, too_tall = fitting_breaks(nb, measured[path])
        changed = mark_breaks(nb, breaks)
        print(f"{path.name}: {len(changed)} subslide breaks" + (f" ({', '.join(changed)})" if changed else ""))
        for cell_id in too_tall:
            index = [c.id for c in nb.cells].index(cell_id)
            print(f"  cell {index} ({cell_id}) is taller than the screen: shorten or split it")
        tall += len(too_tall)
        if args.write:
            nbformat.write(nb, path)
    return 1 if tall else 0


if __name__ == "__main__":
    sys.exit(main())
