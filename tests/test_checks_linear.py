"""Checker quality for notebook 01: the reference passes, every typical wrong answer is caught with its hint,
answers that delegate to the package or return complex or string values are refused, and an answer
hard-coded to the visible cases fails the hidden ones.

Every wrong answer here is written with numpy, as a student would: the checkers refuse any answer
that calls lecture_utils.
"""

import numpy as np
import pytest

from checker_probes import assert_hard_coded_fails_hidden, cell_function
from lecture_utils.checks import CheckFailure, check_prediction
from lecture_utils.checks.linear import (check_gradient_descent_step, check_linear_input_gradient,
                                         check_linear_backward, check_mse_gradient, check_linear_weight_gradient)
from lecture_utils.linear import linear_backward, mse_loss


# --- references, written as a student would ------------------------------------------------------

def loss_gradient(y_hat, y):
    return 2 * (y_hat - y) / y_hat.shape[0]


def weight_gradient_loops(x, dL_dyhat):
    n_examples, n_features = x.shape
    dw = np.zeros((n_features, dL_dyhat.shape[1]))
    for i in range(n_features):
        for k in range(dL_dyhat.shape[1]):
            for n in range(n_examples):
                dw[i, k] += dL_dyhat[n, k] * x[n, i]
    return dw


def input_gradient(dL_dyhat, w):
    return dL_dyhat @ w.T


def backward(dL_dyhat, cache):
    x, w, b = cache
    return dL_dyhat @ w.T, x.T @ dL_dyhat, dL_dyhat.sum(axis=0).reshape(b.shape)


def gradient_descent_step(x, y, w, b, learning_rate):
    g = 2 * (x @ w + b - y) / len(x)
    return w - learning_rate * (x.T @ g), b - learning_rate * g.sum(axis=0, keepdims=True)


# --- dL/dy_hat ------------------------------------------------------------------------------------

def test_mse_reference_passes(capsys):
    check_mse_gradient(loss_gradient)
    assert capsys.readouterr().out.startswith("PASS dL/dy_hat")


MSE_MUTANTS = {
    "differentiating a square brings down is missing": lambda yh, y: (yh - y) / len(yh),
    "the normalisation is missing": lambda yh, y: 2 * (yh - y),
    "divided by the number of entries N\\*K": lambda yh, y: 2 * (yh - y) / yh.size,
    "divided by K, the number of classes": lambda yh, y: 2 * (yh - y) / yh.shape[1],
    "sign is flipped": lambda yh, y: 2 * (y - yh) / len(yh),
    "forget the `return`": lambda yh, y: None,
    "right shape but wrong values": lambda yh, y: 2 * (yh - y) / len(yh) + 0.01,
    "divided by 5, the lecture's number of examples": lambda yh, y: 2 * (yh - y) / 5,
    "returned the loss L itself": lambda yh, y: np.mean(np.sum((yh - y) ** 2, axis=1)),
    "transposed": lambda yh, y: (2 * (yh - y) / len(yh)).T,
}


@pytest.mark.parametrize("hint", MSE_MUTANTS)
def test_mse_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_mse_gradient(MSE_MUTANTS[hint])


def test_mse_accepts_the_natural_alternatives():
    check_mse_gradient(lambda yh, y: 2 / len(y) * (yh - y))
    check_mse_gradient(lambda yh, y: np.subtract(yh, y) * (2.0 / np.shape(yh)[0]))


def test_mse_refuses_delegation_complex_and_strings():
    with pytest.raises(CheckFailure, match="calls lecture_utils.linear.mse_loss"):
        check_mse_gradient(lambda yh, y: mse_loss(yh, y)[1])
    with pytest.raises(CheckFailure, match="is complex"):
        check_mse_gradient(lambda yh, y: loss_gradient(yh, y) + 0j)
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        check_mse_gradient(lambda yh, y: str(loss_gradient(yh, y)))


def test_mse_hard_coded_to_the_visible_cases_fails_the_hidden_ones(capsys):
    assert_hard_coded_fails_hidden(check_mse_gradient, loss_gradient)


def test_hard_coded_lecture_answer_fails():
    # An answer memorised from one case (the first checked one) must fail on the others.
    first = {}

    def memorised_once(y_hat, y):
        first.setdefault("g", loss_gradient(y_hat, y))
        return first["g"]

    with pytest.raises(CheckFailure):
        check_mse_gradient(memorised_once)


