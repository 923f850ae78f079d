"""`make load`: 20 users for 60 seconds against csc under gunicorn, on loopback.

    .venv/bin/python -m tests.bench.load_run [--seconds 60] [--agents 12] [--integrations 8]

Uses the benchmark's database and data set (loaded first if missing, see
tests/bench/dataset.py) and the same production settings as `make bench`.

- Agents (signed in through the login form) read: the team queue page, a
  ticket page, a customer lookup by phone (the htmx search) and the API
  ticket list in deadline order; and flip their status between available and
  on break through the desk's control, as often as the telephony system sets
  busy and after-contact work on every call (a status change renews no kept
  reference data, so it must not slow the other requests).
- Integrations (an API client's token) write: record a contact, open a ticket
  for it, then work the ticket through the API (reply, resolve).

Each user waits 0–0.5 s between requests. Prints per request type the count,
p50, p95 and errors; exit status 1 when any request failed (anything but a
2xx or the login redirect).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from tests.bench import client, dataset
from tests.bench.run import Bodies, active_ticket_ids, api_key, flush_bench_redis
from tests.bench.servers import DEFAULT_WORKERS, Environment, Gunicorn

THINK_SECONDS = 0.5


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.figures: dict[str, client.Figures] = {}

    def add(self, name: str, reply: client.Reply) -> client.Reply:
        with self.lock:
            client.record(self.figures.setdefault(name, client.Figures()), reply)
        return reply


def agent_loop(http, stop, recorder, rng, *, team_id, ticket_ids, phones):
    statuses = itertools.cycle(("break", "available"))

    def flip_status():
        return http.post(
            "/team/status/",
            urlencode({"status": next(statuses)}).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "HX-Request": "true",
                **http.csrf_headers(),
            },
        )

    actions = (
        ("queue page", 3, lambda: http.get("/tickets/team/")),
        ("ticket page", 3, lambda: http.get(f"/tickets/{rng.choice(ticket_ids)}/")),
        (
            "customer lookup",
            2,
            lambda: http.get(f"/customers/?q={rng.choice(phones)}", headers={"HX-Request": "true"}),
        ),
        (
            "API list (session)",
            2,
            lambda: http.get(f"/api/v1/tickets/?team={team_id}&ordering=due"),
        ),
        ("status flip", 2, flip_status),
    )
    names = [name for name, _w, _call in actions]
    weights = [weight for _name, weight, _call in actions]
    calls = {name: call for name, _w, call in actions}
    while not stop.is_set():
        name = rng.choices(names, weights)[0]
        recorder.add(name, calls[name]())
        stop.wait(rng.uniform(0, THINK_SECONDS))


def integration_loop(http, stop, recorder, rng, bodies: Bodies):
    while not stop.is_set():
        now = datetime.now(UTC)
        ticket = bodies.ticket()
        contact = recorder.add(
            "create contact",
            http.post(
                "/api/v1/contacts/",
                {
                    "channel": "hotline",
                    "customer": ticket["customer"],
                    "queued_at": (now - timedelta(minutes=4)).isoformat(),
                    "answered_at": (now - timedelta(minutes=3)).isoformat(),
                    "ended_at": now.isoformat(),
                    "agent": ticket["first_contact_agent"],
                    "summary": "客户来电咨询，已转工单。",
                    "disposition": "ticket_opened",
                },
            ),
        )
        if contact.status == 201:
            ticket["contact"] = contact.json()["id"]
        created = recorder.add("create ticket", http.post("/api/v1/tickets/", ticket))
        stop.wait(rng.uniform(0, THINK_SECONDS))
        if created.status != 201:
            continue
        data = created.json()
        for action, body in (
            ("reply", {"body": "您好，已为您查询，详情见短信。", "gives_solution": True}),
            ("resolve", {"resolution": "已答复客户。"}),
        ):
            if stop.is_set():
                break
            reply = recorder.add(
                f"ticket {action}",
                http.post(
                    f"/api/v1/tickets/{data['id']}/{action}/", {**body, "version": data["version"]}
                ),
            )
            if reply.status != 200:
                break
            data = reply.json()
            stop.wait(rng.uniform(0, THINK_SECONDS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--agents", type=int, default=12)
    parser.add_argument("--integrations", type=int, default=8)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    args = parser.parse_args()

    with Environment() as env:
        env.apply()
        import django

        django.setup()
        from django.db import connections

        from intake.models import Customer

        meta, _loaded = dataset.ensure(
            env.env["DATABASE_URL"], tickets=args.tickets, customers=args.customers
        )
        flush_bench_redis(env.env["REDIS_URL"])
        key = api_key()
        bodies = [Bodies(meta, seed=n) for n in range(args.integrations)]
        ticket_ids = active_ticket_ids(meta.agent_team_id, 200)
        phones = list(Customer.objects.order_by("?").values_list("phone", flat=True)[:200])
        connections.close_all()
        usernames = meta.load_usernames[: args.agents]
        recorder = Recorder()
        stop = threading.Event()
        with Gunicorn("csc.wsgi:application", env.env, workers=args.workers) as web:
            threads = []
            for n, username in enumerate(usernames):
                http = client.Http(web.port)
                http.sign_in(username, dataset.BENCH_PASSWORD)
                threads.append(
                    threading.Thread(
                        target=agent_loop,
                        args=(http, stop, recorder, random.Random(n)),
                        kwargs={
                            "team_id": meta.agent_team_id,
                            "ticket_ids": ticket_ids,
                            "phones": phones,
                        },
                    )
                )
            for n in range(args.integrations):
                http = client.Http(web.port, headers={"Authorization": f"Token {key}"})
                threads.append(
                    threading.Thread(
                        target=integration_loop,
                        args=(http, stop, recorder, random.Random(100 + n), bodies[n]),
                    )
                )
            print(
                f"{len(usernames)} agents and {args.integrations} integrations for "
                f"{args.seconds:.0f} s against gunicorn ({args.workers} workers, DEBUG=0) …",
                flush=True,
            )
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            time.sleep(args.seconds)
            stop.set()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began

    header = (
        f"{'request':<22}{'count':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        f"{'errors':>8}"
    )
    print(header)
    print("-" * len(header))
    total = errors = 0
    for name, figures in sorted(recorder.figures.items()):
        total += figures.count
        errors += figures.errors
        print(
            f"{name:<22}{figures.count:>8}{figures.count / elapsed:>8.1f}"
            f"{client.percentile(figures.latencies, 0.5):>9.1f}"
            f"{client.percentile(figures.latencies, 0.95):>9.1f}"
            f"{max(figures.latencies):>9.1f}{figures.errors:>8}"
        )
        for sample in figures.error_samples:
            print(f"    {sample}")
    print("-" * len(header))
    print(f"{'all':<22}{total:>8}{total / elapsed:>8.1f}{'':>27}{errors:>8}")
    print(f"errors: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
