# The two commands: `make run` (embedded, no servers) and `make test` (PostgreSQL + Redis).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements/base.txt requirements/dev.txt | cksum | cut -d' ' -f1)

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/csc
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test lint format bench translations messages lock clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements/base.txt requirements/dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

translations: $(STAMP)
	$(PY) manage.py compiletranslations

run: install translations
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  csc is starting at http://127.0.0.1:8000/"
	@echo "  Demo logins (password csc-demo): agent, lead, handler, techsupport, legal, qa, manager, director, admin"
	@echo "  API docs: http://127.0.0.1:8000/api/docs/   Stop with Ctrl-C."
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	  $(VENV)/bin/celery -A csc worker --beat --pool=solo --loglevel=INFO \
	    --schedule=var/celerybeat-schedule >var/celery.log 2>&1 & \
	  $(PY) manage.py runserver 127.0.0.1:8000

test: install translations
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(VENV)/bin/pytest $(PYTEST_ARGS) || { rc=$$?; [ $$rc -ne 5 ] || echo "pytest collected no tests"; exit $$rc; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	for app in csc staffing intake; do (cd $$app && ../$(PY) ../manage.py makemessages -l zh_Hans -l en --no-obsolete); done
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore='*/*' --ignore=.venv

lock:
	$(PYTHON) -m venv /tmp/csc-lock && /tmp/csc-lock/bin/pip install --quiet --upgrade pip && \
	  /tmp/csc-lock/bin/pip install --quiet -e '.[dev]' && /tmp/csc-lock/bin/pip freeze --exclude-editable
	@echo "Copy the runtime lines to requirements/base.txt and the rest to requirements/dev.txt."

clean:
	rm -rf $(VENV) var staticfiles
