"""Hints that teach without telling: every message a checker can give names the mistake and the idea to
revisit, never the answer's code or formula, and every mistake a checker lists is recognised.

For each exercise, ``ANSWERS`` lists the tell-tale fragments of its answer: the code (``x.T @``,
``np.conj``, ``P:P + U``, ``exp(1j``...) and the formula (``y (1 - y)``, ``O(1 - O)``...) a student
would copy. They are looked for, ignoring case and spaces, in

* every hint the checker offers while a correct answer runs through all its cases (hint_catalogue),
* every message its mutants get (the wrong answers of tests/test_checks_*.py),
* every string written in the checker's module (messages, docstrings: what ``help()`` shows),
  against the fragments of all the module's exercises; the explanations of predict-then-run
  questions (shown once the prediction is made) and the pass lines are left out.

Then: every checker recognises at least 3 mistakes by their values, each of them is the message of
at least one mutant, and the mistakes the course's issue named are each recognised by their own message.
"""

from __future__ import annotations

import ast
import inspect
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from checker_references import REFERENCES
from hint_catalogue import distinct, mutant_messages, offered_hints
from lecture_utils import checks
from lecture_utils.checks import CheckFailure, check_prediction
from lecture_utils.checks import _core

MSE = ["2 * (y_hat - y)", "2 (y_hat - y)", "2/N", "(y_hat - y) / N", "y_hat.shape[0]", "len(y_hat)"]
WEIGHT = ["x.T @", "x^T", "x.T.dot", "np.outer(x", "dL/dy_hat_nk * x_ni", "x_ni * dL/dy_hat_nk",
          "dL_dyhat[n, k] * x[n, i]", "einsum"]
INPUT = ["@ w.T", "w^T", "dot(w.T", "dL/dy_hat_nk * w_ik", "w_ik * dL/dy_hat_nk", "dL_dyhat @ w"]
BIAS = ["axis=0", ".sum(0)", "keepdims"]
STEP = ["- eta *", "- learning_rate *", "w - eta", "b - eta", "theta - eta", "theta <- theta -"]
TAPS = ["[1 4 6 4 1]", "[1, 4, 6, 4, 1]", "/ 16", "np.convolve(x, h", "mode='same'", 'mode="same"']
PHASE = ["np.conj", "conj(", "band * conj", "angle(band *", "b * np.conj"]
FILTER = ["O(1 - O)", "O * (1 - O)", "H1(1 - H1)", "H1 * (1 - H1)", "O - y", "delta1.T.reshape", "W @ delta2",
          "dE/dO = "]

