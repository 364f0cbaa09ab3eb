"""Notebook 01's pictures: the loss curve of gradient descent and its learning-rate widget."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .._validate import array, checked, instance, integer
from ..linear import train_gradient_descent
from ..optim import History
from . import Explorer
from .style import plain_log_ticks, styled


@checked(losses=array("T"), title=instance(str))
@styled
def draw_loss_curve(losses, title: str = "") -> Figure:
    """Loss against step, log scale, as a standalone Figure.

    Parameters
    ----------
    losses : (T,) sequence of float
        ``losses[t]`` is the loss before update t (as in ``History.losses``).
    title : str
        Shown above the axes.
    """
    fig = Figure(figsize=(5, 3))
    ax = fig.add_subplot()
    ax.semilogy(np.arange(len(losses)), losses)
    ax.set_xlabel("gradient-descent step")
    ax.set_ylabel("loss L (log scale)")
    plain_log_ticks(ax)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig


@checked(run=instance(History))
def loss_curve_title(run) -> str:
    """One-line verdict on the :class:`~lecture_utils.optim.History` of a gradient descent, for the plot title.

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


@checked(x=array("N D"), y=array("N K"), rng=integer(0))
def loss_curve_explorer(x, y, rng=0) -> Explorer:
    """Notebook 01's demo: learning rate and number of steps -> loss curve.

    Parameters
    ----------
    x : (N, D) array
    y : (N, K) array
    rng : int
        Seed for the initial weights (the same for every redraw, so only the
        controls change the curve).

    Returns
    -------
    lecture_utils.demos.Explorer
        Its ``result`` is the :class:`~lecture_utils.optim.History` of the run.
    """
    def compute(learning_rate, steps):
        return train_gradient_descent(x, y, learning_rate=learning_rate, steps=steps, rng=rng)[1]

    def draw(run):
        return draw_loss_curve(run.losses, title=loss_curve_title(run))

    controls = {
        "learning_rate": widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=0, step=0.05,
                                                description="learning rate"),
        "steps": widgets.IntSlider(value=100, min=1, max=500, step=1, description="steps"),
    }
    return Explorer(compute, draw, controls, title="Loss curve explorer")
