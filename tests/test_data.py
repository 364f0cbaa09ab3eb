import numpy as np
import pytest
from bad_input import Case, check_refused, expand

from lecture_utils.data import iris_lecture_example, iris_standardised, measured_table


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


# --- faces (the lecture's 22x22 binary task) and digits (LeNet) -----------------------

from lecture_utils.data import digits_split, faces_lecture_split  # noqa: E402


def _lfw_crops():
    from skimage.data import lfw_subset
    return lfw_subset()[:, 1:23, 1:23]


def test_faces_are_centre_crops_of_lfw_with_the_right_labels():
    x_train, y_train, x_test, y_test = faces_lecture_split(rng=0, standardise=False)
    crops = _lfw_crops().reshape(200, -1)
    assert x_train.shape == (100, 22, 22) and x_test.shape == (100, 22, 22)
    found = []
    for images, labels in ((x_train, y_train), (x_test, y_test)):
        for image, label in zip(images, labels):
            index = int(np.flatnonzero(np.all(crops == image.ravel(), axis=1))[0])
            assert label == (1 if index < 100 else 0)  # the first 100 are faces
            found.append(index)
    assert sorted(found) == list(range(200))  # disjoint and complete


def test_faces_split_is_balanced_and_seeded():
    a = faces_lecture_split(rng=3)
    b = faces_lecture_split(rng=3)
    c = faces_lecture_split(rng=4)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])
    assert np.bincount(a[1]).tolist() == [50, 50] and np.bincount(a[3]).tolist() == [50, 50]


def test_faces_standardised_with_training_statistics():
    raw = faces_lecture_split(rng=0, standardise=False)
    x_train, _, x_test, _ = faces_lecture_split(rng=0)
    assert x_train.mean() == pytest.approx(0, abs=1e-12) and x_train.std() == pytest.approx(1)
    mean, std = raw[0].mean(), raw[0].std()
    np.testing.assert_allclose(x_test, (raw[2] - mean) / std)


def test_digits_are_the_bundled_images_split_stratified():
    from sklearn.datasets import load_digits
    digits = load_digits()
    x_train, y_train, x_test, y_test = digits_split(test_fraction=0.25, rng=0)
    assert x_train.shape[1:] == (1, 8, 8) and len(x_train) + len(x_test) == 1797
    counts = np.bincount(digits.target)
    np.testing.assert_array_equal(np.bincount(y_test), np.round(0.25 * counts).astype(int))
    assert 0 <= x_train.min() and x_train.max() <= 1
    flat = (digits.images / 16).reshape(1797, -1)
    for images, labels in ((x_train, y_train), (x_test, y_test)):
        for image, label in zip(images[::37], labels[::37]):
            # every sampled image is a bundled digit carrying its own label
            matches = np.flatnonzero(np.all(flat == image.ravel(), axis=1))
            assert matches.size and label in digits.target[matches]
    again = digits_split(test_fraction=0.25, rng=0)
    np.testing.assert_array_equal(again[0], x_train)


def test_bundled_tables_are_read_as_scikit_learn_reads_them(monkeypatch):
    # The loaders read scikit-learn's own files without importing it; its loaders are the witness.
    from sklearn.datasets import load_digits, load_iris

    from lecture_utils import data
    for ours, theirs in ((data._iris(), load_iris()), (data._digits(), load_digits())):
        expected = theirs.data if ours[0].ndim == 2 else theirs.images
        np.testing.assert_array_equal(ours[0], expected)
        np.testing.assert_array_equal(ours[1], theirs.target)
    # Elsewhere than scikit-learn keeps them today, the loaders ask scikit-learn instead.
    monkeypatch.setattr(data, "_sklearn_table", lambda name: None)
    np.testing.assert_array_equal(data._iris()[0], load_iris().data)
    np.testing.assert_array_equal(data._digits()[0], load_digits().images)


# --- the harder non-faces and the validation split ---------------------------------------

from lecture_utils.data import SCENES, _scene_crops, faces_matched_split, validation_split  # noqa: E402


@pytest.fixture(scope="module")
def matched():
    return faces_matched_split(rng=0, standardise=False)


def test_matched_split_keeps_the_lecture_faces_and_their_split(matched):
    lecture = faces_lecture_split(rng=0, standardise=False)
    for part in (0, 2):                                  # training and test images
        labels = lecture[part + 1]
        np.testing.assert_array_equal(matched[part + 1], labels)
        np.testing.assert_array_equal(matched[part][labels == 1], lecture[part][labels == 1])
    assert np.bincount(matched[1]).tolist() == [50, 50] and np.bincount(matched[3]).tolist() == [50, 50]


