# The two commands a new user runs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

# The newest Python available with the newest releases pip resolves (`make test-newest`): a new
# Django, SQLAlchemy or Faker release breaks CI, not users. NEWEST_PYTHON may be overridden.
NEWEST_PYTHON ?= $(shell for v in 3.14 3.13 3.12; do \
	for p in $$(ls -d $$HOME/.pyenv/versions/$$v*/bin/python$$v 2>/dev/null | sort -V | tail -1) \
		$$(command -v python$$v); do \
		$$p -c pass 2>/dev/null && echo $$p && exit 0; done; done)
NEWEST_VENV := .venv-newest

.PHONY: demo test test-newest lint bench bench-load corpus clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/python examples/shop/demo.py

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Re-resolved on every run (--upgrade, eager): the point is to meet new releases the day
# they are out.
test-newest:
	@test -n "$(NEWEST_PYTHON)" || { echo "test-newest: no python3.12+ found; set NEWEST_PYTHON"; exit 1; }
	@test -x $(NEWEST_VENV)/bin/python || $(NEWEST_PYTHON) -m venv $(NEWEST_VENV)
	$(NEWEST_VENV)/bin/python -m pip install -q --upgrade pip
	$(NEWEST_VENV)/bin/python -m pip install -q --upgrade --upgrade-strategy eager -e '.[dev]'
	@$(NEWEST_VENV)/bin/python -c "import sys, importlib.metadata as m; print('test-newest: Python', \
		sys.version.split()[0], *(f'{p} {m.version(p)}' for p in \
		('SQLAlchemy', 'Django', 'Faker', 'factory_boy', 'psycopg', 'pytest')))"
	$(NEWEST_VENV)/bin/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/generate.py
	$(BIN)/python benchmarks/isolation.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/seed.py
	$(BIN)/python benchmarks/batches.py
	$(BIN)/python benchmarks/django_batches.py

# Opt-in: 2,000 small plugin tests under -n 2, overhead against bare rollback (benchmarks/load.py).
bench-load: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/load.py

# Opt-in, slow (installs ~20 applications from PyPI into .corpus/): CORPUS_ARGS="--only optuna".
CORPUS_ARGS ?=
corpus: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/corpus.py $(CORPUS_ARGS)

clean:
	rm -rf demo-out .pytest_cache
