"""What a slide shows of each cell: the rules of the decks built for presenting.

A notebook cell becomes part of a slide (``metadata.slideshow.slide_type``, as in JupyterLab's
property inspector); this module decides what of it the slide shows, the same way for every
notebook, so that a new cell or figure needs no hand-tuning:

* **code**: shown, except in a cell that draws a figure (a plot, an image, a widget's picture):
  on a slide the figure is the point, the code that draws it stays on the page and in the
  notebook. ``metadata.lecture_utils.slides.code`` (``"show"`` or ``"hide"``) overrides the
  default for one cell.
* **output**: shown; ``metadata.lecture_utils.slides.output = "hide"`` leaves it to the page.
* **prompts** (``In [3]:``) are never shown on a slide (the deck's stylesheet), so code and
  figures get the slide's whole width.

Cells of slide type ``notes`` become the speaker notes of their slide (an ``<aside class="notes">``,
hidden on the slide, shown in the speaker view, key ``s``); on a page they are folded under
"Speaker notes" (``lecture_lab`` template), and RISE keeps them off its slides too. How long
slides are split into subslides and how figures and equations are sized is done in the browser,
where their real sizes are known (``assets/templates/lecture_fit.js``).
"""

from __future__ import annotations

import copy

from nbconvert.preprocessors import Preprocessor

SLIDES_KEY = "slides"   # metadata.lecture_utils.slides
CHOICES = {"code": ("show", "hide"), "output": ("show", "hide")}
FIGURE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml", "application/pdf")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class SlideMetadataError(ValueError):
    """A cell whose ``metadata.lecture_utils.slides`` is malformed; names the notebook and cell."""


def shows_figure(cell) -> bool:
    """Whether a code cell displays a picture (in any image format, or a widget that draws one)."""
    if not hasattr(cell, "get") or "cell_type" not in cell:
        raise TypeError(f"cell must be a notebook cell (a dict with a cell_type), got {type(cell).__name__}")
    if cell.get("cell_type") != "code":
        return False
    return any(set(output.get("data", {})) & {*FIGURE_TYPES, WIDGET_VIEW} for output in cell.get("outputs", []))


def slide_choices(cell, where: str = "cell") -> dict:
    """What a slide shows of ``cell``: ``{"code": "show"|"hide", "output": "show"|"hide"}``.

    Defaults: a cell that shows a figure hides its code (:func:`shows_figure`), every other
    cell shows it; outputs are shown. ``metadata.lecture_utils.slides`` overrides them.

    Parameters
    ----------
    cell : dict-like
        A notebook cell (nbformat 4).
    where : str
        Names the notebook and cell in error messages, e.g. ``"02_x.ipynb, cell 7"``.

    Raises
    ------
    SlideMetadataError
        The metadata is not a dict, has an unknown key or a value other than ``"show"``/``"hide"``.
    """
    if not hasattr(cell, "get") or "cell_type" not in cell:
        raise TypeError(f"cell must be a notebook cell (a dict with a cell_type), got {type(cell).__name__}")
    if not isinstance(where, str):
        raise TypeError(f"where must be a string naming the cell, got {type(where).__name__}")
    given = cell.get("metadata", {}).get("lecture_utils", {}).get(SLIDES_KEY, {})
    if not isinstance(given, dict):
        raise SlideMetadataError(f"{where}: metadata lecture_utils.{SLIDES_KEY} must be a dict such as "
                                 f'{{"code": "show"}}, got {given!r}')
    for key, value in given.items():
        if key not in CHOICES:
            raise SlideMetadataError(f"{where}: metadata lecture_utils.{SLIDES_KEY} has the unknown key {key!r}; "
                                     f"expected one of {sorted(CHOICES)}")
        if value not in CHOICES[key]:
            raise SlideMetadataError(f"{where}: metadata lecture_utils.{SLIDES_KEY}.{key} must be "
                                     f"{' or '.join(map(repr, CHOICES[key]))}, got {value!r}")
    choices = {"code": "hide" if shows_figure(cell) else "show", "output": "show"}
    choices.update(given)
    return choices


class SlideContentPreprocessor(Preprocessor):
    """Apply :func:`slide_choices` to a notebook on its way into a deck (not into a page).

    Hidden code is marked ``metadata.transient.remove_source`` (nbconvert's own mark, honoured by
    its templates); hidden outputs are dropped. Runs on a copy: the notebook is not changed.
    """

    def preprocess(self, nb, resources):
        name = (resources or {}).get("metadata", {}).get("name", "notebook")
        nb = copy.deepcopy(nb)
        for index, cell in enumerate(nb.cells):
            choices = slide_choices(cell, f"{name}.ipynb, cell {index}")
            if cell.cell_type != "code":
                continue
            if choices["code"] == "hide":
                cell.metadata.setdefault("transient", {})["remove_source"] = True
            if choices["output"] == "hide":
                cell.outputs = []
        return nb, resources


def check_slide_metadata(nb, name: str) -> None:
    """Raise :class:`SlideMetadataError` naming the first cell whose slide metadata is malformed."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string (the notebook's file name), got {name!r}")
    if not hasattr(nb, "get") or "cells" not in nb:
        raise TypeError(f"nb must be a notebook read with nbformat, got {type(nb).__name__}")
    for index, cell in enumerate(nb["cells"]):
        slide_choices(cell, f"{name}, cell {index}")
