"""Demos and widgets of notebooks 01, 04, 05, 06, tested headless: set control values, read what the
observers computed (notebooks 02 and 03 have their own test_demos_<topic>.py)."""

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.figure import Figure

from lecture_utils.cnn import lenet_init, lenet_predict_proba
from lecture_utils.demos import Explorer, figure_png
from lecture_utils.demos.cnn import digit_explorer, draw_digit_inspection, inspect_digit
from lecture_utils.demos.conv import draw_receptive_field_counts, receptive_field_explorer
from lecture_utils.demos.nn import draw_sgd_demo, sgd_demo, sgd_explorer
from lecture_utils.demos.linear import draw_loss_curve, loss_curve_explorer, loss_curve_title
from lecture_utils.linear import one_hot, train_gradient_descent


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20, 4))
    return x, one_hot(rng.integers(0, 3, 20), 3)


def test_figure_png_produces_png_bytes_at_twice_the_css_size():
    png, width, height = figure_png(draw_loss_curve([1.0, 0.5, 0.25]))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    assert int.from_bytes(png[16:20], "big") in (2 * width, 2 * width - 1)


def _tight_size(fig):
    """matplotlib's own crop (bbox_inches="tight", the same margin) in CSS pixels: the witness."""
    import io
    from PIL import Image
    from lecture_utils.demos.style import PAD_CSS_PX, SCREEN_DPI
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=2 * SCREEN_DPI, bbox_inches="tight", pad_inches=PAD_CSS_PX / SCREEN_DPI)
    return np.array(Image.open(buffer).size) / 2


def test_figure_png_crops_to_what_is_drawn_as_matplotlibs_tight_box_does():
    """Drawn once and cropped by its pixels: the size of matplotlib's tight crop, to a CSS pixel
    (the tight box is that of the text's glyph boxes, the pixel crop that of the inked pixels)."""
    fig = Figure(figsize=(4, 3), layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set(xlabel="step", ylabel="loss", title="a title")
    _, width, height = figure_png(fig)
    assert np.allclose((width, height), _tight_size(fig), atol=2)


def test_figure_png_keeps_what_is_drawn_beyond_the_canvas():
    """Text placed outside the figure is kept (matplotlib's tight box grows the canvas), not cut."""
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.text(1.2, 0.5, "a label outside the axes and the figure", transform=ax.transAxes)
    _, width, height = figure_png(fig)
    assert width > 3 * 72 + 100
    assert np.allclose((width, height), _tight_size(fig), atol=2)


def test_figure_png_keeps_an_axis_label_that_lies_wholly_below_the_canvas():
    """Without a layout, a wide short figure's x label is drawn below its canvas, touching nothing:
    it is kept (and the picture is as tall as matplotlib's tight crop), not silently left out."""
    fig = Figure(figsize=(8, 2.6))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set(xlabel="column (the label below the canvas)", ylabel="weight")
    _, width, height = figure_png(fig)
    assert np.allclose((width, height), _tight_size(fig), atol=2)
    assert height > 2.6 * 72 * 0.89 + 11                       # the axes, the tick labels and the label


def test_figure_png_keeps_a_text_wholly_beyond_the_canvas():
    """A short text two inches right of the canvas touches nothing on it: it is found by its box and
    kept, as matplotlib's tight crop keeps it."""
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    fig.text(1.7, 0.5, "far")                                  # figure coordinates: 2.1 inches right of the canvas
    _, width, height = figure_png(fig)
    assert width > 3 * 72 + 2 * 72
    assert np.allclose((width, height), _tight_size(fig), atol=2)


def test_figure_png_keeps_a_figure_legend_where_the_layout_put_it():
    """A figure legend is placed on the figure's box, which the canvas grown for a label below it
    replaces: it stays where the layout put it (the size of matplotlib's tight crop), and a second
    rendering is the same picture."""
    fig = Figure(figsize=(6, 3))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], label="a line")
    ax.set_xlabel("a label below the canvas")
    legend = fig.legend(loc="lower center")
    pinned = fig.legend(loc="upper center", bbox_to_anchor=(0.5, 1.1))
    anchor = pinned.get_bbox_to_anchor().frozen()
    fig.subplots_adjust(bottom=0.02)
    png, width, height = figure_png(fig)
    assert np.allclose((width, height), _tight_size(fig), atol=3)
    assert legend.get_bbox_to_anchor() is fig.bbox
    assert np.array_equal(pinned.get_bbox_to_anchor().get_points(), anchor.get_points())
    assert figure_png(fig) == (png, width, height)
    fig.set_size_inches(7, 3)                                   # still follows the figure
    assert pinned.get_bbox_to_anchor().x0 > anchor.x0


