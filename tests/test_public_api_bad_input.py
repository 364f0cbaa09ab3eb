"""Bad input to the whole public API: every public callable x every argument x every bad value.

The bad-input tables of the other test modules attack the arguments their authors chose; this
module takes every one of their good calls, adds one for each public callable they miss (lecture
modules, gradcheck, optim, data, baselines, fast/, demos/, checks/), and tries every argument with
the bad values of its family and with numerically extreme values (huge numbers, constant arrays);
see ``bad_input.outcome`` for how each attempt is judged. A public callable without a good call
here fails ``test_every_public_callable_is_surveyed``.

Run as a script for the counts (``.venv/bin/python tests/test_public_api_bad_input.py``), or with
``--list`` for every attempt that is not refused clearly.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bad_input import Call, Case, from_case, survey  # noqa: E402
from checker_references import REFERENCES  # noqa: E402

from lecture_utils import cnn, conv, data, gradcheck, linear, nn, optim, pyramids, steerable  # noqa: E402
from lecture_utils import demos  # noqa: E402
from lecture_utils.checks import predictions  # noqa: E402
from lecture_utils.demos import cnn as demos_cnn  # noqa: E402
from lecture_utils.demos import conv as demos_conv  # noqa: E402
from lecture_utils.demos import linear as demos_linear  # noqa: E402
from lecture_utils.demos import nn as demos_nn  # noqa: E402
from lecture_utils.demos import pyramids as demos_pyramids  # noqa: E402
from lecture_utils.demos import steerable as demos_steerable  # noqa: E402
from lecture_utils.demos import style as demos_style  # noqa: E402
from lecture_utils.fast import cnn as fast_cnn  # noqa: E402
from lecture_utils.fast import conv as fast_conv  # noqa: E402
from lecture_utils.fast import pyramids as fast_pyramids  # noqa: E402
from lecture_utils.fast import steerable as fast_steerable  # noqa: E402

TESTS = Path(__file__).resolve().parent
LECTURE_MODULES = ["linear", "pyramids", "steerable", "nn", "conv", "cnn", "gradcheck", "optim", "data", "baselines"]
ROOMS = ["fast", "demos", "checks"]

# Records (NamedTuples and plain dataclasses) hold what a function returned; the functions that
# read them check them (the "instance" family attacks every such argument). Helpers that only build
# other code's arguments are listed with the reason they are not surveyed.
NOT_SURVEYED = {
    "lecture_utils.linear.LinearCache": "a record: linear_backward checks it",
    "lecture_utils.pyramids.LaplacianPyramid": "a record: reconstruct checks it",
    "lecture_utils.steerable.SteerablePyramid": "a record: reconstruct and steer_bands check it",
    "lecture_utils.nn.ActivationCache": "a record: the activations' backward passes check it",
    "lecture_utils.nn.MLPCache": "a record: MLP.backward checks it",
    "lecture_utils.conv.ConvNaiveCache": "a record: conv2d_backward_naive checks it",
    "lecture_utils.conv.ConvCache": "a record: conv2d_backward checks it",
    "lecture_utils.conv.PoolCache": "a record: max_pool_backward checks it",
    "lecture_utils.cnn.LectureCache": "a record: lecture_backward checks it",
    "lecture_utils.cnn.LeNetCache": "a record: lenet_backward checks it",
    "lecture_utils.cnn.ValidationRun": "a record returned by the validation runs",
    "lecture_utils.optim.History": "a record returned by train",
    "lecture_utils.fast.conv.FastConvCache": "a record: fast.conv.conv2d_backward checks it",
    "lecture_utils.fast.conv.FastPoolCache": "a record of the fast pooling path",
    "lecture_utils.fast.conv.FastReluPoolCache": "a record of the fast pooling path",
    "lecture_utils.demos.nn.SGDDemo": "a record: draw_sgd_demo checks it",
    "lecture_utils.demos.pyramids.Panel": "a record: panel_figure checks every field, naming the panel",
    "lecture_utils.fast.conv.float_array": "an argument spec for @checked, not a function of data",
    "lecture_utils.fast.cnn.single_threaded_blas": "a context manager without arguments",
    "lecture_utils.checks.pyramids.may_use": "the checkers' allow-list builder, run at import",
    "lecture_utils.demos.Explorer.update": "no arguments: redraws from the widgets' values",
    "lecture_utils.demos.linear.StepSizeDemo": "a record: draw_step_size_demo checks it",
    "lecture_utils.fast.nn.Population": "a record returned by train_sgd_many",
}


def public_callables() -> dict:
    """Qualified name -> callable: the public functions and classes of the lecture modules and rooms,
    and the public methods of their public classes."""
    names = ["lecture_utils." + m for m in LECTURE_MODULES] + ["lecture_utils.demos"]
    for room in ROOMS:
        package = importlib.import_module(f"lecture_utils.{room}")
        names += [f"lecture_utils.{room}.{info.name}" for info in pkgutil.iter_modules(package.__path__)
                  if not info.name.startswith("_")]
    found = {}
    for module_name in names:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
                continue
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found[f"{module_name}.{name}"] = obj
            if inspect.isclass(obj):
                for attribute, member in vars(obj).items():
                    if not attribute.startswith("_") and inspect.isfunction(member):
                        found[f"{module_name}.{name}.{attribute}"] = member
    return found


# ------------------------------------------------------------------------------------------ good calls

def _existing_tables():
    """Every Case of the other test modules' bad-input tables."""
    cases = []
    for path in sorted(TESTS.glob("test_*.py")):
        if path.stem == Path(__file__).stem:
            continue
        module = importlib.import_module(path.stem)
        for value in vars(module).values():
            if isinstance(value, list) and value and all(isinstance(c, Case) for c in value):
                cases += value
    return cases


