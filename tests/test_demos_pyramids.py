"""lecture_utils.demos.pyramids: notebook 02's blending widget and the pixel-for-pixel panel figures of
notebooks 02 and 03, headless (no browser, no kernel)."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from bad_input import Case, check_refused, expand
from scipy import ndimage

from lecture_utils.demos import SCREEN_DPI
from lecture_utils.demos.pyramids import AXIS_ROOM, ROW_MARGIN, TITLE_LINE, Panel, blend_explorer, panel_figure
from lecture_utils.demos.style import COLUMN_CSS_PX, PAD_CSS_PX, READABLE_CMAPS
from lecture_utils.pyramids import blend, max_levels


def rng_image(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def test_blend_explorer_recomputes_when_controls_change():
    a, b = rng_image((24, 20), seed=1), rng_image((24, 20), seed=2)
    mask = np.zeros((24, 20))
    mask[:, :10] = 1
    explorer = blend_explorer(a, b, mask)
    assert explorer.controls["levels"].max == max_levels((24, 20))
    np.testing.assert_allclose(explorer.result["blended"], blend(a, b, mask, explorer.values["levels"]))
    explorer.controls["levels"].value = 2
    explorer.controls["mask_blur"].value = 3.0
    soft = ndimage.gaussian_filter(mask, 3.0, mode="nearest")
    np.testing.assert_allclose(explorer.result["mask"], soft)
    np.testing.assert_allclose(explorer.result["blended"], blend(a, b, soft, 2))
    assert explorer.updates == 3
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert explorer._repr_mimebundle_()["text/plain"] == "Pyramid blending explorer (levels, mask_blur)"


def test_blend_explorer_slider_tops_at_eight_levels_or_as_asked():
    a = np.zeros((300, 300, 3))
    assert blend_explorer(a, a, np.zeros((300, 300))).controls["levels"].max == 8
    assert blend_explorer(a, a, np.zeros((300, 300)), max_levels_shown=3).controls["levels"].max == 3


def test_blend_explorer_bad_input():
    with pytest.raises(ValueError, match=r"mask must have shape \(8, 8\), got \(8, 8, 3\)"):
        blend_explorer(np.zeros((8, 8, 3)), np.zeros((8, 8, 3)), np.zeros((8, 8, 3)))
    with pytest.raises(ValueError, match=r"max_levels_shown=5 is too many for shape \(8, 8\): at most 4"):
        blend_explorer(np.zeros((8, 8)), np.zeros((8, 8)), np.zeros((8, 8)), max_levels_shown=5)


A = rng_image((9, 8), seed=1)
TABLE = [
    Case(blend_explorer, dict(a=A, b=A + 1, mask=np.full((9, 8), 0.5), max_levels_shown=3),
         {"a": "array", "b": "array", "mask": "array", "max_levels_shown": "count"},
         skip={"max_levels_shown": ["None"]}),   # None is the default: max_levels(a.shape), at most 8
]
PARAMS, IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_with_a_message_naming_the_argument(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)


# ------------------------------------------------------------------ panel_figure: images pixel for pixel


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _pixels(ax, fig):
    """Width and height of an axes in screen pixels at the figure's dpi."""
    box = ax.get_position()
    width, height = fig.get_size_inches() * fig.dpi
    return round(box.width * width, 6), round(box.height * height, 6)


