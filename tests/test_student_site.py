"""The student site (``python -m lecture_utils site --edition student``): no solution anywhere in it.

Every built file is searched (pages, decks, the search index, the downloads; folded content
removed, since a fold is the student site's way of holding a result back) for

* every solution cell's distinctive lines: the lines of the instructor's solution that the
  student edition does not contain (the answer's code, its comments);
* every prediction's answer (the predict cell's source) and every output that states it (the
  check cell's "RIGHT: ... Why: ..." in the instructor's run).

The same search finds them in the instructor site (so it can fail), and none in the student site.
"""

import json
import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lecture_utils.course.cli import main
from lecture_utils.course.editions import find_exercises, make_student_notebook
from lecture_utils.course.publish import build_site, index_html, notebook_info
from lecture_utils.course.student_site import (
    FOLD_PREDICTION,
    FOLD_REVEALS,
    StudentSiteError,
    folds,
    prediction_experiments,
    run_student_edition,
    student_site_notebook,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MIN_CHARS = 12   # a line shorter than this (without spaces) is not distinctive ("return dx")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def distinctive_lines(lines, student_text):
    return sorted({line.strip() for line in lines if len(squeeze(line)) >= MIN_CHARS
                   and squeeze(line) not in student_text})


def secrets(instructor, name):
    """What the student site must not hold: solution lines, prediction answers, outputs stating them."""
    student = make_student_notebook(instructor, name)
    student_text = squeeze("\n".join(c.source for c in student.cells))
    found = []
    for ex in find_exercises(instructor, name):
        found += distinctive_lines(instructor.cells[ex.solution_index].source.splitlines(), student_text)
        if ex.kind == "prediction":
            for i in ex.check_indices:
                for out in instructor.cells[i].get("outputs", []):
                    found += distinctive_lines(out.get("text", "").splitlines(), student_text)
    return found


def site_texts(site: Path, stem: str) -> dict:
    """What a notebook's files on the site hold (its page, deck, downloads and its entries in the
    search index), as a reader or a download gets them: folds removed, whitespace squeezed."""
    texts = {}
    for path in [site / f"{stem}.html", site / f"{stem}.slides.html", site / "notebooks" / f"{stem}.ipynb",
                 site / "student" / f"{stem}.ipynb"]:
        if not path.is_file():
            continue
        if path.suffix == ".html":
            soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            for fold in soup.select("details.lecture-fold"):
                fold.decompose()
            for tag in soup(["script", "style"]):
                tag.decompose()
            texts[path] = squeeze(soup.get_text(""))
        else:
            nb = nbformat.read(path, as_version=4)
            texts[path] = squeeze(json.dumps(nb, ensure_ascii=False).replace("\\n", "\n").replace('\\"', '"'))
    index = site / "search_index.js"
    entries = json.loads(index.read_text(encoding="utf-8").split("=", 1)[1].rstrip().rstrip(";"))
    texts[index] = squeeze(" ".join(e["heading"] + " " + e["text"] for e in entries if e["url"].startswith(f"{stem}.html")))
    return texts


def leaks(site: Path, stem: str, needles) -> list:
    """(needle, file) for every needle found in the files of notebook ``stem`` on the site."""
    texts = site_texts(site, stem)
    return [(needle, path.relative_to(site).as_posix()) for needle in needles
            for path, text in texts.items() if squeeze(needle) in text]


def tiny_course(with_reveal=True):
    """One exercise with a real checker, one predict-then-run question and its experiment, a worked answer."""
    cells = [
        new_markdown_cell("# 99 · Tiny\n\n**Learning goals.** You can\n- derive a gradient;\n"),
        new_markdown_cell("## The bias\n\nPredict the shape of $\\partial L/\\partial b$."),
        new_code_cell("db_shape = (1, 3)", metadata={"tags": ["predict"]}),
        new_code_cell('from lecture_utils.checks import check_prediction\ncheck_prediction("01-db-shape", db_shape)',
                      metadata={"tags": ["check"]}),
        new_code_cell('print("experiment: the finite-difference gradient has shape", (1, 3))'),
        new_markdown_cell("## Exercise\n\nWrite `grad(y_hat, y)`, the gradient of the mean squared error."),
        new_markdown_cell("Worked: differentiate $(\\hat y - y)^2$ term by term, which gives twice the residual.",
                          metadata={"tags": ["reveals"]}),
        new_code_cell("def grad(y_hat, y):\n    residual_twice = 2 * (y_hat - y)  # the distinctive line\n"
                      "    return residual_twice / len(y_hat)\n", metadata={"tags": ["solution"]}),
        new_code_cell("from lecture_utils.checks.linear import check_mse_gradient\ncheck_mse_gradient(grad)",
                      metadata={"tags": ["check"]}),
        new_code_cell('print("after the exercise")'),
    ]
    if not with_reveal:
        del cells[6]
    for c in cells:
        c.metadata["slideshow"] = {"slide_type": "-"}
    cells[0].metadata["slideshow"] = {"slide_type": "slide"}
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


# --- without a kernel ---------------------------------------------------------------------------------

def test_the_experiment_after_a_prediction_and_the_worked_answer_are_folded():
    nb = tiny_course()
    assert prediction_experiments(nb, "99.ipynb") == [4]
    assert folds(nb, "99.ipynb") == {nb.cells[4].id: FOLD_PREDICTION, nb.cells[6].id: FOLD_REVEALS}
    # speaker notes between the question's check and its experiment are skipped (folded apart on a page)
    nb.cells.insert(4, new_markdown_cell("- ask the room first\n- then run it",
                                         metadata={"slideshow": {"slide_type": "notes"}}))
    assert prediction_experiments(nb, "99.ipynb") == [5]


def test_secrets_are_the_solution_lines_the_student_edition_lacks():
    found = secrets(tiny_course(), "99.ipynb")
    assert "residual_twice = 2 * (y_hat - y)  # the distinctive line" in found
    assert "return residual_twice / len(y_hat)" in found and "db_shape = (1, 3)" in found
    assert not any(line.startswith("def grad") for line in found)   # the stub keeps the signature


def test_student_site_functions_refuse_bad_arguments(tmp_path):
    nb = tiny_course()
    with pytest.raises(TypeError, match="student must be a notebook read with nbformat, got list"):
        run_student_edition([], "99.ipynb", tmp_path)
    with pytest.raises(TypeError, match="name must be a non-empty string"):
        run_student_edition(nb, "", tmp_path)
    with pytest.raises(ValueError, match="cwd must be an existing folder, got '.*nowhere'"):
        run_student_edition(nb, "99.ipynb", tmp_path / "nowhere")
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds .*, got 0"):
        run_student_edition(nb, "99.ipynb", tmp_path, timeout=0)
    with pytest.raises(TypeError, match="student must be a notebook read with nbformat, got dict"):
        student_site_notebook(nb, {}, "99.ipynb", tmp_path)
    without_id = tiny_course()
    del without_id.cells[4]["id"]
    with pytest.raises(StudentSiteError, match=r"99\.ipynb, cell 4: has no id"):
        folds(without_id, "99.ipynb")
    path = tmp_path / "99_tiny.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match=r"edition must be one of \('instructor', 'student'\), got 'teacher'"):
        build_site([path], tmp_path / "site", edition="teacher")
    with pytest.raises(ValueError, match="edition must be one of"):
        index_html([notebook_info(nb, path.name)], "T", edition="")
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds .*, got -5"):
        build_site([path], tmp_path / "site", edition="student", timeout=-5)
    assert not (tmp_path / "site").exists()


def test_edition_is_an_option_of_the_site_only(tmp_path, capsys):
    path = tmp_path / "99_tiny.ipynb"
    nbformat.write(tiny_course(), path)
    assert main(["slides", str(path), "--edition", "student", "--out", str(tmp_path / "out")]) == 2
    assert "--edition applies to the site only" in capsys.readouterr().err


# --- built and searched ----------------------------------------------------------------------------------

@pytest.mark.course_build
def test_the_search_finds_answers_in_the_instructor_site_and_none_in_the_student_site(tmp_path):
    path = tmp_path / "nb" / "99_tiny.ipynb"
    path.parent.mkdir()
    nbformat.write(tiny_course(), path)
    instructor_site, student_site = tmp_path / "instructor", tmp_path / "student"
    build_site([path], instructor_site)
    assert main(["site", str(path), "--edition", "student", "--out", str(student_site)]) == 0
    needles = secrets(nbformat.read(path, 4), path.name)
    found = leaks(instructor_site, "99_tiny", needles)
    assert {n for n, _ in found} == set(needles)          # every secret is on the instructor site...
    assert {"99_tiny.html", "99_tiny.slides.html", "notebooks/99_tiny.ipynb"} <= {f for _, f in found}
    assert leaks(student_site, "99_tiny", needles) == []  # ...and none on the student site
    assert not (student_site / "notebooks").exists() and (student_site / "student" / "99_tiny.ipynb").is_file()
    page = BeautifulSoup((student_site / "99_tiny.html").read_text(encoding="utf-8"), "html.parser")
    summaries = [d.summary.get_text() for d in page.select("details.lecture-fold")]
    assert summaries == [FOLD_PREDICTION, FOLD_REVEALS]
    assert "experiment: the finite-difference gradient has shape (1, 3)" in page.select_one("details.lecture-fold").get_text()
    assert "after the exercise" in page.get_text() and "not implemented yet" not in page.get_text()
    assert [a["href"] for a in page.select("p.page-links a")] == ["99_tiny.slides.html", "student/99_tiny.ipynb"]
    index = (student_site / "index.html").read_text(encoding="utf-8")
    assert "student edition" in index and "notebooks/99_tiny.ipynb" not in index


@pytest.mark.course_build
def test_a_student_edition_that_breaks_is_named(tmp_path):
    nb = tiny_course(with_reveal=False)
    nb.cells[-1].source = "print(grad(1.0, 0.0))"          # uses the student's (unsolved) function
    path = tmp_path / "99_tiny.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(StudentSiteError, match=r"99_tiny\.ipynb, cell 9: the student edition stops here .*NotImplementedError"):
        build_site([path], tmp_path / "site", edition="student")


@pytest.mark.course_build
def test_the_course_student_site_holds_no_solution(tmp_path_factory):
    if not NOTEBOOKS:
        pytest.skip("no notebooks")
    folder = tmp_path_factory.mktemp("student-site")
    copies = []
    for path in NOTEBOOKS:
        (folder / path.name).write_bytes(path.read_bytes())
        copies.append(folder / path.name)
    site = folder / "site"
    build_site(copies, site, title="Course", edition="student")
    assert not (site / "notebooks").exists()
    for path in copies:
        needles = secrets(nbformat.read(path, 4), path.name)
        print(f"{path.name}: {len(needles)} solution lines and stated answers searched in its page, deck, "
              "download and search entries")
        assert needles and leaks(site, path.stem, needles) == [], path.name
        instructor = nbformat.read(path, 4)
        predictions = [ex for ex in find_exercises(instructor, path.name) if ex.kind == "prediction"]
        page = BeautifulSoup((site / f"{path.stem}.html").read_text(encoding="utf-8"), "html.parser")
        folded = [d.summary.get_text() for d in page.select("details.lecture-fold")]
        assert folded.count(FOLD_PREDICTION) >= len(predictions), path.name
        assert len(page.find_all("img")) > 0 or not any(
            "image/png" in o.get("data", {}) for c in instructor.cells for o in c.get("outputs", [])), path.name
        download = nbformat.read(site / "student" / path.name, 4)
        assert all(set(c.metadata.get("lecture_utils", {})) <= {"alt", "points", "slides"} for c in download.cells)


def test_the_worked_answers_after_an_exercise_are_folded_on_the_student_site():
    # 05's derivations follow each exercise's check: on a page they would sit in view of the exercise.
    from lecture_utils.course.student_site import FOLD_REVEALS, folds
    path = ROOT / "notebooks" / "05_convolution_gradients.ipynb"
    marks = folds(nbformat.read(path, 4), path.name)
    for cell_id in ("c05-dw-derivation", "b0cb0303", "c05-stride-derivation"):
        assert marks.get(cell_id) == FOLD_REVEALS, cell_id
    nb = nbformat.read(path, 4)
    new_sections = [c.id for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## ")]
    assert not set(new_sections) & set(marks)          # a new section is never folded away