RNG = np.random.default_rng(0)
X34, W32, B2 = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2)), RNG.standard_normal(2)
IMAGE16 = RNG.uniform(0, 1, (16, 16))
MODEL = nn.MLP([2, 3, 1], ["tanh", "identity"], rng=0)
X2 = RNG.standard_normal((5, 2))
Y1 = RNG.standard_normal((5, 1))
LENET = cnn.lenet_init((2, 3), rng=1)
DIGITS = RNG.uniform(0, 1, (4, 1, 8, 8))
DIGIT_LABELS = np.array([0, 1, 2, 3])
SPYR = steerable.steerable_pyramid(IMAGE16, 2, order=1)
CSPYR = steerable.steerable_pyramid(IMAGE16, 2, order=1, complex_bands=True)
LPYR = pyramids.laplacian_pyramid(IMAGE16, 3)
HISTORY = optim.train(linear.linear_loss, {"w": np.zeros((4, 2)), "b": np.zeros(2)}, X34, np.eye(2)[[0, 1, 0]],
                      0.1, 2)[1]
CONV_X, CONV_W = RNG.standard_normal((2, 3, 5, 5)), RNG.standard_normal((4, 3, 3, 3))
FAST_CONV_CACHE = fast_conv.conv2d_forward(CONV_X, CONV_W, padding=1)[1]
LECTURE_X = RNG.standard_normal((4, 6, 6))
LECTURE_F, LECTURE_W = np.ones((3, 3)) / 9, np.ones((16, 1)) / 16
LECTURE_B = np.zeros((1, 1))
LECTURE_Y = np.array([0.0, 1, 1, 0])
LECTURE_CACHE = cnn.lecture_forward(LECTURE_X, LECTURE_F, LECTURE_W, LECTURE_B)[1]
LENET_OUT, LENET_CACHE = cnn.lenet_forward(DIGITS, LENET)
COUNTS = conv.receptive_field_counts(6, 6, 3, 1, 1)
PANEL = demos_pyramids.Panel(IMAGE16)
ANY_SHAPE = ("one axis too many", "one axis too few")        # element-wise: any shape is meaningful


def _linear_forward(x, w, b):
    return linear.linear_forward(x, w, b)


