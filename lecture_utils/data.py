"""Small real data sets that ship inside dependencies (no download at run time).

Every loader is deterministic: the same seed gives the same arrays on every machine.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_positive_int, default_rng


def iris_standardised():
    """Fisher's iris data (bundled with scikit-learn), each feature standardised.

    Returns
    -------
    x : (150, 4) array
        Sepal length, sepal width, petal length, petal width, each rescaled to
        mean 0 and standard deviation 1 (so one learning rate suits all four).
    labels : (150,) int array
        0 setosa, 1 versicolor, 2 virginica.
    """
    from sklearn.datasets import load_iris

    iris = load_iris()
    x = iris.data.astype(np.float64)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x, iris.target.astype(np.int64)


def iris_lecture_example(n_examples: int = 5, rng=0):
    """The lecture's setting: ``n_examples`` flowers, 4 features, 3 classes.

    Draws a seeded subset of :func:`iris_standardised` containing every class
    (so the one-hot targets have no empty column).

    Returns
    -------
    x : (n_examples, 4) array
    labels : (n_examples,) int array
    """
    n_examples = check_positive_int(n_examples, "n_examples", minimum=3)
    x, labels = iris_standardised()
    rng = default_rng(rng)
    first = [rng.choice(np.flatnonzero(labels == k)) for k in range(3)]
    rest = rng.choice(np.setdiff1d(np.arange(labels.size), first), n_examples - 3, replace=False)
    idx = rng.permutation(np.concatenate([first, rest]))
    return x[idx], labels[idx]