@pytest.mark.parametrize("case", ["two lines below", "two lines above", "path effects", "figure patch",
                                  "unclipped marker", "figure image", "inset axes", "text at nan", "polar text"])
def test_figure_png_keeps_what_lies_wholly_beyond_the_canvas_however_it_is_drawn(case):
    """Whatever lies wholly beyond the canvas is kept, as matplotlib's tight crop keeps it (the witness):
    multi-line text (drawn line by line), text with path effects (drawn as paths), a figure's own
    patch, a marker drawn unclipped, a figure image (placed from the canvas's corner)."""
    from matplotlib import patheffects
    from matplotlib.patches import Rectangle
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    if case == "two lines below":
        fig.text(0.5, -0.3, "first line\nsecond line", ha="center")
    elif case == "two lines above":
        fig.text(0.5, 1.4, "first line\nsecond line", ha="center")
    elif case == "path effects":
        fig.text(1.3, 0.5, "far", path_effects=[patheffects.withStroke(linewidth=3, foreground="w")])
    elif case == "figure patch":
        fig.add_artist(Rectangle((1.2, 0.3), 0.1, 0.3, transform=fig.transFigure, color="C1"))
    elif case == "unclipped marker":
        ax.plot([2.0], [0.5], "o", clip_on=False)
        ax.set_xlim(0, 1)
    elif case == "inset axes":
        inset = ax.inset_axes([1.3, 0.2, 0.4, 0.4])
        inset.plot([0, 1], [1, 0], color="red")
    elif case == "text at nan":
        ax.text(np.nan, 0.5, "a missing value's label")
    elif case == "polar text":                                 # clipped by the polar frame's path, not a box
        fig.delaxes(ax)
        polar = fig.add_subplot(projection="polar")
        polar.text(0.5, 50.0, "clipped away", clip_on=True)
    else:
        ax.set_xlabel("a label below the canvas")
        fig.subplots_adjust(bottom=0.02)
        fig.figimage(np.ones((10, 10)), xo=10, yo=10, cmap="gray")
    _, width, height = figure_png(fig)
    assert np.allclose((width, height), _tight_size(fig), atol=3)


def test_figure_png_leaves_the_canvas_as_it_was():
    """Rendered with savefig's own canvas switch: a plain Figure keeps its base canvas."""
    from matplotlib.backend_bases import FigureCanvasBase
    fig = Figure(figsize=(3, 2))
    fig.subplots().plot([0, 1], [0, 1])
    canvas = fig.canvas
    figure_png(fig)
    assert fig.canvas is canvas and type(canvas) is FigureCanvasBase


def test_figure_png_draws_animated_artists_and_crops_clipped_text_to_its_clip():
    """An animated artist is drawn only when saving: it is in the picture. A text far outside the
    axes but clipped to them draws nothing there: no canvas is grown for it."""
    import io
    from PIL import Image
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    fig.subplots_adjust(left=0.2, bottom=0.2)
    ax.plot([0, 1], [0, 1], color="red", lw=3, animated=True)
    ax.text(300, 0.5, "clipped away", clip_on=True)
    png, width, height = figure_png(fig)
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    assert np.sum((rgb[..., 0] > 200) & (rgb[..., 1] < 80) & (rgb[..., 2] < 80)) > 1000
    assert np.allclose((width, height), _tight_size(fig), atol=3)


