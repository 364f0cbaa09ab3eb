"""The grader's light parts, run on every Python: the wire between the grader and a submission's
process, the choice of the cells a grade needs, the class report's counts, and the argument checks (tests/test_grading.py
grades real submissions)."""

import numpy as np
import pytest

from lecture_utils.course import wire
from lecture_utils.course.grading import GradingError, Limits, cells_needed, grade_notebook, load_config
from lecture_utils.course.report import class_summary, mistake_of, report_html


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(GradingError, match="answer_seconds must be a positive number"):
        Limits(10, 0, 10)
    with pytest.raises(GradingError, match="config must be a readable grading.json"):
        load_config(tmp_path / "missing.json")
    with pytest.raises(GradingError, match="path must be a path"):
        grade_notebook(3, {"questions": []})


def test_only_the_statements_a_graded_function_needs_run():
    cells = [(0, "import numpy as np\nimport matplotlib.pyplot as plt"),
             (1, "SCALE = 2\nplt.plot([1, 2])\nnp.allclose = lambda *a: True"),
             (2, "def f(x):\n    return SCALE * helper(x)"),
             (3, "plt.imshow(np.zeros((2, 2)))\nprint(f(1))"),
             (4, "def helper(x):\n    return np.abs(x)")]
    chosen = {i: statements for i, _, statements in cells_needed(cells, ["f"])}
    # np (read by helper), SCALE, the assignment into numpy (always: it changes what grading uses),
    # f and helper (defined after f, read when f is called); no drawing, no printing
    assert chosen == {0: [0], 1: [0, 2], 2: [0], 4: [0]}


def _result(student, *messages):
    """A graded result of one question ``f`` of two parts (visible, hidden) with these failure messages."""
    parts = [{"group": g, "part": "", "max_score": 1, "score": 0.0 if m else 1.0, "message": m}
             for g, m in zip(("visible", "hidden"), messages)]
    return {"student": student, "questions": [{"question": "f", "parts": parts}]}


def test_the_report_counts_each_student_once_per_hint_and_puts_mistakes_first():
    config = {"questions": [{"function": "f", "checker": "check_f", "points": 2}]}
    swapped = "dJ/dx is wrong for x (3, 4). Likely mistake: the axes are swapped (x.T)."
    results = [_result("a", swapped, swapped.replace("(3, 4)", "(5, 2)")),        # twice: one student
               _result("b", "this exercise is not implemented yet: replace ...", None),
               _result("c", "this exercise is not implemented yet: replace ...", None),
               _result("d", "tampering: the notebook changed ...", "tampering: the notebook changed ..."),
               _result("e", None, None)]
    (row,) = class_summary(results, config)
    assert row["passed"] == {"visible": 1, "hidden": 3} and row["total"] == 5
    assert row["hints"] == [("the axes are swapped (x.T).", 1),
                            ("this exercise is not implemented yet: replace ...", 2)]   # tampering: listed above


def test_a_hint_keeps_its_own_numbers_and_loses_the_cases():
    blend = "the blend is wrong for images (16, 16), 3 levels. Likely mistake: the mask is 1 where a shows."
    assert mistake_of(blend) == "the mask is 1 where a shows."
    crop = "dx is wrong for x (2, 3, 5, 5). Likely mistake: cropped one sample off (padding {}): count."
    assert mistake_of(crop.format(0)) == mistake_of(crop.format(2)) == "cropped one sample off (padding …): count."
    assert mistake_of("dL/db has shape (3, 1), a column, for x (3, 3)") == "dL/db has shape (…), a column, for x (…)"


def test_an_output_without_cases_of_a_kind_is_not_a_zero_pass_rate():
    config = {"questions": [{"function": "f", "checker": "check_f", "points": 2}], "notebook": "nb.ipynb"}
    hidden_only = [{"student": s, "score": 0, "tampering": False, "notes": [],
                    "questions": [{"question": "f", "parts": [{"part": "", "group": "hidden", "message": None}]}]}
                   for s in "ab"]
    (row,) = class_summary(hidden_only, config)
    assert row["graded"] == {"visible": False, "hidden": True} and row["passed"]["hidden"] == 2
    page = report_html(hidden_only, config)
    assert "no cases of this kind" in page and "0/2 (0 %)" not in page


# ------------------------------------------------------------------------------ the wire

class Liar(np.ndarray):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value", [np.arange(6.0).reshape(2, 3).view(Liar), np.float32(2.5), (1, [2.0, "a"]),
                                   {"w": np.ones(2, dtype=np.int64)}, np.array(["a"]), None, 3 + 4j])
def test_the_wire_carries_plain_values_only(value):
    got = wire.decode(wire.encode({"v": value}))["v"]
    if isinstance(value, np.ndarray):
        assert type(got) is np.ndarray and got.shape == value.shape
        if value.dtype.kind in "biufc":
            assert np.array_equal(got, np.asarray(value))
    else:
        assert repr(got) == repr(value) or type(got).__name__ == type(value).__name__


class Claims:
    """An array-like whose methods claim more than its data."""

    def __array__(self, dtype=None, copy=None):
        return np.zeros(3)

    def __eq__(self, other):
        return True


def test_an_array_like_travels_as_the_array_numpy_makes_of_it():
    got = wire.decode(wire.encode({"v": Claims()}))["v"]
    assert type(got) is np.ndarray and np.array_equal(got, np.zeros(3))


def test_a_long_list_is_refused_before_it_costs_the_grader_memory():
    with pytest.raises(wire.WireError, match="return numpy arrays rather than long lists"):
        wire.encode({"v": [0.5] * (wire.MAX_HEADER // 3)})
    header = b"[" + b"0," * (wire.MAX_HEADER // 2) + b"0]"
    with pytest.raises(wire.WireError, match="larger than"):
        wire.decode(len(header).to_bytes(4, "big") + header)


@pytest.mark.parametrize("payload", [b"", b"\x00\x00\x00\x05{}", b"\x00\x00\x00\x02[]",
                                     b'\x00\x00\x00\x1f{"v": {"array": ["|O8", [1], 0, 8]}}' + b"\x00" * 8,
                                     b'\x00\x00\x00\x20{"v": {"array": ["<f8", [4], 0, 32]}}' + b"\x00" * 8,
                                     b'\x00\x00\x00\x12{"v": {"pickle": 1}}'])
def test_the_wire_refuses_malformed_answers(payload):
    with pytest.raises(wire.WireError):
        wire.decode(payload)
