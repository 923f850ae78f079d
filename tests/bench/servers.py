"""The production-like environment and the gunicorn servers the benchmarks talk to."""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/csc_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
# Two cores: two gunicorn workers per core keep both busy while others wait on
# PostgreSQL (which shares the cores).
DEFAULT_WORKERS = 4


def production_environment(static_root: Path) -> dict[str, str]:
    """DEBUG off with everything `check --deploy` wants, plain HTTP on loopback."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="csc.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        # Fixed, not random: the bench database is kept from one run to the next.
        PERSONAL_DATA_KEYS="Y3NjLWJlbmNobWFyay1vbmx5LW5vdC1zZWNyZXQhISE=",
        PERSONAL_DATA_INDEX_KEY="csc-benchmark-only-index-key-not-for-production",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        CACHE_KEY_PREFIX="csc-bench",
        STATIC_ROOT=str(static_root),
        STATIC_MANIFEST="1",
        LOG_LEVEL="WARNING",
        # The load run's agents look customers up many times faster than a person
        # can; the per-person limit itself is tested in tests/intake/test_searches.py.
        CUSTOMER_SEARCH_LIMIT="1000000",
        PYTHONPATH=str(ROOT),
    )
    return env


class Environment:
    """A temporary STATIC_ROOT with collectstatic run into it, and the settings to use."""

    def __enter__(self) -> Environment:
        self.static_root = Path(tempfile.mkdtemp(prefix="csc-bench-static-"))
        self.env = production_environment(self.static_root)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        return self

    def apply(self) -> None:
        """Use the same settings in this process (loader, sweeper, API client setup)."""
        os.environ.update(self.env)

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.static_root, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn <app>` on a free loopback port, until the block ends."""

    def __init__(self, app: str, env: dict[str, str], *, workers: int = DEFAULT_WORKERS):
        self.app, self.env, self.workers = app, env, workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        # Closed in __exit__: the log lives as long as the server.
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="csc-bench-gunicorn-", suffix=".log"
        )

    def __enter__(self) -> Gunicorn:
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            self.app,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--backlog",
            "256",
            "--timeout",
            "120",
            "--chdir",
            str(ROOT),
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app} exited:\n{self.output()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.app} did not start:\n{self.output()}")

    def worker_pids(self) -> list[int]:
        """gunicorn's workers: the master's children."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def backend_pids(url: str):
    """A function listing the PostgreSQL backends serving `url`'s database (not this one)."""
    import psycopg

    def pids() -> list[int]:
        with psycopg.connect(url) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).fetchall()
            return [row[0] for row in rows]

    return pids
