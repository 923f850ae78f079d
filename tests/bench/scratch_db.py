"""A scratch PostgreSQL database next to the one DATABASE_URL names, for benchmarks
that load their own rows: made afresh, migrated by the benchmark, dropped after."""

import os
import sys
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from tests.bench.bench_sla_sweep import drop_database, recreate_database


def in_scratch_database(suffix: str, run: Callable[[], None], *, keep: bool = False) -> None:
    """Point Django at `<name>_<suffix>`, call `run`, then drop the database (unless kept)."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (a bench database is made next to it)")
    name = f"{parts.path.lstrip('/') or 'postgres'}_{suffix}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    print(f"database {name}: creating and migrating …", flush=True)
    recreate_database(admin_url, name)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc.settings")
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            drop_database(admin_url, name)
