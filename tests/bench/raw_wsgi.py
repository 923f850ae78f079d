"""The raw baseline: the benchmarked work as one WSGI function over psycopg 3, no Django.

Served by the same gunicorn as csc, it does what the Django endpoints do at
their core, in as few statements as hand-written SQL allows, so the ratio
Django / raw says what the framework, the layering and the checks cost:

- POST /raw/tickets/: look up the API key; number the ticket on the day's
  counter row, as csc does (a connection of its own, in autocommit, without
  waiting for the flush); insert the ticket with its nearest deadline, its
  `created` event, its history row, its three SLA clocks (first response,
  initial solution, closure) with their `started` events; commit; read it
  back with its customer, team and people and answer the JSON.
- POST /raw/complaints/: the same for a complaint: ticket, complaint row, two
  events, two history rows, four clocks and their events.
- GET /raw/tickets/: the API list's SELECT (first page, or filtered by status
  and team in deadline order) as the same JSON page.
- GET /raw/queue/?team=N: the team queue page's SELECTs (rows with their SLA
  badges, and the count) as JSON.

The deadlines are plain offsets (no business calendar): the raw side does not
pretend to compute what the SLA engine computes.
"""

import hashlib
import json
import os
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import psycopg

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGE = 50
QUEUE_PAGE = 25
ACTIVE = ("open", "waiting_customer", "waiting_internal")
STATUS_CATEGORY = {
    "new": "open",
    "in_progress": "open",
    "accepted": "open",
    "reviewed": "open",
    "investigating": "open",
    "handling": "open",
    "pending_customer": "waiting_customer",
    "feedback_given": "waiting_customer",
    "approved": "waiting_internal",
    "resolved": "resolved",
    "delivered": "resolved",
    "confirmed": "resolved",
    "closed": "closed",
    "rejected": "closed",
    "cancelled": "closed",
}
TICKET_CLOCKS = (("first_response", 15), ("initial_solution", 30), ("closure", 48 * 60))
COMPLAINT_CLOCKS = (
    ("complaint_acceptance", 24 * 60),
    ("complaint_investigation", 3 * 24 * 60),
    ("complaint_feedback", 5 * 24 * 60),
    ("complaint_overall", 42 * 24 * 60),
)

_local = threading.local()


def _connect(*, autocommit: bool = False, **options):
    url = urlsplit(os.environ["DATABASE_URL"])
    return psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.path.lstrip("/"),
        autocommit=autocommit,
        # Values bound on the client, as Django's psycopg backend binds them.
        cursor_factory=psycopg.ClientCursor,
        **options,
    )


def _values(template: str, rows: list[tuple]) -> tuple[str, list]:
    """A multi-row VALUES list and its parameters, as one statement."""
    return ", ".join([template] * len(rows)), [value for row in rows for value in row]


def db():
    connection = getattr(_local, "connection", None)
    if connection is None or connection.closed:
        connection = _local.connection = _connect()
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
        connection.commit()
    return connection


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "****"


def moment(value):
    return value.astimezone(SHANGHAI).isoformat() if value is not None else None


# ---------------------------------------------------------------- reading tickets

SELECT_TICKETS = """
SELECT t.id, t.number, t.kind, t.status, t.status_category, t.priority, t.channel,
       t.transfer_pending, t.subject, t.created_at, t.first_response_at, t.resolved_at,
       t.closed_at, t.sla_due_at, t.in_escalation_queue, t.version,
       c.id, c.name, c.phone, c.vip_tier, c.payment_type, c.region,
       tm.id, tm.name, tm.kind,
       a.id, a.username, a.first_name, a.last_name,
       f.id, f.username, f.first_name, f.last_name,
       b.code
FROM worktickets_ticket t
LEFT JOIN intake_customer c ON c.id = t.customer_id
JOIN staffing_team tm ON tm.id = t.team_id
LEFT JOIN staffing_user a ON a.id = t.assignee_id
JOIN staffing_user f ON f.id = t.first_contact_agent_id
LEFT JOIN worktickets_businesstype b ON b.id = t.business_type_id
"""


def person(pk, username, first, last):
    if pk is None:
        return None
    return {"id": pk, "username": username, "name": f"{last}{first}" or username}


