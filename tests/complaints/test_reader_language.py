"""A complaint's timeline lines and notifications are read in the reader's language,
whatever language their writer worked in (issue 14, defect 9)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from complaints import services as complaint_services
from complaints.models import Complaint
from staffing.models import Notification
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_a_complaint_line_and_notification_written_in_english_read_in_chinese(
    client, groups, agent_user, handler_user, legal_user
):
    complaint = make_complaint(recorded_by=agent_user)
    complaint_services.complaint_accept(
        complaint, by=handler_user, version=complaint.ticket.version
    )
    complaint = Complaint.objects.select_related("ticket").get(pk=complaint.pk)
    with translation.override("en"):
        complaint_services.compensation_propose(
            complaint,
            by=handler_user,
            version=complaint.ticket.version,
            kind="fee_credit",
            amount=Decimal("50.00"),
            remedy="",
            reason="计费错误",
        )
    number = complaint.ticket.number
    asked = Notification.objects.get(recipient=legal_user, kind="complaint.compensation_proposed")
    assert asked.title.startswith(f"Compensation for {number} awaits your decision")

    client.force_login(legal_user)
    inbox = client.get(reverse("notifications:inbox"), **ZH).content.decode()
    assert f"{number} 的补偿待您审批（市场与法律合规）：费用减免或退款 · ¥50.00 · 截止" in inbox
    page = client.get(reverse("complaints:detail", args=[complaint.pk]), **ZH).content.decode()
    assert "费用减免或退款 · ¥50.00: 计费错误" in page
    assert "Fee credit or refund" not in page