def test_matched_non_faces_are_distinct_scene_crops_of_the_faces_brightness_and_contrast(matched):
    images = np.concatenate([matched[0], matched[2]])
    labels = np.concatenate([matched[1], matched[3]])
    faces, others = images[labels == 1], images[labels == 0]
    pool = _scene_crops().reshape(-1, 22 * 22)
    rows = [np.flatnonzero(np.all(pool == crop.ravel(), axis=1)) for crop in others]
    assert all(r.size for r in rows)                                  # every non-face is a crop of a scene
    assert len({int(r[0]) for r in rows}) == 100                      # and no crop is used twice
    # matched as a population: the same mean brightness and contrast, to a hundredth
    assert abs(faces.mean() - others.mean()) < 0.01
    assert abs(faces.std(axis=(1, 2)).mean() - others.std(axis=(1, 2)).mean()) < 0.01
    lecture = faces_lecture_split(rng=0, standardise=False)
    lfw_others = lecture[0][lecture[1] == 0]
    assert faces.mean() - lfw_others.mean() > 0.1                     # the lecture's non-faces are darker


def test_the_scenes_ship_as_png_and_show_no_people():
    import skimage.data
    assert not {"astronaut", "camera"} & set(SCENES)
    for name in SCENES:
        assert callable(getattr(skimage.data, name))


def test_matched_split_is_standardised_with_training_statistics(matched):
    x_train, _, x_test, _ = faces_matched_split(rng=0)
    mean, std = matched[0].mean(), matched[0].std()
    np.testing.assert_allclose(x_train, (matched[0] - mean) / std)
    np.testing.assert_allclose(x_test, (matched[2] - mean) / std)


def test_validation_split_is_stratified_disjoint_complete_and_seeded():
    x = np.arange(40.0).reshape(20, 2)
    labels = np.r_[np.zeros(10, int), np.ones(6, int), np.full(4, 2)]
    x_fit, y_fit, x_val, y_val = validation_split(x, labels, fraction=0.25, rng=1)
    assert np.bincount(y_val).tolist() == [2, 2, 1] and len(y_fit) == 15     # round(0.25 * 10) = 2, 1.5 -> 2, 1
    rows = np.concatenate([x_fit[:, 0], x_val[:, 0]]) // 2
    assert sorted(rows.tolist()) == list(range(20))
    np.testing.assert_array_equal(labels[(x_val[:, 0] // 2).astype(int)], y_val)
    again = validation_split(x, labels, fraction=0.25, rng=1)
    np.testing.assert_array_equal(again[2], x_val)
    assert not np.array_equal(validation_split(x, labels, fraction=0.25, rng=2)[2], x_val)


def test_validation_split_refuses_to_empty_a_class():
    labels = np.r_[np.zeros(10, int), np.ones(2, int)]
    with pytest.raises(ValueError, match=r"fraction = 0.2 leaves class\(es\) \[1\] with no example on one side"):
        validation_split(np.ones((12, 3)), labels, fraction=0.2)


TABLE = [
    Case(faces_matched_split, dict(rng=0, standardise=True), {"rng": "seed", "standardise": "flag"}),
    Case(validation_split, dict(x=np.ones((8, 2, 2)), labels=np.array([0, 1] * 4), fraction=0.25, rng=0),
         {"x": "array", "labels": "array", "fraction": "positive", "rng": "seed"}),
    Case(iris_lecture_example, dict(n_examples=5, rng=0), {"n_examples": "count", "rng": "seed"}),
    Case(faces_lecture_split, dict(rng=0, standardise=True), {"rng": "seed", "standardise": "flag"}),
    Case(digits_split, dict(test_fraction=0.25, rng=0), {"test_fraction": "positive", "rng": "seed"}),
    Case(measured_table, dict(name="magnification_features"), {"name": "choice"}),
]
PARAMS, IDS = expand(TABLE)


@pytest.mark.parametrize("fn, good, arg, description, value", PARAMS, ids=IDS)
def test_bad_input_is_refused_clearly(fn, good, arg, description, value):
    check_refused(fn, good, arg, description, value)


def test_digits_fraction_must_leave_examples_on_both_sides():
    with pytest.raises(ValueError, match="test_fraction must be a finite real number > 0 and < 1, got 1.0"):
        digits_split(test_fraction=1.0)