def test_figure_png_leaves_a_tight_layout_as_it_was():
    """A figure laid out by tight_layout is drawn without laying it out again, and keeps its engine."""
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.set(xlabel="x", ylabel="y", title="title")
    fig.tight_layout()
    engine, position = fig.get_layout_engine(), ax.get_position().bounds
    _, width, height = figure_png(fig)
    assert fig.get_layout_engine() is engine and ax.get_position().bounds == position
    assert np.allclose((width, height), _tight_size(fig), atol=3)     # inked pixels against glyph boxes


def test_explorer_draws_once_on_creation_and_on_every_change(problem):
    x, y = problem
    explorer = loss_curve_explorer(x, y)
    assert explorer.updates == 1 and len(explorer.result.losses) == 101
    first_png = explorer.image.value
    explorer.controls["steps"].value = 20
    assert explorer.updates == 2 and len(explorer.result.losses) == 21
    explorer.controls["learning_rate"].value = 0.01
    assert explorer.updates == 3
    assert explorer.image.value != first_png


def test_explorer_result_equals_the_pure_function(problem):
    x, y = problem
    explorer = loss_curve_explorer(x, y, rng=3)
    explorer.controls["learning_rate"].value = 0.05
    explorer.controls["steps"].value = 30
    _, direct = train_gradient_descent(x, y, learning_rate=explorer.values["learning_rate"], steps=30, rng=3)
    np.testing.assert_array_equal(explorer.result.losses, direct.losses)


def test_large_learning_rate_is_drawn_as_diverged(problem):
    x, y = problem
    explorer = loss_curve_explorer(3 * x, y)
    explorer.controls["learning_rate"].value = 1.0
    assert explorer.result.diverged


def test_plain_text_form_is_short_and_stable(problem):
    bundle = loss_curve_explorer(*problem)._repr_mimebundle_()
    assert bundle["text/plain"] == "Loss curve explorer (learning_rate, steps)"
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_explorer_requires_controls():
    with pytest.raises(ValueError, match="controls must be a dict naming at least one widget"):
        Explorer(lambda: None, lambda r: Figure(), {})
    with pytest.raises(TypeError, match=r"controls\['a'\] must be an ipywidgets control"):
        Explorer(lambda a: a, lambda r: Figure(), {"a": 3})
    with pytest.raises(TypeError, match="compute must be a function"):
        Explorer(np.ones(3), lambda r: Figure(), {"a": widgets.IntSlider()})


def test_generic_explorer_passes_control_values_by_name():
    seen = []

    def compute(a, b):
        seen.append((a, b))
        return a + b

    def draw(total):
        fig = Figure(figsize=(1, 1))
        fig.add_subplot().set_title(str(total))
        return fig

    explorer = Explorer(compute, draw, {"a": widgets.IntSlider(value=1), "b": widgets.IntSlider(value=2)})
    explorer.controls["b"].value = 5
    assert seen == [(1, 2), (1, 5)] and explorer.result == 6


def test_title_names_divergence_before_the_loss_explodes(problem):
    # A rate just above 2 / lambda_max: the loss is still moderate after a few steps but
    # rising, and the title must say so instead of printing it as a "final loss".
    x, y = problem
    design = np.hstack([x, np.ones((len(x), 1))])
    limit = 2 / np.linalg.eigvalsh(2 / len(x) * design.T @ design).max()
    _, slow = train_gradient_descent(x, y, learning_rate=1.1 * limit, steps=30, rng=0)
    assert not slow.diverged and slow.losses[-1] > slow.losses[-2]
    assert loss_curve_title(slow).startswith("diverging: loss rising")
    _, fast = train_gradient_descent(x, y, learning_rate=5 * limit, steps=500, rng=0)
    assert loss_curve_title(fast) == f"diverged: loss above 1e12 after {len(fast.losses) - 1} steps"
    _, stable = train_gradient_descent(x, y, learning_rate=0.9 * limit, steps=300, rng=0)
    assert loss_curve_title(stable) == f"final loss {stable.losses[-1]:.4f}"


# --- notebook 04: SGD explorer ---------------------------------------------------------------

@pytest.fixture
def sine_data():
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-1, 1, 20))[:, None]
    return x, np.sin(np.pi * x)


