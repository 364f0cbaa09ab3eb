"""Checker quality for notebook 06: the reference passes, typical wrong answers get their hint.

Every wrong answer (mutant) is written the way a student would write it, with numpy
(loops over the filter taps, reshapes, matrix products), never by calling lecture_utils.
"""

import numpy as np
import pytest
from checker_probes import assert_hard_coded_fails_hidden

import lecture_utils.cnn
import lecture_utils.optim
from lecture_utils.checks import CheckFailure
from lecture_utils.checks.cnn import (check_filter_gradient, check_filter_gradient_multi, check_gradient_step,
                                      check_momentum_on_quadratic)

CHECKERS = {"filter": check_filter_gradient, "multi": check_filter_gradient_multi, "step": check_gradient_step}


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


# --- exercise 1: the lecture model's dE/df, written as a student would --------------------

def student_dE_df(X, H1, O, W, y, *, sign=1.0, output_sigmoid=True, hidden_sigmoid=True,
                  flip=False, transpose=False, average=False, reshape_without_transpose=False,
                  sigmoid_of_h1=False, tap_mean=False):
    """A reference answer from scratch (loops over the 3x3 taps), with switchable mistakes."""
    n, h, w = X.shape
    delta2 = sign * (O - y)
    if output_sigmoid:
        delta2 = delta2 * O * (1 - O)
    delta1 = W @ delta2
    if hidden_sigmoid:
        s = sigmoid(H1) if sigmoid_of_h1 else H1
        delta1 = delta1 * s * (1 - s)
    maps = delta1.reshape(n, h - 2, w - 2) if reshape_without_transpose else delta1.T.reshape(n, h - 2, w - 2)
    df = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            df[i, j] = (np.mean if tap_mean else np.sum)(X[:, i:i + h - 2, j:j + w - 2] * maps)
    if flip:
        df = df[::-1, ::-1]
    if transpose:
        df = df.T
    return df / n if average else df


def test_filter_gradient_reference_passes(capsys):
    check_filter_gradient(student_dE_df)
    assert capsys.readouterr().out.startswith("PASS dE/df")


FILTER_MUTANTS = {
    "sign is flipped": dict(sign=-1.0),
    "delta2 lacks the derivative of the output sigmoid": dict(output_sigmoid=False),
    "delta1 lacks the derivative of the sigmoid after the convolution": dict(hidden_sigmoid=False),
    "turned by 180 degrees": dict(flip=True),
    "transposed": dict(transpose=True),
    "you divided by N": dict(average=True),
    "reshaped into maps without taking its columns apart": dict(reshape_without_transpose=True),
    "applied the sigmoid to H1 once more": dict(sigmoid_of_h1=True),
    "you averaged where the derivation adds up": dict(tap_mean=True),
}


@pytest.mark.parametrize("hint", FILTER_MUTANTS)
def test_filter_gradient_mutants_are_rejected_with_hint(hint):
    def mutant(X, H1, O, W, y):
        return student_dE_df(X, H1, O, W, y, **FILTER_MUTANTS[hint])
    with pytest.raises(CheckFailure, match=hint):
        check_filter_gradient(mutant)


def test_filter_gradient_hard_coded_size_fails():
    # A student who assumes the lecture's 20x20 maps (or the first case's) fails on other sizes.
    def fixed_size(X, H1, O, W, y):
        n = X.shape[0]
        maps = ((W @ ((O - y) * O * (1 - O))) * H1 * (1 - H1)).T.reshape(n, 7, 7)
        return np.array([[np.sum(X[:, i:i + 7, j:j + 7] * maps) for j in range(3)] for i in range(3)])
    with pytest.raises(CheckFailure, match=r"raised ValueError .*\(for X \(4, 8, 11\)"):
        check_filter_gradient(fixed_size)


def test_filter_gradient_small_error_names_the_difference():
    with pytest.raises(CheckFailure, match="right shape but wrong values"):
        check_filter_gradient(lambda *args: student_dE_df(*args) + 1e-3)


