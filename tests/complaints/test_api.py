"""The complaints API (DESIGN.md §3): create, list, detail, every action, evidence and its
chain, outages and the recurrence rate; 4xx never 500, 403 for roles that may not act,
409 on a stale version, idempotent create."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from complaints.models import Complaint, ComplaintSettings, Evidence, OutageCluster
from staffing.models import OutboxMessage
from tests.factories import CustomerFactory, make_api_client, make_complaint
from tests.samples import MP3

BASE = "/api/v1/complaints/"


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_login(user)
    return api


def body(**extra):
    return {
        "channel": "hotline",
        "category": "billing",
        "customer_name": "孙悟空",
        "contact_phone": "13600003333",
        "region": "urban",
        "content": "国际漫游费用异常",
        **extra,
    }


def act(api, complaint_id, action, **data):
    version = Complaint.objects.select_related("ticket").get(pk=complaint_id).ticket.version
    data.setdefault("version", version)
    return api.post(f"{BASE}{complaint_id}/{action}/", data, format="json")


# ---------------------------------------------------------------- create


def test_an_integration_records_a_complaint(portal, groups):
    response = portal.post(BASE, body(), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["number"].startswith("T")
    assert data["kind"] == "complaint"
    assert data["status"] == "new"
    assert data["team"]["id"] == groups["legal"].pk
    assert data["contact_phone"] == "136****3333"
    assert "accept" in data["allowed_actions"]
    assert {c["metric"] for c in data["clocks"]} >= {"complaint_acceptance", "complaint_feedback"}


def test_the_regulator_portal_files_an_appeal_by_the_complaints_number(portal, groups, agent_user):
    original = make_complaint(recorded_by=agent_user)

    response = portal.post(
        BASE,
        {
            "channel": "web",
            "kind": "appeal",
            "parent_number": original.ticket.number,
            "regulator_reference": "GXB-2026-1234",
            "content": "用户申诉：投诉处理不满意",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["kind"] == "appeal"
    assert data["parent"] == original.pk
    assert data["parent_number"] == original.ticket.number
    assert data["support_level"] == 3


def test_a_replayed_create_with_the_same_idempotency_key_creates_nothing(portal, groups):
    first = portal.post(BASE, body(), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    second = portal.post(BASE, body(), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")

    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == second.json()["id"]
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"category": "weather"},
        {"channel": ""},
        {"content": ""},
        {"kind": "upgraded"},
        {"kind": "appeal"},
        {"parent_number": "T00000000-000000", "kind": "appeal"},
        {"contact_phone": "not a phone"},
        {"customer": 999999},
        {"subcategory": "nonsense"},
        {"promised_repair_at": "yesterday"},
        {"category": "service_fault", "service_type": "mobile"},
        {"region": "moon"},
    ],
)
def test_bad_input_gets_400_with_the_fields_named(portal, db, bad):
    ComplaintSettings.objects.get_or_create()

    response = portal.post(BASE, body(**bad), format="json")

    assert response.status_code == 400, response.content
    assert response.json()


def test_an_agent_records_but_qa_may_not(groups, agent_user, qa_user):
    assert api_as(agent_user).post(BASE, body(), format="json").status_code == 201
    assert api_as(qa_user).post(BASE, body(), format="json").status_code == 403


def test_a_client_without_the_scope_is_refused(groups):
    _, key = make_api_client("cti", ["tickets:read", "tickets:write"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert api.get(BASE).status_code == 403
    assert api.post(BASE, body(), format="json").status_code == 403


# ---------------------------------------------------------------- list and detail


def _queries(api, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_for_ten_or_fifty(portal, groups, agent_user):
    for index in range(10):
        make_complaint(
            recorded_by=agent_user,
            customer=CustomerFactory(vip_tier="gold" if index % 2 else "none"),
        )
    portal.get(BASE)  # the client's last-used time is written on its first call only
    with_ten = _queries(portal, BASE)
    for _ in range(40):
        make_complaint(recorded_by=agent_user)

    with_fifty = _queries(portal, BASE)

    assert with_fifty == with_ten
    assert len(portal.get(BASE).json()["results"]) == 50


def test_the_list_filters_and_orders_by_deadline(portal, groups, agent_user):
    billing = make_complaint(recorded_by=agent_user)
    tech = make_complaint(recorded_by=agent_user, category="tech_support", severity="major")

    only_tech = portal.get(BASE, {"category": "tech_support"}).json()["results"]
    majors = portal.get(BASE, {"is_major": "true"}).json()["results"]
    by_due = portal.get(BASE, {"ordering": "due"}).json()["results"]

    assert [c["id"] for c in only_tech] == [tech.pk]
    assert [c["id"] for c in majors] == [tech.pk]
    assert {c["id"] for c in by_due} == {billing.pk, tech.pk}
    assert portal.get(BASE, {"stage": "weird"}).status_code == 400


def test_a_person_sees_only_their_groups_complaints(groups, agent_user, tech_user, outsider_user):
    billing = make_complaint(recorded_by=agent_user)
    tech = make_complaint(recorded_by=agent_user, category="tech_support")

    listed = api_as(tech_user).get(BASE).json()["results"]

    assert [c["id"] for c in listed] == [tech.pk]
    assert api_as(outsider_user).get(f"{BASE}{billing.pk}/").status_code == 404


# ---------------------------------------------------------------- actions


def test_every_action_works_through_the_api(
    groups, agent_user, legal_user, legal_user2, manager_user
):
    complaint = make_complaint(recorded_by=agent_user, contact_address="北京市西城区 1 号")
    pk = complaint.pk
    legal, legal2, manager = api_as(legal_user), api_as(legal_user2), api_as(manager_user)

    assert act(legal, pk, "accept").status_code == 200
    assert act(legal, pk, "investigate").status_code == 200
    assert act(legal, pk, "handle", findings="漫游计费错误").status_code == 200
    assert act(legal, pk, "evidence_complete").status_code == 200
    response = act(
        legal2, pk, "propose_compensation", kind="fee_credit", amount="800.00", reason="多扣"
    )
    assert response.status_code == 200
    proposal = response.json()["compensations"][0]
    assert proposal["needs_manager"] is True
    assert (
        act(
            legal, pk, "approve_compensation", compensation=proposal["id"], decision="approve"
        ).json()["compensations"][0]["status"]
        == "awaiting_manager"
    )
    assert (
        act(
            manager, pk, "approve_compensation", compensation=proposal["id"], decision="approve"
        ).json()["compensations"][0]["status"]
        == "approved"
    )
    response = act(
        legal, pk, "request_extension", metric="complaint_feedback", working_days=1, reason="等证据"
    )
    extension = response.json()["extensions"][0]
    response = act(
        manager, pk, "extend", extension=extension["id"], decision="approve", note="同意"
    )
    assert response.json()["extensions"][0]["status"] == "approved"
    assert (
        act(legal, pk, "escalate", mode="raise_level", reason="疑难").json()["support_level"] == 2
    )

    response = act(legal, pk, "feedback", cause="漫游计费错误", measures="已退费", channel="letter")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "feedback_given"
    assert "¥800.00" in data["feedback"][0]["compensation"]
    assert OutboxMessage.objects.filter(
        channel="letter", recipient__contains="北京市西城区"
    ).exists()

    assert (
        act(legal, pk, "dissatisfied", note="不满", next_step="reopen").json()["status"]
        == "handling"
    )
    assert (
        act(legal, pk, "feedback", cause="补充说明", measures="再次退费", channel="sms").status_code
        == 200
    )
    assert act(legal, pk, "confirm", note="满意").json()["status"] == "confirmed"
    assert act(legal, pk, "close").json()["status"] == "closed"
    assert act(legal, pk, "reopen", reason="复发").json()["status"] == "handling"


def test_upgrade_and_repair_through_the_api(groups, agent_user, tech_user):
    fault = make_complaint(
        recorded_by=agent_user,
        category="service_fault",
        service_type="broadband",
        region="rural",
        promised_repair_at=timezone.now() + datetime.timedelta(hours=20),
    )
    tech = api_as(tech_user)

    assert act(tech, fault.pk, "record_repair", note="光猫更换").json()["repaired_at"]
    response = act(tech, fault.pk, "escalate", mode="upgrade", reason="客户要求升级")

    assert response.status_code == 200
    data = response.json()
    assert data["kind"] == "upgraded"
    assert data["parent"] == fault.pk
    assert data["id"] != fault.pk


def test_roles_that_may_not_act_get_403(groups, agent_user, qa_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)

    assert act(api_as(agent_user), complaint.pk, "accept").status_code == 403
    assert act(api_as(qa_user), complaint.pk, "accept").status_code == 403
    assert (
        act(
            api_as(legal_user),
            complaint.pk,
            "extend",
            metric="complaint_overall",
            working_days=2,
            reason="x",
        ).status_code
        == 403
    )


def test_an_integration_may_not_approve_compensation_for_a_person(
    portal, groups, agent_user, legal_user
):
    complaint = make_complaint(recorded_by=agent_user)
    act(api_as(legal_user), complaint.pk, "accept")
    proposal = act(
        api_as(legal_user),
        complaint.pk,
        "propose_compensation",
        kind="fee_credit",
        amount="5",
        reason="x",
    ).json()["compensations"][0]

    response = act(
        portal,
        complaint.pk,
        "approve_compensation",
        compensation=proposal["id"],
        decision="approve",
    )

    assert response.status_code == 403


def test_a_stale_version_gets_409_and_an_out_of_stage_action_409(groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)
    api = api_as(legal_user)
    version = complaint.ticket.version
    act(api, complaint.pk, "accept")

    stale = api.post(f"{BASE}{complaint.pk}/investigate/", {"version": version}, format="json")
    out_of_stage = act(api, complaint.pk, "close")

    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert out_of_stage.status_code == 409
    assert "investigate" in out_of_stage.json()["allowed"]


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("accept", {"version": "x"}),
        ("accept", {}),
        ("escalate", {"mode": "sideways", "reason": "x"}),
        ("propose_compensation", {"kind": "fee_credit", "amount": "lots", "reason": "x"}),
        ("approve_compensation", {"compensation": 999999, "decision": "approve"}),
        ("extend", {"extension": 999999}),
        ("feedback", {"cause": "x", "measures": "y", "channel": "pigeon"}),
        ("request_extension", {"metric": "complaint_feedback", "working_days": 99, "reason": "x"}),
        ("dissatisfied", {"note": "x", "next_step": "shrug"}),
        ("record_repair", {"repaired_at": "not a time"}),
    ],
)
def test_bad_action_input_gets_400(groups, agent_user, legal_user, manager_user, action, data):
    complaint = make_complaint(recorded_by=agent_user)
    api = api_as(manager_user)
    if "version" not in data and action != "accept":
        data = {**data, "version": complaint.ticket.version}

    response = api.post(f"{BASE}{complaint.pk}/{action}/", data, format="json")

    assert response.status_code == 400, response.content


# ---------------------------------------------------------------- evidence


def upload(api, complaint_id, content=MP3 + b"RECORDING", name="call.mp3", **extra):
    return api.post(
        f"{BASE}{complaint_id}/evidence/",
        {"file": SimpleUploadedFile(name, content), "kind": "call_recording"} | extra,
        format="multipart",
    )


def test_evidence_upload_answers_with_its_sha256_and_chain_hash(groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)
    api = api_as(legal_user)

    first = upload(api, complaint.pk)
    second = upload(api, complaint.pk, b"SECOND", "chat.txt", kind="chat_log", supersedes=1)

    assert first.status_code == 201, first.content
    assert first.json()["sha256"] == hashlib.sha256(MP3 + b"RECORDING").hexdigest()
    assert second.json()["prev_hash"] == first.json()["chain_hash"]
    assert second.json()["supersedes"] == first.json()["id"]
    listed = api.get(f"{BASE}{complaint.pk}/evidence/").json()
    assert [e["seq"] for e in listed] == [1, 2]


def test_the_chain_endpoint_names_the_first_tampered_entry(groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)
    api = api_as(legal_user)
    for index in range(3):
        upload(api, complaint.pk, f"evidence {index}".encode(), f"e{index}.txt", kind="chat_log")
    assert api.get(f"{BASE}{complaint.pk}/evidence/verify/").json()["ok"] is True

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_evidence SET original_name = 'swapped.txt' "
            "WHERE complaint_id = %s AND seq = 2",
            [complaint.pk],
        )
    report = api.get(f"{BASE}{complaint.pk}/evidence/verify/").json()

    assert report["ok"] is False
    assert report["first_bad_seq"] == 2
    assert report["problem_code"] == "record_changed"
    assert report["first_bad_id"] == Evidence.objects.get(complaint=complaint, seq=2).pk


def test_evidence_upload_refusals_are_4xx(groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)

    no_file = api_as(legal_user).post(
        f"{BASE}{complaint.pk}/evidence/", {"kind": "chat_log"}, format="multipart"
    )
    empty = upload(api_as(legal_user), complaint.pk, b"")
    unknown = upload(api_as(legal_user), complaint.pk, b"x", supersedes=7)
    agent = upload(api_as(agent_user), complaint.pk)

    assert (no_file.status_code, empty.status_code, unknown.status_code) == (400, 400, 400)
    assert agent.status_code == 403


# ---------------------------------------------------------------- outages and recurrence


def test_an_outage_is_listed_and_answered_through_the_api(portal, groups, agent_user):
    ComplaintSettings.objects.update(cluster_threshold=2)
    for _ in range(2):
        make_complaint(
            recorded_by=agent_user,
            category="service_fault",
            service_type="fixed",
            area="东城区",
            promised_repair_at=timezone.now() + datetime.timedelta(hours=8),
        )
    cluster = OutageCluster.objects.get()

    listed = portal.get("/api/v1/complaint-clusters/").json()["results"]
    answered = portal.post(
        f"/api/v1/complaint-clusters/{cluster.pk}/feedback/",
        {"cause": "交换机故障", "measures": "已更换板卡", "channel": "sms"},
        format="json",
    )
    again = portal.post(
        f"/api/v1/complaint-clusters/{cluster.pk}/feedback/",
        {"cause": "交换机故障", "measures": "已更换板卡", "channel": "sms"},
        format="json",
    )

    assert listed[0]["size"] == 2
    assert answered.status_code == 200
    assert len(answered.json()["given"]) == 2
    assert again.status_code == 409


def test_the_recurrence_rate_is_for_managers(groups, agent_user, manager_user, legal_user):
    customer = CustomerFactory()
    make_complaint(recorded_by=agent_user, customer=customer)
    make_complaint(recorded_by=agent_user, customer=customer)

    rows = api_as(manager_user).get(f"{BASE}recurrence-rate/").json()

    assert rows[0]["category"] == "billing"
    assert (rows[0]["complaints"], rows[0]["recurrences"], rows[0]["rate"]) == (2, 1, 0.5)
    assert api_as(legal_user).get(f"{BASE}recurrence-rate/").status_code == 403
    assert api_as(manager_user).get(f"{BASE}recurrence-rate/", {"months": "x"}).status_code == 400


def test_the_schema_documents_the_complaint_endpoints(client, agent_user):
    client.force_login(agent_user)
    schema = client.get("/api/schema/").content.decode()

    for path in (
        "/api/v1/complaints/{id}/accept/",
        "/api/v1/complaints/{id}/evidence/",
        "/api/v1/complaints/{id}/evidence/verify/",
        "/api/v1/complaint-clusters/{id}/feedback/",
    ):
        assert path in schema


def test_an_extension_past_the_reply_limit_gets_400_with_the_reason(
    groups, agent_user, manager_user
):
    complaint = make_complaint(recorded_by=agent_user)

    response = act(
        api_as(manager_user),
        complaint.pk,
        "extend",
        metric="complaint_overall",
        working_days=5,
        reason="需要跨省协查",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "reply_limit"
    assert "申诉途径" in response.json()["detail"]  # the appeal path
