import numpy as np
import pytest

from lecture_utils.data import iris_lecture_example, iris_standardised


def test_iris_is_standardised_and_complete():
    x, labels = iris_standardised()
    assert x.shape == (150, 4) and labels.shape == (150,)
    np.testing.assert_allclose(x.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(x.std(axis=0), 1, atol=1e-12)
    assert np.bincount(labels).tolist() == [50, 50, 50]


def test_lecture_example_is_seeded_and_has_every_class():
    x1, l1 = iris_lecture_example(5, rng=0)
    x2, l2 = iris_lecture_example(5, rng=0)
    assert x1.shape == (5, 4)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(l1, l2)
    assert set(l1.tolist()) == {0, 1, 2}
    # rows are real iris rows
    x, _ = iris_standardised()
    assert all(np.any(np.all(x == row, axis=1)) for row in x1)


def test_lecture_example_rejects_too_few_examples():
    with pytest.raises(ValueError, match="n_examples must be >= 3"):
        iris_lecture_example(2)
