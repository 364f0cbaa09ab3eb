"""Notebook 06's pictures and widget: the lecture model's shapes, the choice of settings on validation
images, a readable confusion matrix, learned filters, a pyramid beside pooling, and a digit explorer
(a test digit, the network's probabilities and every feature map)."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from .._validate import array, check, integer, shape_tuple
from ..cnn import _check_images, _check_labels, _check_params, lenet_forward
from ..nn import softmax
from . import Explorer


def _check_inspection(x, labels, params, index):
    x = _check_images(x, _check_params(params))
    labels = _check_labels(labels, len(x), params["w3"].shape[1])
    index = integer(0, len(x) - 1)(index, "index", {})
    return x, labels, index


def _sequence(value, name, what) -> list:
    """``value`` (a list, tuple or 1-D array) as a non-empty list, or an error naming ``name`` and what it holds."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = list(value)
    if isinstance(value, (str, bytes, dict, np.ndarray)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of {what}, got {type(value).__name__} {value!r:.60}")
    if not value:
        raise ValueError(f"{name} must hold at least one of its {what}, got an empty {type(value).__name__}")
    return list(value)


def _image2d(value, name):
    return array("H W")(value, name, {})


def _check_result(result):
    """The dict :func:`inspect_digit` returns: its arrays checked (a figure of them must be drawable)."""
    keys = ("image", "label", "predicted", "probabilities", "conv1", "conv2")
    if not isinstance(result, dict) or not set(keys) <= set(result):
        raise TypeError(f"result must be the dict inspect_digit returns (keys {list(keys)}), got "
                        f"{sorted(result) if isinstance(result, dict) else type(result).__name__}")
    checked_ = {name: array(shape)(result[name], f"result[{name!r}]", {}) for name, shape in
                (("image", "H W"), ("probabilities", "C"), ("conv1", "K H W"), ("conv2", "K H W"))}
    for name in ("label", "predicted"):
        integer(0)(result[name], f"result[{name!r}]", {})
    return dict(result, **checked_)


def _check_mistakes(images, labels, predicted, indices, class_names):
    images, labels, predicted = check({"images": array("N H W | N 1 H W"), "labels": array("N", dtype="int"),
                                       "predicted": array("N", dtype="int")},
                                      {"images": images, "labels": labels, "predicted": predicted})
    for name, values in (("labels", labels), ("predicted", predicted)):
        if np.any(values < 0):
            raise ValueError(f"{name} must be class indices (>= 0), got {values.min()}")
    indices = [integer(0, len(images) - 1)(i, f"indices[{k}]", {})
               for k, i in enumerate(_sequence(indices, "indices", "image indices"))][:10]
    if class_names is not None:
        names = _sequence(class_names, "class_names", "class names")
        top = int(max(labels.max(), predicted.max()))
        if len(names) <= top:
            raise ValueError(f"class_names must name every class up to {top}, got {len(names)} names")
    return images, labels, predicted, indices


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
    result = _check_result(result)
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


# --------------------------------------------------------------------------------------
# The lecture's shapes, the choice of settings, the confusion matrix, filters, pyramid vs pooling
# --------------------------------------------------------------------------------------

def _shape_text(shape) -> str:
    return "scalar" if len(shape) == 0 else " x ".join(str(s) for s in shape)


def _check_stages(stages, steps):
    stages = _sequence(stages, "stages", "(name, shape) pairs")
    if not all(isinstance(st, (tuple, list)) and len(st) == 2 and isinstance(st[1], (tuple, list)) for st in stages):
        raise TypeError(f"stages must be a list of (name, shape) pairs such as ('X', (100, 22, 22)), "
                        f"got {stages!r:.80}")
    stages = [(str(name), shape_tuple(range(8), 10**6)(shape, f"the shape of stage {name}", {}))
              for name, shape in stages]
    steps = [str(step) for step in _sequence(steps, "steps", "operation names (str)")]
    if len(stages) < 2 or len(steps) != len(stages) - 1:
        raise ValueError(f"steps must name the {max(len(stages) - 1, 1)} operation(s) between the "
                         f"{len(stages)} stages, got {len(steps)}")
    return stages, steps


def draw_shape_pipeline(stages, steps):
    """Boxes and arrows: each stage of a network with its shape, each arrow with its operation.

    Parameters
    ----------
    stages : sequence of (name, shape)
        e.g. ``[("X", (100, 22, 22)), ("Z1", (100, 20, 20)), ...]``, in order.
    steps : sequence of str
        The operation on each arrow, one fewer than the stages (``"\\n"`` breaks a line).

    Returns
    -------
    matplotlib.figure.Figure
    """
    stages, steps = _check_stages(stages, steps)
    n = len(stages)
    box, gap = 1.3, 0.95                      # widths of a stage's box and of an arrow, in axis units
    fig = Figure(figsize=(1.3 * n + 0.95 * (n - 1), 2.1))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(-0.05, n * box + (n - 1) * gap + 0.05)
    ax.set_ylim(0, 1)
    ax.axis("off")
    for i, (name, shape) in enumerate(stages):
        x = i * (box + gap)
        ax.add_patch(FancyBboxPatch((x + 0.04, 0.52), box - 0.08, 0.36, boxstyle="round,pad=0.02",
                                    fc="#dbe9f6", ec="#08519c", lw=1.5))
        ax.text(x + box / 2, 0.77, name, ha="center", va="center", fontsize=12, weight="bold")
        ax.text(x + box / 2, 0.61, _shape_text(shape), ha="center", va="center", fontsize=10)
    for i, step in enumerate(steps):
        x = i * (box + gap) + box
        ax.add_patch(FancyArrowPatch((x + 0.02, 0.7), (x + gap - 0.02, 0.7), arrowstyle="-|>", mutation_scale=14,
                                     color="#333333", lw=1.3))
        ax.text(x + gap / 2, 0.45, step, ha="center", va="top", fontsize=10)
    return fig


def _check_curves(curves, chosen):
    """curves: label -> (costs, accuracies in [0, 1]) of fitting lengths; chosen: None or (label, t) inside them."""
    if not isinstance(curves, dict) or not curves:
        raise ValueError(f"curves must be a dict label -> (costs, accuracies), got {type(curves).__name__}")
    checked_ = {}
    for label, pair in curves.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"curves[{label!r}] must be a pair (costs, accuracies), got {type(pair).__name__}")
        costs = array("T")(pair[0], f"curves[{label!r}] costs", {})
        accuracies = array("A")(pair[1], f"curves[{label!r}] accuracies", {})
        if len(accuracies) - len(costs) not in (0, 1):
            raise ValueError(f"curves[{label!r}]: {len(costs)} costs do not fit {len(accuracies)} accuracies")
        checked_[label] = (costs, accuracies)
    if chosen is not None:
        if not isinstance(chosen, (tuple, list)) or len(chosen) != 2 or chosen[0] not in checked_:
            raise ValueError(f"chosen must be None or a pair (label, t) with a label of curves, got {chosen!r:.60}")
        integer(0, len(checked_[chosen[0]][1]) - 1)(chosen[1], "chosen's t", {})
    return checked_, chosen