def test_sgd_demo_is_pure_and_fits_better_with_more_epochs(sine_data):
    x, y = sine_data
    a = sgd_demo(x, y, learning_rate=0.1, batch_size=5, hidden_units=3, epochs=20)
    b = sgd_demo(x, y, learning_rate=0.1, batch_size=5, hidden_units=3, epochs=20)
    np.testing.assert_array_equal(a.y_grid, b.y_grid)
    longer = sgd_demo(x, y, learning_rate=0.1, batch_size=5, hidden_units=3, epochs=60)
    assert longer.history.losses[-1] < a.history.losses[-1]
    assert a.x_grid.shape == a.y_grid.shape == (200, 1)


def test_sgd_explorer_runs_headless_and_follows_its_controls(sine_data):
    from matplotlib.figure import Figure
    x, y = sine_data
    explorer = sgd_explorer(x, y, epochs=5)
    assert explorer.result.settings == {"learning_rate": 0.1, "batch_size": 10, "hidden_units": 3}
    explorer.controls["hidden_units"].value = 5
    explorer.controls["batch_size"].value = 1
    assert explorer.result.settings["hidden_units"] == 5 and explorer.result.history.batch_size == 1
    assert explorer.result.history.updates_per_epoch == 20 and explorer.updates == 3
    direct = sgd_demo(x, y, learning_rate=0.1, batch_size=1, hidden_units=5, epochs=5, rng=0)
    np.testing.assert_array_equal(explorer.result.y_grid, direct.y_grid)
    assert explorer.controls["batch_size"].max == 20
    assert isinstance(draw_sgd_demo(direct), Figure)
    assert "SGD explorer (learning_rate, batch_size, hidden_units)" in repr(
        explorer._repr_mimebundle_()["text/plain"])


def test_sgd_demo_reports_divergence_with_an_empty_curve(sine_data):
    x, y = sine_data
    demo = sgd_demo(x, 100 * y, learning_rate=3.0, batch_size=1, epochs=50)
    assert demo.history.diverged and np.all(np.isnan(demo.y_grid))
    fig = draw_sgd_demo(demo)
    assert "diverged" in fig.axes[0].get_title()


# --- notebook 05: receptive-field counts ---------------------------------------------------------

def test_receptive_field_explorer_follows_its_controls():
    explorer = receptive_field_explorer(8, 8)
    counts, out_shape, padding = explorer.result
    assert out_shape == (6, 6) and padding == 0
    explorer.controls["stride"].value = 4               # stride > kernel skips pixels
    counts, out_shape, padding = explorer.result
    assert out_shape == (2, 2) and np.sum(counts == 0) == 64 - 2 * 2 * 9
    explorer.controls["padding"].value = 1
    assert explorer.result[0].shape == (10, 10)
    assert "Receptive field explorer" in explorer._repr_mimebundle_()["text/plain"]
    assert isinstance(draw_receptive_field_counts(*explorer.result), Figure)


# --- notebook 06: digit explorer ------------------------------------------------------------------

@pytest.fixture
def tiny_net():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 1, 8, 8))
    labels = np.array([1, 4, 7])
    return x, labels, lenet_init((2, 3), rng=1)


def test_explorer_follows_the_slider_headless(tiny_net):
    x, labels, params = tiny_net
    explorer = digit_explorer(x, labels, params)
    assert explorer.result["label"] == 1 and explorer.updates == 1
    explorer.controls["index"].value = 2
    direct = inspect_digit(x, labels, params, 2)
    assert explorer.updates == 2 and explorer.result["label"] == 7
    np.testing.assert_array_equal(explorer.result["probabilities"], direct["probabilities"])
    np.testing.assert_allclose(direct["probabilities"],
                               lenet_predict_proba(x[2:3], params)[0], rtol=1e-12)
    assert direct["conv1"].shape == (2, 8, 8) and direct["conv2"].shape == (3, 4, 4)
    assert explorer._repr_mimebundle_()["text/plain"] == "Digit explorer (index)"


