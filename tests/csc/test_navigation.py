"""The main navigation shows each role only what it may use."""

import pytest

from csc.navigation import nav_for
from tests.factories import AgentFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

# The items of this part of the product; other apps add their own (e.g. the ticket desk).
CORE_ITEMS = {"首页", "客户", "联络记录", "班组", "数据访问日志", "API", "管理"}


def labels(user) -> set[str]:
    return {str(item["label"]) for item in nav_for(user, "/")} & CORE_ITEMS


def person(role: str, username: str):
    user = UserFactory(username=username, roles=[role])
    AgentFactory(user=user, team=TeamFactory(name=f"{username} team"))
    return user


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("agent", {"首页", "客户", "联络记录"}),
        ("complaint_handler", {"首页", "客户", "联络记录"}),
        ("tech_support", {"首页", "客户", "联络记录"}),
        ("market_legal", {"首页", "客户", "联络记录", "数据访问日志"}),
        ("team_lead", {"首页", "客户", "联络记录", "班组"}),
        ("qa_inspector", {"首页", "客户", "联络记录", "班组"}),
        ("cs_manager", {"首页", "客户", "联络记录", "班组", "数据访问日志", "API"}),
        ("centre_director", {"首页", "客户", "联络记录", "班组", "数据访问日志", "API"}),
    ],
)
def test_each_role_sees_only_its_items(role, expected):
    assert labels(person(role, f"nav-{role}")) == expected


def test_administrator_sees_everything_including_administration():
    admin = UserFactory(username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()

    assert labels(admin) == CORE_ITEMS


def test_administration_needs_staff_status_as_the_admin_site_does():
    # Holding every permission without staff status would only lead to the admin's login.
    user = UserFactory(username="superish")
    user.is_superuser = True
    user.save()

    assert "管理" not in labels(user)


def test_user_without_a_role_sees_only_home():
    assert labels(UserFactory(username="norole")) == {"首页"}


def test_the_current_section_is_marked(agent_user):
    items = {str(item["label"]): item for item in nav_for(agent_user, "/customers/12/")}

    assert items["客户"]["active"] is True
    assert items["首页"]["active"] is False


def test_rendered_page_shows_the_roles_items_and_hides_the_rest(client, agent_user, manager_user):
    client.force_login(agent_user)
    agent_nav = client.get("/").content.decode().split('class="mainnav"', 1)[1].split("</nav>")[0]
    client.force_login(manager_user)
    manager_nav = client.get("/").content.decode().split('class="mainnav"', 1)[1].split("</nav>")[0]

    assert 'href="/customers/"' in agent_nav
    assert 'href="/access-log/"' not in agent_nav
    assert 'href="/admin/"' not in agent_nav
    assert 'href="/access-log/"' in manager_nav


def test_anonymous_visitors_get_no_navigation(client):
    html = client.get("/login/").content.decode()

    assert 'class="mainnav"' not in html


@pytest.mark.parametrize("role", ["agent", "team_lead", "qa_inspector", "cs_manager"])
def test_every_item_shown_opens_for_that_role(client, role):
    user = person(role, f"open-{role}")
    client.force_login(user)

    for item in nav_for(user, "/"):
        response = client.get(item["url"])
        assert response.status_code == 200, (role, item["url"], response.status_code)


def test_hidden_items_are_refused_not_just_hidden(client, agent_user):
    client.force_login(agent_user)

    assert client.get("/team/").status_code == 403
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "/admin/login/" in admin.url


def test_a_managers_bar_groups_its_items_into_menus(client, manager_user):
    from csc.navigation import nav_entries

    entries = nav_entries(nav_for(manager_user, "/rosters/"))
    menus = {str(entry["label"]): entry for entry in entries if "group" in entry}
    assert len(entries) <= 12  # 25 items, one line
    assert {str(item["label"]) for item in menus["排班"]["items"]} >= {"排班表", "交接班"}
    assert menus["排班"]["active"] is True  # the current page's menu is marked
    client.force_login(manager_user)
    nav = client.get("/").content.decode().split('class="mainnav"', 1)[1].split("</nav>")[0]
    assert nav.count("<details") == len(menus)
    assert 'href="/access-log/"' in nav  # inside its menu


def test_a_menu_of_one_item_is_that_item(agent_user):
    from csc.navigation import nav_entries

    # An agent sees the customers' pages and nothing else of the administration.
    entries = nav_entries(nav_for(agent_user, "/"))
    singles = [entry["item"] for entry in entries if "item" in entry]
    groups = [entry for entry in entries if "group" in entry]
    assert all(len(group["items"]) > 1 for group in groups)
    assert {str(item["label"]) for item in singles} >= {"首页"}
