"""Pictures and interactive demos: the only part of the package that imports matplotlib or ipywidgets.

One module per lecture (``demos.linear`` for notebook 01, ``demos.pyramids`` for 02, ...)
holds that notebook's drawing helpers and widgets; the lecture modules compute, these draw.

The pattern for interactive demos: a pure function plus a thin widget wrapper.

Every demo is split in two so it can be tested without a browser:

* ``compute(**values) -> result`` is a pure function of the controls' values
  (tested directly, like any other function);
* ``draw(result) -> matplotlib Figure`` turns a result into a picture.

:class:`Explorer` wires them to ipywidgets controls. On every change it calls
``compute`` then ``draw`` and shows the figure as a PNG in an ``Image`` widget, rendered by
:func:`~lecture_utils.demos.style.figure_png` like every other figure of the course (the
standard is in :mod:`lecture_utils.demos.style`).
Rendering to PNG (rather than capturing output in an ``Output`` widget) keeps
executed notebooks identical whether they ran in JupyterLab, nbconvert or nbval,
and keeps the saved notebook small. Tests set ``explorer.controls[name].value``
and read ``explorer.result``.
"""

from __future__ import annotations

import ipywidgets as widgets

from .._validate import checked, function, instance
from .style import SCREEN_DPI, figure_png, plain_log_ticks, styled, use_figure_style

__all__ = ["Explorer", "SCREEN_DPI", "figure_png", "plain_log_ticks", "styled", "use_figure_style"]


class Explorer:
    """Controls + a picture that follows them.

    Parameters
    ----------
    compute : callable
        ``compute(**values) -> result``; pure.
    draw : callable
        ``draw(result) -> Figure``.
    controls : dict of str -> ipywidgets.ValueWidget
        Keyword name -> control; their ``.value`` are passed to ``compute``.
    title : str
        Shown as the plain-text form of the widget (what a static viewer and nbval see).
    """

    @checked(compute=function(), draw=function(), title=instance(str))
    def __init__(self, compute, draw, controls: dict, title: str = "Explorer"):
        if not isinstance(controls, dict) or not controls:
            raise ValueError(f"controls must be a dict naming at least one widget, got {controls!r}")
        for name, control in controls.items():
            if not isinstance(control, widgets.ValueWidget):
                raise TypeError(f"controls[{name!r}] must be an ipywidgets control with a .value "
                                f"(IntSlider, FloatSlider, ...), got {type(control).__name__}")
        self.compute = compute
        self.draw = draw
        self.controls = dict(controls)
        self.title = title
        self.image = widgets.Image(format="png")
        self.result = None
        self.updates = 0
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.image])
        self.update()

    @property
    def values(self) -> dict:
        """The controls' current values, as passed to ``compute``."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self):
        """Recompute and redraw from the current control values."""
        self.result = self.compute(**self.values)
        png, width, _ = figure_png(self.draw(self.result))   # 2 pixels per CSS pixel: sharp on HiDPI
        self.image.value = png
        self.image.width = str(width)                       # its CSS width (the height follows)
        self.updates += 1

    def _on_change(self, change):
        self.update()

    def _repr_mimebundle_(self, **kwargs):
        # The widget view for live kernels, a short stable text for everything else.
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = f"{self.title} ({', '.join(self.controls)})"
        return bundle
