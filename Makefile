# Two commands: `make run` and `make test`. Each sets up what it needs on a fresh machine.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
DB ?= data/overflow.duckdb
PORT ?= 8501
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test venv dev-venv browser java demo bench clean screenshots i18n-extract i18n-update i18n-compile

$(VENV)/.runtime: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# pyspark (tests/test_lake.py) needs Java: `java` below comes with the dev venv, so `make test` installs it.
$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime | java
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.runtime
dev-venv: $(VENV)/.dev

# Debian's chromium for the browser tests (Playwright drives it; no browser download), and faketime,
# with which .ci/run moves the machine's clock to show the suite does not read it.
browser:
	@test -x $(CHROMIUM) && command -v faketime >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium faketime >/dev/null; }

# Debian's Java for pyspark (tests/test_lake.py runs Spark in local[2]; pyspark 4 needs Java 17 or newer).
java:
	@command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])' || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; }

$(DB): | $(VENV)/.runtime
	$(PY) -m cli demo --db $(DB)

demo: $(VENV)/.runtime
	$(PY) -m cli demo --db $(DB)

run: $(VENV)/.runtime i18n-compile $(DB)
	OVERFLOW_DB=$(DB) $(PY) -m streamlit run app.py --server.address localhost --server.port $(PORT)

# The whole suite, then the figures again in another server zone (no figure may follow the OS zone)
# and with the machine's clock moved on (the suite's today is data.clock's, never the wall's).
ZONE_TESTS = tests/test_metrics_*.py tests/test_exports*.py tests/test_meeting*.py tests/test_views.py tests/test_demo.py tests/test_journeys.py
test: $(VENV)/.dev browser i18n-compile
	$(PY) -m pytest -n 2 -q
	TZ=America/New_York $(PY) -m pytest -n 2 -q $(ZONE_TESTS)
	faketime -f '+400d' $(PY) -m pytest -n 2 -q tests/app/test_clock.py tests/test_meeting_items.py tests/test_exports_cli.py

# Refresh the README's pictures: the browser journey on the full-size demo database, saved to docs/screenshots/.
screenshots: $(VENV)/.dev browser $(DB)
	OVERFLOW_SCREENSHOTS=1 OVERFLOW_E2E_DB=$(DB) $(PY) -m pytest -q tests/e2e -k photographed

bench: $(VENV)/.dev
	$(PY) -m bench --calls 10000000 --out bench/out/bench-10M.json

# The words of every page, file and message (docs/languages.md): extract them from the code into
# locale/messages.pot, merge new ones into each language's catalog (then translate the empty ones),
# and compile the catalogs the app reads. A test fails when a catalog misses a message.
I18N_KEYWORDS := -k _ -k n_:1,2 -k N_
I18N_SOURCES := app.py cli.py app_pages ui notify reports commercial meetings lake metrics ingest partners data
i18n-extract: $(VENV)/.runtime
	$(VENV)/bin/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --no-location --sort-output --omit-header \
	  -o locale/messages.pot $(I18N_SOURCES)

i18n-update: i18n-extract
	$(VENV)/bin/pybabel update -i locale/messages.pot -d locale -D messages --no-fuzzy-matching --ignore-obsolete

i18n-compile: $(VENV)/.runtime
	$(PY) -c "from data import i18n; [print('compiled', p) for p in i18n.compile_catalogs()]"

clean:
	rm -rf $(VENV) .venv-runtime .venv-runtime.lock .pytest_cache