# --- dL/dw entry by entry -------------------------------------------------------------------------

def test_weight_gradient_reference_passes(capsys):
    check_linear_weight_gradient(weight_gradient_loops)
    assert capsys.readouterr().out.startswith("PASS dL/dw, entry by entry")


def test_weight_gradient_accepts_the_natural_alternatives():
    check_linear_weight_gradient(lambda x, g: x.T @ g)
    check_linear_weight_gradient(lambda x, g: sum(np.outer(x[n], g[n]) for n in range(len(x))))
    check_linear_weight_gradient(lambda x, g: np.einsum("ni,nk->ik", x, g))


def _loops(term, rows=lambda n_examples: range(n_examples), accumulate=True):
    """dL/dw with the lecture's three loops, the summand (or the loop) changed."""
    def answer(x, g):
        n_examples, n_features = x.shape
        dw = np.zeros((n_features, g.shape[1]))
        for i in range(n_features):
            for k in range(g.shape[1]):
                for n in rows(n_examples):
                    if accumulate:
                        dw[i, k] += term(x, g, n, i, k)
                    else:
                        dw[i, k] = term(x, g, n, i, k)
        return dw
    return answer


WEIGHT_MUTANTS = {
    "only the first example": lambda x, g: np.outer(x[0], g[0]),
    "each term replaces the previous one": _loops(lambda x, g, n, i, k: g[n, k] * x[n, i], accumulate=False),
    "the last example is missing from your sum": _loops(lambda x, g, n, i, k: g[n, k] * x[n, i], rows=lambda n: range(n - 1)),
    "you divided by N: the 1/N of the loss": lambda x, g: x.T @ g / len(x),
    "applied the loss's constant factors a second time": lambda x, g: 2 / len(x) * (x.T @ g),
    "stops at 5, the lecture's N": _loops(lambda x, g, n, i, k: g[n, k] * x[n, i], rows=lambda n: range(min(n, 5))),
    "also added up the classes": lambda x, g: np.tile(x.T @ g.sum(axis=1, keepdims=True), (1, g.shape[1])),
    "multiplied two sums": lambda x, g: np.outer(x.sum(axis=0), g.sum(axis=0)),
    "transposed \\(the indices are swapped\\)": lambda x, g: np.array([[np.sum(x[:, k] * g[:, i]) for k in range(g.shape[1])]
                                                  for i in range(x.shape[1])]),
    "has w's shape \\(D, K\\)": lambda x, g: g.T @ x,
}


@pytest.mark.parametrize("hint", WEIGHT_MUTANTS)
def test_weight_gradient_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_linear_weight_gradient(WEIGHT_MUTANTS[hint])


def test_weight_gradient_refuses_delegation_complex_and_strings():
    from lecture_utils.linear import LinearCache, linear_backward_naive
    with pytest.raises(CheckFailure, match=r"calls lecture_utils\.linear\..*the package.s own code"):
        check_linear_weight_gradient(lambda x, g: linear_backward_naive(
            g, LinearCache(x, np.zeros((x.shape[1], g.shape[1])), np.zeros(g.shape[1])))[1])
    with pytest.raises(CheckFailure, match="is complex"):
        check_linear_weight_gradient(lambda x, g: (x.T @ g).astype(complex))
    with pytest.raises(CheckFailure, match="must be a numeric array"):
        check_linear_weight_gradient(lambda x, g: np.array2string(x.T @ g))


def test_weight_gradient_hard_coded_to_the_visible_cases_fails_the_hidden_ones():
    assert_hard_coded_fails_hidden(check_linear_weight_gradient, weight_gradient_loops)


# --- dL/dx ----------------------------------------------------------------------------------------

def test_input_gradient_reference_passes(capsys):
    check_linear_input_gradient(input_gradient)
    assert capsys.readouterr().out.startswith("PASS dL/dx")


def test_input_gradient_accepts_loops():
    def loops(g, w):
        dx = np.zeros((g.shape[0], w.shape[0]))
        for n in range(g.shape[0]):
            for i in range(w.shape[0]):
                dx[n, i] = sum(g[n, k] * w[i, k] for k in range(g.shape[1]))
        return dx
    check_linear_input_gradient(loops)


