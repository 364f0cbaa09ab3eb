"""Write the subslide breaks a deck needs into its notebook, so that RISE breaks there too.

A static deck (``make slides``) splits a slide that is too tall when it opens
(``lecture_utils/course/assets/templates/lecture_fit.js``). RISE shows the live notebook and
splits nothing: its slides are exactly the notebook's ``slideshow`` metadata. This tool builds
each notebook's deck, opens it in headless Chromium, reads the cells before which the deck
started a subslide (``LectureFit.cellBreaks()``), and sets ``slide_type: "subslide"`` on those
cells (only on cells of type ``-`` or ``fragment``; cell ids, sources and outputs are kept). A
deck's slide (20 px text) holds less than RISE's (JupyterLab's 14 px), so a break that the deck
needs is enough for RISE. A break inside one cell (a cell taller than a screen) cannot be
written as metadata: for those, RISE's ``scroll`` option is set, so that such a slide scrolls.

Run it after the notebooks change, then commit the notebooks::

    python tools/slide_breaks.py notebooks/*.ipynb            # list the breaks
    python tools/slide_breaks.py notebooks/*.ipynb --write    # and write them (make slide-breaks)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

BREAKABLE = ("-", "fragment")


def deck_breaks(decks) -> dict:
    """Deck path -> ids of the cells before which it started a subslide, read in headless Chromium."""
    from browser_check import Browser, find_browser
    from deck_check import _evaluate, _open

    executable = find_browser()
    if executable is None:
        raise FileNotFoundError("no Chromium found: install Debian's chromium or set $BROWSER")
    found = {}
    with Browser(executable) as browser:
        for deck in decks:
            events = []
            target, session = _open(browser, deck, 1024, 768, events)
            try:
                found[deck] = json.loads(_evaluate(browser, session, "(async () => { await LectureFit.settled(); "
                                                   "return JSON.stringify(LectureFit.cellBreaks()); })()", events))
            finally:
                browser.send("Target.closeTarget", {"targetId": target})
    return found


def mark_breaks(nb, cell_ids) -> list[str]:
    """Set ``slide_type: "subslide"`` on the cells with these ids; return the ids changed.

    Also sets RISE's ``scroll`` option (notebook metadata ``rise.scroll``): a slide holding one
    cell taller than the screen, which no break can shorten, then scrolls with the mouse wheel.

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
    nb.metadata.setdefault("rise", {})["scroll"] = True
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
    from lecture_utils.course.publish import build_slides

    with tempfile.TemporaryDirectory() as folder:
        decks = build_slides(args.notebooks, folder)
        breaks = deck_breaks(decks)
        for path, deck in zip(args.notebooks, decks):
            nb = nbformat.read(path, as_version=4)
            changed = mark_breaks(nb, breaks[deck])
            print(f"{path.name}: {len(changed)} subslide breaks" + (f" ({', '.join(changed)})" if changed else ""))
            if args.write:
                nbformat.write(nb, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
