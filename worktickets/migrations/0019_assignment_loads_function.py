"""PostgreSQL: `worktickets_assignment_loads`, the team's assignment lock and its
agents' loads in one call (worktickets/assignment.py, `_loads_in_database`).

PL/pgSQL keeps the count's plan per connection, which a statement sent as text is
planned afresh at each use (parse and plan were half its time), and it needs nothing
kept in the session by csc: a pooled connection plans it again by itself. The count
runs after the lock with a snapshot of its own (a volatile function's statements each
take one under READ COMMITTED), so it sees every ticket committed while the lock was
awaited. Its conditions are those of `assignment.loads`, written out so the partial
index of open tickets by assignee serves it; a test compares the two.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION worktickets_assignment_loads(
    lock_namespace integer, team_id integer, user_ids bigint[], due_by timestamptz
)
RETURNS TABLE (user_id bigint, open_tickets bigint, due_soon bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_namespace, team_id);
    RETURN QUERY
        SELECT t.assignee_id, count(*), count(*) FILTER (WHERE t.sla_due_at <= due_by)
        FROM worktickets_ticket AS t
        WHERE t.assignee_id = ANY (user_ids)
          AND t.status_category IN ('open', 'waiting_customer', 'waiting_internal')
        GROUP BY t.assignee_id;
END
$$
"""

DROP = "DROP FUNCTION IF EXISTS worktickets_assignment_loads(integer, integer, bigint[], timestamptz)"


def on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("worktickets", "0018_merge_appointments_and_assignment")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
