# Two commands for a new user: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed

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
	$(FLASK) run --host 127.0.0.1 --port 5000

# Production-style: gunicorn with gunicorn.conf.py (gthread workers) on 127.0.0.1:8000,
# after the migrations, so workers never start on an old schema.
serve: install
	$(FLASK) init-db
	$(FLASK) reindex --if-needed
	$(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

# pytest exits 5 when it collected nothing: that is a failure too.
test: install
	$(PY) -m pytest -W error $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

# Both benchmarks (see bench/README.md): pages under gunicorn + wrk, then in-process search.
# BENCH_ARGS goes to both (--docs, --seed, --queries, --out), e.g. BENCH_ARGS="--docs 2000";
# PAGE_BENCH_ARGS / SEARCH_BENCH_ARGS to one of them, e.g. PAGE_BENCH_ARGS="--duration 30".
bench: install
	$(PY) -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(PY) bench/page_bench.py $(BENCH_ARGS) $(PAGE_BENCH_ARGS)
	$(PY) bench/search_bench.py $(BENCH_ARGS) $(SEARCH_BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
