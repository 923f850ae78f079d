"""Browser forms of the agent desk: they parse input; the services decide and save.

Each action form's cleaned data are the keyword arguments of its service
(`version`, `body`, `reason`, ...), so a view calls the service with them as
they are.
"""

import re
from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from csc.lib.errors import DomainError
from intake.choices import Channel, ServiceType
from intake.models import Contact, Customer, validate_phone
from staffing.models import Team
from staffing.selectors import holders_of
from worktickets.choices import Action, Priority, ProblemStatus, TicketKind
from worktickets.models import BusinessType, InquiryCategory, Macro, Problem
from worktickets.reference import inquiry_categories
from worktickets.selectors import KEEP_PROBLEMS

# "key: value", "key：value" (the full-width colon a Chinese keyboard types) or "key=value".
_ORDER_LINE = re.compile(r"^\s*([^:：=]+?)\s*[:：=]\s*(.*?)\s*$")


def parse_order_details(text: str) -> dict[str, str]:
    """Order details typed as one "name: value" per line; every line that is not is named."""
    details: dict[str, str] = {}
    errors = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _ORDER_LINE.match(line)
        if match is None:
            errors.append(
                ValidationError(
                    _('Line %(number)s: write each detail as "name: value".'),
                    code="invalid_order_line",
                    params={"number": number},
                )
            )
            continue
        details[match.group(1)] = match.group(2)
    if errors:
        raise ValidationError(errors)
    return details


def format_order_details(details: dict) -> str:
    return "\n".join(f"{key}: {value}" for key, value in (details or {}).items())


def active_agents():
    return (
        get_user_model()
        .objects.filter(is_active=True, agent__isnull=False)
        .select_related("agent__team")
        .order_by("agent__team__name", "first_name", "username")
    )


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} · {obj.agent.team.name}"


