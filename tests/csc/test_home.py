"""Each role lands on its own page at /, with real figures at a constant query cost."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csc.selectors import service_level_today
from intake.choices import Channel, Disposition
from staffing.models import Agent, Skill
from tests.factories import AgentFactory, ContactFactory, CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 10, 15, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _frozen_afternoon():
    with time_machine.travel(NOW, tick=False):
        yield


def call(wait: float | None, *, customer="default", channel=Channel.HOTLINE, agent=None, **kw):
    """A contact queued an hour ago: answered after `wait` seconds, or abandoned (wait=None)."""
    queued_at = kw.pop("queued_at", NOW - datetime.timedelta(hours=1))
    answered_at = None if wait is None else queued_at + datetime.timedelta(seconds=wait)
    ended_after = kw.pop("abandon_after", None)
    ended_at = (
        queued_at + datetime.timedelta(seconds=ended_after)
        if wait is None
        else answered_at + datetime.timedelta(minutes=3)
    )
    extra = {} if customer == "default" else {"customer": customer}
    return ContactFactory(
        channel=channel,
        queued_at=queued_at,
        answered_at=answered_at,
        ended_at=ended_at,
        agent=agent,
        disposition=Disposition.ABANDONED if wait is None else Disposition.RESOLVED,
        **extra,
        **kw,
    )


def persona(role: str, team_kind: str, username: str):
    user = UserFactory(username=username, roles=[role])
    AgentFactory(user=user, team=TeamFactory(name=f"{username} team", kind=team_kind))
    return user


# --- service level (DOMAIN.md P-8) -------------------------------------------------


def test_service_level_counts_answers_within_20_seconds_and_drops_short_abandons():
    gold = CustomerFactory(vip_tier="gold")
    call(10)
    call(20)  # exactly on target still counts
    call(35)
    call(None, abandon_after=3)  # hung up within 5 s: left out
    call(None, abandon_after=60)  # gave up after the target: a miss
    call(8, customer=None, caller_number="13900000000")  # anonymous callers queue as general
    call(0, channel=Channel.IVR)  # self-service never enters the human queue
    call(5, channel=Channel.ONLINE_CHAT)
    call(5, queued_at=NOW - datetime.timedelta(days=1))  # yesterday
    call(5, customer=gold)
    call(25, customer=gold)
    call(None, customer=gold, abandon_after=2)

    general, vip = service_level_today()

    assert (general.answered_in_target, general.offered) == (3, 5)
    assert general.percent == 60.0
    assert general.target_percent == 70
    assert general.met is False
    assert (vip.answered_in_target, vip.offered) == (1, 2)
    assert vip.target_percent == 85


def test_the_vip_queue_counts_postpaid_vips_only():
    # CA-4: a prepaid caller with a recorded tier queues as general.
    call(5, customer=CustomerFactory(vip_tier="gold", payment_type="postpaid"))
    call(5, customer=CustomerFactory(vip_tier="gold", payment_type="prepaid"))

    general, vip = service_level_today()

    assert (general.offered, vip.offered) == (1, 1)


def test_service_level_without_calls_is_unknown_not_zero():
    general, vip = service_level_today()

    assert general.rate is None and general.met is None
    assert vip.percent is None


def test_day_starts_at_midnight_in_shanghai_not_utc():
    # 07:30 Shanghai is 23:30 UTC the day before: still today here.
    call(5, queued_at=datetime.datetime(2026, 3, 10, 7, 30, tzinfo=SHANGHAI))
    call(5, queued_at=datetime.datetime(2026, 3, 9, 23, 59, tzinfo=SHANGHAI))

    general, _vip = service_level_today()

    assert general.offered == 1


# --- landing pages -----------------------------------------------------------------


def test_agent_lands_on_their_desk_with_their_contacts_today(client, agent_user, outsider_user):
    mine = CustomerFactory(name="韩梅梅", phone="13812345678")
    call(12, customer=mine, agent=agent_user, summary="查询话费")
    call(
        12,
        customer=CustomerFactory(name="昨日客户"),
        agent=agent_user,
        queued_at=NOW - datetime.timedelta(days=1),
    )
    call(12, customer=CustomerFactory(name="别组客户"), agent=outsider_user)
    client.force_login(agent_user)

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>我的工作台</h1>" in html
    assert "韩梅梅" in html and "138****5678" in html
    assert "13812345678" not in html
    assert "昨日客户" not in html and "别组客户" not in html
    assert 'action="/customers/"' in html and 'name="q"' in html
    assert 'hx-post="/team/status/"' in html
    assert "Hotline A" in html  # their team


def test_agent_desk_is_in_english_when_asked(client, agent_user):
    client.force_login(agent_user)

    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<h1>My desk</h1>" in html


def test_team_lead_lands_on_the_team_board(client, lead_user, agent_user, outsider_user):
    hotline = Skill.objects.create(code="hotline", name="热线接听")
    agent_user.agent.skills.add(hotline)
    agent_user.agent.status = Agent.Status.BREAK
    agent_user.agent.save()
    call(10, agent=agent_user)
    call(40, agent=agent_user)
    call(10, agent=agent_user, channel=Channel.ONLINE_CHAT)
    call(10, agent=outsider_user)  # another team
    client.force_login(lead_user)

    response = client.get("/")

    html = response.content.decode()
    assert "<h1>班组看板 · Hotline A</h1>" in html
    board = response.context["board"]
    rows = {row.agent.user.username: row for row in board.rows}
    assert set(rows) == {"agent1", "lead1"}
    assert rows["agent1"].contacts_today == 3
    assert rows["lead1"].contacts_today == 0
    assert {c["channel"]: c["count"] for c in board.channels} == {"hotline": 2, "online_chat": 1}
    assert "热线接听" in html and "小休" in html
    assert "今日热线服务水平" in html
    assert "66.7%" in html  # 2 of the centre's 3 hotline calls within 20 s
    assert "其他班组的看板" in html  # leads may open the other teams' boards


def test_complaint_handler_tech_support_and_legal_see_their_team_board(client):
    for role, kind, name in [
        ("complaint_handler", "complaints", "handler"),
        ("tech_support", "tech_support", "tech"),
        ("market_legal", "market_legal", "legal"),
    ]:
        client.force_login(persona(role, kind, name))

        html = client.get("/").content.decode()

        assert f"<h1>班组看板 · {name} team</h1>" in html
        assert 'hx-post="/team/status/"' in html  # their own status, not others'
        assert "其他班组的看板" not in html  # read only: no other boards


def test_qa_inspector_sees_answered_contacts_across_teams(
    client, qa_user, agent_user, outsider_user
):
    call(10, customer=CustomerFactory(name="甲客户"), agent=agent_user)
    call(10, customer=CustomerFactory(name="乙客户"), agent=outsider_user)
    call(None, customer=CustomerFactory(name="放弃客户"), abandon_after=30)
    call(0, customer=CustomerFactory(name="自助客户"), channel=Channel.IVR)
    client.force_login(qa_user)

    html = client.get("/").content.decode()

    assert "<h1>待质检联络</h1>" in html
    assert "甲客户" in html and "乙客户" in html
    assert "Hotline A" in html and "Hotline B" in html
    assert "放弃客户" not in html and "自助客户" not in html


@pytest.mark.parametrize("role", ["cs_manager", "centre_director"])
def test_manager_and_director_see_the_centre_overview(client, role, agent_user, outsider_user):
    call(10, agent=agent_user)
    call(None, abandon_after=30)
    call(10, channel=Channel.WALK_IN, agent=outsider_user)
    agent_user.agent.status = Agent.Status.AVAILABLE
    agent_user.agent.save()
    client.force_login(persona(role, "management", "boss"))

    response = client.get("/")

    html = response.content.decode()
    assert "<h1>中心概览</h1>" in html
    assert response.context["contacts_today"] == 3
    assert response.context["abandoned_today"] == 1
    assert {c["channel"]: c["count"] for c in response.context["channels"]} == {
        "hotline": 2,
        "walk_in": 1,
    }
    statuses = {row["status"]: row["count"] for row in response.context["statuses"]}
    assert statuses["available"] == 1 and statuses["offline"] == 2
    teams = {team.name: team.headcount for team in response.context["teams"]}
    assert teams["Hotline A"] == 1 and teams["Hotline B"] == 1
    assert "目标 70%" in html and "目标 85%" in html
    assert "/admin/" not in html.split("<main", 1)[1]


def sign_in_superuser(client) -> None:
    admin = UserFactory(username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)


def test_administrator_overview_links_admin_and_api_docs(client):
    sign_in_superuser(client)

    html = client.get("/").content.decode()

    assert "<h1>中心概览</h1>" in html
    main = html.split("<main", 1)[1]
    assert 'href="/admin/"' in main and 'href="/api/docs/"' in main


def test_the_admin_is_named_for_the_centre_and_leads_back_to_it(client):
    sign_in_superuser(client)

    html = client.get("/admin/").content.decode()
    english = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<title>配置与记录 | 客服中心管理后台</title>" in html
    assert "Customer-service centre administration" in english and "Django" not in english
    assert 'href="/"' in html


def test_user_without_a_role_is_told_so(client):
    client.force_login(UserFactory(username="newcomer"))

    response = client.get("/")

    assert response.status_code == 200
    assert "<h1>您的账号尚未分配角色</h1>" in response.content.decode()


def test_team_lead_without_a_team_gets_a_clear_page(client):
    client.force_login(UserFactory(username="floating", roles=["team_lead"]))

    html = client.get("/").content.decode()

    assert "您还不属于任何班组" in html


# --- the team board at /team/ ------------------------------------------------------


def test_team_board_needs_the_view_agent_permission(client, agent_user):
    client.force_login(agent_user)

    assert client.get("/team/").status_code == 403


def test_team_board_shows_the_viewers_team_or_the_one_picked(client, lead_user, outsider_user):
    client.force_login(lead_user)

    own = client.get("/team/")
    other = client.get(f"/team/?team={outsider_user.agent.team_id}")

    assert own.context["team"].name == "Hotline A"
    assert other.context["team"].name == "Hotline B"
    assert [r.agent.user.username for r in other.context["board"].rows] == ["outsider1"]
    assert client.get("/team/?team=999999").status_code == 404


# --- live figures: the boards refresh themselves -----------------------------------

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


def test_the_overview_figures_refresh_in_place(client, manager_user, agent_user):
    client.force_login(manager_user)
    page = client.get("/").content.decode()
    assert 'hx-get="/?live=1" hx-trigger="every 30s"' in page

    call(10, agent=agent_user)
    live = client.get("/?live=1", **HX)

    html = live.content.decode()
    assert html.lstrip().startswith('<div id="live-figures"') and "<html" not in html
    assert live.context["contacts_today"] == 1
    assert "数据截至 15:00:00，每 30 秒刷新" in html


def test_a_team_board_refreshes_the_team_it_shows(client, lead_user, outsider_user):
    client.force_login(lead_user)
    other = outsider_user.agent.team_id

    home = client.get("/?live=1", **HX)
    board = client.get(f"/team/?team={other}&live=1", **HX)

    assert home.context["team"].name == "Hotline A" and "<html" not in home.content.decode()
    assert (
        f'hx-get="/team/?team={other}&amp;live=1"'
        in client.get(f"/team/?team={other}").content.decode()
    )
    assert board.context["board"].team.pk == other
    assert "<html" not in board.content.decode()
    # Without htmx, ?live=1 is the whole page.
    assert "<html" in client.get("/?live=1").content.decode()


def test_a_fragment_whose_session_ended_sends_the_page_to_sign_in(client):
    expired = client.get("/?live=1", **HX)

    assert expired.status_code == 200
    assert expired["HX-Redirect"] == "/login/?next=%2F"
    # A full page keeps the ordinary redirect.
    assert client.get("/").status_code == 302


def test_other_redirects_of_fragments_are_left_alone(rf):
    from django.http import HttpResponseRedirect
    from django_htmx.middleware import HtmxDetails

    from csc.middleware import htmx_sign_in_redirect

    request = rf.get("/tickets/1/", HTTP_HX_REQUEST="true")
    request.htmx = HtmxDetails(request)
    middleware = htmx_sign_in_redirect(lambda request: HttpResponseRedirect("/tickets/2/"))

    response = middleware(request)

    assert response.status_code == 302 and response["Location"] == "/tickets/2/"


# --- query counts ------------------------------------------------------------------


def staff(team, count: int) -> None:
    skills = [Skill.objects.get_or_create(code=c, defaults={"name": c})[0] for c in ("a", "b")]
    for _ in range(count):
        agent = AgentFactory(team=team)
        agent.skills.set(skills)
        call(10, agent=agent.user)
        call(30, agent=agent.user, channel=Channel.ONLINE_CHAT)


def queries_for(client, path: str) -> int:
    headers = HX if "live=1" in path else {}  # the live region's own request
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, **headers).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("viewer", "path"),
    [
        ("lead_user", "/team/"),
        ("lead_user", "/"),
        ("manager_user", "/"),
        ("lead_user", "/?live=1"),
        ("manager_user", "/?live=1"),
    ],
)
def test_board_and_overview_cost_the_same_queries_for_5_or_20_agents(
    client, request, hotline_team, viewer, path
):
    client.force_login(request.getfixturevalue(viewer))
    staff(hotline_team, 5)
    queries_for(client, path)  # the per-process reference data (targets) loads once
    with_5 = queries_for(client, path)

    staff(hotline_team, 15)
    staff(TeamFactory(name="Hotline C"), 5)
    queries_for(client, path)  # a new team renews the per-process team table once
    with_20 = queries_for(client, path)

    assert with_5 == with_20
