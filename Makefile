# The two commands: `make run` (embedded, no servers) and `make test` (PostgreSQL + Redis).
# Both create the virtualenv from nothing; only Python 3.11 and make are needed.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3.11)
VENV := .venv
PY := $(VENV)/bin/python
# The install is redone whenever a pinned requirements file changes.
STAMP := $(VENV)/.installed-$(shell cat requirements/base.txt requirements/dev.txt | cksum | cut -d' ' -f1)

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/csc
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?= -n 2

# Our apps with their own catalogue; csc/ and templates/ share locale/.
LOCALE_APPS := $(filter-out csc,$(patsubst %/apps.py,%,$(wildcard */apps.py)))

.PHONY: install run test lint format translations messages lock clean bench load

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null \
	  || { echo "Python 3.11 is needed: set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

$(STAMP): $(PY) requirements/base.txt requirements/dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

translations: install
	$(PY) manage.py compiletranslations

# The worker runs in its own session (setsid, where there is one), so Ctrl-C
# or a closed terminal reaches it only through the trap, which waits for its
# warm shutdown: celery answers a SIGHUP by restarting itself, and would
# outlive `make run`.
run: install translations
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  csc is starting at http://127.0.0.1:8000/"
	@echo "  Demo logins (password csc-demo): agent, lead, handler, techsupport, legal, qa, manager, director, admin"
	@echo "  API docs: http://127.0.0.1:8000/api/docs/   Worker log: var/celery.log   Stop with Ctrl-C."
	@echo ""
	@$$(command -v setsid) $(VENV)/bin/celery -A csc worker --beat --pool=solo --loglevel=INFO \
	    >var/celery.log 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker; exit 0' INT TERM HUP; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	  $(PY) manage.py runserver 127.0.0.1:8000

# pytest's exit 5 (no tests collected) is a failure too: make passes any
# non-zero status on.
test: install translations
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(VENV)/bin/pytest $(PYTEST_ARGS) || { rc=$$?; [ $$rc -ne 5 ] || echo "pytest collected no tests"; exit $$rc; }

# Benchmarks (tests/bench/, not part of `make test`): a database of their own,
# loaded once with 1,000,000 tickets and reused, and a spare Redis database.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/csc_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/13
BENCH_ARGS ?=
LOAD_ARGS ?=

bench: install translations
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) \
	  $(PY) -m tests.bench.run $(BENCH_ARGS)
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) \
	  $(PY) -m tests.bench.bench_dashboard

load: install translations
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) \
	  $(PY) -m tests.bench.load_run $(LOAD_ARGS)

# mypy checks the modules [tool.mypy] lists (services, selectors, csc/lib) and
# keeps its cache in .mypy_cache: about 25 s from nothing, 3 s after.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# One walk from the top: makemessages files each string under the nearest
# app's locale/ (created here), and csc/ and templates/ under locale/.
messages: install
	@for app in $(LOCALE_APPS); do mkdir -p $$app/locale; done
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete \
	  --ignore=tests --ignore=var --ignore=staticfiles --ignore=media --ignore=docs

# Resolve pyproject.toml's ranges afresh in a scratch venv and print the
# versions to pin (the project itself is not a package, so only its
# dependency lists are installed).
LOCK_VENV := /tmp/csc-lock
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	  open("$(LOCK_VENV)/base.in", "w").write("\n".join(p["dependencies"])); \
	  open("$(LOCK_VENV)/dev.in", "w").write("\n".join(p["optional-dependencies"]["dev"]))'
	$(LOCK_VENV)/bin/pip install --quiet -r $(LOCK_VENV)/base.in
	$(LOCK_VENV)/bin/pip freeze > $(LOCK_VENV)/base.txt
	$(LOCK_VENV)/bin/pip install --quiet -r $(LOCK_VENV)/base.in -r $(LOCK_VENV)/dev.in
	$(LOCK_VENV)/bin/pip freeze > $(LOCK_VENV)/all.txt
	@echo "== requirements/base.txt =="; cat $(LOCK_VENV)/base.txt
	@echo "== requirements/dev.txt (after -r base.txt) =="; grep -vxFf $(LOCK_VENV)/base.txt $(LOCK_VENV)/all.txt || true

clean:
	rm -rf $(VENV) var staticfiles