def test_filter_gradient_missing_return_and_stub():
    with pytest.raises(CheckFailure, match="forget the `return`"):
        check_filter_gradient(lambda *args: None)

    def stub(*args):
        raise NotImplementedError
    with pytest.raises(CheckFailure, match="not implemented yet"):
        check_filter_gradient(stub)


# --- exercise 2: dE/df with K filters -----------------------------------------------------

def student_dE_df_multi(X, H1, O, W, y, *, filter_axis_last=False, no_transpose=False, sum_filters=False,
                        first_filter_only=False, hidden_sigmoid=True, flip=False, average=False, sign=1.0,
                        output_sigmoid=True, sigmoid_of_h1=False, tap_mean=False, transpose=False):
    """K filters: delta1's rows k*P*Q .. (k+1)*P*Q - 1 are map k; one 3x3 gradient per filter."""
    n, h, w = X.shape
    P, Q = h - 2, w - 2
    K = H1.shape[0] // (P * Q)
    delta2 = sign * (O - y) * (O * (1 - O) if output_sigmoid else 1)
    delta1 = W @ delta2
    if hidden_sigmoid:
        s = sigmoid(H1) if sigmoid_of_h1 else H1
        delta1 = delta1 * s * (1 - s)
    if filter_axis_last:
        maps = delta1.T.reshape(n, P, Q, K).transpose(0, 3, 1, 2)
    elif no_transpose:
        maps = delta1.reshape(n, K, P, Q)
    else:
        maps = delta1.T.reshape(n, K, P, Q)
    df = np.zeros((K, 3, 3))
    for k in range(K):
        for i in range(3):
            for j in range(3):
                df[k, i, j] = (np.mean if tap_mean else np.sum)(X[:, i:i + P, j:j + Q] * maps[:, 0 if first_filter_only else k])
    if flip:
        df = df[:, ::-1, ::-1]
    if transpose:
        df = df.transpose(0, 2, 1)
    if sum_filters:
        df = df.sum(axis=0)
    return df / n if average else df


def test_multi_reference_passes(capsys):
    check_filter_gradient_multi(student_dE_df_multi)
    assert capsys.readouterr().out.startswith("PASS dE/df with K filters")


def test_multi_einsum_answer_passes():
    def by_einsum(X, H1, O, W, y):
        n, h, w = X.shape
        delta1 = (W @ ((O - y) * O * (1 - O))) * H1 * (1 - H1)
        maps = delta1.T.reshape(n, -1, h - 2, w - 2)
        windows = np.stack([[X[:, i:i + h - 2, j:j + w - 2] for j in range(3)] for i in range(3)])
        return np.einsum("ijnpq,nkpq->kij", windows, maps)
    check_filter_gradient_multi(by_einsum)


MULTI_MUTANTS = {
    "the rows of H1 are grouped by map": dict(filter_axis_last=True),
    "reshaped into maps without taking its columns apart": dict(no_transpose=True),
    "summed the K filters' gradients": dict(sum_filters=True),
    "every filter got the first filter's gradient": dict(first_filter_only=True),
    "delta1 lacks the derivative of the sigmoid after the convolution": dict(hidden_sigmoid=False),
    "turned by 180 degrees": dict(flip=True),
    "you divided by N": dict(average=True),
    "the sign is flipped": dict(sign=-1.0),
    "delta2 lacks the derivative of the output sigmoid": dict(output_sigmoid=False),
    "applied the sigmoid to H1 once more": dict(sigmoid_of_h1=True),
    "you averaged where the derivation adds up": dict(tap_mean=True),
    "your result is transposed": dict(transpose=True),
}


@pytest.mark.parametrize("hint", MULTI_MUTANTS)
def test_multi_mutants_are_rejected_with_hint(hint):
    def mutant(X, H1, O, W, y):
        return student_dE_df_multi(X, H1, O, W, y, **MULTI_MUTANTS[hint])
    with pytest.raises(CheckFailure, match=hint):
        check_filter_gradient_multi(mutant)


# --- exercise 3: one gradient-descent step of the whole model ------------------------------

