"""Complaints in the browser: intake, the workbench, the complaint page and every action,
evidence, the leadership list, outages, recurrence and the archive."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.evidence import evidence_add
from complaints.models import Complaint, ComplaintSettings, Evidence, OutageCluster
from staffing.models import OutboxMessage
from tests.factories import (
    AgentFactory,
    ContactFactory,
    CustomerFactory,
    UserFactory,
    make_complaint,
)
from tests.samples import MP3, PNG

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def as_user(client, user):
    client.force_login(user)
    return client


def act(client, complaint, action, **data):
    """Post an action as the complaint page's htmx form does, with the version it showed."""
    complaint.ticket.refresh_from_db()
    data.setdefault("version", complaint.ticket.version)
    return client.post(reverse("complaints:action", args=[complaint.pk, action]), data, **HX)


def stage(complaint) -> str:
    complaint.ticket.refresh_from_db()
    return complaint.ticket.status


def detail_url(complaint) -> str:
    return reverse("complaints:detail", args=[complaint.pk])


# ---------------------------------------------------------------- intake


def test_the_intake_form_records_and_routes_a_complaint(client, groups, agent_user):
    as_user(client, agent_user)
    customer = CustomerFactory(name="赵敏", phone="13800001111")

    page = client.get(reverse("complaints:new"), {"customer": customer.pk})
    assert page.status_code == 200
    assert "赵敏" in page.content.decode()

    response = client.post(
        reverse("complaints:new"),
        {
            "customer": customer.pk,
            "customer_name": "赵敏",
            "contact_phone": "13800001111",
            "channel": "hotline",
            "tier": "complaint",
            "category": "billing",
            "severity": "normal",
            "region": "urban",
            "content": "套餐费用与宣传不一致",
        },
    )

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(complaint)
    assert complaint.ticket.team == groups["legal"]
    assert complaint.ticket.customer == customer


