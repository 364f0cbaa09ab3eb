"""Small real data sets that ship inside dependencies (no download at run time).

Every loader is deterministic: the same seed gives the same arrays on every machine.
"""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np

from ._validate import array, checked, choice, flag, integer, real, seed


def _sklearn_table(name: str) -> np.ndarray | None:
    """The numbers of a table scikit-learn ships (``sklearn/datasets/data/<name>``), or None.

    Read without importing scikit-learn, whose import alone takes half a second; the same
    files its ``load_iris`` and ``load_digits`` read (tests/test_data.py compares them).
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / name
    if not path.is_file():
        return None
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt") as f:
        return np.loadtxt(f, delimiter=",", skiprows=1 if name == "iris.csv" else 0)  # iris: a count header


def _iris():
    """Iris (150, 4) measurements in cm and (150,) classes 0..2."""
    table = _sklearn_table("iris.csv")
    if table is None:                         # another layout of scikit-learn's files: ask it
        from sklearn.datasets import load_iris
        iris = load_iris()
        return iris.data, iris.target
    return table[:, :4], table[:, 4].astype(np.int64)


def _digits():
    """Digits (1797, 8, 8) images with values 0..16 and (1797,) labels 0..9."""
    table = _sklearn_table("digits.csv.gz")
    if table is None:
        from sklearn.datasets import load_digits
        digits = load_digits()
        return digits.images, digits.target
    return table[:, :64].reshape(-1, 8, 8), table[:, 64].astype(np.int64)


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
    data, target = _iris()
    x = data.astype(np.float64)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x, target.astype(np.int64)


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


def _faces_split(images, rng, standardise):
    """100 faces then 100 non-faces (200, 22, 22): a 50/50 split of each, standardised with training statistics."""
    labels = np.r_[np.ones(100, np.int64), np.zeros(100, np.int64)]
    train, test = _stratified_split(labels, {0: 50, 1: 50}, rng)
    x_train, x_test = images[train], images[test]
    if standardise:
        mean, std = x_train.mean(), x_train.std()    # training statistics only
        x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    return x_train, labels[train], x_test, labels[test]


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
    return _faces_split(images, rng, standardise)


# Grey PNG images bundled with scikit-image (no download; PNG decodes to the same bytes everywhere,
# unlike JPEG) and free of human faces (astronaut and camera show people, so they are left out).
SCENES = ("brick", "cell", "chelsea", "clock", "coffee", "coins", "grass", "gravel",
          "immunohistochemistry", "moon", "page", "text")
CROP = 22                 # the lecture's image side
CROP_STEP = 11            # crops overlap by half
SCALES = (2, 4, 8)        # block-averaging factors: structure at several sizes in a 22x22 crop


def _grey(image: np.ndarray) -> np.ndarray:
    """uint8 image -> intensities in [0, 1]; colour by the ITU-R 709 luma weights, entry by entry."""
    image = image.astype(np.float64) / 255.0
    if image.ndim == 3:
        image = 0.2125 * image[..., 0] + 0.7154 * image[..., 1] + 0.0721 * image[..., 2]
    return image


def _block_mean(image: np.ndarray, factor: int) -> np.ndarray:
    """Shrink by ``factor``: the mean of each factor x factor block (the ragged edge dropped)."""
    h, w = (image.shape[0] // factor) * factor, (image.shape[1] // factor) * factor
    return image[:h, :w].reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))


def _scene_crops() -> np.ndarray:
    """Every 22x22 crop, on an 11-pixel grid, of the :data:`SCENES` shrunk by 2, 4 and 8: (M, 22, 22)."""
    import skimage.data

    crops = []
    for name in SCENES:
        image = _grey(getattr(skimage.data, name)())
        for factor in SCALES:
            small = _block_mean(image, factor)
            for top in range(0, small.shape[0] - CROP + 1, CROP_STEP):
                for left in range(0, small.shape[1] - CROP + 1, CROP_STEP):
                    crops.append(small[top:top + CROP, left:left + CROP])
    return np.array(crops)


def _match_mean_and_contrast(targets: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Indices of distinct candidates, one per target, nearest in (mean, standard deviation).

    Greedy, in the targets' order: each target takes the unused candidate closest in mean
    intensity and contrast, both measured in units of the targets' own spread of that quantity.
    """
    t_mean, t_std = targets.mean(axis=(1, 2)), targets.std(axis=(1, 2))
    c_mean, c_std = candidates.mean(axis=(1, 2)), candidates.std(axis=(1, 2))
    mean_unit, std_unit = t_mean.std(), t_std.std()
    free = np.ones(len(candidates), dtype=bool)
    chosen = []
    for m, s in zip(t_mean, t_std):
        distance = ((c_mean - m) / mean_unit) ** 2 + ((c_std - s) / std_unit) ** 2
        distance[~free] = np.inf
        index = int(np.argmin(distance))
        free[index] = False
        chosen.append(index)
    return np.array(chosen)


