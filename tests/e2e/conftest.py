"""Browser tests: Debian's Chromium driven by Playwright (no browser download).

`make test` runs them when Chromium is installed (`.ci/run` installs it);
set CHROMIUM to point elsewhere.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Without these flags Chromium reaches out to the network at start, which is closed here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def migration_rows(django_db_setup, django_db_blocker) -> str:
    """The serialized rows that data migrations created (roles, catalogue, SLA policies).

    Read before Playwright starts: its greenlet gives the test code another
    context, hence another database connection object without this attribute.
    """
    from django.db import connection

    with django_db_blocker.unblock():
        connection.ensure_connection()
    return getattr(connection, "_test_serialized_contents", "")


@pytest.fixture(scope="session")
def browser(migration_rows):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM calls beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _migration_data(transactional_db, migration_rows):
    """Put back the rows data migrations created, which earlier transactional
    tests flushed; pytest-django's own restore cannot see them (see migration_rows)."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    if migration_rows and not Group.objects.exists():
        # The flush after a browser test ran post_migrate (its connection is not the
        # one that knows the serialized rows), which made the content types and
        # permissions anew under other keys: the rows put back bring the originals.
        ContentType.objects.all().delete()  # and their permissions, by cascade
        ContentType.objects.clear_cache()
        connection.creation.deserialize_db_from_string(migration_rows)
