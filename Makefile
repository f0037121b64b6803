# Two commands: `make run` and `make test`. Each sets up what it needs on a fresh machine.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
DB ?= data/overflow.duckdb
PORT ?= 8501
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test venv dev-venv browser demo bench clean screenshots

$(VENV)/.runtime: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.runtime
dev-venv: $(VENV)/.dev

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

$(DB): | $(VENV)/.runtime
	$(PY) -m cli demo --db $(DB)

demo: $(VENV)/.runtime
	$(PY) -m cli demo --db $(DB)

run: $(VENV)/.runtime $(DB)
	OVERFLOW_DB=$(DB) $(PY) -m streamlit run app.py --server.address localhost --server.port $(PORT)

test: $(VENV)/.dev browser
	$(PY) -m pytest -n 2 -q

# Refresh the README's pictures: the browser journey on the full-size demo database, saved to docs/screenshots/.
screenshots: $(VENV)/.dev browser $(DB)
	OVERFLOW_SCREENSHOTS=1 OVERFLOW_E2E_DB=$(DB) $(PY) -m pytest -q tests/e2e -k photographed

bench: $(VENV)/.dev
	$(PY) -m bench --calls 10000000 --out bench/out/bench-10M.json

clean:
	rm -rf $(VENV) .pytest_cache
