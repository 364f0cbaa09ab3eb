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

from lecture_utils.data import SCENES, _scene_crops, faces_matched_split, kfold_split, validation_split  # noqa: E402


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
    pool = _scene_crops()[0].reshape(-1, 22 * 22)
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
    Case(faces_matched_split, dict(rng=0, standardise=True, by_picture=True, sources=False),
         {"rng": "seed", "standardise": "flag", "by_picture": "flag", "sources": "flag"}),
    Case(kfold_split, dict(labels=np.array([0, 1] * 5), k=2, rng=0, groups=np.array([-1] * 10)),
         {"labels": "array", "k": "count", "rng": "seed"},
         skip={"groups": ["None", "a negative label"]}),      # None: no groups; -1: an example in no group
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


# --- non-faces split by picture, and k-fold cross-validation -------------------------------

def test_matched_split_records_where_each_non_face_comes_from(matched):
    *arrays, source_train, source_test = faces_matched_split(rng=0, standardise=False, sources=True)
    for got, want in zip(arrays, matched):
        np.testing.assert_array_equal(got, want)
    crops, sources = _scene_crops()
    for images, labels, where in ((matched[0], matched[1], source_train), (matched[2], matched[3], source_test)):
        assert np.all(where[labels == 1] == -1)
        for image, row in zip(images[labels == 0], where[labels == 0]):
            picture, factor, top, left = row
            index = np.flatnonzero(np.all(sources == row, axis=1))
            np.testing.assert_array_equal(crops[index[0]], image)
    # the random split mixes pictures: most test non-faces come from a picture with training crops too
    shared = np.isin(source_test[matched[3] == 0, 0], source_train[matched[1] == 0, 0])
    assert shared.sum() == 47


def test_by_picture_no_picture_gives_non_faces_to_both_sides():
    x_train, y_train, x_test, y_test, s_train, s_test = faces_matched_split(rng=0, standardise=False,
                                                                            by_picture=True, sources=True)
    lecture = faces_lecture_split(rng=0, standardise=False)
    np.testing.assert_array_equal(y_train, lecture[1])
    np.testing.assert_array_equal(x_train[y_train == 1], lecture[0][lecture[1] == 1])   # the same faces
    np.testing.assert_array_equal(x_test[y_test == 1], lecture[2][lecture[3] == 1])
    fit_pictures, test_pictures = set(s_train[y_train == 0, 0]), set(s_test[y_test == 0, 0])
    assert fit_pictures and test_pictures and not fit_pictures & test_pictures
    for images, labels in ((x_train, y_train), (x_test, y_test)):     # matched on each side
        faces, others = images[labels == 1], images[labels == 0]
        assert abs(faces.mean() - others.mean()) < 0.02
        assert abs(faces.std(axis=(1, 2)).mean() - others.std(axis=(1, 2)).mean()) < 0.02
    assert len({tuple(r) for r in np.concatenate([s_train, s_test]) if r[0] >= 0}) == 100     # distinct crops


def test_kfold_validates_every_example_once_stratified_like_scikit_learn():
    from sklearn.model_selection import StratifiedKFold
    labels = np.r_[np.zeros(23, int), np.ones(11, int), np.full(7, 2)]
    splits = kfold_split(labels, k=5, rng=3)
    vals = np.concatenate([val for _, val in splits])
    assert sorted(vals.tolist()) == list(range(len(labels)))
    reference = StratifiedKFold(n_splits=5).split(np.zeros(len(labels)), labels)
    ours = sorted(np.bincount(labels[val], minlength=3).tolist() for _, val in splits)
    theirs = sorted(np.bincount(labels[val], minlength=3).tolist() for _, val in reference)
    assert ours == theirs                                              # the same class counts per fold
    for fit, val in splits:
        assert not set(fit) & set(val) and len(fit) + len(val) == len(labels)
    assert [v.tolist() for _, v in kfold_split(labels, k=5, rng=3)] == [v.tolist() for _, v in splits]


def test_kfold_keeps_each_group_in_one_fold():
    labels = np.r_[np.ones(20, int), np.zeros(20, int)]
    groups = np.r_[np.full(20, -1), np.repeat([0, 1, 2, 3, 4, 5], [8, 5, 3, 2, 1, 1])]
    splits = kfold_split(labels, k=4, rng=0, groups=groups)
    for g in range(6):
        homes = [i for i, (_, val) in enumerate(splits) if np.isin(np.flatnonzero(groups == g), val).any()]
        assert len(homes) == 1
    assert [int(np.sum(labels[val] == 1)) for _, val in splits] == [5, 5, 5, 5]


def test_kfold_errors_say_what_cannot_be_split():
    with pytest.raises(ValueError, match="leave fold 2 empty"):
        kfold_split(np.array([0, 1]), k=3)
    with pytest.raises(ValueError, match=r"fold 0 holds every example of class\(es\) \[1\]"):
        kfold_split(np.array([0, 0, 0, 1, 1]), k=2, groups=np.array([-1, -1, -1, 7, 7]))


def test_standardise_with_training_uses_the_training_statistics_only():
    from lecture_utils.data import standardise_with_training
    x_train, x_test = np.arange(12.0).reshape(3, 2, 2), np.full((2, 2, 2), 100.0)
    a, b = standardise_with_training(x_train, x_test)
    assert abs(a.mean()) < 1e-15 and abs(a.std() - 1) < 1e-15
    np.testing.assert_allclose(b, (100 - 5.5) / x_train.std())
    raw = faces_lecture_split(rng=0, standardise=False)
    for got, want in zip(standardise_with_training(raw[0], raw[2]), faces_lecture_split(rng=0)[::2]):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="x_train has one intensity everywhere"):
        standardise_with_training(np.ones((2, 3)), np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"x_test's images must have the shape of x_train's, \(2, 2\)"):
        standardise_with_training(x_train, np.ones((2, 3)))
