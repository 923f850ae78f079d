"""Wordings users found confusing (issue: the desk's language): a countdown under a
minute, a yes/no filter's empty choice, the original of an upgraded complaint, and
one duration format on the desk."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import translation

from complaints.filters import ComplaintFilter
from sla.templatetags.sla import badge_status, time_to

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_under_a_minute_is_said_as_such_not_as_zero_minutes():
    with translation.override("zh-hans"):
        left = badge_status(NOW + timedelta(seconds=40), now=NOW)["countdown"]
        late = badge_status(NOW - timedelta(seconds=40), now=NOW)["countdown"]
        minutes = badge_status(NOW + timedelta(minutes=5, seconds=10), now=NOW)["countdown"]

    assert left == "不足 1 分钟"
    assert late == "超时不足 1 分钟"
    assert minutes == "剩余 5分钟"


def test_the_countdown_script_knows_the_under_a_minute_texts_too():
    script = (Path(settings.BASE_DIR) / "sla/static/sla/countdown.js").read_text()
    tag = (Path(settings.BASE_DIR) / "sla/templates/sla/countdown_script.html").read_text()

    assert "text-under-minute-left" in script and "data-text-under-minute-left" in tag


def test_a_yes_no_filter_offers_any_not_unknown():
    with translation.override("zh-hans"):
        rendered = str(ComplaintFilter().form["overdue"])

    assert "不限" in rendered and "未知" not in rendered


def test_the_original_of_an_upgraded_complaint_is_called_so():
    template = Path(settings.BASE_DIR) / "complaints/templates/complaints/_complaint_main.html"

    assert '{% translate "original complaint" %}' in template.read_text()
    with translation.override("zh-hans"):
        assert translation.gettext("original complaint") == "原投诉"


def test_an_early_finish_uses_the_desks_duration_format():
    with translation.override("zh-hans"):
        assert time_to(NOW, NOW + timedelta(days=1, hours=23)) == "1天23小时"


def test_filters_name_people_as_colleagues_know_them(db):
    from intake.filters import ContactFilter
    from tests.factories import AgentFactory, UserFactory

    user = UserFactory(username="zhangwei01", last_name="张", first_name="伟")
    AgentFactory(user=user)

    rendered = str(ContactFilter().form["agent"])

    assert "张伟" in rendered and "zhangwei01" not in rendered


def test_a_bad_phone_number_is_refused_in_the_same_words_everywhere(db, agent_user):
    import pytest
    from django.core.exceptions import ValidationError

    from csc.lib.errors import DomainError
    from intake.models import PHONE_ERROR, validate_phone
    from tests.factories import make_complaint

    with pytest.raises(ValidationError) as on_a_form:
        validate_phone("12345")
    with pytest.raises(DomainError) as on_a_complaint:
        make_complaint(recorded_by=agent_user, customer_name="王五", contact_phone="12345")

    assert on_a_form.value.messages == [str(PHONE_ERROR)]
    assert str(PHONE_ERROR) in str(on_a_complaint.value.details.get("contact_phone"))


def test_a_closed_complaint_is_closed_in_every_wording():
    from worktickets.choices import TicketStatus

    with translation.override("zh-hans"):
        action = translation.pgettext("complaint", "Close")
        state = str(TicketStatus.CLOSED.label)
        told = translation.gettext("Complaint %(number)s is closed") % {"number": "C1"}

    assert action == "关闭" and "关闭" in state and "已关闭" in told


# Where Django's own catalogue says it differently and ours may give way: the admin's
# "Change" (修改, its link; ours is a SIM card's 更换) and "Created".
DJANGO_MAY_WIN = {"Change", "Created"}


def test_the_products_own_words_win_over_djangos():
    import glob

    import polib

    ours: dict = {}
    base = Path(settings.BASE_DIR)
    for path in [*glob.glob(str(base / "*/locale/zh_Hans/LC_MESSAGES/django.po"))]:
        for entry in polib.pofile(path):
            if entry.msgstr and not entry.msgid_plural and not entry.obsolete:
                ours.setdefault((entry.msgctxt, entry.msgid), set()).add(entry.msgstr)
    with translation.override("zh-hans"):
        lost = {
            msgid: translation.pgettext(ctx, msgid) if ctx else translation.gettext(msgid)
            for (ctx, msgid), texts in ours.items()
            if msgid not in DJANGO_MAY_WIN
            and (translation.pgettext(ctx, msgid) if ctx else translation.gettext(msgid))
            not in texts
        }

    assert lost == {}