def student_step(X, y, f, W, b, learning_rate, *, sign=-1.0, use_rate=True, mean=False, output_sigmoid=True,
                 hidden_sigmoid=True, update_W_first=False, return_grads=False, keep_b=False, transpose_W=False,
                 flip_df=False, db_per_image=False):
    """Forward, backward and one step, written with numpy, with switchable mistakes."""
    n, h, w = X.shape
    P, Q = h - 2, w - 2
    Z1 = np.zeros((n, P, Q))
    for i in range(3):
        for j in range(3):
            Z1 += f[i, j] * X[:, i:i + P, j:j + Q]
    H1 = sigmoid(Z1).reshape(n, -1).T                   # (D, N)
    O = sigmoid(W.T @ H1 + b)                           # (1, N)
    delta2 = (O - y) * (O * (1 - O) if output_sigmoid else 1)
    dW = H1 @ delta2.T
    db = delta2 if db_per_image else delta2.sum()
    eta = learning_rate if use_rate else 1.0
    scale = 1 / n if mean else 1.0
    W_new = W + sign * eta * scale * dW
    W_back = W_new if update_W_first else W
    delta1 = ((W_back @ delta2) * (H1 * (1 - H1) if hidden_sigmoid else 1)).T.reshape(n, P, Q)
    df = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            df[i, j] = np.sum(X[:, i:i + P, j:j + Q] * delta1)
    if flip_df:
        df = df[::-1, ::-1]
    if return_grads:
        return df, dW, db
    f_new = f + sign * eta * scale * df
    b_new = b if keep_b else b + sign * eta * scale * db
    return f_new, (W_new.T if transpose_W else W_new), b_new


def test_step_reference_passes(capsys):
    check_gradient_step(student_step)
    assert capsys.readouterr().out.startswith("PASS one gradient-descent step")


def test_step_may_use_the_lecture_sigmoid_and_return_a_scalar_bias():
    from lecture_utils.nn import sigmoid as lecture_sigmoid

    def with_lecture_sigmoid(X, y, f, W, b, learning_rate):
        n, h, w = X.shape
        Z1 = sum(f[i, j] * X[:, i:i + h - 2, j:j + w - 2] for i in range(3) for j in range(3))
        H1 = lecture_sigmoid(Z1).reshape(n, -1).T
        O = lecture_sigmoid(W.T @ H1 + b)
        delta2 = (O - y) * O * (1 - O)
        maps = ((W @ delta2) * H1 * (1 - H1)).T.reshape(Z1.shape)
        df = np.array([[np.sum(X[:, i:i + h - 2, j:j + w - 2] * maps) for j in range(3)] for i in range(3)])
        return f - learning_rate * df, W - learning_rate * (H1 @ delta2.T), float(b[0, 0] - learning_rate * delta2.sum())

    check_gradient_step(with_lecture_sigmoid)


STEP_MUTANTS = {
    "you stepped uphill": dict(sign=1.0),
    "the learning rate is missing": dict(use_rate=False),
    "you averaged the gradient over the N": dict(mean=True),
    "delta2 = dE/dZ2 lacks the derivative of the output sigmoid": dict(output_sigmoid=False),
    "delta1 lacks the derivative of the sigmoid after the convolution": dict(hidden_sigmoid=False),
    "bias gradient has one entry per image": dict(db_per_image=True),
    "dE/df used the updated W": dict(update_W_first=True),
    "you returned the gradient dE/dW": dict(return_grads=True),
    "b did not change": dict(keep_b=True),
    "W_new is transposed": dict(transpose_W=True),
    "filter gradient is turned by 180 degrees": dict(flip_df=True),
}


def _one_parameter_wrong(name, wrong, **mistake):
    """The right step for every parameter but ``name`` (0, 1, 2 for f, W, b), which is
    ``wrong(parameter, gradient, learning_rate, n)`` with the gradient computed with ``mistake``."""
    def step(X, y, f, W, b, learning_rate):
        new = list(student_step(X, y, f, W, b, learning_rate))
        grad = student_step(X, y, f, W, b, learning_rate, return_grads=True, **mistake)[name]
        new[name] = wrong((f, W, b)[name], grad, learning_rate, len(X))
        return tuple(new)
    return step