@checked(rng=seed(), standardise=flag())
def faces_matched_split(rng=0, standardise: bool = True):
    """A harder version of the lecture's task: the same faces against non-faces of the faces' brightness and contrast.

    The non-faces of ``skimage.data.lfw_subset()`` are darker and flatter than its faces
    (mean intensity 0.30 against 0.48), so brightness alone nearly separates the lecture's
    two classes. Here the 100 faces (the same 22x22 centre crops as
    :func:`faces_lecture_split`) meet 100 crops of natural images instead: every 22x22
    crop, on an 11-pixel grid, of twelve grey or colour PNG images bundled with
    scikit-image (:data:`SCENES`: bricks, a cat, a clock, coffee, coins, grass, gravel,
    the moon, text, microscope images; none shows a person), shrunk by 2, 4 and 8, and
    for each face in turn the unused crop nearest to it in mean intensity and in
    standard deviation (contrast). A classifier must then use the arrangement of the
    pixels, not their overall level or spread.

    The split is :func:`faces_lecture_split`'s (same seed, same faces on each side):
    50 faces + 50 non-faces to train, the same to test.

    Parameters
    ----------
    rng : Generator or int
        Seed of the split.
    standardise : bool
        Subtract the training images' mean intensity and divide by their standard deviation
        (two scalars, applied to both sets), as :func:`faces_lecture_split` does.

    Returns
    -------
    x_train : (100, 22, 22) float64 array
    y_train : (100,) int array
        1 for a face, 0 for a non-face.
    x_test : (100, 22, 22) float64 array
    y_test : (100,) int array
    """
    from skimage.data import lfw_subset

    faces = lfw_subset()[:100, 1:23, 1:23].astype(np.float64)   # as faces_lecture_split crops them
    candidates = _scene_crops()
    images = np.concatenate([faces, candidates[_match_mean_and_contrast(faces, candidates)]])
    return _faces_split(images, rng, standardise)


@checked(x=array("N ..."), labels=array("N", dtype="int"), fraction=real(0, 1, min_open=True, max_open=True),
         rng=seed())
def validation_split(x, labels, fraction: float = 0.2, rng=0):
    """Carve a validation set out of a training set, seeded and stratified.

    Settings (a learning rate, a number of steps, a regularisation strength) are chosen
    on the validation images; the test images are used once, at the end, for the
    chosen setting only.

    Parameters
    ----------
    x : (N, ...) array
        Training examples (images of any shape).
    labels : (N,) int array
        Their classes.
    fraction : float in (0, 1)
        Share of each class moved to the validation set, rounded to whole examples.
    rng : Generator or int
        Seed.

    Returns
    -------
    x_fit : (N - M, ...) array
        What the model is trained on.
    y_fit : (N - M,) int array
    x_val : (M, ...) array
        What the settings are chosen on.
    y_val : (M,) int array
    """
    classes, counts = np.unique(labels, return_counts=True)
    n_val = {int(k): int(round(fraction * c)) for k, c in zip(classes, counts)}
    short = [int(k) for k, c in zip(classes, counts) if not 0 < n_val[int(k)] < c]
    if short:
        raise ValueError(f"fraction = {fraction} leaves class(es) {short} with no example on one side "
                         f"(class sizes {dict(zip(classes.tolist(), counts.tolist()))}); choose a fraction "
                         "that keeps at least one example of every class in both parts")
    fit, val = _stratified_split(labels, n_val, rng)
    return x[fit], labels[fit], x[val], labels[val]


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
    images, labels = _digits()
    images = (images / 16.0)[:, None, :, :]            # (1797, 1, 8, 8) in [0, 1]
    labels = labels.astype(np.int64)
    counts = np.bincount(labels)
    n_test = {k: int(round(test_fraction * counts[k])) for k in range(counts.size)}
    train, test = _stratified_split(labels, n_test, rng)
    return images[train], labels[train], images[test], labels[test]


# --------------------------------------------------------------------------- measured tables

# Package data (pyproject.toml), so that the tables install with the package: on a hub, in an
# autograder's copy of the package, not only in a checkout of the repository.
TABLES = Path(__file__).resolve().parent / "tables"


@checked(name=choice("magnification_fair", "magnification_breakdown", "magnification_shortfall",
                     "magnification_features"))
def measured_table(name: str) -> dict:
    """A table that ``tools/magnification_tables.py`` measured and committed to ``lecture_utils/tables/<name>.csv``.

    Sweeps too slow for a notebook run once, in a script; the notebook reads their numbers and
    recomputes one row live to show it is the same measurement (``tests/test_measured_tables.py``
    recomputes them all and compares).

    Returns
    -------
    dict of str -> array
        One entry per column: floats where the column holds numbers, strings otherwise.
    """
    path = TABLES / f"{name}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `python tools/magnification_tables.py` in the repository")
    with open(path, encoding="utf-8") as f:
        header, *rows = [line.rstrip("\n").split(",") for line in f if line.strip() and not line.startswith("#")]
    columns = {}
    for i, name_ in enumerate(header):
        values = [row[i] for row in rows]
        try:
            columns[name_] = np.array([float(v) for v in values])
        except ValueError:
            columns[name_] = np.array(values)
    return columns
