import pytest
from django.urls import reverse

from staffing.models import Notification
from staffing.outbox import notify

pytestmark = pytest.mark.django_db


def test_unread_count_shows_in_the_top_bar_and_clears_when_opened(client, agent_user):
    first = notify(agent_user, kind="ticket.closed", title="工单 T1 已关闭", link="/tickets/")
    notify(agent_user, kind="ticket.assigned", title="工单 T2 已分派给您")
    client.force_login(agent_user)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'class="badge badge-bad">2<' in page
    assert "工单 T1 已关闭" in page
    response = client.get(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/tickets/"
    badge = client.get(reverse("notifications:badge")).content.decode()
    assert 'class="badge badge-bad">1<' in badge
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(recipient=agent_user, read_at__isnull=True).exists()


def test_a_notification_never_redirects_off_site(client, agent_user):
    outside = notify(agent_user, kind="x", title="x", link="https://evil.example/")
    client.force_login(agent_user)
    response = client.get(reverse("notifications:open", args=[outside.pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_nobody_opens_someone_elses_notification(client, agent_user, outsider_user):
    theirs = notify(outsider_user, kind="x", title="x")
    client.force_login(agent_user)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_same_dedupe_key_notifies_once(agent_user):
    assert notify(agent_user, kind="sla", title="a", dedupe_key="clock-1-level-1") is not None
    assert notify(agent_user, kind="sla", title="a", dedupe_key="clock-1-level-1") is None
    assert Notification.objects.filter(recipient=agent_user).count() == 1


def test_notify_many_tells_each_active_person_once_per_key(agent_user, lead_user, outsider_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from staffing.outbox import notify_many

    outsider_user.is_active = False
    outsider_user.save()
    people = [agent_user, lead_user, agent_user, None, outsider_user]

    with CaptureQueriesContext(connection) as queries:
        notify_many(people, kind="complaint", title="重大投诉", dedupe_key="major:1")
    notify_many([*people, lead_user], kind="complaint", title="重大投诉", dedupe_key="major:1")
    notify_many([lead_user], kind="complaint", title="重大投诉", dedupe_key="major:2")
    notify_many([lead_user, lead_user], kind="info", title="通知")

    assert len(queries) == 1
    told = Notification.objects.filter(dedupe_key="major:1")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["agent1", "lead1"]
    assert Notification.objects.filter(dedupe_key="major:2").count() == 1
    assert Notification.objects.filter(kind="info", recipient=lead_user).count() == 1
    assert not Notification.objects.filter(recipient=outsider_user).exists()


def test_notify_many_skips_a_person_told_meanwhile_by_another_call(agent_user, lead_user):
    from staffing.outbox import notify, notify_many

    notify(lead_user, kind="complaint", title="重大投诉", dedupe_key="major:7")

    notify_many([agent_user, lead_user], kind="complaint", title="x", dedupe_key="major:7")
    told = Notification.objects.filter(dedupe_key="major:7")
    assert sorted(told.values_list("recipient__username", "title")) == [
        ("agent1", "x"),
        ("lead1", "重大投诉"),
    ]