ANSWERS = {
    "check_mse_gradient": MSE,
    "check_linear_weight_gradient": WEIGHT,
    "check_linear_input_gradient": INPUT,
    "check_linear_backward": WEIGHT + INPUT + BIAS,
    "check_gradient_descent_step": MSE + WEIGHT + BIAS + STEP,
    "check_reduce_1d": TAPS + ["[::2]", "(n + 1) // 2", "ceil(n/2)", "0, 2, 4"],
    "check_expand_1d": TAPS + ["2 * h", "2h", "gain 2", "g = 2", "factor 2", "[::2] = x", "up[::2]"],
    "check_laplacian_pyramid": ["x - expand(", "x_k - F", "- expand(", "L_k = x_k", "expand(coarser", "G x_k"],
    "check_collapse": ["L_k + F", "band + expand(", "+ expand(", "x_k = L_k", "reversed("],
    "check_blend": ["1 - G", "1 - w", "gaussian_pyramid(mask", "its Gaussian pyramid", "w * la", "G(j) and"],
    "check_steer_first_order": ["cos(psi) g_x", "cos(psi) * g_x", "np.cos(psi) *", "sin(psi) g_y", "sin(psi) * g_y",
                                "u . grad", "cos psi g_x"],
    "check_angular_mask": ["binom(2N, N)", "4^N", "4**", "comb(2", "(N + 1) binom", "c_N^2 =", "sqrt(4"],
    "check_phase_difference": PHASE,
    "check_magnify_band": PHASE + ["exp(1j", "exp(i alpha", "exp(i*alpha", "B_t exp", "alpha * dphi", "alpha dphi",
                                   "temporal_bandpass(dphi", "exp(-i", "axis=0"],
    "check_sigmoid_backward": ["y (1 - y)", "y * (1 - y)", "dout * y", "y - y^2", "y - y**2"],
    "check_dense_backward": ["x.T @", "@ w.T", "x^T", "w^T", "axis=0", "dout_nm * w_dm", "x_nd * dout_nm"],
    "check_steepest_step": ["/ norm", "np.linalg.norm(", "step_length / ", "- step_length *", "step_length * grads",
                            "sqrt(sum(", "/ |gradient|", "/ ||gradient", "g / |g|", "eps / |", "\\frac{\\nabla",
                            "eta |gradient|", "eta * norm"],
    "check_mlp_backward": ["x1.T @", "x0.T @", "da2 @ w2.T", "da_2 w_2^T", "1 - x1 ** 2", "1 - x_1^2",
                           "x2 * (1 - x2)", "x_2 (1 - x_2)", "w_2^T", "x_0^T", "x_1^T", "axis=0"],
    "check_weight_gradient": ["dJ/dY(p, q) with X", "dJ/dY(p, q) X(p", "X(p + i, q + j) dJ/dY", "X (x) dJ/dY",
                              "np.sum(dJ_dY * X", "X[i:i + P", "correlate(X"],
    "check_input_gradient": ["W[::-1, ::-1]", "[::-1, ::-1]", "R - 1", "S - 1", "W(a - p", "dJ/dY(p, q) W",
                             "dJ/dY(p, q) * W", "np.pad(", "np.flip", "rot90", "flipud", "fliplr"],
    "check_input_gradient_stride2": ["dJ/dY(p, q) * W", "dJ_dY[p, q] * W", "+= dJ_dY", "times W lands",
                                     "2 * p:2 * p", "lands on the block"],
    "check_conv_layer_backward": ["P:P + U", "dx_pad[:, :,", "dy[n, k, p, q] * w[k]", "dy[n, k, p, q] * x_pad",
                                  "axis=(0, 2, 3)", "axes 0, 2 and 3", "+= dy"],
    "check_filter_gradient": FILTER,
    "check_filter_gradient_multi": FILTER,
    "check_gradient_step": FILTER + STEP + ["np.sum(delta2)", "sum of delta2", "H1 @ delta2"],
    "check_momentum_on_quadratic": ["1 - a", "1 - eta kappa", "1 - eta * kappa", "1 - learning_rate * curvature",
                                    "1 - lr * k", "[[1 -", "- eta kappa w", "2 * (1 + momentum)", "2 * (1 + mu)",
                                    "2(1 + mu)", "2 (1 + momentum)", "(1 + mu) / kappa", "(1 + momentum) / curvature",
                                    "1 + mu - eta", "1 + mu - a", "det A = mu", "at a = 2", "\\frac{2(1+\\mu)}",
                                    "1-\\eta\\kappa"],
}

CHECKER_MODULES = [checks.linear, checks.pyramids, checks.steerable, checks.nn, checks.conv, checks.cnn]


def squash(text: str) -> str:
    """Lower case, no white space: ``x.T@`` and ``x.T @`` are the same tell-tale."""
    return re.sub(r"\s+", "", text).lower()


def leaks(text: str, fragments) -> list:
    return [fragment for fragment in fragments if squash(fragment) in squash(text)]


def all_checkers() -> dict:
    return {name: obj for module in CHECKER_MODULES for name, obj in vars(module).items()
            if name.startswith("check_") and inspect.isfunction(obj) and obj.__module__ == module.__name__}


@lru_cache(maxsize=None)
def _offered(name):
    checker, reference = REFERENCES[name]
    return tuple(offered_hints(checker, reference))


@lru_cache(maxsize=None)
def _mutants():
    return mutant_messages()


