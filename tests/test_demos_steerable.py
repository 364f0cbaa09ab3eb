"""Notebook 03's widget, headless: set the slider, read what was computed and drawn."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy import ndimage

from bad_input import Case, check_refused, expand
from lecture_utils.demos.steerable import draw_orientation, orientation_explorer
from lecture_utils.steerable import directional_derivative_kernel, gaussian_derivative_kernels


def rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


@pytest.fixture(scope="module")
def image():
    return np.random.default_rng(0).standard_normal((40, 40))


def test_orientation_explorer_headless(image):
    explorer = orientation_explorer(image, sigma=2.0)
    assert explorer.updates == 1 and np.degrees(explorer.result["angle"]) == pytest.approx(60)
    _, g_x, g_y = gaussian_derivative_kernels(2.0)
    assert rel(explorer.result["kernel"], 0.5 * g_x + np.sqrt(3) / 2 * g_y) < 1e-12
    explorer.controls["angle_deg"].value = 135
    assert explorer.updates == 2
    direct = ndimage.convolve(image, directional_derivative_kernel(2.0, np.radians(135)), mode="reflect")
    assert rel(explorer.result["response"], direct) < 1e-12
    assert explorer.image.value[:4] == b"\x89PNG"
    assert "Steered derivative explorer (angle_deg)" in explorer._repr_mimebundle_()["text/plain"]


def test_second_order_explorer_steers_three_basis_filters(image):
    explorer = orientation_explorer(image, sigma=1.5, order=2)
    explorer.controls["angle_deg"].value = 30
    want = directional_derivative_kernel(1.5, np.radians(30), order=2)
    assert rel(explorer.result["kernel"], want) < 1e-12


def test_draw_orientation_titles_the_angle_in_degrees():
    _, g_x, _ = gaussian_derivative_kernels(1.0)
    fig = draw_orientation(g_x, np.ones((8, 8)), np.pi / 4)
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["kernel at 45 deg", "steered response"]


KERNEL = gaussian_derivative_kernels(1.0, 5)[1]
TABLE = [
    Case(orientation_explorer, dict(image=np.ones((12, 12)), sigma=1.0, order=1),
         {"image": "array", "sigma": "positive", "order": "count"}),
    Case(draw_orientation, dict(kernel=KERNEL, response=np.ones((8, 8)), angle=0.5),
         {"kernel": "array", "response": "array", "angle": "real"}),
]
BAD_CALLS, BAD_IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", BAD_CALLS, ids=BAD_IDS)
def test_bad_input_is_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
