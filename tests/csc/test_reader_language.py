"""Notifications and timeline lines are kept as a message key and parameters and read
in the reader's language, whatever language their writer worked in (issue 14, defect 9)."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop

from csc.lib.phrases import LIST_SEPARATOR, Phrase, joined, phrase_text
from staffing.models import Notification
from staffing.outbox import notify
from tests.factories import make_ticket
from worktickets import services
from worktickets.models import TicketEvent

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_phrase_renders_in_the_language_active_when_read():
    phrase = Phrase(gettext_noop("Ticket %(number)s was assigned to you"), number="T1")
    with translation.override("en"):
        assert str(phrase) == "Ticket T1 was assigned to you"
    with translation.override("zh-hans"):
        assert str(phrase) == "工单 T1 已指派给您"


def test_lazy_labels_and_nested_phrases_render_in_the_readers_language_too():
    stored = joined(
        Phrase(gettext_noop("Reassigned by the team lead")),
        gettext_lazy("Unread"),
        separator=LIST_SEPARATOR,
    ).stored()
    with translation.override("en"):
        assert phrase_text(stored) == "Reassigned by the team lead, Unread"
    with translation.override("zh-hans"):
        assert phrase_text(stored) == "由班长改派、未读"


def test_a_row_without_a_key_or_with_parameters_that_no_longer_fit_reads_its_stored_text():
    assert phrase_text({}, "旧的文字") == "旧的文字"
    assert phrase_text(None, "旧的文字") == "旧的文字"
    broken = {"key": "Ticket %(number)s was assigned to you", "params": {"other": 1}}
    assert phrase_text(broken, "工单 T1 已指派给您") == "工单 T1 已指派给您"


def test_typed_text_in_parameters_is_never_read_as_a_format():
    phrase = Phrase(
        gettext_noop("Upgraded from %(number)s: %(reason)s"), number="C1", reason="100%"
    )
    with translation.override("en"):
        assert str(phrase) == "Upgraded from C1: 100%"


def test_a_notification_written_in_english_reads_in_chinese_to_a_chinese_reader(
    client, agent_user, lead_user
):
    ticket = make_ticket(created_by=lead_user)
    with translation.override("en"):
        services.ticket_reassign(ticket, by=lead_user, version=1, assignee=agent_user)
    notification = Notification.objects.get(recipient=agent_user, kind="ticket.assigned")
    assert notification.title == f"Ticket {ticket.number} was assigned to you"  # as written
    assert notification.message["title"]["params"] == {"number": ticket.number}

    client.force_login(agent_user)
    page = client.get(reverse("notifications:inbox"), **ZH).content.decode()
    assert f"工单 {ticket.number} 已指派给您" in page
    assert "was assigned to you" not in page
    page = client.get(reverse("notifications:inbox"), **EN).content.decode()
    assert f"Ticket {ticket.number} was assigned to you" in page


def test_a_timeline_line_written_in_chinese_reads_in_english_to_an_english_reader(
    client, agent_user, lead_user
):
    ticket = make_ticket(created_by=lead_user)
    with translation.override("zh-hans"):
        services.ticket_reassign(ticket, by=lead_user, version=1, assignee=agent_user)
    line = TicketEvent.objects.get(ticket=ticket, kind="transfer")
    assert line.body == "由班长改派"

    client.force_login(lead_user)
    url = reverse("worktickets:ticket_detail", args=[ticket.pk])
    page = client.get(url, **EN).content.decode()
    assert "Reassigned by the team lead" in page
    assert "由班长改派" not in page
    assert "由班长改派" in client.get(url, **ZH).content.decode()


def test_the_api_gives_the_key_the_parameters_and_the_text_in_the_requests_language(
    client, agent_user, lead_user
):
    ticket = make_ticket(created_by=lead_user)
    with translation.override("zh-hans"):
        services.ticket_reassign(ticket, by=lead_user, version=1, assignee=agent_user)
    client.force_login(lead_user)
    answer = client.get(f"/api/v1/tickets/{ticket.pk}/", **EN).json()
    line = next(row for row in answer["timeline"] if row["kind"] == "transfer")
    assert line["message"] == {"key": "Reassigned by the team lead", "params": {}}
    assert line["text"] == "Reassigned by the team lead"
    assert line["body"] == "由班长改派"


def test_typed_text_keeps_its_words_for_every_reader(client, agent_user):
    ticket = make_ticket(created_by=agent_user)
    services.ticket_add_note(ticket, by=agent_user, body="客户说明天再来")
    line = TicketEvent.objects.get(ticket=ticket, kind="note")
    assert line.message == {}
    with translation.override("en"):
        assert line.text == "客户说明天再来"


def test_anonymising_a_ticket_drops_the_parameters_its_lines_kept(agent_user, lead_user):
    ticket = make_ticket(created_by=lead_user)
    services.ticket_reassign(ticket, by=lead_user, version=1, assignee=agent_user)
    services.tickets_anonymise([ticket.pk])
    line = TicketEvent.objects.get(ticket=ticket, kind="transfer")
    assert "message" not in line.data
    assert line.text == line.body


def test_notify_keeps_plain_titles_as_they_were(agent_user):
    notification = notify(agent_user, kind="test", title="一条消息")
    assert notification is not None
    assert (notification.message, notification.title_text) == ({}, "一条消息")


def test_old_lines_that_say_one_fixed_thing_get_their_key_when_migrating(agent_user):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("worktickets.migrations.0014_timeline_message_keys")
    ticket = make_ticket(created_by=agent_user)
    old = TicketEvent.objects.create(ticket=ticket, kind="transfer", body="由班长改派")
    typed = TicketEvent.objects.create(ticket=ticket, kind="transfer", body="请跟进")

    migration.keep_message_keys(apps, None)

    old.refresh_from_db()
    typed.refresh_from_db()
    with translation.override("en"):
        assert old.text == "Reassigned by the team lead"
        assert typed.text == "请跟进"  # typed text stays as written
    assert typed.message == {}
