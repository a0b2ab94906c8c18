# Two commands for a new user: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed
# make run PORT=8080
PORT ?= 5000

.PHONY: install run serve test bench clean

$(STAMP): setup.cfg pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(STAMP)

# init-db applies the schema migrations (flask db upgrade), adopting an older database.
run: install
	$(FLASK) init-db
	$(FLASK) load-demo --if-empty
	$(FLASK) reindex --if-needed
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Production-style: gunicorn with gunicorn.conf.py (gthread workers) on 127.0.0.1:8000,
# after the migrations, so workers never start on an old schema.
serve: install
	$(FLASK) init-db
	$(FLASK) reindex --if-needed
	$(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

# The whole suite on SQLite, then again on PostgreSQL (a throwaway server on a temporary
# directory, tests/services.py); both passes always run, and either failing fails the target.
# The PostgreSQL pass leaves out tests marked db_agnostic: they use no database or pick their
# own (browser XSS run, analyzers, migrations), so a second pass would only repeat them;
# and tests marked once: too slow to run twice (the 319-page docs import), their SQL is
# what smaller tests run on both databases.
# Two pytest-xdist workers, one test file each at a time, keep both passes within minutes.
# pytest exits 5 when it collected nothing: that is a failure too.
# First the import contracts of setup.cfg (lint-imports: blogapp never imports plugins, a
# plugin imports from blogapp only blogapp.plugin_api, plugins are independent, models and
# search know no views); a broken contract fails the target before any test runs.
PYTEST_WORKERS ?= 2
test: install
	$(VENV)/bin/lint-imports
	@failed=0; \
	for database in sqlite postgresql; do \
	  if [ $$database = postgresql ]; then only="not db_agnostic and not once"; else only=""; fi; \
	  echo "make test: the suite on $$database"; \
	  BLOGAPP_TEST_DATABASE=$$database $(PY) -m pytest -W error -n $(PYTEST_WORKERS) \
	    --dist loadfile -m "$$only" $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: no tests collected on $$database" >&2; rc=1; fi; \
	  if [ $$rc -ne 0 ]; then echo "make test: $$database failed (exit $$rc)" >&2; failed=1; fi; \
	done; \
	exit $$failed

# The benchmarks (see bench/README.md): pages under gunicorn + wrk, then in-process search,
# then search quality on real content (about a minute; skipped without ../shared).
# BENCH_ARGS goes to the first two (--docs, --seed, --queries, --out), e.g. BENCH_ARGS="--docs 2000";
# PAGE_BENCH_ARGS / SEARCH_BENCH_ARGS to one of them, e.g. PAGE_BENCH_ARGS="--duration 30".
bench: install
	$(PY) -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(PY) bench/page_bench.py $(BENCH_ARGS) $(PAGE_BENCH_ARGS)
	$(PY) bench/search_bench.py $(BENCH_ARGS) $(SEARCH_BENCH_ARGS)
	$(PY) bench/docs_quality.py $(QUALITY_BENCH_ARGS)
	$(PY) bench/suggest_bench.py $(SUGGEST_BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