# each of b's and f's own hints: that parameter alone wrong (W right, compared first)
ONE_PARAMETER_MUTANTS = {
    "b_new is wrong .* you stepped uphill": _one_parameter_wrong(2, lambda p, g, lr, n: p + lr * g),
    "b_new is wrong .* the learning rate is missing": _one_parameter_wrong(2, lambda p, g, lr, n: p - g),
    "b_new is wrong .* averaged the gradient over the N": _one_parameter_wrong(2, lambda p, g, lr, n: p - lr * g / n),
    "you returned the gradient dE/db": _one_parameter_wrong(2, lambda p, g, lr, n: g),
    "b_new is wrong .* lacks the derivative of the output sigmoid": _one_parameter_wrong(
        2, lambda p, g, lr, n: p - lr * g, output_sigmoid=False),
    "f_new is wrong .* you stepped uphill": _one_parameter_wrong(0, lambda p, g, lr, n: p + lr * g),
    "f_new is wrong .* the learning rate is missing": _one_parameter_wrong(0, lambda p, g, lr, n: p - g),
    "f_new is wrong .* averaged the gradient over the N": _one_parameter_wrong(0, lambda p, g, lr, n: p - lr * g / n),
    "you returned the gradient dE/df": _one_parameter_wrong(0, lambda p, g, lr, n: g),
    "your filter gradient is transposed": _one_parameter_wrong(0, lambda p, g, lr, n: p - lr * g.T),
}


@pytest.mark.parametrize("hint", ONE_PARAMETER_MUTANTS)
def test_step_mutants_of_one_parameter_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_gradient_step(ONE_PARAMETER_MUTANTS[hint])


@pytest.mark.parametrize("hint", STEP_MUTANTS)
def test_step_mutants_are_rejected_with_hint(hint):
    def mutant(X, y, f, W, b, learning_rate):
        return student_step(X, y, f, W, b, learning_rate, **STEP_MUTANTS[hint])
    with pytest.raises(CheckFailure, match=hint):
        check_gradient_step(mutant)


def test_step_must_return_three_parameters():
    with pytest.raises(CheckFailure, match="three new parameters as one tuple"):
        check_gradient_step(lambda *args: student_step(*args)[:2])


# --- answers that only look right ----------------------------------------------------------

REFERENCES = {"filter": student_dE_df, "multi": student_dE_df_multi, "step": student_step}


def _delegate_filter(X, H1, O, W, y):
    n, h, w = X.shape
    delta1 = (W @ ((O - y) * O * (1 - O))) * H1 * (1 - H1)
    return lecture_utils.cnn.filter_gradient(X, delta1.T.reshape(n, -1, h - 2, w - 2).squeeze(1))


def _delegate_multi(X, H1, O, W, y):
    n, h, w = X.shape
    delta1 = (W @ ((O - y) * O * (1 - O))) * H1 * (1 - H1)
    return lecture_utils.cnn.filter_gradient(X, delta1.T.reshape(n, -1, h - 2, w - 2))


def _delegate_step(X, y, f, W, b, learning_rate):
    _, df, dW, db = lecture_utils.cnn.lecture_gradients(X, y, f, W, b)
    return f - learning_rate * df, W - learning_rate * dW, b - learning_rate * db


DELEGATIONS = {"filter": (_delegate_filter, "lecture_utils.cnn.filter_gradient"),
               "multi": (_delegate_multi, "lecture_utils.cnn.filter_gradient"),
               "step": (_delegate_step, "lecture_utils.cnn.lecture_gradients")}


@pytest.mark.parametrize("name", CHECKERS)
def test_an_answer_delegating_to_the_package_is_refused(name):
    fn, called = DELEGATIONS[name]
    with pytest.raises(CheckFailure, match=f"calls {called}, the package's own code"):
        CHECKERS[name](fn)


