"""Administrators edit calendars, policies and the ladder in the admin."""

import pytest

from sla.models import BusinessCalendar, PolicyTarget, RecomputeJob, SlaPolicy


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def test_adding_an_override_in_the_admin_queues_a_recompute(admin_client, workdays):
    data = {
        "name": workdays.name,
        "kind": workdays.kind,
        "opens_at": "09:00",
        "closes_at": "18:00",
        "working_weekdays": "12345",
        "follows_statutory_holidays": "on",
        "description": workdays.description,
        **formset("overrides", [{"date": "2026-03-03", "note": "台风"}]),
    }

    response = admin_client.post(f"/admin/sla/businesscalendar/{workdays.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    job = RecomputeJob.objects.get()
    assert job.calendar_id == workdays.pk
    assert BusinessCalendar.objects.get(pk=workdays.pk).revision != workdays.revision


def policy_form(policy: SlaPolicy, targets: list[PolicyTarget], **changes) -> dict:
    rows = []
    for t in targets:
        rows.append(
            {
                "id": str(t.pk),
                "policy": str(policy.pk),
                "metric": t.metric,
                "amount": str(changes.get(t.metric, t.amount)),
                "unit": t.unit,
                "calendar": str(t.calendar_id),
                "cap_amount": "",
                "cap_unit": "",
                "on_reopen": t.on_reopen,
                "starts_after": t.starts_after,
                "warn_fractions": "[0.5, 0.8]",
                "note": t.note,
                **(
                    {"pauses_while_waiting_customer": "on"}
                    if t.pauses_while_waiting_customer
                    else {}
                ),
            }
        )
    return {
        "name": policy.name,
        "order": str(policy.order),
        "is_active": "on",
        "description": policy.description,
        "source": policy.source,
        "kind": policy.kind,
        "vip_match": policy.vip_match,
        **formset("targets", rows, initial=len(rows)),
    }


def test_editing_a_policy_in_the_admin_publishes_a_new_version(admin_client):
    policy = SlaPolicy.objects.get(name="Inquiries")
    targets = list(policy.targets.order_by("pk"))

    response = admin_client.post(
        f"/admin/sla/slapolicy/{policy.pk}/change/", policy_form(policy, targets, first_response=10)
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    policy.refresh_from_db()
    assert policy.current_version.number == 2
    assert not RecomputeJob.objects.exists()  # open tickets keep their version


def test_applying_an_edit_to_open_tickets_queues_a_recompute(admin_client):
    policy = SlaPolicy.objects.get(name="Inquiries")
    targets = list(policy.targets.order_by("pk"))
    data = {**policy_form(policy, targets, closure=24), "apply_to_open_tickets": "on"}

    response = admin_client.post(f"/admin/sla/slapolicy/{policy.pk}/change/", data)

    assert response.status_code == 302
    assert RecomputeJob.objects.get().policy_version.number == 2


def test_bad_warning_fractions_are_refused(admin_client):
    policy = SlaPolicy.objects.get(name="Inquiries")
    targets = list(policy.targets.order_by("pk"))
    data = policy_form(policy, targets)
    data["targets-0-warn_fractions"] = "[1.5]"

    response = admin_client.post(f"/admin/sla/slapolicy/{policy.pk}/change/", data)

    assert response.status_code == 200
    policy.refresh_from_db()
    assert policy.current_version.number == 1


@pytest.mark.parametrize(
    "url",
    [
        "/admin/sla/slapolicy/",
        "/admin/sla/businesscalendar/",
        "/admin/sla/escalationlevel/",
        "/admin/sla/clock/",
        "/admin/sla/policyversion/",
        "/admin/sla/recomputejob/",
        "/admin/sla/escalationlevel/1/change/",
    ],
)
def test_admin_pages_open(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_ladder_step_actions_are_chosen_from_the_registry(admin_client):
    from sla.models import EscalationLevel

    level = EscalationLevel.objects.get(order=10, metric="")
    data = {
        "name": level.name,
        "metric": "",
        "trigger": "at_risk",
        "delay_fraction": "0.30",
        "actions": ["notify_assignee", "notify_team_lead"],
        "order": "10",
        "is_active": "on",
    }

    response = admin_client.post(f"/admin/sla/escalationlevel/{level.pk}/change/", data)

    assert response.status_code == 302
    level.refresh_from_db()
    assert level.actions == ["notify_assignee", "notify_team_lead"]
    bad = admin_client.post(
        f"/admin/sla/escalationlevel/{level.pk}/change/", {**data, "actions": ["no_such_action"]}
    )
    assert bad.status_code == 200  # refused: not a registered action
