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
