"""The pattern for interactive demos: a pure function plus a thin widget wrapper.

Every demo is split in two so it can be tested without a browser:

* ``compute(**values) -> result`` is a pure function of the controls' values
  (tested directly, like any other function);
* ``draw(result) -> matplotlib Figure`` turns a result into a picture.

:class:`Explorer` wires them to ipywidgets controls. On every change it calls
``compute`` then ``draw`` and shows the figure as a PNG in an ``Image`` widget.
Rendering to PNG (rather than capturing output in an ``Output`` widget) keeps
executed notebooks identical whether they ran in JupyterLab, nbconvert or nbval,
and keeps the saved notebook small. Tests set ``explorer.controls[name].value``
and read ``explorer.result``.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .linear import train_gradient_descent


def figure_to_png(fig: Figure, dpi: int = 72) -> bytes:
    """Render a matplotlib Figure to PNG bytes without touching pyplot's state."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


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

    def __init__(self, compute, draw, controls: dict, title: str = "Explorer"):
        if not controls:
            raise ValueError("controls must name at least one widget")
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
        fig = self.draw(self.result)
        self.image.value = figure_to_png(fig)
        self.updates += 1

    def _on_change(self, change):
        self.update()

    def _repr_mimebundle_(self, **kwargs):
        # The widget view for live kernels, a short stable text for everything else.
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = f"{self.title} ({', '.join(self.controls)})"
        return bundle


def draw_loss_curve(losses, title: str = "") -> Figure:
    """Loss against step, log scale, as a standalone Figure.

    Parameters
    ----------
    losses : (T,) sequence of float
        ``losses[t]`` is the loss before update t (as in ``TrainingRun.losses``).
    title : str
        Shown above the axes.
    """
    fig = Figure(figsize=(5, 3))
    ax = fig.add_subplot()
    ax.semilogy(np.arange(len(losses)), losses)
    ax.set_xlabel("gradient-descent step")
    ax.set_ylabel("loss L")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig


def loss_curve_title(run) -> str:
    """One-line verdict on a :class:`~lecture_utils.linear.TrainingRun`, for the plot title.

    Gradient descent on a quadratic loss with a stable learning rate lowers the loss at
    every step, so a loss that rose over the last step means the rate is above the limit
    even while the loss is still small ("diverging"); "diverged" means training stopped
    because the loss passed 1e12.
    """
    losses = run.losses
    if run.diverged:
        return f"diverged: loss above 1e12 after {len(losses) - 1} steps"
    if len(losses) > 1 and losses[-1] > losses[-2] * (1 + 1e-9):
        return f"diverging: loss rising, {losses[-1]:.3g} after {len(losses) - 1} steps"
    return f"final loss {losses[-1]:.4f}"


def loss_curve_explorer(x, y, rng=0) -> Explorer:
    """Notebook 01's demo: learning rate and number of steps -> loss curve.

    Parameters
    ----------
    x : (N, D) array
    y : (N, K) array
    rng : int
        Seed for the initial weights (the same for every redraw, so only the
        controls change the curve).
    """
    def compute(learning_rate, steps):
        return train_gradient_descent(x, y, learning_rate=learning_rate, steps=steps, rng=rng)

    def draw(run):
        return draw_loss_curve(run.losses, title=loss_curve_title(run))

    controls = {
        "learning_rate": widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=0, step=0.05,
                                                description="learning rate"),
        "steps": widgets.IntSlider(value=100, min=1, max=500, step=1, description="steps"),
    }
    return Explorer(compute, draw, controls, title="Loss curve explorer")
