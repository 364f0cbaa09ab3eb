import numpy as np
import pytest

from lecture_utils.gradcheck import (layer_gradient_errors, numerical_gradient,
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
