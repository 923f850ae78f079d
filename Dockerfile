# The production image: web (gunicorn), Celery worker and beat all run from it;
# docker-compose.yml picks the command. Translations and static files are
# built in, so the running container needs no gettext and no internet.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CSC_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/var/media

WORKDIR /app

# Dependencies first, so code changes reuse this layer. The pinned file is the
# same one `make run` installs; psycopg-binary ships its own libpq.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .

# The build-time keys only let settings load (DEBUG=0 refuses to start without
# them); they are not kept in the image, and the real keys come from the environment.
RUN export DEBUG=0 SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    PERSONAL_DATA_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    PERSONAL_DATA_INDEX_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    && python manage.py compiletranslations \
    && python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home csc \
    && mkdir -p /app/var/media \
    && chown -R csc:csc /app/var

USER csc
EXPOSE 8000

# migrate is run once by the compose `web` service before this starts.
# WEB_CONCURRENCY sets the number of gunicorn workers (gunicorn reads it).
CMD ["gunicorn", "csc.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60"]
