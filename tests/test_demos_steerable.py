"""Notebook 03's widget, headless: set the slider, read what was computed and drawn; and its diagrams
(the frequency tiling, the pyramid's block diagram, the two magnification pipelines)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from scipy import ndimage

from bad_input import Case, check_refused, expand
from lecture_utils.demos.steerable import (ORIENTATION_COLOURS, _tile_labels, draw_frequency_tiling,
                                           draw_magnification_pipelines, draw_orientation, draw_pyramid_diagram,
                                           orientation_explorer)
from lecture_utils.steerable import (band_response, directional_derivative_kernel, frequency_grid,
                                     gaussian_derivative_kernels)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


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
    assert [ax.get_title() for ax in fig.axes[:2]] == ["kernel at 45 deg", "steered response"]
    assert [ax.get_ylabel() for ax in fig.axes[2:]] == ["kernel value", "response"]      # the colour bars


def test_tiles_are_the_band_holding_most_energy_rings_halving_inwards():
    labels = np.fft.ifftshift(_tile_labels((64, 64), 2, 3, 1.0))       # back to the FFT layout
    r, theta = frequency_grid((64, 64))
    assert labels[0, 0] == 1 + 2 * 4                                      # DC: the low-pass tile (the last)
    assert labels[0, 32] == 0                                             # the Nyquist corner of the axis: high-pass
    # On the x axis (theta = 0) level 0 holds r = 0.5 (column 16) and level 1 r = 0.25 (column 8), at orientation 0.
    assert r[0, 16] == 0.5 and labels[0, 16] == 1 + 0 * 4 + 0 and labels[0, 8] == 1 + 1 * 4 + 0
    assert labels[16, 0] == 1 + 0 * 4 + 2                                 # the y axis: 90 degrees, b = 2
    energy = np.abs(band_response((64, 64), 0, 1, 3)) ** 2                # 45 degrees, level 0
    assert np.all(energy[labels == 1 + 1] > 0)


def test_frequency_tiling_draws_three_labelled_panels():
    fig = draw_frequency_tiling((64, 64), levels=2, order=3, example=(1, 2))
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts[:4] == ["0°", "45°", "90°", "135°"]
    titles = [ax.get_title() for ax in fig.axes]
    assert "real band j=1, 90°" in titles[1] and "complex band j=1, 90°" in titles[2]
    assert len(ORIENTATION_COLOURS) == 8


def _texts(fig):
    """Every piece of text a diagram draws (a label's words and its 16-point symbols are separate pieces)."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def test_diagrams_show_every_step():
    pyramid = " ".join(_texts(draw_pyramid_diagram()))
    for step in ("FFT", "IFFT", "H(r)", "L(r)", "L(2r)", "crop", "high-pass residual", "low-pass residual",
                 "oriented", "Synthesis", "$Y_{j+1}$", "$B_{j,b}$"):
        assert step in pyramid, step
    pipelines = _texts(draw_magnification_pipelines())
    for step in ("phase-based", "Wadhwa 2013", "linear", "Wu 2012", "complex steerable", "Laplacian",
                 "temporal", "band-pass", "collapse", "the amplitude", "lambda_c"):
        assert step in " ".join(pipelines), step
    rotate = ["rotate: ", r"$B_t\, \exp(i\alpha\,\widetilde{\Delta\phi}_t)$"]
    assert all(piece in pipelines for piece in rotate)
    # Before the exercise that derives it, the magnification step is a question, the rest of the picture the same.
    question = _texts(draw_magnification_pipelines(magnify_step=False))
    assert "e^{i" not in " ".join(question) and "exp" not in " ".join(question) and "magnify: ?" in question
    assert ([t for t in question if t not in ("magnify: ?", "(Exercise 4)")]
            == [t for t in pipelines if t not in rotate])
    with pytest.raises(TypeError, match="magnify_step must be True or False"):
        draw_magnification_pipelines(magnify_step="no")


TILING_BAD = [  # (arguments, the argument the message names)
    (dict(shape=(64, 64), levels=5), "levels"), (dict(shape=(64, 64), order=8), "order"),
    (dict(shape=(64,)), "shape"), (dict(example=(3, 0)), "example[0]"), (dict(example=(0, 4)), "example[1]"),
    (dict(example=1), "example"), (dict(twidth=0.0), "twidth"),
]


@pytest.mark.parametrize("kwargs, name", TILING_BAD, ids=[n for _, n in TILING_BAD])
def test_frequency_tiling_refuses_bad_input_naming_it(kwargs, name):
    with pytest.raises((TypeError, ValueError), match=name.replace("[", r"\[").replace("]", r"\]")):
        draw_frequency_tiling(**{"shape": (64, 64), "levels": 2, **kwargs})


KERNEL = gaussian_derivative_kernels(1.0, 5)[1]
TABLE = [
    Case(orientation_explorer, dict(image=np.ones((12, 12)), sigma=1.0, order=1),
         {"image": "array", "sigma": "positive", "order": "count"}),
    Case(draw_orientation, dict(kernel=KERNEL, response=np.ones((8, 8)), angle=0.5),
         {"kernel": "array", "response": "array", "angle": "real"}),
    Case(draw_frequency_tiling, dict(shape=(32, 32), levels=1, order=1, twidth=1.0, example=(0, 1)),
         {"shape": "shape", "levels": "count", "order": "count", "twidth": "positive"}),
]
BAD_CALLS, BAD_IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", BAD_CALLS, ids=BAD_IDS)
def test_bad_input_is_refused_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