def draw_validation_curves(curves, xlabel, cost_label, chosen=None):
    """Two panels: the training cost and the validation accuracy of each setting, step by step.

    Parameters
    ----------
    curves : dict of label -> (costs, accuracies)
        Per setting: the validation accuracy (fractions in [0, 1]) after 0, 1, ... updates (or
        epochs), and the training cost at the same points or, one fewer, during updates 1, 2, ...
        (e.g. an epoch's mean mini-batch cost).
    xlabel, cost_label : str
    chosen : (label, t), optional
        The setting and the update count chosen, marked on the accuracy panel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    curves, chosen = _check_curves(curves, chosen)
    fig = Figure(figsize=(9.5, 3.1))
    ax_cost, ax_acc = fig.subplots(1, 2)
    for label, (costs, accuracies) in curves.items():
        first = len(accuracies) - len(costs)          # 0: costs at 0, 1, ...; 1: costs during 1, 2, ...
        if first not in (0, 1):
            raise ValueError(f"curves[{label!r}]: {len(costs)} costs do not fit {len(accuracies)} accuracies")
        line, = ax_cost.semilogy(np.arange(first, first + len(costs)), costs, label=label)
        ax_acc.plot(np.arange(len(accuracies)), 100 * np.asarray(accuracies), color=line.get_color(), label=label)
    if chosen is not None:
        label, t = chosen
        ax_acc.plot([t], [100 * curves[label][1][t]], "k*", ms=14, label=f"chosen: {label}, {t}")
    ax_cost.set(xlabel=xlabel, ylabel=cost_label)
    ax_acc.set(xlabel=xlabel, ylabel="validation accuracy (%)")
    for ax in (ax_cost, ax_acc):
        ax.xaxis.label.set_size(10)
        ax.yaxis.label.set_size(10)
        ax.tick_params(labelsize=10)
    ax_acc.legend(fontsize=10, loc="lower right")
    fig.tight_layout()
    return fig


def draw_confusion_matrix(counts, class_names=None):
    """The confusion matrix with every count written in its cell and the diagonal set apart.

    The off-diagonal cells (the mistakes) are coloured on their own scale, so one or two
    errors stand out instead of vanishing next to a diagonal of 45s; the diagonal (correct
    answers) is grey, its counts in bold.

    Parameters
    ----------
    counts : (C, C) int array
        Rows: true class; columns: predicted class (:func:`lecture_utils.cnn.confusion_matrix`).
    class_names : sequence of C str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    counts, = check({"counts": array("C C", dtype="int")}, {"counts": counts})
    if np.any(counts < 0):
        raise ValueError(f"counts must be counts (>= 0), got {counts.min()}")
    C = counts.shape[0]
    names = ([str(k) for k in range(C)] if class_names is None
             else [str(name) for name in _sequence(class_names, "class_names", "class names")])
    if len(names) != C:
        raise ValueError(f"class_names must name the {C} classes, got {len(names)}")
    diagonal = np.eye(C, dtype=bool)
    errors = np.where(diagonal, 0, counts)
    top = max(1, int(errors.max()))
    fig = Figure(figsize=(5.6, 4.6))
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="white")
    image = ax.imshow(np.ma.masked_array(errors, errors == 0), cmap=cmap, vmin=0, vmax=top)
    bar = fig.colorbar(image, ax=ax, label="mistakes (off-diagonal count)")
    bar.set_ticks(range(0, top + 1, max(1, top // 5)))
    for i in range(C):                            # the correct answers: grey, apart from the colour scale
        ax.add_patch(Rectangle((i - 0.5, i - 0.5), 1, 1, fc="0.85", ec="none"))
    for (i, j), n in np.ndenumerate(counts):
        if diagonal[i, j]:
            ax.text(j, i, str(n), ha="center", va="center", fontsize=10, weight="bold")
        elif n:
            ax.text(j, i, str(n), ha="center", va="center", fontsize=10,
                    color="black" if n > 0.6 * top else "white")
    ax.set_xticks(np.arange(-0.5, C), minor=True)
    ax.set_yticks(np.arange(-0.5, C), minor=True)
    ax.grid(which="minor", color="0.9", lw=0.5)
    ax.tick_params(which="minor", length=0)
    ax.set_xticks(range(C), names, fontsize=10)
    ax.set_yticks(range(C), names, fontsize=10)
    ax.set_xlabel("predicted class", fontsize=10)
    ax.set_ylabel("true class", fontsize=10)
    ax.set_title(f"{int(np.trace(counts))} of {int(counts.sum())} right (grey diagonal)", fontsize=10)
    fig.tight_layout()
    return fig


def draw_filter_rows(rows, title=""):
    """Rows of small filters on one diverging colour scale centred at 0 (red > 0, blue < 0).

    Parameters
    ----------
    rows : sequence of (label, (K, R, S) array)
        Each row's label and its filters.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = _sequence(rows, "rows", "(label, filters) pairs")
    if not all(isinstance(row, (tuple, list)) and len(row) == 2 for row in rows):
        raise TypeError(f"rows must be a list of (label, filters) pairs, got {rows!r:.80}")
    rows = [(str(label), array("K R S | R S")(bank, f"the filters of row {label!r}", {})) for label, bank in rows]
    rows = [(label, bank.reshape(-1, *bank.shape[-2:])) for label, bank in rows]
    columns = max(len(bank) for _, bank in rows)
    limit = max(float(np.abs(bank).max()) for _, bank in rows) or 1.0
    height = 0.78 * len(rows) + (0.75 if title else 0.3)
    top = 1 - (0.55 if title else 0.15) / height
    fig = Figure(figsize=(max(4.0, 0.62 * columns + 2.6), height))
    grid = fig.add_gridspec(len(rows), columns + 1, width_ratios=[1] * columns + [0.25], wspace=0.3, hspace=0.2,
                            left=0.2, right=0.93, top=top, bottom=0.15 / height)
    for r, (label, bank) in enumerate(rows):
        for k in range(columns):
            ax = fig.add_subplot(grid[r, k])
            ax.axis("off")
            if k < len(bank):
                image = ax.imshow(bank[k], cmap="RdBu_r", vmin=-limit, vmax=limit)
        box = fig.axes[-1].get_position()           # the row's last panel: its vertical extent
        fig.text(0.19, (box.y0 + box.y1) / 2, label, ha="right", va="center", fontsize=10)
    fig.colorbar(image, cax=fig.add_subplot(grid[:, columns]), label="weight")
    if title:
        fig.suptitle(title, fontsize=11, y=1 - 0.12 / height)
    return fig


def draw_mistakes(images, labels, predicted, indices, class_names=None):
    """The misclassified images, each titled with its true and predicted class (at most 10)."""
    images, labels, predicted, indices = _check_mistakes(images, labels, predicted, indices, class_names)
    name = (lambda k: str(k)) if class_names is None else (lambda k: str(class_names[k]))
    fig = Figure(figsize=(1.15 * len(indices) + 0.3, 1.75))
    axes = np.atleast_1d(fig.subplots(1, len(indices)))
    for ax, i in zip(axes, indices):
        ax.imshow(images[i].reshape(images.shape[-2:]), cmap="gray_r")
        ax.set_title(f"true {name(labels[i])}\nsaid {name(predicted[i])}", fontsize=10)
        ax.axis("off")
    fig.tight_layout()
    return fig


def draw_pyramid_vs_pooling(image, pyramid, cnn_maps):
    """Two rows: a Gaussian pyramid of the image (fixed blur, keep every second sample) and the
    maps of a CNN at the same sizes (learned filters, ReLU, max over 2 x 2).

    Parameters
    ----------
    image : (H, W) array
    pyramid : sequence of 2-D arrays
        The pyramid's levels, finest first (the image, H/2, H/4, ...).
    cnn_maps : sequence of (label, 2-D array)
        One map per stage of the network, finest first.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _image2d(image, "image")
    pyramid = [_image2d(level, f"pyramid[{k}]") for k, level in enumerate(_sequence(pyramid, "pyramid", "2-D levels"))]
    cnn_maps = _sequence(cnn_maps, "cnn_maps", "(label, 2-D map) pairs")
    if not all(isinstance(m, (tuple, list)) and len(m) == 2 for m in cnn_maps):
        raise TypeError(f"cnn_maps must be a list of (label, 2-D map) pairs, got {cnn_maps!r:.80}")
    cnn_maps = [(label, _image2d(m, f"cnn_maps[{k}]")) for k, (label, m) in enumerate(cnn_maps)]
    columns = max(len(pyramid), len(cnn_maps))
    fig = Figure(figsize=(2.0 * columns + 1.6, 4.4))
    grid = fig.add_gridspec(2, columns, hspace=0.55, wspace=0.3, left=0.2, right=0.98, top=0.88, bottom=0.03)
    for k, level in enumerate(pyramid):
        ax = fig.add_subplot(grid[0, k])
        ax.imshow(level, cmap="gray_r")
        ax.set_title(f"level {k + 1}: {level.shape[0]}x{level.shape[1]}", fontsize=10)
        ax.axis("off")
    for k, (label, feature_map) in enumerate(cnn_maps):
        ax = fig.add_subplot(grid[1, k])
        ax.imshow(feature_map, cmap="viridis")
        ax.set_title(f"{label}: {feature_map.shape[0]}x{feature_map.shape[1]}", fontsize=10)
        ax.axis("off")
    fig.text(0.01, 0.7, "Gaussian pyramid\n(fixed blur,\nkeep every 2nd)", fontsize=10, va="center")
    fig.text(0.01, 0.25, "LeNet\n(learned filters,\nReLU, max 2x2)", fontsize=10, va="center")
    return fig