NEW_CALLS = [
    # lecture modules
    Call(linear.linear_loss, dict(params={"w": W32, "b": B2}, x=X34, y=np.eye(2)[[0, 1, 0]])),
    Call(pyramids.reconstruct, dict(pyramid=LPYR)),
    Call(steerable.reconstruct, dict(pyramid=SPYR)),
    Call(steerable.pyramid_energy, dict(pyramid=SPYR)),
    Call(SPYR.band, dict(level=1, orientation=0), name="lecture_utils.steerable.SteerablePyramid.band"),
    Call(steerable.full_grid_masks, dict(shape=(16, 16), octaves=2, order=3, twidth=0.75, bands_per_octave=2,
                                         complex_bands=True)),
    Call(nn.dense_backward, dict(dout=np.ones((3, 2)), cache=nn.dense_forward(X34, W32, B2)[1])),
    Call(nn.MLP, dict(sizes=[2, 3, 1], activations=["tanh", "identity"], rng=0)),
    Call(MODEL.forward, dict(x=X2, params=None), name="lecture_utils.nn.MLP.forward"),
    Call(MODEL.backward, dict(dout=np.ones((5, 1)), cache=MODEL.forward(X2)[1]), name="lecture_utils.nn.MLP.backward"),
    Call(MODEL.predict, dict(x=X2, params=None), name="lecture_utils.nn.MLP.predict"),
    Call(MODEL.layer_outputs, dict(x=X2), name="lecture_utils.nn.MLP.layer_outputs"),
    Call(MODEL.loss, dict(x=X2, y=Y1, loss="mse", params=None), name="lecture_utils.nn.MLP.loss"),
    Call(MODEL.objective, dict(loss="mse"), name="lecture_utils.nn.MLP.objective"),
    Call(nn.perceptron_rule, dict(params={"w": np.ones(2), "b": 0.5}, x=np.array([[0.0, 1], [1, 0]]),
                                  y=np.array([0, 1]))),
    Call(conv.im2col, dict(a_cn=np.ones((2, 3, 5, 5)), R=3, S=3, stride=1, Ho=3, Wo=3)),
    Call(conv.col2im, dict(cols=np.ones((18, 27)), C=2, N=3, Hp=5, Wp=5, R=3, S=3, stride=1, Ho=3, Wo=3)),
    Call(cnn.lecture_backward, dict(dout=np.ones((1, 4)), cache=LECTURE_CACHE)),
    Call(cnn.lecture_gradients, dict(X=LECTURE_X, y=LECTURE_Y, f=LECTURE_F, W=LECTURE_W, b=LECTURE_B)),
    Call(cnn.lecture_objective, dict(params={"f": LECTURE_F, "W": LECTURE_W, "b": LECTURE_B}, X=LECTURE_X,
                                     y=LECTURE_Y)),
    Call(cnn.lecture_accuracy, dict(X=LECTURE_X, y=LECTURE_Y, f=LECTURE_F, W=LECTURE_W, b=LECTURE_B)),
    Call(cnn.lecture_gradients_layerwise, dict(X=LECTURE_X, y=LECTURE_Y, f=LECTURE_F, W=LECTURE_W, b=LECTURE_B)),
    Call(cnn.lenet_input_shape, dict(params=LENET)),
    Call(cnn.lenet_backward, dict(dout=np.ones(LENET_OUT.shape), cache=LENET_CACHE)),
    Call(gradcheck.layer_gradient_errors, dict(forward=_linear_forward, backward=linear.linear_backward,
                                               inputs=[X34, W32, B2], params=None, rng=0, h=1e-6)),
    Call(HISTORY.per_epoch, dict(reduce="mean"), name="lecture_utils.optim.History.per_epoch"),
    Call(data.iris_standardised, {}),
    # fast paths
    Call(fast_cnn.lenet_init, dict(n_filters=(2, 3), n_classes=10, image_size=8, rng=0, dtype=np.float32),
         families={"dtype": "instance"}),
    Call(fast_cnn.lenet_loss, dict(x=DIGITS, labels=DIGIT_LABELS, params=LENET)),
    Call(fast_cnn.lenet_predict_proba, dict(x=DIGITS, params=LENET, batch_size=2)),
    Call(fast_cnn.train_lenet, dict(x=DIGITS, labels=DIGIT_LABELS, params=LENET, epochs=1, batch_size=2,
                                    learning_rate=0.01, momentum=0.9, decay=0.9, rng=0, x_test=None, y_test=None,
                                    verbose=False)),
    Call(fast_conv.conv2d_forward, dict(x=CONV_X, w=CONV_W, b=None, stride=1, padding=1)),
    Call(fast_conv.conv2d_backward, dict(dy=np.ones((2, 4, 5, 5)), cache=FAST_CONV_CACHE, input_gradient=True)),
    Call(fast_pyramids.reconstruct, dict(pyramid=LPYR)),
    Call(fast_steerable.reconstruct, dict(pyramid=SPYR)),
    # demos
    Call(demos_style.figure_png, dict(fig=demos_linear.draw_loss_curve(np.array([3.0, 2, 1])), scale=2)),
    Call(demos_style.plain_log_ticks, dict(ax=demos_linear.draw_loss_curve(np.array([3.0, 2, 1])).axes[0], axis="y")),
    Call(demos_style.diagram_canvas, dict(width=120.0, height=60.0, pyplot=False)),
    Call(demos_style.styled, dict(draw=lambda: demos_linear.draw_loss_curve(np.array([3.0, 2, 1])))),
    Call(demos_style.use_figure_style, {}),
    Call(demos.Explorer, dict(compute=lambda n: n, draw=lambda n: demos_linear.draw_loss_curve(np.ones(n + 1)),
                              controls={"n": __import__("ipywidgets").IntSlider(value=2, min=1, max=4)},
                              title="demo")),
    Call(demos_cnn.inspect_digit, dict(x=DIGITS, labels=DIGIT_LABELS, params=LENET, index=1)),
    Call(demos_cnn.draw_digit_inspection, dict(result=demos_cnn.inspect_digit(DIGITS, DIGIT_LABELS, LENET, 1))),
    Call(demos_cnn.digit_explorer, dict(x=DIGITS, labels=DIGIT_LABELS, params=LENET)),
    Call(demos_cnn.draw_shape_pipeline, dict(stages=[("X", (4, 6, 6)), ("Z1", (4, 4, 4))], steps=["conv"])),
    Call(demos_cnn.draw_validation_curves, dict(curves={"a": ([1.0, 0.5], [0.5, 0.7, 0.8])}, xlabel="epoch",
                                                cost_label="cost", chosen=("a", 2))),
    Call(demos_cnn.draw_confusion_matrix, dict(counts=np.array([[3, 1], [0, 4]]), class_names=["no", "yes"])),
    Call(demos_cnn.draw_filter_rows, dict(rows=[("f", np.ones((2, 3, 3)))], title="filters")),
    Call(demos_cnn.draw_mistakes, dict(images=DIGITS, labels=DIGIT_LABELS, predicted=np.array([1, 1, 2, 0]),
                                       indices=[0, 3], class_names=None)),
    Call(demos_cnn.draw_pyramid_vs_pooling, dict(image=IMAGE16, pyramid=[IMAGE16, IMAGE16[::2, ::2]],
                                                 cnn_maps=[("conv", IMAGE16), ("pool", IMAGE16[::2, ::2])])),
    Call(demos_conv.format_counts, dict(counts=COUNTS[0] if isinstance(COUNTS, tuple) else COUNTS, padding=1)),
    Call(demos_conv.draw_receptive_field_counts, dict(counts=COUNTS[0] if isinstance(COUNTS, tuple) else COUNTS,
                                                      out_shape=np.array([6, 6]), padding=1)),
    Call(demos_conv.receptive_field_explorer, dict(height=6, width=6)),
    Call(demos_conv.scatter_add_terms, dict(dJ_dY=np.ones((3, 5)), W=np.ones((3, 3)))),
    Call(demos_conv.draw_scatter_add, dict(dJ_dY=np.ones((3, 5)), W=np.ones((3, 3)), outputs=((0, 0), (2, 4)),
                                           pixel=(2, 2))),
    Call(demos_linear.draw_loss_curve, dict(losses=np.array([3.0, 2, 1]), title="loss")),
    Call(demos_linear.loss_curve_title, dict(run=HISTORY)),
    Call(demos_linear.loss_curve_explorer, dict(x=X34, y=np.eye(2)[[0, 1, 0]], rng=0)),
    Call(demos_nn.sgd_demo, dict(x=X2[:, :1], y=Y1, learning_rate=0.1, batch_size=2, hidden_units=3, epochs=2,
                                 rng=0)),
    Call(demos_nn.draw_sgd_demo, dict(demo=demos_nn.sgd_demo(X2[:, :1], Y1, batch_size=2, epochs=2))),
    Call(demos_nn.sgd_explorer, dict(x=X2[:, :1], y=Y1, epochs=2, rng=0)),
    Call(demos_steerable.draw_pyramid_diagram, {}),
    Call(demos_steerable.draw_magnification_pipelines, {}),
    # checks
    Call(predictions.check_prediction, dict(question_id="01-db-shape", answer=(1, 3))),
    Call(predictions.Prediction, dict(question="How many?", expected=3, explanation="three.", tolerance=0.0,
                                      options=())),
    Call(predictions._registry()["01-db-shape"].matches, dict(answer=(1, 3)),
         name="lecture_utils.checks.predictions.Prediction.matches"),
    Call(predictions._registry()["01-db-shape"].validate, dict(answer=(1, 3)),
         name="lecture_utils.checks.predictions.Prediction.validate"),
    Call(predictions._registry()["01-db-shape"].diagnose, dict(answer=(3, 1)),
         name="lecture_utils.checks.predictions.Prediction.diagnose"),
    # issue 25: the loss, the initialisation, weight decay, the committed tables, notebook 01's step-size lesson
    Call(cnn.lecture_cross_entropy, dict(Z2=np.array([[0.5, -1.0, 2.0, 0.0]]), y=LECTURE_Y),
         accepts={"y": ("one axis too many",)}),                 # y as (N,) or (1, N), like lecture_loss
    Call(cnn.lecture_backward_delta2, dict(delta2=np.ones((1, 4)), cache=LECTURE_CACHE)),
    Call(fast_cnn.train_lecture_model, dict(X=LECTURE_X, y=LECTURE_Y, n_filters=1, learning_rate=0.01, steps=2, rng=0,
                                            loss="cross_entropy", weight_decay=0.1, params=None)),
    Call(nn.init_std, dict(init="xavier", fan_in=4, fan_out=3), accepts={"init": ("a number",)}),   # a fixed std
    Call(optim.with_weight_decay, dict(loss_and_gradients=linear.linear_loss, strength=0.1, names=("w",))),
    Call(data.load_table, dict(name="xor_scales")),
    Call(data.load_arrays, dict(name="faces_trained")),
    Call(data.standardise_with_training, dict(x_train=RNG.uniform(0, 1, (4, 6, 6)), x_test=RNG.uniform(0, 1, (3, 6, 6)))),
    Call(demos_linear.step_size_demo, dict(x=X34, y=np.eye(2)[[0, 1, 0]], learning_rates=[0.1, 0.3], steps=5, rng=0,
                                           column=0)),
    Call(demos_linear.draw_step_size_demo, dict(demo=demos_linear.step_size_demo(X34, np.eye(2)[[0, 1, 0]], [0.1], 5))),
    Call(demos_linear.step_size_explorer, dict(x=X34, y=np.eye(2)[[0, 1, 0]], steps=5, rng=0)),
    Call(steerable.full_grid_masks, dict(shape=(16, 16), octaves=2, order=1, twidth=1.0, bands_per_octave=1,
                                         complex_bands=True)),
]
NEW_CALLS += [Call(checker, dict(fn=reference, cases="visible"), name=f"{checker.__module__}.{name}")
              for name, (checker, reference) in REFERENCES.items()]