INPUT_MUTANTS = {
    "the indices of w are swapped": lambda g, w: g @ w,
    "your result is transposed": lambda g, w: w @ g.T,
    "stops at 3, the lecture's K": lambda g, w: g[:, :3] @ w[:, :3].T,
    "you divided by N": lambda g, w: g @ w.T / len(g),
    "also added up the examples": lambda g, w: np.tile(g.sum(axis=0) @ w.T, (len(g), 1)),
    "multiplied two sums": lambda g, w: g.sum(axis=1, keepdims=True) * w.sum(axis=1),
    "only the first class": lambda g, w: np.outer(g[:, 0], w[:, 0]),
    "forget the `return`": lambda g, w: print(g @ w.T),
}


@pytest.mark.parametrize("hint", INPUT_MUTANTS)
def test_input_gradient_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_linear_input_gradient(INPUT_MUTANTS[hint])


def test_input_gradient_refuses_delegation_complex_and_strings():
    from lecture_utils.linear import LinearCache
    with pytest.raises(CheckFailure, match=r"calls lecture_utils\.linear\..*the package.s own code"):
        check_linear_input_gradient(lambda g, w: linear_backward(g, LinearCache(np.zeros((len(g), len(w))), w,
                                                                         np.zeros(w.shape[1])))[0])
    with pytest.raises(CheckFailure, match="is complex"):
        check_linear_input_gradient(lambda g, w: g @ w.T * np.exp(0j))
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        check_linear_input_gradient(lambda g, w: "dL/dy_hat w^T")


def test_input_gradient_hard_coded_to_the_visible_cases_fails_the_hidden_ones():
    assert_hard_coded_fails_hidden(check_linear_input_gradient, input_gradient)


# --- the full backward pass -----------------------------------------------------------------------

def test_backward_reference_passes(capsys):
    check_linear_backward(backward)
    assert "PASS linear_backward" in capsys.readouterr().out


def test_backward_accepts_the_natural_alternatives():
    # keepdims row, a reshaped sum, a loop over examples, einsum: all correct, all must pass
    def keepdims(g, cache):
        x, w, b = cache
        return g @ w.T, x.T @ g, g.sum(axis=0, keepdims=True)

    def reshaped(g, cache):
        x, w, b = cache
        return g @ w.T, x.T @ g, g.sum(axis=0).reshape(b.shape)

    def loops(g, cache):
        x, w, b = cache
        dw = sum(np.outer(x[n], g[n]) for n in range(len(g)))
        return g @ w.T, dw, sum(g[n:n + 1] for n in range(len(g)))

    def einsum(g, cache):
        x, w, b = cache
        return np.einsum("nk,dk->nd", g, w), np.einsum("nd,nk->dk", x, g), np.einsum("nk->k", g)[None, :]

    for fn in (keepdims, reshaped, loops, einsum):
        check_linear_backward(fn)


def test_backward_refuses_a_flat_bias_gradient_as_the_shape_prediction_does():
    # The predict-then-run question before Exercise 4 answers (1, K) and refuses (K,): the exercise agrees.
    def flat(g, cache):
        x, w, b = cache
        return g @ w.T, x.T @ g, g.sum(axis=0)
    with pytest.raises(CheckFailure, match=r"dL/db has the right values but shape \(3,\), a flat vector"):
        check_linear_backward(flat)
    with pytest.raises(CheckFailure, match=r"you predicted \(3,\)"):
        check_prediction("01-db-shape", (3,))


def test_a_column_bias_gradient_is_named_by_its_values_first():
    """Summed over the classes with keepdims (a (K, 1) column when N = K, as in the first case), the
    mistake is the sum, not the orientation: transposing it would not help."""
    def over_classes(g, cache):
        x, w, b = cache
        return g @ w.T, x.T @ g, g.sum(axis=1, keepdims=True)
    with pytest.raises(CheckFailure, match="you added up the classes"):
        check_linear_backward(over_classes)

    def right_but_a_column(g, cache):
        x, w, b = cache
        return g @ w.T, x.T @ g, g.sum(axis=0)[:, None]
    with pytest.raises(CheckFailure, match=r"a column, for .*Keep b's shape"):
        check_linear_backward(right_but_a_column)


def _mutant(dx=None, dw=None, db=None):
    def wrong_backward(g, cache):
        x, w, b = cache
        ref = backward(g, cache)
        return (dx(g, x, w) if dx else ref[0],
                dw(g, x, w) if dw else ref[1],
                db(g) if db else ref[2])
    return wrong_backward