def _text(label, *, required: bool = True, rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def category_options() -> list[tuple[str, str]]:
    return [("", "---------")] + [
        (category.code, category.path) for category in inquiry_categories.get().active()
    ]


class CategoryChoiceField(forms.ChoiceField):
    """An inquiry category by code, offered from the tree kept per process: the ones in
    use, and the one a ticket already carries. The service checks the choice."""

    def __init__(self, **kwargs):
        super().__init__(choices=category_options, required=False, **kwargs)

    def keep_offering(self, category: InquiryCategory | None) -> None:
        """A retired category the ticket carries stays selectable, so saving other
        details does not clear it."""
        if category is not None and category.code not in dict(self.choices):
            self.choices = [*self.choices, (category.code, category.path)]

    def clean(self, value) -> InquiryCategory | None:
        code = super().clean(value)
        return inquiry_categories.get().by_code.get(code) if code else None


class ServiceErrorsMixin:
    """Put a service's refusal next to the fields it names, and its message on top.

    `marked_required` names fields the form leaves optional because the service decides
    (an appeal inherits its category, say) but that a person normally must fill in: they
    are marked required like the form's own required fields (partials/field.html)."""

    marked_required: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.marked_required:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-required"] = "true"

    def add_domain_error(self, error: DomainError) -> None:
        placed = []
        for field, messages in error.details.items():
            if field in self.fields and isinstance(messages, list) and messages:
                # A field the form already refused keeps the form's own message.
                if field not in self.errors:
                    self.add_error(field, messages)
                placed.extend(str(message) for message in messages)
        if error.message not in placed:
            self.add_error(None, error.message)

    def add_validation_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class VersionedForm(ServiceErrorsMixin, forms.Form):
    """Carries the ticket version the page was rendered with (DESIGN.md §2.1)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AcceptForm(VersionedForm):
    pass


class ReplyForm(VersionedForm):
    body = _text(_("Reply to the customer"), rows=4)
    gives_solution = forms.BooleanField(label=_("This reply gives a solution"), required=False)


class NoteForm(VersionedForm):
    body = _text(_("Internal note"), help_text=_("Seen by staff only."))


class TransferForm(VersionedForm):
    team = forms.ModelChoiceField(
        label=_("To team"), queryset=Team.objects.filter(is_active=True), required=False
    )
    assignee = AgentChoiceField(
        label=_("To agent"),
        queryset=active_agents(),
        required=False,
        help_text=_("Choose a team, an agent, or both. The receiving side must accept it."),
    )
    reason = _text(_("Reason for the transfer"))

    def clean(self):
        cleaned = super().clean()
        # Said with the reason's error too, not one submit later (ticket_transfer decides).
        if not (cleaned.get("team") or cleaned.get("assignee")) and not (
            {"team", "assignee"} & set(self.errors)
        ):
            self.add_error("team", _("Choose the team or the agent to transfer to."))
        return cleaned


class ReassignForm(VersionedForm):
    assignee = AgentChoiceField(label=_("Assign to"), queryset=active_agents())


class HoldForm(VersionedForm):
    reason = _text(_("What the customer needs to do"))


class ResumeForm(VersionedForm):
    note = _text(_("Note"), required=False, rows=2)


class ResolveForm(VersionedForm):
    resolution = _text(_("Resolution"), rows=4)


class CloseForm(VersionedForm):
    note = _text(_("Note"), required=False, rows=2)


class ReopenForm(VersionedForm):
    reason = _text(_("Why it is reopened"))


class ReviewForm(VersionedForm):
    identity_verified = forms.BooleanField(
        label=_("The customer's identity is verified"), required=False
    )
    note = _text(_("Review note"), required=False, rows=2)


class ApproveForm(VersionedForm):
    note = _text(_("Approval note"), required=False, rows=2)


class RejectForm(VersionedForm):
    reason = _text(_("Reason for the rejection"), help_text=_("The customer is told this."))


class DeliverForm(VersionedForm):
    note = _text(
        _("Delivery note"),
        required=False,
        rows=2,
        help_text=_("Voucher, acceptance form, invoice or agreement handed over."),
    )


class ChangeOrderForm(VersionedForm):
    order_details = _text(
        _("Order details"),
        rows=4,
        required=False,
        help_text=_('One detail per line, as "name: value".'),
    )
    reason = _text(_("What the customer asked to change"))

    def clean_order_details(self) -> dict[str, str]:
        return parse_order_details(self.cleaned_data["order_details"])


class CancelForm(VersionedForm):
    reason = _text(_("Why the order is cancelled"))


class EditForm(VersionedForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = _text(_("Description"), required=False, rows=4)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    # Inquiries only: the desk leaves it out of other tickets' form.
    category = CategoryChoiceField(label=_("Inquiry category"))


# The form of each action on the ticket page; "edit" and "reassign" are desk actions
# that change the ticket without being steps of its life cycle.
EDIT = "edit"
REASSIGN = "reassign"
ACTION_FORMS: dict[str, type[VersionedForm]] = {
    Action.ACCEPT: AcceptForm,
    Action.REPLY: ReplyForm,
    Action.NOTE: NoteForm,
    Action.TRANSFER: TransferForm,
    Action.HOLD: HoldForm,
    Action.RESUME: ResumeForm,
    Action.RESOLVE: ResolveForm,
    Action.CLOSE: CloseForm,
    Action.REOPEN: ReopenForm,
    Action.REVIEW: ReviewForm,
    Action.APPROVE: ApproveForm,
    Action.REJECT: RejectForm,
    Action.DELIVER: DeliverForm,
    Action.CHANGE_ORDER: ChangeOrderForm,
    Action.CANCEL: CancelForm,
    EDIT: EditForm,
    REASSIGN: ReassignForm,
}


class TicketForm(ServiceErrorsMixin, forms.Form):
    """A new inquiry or business order, for a caller looked up (or registered) by phone."""

    phone = forms.CharField(
        label=_("Caller's phone number"),
        max_length=40,
        required=False,
        validators=[validate_phone],
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.all(), required=False
    )
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.all(), required=False, widget=forms.HiddenInput
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (TicketKind.INQUIRY, TicketKind.INQUIRY.label),
            (TicketKind.BUSINESS, TicketKind.BUSINESS.label),
        ],
        initial=TicketKind.INQUIRY,
        widget=forms.RadioSelect,
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, initial=Channel.HOTLINE
    )
    business_type = forms.ModelChoiceField(
        label=_("Business type"),
        # Any active type parses; the service says why an ineligible one is refused.
        queryset=BusinessType.objects.filter(is_active=True),
        required=False,
    )
    service_type = forms.ChoiceField(
        label=_("Service"),
        choices=[("", _("Not specified")), *ServiceType.choices],
        required=False,
        help_text=_("For business orders: installing a fixed line has its own time limit."),
    )
    order_details = _text(
        _("Order details"),
        required=False,
        rows=3,
        help_text=_('For business orders: one detail per line, as "name: value".'),
    )
    category = CategoryChoiceField(
        label=_("Inquiry category"),
        help_text=_("The kind of inquiry; some have their own deadlines."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = _text(_("Description"), required=False, rows=5)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.filter(is_active=True),
        required=False,
        help_text=_("Leave empty for your own team."),
    )
    to_team_queue = forms.BooleanField(
        label=_("Leave it in the team's queue for anyone to take"),
        required=False,
        help_text=_("Otherwise a ticket you open for your own team is assigned to you."),
    )

    def clean_order_details(self) -> dict[str, str]:
        return parse_order_details(self.cleaned_data["order_details"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != TicketKind.INQUIRY:
            # The field is hidden for business orders: a choice left in it is not theirs.
            cleaned["category"] = None
        if cleaned.get("kind") == TicketKind.BUSINESS and cleaned.get("service_type"):
            # The order says which service it is for; its delivery limit may depend on it.
            details = cleaned.get("order_details") or {}
            cleaned["order_details"] = {**details, "service_type": cleaned["service_type"]}
        if cleaned.get("kind") == TicketKind.BUSINESS:
            # Said here as well as by ticket_create, so that they come with the other
            # fields' errors instead of one submit later. Eligibility stays the service's.
            contact = cleaned.get("contact")
            has_customer = cleaned.get("customer") or (contact and contact.customer_id)
            if not has_customer and "customer" not in self.errors:
                self.add_error("customer", _("Look up or register the customer first."))
            if not cleaned.get("business_type") and "business_type" not in self.errors:
                self.add_error("business_type", _("Choose the business type."))
        return cleaned


# ---------------------------------------------------------------- the problem ledger

# A problem is reviewed (复盘) within a month unless its raiser says otherwise: the
# monthly service-quality analysis looks at what is still open (DOMAIN.md S-41, W-6).
PROBLEM_REVIEW_DAYS = 30


def problem_keepers():
    """Who may own a problem: those who keep the ledger (leads, tech support, managers)."""
    return holders_of(KEEP_PROBLEMS).order_by("first_name", "username")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


def _review_date_field() -> forms.DateField:
    return forms.DateField(
        label=_("Review date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When the problem is next reviewed (复盘)."),
    )


class ProblemRaiseForm(ServiceErrorsMixin, forms.Form):
    """A problem raised from a ticket; the service links the ticket."""

    title = forms.CharField(label=_("Problem"), max_length=200)
    description = _text(_("What keeps happening"), required=False, rows=3)
    owner = PersonChoiceField(label=_("Owner"), queryset=problem_keepers())
    review_date = _review_date_field()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {"review_date": timezone.localdate() + timedelta(days=PROBLEM_REVIEW_DAYS)},
        )
        super().__init__(*args, **kwargs)


class ProblemLinkForm(ServiceErrorsMixin, forms.Form):
    """Count the ticket against a problem already in the ledger."""

    problem = forms.ModelChoiceField(
        label=_("Problem"), queryset=Problem.objects.exclude(status=ProblemStatus.VERIFIED)
    )


class ProblemTicketForm(ServiceErrorsMixin, forms.Form):
    """Count a ticket, named by its number, against the problem."""

    number = forms.CharField(label=_("Ticket number"), max_length=20)


class ProblemAdvanceForm(VersionedForm):
    to_status = forms.ChoiceField(label=_("Move to"), choices=ProblemStatus.choices)
    note = _text(
        _("Note"),
        required=False,
        rows=3,
        help_text=_("Describe the fix when it is fixed; say why when a fix did not hold."),
    )


class ProblemEditForm(VersionedForm):
    title = forms.CharField(label=_("Problem"), max_length=200)
    description = _text(_("What keeps happening"), required=False, rows=3)
    root_cause = _text(_("Root cause"), required=False, rows=3)
    category = CategoryChoiceField(label=_("Inquiry category"))
    owner = PersonChoiceField(label=_("Owner"), queryset=problem_keepers())
    review_date = _review_date_field()


class MacroForm(ServiceErrorsMixin, forms.Form):
    """A macro as its keeper writes it; the service checks variables and sharing."""

    name = forms.CharField(label=_("Name"), max_length=100)
    applies_to = forms.ChoiceField(label=_("Used for"), choices=Macro.AppliesTo.choices)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=Macro._meta.get_field("text").help_text,
    )
    category = CategoryChoiceField(
        label=_("Inquiry category"),
        help_text=_("Offered first on tickets of this category; empty: every ticket."),
    )
    is_shared = forms.BooleanField(label=_("Shared with a team"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("The team a shared macro serves; empty: every team (managers only)."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is None:  # may share with no team: a personal macro only
            del self.fields["is_shared"], self.fields["team"]
        else:
            self.fields["team"].queryset = teams
