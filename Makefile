# One entry point for students, instructors and CI. Everything runs inside a local
# virtual environment (.venv) created from pyproject.toml; nothing is installed globally.
#   make lab        install and open the notebooks in JupyterLab
#   make test       install and run every test: unit tests + strict nbval on all notebooks
#   make notebooks  re-execute every notebook in place (refresh committed outputs)
#   make bench      run the benchmarks (optional references: make install-reference)
#   make student    student edition (answers replaced by stubs) into student/
#   make slides     offline reveal.js decks into _build/slides/
#   make site       offline static site (pages, decks, index) into _build/site/
#   make check-site headless Chromium check of the site (needs Debian's chromium)
#   make test-offline  the whole test suite with networking disabled (Linux)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
               --nbval-cell-timeout 300

.PHONY: install lab test test-unit test-notebooks notebooks bench install-reference clean \
        student slides site check-site test-offline

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

lab: install
	$(BIN)/jupyter lab notebooks/

# Serial on purpose: nbval starts one kernel per notebook and compares every output.
test: install
	$(BIN)/python -m pytest tests $(NOTEBOOKS) $(NBVAL_FLAGS)

test-unit: install
	$(BIN)/python -m pytest tests

test-notebooks: install
	$(BIN)/python -m pytest $(NOTEBOOKS) $(NBVAL_FLAGS)

# Execute each notebook top to bottom in a fresh kernel and save it with its outputs.
# NB= restricts to one notebook: make notebooks NB=notebooks/01_linear_network_backprop.ipynb
NB ?= $(NOTEBOOKS)
notebooks: install
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 $(NB)

install-reference: install
	$(BIN)/python -m pip install --quiet -e '.[test,reference]'

bench: install
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

student: install
	$(BIN)/python -m lecture_utils student --out student

slides: install
	$(BIN)/python -m lecture_utils slides --out _build/slides

site: install
	$(BIN)/python -m lecture_utils site --out _build/site --title "Learning and multi-scale vision"

check-site: site
	$(BIN)/python tests/browser_check.py _build/site --screenshots _build/screens

# Install online first, then run the whole suite in a network namespace with loopback only.
test-offline: install
	tools/run_offline.sh $(MAKE) test

clean:
	rm -rf $(VENV) build *.egg-info _build student
