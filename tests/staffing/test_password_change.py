"""Staff change their own password, judged by AUTH_PASSWORD_VALIDATORS."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "Lantern-Harbour-47!"


def _change(client, old=PASSWORD, new=NEW, again=None):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def test_signed_in_staff_find_the_change_password_link_in_the_user_menu(client, agent_user):
    client.force_login(agent_user)

    header = client.get(reverse("home")).content.decode().split("</header>")[0]

    assert f'href="{reverse("password_change")}"' in header


def test_an_agent_changes_their_password_and_stays_signed_in(client, agent_user):
    client.force_login(agent_user)

    response = _change(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    agent_user.refresh_from_db()
    assert agent_user.check_password(NEW)
    assert client.get(reverse("password_change_done")).status_code == 200
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    "weak",
    ["12345678", "password", "short1!", "agent1!!x"],
    ids=["numeric", "common", "too short", "like the username"],
)
def test_a_weak_new_password_is_refused_with_the_validators_reason(client, agent_user, weak):
    agent_user.username = "agent1"
    agent_user.save()
    client.force_login(agent_user)

    response = _change(client, new=weak)

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    agent_user.refresh_from_db()
    assert agent_user.check_password(PASSWORD)


def test_the_current_password_must_be_right(client, agent_user):
    client.force_login(agent_user)

    response = _change(client, old="not-my-password")

    assert response.context["form"].errors["old_password"]
    agent_user.refresh_from_db()
    assert agent_user.check_password(PASSWORD)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
