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
from .style import COLUMN_CSS_PX, OKABE_ITO, diagram_canvas, plain_log_ticks, styled


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


@styled
def draw_digit_inspection(result: dict):
    """The image, its class probabilities, and the first and second layers' feature maps.

    The maps of a layer are divided by the layer's largest activation (written beside the layer's
    name) and share one colour bar from 0 (a unit that did not fire) to 1, so that a bright map
    fired more than a dark one.
    """
    result = _check_result(result)
    columns = 16
    tops = {layer: float(result[layer].max()) or 1.0 for layer in ("conv1", "conv2")}
    rows = [(layer, chunk / tops[layer]) for layer in ("conv1", "conv2")
            for chunk in np.array_split(result[layer], -(-len(result[layer]) // columns))]
    fig = Figure(figsize=(10.4, 3.9 + 0.62 * len(rows)))
    grid = fig.add_gridspec(3 + len(rows), columns + 1, height_ratios=[2.2, 2.2, 0.7] + [1] * len(rows),
                            width_ratios=[1] * columns + [0.3],          # row 2: room for the bars' x label
                            left=0.1, right=0.93, top=0.93, bottom=0.02, wspace=0.08, hspace=0.45)
    ax = fig.add_subplot(grid[0:2, 0:4])
    ax.imshow(result["image"], cmap="gray_r")
    ax.set_title(f"label {result['label']}, predicted {result['predicted']}")
    ax.axis("off")
    ax = fig.add_subplot(grid[0:2, 7:])
    classes = np.arange(len(result["probabilities"]))
    ax.bar(classes, result["probabilities"],
           color=[OKABE_ITO["blue"] if k == result["label"] else "0.7" for k in classes])
    ax.set_xticks(classes)
    ax.set_ylim(0, 1)
    ax.set_xlabel("class")
    ax.set_ylabel("probability")
    ax.set_title("softmax probabilities (blue: true class)")
    labelled = set()
    for row, (layer, maps) in enumerate(rows):   # every feature map, after ReLU
        for col, feature_map in enumerate(maps):
            ax = fig.add_subplot(grid[3 + row, col])
            image = ax.imshow(feature_map, cmap="viridis", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if col == 0 and layer not in labelled:
                ax.set_ylabel(f"{layer}\nmax {tops[layer]:.2g}", rotation=0, ha="right", va="center")
                labelled.add(layer)
    bar = fig.colorbar(image, cax=fig.add_subplot(grid[3:, columns]), ticks=[0, 0.5, 1])
    bar.set_label("activation / layer's largest")
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


@styled
def draw_shape_pipeline(stages, steps):
    """Boxes and arrows: each stage of a network with its shape, each arrow with its operation.

    As many stages per row as fit the notebook's column; a row that does not start the pipeline
    is entered from the left by the arrow of the operation that leads to it.

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
    box, gap, height, margin = 100, 116, 50, 6        # CSS pixels: a stage's box, an arrow, a box's height
    per_row = max(2, (COLUMN_CSS_PX - 2 * margin + gap) // (box + gap))
    rows = [list(range(0, min(per_row, len(stages))))]
    while rows[-1][-1] < len(stages) - 1:              # later rows start with their incoming arrow
        start = rows[-1][-1] + 1
        rows.append(list(range(start, min(start + per_row - 1, len(stages)))))
    row_height, top = 128, 36                          # the last row's operations need 56 pixels below it
    fig, ax = diagram_canvas(2 * margin + per_row * box + (per_row - 1) * gap, len(rows) * row_height - 44)
    centres = {}
    for r, row in enumerate(rows):
        y = (len(rows) - r) * row_height - 44 - top
        for k, i in enumerate(row):
            centres[i] = (margin + (k + (r > 0)) * (box + gap) + box / 2, y)
    for i, (name, shape) in enumerate(stages):
        x, y = centres[i]
        ax.add_patch(FancyBboxPatch((x - box / 2 + 3, y - height / 2), box - 6, height, boxstyle="round,pad=2",
                                    fc="#dbe9f6", ec="#08519c", lw=1.5))
        ax.text(x, y + 10, name, ha="center", va="center", fontsize=12, weight="bold")
        ax.text(x, y - 11, _shape_text(shape), ha="center", va="center")
    for i, step in enumerate(steps):
        (x0, y0), (x1, y1) = centres[i], centres[i + 1]
        start = x0 + box / 2 if y0 == y1 else margin
        if y0 != y1:                                    # down from the row's last box, back to the left margin
            turn = y1 + row_height / 2 - 4
            ax.plot([x0, x0, margin, margin], [y0 - height / 2 - 2, turn, turn, y1], color="#333333", lw=1.3)
        ax.add_patch(FancyArrowPatch((start + 2, y1), (x1 - box / 2 + 1, y1), arrowstyle="-|>", mutation_scale=14,
                                     color="#333333", lw=1.3))
        ax.text((start + x1 - box / 2) / 2, y1 - 8, step, ha="center", va="top")
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


@styled
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
    plain_log_ticks(ax_cost)
    ax_acc.set(xlabel=xlabel, ylabel="validation accuracy (%)")
    ax_acc.legend(loc="lower right")
    fig.tight_layout()
    return fig


@styled
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
            ax.text(j, i, str(n), ha="center", va="center", weight="bold")
        elif n:
            ax.text(j, i, str(n), ha="center", va="center", color="black" if n > 0.6 * top else "white")
    ax.set_xticks(np.arange(-0.5, C), minor=True)
    ax.set_yticks(np.arange(-0.5, C), minor=True)
    ax.grid(which="minor", color="0.9", lw=0.5)
    ax.tick_params(which="minor", length=0)
    ax.set_xticks(range(C), names)
    ax.set_yticks(range(C), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(f"{int(np.trace(counts))} of {int(counts.sum())} right (grey diagonal)")
    fig.tight_layout()
    return fig


@styled
def draw_filter_rows(rows, title="", column_labels=None):
    """Rows of small filters on one diverging colour scale centred at 0 (red > 0, blue < 0), with its colour bar.

    Each filter is drawn as large as the notebook's column allows (up to 64 CSS pixels a side),
    every weight a square.

    Parameters
    ----------
    rows : sequence of (label, (K, R, S) array)
        Each row's label (``"\\n"`` breaks a line) and its filters.
    title : str
    column_labels : sequence of str, optional
        Written above the columns (e.g. ``["filter 0", "filter 1", ...]``).

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
    column_labels = [] if column_labels is None else [str(c) for c in column_labels]
    if len(column_labels) not in (0, columns):
        raise ValueError(f"column_labels must name the {columns} columns, got {len(column_labels)}")
    limit = max(float(np.abs(bank).max()) for _, bank in rows) or 1.0
    space, bar_room = 6, 84                           # CSS pixels between filters; the colour bar and its labels
    label_room = 12 + 6.6 * max(len(line) for label, _ in rows for line in label.split("\n"))
    cell = int(np.clip((COLUMN_CSS_PX - 16 - label_room - bar_room) / columns - space, 24, 64))
    head = (24 if title else 4) + (18 if column_labels else 0)
    width = label_room + columns * (cell + space) + bar_room
    height = head + len(rows) * (cell + space) + 4
    fig = Figure(figsize=(width / 72, height / 72))

    def axes(left, bottom, w, h):                     # a box in CSS pixels from the bottom left
        return fig.add_axes([left / width, bottom / height, w / width, h / height])

    for r, (label, bank) in enumerate(rows):
        top = height - head - r * (cell + space)
        for k, kernel in enumerate(bank):
            ax = axes(label_room + k * (cell + space), top - cell, cell, cell)
            image = ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.axis("off")
        fig.text((label_room - 10) / width, (top - cell / 2) / height, label, ha="right", va="center")
    for k, name in enumerate(column_labels):
        fig.text((label_room + k * (cell + space) + cell / 2) / width, (height - head + 3) / height, name,
                 ha="center", va="bottom")
    bottom = height - head - len(rows) * (cell + space) + space
    bar = fig.colorbar(image, cax=axes(label_room + columns * (cell + space) + 4, bottom, 12,
                                       height - head - bottom))
    bar.set_label("weight")
    if title:
        fig.text(0.5, 1 - 4 / height, title, ha="center", va="top", fontsize=12)
    return fig


@styled
def draw_mistakes(images, labels, predicted, indices, class_names=None):
    """The misclassified images, each titled with its true and predicted class (at most 10)."""
    images, labels, predicted, indices = _check_mistakes(images, labels, predicted, indices, class_names)
    name = (lambda k: str(k)) if class_names is None else (lambda k: str(class_names[k]))
    fig = Figure(figsize=(1.0 * len(indices) + 0.2, 1.8))
    axes = np.atleast_1d(fig.subplots(1, len(indices)))
    for ax, i in zip(axes, indices):
        ax.imshow(images[i].reshape(images.shape[-2:]), cmap="gray_r")
        ax.set_title(f"true {name(labels[i])}\nsaid {name(predicted[i])}")
        ax.axis("off")
    fig.tight_layout()
    return fig


@styled
def draw_pyramid_vs_pooling(image, pyramid, cnn_maps):
    """Two rows: a Gaussian pyramid of the image (fixed blur, keep every second sample) and the
    maps of a CNN at the same sizes (learned filters, ReLU, max over 2 x 2), each with its colour bar.

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
    fig = Figure(figsize=(2.05 * columns + 1.5, 3.9), layout="constrained")
    axes = fig.subplots(2, columns, squeeze=False)
    shown = [(k, 0, level, f"level {k + 1}: {level.shape[0]}x{level.shape[1]}", "gray_r", "intensity")
             for k, level in enumerate(pyramid)]
    shown += [(k, 1, feature_map, f"{label}: {feature_map.shape[0]}x{feature_map.shape[1]}", "viridis", "activation")
              for k, (label, feature_map) in enumerate(cnn_maps)]
    for k, row, values, title, cmap, scale in shown:
        ax = axes[row, k]
        picture = ax.imshow(values, cmap=cmap)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(picture, ax=ax, fraction=0.046, pad=0.04, label=scale)
    for ax in axes.ravel():
        if not ax.images:
            ax.axis("off")
    axes[0, 0].set_ylabel("Gaussian pyramid\n(fixed blur,\nkeep every 2nd)", rotation=0, ha="right", va="center")
    axes[1, 0].set_ylabel("LeNet\n(learned filters,\nReLU, max 2x2)", rotation=0, ha="right", va="center")
    return fig
