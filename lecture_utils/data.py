"""Small real data sets that ship inside dependencies (no download at run time).

Every loader is deterministic: the same seed gives the same arrays on every machine.
"""

from __future__ import annotations

import numpy as np

from ._validate import checked, flag, integer, real, seed


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


@checked(n_examples=integer(3, 150, " (iris has 150 flowers)"), rng=seed())
def iris_lecture_example(n_examples: int = 5, rng=0):
    """The lecture's setting: ``n_examples`` flowers, 4 features, 3 classes.

    Draws a seeded subset of :func:`iris_standardised` containing every class
    (so the one-hot targets have no empty column).

    Returns
    -------
    x : (n_examples, 4) array
    labels : (n_examples,) int array
    """
    x, labels = iris_standardised()
    first = [rng.choice(np.flatnonzero(labels == k)) for k in range(3)]
    rest = rng.choice(np.setdiff1d(np.arange(labels.size), first), n_examples - 3, replace=False)
    idx = rng.permutation(np.concatenate([first, rest]))
    return x[idx], labels[idx]


def _stratified_split(labels: np.ndarray, n_test_per_class: dict, rng: np.random.Generator):
    """Seeded split of example indices: ``n_test_per_class[k]`` test examples of class k."""
    train, test = [], []
    for k in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == k))
        n_test = n_test_per_class[int(k)]
        test.append(members[:n_test])
        train.append(members[n_test:])
    # Shuffle so the classes are interleaved (mini-batches then see both).
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


@checked(rng=seed(), standardise=flag())
def faces_lecture_split(rng=0, standardise: bool = True):
    """The lecture's data: 22x22 images with a binary label, 100 to train and 100 to test.

    scikit-image ships ``skimage.data.lfw_subset()``: 200 grey images of 25x25
    pixels in [0, 1], the first 100 faces (Labeled Faces in the Wild) and the last
    100 non-faces. Each image is centre-cropped to 22x22 (rows and columns 1..22),
    the size of the lecture's ``X = [100 x 22 x 22]``, and the set is split,
    seeded and balanced, into 50 faces + 50 non-faces for training and the same
    for testing.

    Parameters
    ----------
    rng : Generator or int
        Seed of the split.
    standardise : bool
        Subtract the training images' mean intensity and divide by their standard
        deviation (two scalars, applied to both sets). Centred inputs keep the filter's
        gradient, a sum over 100 x 400 pixel positions, from dwarfing W's, so one
        learning rate suits both; raw [0, 1] pixels when False.

    Returns
    -------
    x_train : (100, 22, 22) float64 array
        Standardised intensities (pixel intensities in [0, 1] when ``standardise=False``).
    y_train : (100,) int array
        1 for a face, 0 for a non-face.
    x_test : (100, 22, 22) float64 array
    y_test : (100,) int array
    """
    from skimage.data import lfw_subset

    images = lfw_subset().astype(np.float64)            # (200, 25, 25)
    images = images[:, 1:23, 1:23]                      # centre crop: 25 - 22 = 3 -> drop 1 + 2
    labels = np.r_[np.ones(100, np.int64), np.zeros(100, np.int64)]
    train, test = _stratified_split(labels, {0: 50, 1: 50}, rng)
    x_train, x_test = images[train], images[test]
    if standardise:
        mean, std = x_train.mean(), x_train.std()    # training statistics only
        x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    return x_train, labels[train], x_test, labels[test]


@checked(test_fraction=real(0, 1, min_open=True, max_open=True), rng=seed())
def digits_split(test_fraction: float = 0.25, rng=0):
    """scikit-learn's bundled handwritten digits as (N, 1, 8, 8) images, split seeded and stratified.

    1797 images of 8x8 pixels (UCI optical digits, grey levels 0..16), ten classes.
    Pixels are divided by 16, so they lie in [0, 1]; the channel axis is added so
    the arrays fit the convolution layers' ``(N, C, H, W)`` layout.

    Parameters
    ----------
    test_fraction : float
        Fraction of each class held out for testing, in (0, 1).
    rng : Generator or int
        Seed of the split.

    Returns
    -------
    x_train : (N_train, 1, 8, 8) float64 array
    y_train : (N_train,) int array
        Digit 0..9.
    x_test : (N_test, 1, 8, 8) float64 array
    y_test : (N_test,) int array
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images / 16.0)[:, None, :, :]     # (1797, 1, 8, 8) in [0, 1]
    labels = digits.target.astype(np.int64)
    counts = np.bincount(labels)
    n_test = {k: int(round(test_fraction * counts[k])) for k in range(counts.size)}
    train, test = _stratified_split(labels, n_test, rng)
    return images[train], labels[train], images[test], labels[test]