def test_every_image_takes_zoom_screen_pixels_per_image_pixel():
    a, b = rng_image((40, 30)), rng_image((10, 12, 3)).clip(0, 1)
    fig = panel_figure([[Panel(a, "a", zoom=2, colorbar="value"), Panel(b, "b", zoom=3)], [Panel(a[:5, :5], zoom=8)]])
    images = [ax for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"][:3]
    assert [_pixels(ax, fig) for ax in images] == [(60.0, 80.0), (36.0, 30.0), (40.0, 40.0)]
    assert fig.dpi == SCREEN_DPI
    assert images[0].images[0].get_interpolation() == "nearest"
    assert len(fig.axes) == 4                                    # three panels and one colour bar


def test_symmetric_limits_centre_zero_and_nan_is_drawn_grey():
    image = np.array([[-2.0, 1.0], [np.nan, 0.5]])
    fig = panel_figure([[Panel(image, cmap="RdBu_r", limits="symmetric", colorbar="x", ticks=(-2, 0, 2),
                               tick_labels=("-2", "0", "2"))]])
    picture = fig.axes[0].images[0]
    assert picture.get_clim() == (-2.0, 2.0)
    assert picture.cmap.get_bad()[:3] == pytest.approx((0.6, 0.6, 0.6))
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["-2", "0", "2"]


def test_titles_and_gaps_set_the_figure_size():
    fig = panel_figure([[Panel(np.zeros((20, 10)), "one\ntwo"), Panel(np.zeros((20, 10)))]], gap=6)
    width, height = fig.get_size_inches() * SCREEN_DPI
    # margins inside the figure: PAD_CSS_PX left and right, ROW_MARGIN above and below
    assert width == pytest.approx(10 + 6 + 10 + 2 * PAD_CSS_PX)
    assert height == pytest.approx(20 + 2 * TITLE_LINE + 4 + 2 * ROW_MARGIN)


def test_axis_labels_get_their_room_and_ticks():
    fig = panel_figure([[Panel(np.zeros((24, 48)), "x-t", zoom=4, xlabel="x (pixels)", ylabel="t (frames)")]])
    width, height = fig.get_size_inches() * SCREEN_DPI
    assert width == pytest.approx(AXIS_ROOM[0] + 4 * 48 + 2 * PAD_CSS_PX)
    assert height == pytest.approx(TITLE_LINE + 4 + 4 * 24 + AXIS_ROOM[1] + 2 * ROW_MARGIN)
    ax = fig.axes[0]
    assert ax.axison and ax.get_xlabel() == "x (pixels)" and ax.get_ylabel() == "t (frames)"


def test_a_row_wider_than_the_column_is_refused():
    wide = [Panel(np.zeros((8, 200)), zoom=2), Panel(np.zeros((8, 200)), zoom=2)]
    with pytest.raises(ValueError, match=f"more than the notebook's column \\({COLUMN_CSS_PX}\\)"):
        panel_figure([wide])


PANEL = Panel(np.zeros((4, 4)))
PANEL_ROWS = [  # (what is wrong, rows, the name the message must give)
    ("a single panel", PANEL, "rows"),
    ("an empty list", [], "rows"),
    ("a row that is not a list", [PANEL], "rows[0]"),
    ("an empty row", [[]], "rows[0]"),
    ("an array instead of a panel", [[np.zeros((4, 4))]], "rows[0][0]"),
    ("a 1-D image", [[Panel(np.zeros(4))]], "rows[0][0].image"),
    ("a 4-channel image", [[Panel(np.zeros((4, 4, 4)))]], "rows[0][0].image"),
    ("a string image", [[Panel("abc")]], "rows[0][0].image"),
    ("all NaN", [[Panel(np.full((4, 4), np.nan))]], "rows[0][0].image"),
    ("infinity", [[Panel(np.array([[np.inf, 0.0]]))]], "rows[0][0].image"),
    ("zoom 0", [[Panel(np.zeros((4, 4)), zoom=0)]], "rows[0][0].zoom"),
    ("zoom 1.5", [[Panel(np.zeros((4, 4)), zoom=1.5)]], "rows[0][0].zoom"),
    ("too wide", [[Panel(np.zeros((4, 300)), zoom=8)]], "rows[0][0]"),
    ("a colour map not everyone can read", [[Panel(np.zeros((4, 4)), cmap="jet")]], "rows[0][0].cmap"),
    ("limits the wrong way round", [[Panel(np.zeros((4, 4)), limits=(1, 0))]], "rows[0][0].limits"),
    ("limits of one number", [[Panel(np.zeros((4, 4)), limits=(1,))]], "rows[0][0].limits"),
    ("unknown limits", [[Panel(np.zeros((4, 4)), limits="auto")]], "rows[0][0].limits"),
    ("NaN limits", [[Panel(np.zeros((4, 4)), limits=(0, np.nan))]], "rows[0][0].limits[1]"),
    ("a numeric title", [[Panel(np.zeros((4, 4)), title=3)]], "rows[0][0].title"),
    ("a numeric colour bar label", [[Panel(np.zeros((4, 4)), colorbar=1)]], "rows[0][0].colorbar"),
    ("a numeric axis label", [[Panel(np.zeros((4, 4)), xlabel=1)]], "rows[0][0].xlabel"),
    ("tick labels without ticks", [[Panel(np.zeros((4, 4)), ticks=(0, 1), tick_labels=("0",))]],
     "rows[0][0].tick_labels"),
    ("ticks as a list", [[Panel(np.zeros((4, 4)), ticks=[0, 1])]], "rows[0][0].ticks"),
]


@pytest.mark.parametrize("what, rows, name", PANEL_ROWS, ids=[p[0] for p in PANEL_ROWS])
def test_bad_panels_are_refused_naming_the_panel_and_field(what, rows, name):
    check_refused(panel_figure, dict(rows=[[PANEL]], gap=14), "rows", what, rows)
    with pytest.raises((TypeError, ValueError), match=re.escape(name)):
        panel_figure(rows)


def test_readable_colour_maps_are_the_course_choice():
    assert {"gray", "viridis", "cividis", "RdBu_r", "twilight"} <= set(READABLE_CMAPS)
    assert not {"jet", "rainbow", "hsv", "bwr", "RdYlGn", "nipy_spectral"} & set(READABLE_CMAPS)


PANEL_TABLE = [Case(panel_figure, dict(rows=[[PANEL]], gap=14), {"gap": "count"})]
PANEL_PARAMS, PANEL_IDS = expand(PANEL_TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PANEL_PARAMS, ids=PANEL_IDS)
def test_panel_figure_bad_gap(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
