"""Notebook 04's widget: SGD on a 1-D curve, learning rate, batch size and hidden units."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .._validate import array, checked, instance, integer, positive
from ..nn import MLP, train_sgd
from ..optim import History
from . import Explorer
from .style import OKABE_ITO, plain_log_ticks, styled


@dataclass
class SGDDemo:
    """Result of :func:`sgd_demo`: the training history and the fitted curve on a grid."""

    history: History
    x_grid: np.ndarray
    y_grid: np.ndarray
    x: np.ndarray
    y: np.ndarray
    settings: dict


@checked(x=array("N 1"), y=array("N 1"), learning_rate=positive(), batch_size=integer(1),
         hidden_units=integer(1, 1000), epochs=integer(0, 10**5), rng=integer(0))
def sgd_demo(x, y, learning_rate: float = 0.1, batch_size: int = 10, hidden_units: int = 3,
             epochs: int = 100, rng: int = 0) -> SGDDemo:
    """Fit a 1-H-1 tanh network to a 1-D curve with mini-batch SGD (pure: same inputs, same result).

    Parameters
    ----------
    x : (N, 1) array
        Inputs.
    y : (N, 1) array
        Targets.
    learning_rate : float > 0
    batch_size : int in 1..N
    hidden_units : int >= 1
        H, the number of tanh hidden units.
    epochs : int >= 0
    rng : int
        Seed for the initial weights and the shuffling (fixed, so only the settings change the curve).

    Returns
    -------
    SGDDemo
    """
    model = MLP([1, hidden_units, 1], ["tanh", "identity"], rng=rng)
    history = train_sgd(model, x, y, learning_rate=learning_rate, batch_size=batch_size,
                        epochs=epochs, rng=rng)
    x_grid = np.linspace(x.min(), x.max(), 200)[:, None]
    y_grid = model.predict(x_grid) if not history.diverged else np.full_like(x_grid, np.nan)
    settings = {"learning_rate": learning_rate, "batch_size": batch_size, "hidden_units": hidden_units}
    return SGDDemo(history, x_grid, y_grid, x, y, settings)


@checked(demo=instance(SGDDemo, made_by="sgd_demo"))
@styled
def draw_sgd_demo(demo: SGDDemo):
    """Two panels: cost per epoch (log scale) and the fitted curve over the data."""
    fig = Figure(figsize=(8.6, 3.3))
    ax_loss, ax_fit = fig.subplots(1, 2)
    losses = np.asarray(demo.history.losses)
    ax_loss.semilogy(np.arange(len(losses)), losses)
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training cost (MSE, log scale)")
    plain_log_ticks(ax_loss)
    status = "diverged" if demo.history.diverged else f"final cost {losses[-1]:.4f}"
    ax_loss.set_title(f"batch {demo.history.batch_size}: {status}")
    ax_loss.grid(True, which="both", alpha=0.3)
    ax_fit.plot(demo.x.ravel(), demo.y.ravel(), "o", ms=4, color=OKABE_ITO["blue"], label="data")
    ax_fit.plot(demo.x_grid.ravel(), demo.y_grid.ravel(), "-", lw=2.5, color=OKABE_ITO["vermillion"],
                label="network")
    ax_fit.set_xlabel("input x")
    ax_fit.set_ylabel("output y")
    ax_fit.set_title(f"{demo.settings['hidden_units']} tanh hidden units")
    ax_fit.legend(loc="best")
    fig.tight_layout()
    return fig


@checked(x=array("N 1"), y=array("N 1"), epochs=integer(0, 10**5), rng=integer(0))
def sgd_explorer(x, y, epochs: int = 100, rng: int = 0) -> Explorer:
    """Notebook 04's widget: learning rate, batch size and hidden units -> cost curve and fit.

    Parameters
    ----------
    x, y : (N, 1) arrays
        The curve to fit.
    epochs : int
        Passes over the data for every redraw.
    rng : int
        Seed shared by every redraw.

    Returns
    -------
    lecture_utils.demos.Explorer
        ``explorer.compute`` is :func:`sgd_demo` with x, y, epochs and rng fixed.
    """
    n = x.shape[0]

    def compute(learning_rate, batch_size, hidden_units):
        return sgd_demo(x, y, learning_rate=learning_rate, batch_size=batch_size,
                        hidden_units=hidden_units, epochs=epochs, rng=rng)

    controls = {
        "learning_rate": widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=0.5, step=0.1,
                                                description="learning rate"),
        "batch_size": widgets.IntSlider(value=min(10, n), min=1, max=n, step=1, description="batch size"),
        "hidden_units": widgets.IntSlider(value=3, min=1, max=10, step=1, description="hidden units"),
    }
    return Explorer(compute, draw_sgd_demo, controls, title="SGD explorer")
