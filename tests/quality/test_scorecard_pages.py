"""The QA lead's scorecard pages (issue 17 item 2): edit the lines, the scope and the
effective date; a scorecard in use gets a new version and old evaluations keep theirs;
the form keeps what was typed and names every problem at once."""

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from quality import services
from quality.models import Scorecard, ScorecardVersion
from tests.quality.conftest import full_points

pytestmark = pytest.mark.django_db


def _post(card=None, *, lines, **fields):
    """The form as the browser posts it: the card's fields and the lines' formset."""
    data = {
        "name": fields.get("name", card.name if card else "新评分表"),
        "scope": fields.get("scope", card.scope if card else ""),
        "ticket_kind": fields.get("ticket_kind", card.ticket_kind if card else ""),
        "effective_from": fields.get("effective_from", "2026-12-01"),
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
    }
    for index, line in enumerate(lines):
        for key, value in line.items():
            if key in ("is_critical", "DELETE"):
                if value:
                    data[f"lines-{index}-{key}"] = "on"
            else:
                data[f"lines-{index}-{key}"] = value
    return data


def _line(name, weight="1", max_points="10", critical=False, description=""):
    return {
        "name": name,
        "description": description,
        "weight": weight,
        "max_points": max_points,
        "is_critical": critical,
    }


def test_the_qa_lead_edits_a_scorecard_in_use_into_a_new_version(
    client, manager_user, sample, qa_user, default_card
):
    evaluation = services.evaluation_start(sample, by=qa_user)
    services.evaluation_submit(evaluation, by=qa_user, points=full_points(evaluation))
    client.force_login(manager_user)
    page = client.get(reverse("quality:scorecard", args=[default_card.pk])).content.decode()
    assert "服务用语" in page and 'name="lines-5-is_critical"' in page

    response = client.post(
        reverse("quality:scorecard", args=[default_card.pk]),
        _post(
            default_card,
            scope="hotline",
            ticket_kind="complaint",
            lines=[
                _line("服务用语", weight="2", description="规范用语"),
                _line("服务态度", max_points="5"),
                _line("泄露客户信息", weight="0", max_points="1", critical=True),
            ],
        ),
    )

    assert response.status_code == 302
    default_card.refresh_from_db()
    assert (default_card.scope, default_card.ticket_kind) == ("hotline", "complaint")
    new = default_card.versions.order_by("-number").first()
    assert new.number == 2 and new.effective_from == datetime.date(2026, 12, 1)
    assert [
        (line.name, line.weight, line.max_points, line.is_critical) for line in new.lines.all()
    ] == [
        ("服务用语", Decimal("2.00"), 10, False),
        ("服务态度", Decimal("1.00"), 5, False),
        ("泄露客户信息", Decimal("0.00"), 1, True),
    ]
    assert new.created_by == manager_user
    evaluation.refresh_from_db()
    assert evaluation.scorecard_version.number == 1
    assert evaluation.scorecard_version.lines.count() == 6  # the old version, untouched
    assert default_card.history.first().history_user == manager_user


def test_saving_without_a_change_keeps_the_version(client, manager_user, default_card):
    client.force_login(manager_user)
    version = default_card.versions.get()
    page = client.get(reverse("quality:scorecard", args=[default_card.pk]))
    lines = [
        _line(
            line.name,
            weight=str(line.weight),
            max_points=str(line.max_points),
            critical=line.is_critical,
            description=line.description,
        )
        for line in version.lines.all()
    ]
    assert page.status_code == 200
    response = client.post(
        reverse("quality:scorecard", args=[default_card.pk]),
        _post(default_card, lines=lines, effective_from=version.effective_from.isoformat()),
    )
    assert response.status_code == 302
    assert list(ScorecardVersion.objects.filter(scorecard=default_card)) == [version]


