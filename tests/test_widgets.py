"""Widgets are tested headless: set control values, read what the observers computed."""

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.figure import Figure

from lecture_utils.linear import one_hot, train_gradient_descent
from lecture_utils.widgets import (Explorer, draw_loss_curve, figure_to_png, loss_curve_explorer,
                                   loss_curve_title)


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20, 4))
    return x, one_hot(rng.integers(0, 3, 20), 3)


def test_figure_to_png_produces_png_bytes():
    png = figure_to_png(draw_loss_curve([1.0, 0.5, 0.25]))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000


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
    direct = train_gradient_descent(x, y, learning_rate=explorer.values["learning_rate"], steps=30, rng=3)
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
    with pytest.raises(ValueError, match="controls must name at least one widget"):
        Explorer(lambda: None, lambda r: Figure(), {})


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
    slow = train_gradient_descent(x, y, learning_rate=1.1 * limit, steps=30, rng=0)
    assert not slow.diverged and slow.losses[-1] > slow.losses[-2]
    assert loss_curve_title(slow).startswith("diverging: loss rising")
    fast = train_gradient_descent(x, y, learning_rate=5 * limit, steps=500, rng=0)
    assert loss_curve_title(fast) == f"diverged: loss above 1e12 after {len(fast.losses) - 1} steps"
    stable = train_gradient_descent(x, y, learning_rate=0.9 * limit, steps=300, rng=0)
    assert loss_curve_title(stable) == f"final loss {stable.losses[-1]:.4f}"