BACKWARD_MUTANTS = {
    "your dL/dw is transposed": _mutant(dw=lambda g, x, w: g.T @ x),
    "divided by N again": _mutant(dw=lambda g, x, w: x.T @ g / len(g)),
    "sums x's features against dL/dy_hat's examples": _mutant(dw=lambda g, x, w: x @ g),
    "a column": _mutant(db=lambda g: g.sum(axis=0).reshape(-1, 1)),
    "added up the classes": _mutant(db=lambda g: g.sum(axis=1)),
    "averaged instead of adding up": _mutant(db=lambda g: g.mean(axis=0)),
    "added up everything into one number": _mutant(db=lambda g: g.sum()),
    "only the first example": _mutant(db=lambda g: g[0]),
    "no sum over the batch": _mutant(db=lambda g: g),
    "the indices of w are swapped": _mutant(dx=lambda g, x, w: g @ w),
    "your dL/dx is transposed": _mutant(dx=lambda g, x, w: w @ g.T),
    "dL/dx is wrong .* divided by N again": _mutant(dx=lambda g, x, w: g @ w.T / len(g)),
}


@pytest.mark.parametrize("hint", BACKWARD_MUTANTS)
def test_backward_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_linear_backward(BACKWARD_MUTANTS[hint])


def test_backward_refuses_delegation_complex_and_strings():
    with pytest.raises(CheckFailure, match=r"calls lecture_utils\.linear\..*the package.s own code"):
        check_linear_backward(linear_backward)
    with pytest.raises(CheckFailure, match="dL/dw is complex"):
        check_linear_backward(lambda g, c: (backward(g, c)[0], backward(g, c)[1] + 1j, backward(g, c)[2]))
    with pytest.raises(CheckFailure, match="dL/dw must be a numeric array, got str"):
        check_linear_backward(lambda g, c: (backward(g, c)[0], "x.T @ g", backward(g, c)[2]))


def test_backward_hard_coded_to_the_visible_cases_fails_the_hidden_ones():
    assert_hard_coded_fails_hidden(check_linear_backward, backward)


def test_crash_in_student_code_is_one_sentence_naming_the_line_and_the_case():
    my_backward = cell_function("def my_backward(g, cache):\n"
                                "    x, w, b = cache\n"
                                "    dx = g @ w[:2]\n"
                                "    return dx, None, None\n", "my_backward")
    with pytest.raises(CheckFailure) as info:
        check_linear_backward(my_backward)
    message = str(info.value)
    assert message.startswith("your function my_backward raised ValueError at line 3 of your cell"), message
    assert "`dx = g @ w[:2]`" in message and "(for x (3, 3), w (3, 3), b (1, 3))" in message, message
    assert "print the shape of each array on that line" in message and "\n" not in message, message


def test_unimplemented_exercise_says_so():
    def stub(g, cache):
        raise NotImplementedError
    for checker in (check_mse_gradient, check_linear_weight_gradient, check_linear_input_gradient, check_linear_backward,
                    check_gradient_descent_step):
        with pytest.raises(CheckFailure, match="not implemented yet"):
            checker(lambda *args: stub(None, None))


def test_backward_must_return_three_gradients():
    with pytest.raises(CheckFailure, match="three gradients as one tuple"):
        check_linear_backward(lambda g, cache: backward(g, cache)[1:])


# --- one gradient-descent step --------------------------------------------------------------------

def test_step_reference_passes(capsys):
    check_gradient_descent_step(gradient_descent_step)
    assert capsys.readouterr().out.startswith("PASS gradient-descent step")


def test_step_accepts_a_flat_bias_and_a_student_built_from_the_pieces():
    def pieces(x, y, w, b, learning_rate):
        y_hat = x @ w + b
        g = loss_gradient(y_hat, y)
        dx, dw, db = backward(g, (x, w, b))
        return w - learning_rate * dw, (b - learning_rate * db).ravel()
    check_gradient_descent_step(pieces)


def _step(dw=lambda x, g: x.T @ g, db=lambda g: g.sum(axis=0, keepdims=True), g_scale=2.0, update=None):
    """A gradient-descent step with one piece changed."""
    def step(x, y, w, b, learning_rate):
        g = g_scale * (x @ w + b - y) / len(x)
        if update is not None:
            return update(w, b, dw(x, g), db(g), learning_rate)
        return w - learning_rate * dw(x, g), b - learning_rate * db(g)
    return step


