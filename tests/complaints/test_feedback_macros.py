"""Result-feedback macros on the complaint page: offered beside the result feedback,
the approved compensation filling {amount}."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints import services
from complaints.evidence import evidence_add
from tests.factories import make_complaint
from tests.samples import MP3
from worktickets import macros
from worktickets.models import Macro

pytestmark = pytest.mark.django_db


@pytest.fixture
def compensated(groups, agent_user, legal_user, handler_user):
    """A complaint whose compensation of 25 yuan market & legal approved."""
    complaint = make_complaint(recorded_by=agent_user)
    services.complaint_accept(complaint, by=handler_user, version=complaint.ticket.version)
    complaint.ticket.refresh_from_db()
    evidence_add(
        complaint,
        by=handler_user,
        file=SimpleUploadedFile("call.mp3", MP3 + b"RECORDING"),
        kind="call_recording",
    )
    proposal = services.compensation_propose(
        complaint,
        by=handler_user,
        version=complaint.ticket.version,
        kind="fee_credit",
        amount=25,
        reason="多扣",
    )
    complaint.ticket.refresh_from_db()
    services.compensation_decide(
        complaint,
        by=legal_user,
        version=complaint.ticket.version,
        compensation=proposal,
        decision="approve",
    )
    complaint.ticket.refresh_from_db()
    return complaint


def test_the_feedback_panel_loads_macros_with_the_approved_compensation(
    client, compensated, handler_user
):
    client.force_login(handler_user)

    page = client.get(reverse("complaints:detail", args=[compensated.pk])).content.decode()

    picker = reverse("worktickets:macro_picker", args=[compensated.ticket_id])
    assert f"{picker}?for=result_feedback&amp;amount=25.00" in page


def test_a_feedback_macro_states_the_amount_and_goes_into_the_measures(
    client, compensated, handler_user
):
    macro = macros.macro_create(
        owner=handler_user,
        name="退费反馈",
        text="已为您退还{amount}元（工单{ticket_number}）",
        applies_to=Macro.AppliesTo.RESULT_FEEDBACK,
    )
    client.force_login(handler_user)
    url = reverse("worktickets:macro_picker", args=[compensated.ticket_id])

    response = client.get(url, {"for": "result_feedback", "amount": "25.00"})

    page = response.content.decode()
    number = compensated.ticket.number
    assert f'id="macro-text-result_feedback-{macro.pk}">已为您退还25.00元（工单{number}）<' in page
    assert 'data-insert-into="#id_feedback_measures"' in page
    assert client.get(url, {"for": "result_feedback", "amount": "很多"}).status_code == 400