def ticket_json(row) -> dict:
    return {
        "id": row[0],
        "number": row[1],
        "kind": row[2],
        "status": row[3],
        "status_category": row[4],
        "priority": row[5],
        "channel": row[6],
        "customer": None
        if row[16] is None
        else {
            "id": row[16],
            "name": row[17],
            "phone": mask_phone(row[18]),
            "vip_tier": row[19],
            "payment_type": row[20],
            "region": row[21],
        },
        "team": {"id": row[22], "name": row[23], "kind": row[24]},
        "assignee": person(*row[25:29]),
        "first_contact_agent": person(*row[29:33]),
        "transfer_pending": row[7],
        "subject": row[8],
        "business_type": row[33],
        "created_at": moment(row[9]),
        "first_response_at": moment(row[10]),
        "resolved_at": moment(row[11]),
        "closed_at": moment(row[12]),
        "sla_due_at": moment(row[13]),
        "in_escalation_queue": row[14],
        "version": row[15],
    }


def ticket_list(cursor, query: dict) -> dict:
    where, params = [], []
    if "status" in query:
        # As the API's filter does: the category follows from the status.
        where.append("t.status = %s AND t.status_category = %s")
        params += [query["status"][0], STATUS_CATEGORY[query["status"][0]]]
    if "team" in query:
        where.append("t.team_id = %s")
        params.append(int(query["team"][0]))
    if query.get("ordering") == ["due"]:
        order = "COALESCE(t.sla_due_at, '9999-01-01T00:00:00Z'), t.priority DESC, t.id ASC"
    else:
        order = "t.created_at DESC, t.id DESC"
    sql = SELECT_TICKETS + (f" WHERE {' AND '.join(where)}" if where else "")
    cursor.execute(f"{sql} ORDER BY {order} LIMIT {PAGE + 1}", params)
    rows = cursor.fetchall()
    results = [ticket_json(row) for row in rows[:PAGE]]
    following = None
    if len(rows) > PAGE:
        following = f"/raw/tickets/?cursor={results[-1]['id']}"
    return {"next": following, "previous": None, "results": results}


def team_queue(cursor, team_id: int) -> dict:
    sql = SELECT_TICKETS.replace(
        "SELECT t.id,",
        """SELECT (SELECT k.id FROM sla_clock k WHERE k.ticket_id = t.id
                      AND k.state IN ('running', 'paused', 'breached') AND k.at_risk
                      LIMIT 1) IS NOT NULL,
               (SELECT k.id FROM sla_clock k WHERE k.ticket_id = t.id
                      AND k.state = 'breached' LIMIT 1) IS NOT NULL,
               t.id,""",
    )
    cursor.execute(
        "SELECT count(*) FROM worktickets_ticket WHERE team_id = %s AND status_category = ANY(%s)",
        [team_id, list(ACTIVE)],
    )
    count = cursor.fetchone()[0]
    cursor.execute(
        f"""{sql} WHERE t.team_id = %s AND t.status_category = ANY(%s)
        ORDER BY t.sla_due_at ASC NULLS LAST, t.priority DESC, t.created_at ASC, t.id ASC
        LIMIT {QUEUE_PAGE}""",
        [team_id, list(ACTIVE)],
    )
    results = []
    for row in cursor.fetchall():
        item = ticket_json(row[2:])
        item.update(sla_at_risk=row[0], sla_breached=row[1])
        results.append(item)
    return {"count": count, "results": results}


# ---------------------------------------------------------------- writing tickets


def numbering_db():
    """csc's numbering technique: a connection of its own, autocommit, no flush wait."""
    connection = getattr(_local, "numbering", None)
    if connection is None or connection.closed:
        connection = _local.numbering = _connect(
            autocommit=True, options="-c synchronous_commit=off"
        )
    return connection


def next_number(now: datetime) -> str:
    day = now.astimezone(SHANGHAI).date()
    with numbering_db().cursor() as cursor:
        cursor.execute(
            """INSERT INTO worktickets_ticketdaysequence (day, last) VALUES (%s, 1)
            ON CONFLICT (day) DO UPDATE SET last = worktickets_ticketdaysequence.last + 1
            RETURNING last""",
            [day],
        )
        return f"T{day:%Y%m%d}-{cursor.fetchone()[0]:06d}"


