# Set-up and entry points. `make demo` and `make test` create .venv on first use.
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: demo test test-slow lint bench clean-venv

$(STAMP): pyproject.toml scripts/find-python
	@test -x $(PY) || "$$(./scripts/find-python)" -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	.venv/bin/bayes-zba demo

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -q

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

bench: $(STAMP)
	for b in bench/*.py; do $(PY) $$b || exit 1; done

clean-venv:
	rm -rf .venv