def test_the_form_keeps_what_was_typed_and_names_every_problem_at_once(
    client, manager_user, default_card
):
    Scorecard.objects.create(name="投诉评分表")
    client.force_login(manager_user)

    response = client.post(
        reverse("quality:scorecard", args=[default_card.pk]),
        _post(
            default_card,
            name="投诉评分表",  # taken
            lines=[
                _line("服务用语", weight="0"),  # a scored line needs a weight
                _line("服务用语", max_points="0"),  # the same name; no points
                _line("语气语调", weight="abc"),  # not a number
            ],
        ),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="投诉评分表"' in page and 'value="abc"' in page  # kept as typed
    form, lines = response.context["form"], response.context["lines"]
    assert "weight" in lines.forms[0].errors
    assert "max_points" in lines.forms[1].errors
    assert "weight" in lines.forms[2].errors
    assert "name" not in form.errors  # the name is checked once the lines can be read
    assert default_card.versions.count() == 1

    # With the fields readable, the service's own refusals come all at once too.
    response = client.post(
        reverse("quality:scorecard", args=[default_card.pk]),
        _post(
            default_card,
            name="投诉评分表",
            effective_from="1999-01-01",
            lines=[_line("服务用语", weight="0"), _line("服务用语")],
        ),
    )
    assert response.status_code == 400
    form, lines = response.context["form"], response.context["lines"]
    assert form.errors["name"] == ["已有同名评分表。"]
    assert "weight" in lines.forms[0].errors
    assert "name" in lines.forms[1].errors
    assert default_card.versions.count() == 1


def test_a_scorecard_needs_a_line_and_a_scored_one(client, manager_user, default_card):
    client.force_login(manager_user)
    url = reverse("quality:scorecard", args=[default_card.pk])

    only_critical = client.post(
        url, _post(default_card, lines=[_line("泄露", weight="0", max_points="1", critical=True)])
    )
    removed = _line("服务用语")
    removed["DELETE"] = True
    nothing = client.post(url, _post(default_card, lines=[removed, _line("")]))

    assert only_critical.status_code == 400 and nothing.status_code == 400
    assert only_critical.context["line_problems"] == ["评分表至少需要一个计分（非致命）项。"]
    assert nothing.context["line_problems"] == ["评分表至少需要一个评分项。"]


def test_a_new_version_takes_effect_no_earlier_than_the_one_in_use(
    client, manager_user, sample, qa_user, default_card
):
    evaluation = services.evaluation_start(sample, by=qa_user)
    services.evaluation_submit(evaluation, by=qa_user, points=full_points(evaluation))
    client.force_login(manager_user)
    response = client.post(
        reverse("quality:scorecard", args=[default_card.pk]),
        _post(default_card, effective_from="1999-12-31", lines=[_line("服务用语")]),
    )
    assert response.status_code == 400
    assert "effective_from" in response.context["form"].errors
    assert default_card.versions.count() == 1


def test_the_qa_lead_creates_a_scoped_scorecard(client, manager_user):
    client.force_login(manager_user)
    response = client.post(
        reverse("quality:scorecard_new"),
        _post(
            name="投诉评分表", scope="hotline", ticket_kind="complaint", lines=[_line("安抚情绪")]
        ),
    )
    card = Scorecard.objects.get(name="投诉评分表")
    assert response.status_code == 302 and response["Location"].endswith(f"/{card.pk}/")
    assert (card.scope, card.ticket_kind) == ("hotline", "complaint")
    assert (
        services.scorecard_version_for("hotline", "complaint", datetime.date(2026, 12, 2)).scorecard
        == card
    )


def test_the_scorecard_pages_run_a_constant_number_of_queries(
    client, manager_user, default_card, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager_user)
    urls = [reverse("quality:scorecards"), reverse("quality:scorecard", args=[default_card.pk])]
    before = []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        before.append(len(ctx.captured_queries))
    for n in range(3):
        services.scorecard_create(
            name=f"评分表{n}",
            lines=[services.LineSpec(f"项{i}") for i in range(8)],
            effective_from=datetime.date(2026, 1, 1),
            by=None,
        )
    services.scorecard_revise(
        default_card,
        lines=[services.LineSpec(f"项{i}") for i in range(12)],
        effective_from=datetime.date(2026, 1, 1),
        by=None,
    )
    for url, count in zip(urls, before, strict=True):
        with django_assert_num_queries(count):
            client.get(url)


def test_only_the_qa_lead_edits_scorecards(client, qa_user, lead_user, default_card):
    for user in (qa_user, lead_user):
        client.force_login(user)
        assert client.get(reverse("quality:scorecards")).status_code == 403
        posted = client.post(
            reverse("quality:scorecard", args=[default_card.pk]),
            _post(default_card, lines=[_line("x")]),
        )
        assert posted.status_code == 403
    assert default_card.versions.count() == 1


class _Inputs(HTMLParser):
    """The form's fields as the page renders them (what a browser would post back)."""

    def __init__(self):
        super().__init__()
        self.data, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.data[name] = "on"
            else:
                self.data[name] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = ""
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.strip("\n")


def test_the_page_posted_back_as_shown_saves_without_a_new_version(
    client, manager_user, sample, qa_user, default_card
):
    evaluation = services.evaluation_start(sample, by=qa_user)
    services.evaluation_submit(evaluation, by=qa_user, points=full_points(evaluation))
    client.force_login(manager_user)
    url = reverse("quality:scorecard", args=[default_card.pk])
    parser = _Inputs()
    parser.feed(client.get(url).content.decode())
    data = parser.data
    data.pop("csrfmiddlewaretoken", None)
    # ISO, or a browser's date input shows nothing and posts nothing.
    assert data["effective_from"] == "2000-01-01"

    same = client.post(url, data)

    assert same.status_code == 302, same.context["form"].errors
    assert default_card.versions.count() == 1
    data["lines-0-weight"] = "3"
    assert client.post(url, data).status_code == 302
    assert default_card.versions.count() == 2
