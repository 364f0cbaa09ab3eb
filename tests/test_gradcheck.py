import numpy as np
import pytest

from bad_input import Case, check_refused, expand

from lecture_utils.gradcheck import (jacobian, layer_gradient_errors, numerical_gradient,
                                     numerical_gradient_array, rel_error)
from lecture_utils.linear import linear_backward, linear_forward


def test_numerical_gradient_of_quadratic_form_matches_closed_form():
    # f(x) = x^T A x has gradient (A + A^T) x.
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 4))
    x = rng.standard_normal(4)
    numeric = numerical_gradient(lambda z: z @ a @ z, x)
    assert rel_error(numeric, (a + a.T) @ x) < 1e-9


def test_numerical_gradient_restores_x():
    x = np.array([[1.0, -2.0], [3.0, 0.5]])
    before = x.copy()
    numerical_gradient(lambda z: np.sum(np.sin(z)), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_of_sin_is_cos():
    x = np.linspace(-3, 3, 7)
    assert rel_error(numerical_gradient(lambda z: np.sum(np.sin(z)), x), np.cos(x)) < 1e-9


def test_numerical_gradient_array_is_vector_jacobian_product():
    # f(x) = M x has Jacobian M, so the VJP with dout is M^T dout.
    rng = np.random.default_rng(1)
    m = rng.standard_normal((3, 5))
    x = rng.standard_normal(5)
    dout = rng.standard_normal(3)
    numeric = numerical_gradient_array(lambda z: m @ z, x, dout)
    assert rel_error(numeric, m.T @ dout) < 1e-9


def test_numerical_gradient_rejects_non_scalar_function():
    with pytest.raises(ValueError, match=r"f must return a scalar.*shape \(3,\)"):
        numerical_gradient(lambda z: z * 2, np.ones(3))


def test_numerical_gradient_rejects_integer_array():
    with pytest.raises(TypeError, match="x must be a float64 numpy array"):
        numerical_gradient(lambda z: float(np.sum(z)), np.arange(3))


def test_numerical_gradient_array_rejects_wrong_dout_shape():
    with pytest.raises(ValueError, match=r"f\(x\) has shape \(3,\) but dout has shape \(2,\)"):
        numerical_gradient_array(lambda z: z, np.ones(3), np.ones(2))


def test_rel_error_values():
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(np.array([1.0]), np.array([1.0])) == 0.0
    # |1 - 3| / (1 + 3)
    assert rel_error(np.array([1.0, 0.0]), np.array([3.0, 0.0])) == pytest.approx(0.5)
    # noise on an entry that is zero is measured against the array's scale
    assert rel_error(np.array([10.0, 0.0]), np.array([10.0, 1e-10])) < 1e-10


def test_rel_error_rejects_shape_mismatch():
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        rel_error(np.ones(2), np.ones(3))


def test_layer_gradient_errors_on_linear_layer():
    rng = np.random.default_rng(2)
    inputs = [rng.standard_normal((6, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)]
    errors = layer_gradient_errors(linear_forward, linear_backward, inputs, rng=3)
    assert len(errors) == 3 and max(errors) < 1e-8


def test_layer_gradient_errors_detects_a_wrong_backward():
    rng = np.random.default_rng(4)
    inputs = [rng.standard_normal((6, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)]

    def wrong_backward(dout, cache):
        dx, dw, db = linear_backward(dout, cache)
        return dx, 2 * dw, db

    errors = layer_gradient_errors(linear_forward, wrong_backward, inputs, rng=5)
    assert errors[0] < 1e-8 and errors[1] > 0.1 and errors[2] < 1e-8


# --- Jacobians -----------------------------------------------------------------------------

def test_jacobian_of_a_linear_map_is_its_matrix():
    a = np.random.default_rng(12).standard_normal((3, 5))
    np.testing.assert_allclose(jacobian(lambda v: a @ v, np.ones(5)), a, atol=1e-9)


def test_jacobian_of_a_scalar_is_a_row_and_of_tanh_is_diagonal():
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(jacobian(lambda v: np.sum(v ** 2), x), [2 * x], atol=1e-8)
    np.testing.assert_allclose(jacobian(np.tanh, x), np.diag(1 - np.tanh(x) ** 2), atol=1e-9)


def test_jacobian_chain_rule_is_a_product_of_matrices():
    rng = np.random.default_rng(13)
    a, c = rng.standard_normal((4, 3)), rng.standard_normal((2, 4))
    g = lambda v: np.tanh(a @ v)   # (3,) -> (4,)
    f = lambda u: np.sin(c @ u)    # (4,) -> (2,)
    x = rng.standard_normal(3)
    product = jacobian(f, g(x)) @ jacobian(g, x)  # (2, 4) (4, 3)
    assert product.shape == (2, 3)
    np.testing.assert_allclose(product, jacobian(lambda v: f(g(v)), x), atol=1e-8)


def test_jacobian_leaves_x_unchanged():
    x = np.array([1.0, 2.0])
    jacobian(lambda v: v * 3, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


# --- bad input ---------------------------------------------------------------------------------

def test_a_nan_from_f_is_reported_not_returned():
    with pytest.raises(ValueError, match=r"f\(x - h e_i\) is not finite at entry \(1,\)"), \
            np.errstate(invalid="ignore"):
        numerical_gradient(lambda z: np.log(z).sum(), np.array([1.0, 1e-9]))


def test_layer_gradient_errors_wants_a_list_of_inputs():
    with pytest.raises(TypeError, match=r"inputs must be a list of arrays, one per differentiable input.*wrap a single array as \[x\]"):
        layer_gradient_errors(linear_forward, linear_backward, np.ones((2, 2)))


def test_x_must_be_a_float64_array_perturbed_in_place():
    with pytest.raises(TypeError, match="x must be a float64 numpy array .it is perturbed in place., got list"):
        numerical_gradient(np.sum, [1.0, 2.0])
    with pytest.raises(TypeError, match="got an array of dtype int64"):
        numerical_gradient(np.sum, np.arange(3))
    with pytest.raises(ValueError, match="x is empty"):
        numerical_gradient(np.sum, np.zeros(0))


TABLE = [
    Case(numerical_gradient, dict(f=np.sum, x=np.ones(3), h=1e-6), {"f": "function", "h": "positive"}),
    Case(numerical_gradient_array, dict(f=np.sin, x=np.ones(3), dout=np.ones(3), h=1e-6),
         {"f": "function", "dout": "array", "h": "positive"}, skip={"dout": ["one axis too many", "one axis too few", "no entries"]}),
    Case(jacobian, dict(f=np.sin, x=np.ones(3), h=1e-6), {"f": "function", "x": "array", "h": "positive"}),
    Case(rel_error, dict(a=np.ones(3), b=np.ones(3)), {"a": "array", "b": "array"},
         skip={"a": ["NaN", "infinity", "no entries", "one axis too many", "one axis too few"],
               "b": ["NaN", "infinity", "no entries", "one axis too many", "one axis too few"]}),
]
PARAMS, IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_clearly(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)
