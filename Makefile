# One entry point for students, instructors and CI. Everything runs inside a local
# virtual environment (.venv) created from pyproject.toml; nothing is installed globally.
#   make lab        install what the notebooks need and open JupyterLab in the student edition
#                   (student/, made if missing; notebooks/ holds the instructor edition)
#   make test       install everything (test and grading extras too) and run every test:
#                   unit tests + strict nbval on all notebooks
#   make notebooks  re-execute every notebook in place (refresh committed outputs)
#   make bench      run the benchmarks (optional references: make install-reference)
#   make student    student edition (answers replaced by stubs) into student/; keeps edited notebooks
#   make autograder student editions + Otter-Grader autograder.zip per notebook into _build/autograder/
#   make grade      grade a folder of submissions locally (AUTOGRADER=... SUBMISSIONS=... OUT=...)
#   make slides     offline reveal.js decks into _build/slides/
#   make check-decks  every slide of every deck measured in headless Chromium at 1280x720 and 1024x768
#   make site       offline static site (pages, decks, index) into _build/site/: the INSTRUCTOR edition
#   make site-student  the site students can be given: the student edition, run, no answers, into _build/site-student/
#   make install-instructor  add RISE (present a notebook live in JupyterLab, Ctrl+R); make check-rise measures it
#   make slide-breaks  measure every cell in RISE and write the subslide breaks that make each slide fit
#   make check-site headless Chromium check of the site, with the axe-core accessibility audit
#                   (needs Debian's chromium and npm)
#   make test-offline  the whole test suite with networking disabled (Linux)
#   make install-hub   a JupyterHub and its single-user image in .venv-hub, for tests/test_hub.py
#   make test-kernels  strict nbval under several OpenBLAS kernels and thread counts
#   make test-lower-bounds  unit tests + strict nbval with every dependency at its lower bound
#   make check-stable NB=...  list the cells whose printed output depends on the machine
#
# Another Python: make test PYTHON=python3.13 (its own venv, .venv-py3.13).

PYTHON ?= python3
PY_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifeq ($(PY_VERSION),)
$(error PYTHON=$(PYTHON) does not run; give an interpreter of version 3.10 or newer, e.g. make test PYTHON=python3.12)
endif
ifeq ($(origin PYTHON),command line)
VENV   ?= .venv-py$(PY_VERSION)
else
VENV   ?= .venv
endif
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB_STAMP := $(VENV)/.installed-lab
LOWER_VENV := .venv-lower-bounds-py$(PY_VERSION)

NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
               --nbval-cell-timeout 300

