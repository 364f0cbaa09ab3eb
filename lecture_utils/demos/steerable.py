"""Notebook 03's pictures: the steered-derivative widget (kernel and image response)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from scipy import ndimage

from .._validate import array, checked, real
from ..steerable import POSITIVE_ORDER, SIGMA, basis_angles, directional_derivative_kernel, steer_basis
from . import Explorer


@checked(kernel=array("S S"), response=array("H W"), angle=real())
def draw_orientation(kernel, response, angle) -> Figure:
    """The steered kernel and the image's response side by side, zero in white.

    Parameters
    ----------
    kernel : (S, S) array
        The steered filter.
    response : (H, W) array
        The image filtered with it.
    angle : float
        The steering angle in radians (shown in degrees in the title).
    """
    fig = Figure(figsize=(6.4, 3.0))
    ax_k, ax_r = fig.subplots(1, 2)
    for ax, values in ((ax_k, kernel), (ax_r, response)):
        lim = np.max(np.abs(values))
        ax.imshow(values, cmap="RdBu_r", vmin=-lim, vmax=lim)   # symmetric limits: 0 is white
        ax.set_axis_off()
    ax_k.set_title(f"kernel at {np.degrees(angle):.0f} deg")
    ax_r.set_title("steered response")
    fig.tight_layout()
    return fig


@checked(image=array("H W"), sigma=SIGMA, order=POSITIVE_ORDER)
def orientation_explorer(image, sigma=2.0, order=1) -> Explorer:
    """Widget: an angle slider steering the filter and the image response.

    The ``order + 1`` basis convolutions are done once; moving the slider only
    recombines them (:func:`~lecture_utils.steerable.steer_basis`), which is the
    point of steerability.

    Parameters
    ----------
    image : (H, W) array
    sigma : float
        Gaussian scale in pixels.
    order : int
        Derivative order N, 1 <= N <= 100.

    Returns
    -------
    Explorer
        ``compute(angle_deg)`` returns a dict with ``angle`` (radians), ``kernel``
        and ``response`` (steered), tested headless.
    """
    kernels = np.stack([directional_derivative_kernel(sigma, t, order) for t in basis_angles(order)])
    responses = np.stack([ndimage.convolve(image, k, mode="reflect") for k in kernels])

    def compute(angle_deg):
        angle = np.radians(angle_deg)
        return {"angle": angle, "kernel": steer_basis(kernels, angle), "response": steer_basis(responses, angle)}

    controls = {"angle_deg": widgets.IntSlider(value=60, min=0, max=180, step=5, description="angle (deg)")}
    return Explorer(compute, lambda result: draw_orientation(**result), controls,
                    title="Steered derivative explorer")
