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

# Debian's chromium for the browser tests (Playwright drives it; no browser download), and faketime,
# with which .ci/run moves the machine's clock to show the suite does not read it.
browser:
	@test -x $(CHROMIUM) && command -v faketime >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium faketime >/dev/null; }

$(DB): | $(VENV)/.runtime
	$(PY) -m cli demo --db $(DB)

demo: $(VENV)/.runtime
	$(PY) -m cli demo --db $(DB)

run: $(VENV)/.runtime $(DB)
	OVERFLOW_DB=$(DB) $(PY) -m streamlit run app.py --server.address localhost --server.port $(PORT)

# The whole suite, then the figures again in another server zone (no figure may follow the OS zone)
# and with the machine's clock moved on (the suite's today is data.clock's, never the wall's).
ZONE_TESTS = tests/test_metrics_*.py tests/test_exports*.py tests/test_meeting*.py tests/test_views.py tests/test_demo.py tests/test_journeys.py
test: $(VENV)/.dev browser
	$(PY) -m pytest -n 2 -q
	TZ=America/New_York $(PY) -m pytest -n 2 -q $(ZONE_TESTS)
	faketime -f '+400d' $(PY) -m pytest -n 2 -q tests/app/test_clock.py tests/test_meeting_items.py tests/test_exports_cli.py

# Refresh the README's pictures: the browser journey on the full-size demo database, saved to docs/screenshots/.
screenshots: $(VENV)/.dev browser $(DB)
	OVERFLOW_SCREENSHOTS=1 OVERFLOW_E2E_DB=$(DB) $(PY) -m pytest -q tests/e2e -k photographed

bench: $(VENV)/.dev
	$(PY) -m bench --calls 10000000 --out bench/out/bench-10M.json

clean:
	rm -rf $(VENV) .venv-runtime .venv-runtime.lock .pytest_cache