def test_bad_input_to_the_demos_is_refused():
    x = np.linspace(-1, 1, 10)[:, None]
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1\), got shape \(5, 2\)"):
        sgd_demo(np.ones((5, 2)), np.ones((5, 1)))
    with pytest.raises(ValueError, match=r"y must have shape \(N, 1\) with N = 10 as in x"):
        sgd_explorer(x, np.ones((9, 1)))
    with pytest.raises(ValueError, match="height must be >= 1, got 0"):
        receptive_field_explorer(height=0)
    with pytest.raises(TypeError, match="demo must be a SGDDemo"):
        draw_sgd_demo(None)
    with pytest.raises(TypeError, match="run must be a History"):
        loss_curve_title([1.0, 2.0])
    with pytest.raises(TypeError, match="result must be the dict inspect_digit returns"):
        draw_digit_inspection([1, 2])


# --- notebook 05: dJ/dX as a scatter-add, the padding ring marked ------------------------------------

from scipy.signal import convolve2d  # noqa: E402

from lecture_utils.conv import receptive_field_counts  # noqa: E402
from lecture_utils.demos.conv import draw_scatter_add, format_counts, scatter_add_terms  # noqa: E402


def test_scatter_add_blocks_sum_to_the_full_convolution():
    rng = np.random.default_rng(0)
    dy, w = rng.standard_normal((3, 5)), rng.standard_normal((3, 2))
    terms = scatter_add_terms(dy, w)
    assert terms.shape == (3, 5, 5, 6)
    np.testing.assert_allclose(terms.sum(axis=(0, 1)), convolve2d(dy, w, mode="full"), atol=1e-12)
    np.testing.assert_array_equal(terms[1, 2, 1:4, 2:4], dy[1, 2] * w)      # output (1, 2)'s block, unflipped
    assert np.count_nonzero(terms[1, 2]) == 6


def test_scatter_add_picture_draws_both_routes_and_refuses_bad_positions():
    dy, w = np.arange(15.0).reshape(3, 5) - 7, np.array([[1.0, 0], [2, -1], [0, 1]])
    fig = draw_scatter_add(dy, w)
    assert isinstance(fig, Figure) and len(fig.axes) >= 7
    assert figure_png(fig)[0][:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="outputs must list"):
        draw_scatter_add(dy, w, outputs=[(3, 0)])
    with pytest.raises(ValueError, match="pixel must be an"):
        draw_scatter_add(dy, w, pixel=(5, 0))


def test_format_counts_puts_exactly_the_padding_ring_in_parentheses():
    counts, out_shape = receptive_field_counts(8, 8, kernel=3, stride=2, padding=1)
    text = format_counts(counts, padding=1)
    lines = text.splitlines()
    assert len(lines) == 10 and text.count("(") == 10 * 10 - 8 * 8
    assert lines[1].split()[1:-1] == [str(n) for n in counts[1, 1:-1]]      # image pixels as plain numbers
    assert format_counts(counts[1:-1, 1:-1], padding=0).count("(") == 0
    fig = draw_receptive_field_counts(counts, out_shape, 1)
    assert "padding" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="must be larger than its padding ring"):
        format_counts(np.ones((2, 2), dtype=int), padding=1)


# --- notebook 06: shapes, validation curves, confusion matrix, filters, pyramid and pooling --------------

from lecture_utils.demos.cnn import (draw_confusion_matrix, draw_filter_rows, draw_mistakes,  # noqa: E402
                                     draw_pyramid_vs_pooling, draw_shape_pipeline, draw_validation_curves)