STEP_MUTANTS = {
    "w_new is wrong .* moved along the gradient": _step(update=lambda w, b, dw, db, lr: (w + lr * dw, b + lr * db)),
    "w_new is wrong .* learning rate is missing": _step(update=lambda w, b, dw, db, lr: (w - dw, b - db)),
    "b_new is b": _step(update=lambda w, b, dw, db, lr: (w - lr * dw, b)),
    "returned only the step; add it to the current weights": _step(update=lambda w, b, dw, db, lr: (-lr * dw, -lr * db)),
    "lacks the factor that differentiating the square": _step(g_scale=1.0),
    "divides by 5, the lecture's number of examples": lambda x, y, w, b, lr: _step(g_scale=2.0 * len(x) / 5)(
        x, y, w, b, lr),
    r"divides by the number of entries N\*K": lambda x, y, w, b, lr: _step(g_scale=2.0 / y.shape[1])(x, y, w, b, lr),
    "bias gradient has one row per example": _step(db=lambda g: g),
    "bias gradient is a column": _step(db=lambda g: g.sum(axis=0).reshape(-1, 1)),
    "wrong order": lambda x, y, w, b, lr: gradient_descent_step(x, y, w, b, lr)[::-1],
    "two updated parameters as one tuple": lambda x, y, w, b, lr: gradient_descent_step(x, y, w, b, lr)[0],
    "w_new is w: the weights must take the step too": _step(update=lambda w, b, dw, db, lr: (w, b - lr * db)),
    "lacks the loss's average over the N examples": lambda x, y, w, b, lr: _step(g_scale=2.0 * len(x))(
        x, y, w, b, lr),
    "weight gradient is transposed \\(it only fits because D = K here\\)": _step(dw=lambda x, g: g.T @ x),
    # the bias alone wrong (the weights right), so that b_new's own hints show
    "b_new is wrong .* moved along the gradient": _step(update=lambda w, b, dw, db, lr: (w - lr * dw, b + lr * db)),
    "b_new is wrong .* learning rate is missing": _step(update=lambda w, b, dw, db, lr: (w - lr * dw, b - db)),
    "add it to the current bias": _step(update=lambda w, b, dw, db, lr: (w - lr * dw, -lr * db)),
    "added up the classes \\(the columns\\) for the bias gradient": _step(db=lambda g: g.sum(axis=1)),
    "averaged the bias gradient over the examples": _step(db=lambda g: g.mean(axis=0, keepdims=True)),
    "b_new is wrong .* lacks the factor that differentiating the square": _step(
        db=lambda g: g.sum(axis=0, keepdims=True) / 2),
    "b_new is wrong .* divides by 5, the lecture's number of examples": _step(
        db=lambda g: g.sum(axis=0, keepdims=True) * len(g) / 5),
}


@pytest.mark.parametrize("hint", STEP_MUTANTS)
def test_step_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_gradient_descent_step(STEP_MUTANTS[hint])


def test_step_refuses_delegation_complex_and_strings():
    from lecture_utils.linear import linear_loss
    from lecture_utils.optim import sgd_step

    def delegating(x, y, w, b, learning_rate):
        params = {"w": w, "b": b}
        new = sgd_step(params, linear_loss(params, x, y)[1], learning_rate)
        return new["w"], new["b"]

    with pytest.raises(CheckFailure, match="calls lecture_utils"):
        check_gradient_descent_step(delegating)
    with pytest.raises(CheckFailure, match="w_new is complex"):
        check_gradient_descent_step(lambda *a: (gradient_descent_step(*a)[0] + 0j, gradient_descent_step(*a)[1]))
    with pytest.raises(CheckFailure, match="b_new must be a numeric array, got str"):
        check_gradient_descent_step(lambda *a: (gradient_descent_step(*a)[0], "b - eta db"))


def test_step_hard_coded_to_the_visible_cases_fails_the_hidden_ones():
    assert_hard_coded_fails_hidden(check_gradient_descent_step, gradient_descent_step)


def test_bad_cases_argument_is_named():
    with pytest.raises(ValueError, match="cases must be 'all', 'visible' or 'hidden'"):
        check_mse_gradient(loss_gradient, cases="some")