@pytest.mark.parametrize("name", CHECKERS)
def test_complex_and_string_results_are_refused(name):
    reference = REFERENCES[name]
    if name == "step":
        complex_fn = lambda *a: tuple(np.asarray(p) + 0j for p in reference(*a))  # noqa: E731
        text_fn = lambda *a: tuple("new" for _ in reference(*a))  # noqa: E731
    else:
        complex_fn = lambda *a: reference(*a) + 0j  # noqa: E731
        text_fn = lambda *a: "dE/df"  # noqa: E731
    with pytest.raises(CheckFailure, match="is complex"):
        CHECKERS[name](complex_fn)
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        CHECKERS[name](text_fn)


@pytest.mark.parametrize("name", CHECKERS)
def test_an_answer_hard_coded_to_the_visible_cases_fails_the_hidden_ones(name):
    assert_hard_coded_fails_hidden(CHECKERS[name], REFERENCES[name])


# --- exercise 4 (a derivation): one momentum step on a quadratic as a 2 x 2 matrix -------------


def student_quadratic(curvature, learning_rate, momentum):
    """The derivation: g = kappa w; v' = mu v - eta kappa w; w' = w + v' = (1 - eta kappa) w + mu v."""
    a = learning_rate * curvature
    return np.array([[1 - a, momentum], [-a, momentum]]), 2 * (1 + momentum) / curvature


def test_quadratic_reference_passes(capsys):
    check_momentum_on_quadratic(student_quadratic)
    assert "PASS momentum on a quadratic" in capsys.readouterr().out


def test_quadratic_accepts_lists_and_a_limit_in_a_0d_array():
    check_momentum_on_quadratic(lambda k, lr, mu: ([list(r) for r in student_quadratic(k, lr, mu)[0]],
                                                   np.array(student_quadratic(k, lr, mu)[1])))


def _with_matrix(matrix):
    return lambda k, lr, mu: (np.array(matrix(k, lr, mu), dtype=float), 2 * (1 + mu) / k)


def _with_limit(limit):
    return lambda k, lr, mu: (student_quadratic(k, lr, mu)[0], limit(k, lr, mu))


QUADRATIC_MUTANTS = {
    "moves w with the old velocity": _with_matrix(lambda k, lr, mu: [[1, 1], [-lr * k, mu]]),
    "gradient term has the wrong sign": _with_matrix(lambda k, lr, mu: [[1 + lr * k, mu], [lr * k, mu]]),
    "the curvature is missing: the gradient": _with_matrix(lambda k, lr, mu: [[1 - lr, mu], [-lr, mu]]),
    "a factor 1/2 too many": _with_matrix(lambda k, lr, mu: [[1 - lr * k / 2, mu], [-lr * k / 2, mu]]),
    "your matrix is transposed": _with_matrix(lambda k, lr, mu: [[1 - lr * k, -lr * k], [mu, mu]]),
    r"in the order \(v, w\)": _with_matrix(lambda k, lr, mu: [[mu, -lr * k], [mu, 1 - lr * k]]),
    "PyTorch's form": _with_matrix(lambda k, lr, mu: [[1 - lr * k, -lr * mu], [k, mu]]),
    "learning_rate and momentum are swapped": _with_matrix(lambda k, lr, mu: [[1 - mu * k, lr], [-mu * k, lr]]),
    "limit of plain gradient descent": _with_limit(lambda k, lr, mu: 2 / k),
    "follows from the steady state": _with_limit(lambda k, lr, mu: 2 * (1 - mu) / k),
    "a factor 2 is missing": _with_limit(lambda k, lr, mu: (1 + mu) / k),
    "a steeper bowl": _with_limit(lambda k, lr, mu: 2 * (1 + mu)),
    "return two things": lambda k, lr, mu: student_quadratic(k, lr, mu)[0],
    "has shape": _with_matrix(lambda k, lr, mu: [1 - lr * k, mu, -lr * k, mu]),
    "right shape but wrong values": _with_limit(lambda k, lr, mu: 2.01 * (1 + mu) / k),
}


@pytest.mark.parametrize("hint", QUADRATIC_MUTANTS)
def test_quadratic_mutants_are_rejected_with_hint(hint):
    with pytest.raises(CheckFailure, match=hint):
        check_momentum_on_quadratic(QUADRATIC_MUTANTS[hint])


