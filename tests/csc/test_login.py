import datetime

import pytest
import time_machine

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_page_is_in_chinese_by_default(client):
    response = client.get("/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>登录</h1>" in html
    assert 'name="username"' in html and 'name="password"' in html


def test_login_page_is_in_english_when_the_browser_asks(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")

    assert "<h1>Sign in</h1>" in response.content.decode()


def test_correct_password_signs_in_and_lands_on_home(client, agent_user):
    response = _sign_in(client, agent_user.username, PASSWORD)

    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").context["user"] == agent_user


def test_wrong_password_shows_the_form_again_with_an_error(client, agent_user):
    response = _sign_in(client, agent_user.username, "wrong")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not response.context["user"].is_authenticated


def test_signed_in_user_visiting_login_goes_home(client, agent_user):
    client.force_login(agent_user)

    response = client.get("/login/")

    assert response.status_code == 302
    assert response.url == "/"


def test_sign_out_ends_the_session_and_returns_to_login(client, agent_user):
    client.force_login(agent_user)

    response = client.post("/logout/", follow=True)

    assert response.redirect_chain[-1][0] == "/login/"
    assert "您已退出登录" in response.content.decode()
    assert client.get("/").status_code == 302


def test_pages_need_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == "/login/?next=/"


# ---------------------------------------------------------------- throttling

WINDOW = datetime.timedelta(seconds=900)
T0 = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)


def _fail(client, username: str, times: int = 5, **address):
    for attempt in range(times):
        _sign_in(client, username, f"wrong-{attempt}", **address)


def test_five_failures_lock_the_username_out_from_that_address_with_429(client, agent_user):
    _fail(client, agent_user.username, address="10.0.1.1")

    # Even the right password is refused now, from that address.
    response = _sign_in(client, agent_user.username, PASSWORD, address="10.0.1.1")

    assert response.status_code == 429
    assert "登录失败次数过多，请等待 15 分钟后再试。" in response.content.decode()
    assert 'name="username"' in response.content.decode()  # the sign-in page again
    assert not client.session.get("_auth_user_id")


def test_the_directors_right_password_works_after_five_failures_from_another_address(client):
    director = UserFactory(username="director")
    _fail(client, "director", address="203.0.113.66")

    response = _sign_in(client, "director", PASSWORD, address="10.0.2.1")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(director.pk)


def test_failures_for_many_usernames_from_one_address_lock_nobody_else_out(client, agent_user):
    for n in range(20):
        _sign_in(client, f"someone{n}", "wrong", address="10.0.3.3")

    assert _sign_in(client, agent_user.username, PASSWORD, address="10.0.3.3").status_code == 302


def test_four_failures_still_allow_the_right_password(client, agent_user):
    _fail(client, agent_user.username, times=4)

    assert _sign_in(client, agent_user.username, PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_failures(client, agent_user):
    _fail(client, agent_user.username, times=4)
    assert _sign_in(client, agent_user.username, PASSWORD).status_code == 302
    client.logout()

    _fail(client, agent_user.username, times=4)

    assert _sign_in(client, agent_user.username, PASSWORD).status_code == 302


def test_username_lockout_ignores_case_and_spaces(client, agent_user):
    _fail(client, f" {agent_user.username.upper()} ")

    response = _sign_in(client, agent_user.username, PASSWORD)

    assert response.status_code == 429


def test_the_lock_lifts_when_the_window_has_passed_since_the_last_failure(client, agent_user):
    with time_machine.travel(T0, tick=False) as traveller:
        _fail(client, agent_user.username)
        traveller.shift(WINDOW - datetime.timedelta(seconds=1))
        assert _sign_in(client, agent_user.username, PASSWORD).status_code == 429

        traveller.shift(datetime.timedelta(seconds=2))
        assert _sign_in(client, agent_user.username, PASSWORD).status_code == 302


def test_the_admin_sign_in_is_throttled_too(client):
    admin = UserFactory(username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    for attempt in range(5):
        client.post("/admin/login/", {"username": "root", "password": f"wrong-{attempt}"})

    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})

    assert response.status_code == 429
    assert not client.session.get("_auth_user_id")


# ---------------------------------------------------------------- behind the TLS proxy

PROXY = "10.0.0.2"


def _via_proxy(client, username: str, password: str, forwarded_for: str):
    return client.post(
        "/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_the_proxy_clients_are_told_apart_by_their_forwarded_address(
    client, agent_user, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(5):
        _via_proxy(client, agent_user.username, f"wrong-{attempt}", "198.51.100.7")

    locked = _via_proxy(client, agent_user.username, PASSWORD, "198.51.100.7")
    other_desk = _via_proxy(client, agent_user.username, PASSWORD, "198.51.100.8")

    assert locked.status_code == 429
    assert other_desk.status_code == 302


def test_behind_the_proxy_an_address_the_client_made_up_is_not_believed(
    client, agent_user, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(5):
        # The client sends its own X-Forwarded-For; the proxy appends the real address.
        _via_proxy(
            client, agent_user.username, f"wrong-{attempt}", f"192.0.2.{attempt}, 198.51.100.7"
        )

    response = _via_proxy(client, agent_user.username, PASSWORD, "192.0.2.99, 198.51.100.7")

    assert response.status_code == 429


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, agent_user, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(5):
        _via_proxy(client, agent_user.username, f"wrong-{attempt}", f"198.51.100.{attempt}")

    response = _via_proxy(client, agent_user.username, PASSWORD, "198.51.100.99")

    assert response.status_code == 429
