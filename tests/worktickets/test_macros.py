"""Macros (canned replies): variables filled from the ticket, unknown ones refused
when saved, personal ones seen by their owner only, shared ones by their team (or
every team), the ticket's category first, and each use counted."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from csc.lib.errors import DomainError, NotAllowed
from csc.lib.reference import forget_reference_data
from tests.factories import AgentFactory, CustomerFactory, TicketFactory, UserFactory
from worktickets import macros
from worktickets.models import InquiryCategory, Macro

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
REPLY = Macro.AppliesTo.REPLY
RESOLUTION = Macro.AppliesTo.RESOLUTION


def personal(owner, name="问候", text="您好，{customer_name}", **fields) -> Macro:
    return macros.macro_create(owner=owner, name=name, text=text, applies_to=REPLY, **fields)


def shared(owner, team, name="共享", text="工单 {ticket_number}", **fields) -> Macro:
    return macros.macro_create(
        owner=owner, name=name, text=text, applies_to=REPLY, is_shared=True, team=team, **fields
    )


@pytest.fixture
def ticket(hotline_team):
    customer = CustomerFactory(name="王小明")
    return TicketFactory(team=hotline_team, customer=customer, number="T20261206-000042")


# --- the template ---------------------------------------------------------------------------


def test_every_variable_is_filled_from_the_ticket_and_the_agent(ticket, agent_user):
    due = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)  # 17:30 in Shanghai
    ticket.sla_due_at = due
    text = (
        "{customer_name}您好，工单{ticket_number}将于{due_at}前处理，{agent_name}，补偿{amount}元"
    )

    values = macros.ticket_values(ticket, agent_user, amount="50")
    rendered = macros.render_macro(text, values)

    assert rendered == (
        f"王小明您好，工单T20261206-000042将于2026-12-07 17:30前处理，"
        f"{agent_user.display_name}，补偿50元"
    )


def test_a_variable_without_a_value_stays_for_the_agent_to_fill_in(ticket, agent_user):
    values = macros.ticket_values(ticket, agent_user)  # no deadline, no amount

    assert macros.render_macro("{due_at}前，{amount}元", values) == "{due_at}前，{amount}元"


def test_the_template_reaches_nothing_but_its_variables(ticket, agent_user):
    values = macros.ticket_values(ticket, agent_user)

    assert macros.render_macro("{ticket.customer.phone} {0} {}", values) == (
        "{ticket.customer.phone} {0} {}"
    )


def test_an_unknown_variable_is_refused_when_the_macro_is_saved(agent_user):
    with pytest.raises(DomainError) as refused:
        personal(agent_user, text="您好 {customer_nam}，{phone}")

    assert "{customer_nam}" in refused.value.details["text"][0]
    assert "{phone}" in refused.value.details["text"][0]
    assert not Macro.objects.exists()


def test_an_unknown_variable_is_refused_when_a_macro_is_changed(agent_user):
    macro = personal(agent_user)

    with pytest.raises(DomainError):
        macros.macro_update(
            macro,
            by=agent_user,
            name=macro.name,
            text="{balance}",
            applies_to=REPLY,
            is_shared=False,
            team=None,
            category=None,
            is_active=True,
        )

    macro.refresh_from_db()
    assert macro.text == "您好，{customer_name}"


def test_the_form_shows_the_refusal_next_to_the_text_and_keeps_what_was_typed(english, agent_user):
    english.force_login(agent_user)

    response = english.post(
        reverse("worktickets:macro_new"),
        {"name": "退费", "applies_to": "reply", "text": "退还 {refund} 元"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Unknown variable(s): {refund}." in page
    assert "退还 {refund} 元" in page and 'value="退费"' in page
    assert not Macro.objects.exists()


def test_the_admin_refuses_an_unknown_variable(agent_user):
    from worktickets.admin import MacroAdminForm

    form = MacroAdminForm(
        {"name": "x", "applies_to": "reply", "text": "{foo}", "owner": agent_user.pk}
    )

    assert not form.is_valid()
    assert "{foo}" in form.errors["text"][0]


# --- who sees which ---------------------------------------------------------------------------


def test_a_personal_macro_is_its_owners_alone(ticket, agent_user, hotline_team):
    colleague = UserFactory(username="colleague", roles=["agent"])
    AgentFactory(user=colleague, team=hotline_team)
    mine = personal(agent_user)

    assert macros.macros_for(agent_user, ticket, REPLY) == [mine]
    assert macros.macros_for(colleague, ticket, REPLY) == []


def test_a_shared_macro_serves_its_team_only_and_one_with_no_team_serves_all(
    ticket, agent_user, lead_user, outsider_user, manager_user, hotline_team
):
    team_macro = shared(lead_user, hotline_team, name="本组")
    everyone = shared(manager_user, None, name="全中心")

    assert {m.name for m in macros.macros_for(agent_user, ticket, REPLY)} == {"本组", "全中心"}
    assert macros.macros_for(outsider_user, ticket, REPLY) == [everyone]
    assert team_macro not in macros.visible_macros(outsider_user)


def test_an_agent_may_not_share_and_a_lead_shares_only_with_the_team_they_lead(
    agent_user, lead_user, hotline_team, other_team
):
    with pytest.raises(NotAllowed):
        shared(agent_user, hotline_team)
    with pytest.raises(NotAllowed):
        shared(lead_user, other_team)
    with pytest.raises(NotAllowed):
        shared(lead_user, None)

    assert shared(lead_user, hotline_team).team == hotline_team


def test_only_its_keeper_changes_a_macro(agent_user, lead_user, hotline_team):
    team_macro = shared(lead_user, hotline_team)

    with pytest.raises(NotAllowed):
        macros.macro_update(
            team_macro,
            by=agent_user,
            name="改",
            text="改",
            applies_to=REPLY,
            is_shared=False,
            team=None,
            category=None,
            is_active=True,
        )

    assert not macros.may_keep(agent_user, team_macro)
    assert macros.may_keep(lead_user, team_macro)


def test_an_inactive_macro_and_one_for_another_text_box_are_not_offered(ticket, agent_user):
    personal(agent_user, name="回复")
    macros.macro_create(owner=agent_user, name="解决", text="已解决", applies_to=RESOLUTION)
    retired = personal(agent_user, name="停用")
    Macro.objects.filter(pk=retired.pk).update(is_active=False)

    assert [m.name for m in macros.macros_for(agent_user, ticket, REPLY)] == ["回复"]
    assert [m.name for m in macros.macros_for(agent_user, ticket, RESOLUTION)] == ["解决"]


def test_the_tickets_category_comes_first_then_its_parent_then_general_ones(ticket, agent_user):
    child = InquiryCategory.objects.filter(parent__isnull=False).first()
    parent = child.parent
    other = InquiryCategory.objects.exclude(pk__in=[child.pk, parent.pk]).filter(
        parent__isnull=True
    )[0]
    general = personal(agent_user, name="a 通用")
    Macro.objects.filter(pk=general.pk).update(use_count=99)
    personal(agent_user, name="b 大类", category=parent)
    personal(agent_user, name="c 小类", category=child)
    personal(agent_user, name="d 别类", category=other)
    ticket.category = child
    ticket.save()

    offered = [m.name for m in macros.macros_for(agent_user, ticket, REPLY)]

    assert offered == ["c 小类", "b 大类", "a 通用"]


# --- usage ------------------------------------------------------------------------------------


def test_using_a_macro_counts_it_and_writes_no_history(client, agent_user):
    macro = personal(agent_user)
    client.force_login(agent_user)

    for _ in range(2):
        assert client.post(reverse("worktickets:macro_use", args=[macro.pk])).status_code == 204

    macro.refresh_from_db()
    assert macro.use_count == 2
    assert macro.history.count() == 1  # its creation


def test_a_macro_one_may_not_see_cannot_be_counted(client, agent_user, outsider_user):
    macro = personal(agent_user)
    client.force_login(outsider_user)

    response = client.post(reverse("worktickets:macro_use", args=[macro.pk]))

    assert response.status_code == 404
    with pytest.raises(NotAllowed):
        macros.macro_use(macro, by=outsider_user)
    macro.refresh_from_db()
    assert macro.use_count == 0


def test_the_list_shows_each_macros_use_count(client, lead_user, hotline_team):
    macro = shared(lead_user, hotline_team, name="本组回复")
    Macro.objects.filter(pk=macro.pk).update(use_count=7)
    client.force_login(lead_user)

    page = client.get(reverse("worktickets:macro_list")).content.decode()

    assert "本组回复" in page
    assert '<td class="wt-use-count">7</td>' in page


def test_a_lead_edits_a_shared_macro_from_the_page(client, lead_user, hotline_team):
    macro = shared(lead_user, hotline_team)
    client.force_login(lead_user)

    response = client.post(
        reverse("worktickets:macro_edit", args=[macro.pk]),
        {
            "name": "新名",
            "applies_to": "resolution",
            "text": "已为{customer_name}处理",
            "is_shared": "on",
            "team": hotline_team.pk,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    macro.refresh_from_db()
    assert (macro.name, macro.applies_to, macro.team) == ("新名", "resolution", hotline_team)
    assert macro.history.count() == 2


def test_another_persons_personal_macro_is_not_found(client, agent_user, lead_user):
    macro = personal(agent_user)
    client.force_login(lead_user)

    assert client.get(reverse("worktickets:macro_edit", args=[macro.pk])).status_code == 404


# --- the picker on the ticket page ---------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 12, 6, 9, tzinfo=datetime.UTC), tick=False)
def test_the_picker_offers_the_rendered_text_to_insert_with_one_click(client, ticket, agent_user):
    ticket.sla_due_at = timezone.now() + datetime.timedelta(hours=2)
    ticket.save()
    macro = personal(agent_user, text="{customer_name}您好，请于{due_at}前回电")
    client.force_login(agent_user)

    response = client.get(
        reverse("worktickets:macro_picker", args=[ticket.pk]), {"for": "reply"}, **HX
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="macro-text-reply-{macro.pk}">王小明您好，请于2026-12-06 19:00前回电<' in page
    assert 'data-insert-into="#id_reply_body"' in page
    assert reverse("worktickets:macro_use", args=[macro.pk]) in page


def test_the_picker_refuses_an_unknown_text_box_and_hides_other_teams_tickets(
    client, ticket, outsider_user, agent_user
):
    url = reverse("worktickets:macro_picker", args=[ticket.pk])
    client.force_login(agent_user)
    assert client.get(url, {"for": "note"}).status_code == 400
    client.force_login(outsider_user)
    assert client.get(url, {"for": "reply"}).status_code == 404


def test_the_ticket_page_places_a_picker_beside_the_reply_and_resolution(
    client, hotline_team, agent_user
):
    ticket = TicketFactory(team=hotline_team, assignee=agent_user, status="in_progress")
    client.force_login(agent_user)

    page = client.get(reverse("worktickets:ticket_detail", args=[ticket.pk])).content.decode()

    picker = reverse("worktickets:macro_picker", args=[ticket.pk])
    assert f"{picker}?for=reply" in page
    assert f"{picker}?for=resolution" in page


def test_the_picker_reads_the_same_number_of_queries_however_many_macros(
    client, ticket, agent_user, lead_user, manager_user, hotline_team
):
    client.force_login(agent_user)
    url = reverse("worktickets:macro_picker", args=[ticket.pk])
    ticket.category = InquiryCategory.objects.filter(parent__isnull=False).first()
    ticket.save()

    def queries() -> int:
        forget_reference_data()
        client.get(url, {"for": "reply"})
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"for": "reply"}).status_code == 200
        return len(captured)

    personal(agent_user)
    few = queries()
    for n in range(4):
        personal(agent_user, name=f"p{n}", category=ticket.category)
        shared(lead_user, hotline_team, name=f"t{n}")
        shared(manager_user, None, name=f"g{n}")
    assert queries() == few


def test_the_list_reads_the_same_number_of_queries_however_many_macros(
    client, lead_user, hotline_team
):
    client.force_login(lead_user)
    url = reverse("worktickets:macro_list")

    def queries() -> int:
        forget_reference_data()
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    personal(lead_user)
    few = queries()
    for n in range(5):
        personal(lead_user, name=f"p{n}")
        shared(lead_user, hotline_team, name=f"t{n}")
    assert queries() == few


def test_a_lead_shares_a_new_macro_with_their_team_from_the_page(client, lead_user, hotline_team):
    client.force_login(lead_user)

    response = client.post(
        reverse("worktickets:macro_new"),
        {
            "name": "本组结束语",
            "applies_to": "reply",
            "text": "{agent_name}为您服务",
            "is_shared": "on",
            "team": hotline_team.pk,
        },
    )

    assert response.status_code == 302
    macro = Macro.objects.get()
    assert (macro.is_shared, macro.team, macro.is_active) == (True, hotline_team, True)


def test_an_agent_is_offered_no_sharing_on_the_form(client, agent_user):
    client.force_login(agent_user)

    page = client.get(reverse("worktickets:macro_new")).content.decode()

    assert 'name="text"' in page
    assert 'name="is_shared"' not in page and 'name="team"' not in page
