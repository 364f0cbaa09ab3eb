"""Course tooling, apart from what students import to learn.

* :mod:`~lecture_utils.course.editions`: student editions (answers replaced by stubs);
* :mod:`~lecture_utils.course.publish`: reveal.js decks and the static site, offline;
* :mod:`~lecture_utils.course.slides`: what a slide shows of each cell (deck rules);
* :mod:`~lecture_utils.course.student_site`: the student edition run and folded for the student site;
* :mod:`~lecture_utils.course.cli`: ``python -m lecture_utils student|slides|site``;
* ``assets/``: the vendored reveal.js, MathJax, fonts and nbconvert templates.
"""