TICKET_COLUMNS = (
    "number, kind, status, status_category, status_before_hold, priority, caller_number, "
    "channel, transfer_pending, subject, description, order_details, identity_verified, "
    "resolution, rejection_reason, created_at, first_response_at, resolved_at, closed_at, "
    "in_escalation_queue, version, assignee_id, business_type_id, contact_id, created_by_id, "
    "customer_id, first_contact_agent_id, team_id"
)


def insert_ticket(
    cursor, *, user_id: int, body: dict, kind: str, now: datetime, team_id: int, clocks
):
    customer = None
    if body.get("customer"):
        cursor.execute(
            "SELECT id, phone, vip_tier, region, name FROM intake_customer WHERE id = %s",
            [body["customer"]],
        )
        customer = cursor.fetchone()
    values = (
        next_number(now),
        kind,
        "new",
        "open",
        "",
        body.get("priority", 2),
        customer[1] if customer else "",
        body["channel"],
        False,
        (body.get("subject") or body.get("content", ""))[:200],
        body.get("description") or body.get("content", ""),
        "{}",
        False,
        "",
        "",
        now,
        None,
        None,
        None,
        False,
        1,
        body.get("assignee"),
        None,
        None,
        user_id,
        customer[0] if customer else None,
        body.get("first_contact_agent") or user_id,
        team_id,
    )
    # Written once, with its nearest due time, as csc does.
    sla_due_at = now + timedelta(minutes=min(minutes for _metric, minutes in clocks))
    cursor.execute(
        f"""INSERT INTO worktickets_ticket ({TICKET_COLUMNS}, updated_at, sla_due_at)
        VALUES ({", ".join(["%s"] * len(values))}, %s, %s) RETURNING id""",
        [*values, now, sla_due_at],
    )
    ticket_id = cursor.fetchone()[0]
    cursor.execute(
        f"""INSERT INTO worktickets_historicalticket
            (id, {TICKET_COLUMNS}, history_date, history_type, history_user_id)
        VALUES (%s, {", ".join(["%s"] * len(values))}, %s, '+', %s)""",
        [ticket_id, *values, now, user_id],
    )
    return ticket_id, customer


def insert_event(cursor, ticket_id: int, user_id: int, now: datetime, body: str, data: dict):
    cursor.execute(
        """INSERT INTO worktickets_ticketevent
            (ticket_id, kind, at, from_status, to_status, body, is_customer_facing, data, actor_id)
        VALUES (%s, 'created', %s, '', 'new', %s, false, %s, %s)""",
        [ticket_id, now, body, json.dumps(data), user_id],
    )


def start_clocks(cursor, ticket_id: int, now: datetime, clocks) -> None:
    rows = []
    for metric, minutes in clocks:
        due = now + timedelta(minutes=minutes)
        # Warned at half the target, as its fractions say (the sweeper reads them).
        target = {
            "metric": metric,
            "amount": minutes,
            "unit": "minutes",
            "calendar_id": 1,
            "warn_fractions": [0.5],
        }
        rows.append(
            (
                ticket_id,
                metric,
                1,
                1,
                json.dumps(target),
                minutes,
                now,
                due,
                now + timedelta(minutes=minutes / 2),
                now + timedelta(minutes=minutes / 2),
            )
        )
    values, params = _values(
        "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, interval '0', 'running', false, 0, 1)", rows
    )
    cursor.execute(
        """INSERT INTO sla_clock (ticket_id, metric, policy_version_id, calendar_id, target,
            target_minutes, started_at, due_at, warn_at, sweep_at, paused_total, state, at_risk,
            warnings_sent, calendar_revision)
        VALUES """
        + values
        + " RETURNING id, due_at",
        params,
    )
    ids = cursor.fetchall()
    values, params = _values(
        "(%s, %s, %s, %s, %s, %s)",
        [(clock_id, "started", now, due, '{"policy": "raw"}', now) for clock_id, due in ids],
    )
    cursor.execute(
        "INSERT INTO sla_clockevent (clock_id, kind, at, due_at, data, recorded_at) VALUES "
        + values,
        params,
    )


