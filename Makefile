# Communique — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PKGS   := libs/contracts libs/runtime services/ingest services/extract services/store services/alerts
PYPROJECTS := $(addsuffix /pyproject.toml,$(PKGS)) requirements-dev.txt

.PHONY: install run test lint unit schemas clean bench

install: $(STAMP)

$(STAMP): $(PYPROJECTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet $(addprefix -e ,$(PKGS)) -r requirements-dev.txt
	touch $(STAMP)

run: install
	$(VENV)/bin/communique run

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

unit: install
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check libs services tests bench
	$(VENV)/bin/mypy libs/contracts/src libs/runtime/src services/ingest/src services/extract/src services/store/src services/alerts/src

schemas: install
	$(PY) -m communique.contracts.schemas

bench: install
	$(PY) bench/extract.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
