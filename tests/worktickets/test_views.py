"""The agent desk in the browser: queues, the ticket page and its htmx actions, new tickets."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Customer, PersonalDataAccess
from sla.models import Clock
from staffing.models import Notification
from tests.factories import (
    AgentFactory,
    ContactFactory,
    CustomerFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
    business_type,
    make_ticket,
)
from worktickets import services
from worktickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def as_user(client, user):
    client.force_login(user)
    return client


def act(client, ticket, action, **data):
    """Post an action from the ticket page as htmx does, with the version the page showed."""
    ticket.refresh_from_db()
    data.setdefault("version", ticket.version)
    url = reverse("worktickets:ticket_action", args=[ticket.pk, action])
    return client.post(url, data, **HX)


def detail(client, ticket):
    return client.get(reverse("worktickets:ticket_detail", args=[ticket.pk]))


def action_url(ticket, action):
    return reverse("worktickets:ticket_action", args=[ticket.pk, action])


def kinds(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))


def open_ticket(client, **data):
    fields = {"kind": "inquiry", "channel": "hotline", "priority": 2, "subject": "查询流量余额"}
    fields.update(data)
    return client.post(reverse("worktickets:ticket_new"), fields)


# ---------------------------------------------------------------- whole life cycles


def test_inquiry_walks_through_every_state_from_the_ticket_page(client, agent_user):
    as_user(client, agent_user)
    customer = CustomerFactory()
    response = open_ticket(client, customer=customer.pk, description="客户说流量用得太快")
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("worktickets:ticket_detail", args=[ticket.pk])
    assert (ticket.status, ticket.customer, ticket.first_contact_agent) == (
        "new",
        customer,
        agent_user,
    )
    page = detail(client, ticket).content.decode()
    assert action_url(ticket, "accept") in page
    assert action_url(ticket, "close") not in page

    response = act(client, ticket, "accept")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="ticket-main"' in body and "<html" not in body  # a fragment, not a page
    assert action_url(ticket, "hold") in body
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == ("in_progress", agent_user)

    act(client, ticket, "reply", body="已为您查询，本月剩余 2GB", gives_solution="on")
    act(client, ticket, "note", body="客户语气急躁")
    act(client, ticket, "hold", reason="请客户重启手机后回电")
    ticket.refresh_from_db()
    assert ticket.status == "pending_customer"
    act(client, ticket, "resume", note="客户已回电")
    act(
        client, ticket, "edit", subject="流量消耗异常", description="客户说流量用得太快", priority=3
    )
    act(client, ticket, "resolve", resolution="关闭了后台自动更新")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.subject, ticket.priority) == ("resolved", "流量消耗异常", 3)
    act(client, ticket, "close")
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    act(client, ticket, "reopen", reason="客户反映问题复现")
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"

    assert kinds(ticket) == [
        "created",
        "status_changed",  # new → in progress
        "accepted",
        "reply",
        "note",
        "status_changed",  # hold
        "status_changed",  # resume
        "fields_changed",
        "status_changed",  # resolved
        "status_changed",  # closed
        "status_changed",  # reopened
    ]
    reply = TicketEvent.objects.get(ticket=ticket, kind="reply")
    assert reply.is_customer_facing and reply.data["gives_solution"] is True
    timeline = detail(client, ticket).content.decode()
    for text in (
        "已为您查询，本月剩余 2GB",
        "客户语气急躁",
        "请客户重启手机后回电",
        "客户反映问题复现",
    ):
        assert text in timeline
    assert "wt-customer-facing" in timeline  # replies stand out from internal notes


def test_business_order_needing_approval_walks_from_acceptance_to_closure(
    client, agent_user, lead_user
):
    customer = CustomerFactory(payment_type="postpaid")
    transfer_of_ownership = business_type("ownership_transfer")  # hall only, needs approval
    as_user(client, agent_user)
    response = open_ticket(
        client,
        kind="business",
        channel="walk_in",
        customer=customer.pk,
        business_type=transfer_of_ownership.pk,
        order_details="新户主：张三\n证件 = 身份证",
        subject="过户给家人",
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.business_type) == ("accepted", transfer_of_ownership)
    assert ticket.order_details == {"新户主": "张三", "证件": "身份证"}

    act(client, ticket, "accept")
    refused = act(client, ticket, "review", note="未核验")
    assert refused.status_code == 400
    ticket.refresh_from_db()
    assert (ticket.status, ticket.identity_verified) == ("accepted", False)
    assert 'name="note"' in refused.content.decode() and "未核验" in refused.content.decode()

    act(client, ticket, "review", identity_verified="on", note="身份证原件已核验")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.identity_verified) == ("reviewed", True)
    # Only a team lead approves: the agent has no button, and a forged post is refused.
    assert action_url(ticket, "approve") not in detail(client, ticket).content.decode()
    assert act(client, ticket, "approve").status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "reviewed"

    as_user(client, lead_user)
    assert action_url(ticket, "approve") in detail(client, ticket).content.decode()
    assert act(client, ticket, "approve", note="同意").status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == "approved"

    as_user(client, agent_user)
    act(client, ticket, "deliver", note="受理单与协议已交客户")
    ticket.refresh_from_db()
    assert ticket.status == "delivered"
    act(client, ticket, "close")
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    statuses = list(
        TicketEvent.objects.filter(ticket=ticket, kind="status_changed").values_list(
            "to_status", flat=True
        )
    )
    assert statuses == ["reviewed", "approved", "delivered", "closed"]
    page = detail(client, ticket).content.decode()
    assert "张三" in page and transfer_of_ownership.name in page


def test_business_order_is_changed_then_cancelled(client, agent_user):
    ticket = make_ticket(
        created_by=agent_user,
        kind="business",
        business_type=business_type("product_order_change"),
        order_details={"套餐": "59 元"},
    )
    as_user(client, agent_user)
    act(client, ticket, "review", identity_verified="on")
    response = act(
        client,
        ticket,
        "change_order",
        order_details="套餐: 99 元\n流量包: 10GB",
        reason="客户改选大套餐",
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == "accepted"  # reviewed again after a change
    assert ticket.order_details == {"套餐": "99 元", "流量包": "10GB"}
    assert "99 元" in response.content.decode()  # the change shows on the timeline

    act(client, ticket, "cancel", reason="客户决定暂不办理")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rejection_reason) == ("cancelled", "客户决定暂不办理")
    assert kinds(ticket)[-2:] == ["order_changed", "status_changed"]


def test_business_order_is_rejected_at_review_with_a_reason(client, agent_user):
    ticket = make_ticket(
        created_by=agent_user, kind="business", business_type=business_type("product_order_change")
    )
    as_user(client, agent_user)
    assert act(client, ticket, "reject", reason="").status_code == 400
    act(client, ticket, "reject", reason="证件已过期")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rejection_reason) == ("rejected", "证件已过期")


def test_change_order_with_a_line_that_is_not_name_value_is_refused_and_kept(client, agent_user):
    ticket = make_ticket(
        created_by=agent_user, kind="business", business_type=business_type("product_order_change")
    )
    as_user(client, agent_user)
    response = act(client, ticket, "change_order", order_details="只有一句话", reason="改套餐")
    assert response.status_code == 400
    assert "只有一句话" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.version == 1


# ---------------------------------------------------------------- transfer and follow-ups


def test_transfer_keeps_the_first_contact_agent_and_waits_for_the_other_side(
    client, agent_user, outsider_user, other_team
):
    ticket = make_ticket(created_by=agent_user, customer=CustomerFactory())
    services.ticket_accept(ticket, by=agent_user, version=1)
    as_user(client, agent_user)
    missing_reason = act(client, ticket, "transfer", team=other_team.pk, reason="")
    assert missing_reason.status_code == 400

    response = act(client, ticket, "transfer", team=other_team.pk, reason="需要二线排查")
    assert response.status_code == 200  # still visible: the agent owns it as first contact
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee, ticket.transfer_pending) == (other_team, None, True)
    assert ticket.first_contact_agent == agent_user

    as_user(client, outsider_user)
    queue = client.get(reverse("worktickets:team_queue")).content.decode()
    assert ticket.number in queue and "wt-awaiting" in queue
    act(client, ticket, "accept")
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.transfer_pending) == (outsider_user, False)
    assert ticket.first_contact_agent == agent_user

    as_user(client, agent_user)
    follow_ups = client.get(reverse("worktickets:follow_ups")).content.decode()
    assert ticket.number in follow_ups
    page = detail(client, ticket).content.decode()
    assert "需要二线排查" in page and other_team.name in page
    assert agent_user.display_name in page  # the owner of record in the header

    as_user(client, outsider_user)
    act(client, ticket, "resolve", resolution="基站故障已修复")
    act(client, ticket, "close")
    assert Notification.objects.filter(recipient=agent_user, kind="ticket.closed").count() == 1
    assert "notified" in kinds(ticket)


def test_transfer_to_a_team_the_agent_cannot_see_sends_them_back_to_their_queue(
    client, agent_user, other_team
):
    colleague = UserFactory(username="colleague", roles=["agent"])
    AgentFactory(user=colleague, team=agent_user.agent.team)
    ticket = make_ticket(created_by=colleague)
    services.ticket_accept(ticket, by=agent_user, version=1)
    as_user(client, agent_user)

    response = act(client, ticket, "transfer", team=other_team.pk, reason="归属其他班组")

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("worktickets:my_queue")
    ticket.refresh_from_db()
    assert ticket.team == other_team


def test_team_lead_reassigns_from_a_list_and_gets_a_small_fragment(client, agent_user, lead_user):
    ticket = make_ticket(created_by=lead_user)
    url = reverse("worktickets:ticket_reassign", args=[ticket.pk])
    as_user(client, lead_user)

    response = client.post(url, {"assignee": agent_user.pk, "version": 1}, **HX)

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert agent_user.display_name in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.version) == (agent_user, 2)
    stale = client.post(url, {"assignee": lead_user.pk, "version": 1}, **HX)
    assert stale.status_code == 409
    ticket.refresh_from_db()
    assert ticket.assignee == agent_user


def _at_risk(ticket):
    Clock.objects.filter(ticket=ticket).update(at_risk=True)
    return ticket


def test_reassigning_to_the_agent_who_holds_it_is_refused_and_tells_nobody(
    client, english, agent_user, lead_user
):
    ticket = make_ticket(created_by=lead_user, assignee=agent_user)
    events = kinds(ticket)
    url = reverse("worktickets:ticket_reassign", args=[ticket.pk])
    as_user(client, lead_user)

    response = client.post(url, {"assignee": agent_user.pk, "version": 1}, **HX)

    assert response.status_code == 400
    assert f"{agent_user.display_name} already holds ticket {ticket.number}" in (
        response.content.decode()
    )
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.version) == (agent_user, 1)
    assert kinds(ticket) == events
    assert not Notification.objects.filter(recipient=agent_user, kind="ticket.assigned").exists()


def test_reassigning_from_the_at_risk_list_swaps_the_row_for_its_new_state(
    client, english, agent_user, lead_user
):
    ticket = _at_risk(make_ticket(created_by=lead_user))
    url = reverse("worktickets:ticket_reassign", args=[ticket.pk])
    as_user(client, lead_user)

    response = client.post(url, {"assignee": agent_user.pk, "version": 1}, **HX)

    row = response.content.decode()
    assert response.status_code == 200
    assert row.lstrip().startswith(f'<tr id="sla-ticket-{ticket.pk}">')
    assert f'<td class="sla-assignee">{agent_user.display_name}</td>' in row
    assert f"{ticket.number} is now with {agent_user.display_name}." in row
    assert 'name="version" value="2"' in row
    # The new holder cannot be chosen again; the lead (the old holder) now can.
    assert f'<option value="{agent_user.pk}" disabled>' in row
    assert f'<option value="{lead_user.pk}" data-status=' in row
    assert 'hx-target="closest tr" hx-swap="outerHTML"' in row


def test_a_refused_reassign_swaps_the_row_with_the_reason_and_the_current_version(
    client, english, agent_user, lead_user
):
    ticket = _at_risk(make_ticket(created_by=lead_user))
    services.ticket_update(ticket, by=lead_user, version=1, subject="客户改了说法")
    url = reverse("worktickets:ticket_reassign", args=[ticket.pk])
    as_user(client, lead_user)

    response = client.post(url, {"assignee": agent_user.pk, "version": 1}, **HX)

    row = response.content.decode()
    assert response.status_code == 409
    assert row.lstrip().startswith(f'<tr id="sla-ticket-{ticket.pk}">')
    assert 'role="alert"' in row
    assert 'name="version" value="2"' in row
    assert f'<option value="{agent_user.pk}" data-status="offline" selected>' in row


def test_reassign_without_htmx_goes_back_to_the_list_with_a_message(
    client, english, agent_user, lead_user
):
    ticket = make_ticket(created_by=lead_user)
    url = reverse("worktickets:ticket_reassign", args=[ticket.pk])
    as_user(client, lead_user)

    done = client.post(
        url, {"assignee": agent_user.pk, "version": 1, "next": "/sla/at-risk/?page=1"}
    )
    refused = client.post(
        url, {"assignee": agent_user.pk, "version": 2, "next": "https://evil.example/"}
    )

    assert (done.status_code, done["Location"]) == (302, "/sla/at-risk/?page=1")
    assert (refused.status_code, refused["Location"]) == (302, reverse("sla:at_risk"))
    shown = [str(m) for m in client.get(reverse("sla:at_risk")).context["messages"]]
    assert f"{ticket.number} is now with {agent_user.display_name}." in shown
    assert any("already holds" in message for message in shown)


def test_an_agent_may_not_reassign(client, agent_user):
    ticket = make_ticket(created_by=agent_user, to_team_queue=True)
    as_user(client, agent_user)
    url = reverse("worktickets:ticket_reassign", args=[ticket.pk])

    assert client.post(url, {"assignee": agent_user.pk, "version": 1}, **HX).status_code == 403
    assert act(client, ticket, "reassign", assignee=agent_user.pk).status_code == 403
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_a_ticket_an_agent_opens_lands_in_their_own_queue(client, agent_user):
    as_user(client, agent_user)

    open_ticket(client, subject="自己受理的咨询")
    ticket = Ticket.objects.get()
    mine = client.get(reverse("worktickets:my_queue")).content.decode()

    assert (ticket.assignee, ticket.status) == (agent_user, "new")
    assert ticket.number in mine
    # Theirs to take up, as any new ticket.
    assert action_url(ticket, "accept") in detail(client, ticket).content.decode()
    assert act(client, ticket, "accept").status_code == 200
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (agent_user, "in_progress")


def test_a_ticket_left_in_the_team_queue_or_sent_to_another_team_is_nobodys_yet(
    client, agent_user, other_team
):
    as_user(client, agent_user)

    open_ticket(client, subject="留给班组", to_team_queue="on")
    open_ticket(client, subject="转给别的班组", team=other_team.pk)

    kept = Ticket.objects.get(subject="留给班组")
    sent = Ticket.objects.get(subject="转给别的班组")
    assert (kept.team, kept.assignee) == (agent_user.agent.team, None)
    assert (sent.team, sent.assignee) == (other_team, None)


# ---------------------------------------------------------------- no lost updates


def test_stale_version_shows_who_changed_it_keeps_the_text_and_changes_nothing(
    english, agent_user, lead_user
):
    client = english
    ticket = make_ticket(created_by=agent_user)
    services.ticket_accept(ticket, by=agent_user, version=1)
    as_user(client, agent_user)
    page_version = Ticket.objects.get().version
    services.ticket_reply(ticket, by=lead_user, version=page_version, body="班长已回复")

    response = client.post(
        action_url(ticket, "reply"),
        {"version": page_version, "body": "我写了很长的回复"},
        **HX,
    )

    assert response.status_code == 409
    body = html.unescape(response.content.decode())
    assert f"changed by {lead_user.display_name}" in body
    assert "我写了很长的回复" in body  # what they typed is still in the form
    assert "班长已回复" in body  # and the change that beat them is on the timeline
    ticket.refresh_from_db()
    assert ticket.version == page_version + 1
    assert not TicketEvent.objects.filter(ticket=ticket, body="我写了很长的回复").exists()


def test_stale_edit_keeps_the_typed_subject_and_keeps_the_other_change(client, agent_user):
    ticket = make_ticket(created_by=agent_user, subject="原标题")
    as_user(client, agent_user)
    services.ticket_update(ticket, by=agent_user, version=1, subject="别人改的标题")

    response = client.post(
        action_url(ticket, "edit"),
        {"version": 1, "subject": "我改的标题", "description": "", "priority": 2},
        **HX,
    )

    assert response.status_code == 409
    assert 'value="我改的标题"' in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.subject == "别人改的标题"


def test_illegal_action_is_refused_and_changes_nothing(client, agent_user):
    ticket = make_ticket(created_by=agent_user)
    as_user(client, agent_user)

    response = act(client, ticket, "close")

    assert response.status_code == 409
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("new", 1)


# ---------------------------------------------------------------- access


def test_another_teams_ticket_is_not_found(client, agent_user, outsider_user):
    ticket = make_ticket(created_by=agent_user, to_team_queue=True)
    as_user(client, outsider_user)

    assert detail(client, ticket).status_code == 404
    assert act(client, ticket, "accept").status_code == 404
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_qa_reads_the_ticket_without_action_buttons_and_cannot_post(client, agent_user, qa_user):
    ticket = make_ticket(created_by=agent_user)
    as_user(client, qa_user)

    page = detail(client, ticket)
    assert page.status_code == 200
    assert "wt-action" not in page.content.decode()
    assert act(client, ticket, "accept").status_code == 403
    assert act(client, ticket, "note", body="质检备注").status_code == 403
    assert client.get(reverse("worktickets:ticket_new")).status_code == 403
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("new", 1)
    assert kinds(ticket) == ["created"]


def test_desk_pages_need_sign_in(client):
    response = client.get(reverse("worktickets:my_queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unknown_action_is_not_found(client, agent_user):
    ticket = make_ticket(created_by=agent_user)
    as_user(client, agent_user)
    assert act(client, ticket, "destroy").status_code == 404


# ---------------------------------------------------------------- queues and search


def test_my_queue_lists_my_active_tickets_by_nearest_deadline_then_priority(
    client, agent_user, hotline_team
):
    now = timezone.now()
    late = TicketFactory(
        team=hotline_team, assignee=agent_user, sla_due_at=now + datetime.timedelta(hours=2)
    )
    soon = TicketFactory(
        team=hotline_team, assignee=agent_user, sla_due_at=now + datetime.timedelta(minutes=5)
    )
    urgent_no_clock = TicketFactory(team=hotline_team, assignee=agent_user, priority=4)
    normal_no_clock = TicketFactory(team=hotline_team, assignee=agent_user, priority=2)
    closed = TicketFactory(team=hotline_team, assignee=agent_user, status="closed")
    someone_elses = TicketFactory(team=hotline_team)
    as_user(client, agent_user)

    page = client.get(reverse("worktickets:my_queue")).content.decode()

    positions = [page.index(t.number) for t in (soon, late, urgent_no_clock, normal_no_clock)]
    assert positions == sorted(positions)
    assert closed.number not in page and someone_elses.number not in page


def test_queue_rows_show_the_masked_phone_and_the_vip_tier(client, agent_user, hotline_team):
    customer = CustomerFactory(phone="13812345678", vip_tier="gold")
    TicketFactory(team=hotline_team, assignee=agent_user, customer=customer)
    as_user(client, agent_user)

    page = client.get(reverse("worktickets:my_queue")).content.decode()

    assert "138****5678" in page and "13812345678" not in page
    assert "tier-gold" in page


def test_queue_rows_show_no_vip_badge_for_a_prepaid_tier_holder(client, agent_user, hotline_team):
    customer = CustomerFactory(vip_tier="gold", payment_type="prepaid")
    TicketFactory(team=hotline_team, assignee=agent_user, customer=customer)
    as_user(client, agent_user)

    page = client.get(reverse("worktickets:my_queue")).content.decode()

    assert "tier-gold" not in page


def test_team_lead_of_two_teams_switches_between_their_queues(client, lead_user, hotline_team):
    second = TeamFactory(name="Hotline night")
    second.lead = lead_user
    second.save()
    day_ticket = TicketFactory(team=hotline_team)
    night_ticket = TicketFactory(team=second)
    as_user(client, lead_user)

    both = client.get(reverse("worktickets:team_queue")).content.decode()
    night_only = client.get(reverse("worktickets:team_queue"), {"team": second.pk}).content.decode()

    assert day_ticket.number in both and night_ticket.number in both
    assert 'name="team"' in both
    assert night_ticket.number in night_only and day_ticket.number not in night_only


def test_agent_cannot_switch_to_another_teams_queue(client, agent_user, other_team):
    foreign = TicketFactory(team=other_team)
    as_user(client, agent_user)

    page = client.get(reverse("worktickets:team_queue"), {"team": other_team.pk}).content.decode()

    assert foreign.number not in page


def test_search_by_ticket_number_jumps_to_the_ticket(client, agent_user):
    ticket = make_ticket(created_by=agent_user)
    as_user(client, agent_user)

    response = client.get(reverse("worktickets:search"), {"q": f" {ticket.number.lower()} "})

    assert response.status_code == 302
    assert response["Location"] == reverse("worktickets:ticket_detail", args=[ticket.pk])


def test_search_by_another_teams_ticket_number_finds_nothing(client, agent_user, outsider_user):
    ticket = make_ticket(created_by=outsider_user)
    as_user(client, agent_user)

    response = client.get(reverse("worktickets:search"), {"q": ticket.number})

    assert response.status_code == 200
    assert reverse("worktickets:ticket_detail", args=[ticket.pk]) not in response.content.decode()


def test_search_by_phone_lists_that_callers_tickets(client, agent_user):
    customer = CustomerFactory(phone="13900001111")
    theirs = make_ticket(created_by=agent_user, customer=customer)
    other = make_ticket(created_by=agent_user, customer=CustomerFactory())
    as_user(client, agent_user)

    page = client.get(reverse("worktickets:search"), {"q": "139 0000 1111"}).content.decode()

    assert theirs.number in page and other.number not in page
    assert customer.name in page


# ---------------------------------------------------------------- the ticket page


def test_ticket_page_shows_the_customer_panel_masked(client, agent_user):
    customer = CustomerFactory(
        phone="13812345678", vip_tier="diamond", payment_type="postpaid", city="杭州"
    )
    earlier = make_ticket(created_by=agent_user, customer=customer, subject="上次的咨询")
    ContactFactory(customer=customer, summary="来电询问话费")
    ticket = make_ticket(created_by=agent_user, customer=customer)
    as_user(client, agent_user)

    page = detail(client, ticket).content.decode()

    assert "tier-diamond" in page and "杭州" in page
    assert "138****5678" in page and "13812345678" not in page
    assert customer.id_number not in page
    assert earlier.number in page and "来电询问话费" in page


def test_a_lead_sees_the_phone_masked_and_reveals_it_with_a_reason(client, agent_user, lead_user):
    customer = CustomerFactory(phone="13812345678")
    ticket = make_ticket(created_by=agent_user, customer=customer, caller_number="13812345678")
    as_user(client, lead_user)

    page = detail(client, ticket).content.decode()
    revealed = client.post(
        reverse("worktickets:reveal_caller", args=[ticket.pk]), {"reveal_reason": "回拨"}
    )

    assert "13812345678" not in page and "138****5678" in page
    assert reverse("worktickets:reveal_caller", args=[ticket.pk]) in page
    assert "13812345678" in revealed.content.decode()
    access = customer.data_accesses.get(user=lead_user)
    assert (access.action, access.reason) == ("reveal", "回拨")


def test_the_caller_number_of_a_ticket_one_may_not_see_is_not_revealed(
    client, agent_user, outsider_user
):
    from django.contrib.auth.models import Permission

    outsider_user.user_permissions.add(Permission.objects.get(codename="view_full_personal_data"))
    ticket = make_ticket(
        created_by=agent_user, customer=CustomerFactory(), caller_number="13812345678"
    )
    as_user(client, outsider_user)

    response = client.post(
        reverse("worktickets:reveal_caller", args=[ticket.pk]), {"reveal_reason": "好奇"}
    )

    assert response.status_code == 404
    assert "13812345678" not in response.content.decode()


def test_a_queue_view_writes_no_audit_rows(client, agent_user, lead_user, hotline_team):
    for _ in range(7):
        TicketFactory(team=hotline_team, customer=CustomerFactory())
    as_user(client, lead_user)

    assert client.get(reverse("worktickets:team_queue")).status_code == 200
    assert not PersonalDataAccess.objects.exists()


# ---------------------------------------------------------------- a new ticket


def test_ineligible_business_type_is_refused_with_the_reason_keeping_the_form(english, agent_user):
    client = as_user(english, agent_user)
    prepaid = CustomerFactory(payment_type="prepaid")

    response = open_ticket(
        client,
        kind="business",
        channel="walk_in",
        customer=prepaid.pk,
        business_type=business_type("ownership_transfer").pk,
        subject="我要过户",
    )

    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "is not available to Prepaid customers" in body
    assert 'value="我要过户"' in body
    assert not Ticket.objects.exists()


def test_business_type_refused_for_the_channel_names_the_channels_that_can(english, agent_user):
    client = as_user(english, agent_user)
    postpaid = CustomerFactory(payment_type="postpaid")

    response = open_ticket(
        client,
        kind="business",
        channel="hotline",
        customer=postpaid.pk,
        business_type=business_type("ownership_transfer").pk,
        subject="电话里要过户",
    )

    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "cannot be handled through Hotline" in body
    assert "Channels that can handle it: Walk-in hall" in body
    assert not Ticket.objects.exists()


def test_business_type_select_lists_only_what_the_customer_may_have_through_the_channel(
    client, agent_user
):
    prepaid = CustomerFactory(payment_type="prepaid")
    as_user(client, agent_user)

    response = client.get(
        reverse("worktickets:business_type_options"),
        {"customer": prepaid.pk, "channel": "hotline"},
        **HX,
    )

    options = response.content.decode()
    assert f'value="{business_type("product_order_change").pk}"' in options
    assert f'value="{business_type("ownership_transfer").pk}"' not in options  # postpaid only
    assert f'value="{business_type("network_entry").pk}"' not in options  # not by hotline


def test_unknown_caller_is_registered_inline_and_the_ticket_opens_for_them(client, agent_user):
    as_user(client, agent_user)
    lookup = client.get(reverse("worktickets:caller_lookup"), {"phone": "13911112222"}, **HX)
    assert lookup.status_code == 200
    assert 'name="caller-name"' in lookup.content.decode()
    assert "caller-changed" in lookup["HX-Trigger-After-Swap"]

    registered = client.post(
        reverse("worktickets:caller_register"),
        {
            "phone": "13911112222",
            "subject": "正在输入的标题",
            "caller-name": "王小明",
            "caller-phone": "13911112222",
            "caller-customer_type": "individual",
            "caller-payment_type": "postpaid",
            "caller-vip_tier": "none",
            "caller-region": "urban",
        },
        **HX,
    )

    assert registered.status_code == 200
    customer = Customer.objects.get(phone="13911112222")
    assert f'value="{customer.pk}" checked' in registered.content.decode()
    response = open_ticket(client, customer=customer.pk, phone="13911112222")
    assert response.status_code == 302
    assert Ticket.objects.get().customer == customer


def test_inline_registration_with_a_bad_phone_keeps_what_was_typed(client, agent_user):
    as_user(client, agent_user)

    response = client.post(
        reverse("worktickets:caller_register"),
        {
            "caller-name": "王小明",
            "caller-phone": "12",
            "caller-customer_type": "individual",
            "caller-payment_type": "prepaid",
            "caller-vip_tier": "none",
            "caller-region": "urban",
        },
        **HX,
    )

    assert response.status_code == 400
    assert 'value="王小明"' in response.content.decode()
    assert not Customer.objects.exists()


def test_known_caller_lookup_shows_their_card_and_recent_tickets(client, agent_user):
    customer = CustomerFactory(phone="13922223333", vip_tier="silver")
    earlier = make_ticket(created_by=agent_user, customer=customer)
    as_user(client, agent_user)

    response = client.get(reverse("worktickets:caller_lookup"), {"phone": "13922223333"}, **HX)

    body = response.content.decode()
    assert f'value="{customer.pk}" checked' in body
    assert earlier.number in body and "tier-silver" in body
    assert "caller-name" not in body


def test_ticket_opens_from_a_contact_record(client, agent_user):
    contact = ContactFactory(channel="online_chat", agent=agent_user, summary="在线咨询宽带提速")
    as_user(client, agent_user)

    form = client.get(reverse("worktickets:ticket_new"), {"contact": contact.pk}).content.decode()
    assert f'name="contact" value="{contact.pk}"' in form
    assert '<option value="online_chat" selected>' in form
    assert f'value="{contact.customer.pk}" checked' in form
    assert "在线咨询宽带提速" in form

    response = open_ticket(
        client, contact=contact.pk, customer=contact.customer.pk, channel="online_chat"
    )

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.contact, ticket.customer, ticket.channel) == (
        contact,
        contact.customer,
        "online_chat",
    )
    assert ticket.caller_number == contact.caller_number


def test_unknown_caller_of_a_contact_is_registered_with_the_contacts_number(client, agent_user):
    contact = ContactFactory(customer=None, caller_number="13733334444")
    as_user(client, agent_user)

    form = client.get(reverse("worktickets:ticket_new"), {"contact": contact.pk}).content.decode()
    assert "caller-name" in form
    assert "13733334444" not in form  # an agent sees the caller's number masked

    response = client.post(
        reverse("worktickets:caller_register"),
        {
            "contact": contact.pk,
            "caller-name": "李四",
            "caller-phone": "",
            "caller-customer_type": "individual",
            "caller-payment_type": "prepaid",
            "caller-vip_tier": "none",
            "caller-region": "rural",
        },
        **HX,
    )

    assert response.status_code == 200
    assert Customer.objects.get(name="李四").phone == "13733334444"


def test_new_ticket_without_a_subject_keeps_everything_typed(client, agent_user):
    customer = CustomerFactory()
    as_user(client, agent_user)

    response = open_ticket(
        client, customer=customer.pk, subject="", description="客户的详细描述", priority=4
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "客户的详细描述" in body
    assert f'value="{customer.pk}" checked' in body
    assert '<option value="4" selected>' in body
    assert not Ticket.objects.exists()


def test_business_order_for_an_unregistered_caller_is_refused(english, agent_user):
    client = as_user(english, agent_user)

    response = open_ticket(
        client,
        kind="business",
        phone="13955556666",
        business_type=business_type("product_order_change").pk,
        subject="办套餐",
    )

    assert response.status_code == 400
    assert "needs a registered customer" in html.unescape(response.content.decode())
    assert not Ticket.objects.exists()


# ---------------------------------------------------------------- language


def test_desk_speaks_chinese_by_default(client, agent_user):
    ticket = make_ticket(created_by=agent_user)
    as_user(client, agent_user)

    queue = client.get(reverse("worktickets:team_queue")).content.decode()
    page = detail(client, ticket).content.decode()

    assert "班组队列" in queue and "新建工单" in queue
    assert "接单" in page and "处理记录" in page and "首问负责人" in page
    assert "Timeline" not in page


def test_a_complaint_ticket_opens_on_the_complaint_page(client, agent_user):
    from tests.factories import TeamFactory, make_complaint

    TeamFactory(name="市场与法律合规组", kind="market_legal")
    complaint = make_complaint(recorded_by=agent_user, category="billing")
    client.force_login(agent_user)
    response = client.get(f"/tickets/{complaint.ticket_id}/")
    assert response.status_code == 302
    assert response["Location"] == f"/complaints/{complaint.ticket_id}/"