# The checkers' own tables attack the same checkers (with cases="all"): the survey's visible run suffices.
CALLS = [from_case(case) for case in _existing_tables() if not case.fn.__name__.startswith("check_")] + NEW_CALLS

# Values of a bad-looking family that a callable accepts, and why (added to every good call of that name).
LECTURE_MODEL = {"b": ("one axis too few",),        # a one-output bias as (1,) as well as (1, 1)
                 "f": ("one axis too many",),       # (1, 3, 3): a bank of K = 1 filters
                 "y": ("one axis too many",)}       # targets as a (1, N) row, like O
ACCEPTS = {
    "lecture_utils.cnn.lecture_forward": LECTURE_MODEL,
    "lecture_utils.cnn.lecture_gradients": LECTURE_MODEL,
    "lecture_utils.cnn.lecture_accuracy": LECTURE_MODEL,
    "lecture_utils.cnn.lecture_gradients_layerwise": LECTURE_MODEL,
    "lecture_utils.cnn.lecture_objective": {"y": ("one axis too many",),
                                            "params": ("an entry with an extra axis",)},   # f as K = 1 filters
    # params=None draws new ones with lenet_init (the documented default)
    "lecture_utils.cnn.train_lenet": {"params": ("None",)},
    "lecture_utils.cnn.lenet_validation_run": {"params": ("None",)},
    "lecture_utils.fast.cnn.train_lenet": {"params": ("None",)},
    "lecture_utils.fast.cnn.lenet_validation_run": {"params": ("None",)},
    "lecture_utils.fast.cnn.lenet_predict_proba": {"batch_size": ("an absurd size",)},   # any batch size works
    "lecture_utils.gradcheck.numerical_gradient": {"x": ("one axis too many",)},         # any shape
    "lecture_utils.linear.one_hot": {"labels": ("an empty list",)},                      # an empty batch: (0, K)
    "lecture_utils.nn.dense_forward": {"b": ("one axis too many",)},                     # a (1, M) row bias
    "lecture_utils.baselines.logistic_baseline": {"y_fit": ("a negative label",)},       # classes are any integers
    # None is the default (no mark, class numbers as names)
    "lecture_utils.demos.cnn.draw_validation_curves": {"chosen": ("None",)},
    "lecture_utils.demos.cnn.draw_confusion_matrix": {"class_names": ("None",)},
    # 10**12 is a seed like any other
    "lecture_utils.demos.linear.loss_curve_explorer": {"rng": ("an absurd size",)},
    "lecture_utils.demos.nn.sgd_demo": {"rng": ("an absurd size",)},
    "lecture_utils.demos.nn.sgd_explorer": {"rng": ("an absurd size",)},
    # im2col and col2im copy and add values: NaN in, NaN out (their callers check the layer's arrays)
    "lecture_utils.conv.im2col": {"a_cn": ("NaN", "infinity")},
    "lecture_utils.conv.col2im": {"cols": ("NaN", "infinity")},
    # None is the student edition's unanswered prediction: "write your prediction first" (a CheckFailure, as
    # for an exercise's stub: the state students start from, not a mistake)
    "lecture_utils.checks.predictions.check_prediction": {"answer": ("None",)},
    "lecture_utils.checks.predictions.Prediction.matches": {"answer": ("None",)},
    "lecture_utils.checks.predictions.Prediction.validate": {"answer": ("None",)},
    "lecture_utils.checks.predictions.Prediction.diagnose": {"answer": ("None",)},
    # a question's expected answer may be any number
    "lecture_utils.checks.predictions.Prediction": {"expected": ("a float", "a negative number", "an absurd size")},
    # the error comes from the caller's own loss_and_gradients, in their code, on the params they gave
    "lecture_utils.optim.train": {"params": ("an entry with an extra axis",)},
    "lecture_utils.optim.fit_bfgs": {"params": ("an entry with an extra axis",)},
}
for _call in CALLS:
    for _arg, _descriptions in ACCEPTS.get(_call.name, {}).items():
        _call.accepts[_arg] = tuple(_call.accepts.get(_arg, ())) + tuple(_descriptions)