def test_the_intake_form_keeps_the_input_and_says_what_is_missing(client, groups, agent_user):
    as_user(client, agent_user)

    response = client.post(
        reverse("complaints:new"),
        {
            "customer_name": "赵敏",
            "channel": "hotline",
            "tier": "complaint",
            "category": "service_fault",
            "service_type": "broadband",
            "severity": "normal",
            "region": "rural",
            "content": "宽带断网两天",
        },
    )

    assert response.status_code == 400
    assert "宽带断网两天" in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_intake_form_shows_the_repair_limit_of_the_service_and_region(
    client, groups, agent_user
):
    as_user(client, agent_user)

    response = client.get(
        reverse("complaints:repair_limit"),
        {"category": "service_fault", "service_type": "broadband", "region": "urban"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "36 hours" in response.content.decode()


def test_the_customer_is_looked_up_by_phone_on_the_intake_form(client, groups, agent_user):
    as_user(client, agent_user)
    customer = CustomerFactory(name="周芷若", phone="13700002222")

    response = client.get(reverse("complaints:new"), {"phone": "137 0000 2222"})

    assert f"?customer={customer.pk}" in response.content.decode()


def test_a_role_that_may_not_record_gets_403(client, groups, qa_user):
    as_user(client, qa_user)

    assert client.get(reverse("complaints:new")).status_code == 403


# ---------------------------------------------------------------- workbench and lists


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_workbench_lists_the_groups_complaints_in_constant_queries(
    client, groups, agent_user, legal_user
):
    as_user(client, legal_user)
    for index in range(10):
        make_complaint(
            recorded_by=agent_user,
            customer=CustomerFactory(vip_tier="gold" if index % 2 else "none"),
        )
    client.get(reverse("complaints:workbench"))  # loads what each process keeps
    with_ten = _count_queries(client, reverse("complaints:workbench"))
    for _ in range(40):
        make_complaint(recorded_by=agent_user)

    with_fifty = _count_queries(client, reverse("complaints:workbench") + "?page=2")

    assert with_fifty == with_ten


def test_the_workbench_shows_only_the_persons_handling_group(client, groups, agent_user, tech_user):
    billing = make_complaint(recorded_by=agent_user)
    fault = make_complaint(recorded_by=agent_user, category="tech_support")
    as_user(client, tech_user)

    page = client.get(reverse("complaints:workbench")).content.decode()

    assert fault.ticket.number in page
    assert billing.ticket.number not in page


def test_the_workbench_filters_by_category_and_stage(client, groups, agent_user, manager_user):
    billing = make_complaint(recorded_by=agent_user)
    tech = make_complaint(recorded_by=agent_user, category="tech_support")
    as_user(client, manager_user)

    page = client.get(
        reverse("complaints:workbench"),
        {"group": groups["tech"].pk, "category": "tech_support", "stage": "new"},
    ).content.decode()

    assert tech.ticket.number in page
    assert billing.ticket.number not in page


def test_the_leadership_list_shows_major_complaints_and_appeals(
    client, groups, agent_user, manager_user
):
    ordinary = make_complaint(recorded_by=agent_user)
    major = make_complaint(recorded_by=agent_user, severity="major")
    appeal = make_complaint(
        recorded_by=agent_user, tier="appeal", parent=ordinary, customer=ordinary.ticket.customer
    )
    as_user(client, manager_user)

    page = client.get(reverse("complaints:leadership")).content.decode()

    assert major.ticket.number in page
    assert appeal.ticket.number in page
    assert f">{ordinary.ticket.number}<" not in page


def test_the_leadership_list_needs_its_permission(client, groups, agent_user, legal_user):
    as_user(client, legal_user)

    assert client.get(reverse("complaints:leadership")).status_code == 403


# ---------------------------------------------------------------- the complaint page and actions


def test_every_stage_action_works_from_the_complaint_page(
    client, groups, agent_user, legal_user, legal_user2, manager_user
):
    complaint = make_complaint(recorded_by=agent_user, contact_email="a@example.com")
    as_user(client, legal_user)
    page = client.get(detail_url(complaint))
    assert page.status_code == 200
    assert complaint.ticket.number in page.content.decode()

    assert act(client, complaint, "accept").status_code == 200
    assert act(client, complaint, "investigate", note="调取话单").status_code == 200
    assert act(client, complaint, "handle", findings="重复计费").status_code == 200
    assert stage(complaint) == "handling"

    as_user(client, legal_user2)
    assert (
        act(
            client, complaint, "propose_compensation", kind="fee_credit", amount="30", reason="多扣"
        ).status_code
        == 200
    )
    proposal = complaint.compensations.get()
    as_user(client, legal_user)
    assert (
        act(
            client, complaint, "approve_compensation", compensation=proposal.pk, decision="approve"
        ).status_code
        == 200
    )
    proposal.refresh_from_db()
    assert proposal.status == "approved"

    assert (
        act(
            client,
            complaint,
            "request_extension",
            metric="complaint_feedback",
            working_days=3,
            reason="协查",
        ).status_code
        == 200
    )
    as_user(client, manager_user)
    extension = complaint.extensions.get()
    assert (
        act(client, complaint, "extend", extension=extension.pk, decision="approve").status_code
        == 200
    )
    extension.refresh_from_db()
    assert extension.status == "approved"

    as_user(client, legal_user)
    assert act(client, complaint, "evidence_complete", note="证据齐全").status_code == 200
    response = act(
        client, complaint, "feedback", cause="计费错误", measures="已退费", channel="email"
    )
    assert response.status_code == 200
    assert stage(complaint) == "feedback_given"
    assert OutboxMessage.objects.filter(channel="email", recipient="a@example.com").exists()

    assert (
        act(client, complaint, "dissatisfied", note="还要赔偿", next_step="reopen").status_code
        == 200
    )
    assert stage(complaint) == "handling"
    assert (
        act(
            client,
            complaint,
            "feedback",
            cause="计费错误",
            measures="已退费并赠送流量",
            channel="sms",
        ).status_code
        == 200
    )
    assert act(client, complaint, "confirm", note="满意").status_code == 200
    assert act(client, complaint, "close").status_code == 200
    assert stage(complaint) == "closed"
    assert act(client, complaint, "reopen", reason="再次投诉").status_code == 200
    assert stage(complaint) == "handling"


def test_escalation_and_repair_work_from_the_complaint_page(client, groups, agent_user, tech_user):
    fault = make_complaint(
        recorded_by=agent_user,
        category="service_fault",
        service_type="mobile",
        promised_repair_at=timezone.now() + datetime.timedelta(hours=8),
    )
    as_user(client, tech_user)

    assert act(client, fault, "record_repair", note="基站修复").status_code == 200
    assert act(client, fault, "escalate", mode="raise_level", reason="疑难").status_code == 200
    fault.refresh_from_db()
    assert fault.support_level == 2
    assert fault.repaired_at is not None

    response = act(client, fault, "escalate", mode="upgrade", reason="客户要求升级")

    upgraded = Complaint.objects.get(parent=fault)
    assert response.status_code == 200
    assert response["HX-Redirect"] == detail_url(upgraded)


def test_a_role_that_may_not_handle_gets_403_and_nothing_changes(
    client, groups, agent_user, qa_user
):
    complaint = make_complaint(recorded_by=agent_user)

    for user in (agent_user, qa_user):
        as_user(client, user)
        assert act(client, complaint, "accept").status_code == 403
    assert stage(complaint) == "new"


def test_a_role_without_approval_rights_gets_403_on_compensation(
    client, groups, agent_user, lead_user
):
    complaint = make_complaint(recorded_by=agent_user, category="service_quality")
    services.complaint_accept(complaint, by=lead_user, version=complaint.ticket.version)
    complaint.ticket.refresh_from_db()
    proposal = services.compensation_propose(
        complaint,
        by=lead_user,
        version=complaint.ticket.version,
        kind="fee_credit",
        amount=10,
        reason="服务态度差",
    )
    as_user(client, agent_user)

    response = act(
        client, complaint, "approve_compensation", compensation=proposal.pk, decision="approve"
    )

    assert response.status_code == 403
    pending = proposal.status
    proposal.refresh_from_db()
    assert proposal.status == pending
    assert not proposal.decisions.exists()


def test_a_stale_version_gets_409_and_keeps_the_text(client, groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)
    as_user(client, legal_user)
    old_version = complaint.ticket.version
    act(client, complaint, "accept")

    response = client.post(
        reverse("complaints:action", args=[complaint.pk, "escalate"]),
        {"version": old_version, "mode": "raise_level", "reason": "我的理由"},
        **HX,
    )

    assert response.status_code == 409
    assert "我的理由" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.support_level == 1


def test_bad_input_gets_400_and_an_unknown_action_404(client, groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)
    as_user(client, legal_user)

    assert act(client, complaint, "escalate", mode="sideways", reason="x").status_code == 400
    assert act(client, complaint, "handle", findings="").status_code == 400
    assert act(client, complaint, "fly").status_code == 404


def test_another_groups_complaint_is_not_found(client, groups, agent_user, outsider_user):
    complaint = make_complaint(recorded_by=agent_user)
    as_user(client, outsider_user)

    assert client.get(detail_url(complaint)).status_code == 404


def test_the_complaint_page_masks_the_contact_phone(client, groups, agent_user, legal_user):
    complaint = make_complaint(
        recorded_by=agent_user, customer=CustomerFactory(phone="13812345678")
    )
    as_user(client, legal_user)

    page = client.get(detail_url(complaint)).content.decode()

    assert "138****5678" in page
    assert "13812345678" not in page


# ---------------------------------------------------------------- evidence


def test_evidence_is_uploaded_downloaded_and_verified_from_the_page(
    client, groups, agent_user, legal_user
):
    complaint = make_complaint(recorded_by=agent_user)
    as_user(client, legal_user)

    response = client.post(
        reverse("complaints:evidence_upload", args=[complaint.pk]),
        {
            "kind": "screenshot",
            "title": "账单截图",
            "file": SimpleUploadedFile("bill.png", PNG + b"DATA"),
        },
    )
    assert response.status_code == 302
    entry = Evidence.objects.get(complaint=complaint)
    assert entry.title == "账单截图"

    download = client.get(reverse("complaints:evidence_download", args=[complaint.pk, 1]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG + b"DATA"

    verified = client.post(reverse("complaints:evidence_chain", args=[complaint.pk]), **HX)
    assert "flash-success" in verified.content.decode()

    with open(entry.file.path, "wb") as handle:
        handle.write(b"EDITED")
    broken = client.post(reverse("complaints:evidence_chain", args=[complaint.pk]), **HX)
    assert "flash-error" in broken.content.decode()
    assert "#1" in broken.content.decode()


def test_an_agent_cannot_upload_evidence(client, groups, agent_user):
    complaint = make_complaint(recorded_by=agent_user)
    as_user(client, agent_user)

    response = client.post(
        reverse("complaints:evidence_upload", args=[complaint.pk]),
        {"kind": "screenshot", "file": SimpleUploadedFile("bill.png", PNG + b"DATA")},
    )

    assert response.status_code == 403
    assert not Evidence.objects.exists()


# ---------------------------------------------------------------- archive, outages, recurrence


def test_the_archive_is_one_document_with_stages_evidence_compensation_and_feedback(
    client, groups, agent_user, legal_user, handler_user
):
    complaint = make_complaint(recorded_by=agent_user)
    services.complaint_accept(complaint, by=handler_user, version=complaint.ticket.version)
    complaint.ticket.refresh_from_db()
    entry = services_evidence(complaint, handler_user)
    proposal = services.compensation_propose(
        complaint,
        by=handler_user,
        version=complaint.ticket.version,
        kind="fee_credit",
        amount=25,
        reason="多扣",
    )
    complaint.ticket.refresh_from_db()
    services.compensation_decide(
        complaint,
        by=legal_user,
        version=complaint.ticket.version,
        compensation=proposal,
        decision="approve",
    )
    complaint.ticket.refresh_from_db()
    services.complaint_feedback(
        complaint,
        by=handler_user,
        version=complaint.ticket.version,
        cause="计费错误原因",
        measures="退费措施",
        channel="sms",
    )
    as_user(client, legal_user)

    response = client.get(reverse("complaints:archive", args=[complaint.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="complaint-{complaint.ticket.number}.html"'
    )
    assert body.startswith("<!doctype html>")
    assert entry.sha256 in body
    assert entry.chain_hash in body
    assert "¥25" in body
    assert "计费错误原因" in body
    assert "退费措施" in body
    assert legal_user.display_name in body  # who approved the compensation


def services_evidence(complaint, by):
    return evidence_add(
        complaint,
        by=by,
        file=SimpleUploadedFile("call.mp3", MP3 + b"RECORDING"),
        kind="call_recording",
    )


def test_an_outage_is_answered_once_for_all_its_complaints_from_its_page(
    client, groups, agent_user, tech_user, manager_user
):
    ComplaintSettings.objects.update(cluster_threshold=2)
    for _ in range(2):
        make_complaint(
            recorded_by=agent_user,
            category="service_fault",
            service_type="mobile",
            area="西城区",
            promised_repair_at=timezone.now() + datetime.timedelta(hours=8),
        )
    cluster = OutageCluster.objects.get()
    as_user(client, manager_user)
    assert client.get(reverse("complaints:cluster_list")).status_code == 200
    as_user(client, tech_user)

    response = client.post(
        reverse("complaints:cluster_detail", args=[cluster.pk]),
        {"cause": "基站断电", "measures": "已恢复供电", "channel": "sms"},
    )

    assert response.status_code == 302
    assert OutboxMessage.objects.filter(dedupe_key__startswith="complaint-feedback:").count() == 2


def test_managers_see_the_recurrence_rate(client, groups, agent_user, manager_user):
    customer = CustomerFactory()
    make_complaint(recorded_by=agent_user, customer=customer)
    make_complaint(recorded_by=agent_user, customer=customer)
    as_user(client, manager_user)

    response = client.get(reverse("complaints:recurrence"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "50.0 %" in response.content.decode()


def test_complaint_pages_need_sign_in(client, db):
    response = client.get(reverse("complaints:workbench"))

    assert response.status_code == 302
    assert reverse("login") in response.url


def test_an_agent_follows_the_complaints_they_recorded_but_not_the_teams_others(
    client, groups, agent_user, lead_user, hotline_team
):
    colleague = UserFactory(username="agent-colleague", roles=["agent"])
    AgentFactory(user=colleague, team=hotline_team)
    mine = make_complaint(recorded_by=agent_user, category="service_quality")
    about_a_colleague = make_complaint(recorded_by=colleague, category="service_quality")
    as_user(client, agent_user)

    listed = client.get(reverse("complaints:workbench")).content.decode()

    assert mine.ticket.number in listed
    assert about_a_colleague.ticket.number not in listed
    assert client.get(detail_url(about_a_colleague)).status_code == 404
    # Their team lead, who handles service-quality complaints, sees both.
    as_user(client, lead_user)
    team = client.get(reverse("complaints:workbench")).content.decode()
    assert mine.ticket.number in team and about_a_colleague.ticket.number in team


def test_a_complaint_is_recorded_from_a_contact(client, groups, agent_user):
    contact = ContactFactory(
        channel="online_chat", summary="在线咨询时投诉宽带限速", agent=agent_user
    )
    as_user(client, agent_user)

    page = client.get(reverse("complaints:new"), {"contact": contact.pk}).content.decode()
    assert "在线咨询时投诉宽带限速" in page

    response = client.post(
        reverse("complaints:new"),
        {
            "contact": contact.pk,
            "customer": contact.customer.pk,
            "channel": "online_chat",
            "tier": "complaint",
            "category": "tech_support",
            "severity": "normal",
            "content": "在线咨询时投诉宽带限速",
        },
    )

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert complaint.ticket.contact == contact
    assert complaint.contact_phone == contact.customer.phone


def test_the_page_warns_when_evidence_outlasts_the_result_deadline(
    client, groups, agent_user, legal_user, english
):
    monday = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(monday, tick=False) as clock:
        complaint = make_complaint(recorded_by=agent_user)
        clock.move_to(monday + datetime.timedelta(minutes=5))
        services.complaint_accept(complaint, by=legal_user, version=complaint.ticket.version)
        as_user(client, legal_user)

        page = client.get(detail_url(complaint)).content.decode()

    # Evidence: 7 calendar days from acceptance; the result: 5 working days from receipt.
    assert "Evidence collection is due after the result feedback deadline" in page


def test_an_appeal_cannot_name_a_complaint_the_recorder_may_not_see(
    client, groups, agent_user, outsider_user, portal
):
    # Was a hole: the appeal copied that complaint's customer, category and service.
    hidden = make_complaint(recorded_by=outsider_user, category="billing")
    theirs = make_complaint(recorded_by=agent_user, category="billing")
    as_user(client, agent_user)
    appeal = {"channel": "hotline", "tier": "appeal", "severity": "normal", "content": "不服"}

    page = client.post(reverse("complaints:new"), {**appeal, "parent_number": hidden.ticket.number})
    api_by_number = client.post(
        "/api/v1/complaints/",
        {
            "channel": "hotline",
            "kind": "appeal",
            "content": "不服",
            "parent_number": hidden.ticket.number,
        },
        content_type="application/json",
    )
    api_by_id = client.post(
        "/api/v1/complaints/",
        {"channel": "hotline", "kind": "appeal", "content": "不服", "parent": hidden.pk},
        content_type="application/json",
    )
    own = client.post(reverse("complaints:new"), {**appeal, "parent_number": theirs.ticket.number})

    assert page.status_code == 400 and "parent_number" in page.context["form"].errors
    assert api_by_number.status_code == 400 and "parent_number" in api_by_number.json()
    assert api_by_id.status_code == 400 and "parent" in api_by_id.json()
    assert Complaint.objects.filter(parent=hidden).count() == 0
    assert own.status_code == 302
    assert Complaint.objects.get(parent=theirs).ticket.customer == theirs.ticket.customer
    # An integration with the complaints scope (a regulator's portal) names any complaint.
    by_portal = portal.post(
        "/api/v1/complaints/",
        {"channel": "hotline", "kind": "appeal", "content": "不服", "parent": hidden.pk},
        format="json",
    )
    assert by_portal.status_code == 201, by_portal.content


def test_the_deadline_panel_shows_the_reply_limit_and_an_extension_past_it_is_refused(
    english, groups, agent_user, manager_user
):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC), tick=False):
        complaint = make_complaint(recorded_by=agent_user)
        as_user(english, manager_user)

        page = english.get(detail_url(complaint)).content.decode()
        response = act(
            english,
            complaint,
            "extend",
            metric="complaint_overall",
            working_days="5",
            reason="需要跨省协查",
        )

    # Receipt 2 March 10:00 Beijing time + 15 calendar days (MIIT Order 35, R-1).
    assert "Reply limit (15 calendar days)" in page
    assert "2026-03-17 10:00" in page
    assert response.status_code == 400
    assert "appeal path" in response.content.decode()


def test_the_related_list_names_only_complaints_the_viewer_may_open(
    client, groups, agent_user, outsider_user
):
    own = make_complaint(recorded_by=agent_user)
    theirs = make_complaint(recorded_by=outsider_user)
    mine_again = make_complaint(recorded_by=agent_user)
    Complaint.objects.filter(pk__in=[theirs.pk, mine_again.pk]).update(recurrence_of=own)
    as_user(client, agent_user)

    page = client.get(detail_url(own)).content.decode()

    assert mine_again.ticket.number in page
    assert theirs.ticket.number not in page
