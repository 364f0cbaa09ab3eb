"""Notebook 06's widget: a test digit, the network's probabilities and every feature map."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .._validate import integer
from ..cnn import _check_images, _check_labels, _check_params, lenet_forward
from ..nn import softmax
from . import Explorer


def _check_inspection(x, labels, params, index):
    x = _check_images(x, _check_params(params))
    labels = _check_labels(labels, len(x), params["w3"].shape[1])
    index = integer(0, len(x) - 1)(index, "index", {})
    return x, labels, index


def inspect_digit(x, labels, params, index: int) -> dict:
    """What the network computes for one image: probabilities and every feature map.

    Parameters
    ----------
    x : (N, 1, 8, 8) array
    labels : (N,) int array
    params : dict
    index : int in 0..N-1

    Returns
    -------
    dict
        ``image`` (8, 8), ``label`` int, ``probabilities`` (n_classes,),
        ``predicted`` int, and the maps ``conv1`` (K1, 8, 8), ``pool1`` (K1, 4, 4),
        ``conv2`` (K2, 4, 4) after ReLU.
    """
    x, labels, index = _check_inspection(x, labels, params, index)
    scores, cache = lenet_forward(x[index:index + 1], params)
    probabilities = softmax(scores)[0]
    return {"image": x[index, 0], "label": int(labels[index]), "probabilities": probabilities,
            "predicted": int(probabilities.argmax()),
            "conv1": cache.maps["conv1"][0], "pool1": cache.maps["pool1"][0], "conv2": cache.maps["conv2"][0]}


def draw_digit_inspection(result: dict):
    """The image, its class probabilities, and the first and second layers' feature maps."""
    if not isinstance(result, dict) or not {"image", "probabilities", "conv1", "conv2"} <= set(result):
        raise TypeError(f"result must be the dict inspect_digit returns, got {type(result).__name__}")
    columns = 16
    rows = [("conv1", chunk) for chunk in np.array_split(result["conv1"], -(-len(result["conv1"]) // columns))]
    rows += [("conv2", chunk) for chunk in np.array_split(result["conv2"], -(-len(result["conv2"]) // columns))]
    fig = Figure(figsize=(9, 3 + 0.6 * len(rows)))
    grid = fig.add_gridspec(2 + len(rows), columns, height_ratios=[2.2, 2.2] + [1] * len(rows),
                            left=0.04, right=0.99, top=0.93, bottom=0.02, wspace=0.08, hspace=0.45)
    ax = fig.add_subplot(grid[0:2, 0:4])
    ax.imshow(result["image"], cmap="gray_r")
    ax.set_title(f"label {result['label']}, predicted {result['predicted']}", fontsize=9)
    ax.axis("off")
    ax = fig.add_subplot(grid[0:2, 6:])
    classes = np.arange(len(result["probabilities"]))
    ax.bar(classes, result["probabilities"],
           color=["tab:green" if k == result["label"] else "tab:gray" for k in classes])
    ax.set_xticks(classes)
    ax.set_ylim(0, 1)
    ax.set_title("softmax probabilities (green: true class)", fontsize=9)
    for row, (name, maps) in enumerate(rows):   # every feature map, after ReLU
        for col, feature_map in enumerate(maps):
            ax = fig.add_subplot(grid[2 + row, col])
            ax.imshow(feature_map, cmap="viridis")
            ax.set_xticks([])
            ax.set_yticks([])
            if col == 0:
                ax.set_ylabel(name, fontsize=7)
    return fig


def digit_explorer(x, labels, params):
    """Widget: a slider picks a test image; the figure shows :func:`inspect_digit`'s result.

    Returns
    -------
    lecture_utils.demos.Explorer
        Its ``result`` is the dict of :func:`inspect_digit` for the chosen index.
    """
    x, labels, _ = _check_inspection(x, labels, params, 0)

    def compute(index):
        return inspect_digit(x, labels, params, index)

    controls = {"index": widgets.IntSlider(value=0, min=0, max=len(x) - 1, step=1,
                                           description="test image")}
    return Explorer(compute, draw_digit_inspection, controls, title="Digit explorer")