def module_strings(module) -> list:
    """Every string written in ``module`` (f-strings' literal parts too), but the PREDICTIONS' explanations
    and the pass lines (``passed(...)``: shown once the answer is right)."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    shown_after = [node for node in tree.body if isinstance(node, ast.Assign)
                   and any(isinstance(t, ast.Name) and t.id == "PREDICTIONS" for t in node.targets)]
    shown_after += [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name) and node.func.id == "passed"]
    skip = {id(n) for node in shown_after for n in ast.walk(node)}
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip]


# ------------------------------------------------------------------------------------------ the tests

def test_every_checker_has_a_reference_and_tell_tale_fragments():
    names = set(all_checkers())
    assert names == set(REFERENCES), f"checkers without a reference in checker_references: {names - set(REFERENCES)}"
    assert names == set(ANSWERS), f"checkers without tell-tale fragments here: {names - set(ANSWERS)}"


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_no_hint_or_mutant_message_gives_the_answer_away(name):
    texts = [hint for _, hint in _offered(name)] + [message for _, message in _mutants().get(name, [])]
    found = {(fragment, text) for text in texts for fragment in leaks(text, ANSWERS[name])}
    assert not found, "\n".join(f"{fragment!r} in: {text}" for fragment, text in sorted(found))


@pytest.mark.parametrize("module", CHECKER_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_no_string_of_a_checker_module_gives_an_answer_away(module):
    fragments = {f for name, checker in all_checkers().items() if checker.__module__ == module.__name__
                 for f in ANSWERS[name]}
    found = {(f, text) for text in module_strings(module) for f in leaks(text, fragments)}
    assert not found, "\n".join(f"{fragment!r} in: {text}" for fragment, text in sorted(found))


def test_the_shared_messages_give_no_answer_away():
    fragments = {f for fs in ANSWERS.values() for f in fs}
    found = {(f, text) for text in module_strings(_core) for f in leaks(text, fragments)}
    assert not found, found


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_every_checker_recognises_at_least_three_mistakes_each_shown_to_a_mutant(name):
    offered = {(distinct(what), distinct(hint)) for what, hint in _offered(name)}
    assert len({hint for _, hint in offered}) >= 3, f"{name} recognises only {len(offered)} mistakes"
    messages = [distinct(message) for _, message in _mutants().get(name, [])]
    unseen = [f"{what}: {hint}" for what, hint in sorted(offered)
              if not any(what in message and hint in message for message in messages)]
    assert not unseen, f"{name}: no mutant in tests/test_checks_*.py makes these mistakes:\n" + "\n".join(unseen)


def test_messages_read_as_english():
    # The grammar slips the issue quoted, wherever a message could still produce them.
    texts = [hint for name in ANSWERS for _, hint in _offered(name)]
    texts += [message for found in _mutants().values() for _, message in found]
    texts += [s for module in CHECKER_MODULES + [_core] for s in module_strings(module)]
    bad = [t for t in texts if re.search(r"(?<!from )\ba (?!one|uni|use)[aeiouAEIOU]\w", t)]
    bad += [t for t in texts if re.search(r"\b(weights|gradients|values|parameters) is\b|\b1 axes\b", t)]
    assert not bad, bad


def test_an_instance_spec_takes_the_right_article():
    from lecture_utils._validate import instance
    from lecture_utils.linear import LinearCache
    from lecture_utils.nn import ActivationCache
    assert instance(ActivationCache).description == "an ActivationCache"
    assert instance(LinearCache).description == "a LinearCache"


# ----------------------------------------------------------------------- the mistakes the issue named

def _run(checker, answer) -> str:
    with pytest.raises(CheckFailure) as info:
        checker(answer)
    return str(info.value)


def test_a_missing_sum_over_the_batch_is_named():
    from lecture_utils.checks.cnn import check_gradient_step
    from test_checks_cnn import student_step
    message = _run(check_gradient_step, lambda *a: student_step(*a, db_per_image=True))
    assert "one entry per image" in message and "collects all the images' terms" in message, message
    from lecture_utils.checks.nn import check_dense_backward
    from test_checks_nn import dense_backward
    message = _run(check_dense_backward, lambda dout, cache: dense_backward(dout, cache)[:2] + (dout,))
    assert "there is no sum over the batch" in message, message


def test_a_hard_coded_lecture_size_is_named():
    from lecture_utils.checks.linear import check_mse_gradient
    message = _run(check_mse_gradient, lambda y_hat, y: 2 * (y_hat - y) / 5)
    assert "you divided by 5, the lecture's number of examples" in message and "here N = 3" in message, message


def test_np_convolve_full_mode_is_named():
    from lecture_utils.checks.pyramids import check_reduce_1d
    h = np.array([1, 4, 6, 4, 1]) / 16
    message = _run(check_reduce_1d, lambda x: np.convolve(x, h)[::2])
    assert "np.convolve's default mode, 'full', returns n + 4 samples" in message, message


def test_a_prediction_in_degrees_is_named():
    with pytest.raises(CheckFailure, match="that is the answer in degrees; the question asks for radians"):
        check_prediction("03-phase-shift", float(np.degrees(-2 * np.pi * 10 / 64)))
    with pytest.raises(CheckFailure, match="the size is right and the sign is not"):
        check_prediction("03-phase-shift", 2 * np.pi * 10 / 64)
    with pytest.raises(CheckFailure, match="that is twice the answer"):
        check_prediction("06-initial-error", 25.0)
    with pytest.raises(CheckFailure, match="that is the answer transposed"):
        check_prediction("01-db-shape", (3, 1))
    with pytest.raises(CheckFailure, match="logarithm in base 10"):
        check_prediction("06-lenet-initial-loss", 1.0)


@pytest.mark.parametrize("question, answer", [("01-db-shape", (5, 1)), ("02-coefficients", 512 * 512),
                                              ("03-basis-count", 4), ("03-phase-shift", -10 / 64),
                                              ("04-batch-size", "50"), ("05-dx-shape", (3, 4)),
                                              ("05-stride2-terms", 9), ("06-initial-error", 0.125)])
def test_each_question_names_its_expected_mistakes(question, answer):
    with pytest.raises(CheckFailure) as info:
        check_prediction(question, answer)
    first = str(info.value).splitlines()[0]
    assert re.match(rf"not quite: you predicted {re.escape(repr(answer))}: \S", first), first


def test_a_student_exception_is_one_sentence_naming_function_line_and_code():
    from checker_probes import cell_function
    from lecture_utils.checks.linear import check_mse_gradient
    my_x = cell_function("def my_x(y_hat, y):\n"
                         "    a = np.zeros(3)\n"
                         "    return a[5]\n", "my_x")
    message = _run(check_mse_gradient, my_x)
    assert message.startswith("your function my_x raised IndexError at line 3 of your cell: `return a[5]`: "
                              "index 5 is out of bounds for axis 0 with size 3 (for N=3 examples, K=3 classes)"), message
    assert "\n" not in message and message.count(". ") == 0, message


def test_a_helper_of_the_student_is_named_too():
    from checker_probes import cell_function
    from lecture_utils.checks.linear import check_mse_gradient
    namespace = {"np": np}
    cell_function("def helper(r):\n    return r @ np.ones((7, 7))\n", "helper", namespace)
    answer = cell_function("def my_gradient(y_hat, y):\n    return helper(y_hat - y)\n", "my_gradient", namespace)
    message = _run(check_mse_gradient, answer)
    assert message.startswith("your function my_gradient raised ValueError at line 2 of your cell (in helper): "
                              "`return r @ np.ones((7, 7))`"), message


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_a_non_function_is_refused_in_one_sentence_naming_the_argument(name):
    checker = all_checkers()[name]
    for bad in (np.ones(3), None, "my_function"):
        with pytest.raises(TypeError) as info:
            checker(bad)
        assert isinstance(info.value, CheckFailure) and str(info.value).startswith("fn "), str(info.value)
    with pytest.raises(ValueError, match="cases must be 'all', 'visible' or 'hidden'"):
        checker(REFERENCES[name][1], cases="some")


# ----------------------------------------------------------------------- what a wrong shape or value suggests

@pytest.mark.parametrize("got, expected, says", [
    ((2, 3), (3, 2), "two axes are swapped"),
    ((3,), (1, 3), "an axis of length 1 more or less"),
    ((3,), (3, 4), "one axis is missing"),
    ((3, 4, 5), (3, 5), "one axis too many"),
    ((5, 3), (4, 3), "axis 0 has 5 entries instead of 4"),
    ((20,), (5, 4), "a reshape or a ravel regrouped the axes"),
    ((7,), (2, 5), "1 axis instead of 2"),
])
def test_a_wrong_shape_is_described(got, expected, says):
    assert says in _core.shape_advice(got, expected)


def test_wrong_values_are_described():
    expected = np.random.default_rng(0).standard_normal((6, 7))
    assert "wrong sign" in _core.value_advice(-expected, expected)
    assert "every entry is the same multiple of the right one" in _core.value_advice(0.6 * expected, expected)
    assert "0.6" not in _core.value_advice(0.6 * expected, expected)      # the ratio could be the answer
    border = expected.copy()
    border[0, 0] += 1
    assert "away from the border are right" in _core.value_advice(border, expected)
    inside = expected.copy()
    inside[3, 3] += 1
    assert "41 of 42 entries are right, the largest difference is 1" in _core.value_advice(inside, expected)


# ----------------------------------------------------------------------- the notebooks' declared wrong answers

def _declared_wrong_answers():
    """(notebook, cell id, checker name, wrong answer source, expected hint) of every solution cell that
    declares one (``metadata.lecture_utils.wrong_answer`` / ``wrong_hint``, graded by the autograder test)."""
    import nbformat
    from lecture_utils.course.editions import find_exercises
    found = []
    for path in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for exercise in find_exercises(nb, path.name):
            cell = nb.cells[exercise.solution_index]
            meta = cell.metadata.get("lecture_utils", {})
            if "wrong_answer" in meta:
                source = "\n".join(nb.cells[i].source for i in exercise.check_indices)
                checker = re.search(r"\b(check_\w+)\s*\(", source).group(1)
                found.append((path.name, cell.id, checker, exercise.function_name, meta["wrong_answer"],
                              meta["wrong_hint"]))
    return found


@pytest.mark.parametrize("notebook, cell, checker, function, source, hint", _declared_wrong_answers(),
                         ids=lambda v: v if isinstance(v, str) and v.endswith(".ipynb") else "")
def test_each_declared_wrong_answer_gets_its_declared_hint(notebook, cell, checker, function, source, hint):
    from lecture_utils.nn import sigmoid
    namespace = {"np": np, "sigmoid": sigmoid}          # what the notebooks import before their exercises
    exec(compile(source, f"{notebook} cell {cell}", "exec"), namespace)
    message = _run(lambda fn: all_checkers()[checker](fn, cases="visible"), namespace[function])
    assert hint in message, f"{notebook} cell {cell}: the declared hint {hint!r} is not in: {message}"


# What a student reads before any notebook: the README (the lab opens at the repository root) and the
# notation page every title cell links to. They state no exercise's answer and no predict-then-run
# result: the checkers' tell-tale fragments, and the predictions' answers in the forms they were written.
STATED_ANSWERS = ["\\frac2N(", "2/N", "K = N+1", "K=N+1", "F = 2G^T", "has $\\mathbf w$'s shape",
                      "shape of what it differentiates", "\\theta - \\eta", "(\\cos\\psi, \\sin\\psi)",
                      "keep samples", "N+1 basis", "N + 1 basis"]
PAGES_READ_FIRST = ["README.md", "notebooks/notation.md"]


@pytest.mark.parametrize("page", PAGES_READ_FIRST)
def test_the_pages_a_student_reads_first_state_no_answer(page):
    text = (Path(__file__).resolve().parents[1] / page).read_text(encoding="utf-8")
    found = sorted({(name, f) for name, fragments in ANSWERS.items() for f in fragments if f in text}
                   | {("an exercise or prediction of the notebooks", f) for f in STATED_ANSWERS if f in text})
    assert not found, f"{page} states answers: " + "; ".join(f"{f!r} ({name})" for name, f in found)


def test_every_checker_has_a_name_of_its_own_and_the_package_serves_each_on_first_use():
    """The package imports a topic's checkers only when one is asked for: a name used by two topics
    would silently serve the first, so none is."""
    import subprocess
    import sys
    own = [name for module in CHECKER_MODULES for name, value in vars(module).items()
           if name.startswith("check_") and callable(value) and value.__module__ == module.__name__]
    assert len(own) == len(set(own)) > 20
    assert sorted(set(checks.__all__) - {"CheckFailure", "Prediction", "check_prediction"}) == sorted(own)
    for module in CHECKER_MODULES:
        for name, value in vars(module).items():
            if name in own and value.__module__ == module.__name__:
                assert getattr(checks, name) is value
    loaded = subprocess.run([sys.executable, "-c", "import sys; from lecture_utils.checks import check_prediction; "
                             "print(sorted(m for m in sys.modules if m.startswith('lecture_utils.')))"],
                            capture_output=True, text=True, check=True).stdout
    assert "lecture_utils.cnn" not in loaded and "lecture_utils.checks.cnn" not in loaded, loaded
