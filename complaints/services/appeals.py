"""Appeals (申诉): what an appeal must name, and who is told of it."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints.choices import EventCode, Tier
from complaints.models import Complaint
from complaints.notices import complaint_link, event, handlers_of, tell
from complaints.services.guards import _refuse
from complaints.services.major import _tell_leadership
from csc.lib.phrases import Phrase
from staffing.models import User


def _check_parent(tier: str, parent: Complaint | None, regulator_reference: str) -> None:
    if tier == Tier.UPGRADED:
        raise _refuse(
            _("Upgraded complaints come from escalating a complaint, not from intake."), "tier"
        )
    if tier == Tier.COMPLAINT and parent is not None:
        raise _refuse(_("Only an appeal names an earlier complaint."), "parent")
    if tier == Tier.APPEAL:
        if parent is None and not regulator_reference:
            raise _refuse(
                _("An appeal names the complaint it appeals or the regulator's reference."),
                "parent",
                "required",
            )
        if parent is not None and parent.tier == Tier.APPEAL:
            raise _refuse(_("An appeal cannot appeal another appeal."), "parent")


def _tell_about_appeal(appeal: Complaint, by: User) -> None:
    """Appeals are shown to the CS manager from the start (DOMAIN.md P-2)."""
    _tell_leadership(
        appeal,
        "appeal",
        gettext_noop("Appeal %(number)s: %(subject)s"),
        body=appeal.regulator_reference,
    )
    ticket = appeal.ticket
    tell(
        handlers_of(ticket.team) + handlers_of(appeal.collaborating_team),
        kind="complaint.appeal",
        title=Phrase(
            gettext_noop("Appeal %(number)s: %(subject)s"),
            number=ticket.number,
            subject=ticket.subject,
        ),
        body=appeal.regulator_reference,
        link=complaint_link(appeal.pk),
        key=f"complaint-appeal:{appeal.pk}:group",
    )
    if appeal.parent is not None:
        event(
            appeal.parent.ticket,
            EventCode.APPEALED,
            by,
            body=Phrase(
                gettext_noop("The customer appealed: %(number)s."), number=appeal.ticket.number
            ),
            appeal=appeal.pk,
        )
