"""The declarative argument checks of lecture_utils._validate."""

import numpy as np
import pytest

from lecture_utils._validate import (array, check, checked, choice, flag, function, gradient, instance,
                                     integer, optional, positive, real, seed, shape_tuple)


@checked(x=array("N D"), w=array("D K"), b=array("K | 1 K"), rate=positive(), steps=integer(0, 100),
         rng=seed(), verbose=flag(), mode=choice("a", "b"))
def model(x, w, b, rate=0.1, steps=1, rng=None, verbose=False, mode="a"):
    return x, w, b, rate, steps, rng, verbose, mode


X, W, B = np.ones((5, 4)), np.ones((4, 3)), np.zeros(3)


def test_float64_arrays_pass_through_and_others_are_converted():
    x, w, b, rate, steps, rng, verbose, mode = model(X, W.tolist(), np.array([True, False, True]), 1, 3)
    assert x is X and w.dtype == np.float64 and b.tolist() == [1.0, 0.0, 1.0]
    assert isinstance(rate, float) and steps == 3 and isinstance(rng, np.random.Generator)
    assert model(X, W, B, rng=7)[5].integers(100) == np.random.default_rng(7).integers(100)


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(w=np.ones((3, 3))), ValueError, r"w must have shape \(D, K\) with D = 4 as in x \(shape \(5, 4\)\), got shape \(3, 3\)"),
    (dict(b=np.ones(4)), ValueError, r"b must have shape \(K,\) or \(1, K\) with K = 3 as in w"),
    (dict(x=np.ones(5)), ValueError, r"x must be 2-D \(N, D\), got shape \(5,\) \(1-D\)"),
    (dict(x=np.array([[1.0, np.nan]])), ValueError, "x contains NaN or infinite values"),
    (dict(x=np.ones((0, 4))), ValueError, r"x is empty \(shape \(0, 4\)\)"),
    (dict(x=X + 1j), TypeError, "x must be real, got complex"),
    (dict(x="abc"), TypeError, "x must be an array of real numbers of shape \\(N, D\\), got str 'abc'"),
    (dict(x=[[1, 2], [3]]), TypeError, "not a rectangular array of numbers"),
    (dict(x=np.array([object()])), TypeError, "x must be an array of real numbers .*, got dtype object"),
    (dict(rate=0), ValueError, "rate must be a finite real number > 0, got 0.0"),
    (dict(rate=float("nan")), ValueError, "rate must be a finite real number > 0, got nan"),
    (dict(rate=True), TypeError, "rate must be a finite real number > 0, got bool True"),
    (dict(steps="98"), TypeError, "steps must be an integer >= 0 and <= 100, got str '98'"),
    (dict(steps=9.5), TypeError, "steps must be an integer >= 0 and <= 100, got float 9.5"),
    (dict(steps=101), ValueError, "steps must be <= 100, got 101"),
    (dict(rng=-1), ValueError, "rng must be a non-negative integer seed, got -1"),
    (dict(rng="0"), TypeError, "rng must be a numpy Generator or a non-negative integer seed"),
    (dict(verbose="no"), TypeError, "verbose must be True or False, got str 'no'"),
    (dict(verbose=1), TypeError, "verbose must be True or False, got int 1"),
    (dict(mode="c"), ValueError, "mode must be one of 'a', 'b', got str 'c'"),
    (dict(mode=["a"]), ValueError, "mode must be one of 'a', 'b', got list"),
])
def test_each_kind_of_bad_value_is_named(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        model(**{**dict(x=X, w=W, b=B), **kwargs})


def test_calls_with_missing_unknown_or_duplicated_arguments_are_refused():
    with pytest.raises(TypeError, match="missing the argument"):
        model(X, W)
    with pytest.raises(TypeError, match="has no argument 'bias'"):
        model(X, W, bias=B)
    with pytest.raises(TypeError, match="got argument 'w' twice"):
        model(X, W, B, w=W)
    with pytest.raises(TypeError, match="takes 8 positional arguments"):
        model(X, W, B, 0.1, 1, None, False, "a", "extra")


def test_shape_patterns_with_literals_and_ellipses():
    spec = array("... H W")
    assert spec(np.ones((2, 3, 4, 5)), "a", {}).shape == (2, 3, 4, 5)
    lead = array("N ...")
    sizes = {}
    lead(np.ones((4, 2, 2)), "x", sizes)
    assert sizes["N"][0] == 4
    with pytest.raises(ValueError, match=r"y must have shape \(N, ...\) with N = 4 as in x"):
        lead(np.ones((3,)), "y", sizes)
    with pytest.raises(ValueError, match=r"c must have shape \(3, 1\)"):
        array("3 1")(np.ones((3, 2)), "c", {})
    with pytest.raises(ValueError, match="bad shape pattern"):
        array("N ... M ...")


def test_integer_and_int_arrays():
    assert array("2", dtype="int")((3, 4), "shape", {}).tolist() == [3, 4]
    with pytest.raises(TypeError, match="labels must hold integers"):
        array("N", dtype="int")([0.5, 1.0], "labels", {})
    assert integer(0)(np.int64(3), "n", {}) == 3


def test_real_bounds_open_and_closed():
    assert real(0, 1, max_open=True)(0.0, "mu", {}) == 0.0
    with pytest.raises(ValueError, match="mu must be a finite real number >= 0 and < 1, got 1.0"):
        real(0, 1, max_open=True)(1.0, "mu", {})
    assert real()(np.float64(2.5), "a", {}) == 2.5 and real()(np.array(2.5), "a", {}) == 2.5


def test_function_instance_optional_and_shape_tuple():
    with pytest.raises(TypeError, match="pass the function itself, not its result"):
        function()(np.ones(3), "fn", {})
    assert optional(array("N"))(None, "b", {}) is None

    class Cache(tuple):
        made_by = "a_forward"
    with pytest.raises(TypeError, match="cache must be the cache b_forward returns, got the cache of a_forward"):
        instance(Cache, made_by="b_forward")(Cache(), "cache", {})
    assert shape_tuple((2,))([3, 4], "shape", {}) == (3, 4)
    for bad, error in (("98", TypeError), ((9.5, 3), TypeError), ((0, 3), ValueError), ((10**9, 3), ValueError)):
        with pytest.raises(error, match="shape"):
            shape_tuple((2,))(bad, "shape", {})


def test_gradient_spec_reads_the_forward_output_shape_from_the_cache():
    class Cache(tuple):
        out_shape = (2, 3)
    values = {"cache": Cache()}
    assert gradient()(np.ones((2, 3)), "dout", {}, values).shape == (2, 3)
    with pytest.raises(ValueError, match=r"dout must have the shape of the forward pass's output, \(2, 3\)"):
        gradient()(np.ones((3, 2)), "dout", {}, values)


def test_check_updates_values_and_shares_sizes():
    values = {"a": [1.0, 2.0], "b": np.ones(3)}
    with pytest.raises(ValueError, match="b must have shape \\(N,\\) with N = 2 as in a"):
        check({"a": array("N"), "b": array("N")}, values)
    values = {"a": [1.0, 2.0]}
    (a,) = check({"a": array("N")}, values)
    assert values["a"] is a and a.dtype == np.float64


def test_declaring_an_unknown_argument_is_a_bug_found_at_import():
    with pytest.raises(TypeError, match="names arguments \\['y'\\]"):
        @checked(y=array())
        def f(x):
            return x
