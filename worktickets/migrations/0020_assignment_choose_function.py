"""PostgreSQL: `worktickets_assignment_choose`, auto-assignment's choice in one call
(worktickets/assignment.py, `agent_choose`), in place of 0019's team lock and loads.

A creation no longer waits for every other creation for the team: it locks only the
agent it gives the ticket to. Given the qualifying agents on shift (their users, in
the rule's tie order), it counts their open and soon-due tickets, ranks those under
the cap by the rule (load, then open tickets, then the order given), and takes the
first whose advisory lock is free (`pg_try_advisory_xact_lock`: an agent being given
a ticket by a creation not yet committed is passed over, as that ticket would make
them heavier); when every lock is taken it waits for the first one's. Then it counts
that agent's tickets again, in a statement of its own and so with its own snapshot
under READ COMMITTED, which sees every ticket committed before the lock was had: the
agent is returned if still under the cap, else passed over and the ranking done
again. A deadlock (two creations each waiting for an agent the other holds) is
broken by PostgreSQL cancelling one of the waits: that creation ranks again and
takes a free agent, but does not wait again (both could be cancelled in turn
forever); with none free it leaves the ticket in the team's queue. Its conditions are those of
`assignment.loads`, written out so the partial index of open tickets by assignee
serves them; tests compare its choices with the Python way's.
"""

import importlib

from django.db import migrations

OPEN = "('open', 'waiting_customer', 'waiting_internal')"

CREATE = f"""
CREATE OR REPLACE FUNCTION worktickets_assignment_choose(
    lock_namespace integer, user_ids bigint[], due_by timestamptz, cap integer,
    urgent_weight integer
)
RETURNS TABLE (user_id bigint, open_tickets bigint, due_soon bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ranked bigint[];
    candidate bigint;
    chosen bigint;
    passed bigint[] := '{{}}';
    deadlocked boolean := false;
BEGIN
    LOOP
        SELECT array_agg(
                   u.id ORDER BY coalesce(l.opened, 0) + (urgent_weight - 1) * coalesce(l.urgent, 0),
                                 coalesce(l.opened, 0), u.position)
        INTO ranked
        FROM unnest(user_ids) WITH ORDINALITY AS u (id, position)
        LEFT JOIN (
            SELECT t.assignee_id, count(*) AS opened,
                   count(*) FILTER (WHERE t.sla_due_at <= due_by) AS urgent
            FROM worktickets_ticket AS t
            WHERE t.assignee_id = ANY (user_ids) AND t.status_category IN {OPEN}
            GROUP BY t.assignee_id
        ) AS l ON l.assignee_id = u.id
        WHERE coalesce(l.opened, 0) < cap AND u.id <> ALL (passed);
        IF ranked IS NULL THEN
            RETURN;
        END IF;
        chosen := NULL;
        FOREACH candidate IN ARRAY ranked LOOP
            IF pg_try_advisory_xact_lock(lock_namespace, candidate::integer) THEN
                chosen := candidate;
                EXIT;
            END IF;
        END LOOP;
        IF chosen IS NULL THEN
            IF deadlocked THEN
                RETURN;
            END IF;
            chosen := ranked[1];
            BEGIN
                PERFORM pg_advisory_xact_lock(lock_namespace, chosen::integer);
            EXCEPTION WHEN deadlock_detected THEN
                deadlocked := true;
                CONTINUE;
            END;
        END IF;
        RETURN QUERY
            SELECT chosen, count(*), count(*) FILTER (WHERE t.sla_due_at <= due_by)
            FROM worktickets_ticket AS t
            WHERE t.assignee_id = chosen AND t.status_category IN {OPEN}
            HAVING count(*) < cap;
        IF FOUND THEN
            RETURN;
        END IF;
        passed := passed || chosen;
    END LOOP;
END
$$
"""

DROP = (
    "DROP FUNCTION IF EXISTS "
    "worktickets_assignment_choose(integer, bigint[], timestamptz, integer, integer)"
)

# 0019's function, dropped here and made again when this migration is reversed.
loads_function = importlib.import_module("worktickets.migrations.0019_assignment_loads_function")


def on_postgresql(*statements: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("worktickets", "0019_assignment_loads_function")]

    operations = [
        migrations.RunPython(
            on_postgresql(CREATE, loads_function.DROP),
            on_postgresql(DROP, loads_function.CREATE),
        )
    ]