def create_ticket(cursor, user_id: int, body: dict) -> dict:
    now = datetime.now(UTC)
    ticket_id, _customer = insert_ticket(
        cursor,
        user_id=user_id,
        body=body,
        kind=body["kind"],
        now=now,
        team_id=body["team"],
        clocks=TICKET_CLOCKS,
    )
    insert_event(cursor, ticket_id, user_id, now, body.get("description", ""), {})
    start_clocks(cursor, ticket_id, now, TICKET_CLOCKS)
    return read_back(cursor, ticket_id)


def create_complaint(cursor, user_id: int, body: dict) -> dict:
    now = datetime.now(UTC)
    team_id = body["team"]
    ticket_id, customer = insert_ticket(
        cursor,
        user_id=user_id,
        body=body,
        kind="complaint",
        now=now,
        team_id=team_id,
        clocks=COMPLAINT_CLOCKS,
    )
    values = (
        ticket_id,
        customer[4] if customer else body.get("customer_name", ""),
        customer[1] if customer else body.get("contact_phone", ""),
        body["category"],
        body.get("severity", "normal"),
        customer[3] if customer else body.get("region", "urban"),
    )
    cursor.execute(
        """INSERT INTO complaints_complaint (ticket_id, customer_name, contact_phone,
            contact_email, contact_address, category, severity, tier, regulator_reference,
            support_level, service_type, service_number, region, area, media_involved,
            regulator_involved, is_major, major_reasons, recurrence_count, evidence_head,
            customer_response)
        VALUES (%s, %s, %s, '', '', %s, %s, 'complaint', '', 1, '', '', %s, '', false, false,
            false, '[]', 0, repeat('0', 64), '')""",
        values,
    )
    cursor.execute(
        """INSERT INTO complaints_historicalcomplaint (ticket_id, customer_name, contact_phone,
            contact_email, contact_address, category, severity, tier, regulator_reference,
            support_level, service_type, service_number, region, area, media_involved,
            regulator_involved, is_major, major_reasons, recurrence_count, customer_response,
            history_date, history_type, history_user_id)
        VALUES (%s, %s, %s, '', '', %s, %s, 'complaint', '', 1, '', '', %s, '', false, false,
            false, '[]', 0, '', %s, '+', %s)""",
        [*values, now, user_id],
    )
    insert_event(cursor, ticket_id, user_id, now, body["content"], {"code": "recorded"})
    insert_event(cursor, ticket_id, user_id, now, "routed", {"code": "routed"})
    start_clocks(cursor, ticket_id, now, COMPLAINT_CLOCKS)
    return read_back(cursor, ticket_id)


def read_back(cursor, ticket_id: int) -> dict:
    cursor.execute(SELECT_TICKETS + " WHERE t.id = %s", [ticket_id])
    return ticket_json(cursor.fetchone())


# ---------------------------------------------------------------- WSGI


def authenticate(cursor, environ) -> int | None:
    header = environ.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Token "):
        return None
    digest = hashlib.sha256(header[6:].strip().encode()).hexdigest()
    cursor.execute(
        """SELECT u.id FROM staffing_apiclient c JOIN staffing_user u ON u.id = c.service_user_id
        WHERE c.key_hash = %s AND c.is_active AND u.is_active""",
        [digest],
    )
    row = cursor.fetchone()
    return row[0] if row else None


def answer(start_response, status: str, data) -> list[bytes]:
    body = json.dumps(data, ensure_ascii=False).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    method = environ.get("REQUEST_METHOD", "GET")
    if path == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    connection = db()
    try:
        with connection.cursor() as cursor:
            user_id = authenticate(cursor, environ)
            if user_id is None:
                connection.rollback()
                return answer(start_response, "401 Unauthorized", {"detail": "token"})
            query = parse_qs(environ.get("QUERY_STRING", ""))
            if method == "GET" and path == "/raw/tickets/":
                data, status = ticket_list(cursor, query), "200 OK"
            elif method == "GET" and path == "/raw/queue/":
                data, status = team_queue(cursor, int(query["team"][0])), "200 OK"
            elif method == "POST" and path in ("/raw/tickets/", "/raw/complaints/"):
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = json.loads(environ["wsgi.input"].read(length))
                create = create_ticket if path == "/raw/tickets/" else create_complaint
                data, status = create(cursor, user_id, body), "201 Created"
            else:
                data, status = {"detail": "not found"}, "404 Not Found"
        connection.commit()
    except Exception:
        connection.rollback()
        raise
    return answer(start_response, status, data)
