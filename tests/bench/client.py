"""A small HTTP client for the benchmarks: stdlib only, cheap per request.

The client runs on the same two cores as gunicorn and PostgreSQL, so it does
as little as it can: `http.client`, one connection per request (gunicorn's
sync workers close each connection anyway), bodies encoded once.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    ms: float

    def json(self):
        return json.loads(self.body)


class Http:
    """Requests to one server; keeps cookies and default headers (token or session)."""

    def __init__(self, port: int, *, host: str = "127.0.0.1", headers: dict | None = None):
        self.host, self.port = host, port
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers: dict | None = None) -> Reply:
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if isinstance(body, dict | list):
            body = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        began = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        ms = (time.perf_counter() - began) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Reply(response.status, dict(response.headers.items()), data, ms)

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body=None, **kwargs) -> Reply:
        return self.request("POST", path, body, **kwargs)

    def sign_in(self, username: str, password: str) -> None:
        """Through the login form, as a browser does: CSRF cookie and token, then the session."""
        page = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if token is None:
            raise RuntimeError(f"no login form at /login/ (HTTP {page.status})")
        form = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
            }
        ).encode()
        reply = self.post(
            "/login/", form, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        if reply.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in as {username} failed (HTTP {reply.status})")

    def csrf_headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.cookies.get("csrftoken", "")}


# ---------------------------------------------------------------- figures


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 200 samples is the 190th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Figures:
    """Latencies of one measured request type."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    queries: list[int] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    cpu: dict | None = None

    @property
    def count(self) -> int:
        return len(self.latencies)

    def summary(self) -> dict:
        data = {
            "requests": self.count,
            "errors": self.errors,
            "p50_ms": round(percentile(self.latencies, 0.5), 1),
            "p95_ms": round(percentile(self.latencies, 0.95), 1),
            "mean_ms": round(statistics.fmean(self.latencies), 1) if self.latencies else None,
        }
        if self.seconds:
            data["requests_per_s"] = round(self.count / self.seconds, 1)
        if self.queries:
            data["queries"] = sorted(set(self.queries))
        if self.error_samples:
            data["error_samples"] = self.error_samples[:3]
        if self.cpu:
            data.update(self.cpu)
        return data


def ok(reply: Reply) -> bool:
    return 200 <= reply.status < 400


def record(figures: Figures, reply: Reply) -> None:
    figures.latencies.append(reply.ms)
    if not ok(reply):
        figures.errors += 1
        if len(figures.error_samples) < 3:
            figures.error_samples.append(f"{reply.status} {reply.body[:200]!r}")


def sequential(call, count: int, *, warmup: int = 5, meter=None) -> Figures:
    """`call(i)` returns a Reply; one after another, latencies recorded after the warm-up."""
    for i in range(warmup):
        call(-1 - i)
    figures = Figures()
    if meter is not None:
        meter.start()
    began = time.perf_counter()
    for i in range(count):
        record(figures, call(i))
    figures.seconds = time.perf_counter() - began
    if meter is not None:
        figures.cpu = meter.stop(figures.count)
    return figures


def concurrent(call, clients: int, per_client: int, *, warmup: int = 3, meter=None) -> Figures:
    """`clients` threads, each calling `call(client, i)` `per_client` times, all at once."""
    for c in range(clients):
        for i in range(warmup):
            call(c, -1 - i)
    figures = Figures()
    lock = threading.Lock()
    gate = threading.Barrier(clients + 1)

    def work(c: int) -> None:
        gate.wait()
        for i in range(per_client):
            try:
                reply = call(c, i)
            except OSError as error:
                reply = Reply(599, {}, repr(error).encode(), 0.0)
            with lock:
                record(figures, reply)

    threads = [threading.Thread(target=work, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    if meter is not None:
        meter.start()
    gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    figures.seconds = time.perf_counter() - began
    if meter is not None:
        figures.cpu = meter.stop(figures.count)
    return figures


def query_count(http: Http, path: str, **kwargs) -> tuple[int, float]:
    """The server's SQL statement count and time for one request (counting_wsgi)."""
    headers = {**kwargs.pop("headers", {}), "X-Bench-Queries": "1"}
    reply = http.get(path, headers=headers, **kwargs)
    if not ok(reply) or "X-Bench-Queries" not in reply.headers:
        raise RuntimeError(f"GET {path}: HTTP {reply.status}, no query count")
    return int(reply.headers["X-Bench-Queries"]), float(reply.headers["X-Bench-SQL-Ms"])


# ---------------------------------------------------------------- CPU per request


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU seconds of each of these processes that still runs (Linux /proc)."""
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return seconds


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    # A process that ended in between counts what it had at the start (its last
    # moments are lost); one that started counts all it used.
    return sum(after.get(pid, before.get(pid, 0)) - before.get(pid, 0) for pid in {*before, *after})


class Meter:
    """CPU spent by the web server's workers and by their PostgreSQL backends
    between start() and stop(): CPU ms per request, whatever else runs on the
    machine, and the request rate two cores could give at that cost."""

    def __init__(self, app_pids, db_pids):
        self.app_pids, self.db_pids = app_pids, db_pids

    def start(self) -> None:
        self.app0 = cpu_seconds(self.app_pids())
        self.db0 = cpu_seconds(self.db_pids())

    def stop(self, requests: int) -> dict:
        app = spent(self.app0, cpu_seconds(self.app_pids()))
        db = spent(self.db0, cpu_seconds(self.db_pids()))
        per = (app + db) * 1000 / max(requests, 1)
        return {
            "cpu_ms_app": round(app * 1000 / max(requests, 1), 1),
            "cpu_ms_db": round(db * 1000 / max(requests, 1), 1),
            "cpu_bound_rps": round((os.cpu_count() or 1) * 1000 / per, 1) if per else None,
        }