def test_shape_pipeline_writes_every_shape_and_operation():
    fig = draw_shape_pipeline([("X", (100, 22, 22)), ("Z1", (100, 20, 20)), ("E", ())], ["conv", "loss"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert {"X", "100 x 22 x 22", "100 x 20 x 20", "scalar", "conv", "loss"} <= set(texts)
    assert min(t.get_fontsize() for t in fig.axes[0].texts) >= 11
    with pytest.raises(ValueError, match="steps must name the 2 operation"):
        draw_shape_pipeline([("X", (1,)), ("Y", (1,)), ("Z", (1,))], ["only one"])


def test_confusion_matrix_picture_annotates_every_nonzero_count():
    counts = np.array([[5, 1, 0], [0, 4, 2], [0, 0, 6]])
    fig = draw_confusion_matrix(counts, class_names=["a", "b", "c"])
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == sorted(str(n) for n in counts.ravel() if n)
    assert fig.axes[0].get_title() == "15 of 18 right (grey diagonal)"
    with pytest.raises(ValueError, match="class_names must name the 3 classes"):
        draw_confusion_matrix(counts, class_names=["a"])
    with pytest.raises(ValueError, match="counts must have shape"):
        draw_confusion_matrix(np.ones((2, 3), dtype=int))


def test_the_other_figures_of_notebook_06_draw():
    rng = np.random.default_rng(0)
    curves = {"eta 0.1": ([3.0, 2.0, 1.0], [0.5, 0.7, 0.9]), "eta 1": ([2.0, 1.0], [0.5, 0.8, 0.8])}
    assert isinstance(draw_validation_curves(curves, "step", "cost", chosen=("eta 0.1", 2)), Figure)
    with pytest.raises(ValueError, match="do not fit"):
        draw_validation_curves({"x": ([1.0], [0.5, 0.6, 0.7])}, "step", "cost")
    assert isinstance(draw_filter_rows([("a", rng.standard_normal((4, 3, 3))), ("b", np.ones((2, 3, 3)))], "t"), Figure)
    with pytest.raises(ValueError, match="rows must hold"):
        draw_filter_rows([])
    fig = draw_mistakes(rng.random((5, 8, 8)), [1, 2, 3, 4, 5], [2, 2, 4, 4, 6], [0, 2, 4])
    assert [ax.get_title() for ax in fig.axes] == ["true 1\nsaid 2", "true 3\nsaid 4", "true 5\nsaid 6"]
    image = rng.random((8, 8))
    fig = draw_pyramid_vs_pooling(image, [image, image[::2, ::2]], [("conv", image), ("pool", image[::2, ::2])])
    assert len(fig.axes) == 8                                     # four pictures, each with its colour bar
    assert [ax.get_ylabel() for ax in fig.axes if ax.get_label() == "<colorbar>"] == ["intensity"] * 2 + ["activation"] * 2


# --- notebook 01: the step-size lesson -----------------------------------------------------

from lecture_utils.demos.linear import draw_step_size_demo, step_size_demo, step_size_explorer  # noqa: E402
from lecture_utils.linear import loss_hessian  # noqa: E402


def test_step_size_demo_coordinates_shrink_by_one_minus_eta_lambda(problem):
    x, y = problem
    demo = step_size_demo(x, y, [0.05, 0.3], steps=12, column=1)
    lam = np.linalg.eigvalsh(loss_hessian(x))
    np.testing.assert_allclose(demo.eigenvalues, lam, rtol=1e-12)
    for eta, path in zip(demo.learning_rates, demo.paths):
        np.testing.assert_allclose(path[1:], path[:-1] * (1 - eta * lam), atol=1e-12)   # per eigen-direction
    assert all(gap[-1] < gap[0] for gap in demo.gaps)
    fig = draw_step_size_demo(demo)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)


def test_step_size_explorer_follows_its_slider(problem):
    x, y = problem
    explorer = step_size_explorer(x, y, steps=20)
    assert explorer.result.learning_rates == [pytest.approx(0.1)]
    explorer.controls["learning_rate"].value = 0.3
    assert explorer.result.learning_rates == [pytest.approx(0.3, rel=1e-6)] and explorer.updates == 2
    assert explorer._repr_mimebundle_()["text/plain"] == "Step size explorer (learning_rate)"


def test_step_size_demo_refuses_what_it_cannot_draw(problem):
    x, y = problem
    with pytest.raises(TypeError, match="learning_rates must be a list of positive numbers"):
        step_size_demo(x, y, 0.1)
    with pytest.raises(ValueError, match="column must be below the number of outputs K = 3"):
        step_size_demo(x, y, [0.1], column=3)
