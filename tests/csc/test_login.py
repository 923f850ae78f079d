import pytest

from tests.factories import PASSWORD

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


def test_five_failures_for_a_username_lock_it_out_with_429(client, agent_user):
    for attempt in range(5):
        _sign_in(client, agent_user.username, f"wrong-{attempt}", address=f"10.0.1.{attempt}")

    # Even the right password is refused now, from yet another address.
    response = _sign_in(client, agent_user.username, PASSWORD, address="10.0.2.1")

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_five_failures_from_one_address_lock_that_address_out(client, agent_user):
    for attempt in range(5):
        _sign_in(client, f"someone{attempt}", "wrong", address="10.0.3.3")

    blocked = _sign_in(client, agent_user.username, PASSWORD, address="10.0.3.3")
    elsewhere = _sign_in(client, agent_user.username, PASSWORD, address="10.0.3.4")

    assert blocked.status_code == 429
    assert elsewhere.status_code == 302


def test_four_failures_still_allow_the_right_password(client, agent_user):
    for attempt in range(4):
        _sign_in(client, agent_user.username, f"wrong-{attempt}")

    assert _sign_in(client, agent_user.username, PASSWORD).status_code == 302


def test_username_lockout_ignores_case_and_spaces(client, agent_user):
    for attempt in range(5):
        _sign_in(client, f" {agent_user.username.upper()} ", "wrong", address=f"10.0.4.{attempt}")

    response = _sign_in(client, agent_user.username, PASSWORD, address="10.0.5.1")

    assert response.status_code == 429
