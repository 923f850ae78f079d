"""Letters the outbox writes for the mail room: unguessable names, and downloaded
only by people who may read the outbox."""

from pathlib import Path

import pytest
from django.urls import reverse

from staffing.models import OutboxMessage
from staffing.outbox import outbox_deliver
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _letter(recipient="王芳\n北京市朝阳区建国路 1 号") -> OutboxMessage:
    message = OutboxMessage.objects.create(
        channel=OutboxMessage.Channel.LETTER,
        recipient=recipient,
        subject="投诉处理结果",
        body="您的投诉已处理。",
    )
    assert outbox_deliver(message.pk)
    return message


def test_a_letter_is_stored_under_a_name_that_tells_nothing_of_the_next(settings):
    first, second = _letter(), _letter()

    names = sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "letters").iterdir())

    assert len(names) == 2
    assert f"letter-{first.pk}.txt" not in names and f"letter-{second.pk}.txt" not in names
    assert all(len(name) > len(f"letter-{second.pk}.txt") + 30 for name in names)


def test_the_outbox_reader_downloads_a_letter_as_an_attachment(client, settings):
    message = _letter()
    admin = UserFactory(username="admin1", roles=["administrator"])
    client.force_login(admin)

    response = client.get(reverse("letter_download", args=[message.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="letter-{message.pk}.txt"'
    assert "您的投诉已处理。" in b"".join(response.streaming_content).decode()


def test_a_letter_written_under_the_old_plain_name_still_downloads(client, settings):
    message = OutboxMessage.objects.create(
        channel=OutboxMessage.Channel.LETTER, recipient="李雷", status="sent"
    )
    folder = Path(settings.MEDIA_ROOT) / "letters"
    folder.mkdir(parents=True)
    (folder / f"letter-{message.pk}.txt").write_text("旧信件", encoding="utf-8")
    client.force_login(UserFactory(username="admin1", roles=["administrator"]))

    response = client.get(reverse("letter_download", args=[message.pk]))

    assert b"".join(response.streaming_content).decode() == "旧信件"


def test_an_agent_may_not_download_letters(client, agent_user):
    message = _letter()
    client.force_login(agent_user)

    assert client.get(reverse("letter_download", args=[message.pk])).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    message = _letter()

    response = client.get(reverse("letter_download", args=[message.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