.PHONY: install install-lab install-hub test-hub lab test test-unit test-notebooks notebooks bench install-reference clean \
        student autograder grade slides site check-site install-a11y install-tools test-offline test-kernels test-lower-bounds install-lower-bounds check-stable \
        site-student check-decks install-instructor check-rise slide-breaks \
        check-python

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "PYTHON=$(PYTHON) is Python $(PY_VERSION); this course needs 3.10 or newer")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Two installs into the same venv: a student's (`make lab`: the course and what its notebooks
# import) and everyone else's (`make test`, instructors: the test and grading extras too). Each has
# its stamp, so a student who ran `make lab` gets the extras at their first `make test`.
$(LAB_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(LAB_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,grading]'
	touch $(STAMP) $(LAB_STAMP)

install-lab: $(LAB_STAMP)

install: $(STAMP)

# JupyterLab on this machine only (127.0.0.1), its root the repository, so both editions are reachable:
# it opens in student/ (the student edition, written here the first time), notebooks/ holds the
# instructor edition with the answers. `make student` refreshes student/ and never replaces a
# notebook you edited.
lab: install-lab
	@test -d student || $(BIN)/python -m lecture_utils student --out student
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/student \
	    $(if $(filter 0,$(shell id -u)),--allow-root)   # containers and cloud IDEs often run as root

# TEST_JOBS pytest workers (pytest-xdist); each takes whole files (--dist loadfile), so a notebook's
# cells run in order in one kernel and a module's fixtures are built once. TEST_JOBS=0: one process.
# Then the same comparison under other BLAS kernels: a student's CPU picks its own.
TEST_JOBS ?= 2
PYTEST_JOBS := $(if $(filter 0,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile)
test: install
	$(BIN)/python -m pytest $(PYTEST_JOBS) tests $(NOTEBOOKS) $(NBVAL_FLAGS)
	$(BIN)/python tools/kernel_matrix.py $(KERNEL_MATRIX_FLAGS)

test-unit: install
	$(BIN)/python -m pytest $(PYTEST_JOBS) tests

test-notebooks: install
	$(BIN)/python -m pytest $(PYTEST_JOBS) $(NOTEBOOKS) $(NBVAL_FLAGS)

# Strict nbval under three OpenBLAS kernels (Haswell, SkylakeX, Sandybridge, or Nehalem where the CPU
# lacks AVX-512) with 1 and 2 threads, two runs at a time (--jobs).
# On a machine whose numpy does not use OpenBLAS (e.g. Apple's Accelerate) it says so and skips.
KERNEL_MATRIX_FLAGS ?= --allow-other-blas
test-kernels: install
	$(BIN)/python tools/kernel_matrix.py $(KERNEL_MATRIX_FLAGS)

# Every dependency at the lowest version pyproject.toml admits (.ci/lower-bounds.txt, kept in
# agreement by tests/test_environment.py), in its own venv: unit tests and strict nbval.
LOWER_STAMP := $(LOWER_VENV)/.installed
$(LOWER_STAMP): pyproject.toml .ci/lower-bounds.txt | check-python
	test -x $(LOWER_VENV)/bin/python || $(PYTHON) -m venv $(LOWER_VENV)
	$(LOWER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOWER_VENV)/bin/python -m pip install --quiet -c .ci/lower-bounds.txt -e '.[test]'
	$(LOWER_VENV)/bin/python -m pip check
	touch $(LOWER_STAMP)

install-lower-bounds: $(LOWER_STAMP)

test-lower-bounds: $(LOWER_STAMP)
	$(LOWER_VENV)/bin/python -m pytest $(PYTEST_JOBS) tests $(NOTEBOOKS) $(NBVAL_FLAGS) -W ignore::DeprecationWarning

# For authors: run notebooks under two BLAS kernels and with round-off-sized nudges to the
# seeded data; print the cells whose output differs (make check-stable NB=notebooks/04_...).
check-stable: install
	$(BIN)/python tools/check_stable.py $(NB)

# Execute each notebook top to bottom in a fresh kernel and save it with its outputs.
# NB= restricts to one notebook: make notebooks NB=notebooks/01_linear_network_backprop.ipynb
NB ?= $(NOTEBOOKS)
notebooks: install
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 $(NB)

install-reference: install
	$(BIN)/python -m pip install --quiet -e '.[test,grading,reference]'

bench: install
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

student: install-lab
	$(BIN)/python -m lecture_utils student --out student

# For each notebook its student edition and an Otter-Grader autograder.zip (see README, instructors).
autograder: install
	$(BIN)/python -m lecture_utils autograder --out _build/autograder

# A folder of submissions, graded locally in parallel (see README, "Grading a class"):
#   make grade AUTOGRADER=_build/autograder/05_convolution_gradients SUBMISSIONS=submissions/05 OUT=grades/05
grade: install
	@test -n "$(AUTOGRADER)" -a -n "$(SUBMISSIONS)" || { echo "make grade needs AUTOGRADER=DIR SUBMISSIONS=DIR [OUT=DIR]"; exit 2; }
	$(BIN)/python -m lecture_utils grade --autograder $(AUTOGRADER) --submissions $(SUBMISSIONS) --out $(or $(OUT),_build/grades)

slides: install
	$(BIN)/python -m lecture_utils slides --out _build/slides

site: install
	$(BIN)/python -m lecture_utils site --out _build/site --title "Learning and multi-scale vision"

# For students during the term: pages and decks of the student edition (run here, a few minutes), no answers.
site-student: install
	$(BIN)/python -m lecture_utils site --edition student --out _build/site-student --title "Learning and multi-scale vision"

# Every slide of every deck at 1280x720 and 1024x768: overflow, figures out of view, clipped lines, controls.
check-decks: slides
	$(BIN)/python tests/deck_check.py _build/slides

# RISE (jupyterlab-rise) for presenting live; instructors only (students do not need it).
install-instructor: install
	$(BIN)/python -m pip install --quiet -e '.[instructor]'

check-rise: install-instructor
	$(BIN)/python tests/rise_check.py $(NB)

slide-breaks: install-instructor
	$(BIN)/python tools/slide_breaks.py $(NB) --write

# axe-core (npm) for the accessibility audit of the site and decks; needs Node.js's npm.
A11Y_STAMP := tools/a11y/node_modules/axe-core/axe.min.js
$(A11Y_STAMP): tools/a11y/package.json tools/a11y/package-lock.json
	cd tools/a11y && npm ci --no-audit --no-fund --loglevel=error

install-a11y: $(A11Y_STAMP)

# Deployment checks in a venv of their own (they pin things the course must not): repo2docker
# (Binder's builder, run with --no-build: no Docker needed) and cffconvert (validates CITATION.cff).
TOOLS_VENV := .venv-tools
TOOLS_STAMP := $(TOOLS_VENV)/.installed
$(TOOLS_STAMP): | check-python
	test -x $(TOOLS_VENV)/bin/python || $(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS_VENV)/bin/python -m pip install --quiet "jupyter-repo2docker>=2024.7" "cffconvert>=2.0"
	touch $(TOOLS_STAMP)

install-tools: $(TOOLS_STAMP)

# The hub for tests/test_hub.py, in a venv of its own that is also its single-user image: JupyterHub,
# nbgitpuller and the course's dependencies (the test installs the course itself from a tag, offline,
# with README's command; the setuptools wheel in the wheelhouse lets pip build it offline);
# configurable-http-proxy (the hub's proxy) and playwright-core (drives Chromium) from npm.
HUB_VENV := .venv-hub
HUB_STAMP := $(HUB_VENV)/.installed
$(HUB_STAMP): pyproject.toml | check-python
	test -x $(HUB_VENV)/bin/python || $(PYTHON) -m venv $(HUB_VENV)
	$(HUB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(HUB_VENV)/bin/python -m pip install --quiet "jupyterhub>=5.2,<7" "nbgitpuller>=1.2,<2" .
	$(HUB_VENV)/bin/python -m pip download --quiet --only-binary :all: --dest $(HUB_VENV)/wheelhouse "setuptools>=64" wheel
	touch $(HUB_STAMP)

HUB_NODE_STAMP := tools/hub/node_modules/.package-lock.json
$(HUB_NODE_STAMP): tools/hub/package.json tools/hub/package-lock.json
	cd tools/hub && npm ci --no-audit --no-fund --loglevel=error

install-hub: $(HUB_STAMP) $(HUB_NODE_STAMP)

# The class path on a JupyterHub, end to end (README, "Running the course: JupyterHub").
test-hub: install install-hub
	$(BIN)/python -m pytest tests/test_hub.py

check-site: site install-a11y
	$(BIN)/python tests/browser_check.py _build/site --screenshots _build/screens --audit

# Install online first, then run the whole suite in a network namespace with loopback only.
test-offline: install
	tools/run_offline.sh $(MAKE) test

# student/ stays: it holds the students' answers (delete it by hand to start over).
clean:
	rm -rf .venv .venv-py* .venv-lower-bounds-py* .venv-hub build *.egg-info _build