def test_quadratic_hints_teach_without_the_answer():
    # No message hands over the matrix or the limit: neither the reference's entries nor its formula.
    for hint, mutant in QUADRATIC_MUTANTS.items():
        with pytest.raises(CheckFailure) as info:
            check_momentum_on_quadratic(mutant)
        message = str(info.value).replace(" ", "")
        for formula in ("2(1+mu)", "2*(1+mu)", "1-eta*kappa", "1-lr*k", "[[", "(1+momentum)"):
            assert formula not in message, (hint, str(info.value))


def test_quadratic_refuses_delegation_complex_and_strings():
    def delegate(k, lr, mu):
        new, velocity = lecture_utils.optim.momentum_step({"w": np.array([1.0, 0.0])}, {"w": np.array([k, 0.0])},
                                                          {"w": np.array([0.0, 1.0])}, lr, mu)
        return np.array([[new["w"][0], new["w"][1]], [velocity["w"][0], velocity["w"][1]]]), 2 * (1 + mu) / k
    with pytest.raises(CheckFailure, match=r"calls lecture_utils\.optim\.momentum_step"):
        check_momentum_on_quadratic(delegate)
    with pytest.raises(CheckFailure, match="A is complex"):
        check_momentum_on_quadratic(lambda k, lr, mu: (student_quadratic(k, lr, mu)[0] + 0j, 1.0))
    with pytest.raises(CheckFailure, match="must be a numeric array, got str"):
        check_momentum_on_quadratic(lambda k, lr, mu: (student_quadratic(k, lr, mu)[0], "2(1+mu)/k"))


def test_quadratic_hard_coded_to_the_visible_cases_fails_the_hidden_ones():
    assert_hard_coded_fails_hidden(check_momentum_on_quadratic, student_quadratic)


@pytest.mark.parametrize("curvature, learning_rate, momentum", [(1.0, 0.1, 0.9), (4.0, 0.3, 0.5), (0.5, 1.5, 0.0),
                                                                 (3.0, 0.2, 0.7), (10.0, 0.013, 0.95)])
def test_the_checker_s_reference_is_the_library_s_momentum_step(curvature, learning_rate, momentum):
    # Witness 1: twenty steps of optim.momentum_step on E(w) = kappa w^2 / 2 from a random state are A^20.
    from lecture_utils.checks.cnn import _momentum_matrix
    A, _ = student_quadratic(curvature, learning_rate, momentum)
    np.testing.assert_allclose(_momentum_matrix(curvature, learning_rate, momentum), A, rtol=1e-14, atol=1e-15)
    rng = np.random.default_rng(0)
    w, v = rng.standard_normal(5), rng.standard_normal(5)
    state = np.stack([w, v])
    params, velocity = {"w": w}, {"w": v}
    for _ in range(20):
        params, velocity = lecture_utils.optim.momentum_step(params, {"w": curvature * params["w"]}, velocity,
                                                             learning_rate, momentum)
        state = A @ state
    np.testing.assert_allclose(np.stack([params["w"], velocity["w"]]), state, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("curvature, momentum", [(1.0, 0.9), (4.0, 0.5), (0.5, 0.0), (2.5, 0.99), (10.0, 0.3)])
def test_the_stability_limit_is_where_an_eigenvalue_leaves_the_unit_circle(curvature, momentum):
    # Witness 2, independent of the closed form: the spectral radius of A crosses 1 at the limit,
    # and the library's momentum steps shrink the state 10 % below it and blow it up 10 % above.
    limit = student_quadratic(curvature, 0.1, momentum)[1]
    for factor in (0.999, 1.001):
        A = student_quadratic(curvature, factor * limit, momentum)[0]
        assert (np.abs(np.linalg.eigvals(A)).max() < 1) == (factor < 1)
    for factor, steps, converges in ((0.9, 3000, True), (1.1, 100, False)):
        params, velocity = {"w": np.array([1.0])}, {"w": np.array([0.0])}
        for _ in range(steps):
            params, velocity = lecture_utils.optim.momentum_step(params, {"w": curvature * params["w"]}, velocity,
                                                                 factor * limit, momentum)
        assert abs(params["w"][0]) < 1e-3 if converges else abs(params["w"][0]) > 10
