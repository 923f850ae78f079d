"""Every desk form marks its required fields (a visible star and words for screen
readers, partials/field.html), and points a field with errors at them."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import (
    BusinessTicketFactory,
    CustomerFactory,
    TeamFactory,
    make_complaint,
    make_ticket,
)

pytestmark = pytest.mark.django_db

MARKER = "required-marker"


class RequiredFields(HTMLParser):
    """The ids of required inputs, and of those whose label (or legend) carries the marker."""

    def __init__(self):
        super().__init__()
        self.required: dict[str, str] = {}  # id -> name
        self.marked: set[str] = set()
        self._label: dict | None = None  # the open label: its for, inputs inside, marked
        self._fieldsets: list[dict] = []  # open fieldsets: inputs inside, legend marked
        self._in_legend = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self._label = {"for": a.get("for"), "inputs": [], "marked": False}
        elif tag == "fieldset":
            self._fieldsets.append({"inputs": [], "marked": False})
        elif tag == "legend":
            self._in_legend = True
        elif tag == "span" and MARKER in (a.get("class") or "").split():
            if self._label is not None:
                self._label["marked"] = True
            if self._in_legend and self._fieldsets:
                self._fieldsets[-1]["marked"] = True
        elif tag in ("input", "select", "textarea"):
            if a.get("type") == "hidden" or "disabled" in a:
                return
            key = a.get("id") or a.get("name") or ""
            if "required" in a or a.get("aria-required") == "true":
                self.required[key] = a.get("name") or key
            for fieldset in self._fieldsets:
                fieldset["inputs"].append(key)
            if self._label is not None:
                self._label["inputs"].append(key)

    def handle_endtag(self, tag):
        if tag == "label" and self._label is not None:
            label, self._label = self._label, None
            if label["marked"]:
                self.marked.update([label["for"], *label["inputs"]])
        elif tag == "legend":
            self._in_legend = False
        elif tag == "fieldset" and self._fieldsets:
            fieldset = self._fieldsets.pop()
            if fieldset["marked"]:
                self.marked.update(fieldset["inputs"])

    def unmarked(self) -> set[str]:
        return {name for key, name in self.required.items() if key not in self.marked}


def unmarked_required(page: str) -> set[str]:
    parser = RequiredFields()
    parser.feed(page)
    return parser.unmarked()


def test_the_parser_finds_a_required_field_without_its_marker():
    page = '<label for="id_a">A</label><input id="id_a" name="a" required>'
    assert unmarked_required(page) == {"a"}
    marked = page.replace("A</label>", 'A <span class="required-marker">*</span></label>')
    assert unmarked_required(marked) == set()


@pytest.fixture
def desk_pages(agent_user, lead_user, manager_user):
    TeamFactory(name="市场与法律合规组", kind="market_legal")  # where billing complaints go
    customer = CustomerFactory()
    inquiry = make_ticket(created_by=agent_user, assignee=agent_user, customer=customer)
    business = BusinessTicketFactory(team=agent_user.agent.team, assignee=agent_user)
    complaint = make_complaint(recorded_by=agent_user)
    return [
        (agent_user, reverse("worktickets:ticket_new")),
        (agent_user, reverse("worktickets:ticket_detail", args=[inquiry.pk])),
        (lead_user, reverse("worktickets:ticket_detail", args=[business.pk])),
        (agent_user, reverse("complaints:new")),
        (manager_user, reverse("complaints:detail", args=[complaint.pk])),
        (agent_user, reverse("intake:customer_register")),
        (agent_user, reverse("intake:customer_edit", args=[customer.pk])),
        (agent_user, reverse("intake:contact_record")),
        (agent_user, reverse("intake:service_add", args=[customer.pk])),
    ]


def test_every_desk_form_marks_its_required_fields(client, desk_pages):
    unmarked = {}
    for user, url in desk_pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "required" in page, url  # the page has required fields to check
        missing = unmarked_required(page)
        if missing:
            unmarked[url] = missing
    assert unmarked == {}


def test_the_complaint_category_is_marked_required_though_an_appeal_may_inherit_it(
    client, agent_user
):
    client.force_login(agent_user)
    page = client.get(reverse("complaints:new")).content.decode()
    assert 'aria-required="true" id="id_category"' in page
    assert "category" not in unmarked_required(page)
    assert '<span class="visually-hidden">' in page
