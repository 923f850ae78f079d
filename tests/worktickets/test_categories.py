"""The inquiry category tree (DOMAIN.md W-1 to W-10, W-22): two levels, shipped as
data, edited in the admin with history."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory
from worktickets.models import InquiryCategory

pytestmark = pytest.mark.django_db


def category(code: str) -> InquiryCategory:
    return InquiryCategory.objects.select_related("parent").get(code=code)


def test_the_shipped_tree_has_the_seeds_kinds_of_inquiry_at_the_top():
    top = set(InquiryCategory.objects.filter(parent=None).values_list("code", flat=True))

    assert {"consultation", "query", "proactive", "feedback", "system_fault", "complex"} <= top
    assert not InquiryCategory.objects.filter(parent__parent__isnull=False).exists()
    assert InquiryCategory.objects.filter(parent__code="consultation").count() >= 4


def test_a_sub_category_matches_by_its_own_code_and_its_parents():
    attitude = category("feedback_attitude")

    assert attitude.codes == ("feedback_attitude", "feedback")
    assert category("feedback").codes == ("feedback",)


def test_the_name_follows_the_language():
    attitude = category("feedback_attitude")

    with translation.override("zh-hans"):
        assert str(attitude) == "意见反馈 / 服务态度"
    with translation.override("en"):
        assert str(attitude) == "Suggestion and feedback / Service attitude"


def test_a_third_level_is_refused():
    third = InquiryCategory(
        parent=category("feedback_attitude"), code="too_deep", name_zh="过深", name_en="Too deep"
    )

    with pytest.raises(ValidationError) as refused:
        third.full_clean()

    assert "parent" in refused.value.message_dict


def test_a_parent_with_children_cannot_move_under_another():
    feedback = category("feedback")
    feedback.parent = category("query")

    with pytest.raises(ValidationError) as refused:
        feedback.full_clean()

    assert "parent" in refused.value.message_dict


def test_the_admin_edits_a_category_and_keeps_its_history(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    attitude = category("feedback_attitude")

    response = client.post(
        reverse("admin:worktickets_inquirycategory_change", args=[attitude.pk]),
        {
            "parent": attitude.parent_id,
            "code": attitude.code,
            "name_zh": "服务态度与礼仪",
            "name_en": attitude.name_en,
            "source": attitude.source,
            "is_active": "on",
            "sort_order": attitude.sort_order,
        },
    )

    assert response.status_code == 302
    attitude.refresh_from_db()
    assert attitude.name_zh == "服务态度与礼仪"
    assert attitude.history.first().name_zh == "服务态度与礼仪"
    listing = client.get(reverse("admin:worktickets_inquirycategory_changelist"))
    assert listing.status_code == 200