def _calls_by_name():
    by_name = {}
    for call in CALLS:
        by_name.setdefault(call.name, []).append(call)
    return by_name


# ------------------------------------------------------------------------------------------ the tests

def test_every_public_callable_is_surveyed():
    surveyed = set(_calls_by_name())
    missing = sorted(set(public_callables()) - surveyed - set(NOT_SURVEYED))
    assert not missing, f"public callables without a good call in this module's table: {missing}"


@pytest.mark.parametrize("name", sorted(_calls_by_name()))
def test_bad_input_is_refused_clearly_or_works(name):
    rows = survey(_calls_by_name()[name])
    bad = [f"{arg}={description} ({kind}): {verdict}, {detail}"
           for _, arg, description, kind, verdict, detail in rows if verdict in ("unclear", "silent")]
    assert not bad, f"{name}:\n" + "\n".join(bad)


def main(argv):
    rows = survey(CALLS, isolate=True)
    counts = Counter(verdict for *_, verdict, _ in rows)
    print(f"{len(rows)} bad or extreme calls of {len(_calls_by_name())} public callables: "
          + ", ".join(f"{counts[v]} {v}" for v in ("clear", "accepted", "works", "unclear", "silent")))
    if "--list" in argv:
        for name, arg, description, kind, verdict, detail in rows:
            if verdict in ("unclear", "silent"):
                print(f"{verdict:8s} {name}({arg}={description}) [{kind}] {detail}")


if __name__ == "__main__":
    main(sys.argv[1:])
