"""Notebook 01's pictures: the loss curve of gradient descent, the step-size lesson, and their learning-rate widgets."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .._validate import array, checked, instance, integer, seed
from ..linear import gradient_descent_path, loss_hessian, mse_loss, train_gradient_descent
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


# --- the step-size lesson: where the parameters go, and how fast the loss falls -------------

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00")    # colour-blind-safe, one per rate
DASHES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)))


@dataclass
class StepSizeDemo:
    """What :func:`step_size_demo` computed: one gradient-descent run per learning rate, in the Hessian's eigenbasis."""

    learning_rates: list
    paths: list                 # per rate: (T, D+1) coordinates of theta_k - theta*_k along the eigenvectors
    gaps: list                  # per rate: L - L* after each step (T,)
    eigenvalues: np.ndarray     # (D+1,) ascending
    diverged: list              # per rate: bool
    column: int                 # the output column k whose parameters are drawn


@checked(x=array("N D"), y=array("N K"), steps=integer(1, 10**4), rng=seed(), column=integer(0))
def step_size_demo(x, y, learning_rates, steps: int = 60, rng: int = 0, column: int = 0) -> StepSizeDemo:
    """Gradient descent on notebook 01's loss at several learning rates, seen along the Hessian's eigenvectors.

    The loss is quadratic (:func:`lecture_utils.linear.loss_hessian`): along the eigenvector of
    eigenvalue lambda, ``theta - theta*`` is multiplied by ``1 - eta lambda`` at every step.

    Parameters
    ----------
    x : (N, D) array
    y : (N, K) array
    learning_rates : sequence of float > 0
    steps : int
    rng : int
        Seed of the initial weights, the same for every rate.
    column : int
        The output column whose D + 1 parameters are drawn.

    Returns
    -------
    StepSizeDemo
    """
    if isinstance(learning_rates, (str, bytes)) or not hasattr(learning_rates, "__len__") or not learning_rates:
        raise TypeError(f"learning_rates must be a list of positive numbers, got {learning_rates!r}")
    if column >= y.shape[1]:
        raise ValueError(f"column must be below the number of outputs K = {y.shape[1]}, got {column}")
    eigenvalues, eigenvectors = np.linalg.eigh(loss_hessian(x))
    design = np.hstack([x, np.ones((len(x), 1))])
    optimum = np.linalg.lstsq(design, y, rcond=None)[0]                      # theta*, (D+1, K)
    best = mse_loss(design @ optimum, y)[0]
    paths, gaps, diverged = [], [], []
    for eta in learning_rates:
        path, history = gradient_descent_path(x, y, learning_rate=eta, steps=steps, rng=rng)
        paths.append((path[:, :, column] - optimum[:, column]) @ eigenvectors)
        gaps.append(np.array(history.losses) - best)
        diverged.append(history.diverged)
    return StepSizeDemo(list(learning_rates), paths, gaps, eigenvalues, diverged, column)


def _rate(eta, eigenvalues):
    """Per-step factor of the slowest error component, max |1 - eta lambda|; L - L* falls by its square."""
    return float(np.max(np.abs(1 - eta * eigenvalues)))


@checked(demo=instance(StepSizeDemo))
def draw_step_size_demo(demo: StepSizeDemo) -> Figure:
    """Left: the parameters' path in the plane of the flattest and steepest eigenvectors, on the loss's contours.
    Right: L - L* on a log scale, with the slope that the eigenvalues predict (dashed)."""
    lam = demo.eigenvalues
    fig = Figure(figsize=(10.5, 4.0))
    ax_path, ax_gap = fig.subplots(1, 2)
    rising = [bad or gap[-1] > gap[0] for gap, bad in zip(demo.gaps, demo.diverged)]
    shown = [p for p, up in zip(demo.paths, rising) if not up] or demo.paths[:1]    # a diverging path runs off the axes
    span_f = 1.15 * max(max(np.max(np.abs(p[:, 0])) for p in shown), 1e-12)
    span_s = 1.15 * max(max(np.max(np.abs(p[:, -1])) for p in shown), 1e-12)
    g1, g2 = np.meshgrid(np.linspace(-span_f, span_f, 200), np.linspace(-span_s, span_s, 200))
    in_plane = 0.5 * (lam[0] * g1 ** 2 + lam[-1] * g2 ** 2)          # L - L* on this plane through theta*
    ax_path.contour(g1, g2, in_plane, levels=np.quantile(in_plane, [0.02, 0.1, 0.25, 0.45, 0.7]), colors="0.7",
                    linewidths=0.8)
    for i, (eta, path, gap) in enumerate(zip(demo.learning_rates, demo.paths, demo.gaps)):
        style = dict(color=OKABE_ITO[i % 5], ls=DASHES[i % 5])
        label = f"eta = {eta:g}" + (" (diverging)" if rising[i] else "")
        if not rising[i]:
            ax_path.plot(path[:, 0], path[:, -1], marker="o", ms=3, lw=1.2, label=label, **style)
        ax_gap.semilogy(np.arange(len(gap)), gap, lw=1.6, label=label if rising[i] else None, **style)
        rho2 = _rate(eta, lam) ** 2
        t = np.arange(len(gap))
        ax_gap.semilogy(t, gap[-1] * rho2 ** (t - t[-1]), color=style["color"], ls=(0, (2, 2)), lw=1.0)
    ax_path.plot(0, 0, "k*", ms=10)
    ax_path.set_xlim(-span_f, span_f)
    ax_path.set_ylim(-span_s, span_s)
    ax_path.set_xlabel(f"theta - theta* along the flattest eigenvector (lambda = {lam[0]:.3f})", fontsize=11)
    ax_path.set_ylabel(f"... along the steepest (lambda = {lam[-1]:.2f})", fontsize=11)
    ax_path.set_title(f"class {demo.column}'s parameters; contours of L (star: the optimum)", fontsize=11)
    ax_path.legend(fontsize=11, loc="upper left")
    ax_gap.set_xlabel("gradient-descent step", fontsize=11)
    ax_gap.set_ylabel("L - L* (log scale)", fontsize=11)
    ax_gap.set_title("dashed: slope max|1 - eta lambda|^2 per step", fontsize=11)
    ax_gap.grid(True, which="both", alpha=0.3)
    plain_log_ticks(ax_gap)
    if any(rising):
        ax_gap.legend(fontsize=11, loc="lower left")
    for ax in (ax_path, ax_gap):
        ax.tick_params(labelsize=11)
    fig.tight_layout()
    return fig


@checked(x=array("N D"), y=array("N K"), steps=integer(1, 10**4), rng=seed())
def step_size_explorer(x, y, steps: int = 60, rng: int = 0) -> Explorer:
    """Notebook 01's widget: a learning rate -> the parameters' path on the contours and L - L* with its predicted slope.

    Returns
    -------
    lecture_utils.demos.Explorer
        Its ``result`` is the :class:`StepSizeDemo` of the one rate chosen.
    """
    def compute(learning_rate):
        return step_size_demo(x, y, [learning_rate], steps=steps, rng=rng)

    controls = {"learning_rate": widgets.FloatLogSlider(value=0.1, base=10, min=-2, max=np.log10(0.5), step=0.01,
                                                        description="learning rate")}
    return Explorer(compute, draw_step_size_demo, controls, title="Step size explorer")
