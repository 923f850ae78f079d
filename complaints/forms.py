"""Browser forms for complaints: they parse input; the services decide and save.

Each action form's cleaned data are the keyword arguments of its service, so a
view calls the service with them as they are.
"""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from complaints.choices import (
    Action,
    Category,
    CompensationKind,
    CompensationStatus,
    Decision,
    DissatisfiedNext,
    EscalationKind,
    EvidenceKind,
    ExtensionMetric,
    ExtensionStatus,
    FeedbackChannel,
    ServiceType,
    Severity,
    Tier,
)
from complaints.evidence import accepted_extensions
from complaints.models import Compensation, Complaint, DeadlineExtension, Evidence, Subcategory
from intake.choices import Channel, Region
from intake.models import Contact, Customer
from worktickets.forms import AgentChoiceField, ServiceErrorsMixin, VersionedForm, active_agents

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _text(label, *, required: bool = True, rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


def _moment(label, *, required: bool = False, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        **kwargs,
    )


class SubcategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_category_display()} · {obj.name}"


class ComplaintForm(ServiceErrorsMixin, forms.Form):
    """A complaint from any channel: who, how to reach them, what, through which channel (I-17)."""

    # The service requires them; an appeal may leave them to the appealed complaint,
    # and a chosen customer's name fills the name in.
    marked_required = ("category", "customer_name")

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.all(), required=False, widget=forms.HiddenInput
    )
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.all(), required=False, widget=forms.HiddenInput
    )
    customer_name = forms.CharField(label=_("Customer name"), max_length=100, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=40,
        required=False,
        help_text=_("Empty: the registered customer's or the caller's number."),
    )
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    contact_address = forms.CharField(
        label=_("Postal address"),
        max_length=300,
        required=False,
        help_text=_("For a written reply by letter."),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, initial=Channel.HOTLINE
    )
    tier = forms.ChoiceField(
        label=_("Tier"),
        choices=[(Tier.COMPLAINT, Tier.COMPLAINT.label), (Tier.APPEAL, Tier.APPEAL.label)],
        initial=Tier.COMPLAINT,
        widget=forms.RadioSelect,
    )
    parent_number = forms.CharField(
        label=_("Appealed complaint number"),
        max_length=20,
        required=False,
        help_text=_("For appeals: the number of the complaint the customer appeals."),
    )
    regulator_reference = forms.CharField(
        label=_("Regulator's reference"), max_length=60, required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *Category.choices], required=False
    )
    subcategory = SubcategoryChoiceField(
        label=_("Subcategory"),
        queryset=Subcategory.objects.filter(is_active=True).order_by("category", "sort_order"),
        required=False,
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.NORMAL
    )
    service_type = forms.ChoiceField(
        label=_("Affected service"), choices=[("", "—"), *ServiceType.choices], required=False
    )
    service_number = forms.CharField(
        label=_("Affected number or account"), max_length=30, required=False
    )
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", "—"), *Region.choices], required=False
    )
    area = forms.CharField(
        label=_("Area"),
        max_length=60,
        required=False,
        help_text=_("District or exchange of the affected service."),
    )
    agent_concerned = AgentChoiceField(
        label=_("Agent concerned"),
        queryset=active_agents(),
        required=False,
        help_text=_("For service-quality and handling-error complaints."),
    )
    media_involved = forms.BooleanField(label=_("Media involved"), required=False)
    regulator_involved = forms.BooleanField(label=_("Regulator involved"), required=False)
    promised_repair_at = _moment(
        _("Promised repair time"),
        help_text=_("Service faults: the repair time the customer was told."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    content = _text(_("What the customer complains about"), rows=5)

    def __init__(self, *args, appealable: QuerySet[Complaint], **kwargs):
        super().__init__(*args, **kwargs)
        self.appealable = appealable  # what an appeal may name (selectors.appealable)

    def clean(self):
        data = super().clean()
        number = (data.get("parent_number") or "").strip().upper()
        data["parent"] = None
        if number:
            # One the person may not see reads as missing: its number tells them nothing.
            parent = self.appealable.filter(ticket__number=number).first()
            if parent is None:
                self.add_error("parent_number", _("No complaint has this number."))
            data["parent"] = parent
        return data

    def service_kwargs(self) -> dict:
        """The intake for complaint_record, or for complaint_check while the form shows
        errors of its own: a field it refused is passed as typed when it is text (the
        service sees that something was given) and left out otherwise."""
        data = {"channel": "", "content": ""}
        for name, field in self.fields.items():
            if name in self.cleaned_data:
                data[name] = self.cleaned_data[name]
            elif isinstance(field, forms.CharField):
                data[name] = (self[name].value() or "").strip()
        data["parent"] = self.cleaned_data.get("parent")
        data.pop("parent_number", None)
        return data


class AcceptForm(VersionedForm):
    note = _text(_("Note"), required=False, rows=2)


class InvestigateForm(AcceptForm):
    pass


class HandleForm(VersionedForm):
    findings = _text(_("What the investigation found"), rows=4)


class EscalateForm(VersionedForm):
    mode = forms.ChoiceField(label=_("Escalate how"), choices=EscalationKind.choices)
    reason = _text(_("Why"))


class ProposeCompensationForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Remedy"), choices=CompensationKind.choices)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    remedy = forms.CharField(label=_("Non-cash remedy"), max_length=300, required=False)
    reason = _text(_("Why the customer is compensated"))


class DecideCompensationForm(VersionedForm):
    compensation = forms.ModelChoiceField(label=_("Proposal"), queryset=Compensation.objects.none())
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    note = _text(_("Note"), required=False, rows=2, help_text=_("Required when rejecting."))

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compensation"].queryset = complaint.compensations.filter(
            status__in=[CompensationStatus.PROPOSED, CompensationStatus.AWAITING_MANAGER]
        )


class FeedbackForm(VersionedForm):
    cause = _text(_("Cause"))
    measures = _text(_("Measures taken"))
    compensation = _text(
        _("Compensation"),
        required=False,
        rows=2,
        help_text=_("Leave empty to state the approved compensation."),
    )
    rectification = _text(_("Rectification"), required=False, rows=2)
    follow_up = _text(_("Follow-up arrangements"), required=False, rows=2)
    channel = forms.ChoiceField(label=_("Send by"), choices=FeedbackChannel.choices)

    def clean_compensation(self):
        return self.cleaned_data["compensation"] or None


class ConfirmForm(VersionedForm):
    note = _text(_("What the customer said"), required=False, rows=2)


class DissatisfiedForm(VersionedForm):
    note = _text(_("What the customer is not satisfied with"))
    next_step = forms.ChoiceField(
        label=_("Next"), choices=DissatisfiedNext.choices, widget=forms.RadioSelect
    )


class ReopenForm(VersionedForm):
    reason = _text(_("Why it is reopened"))


class CloseForm(VersionedForm):
    note = _text(_("Note"), required=False, rows=2)


class RequestExtensionForm(VersionedForm):
    metric = forms.ChoiceField(label=_("Deadline"), choices=ExtensionMetric.choices)
    working_days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=30)
    reason = _text(_("Why the deadline must move"))


class ExtendForm(VersionedForm):
    extension = forms.ModelChoiceField(
        label=_("Request"),
        queryset=DeadlineExtension.objects.none(),
        required=False,
        help_text=_("Leave empty to extend directly."),
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.choices,
        initial=Decision.APPROVE,
        widget=forms.RadioSelect,
    )
    metric = forms.ChoiceField(
        label=_("Deadline"), choices=[("", "—"), *ExtensionMetric.choices], required=False
    )
    working_days = forms.IntegerField(
        label=_("Working days"), min_value=1, max_value=30, required=False
    )
    reason = _text(_("Reason"), required=False, rows=2)
    note = _text(_("Decision note"), required=False, rows=2)

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["extension"].queryset = complaint.extensions.filter(
            status=ExtensionStatus.REQUESTED
        )


class EvidenceCompleteForm(VersionedForm):
    note = _text(_("Note"), required=False, rows=2)


class RecordRepairForm(VersionedForm):
    repaired_at = _moment(_("Repaired at"), help_text=_("Empty: now."))
    note = _text(_("Note"), required=False, rows=2)


ACTION_FORMS: dict[str, type[VersionedForm]] = {
    Action.ACCEPT: AcceptForm,
    Action.INVESTIGATE: InvestigateForm,
    Action.HANDLE: HandleForm,
    Action.ESCALATE: EscalateForm,
    Action.PROPOSE_COMPENSATION: ProposeCompensationForm,
    Action.APPROVE_COMPENSATION: DecideCompensationForm,
    Action.FEEDBACK: FeedbackForm,
    Action.CONFIRM: ConfirmForm,
    Action.DISSATISFIED: DissatisfiedForm,
    Action.REOPEN: ReopenForm,
    Action.CLOSE: CloseForm,
    Action.REQUEST_EXTENSION: RequestExtensionForm,
    Action.EXTEND: ExtendForm,
    Action.EVIDENCE_COMPLETE: EvidenceCompleteForm,
    Action.RECORD_REPAIR: RecordRepairForm,
}
# Forms whose choices are the complaint's own rows.
PER_COMPLAINT = frozenset({Action.APPROVE_COMPENSATION, Action.EXTEND})


def action_form(action: str, complaint: Complaint, *args, **kwargs) -> VersionedForm:
    form_class = ACTION_FORMS[action]
    if action in PER_COMPLAINT:
        kwargs["complaint"] = complaint
    return form_class(*args, **kwargs)


class EvidenceForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))
    supersedes = forms.ModelChoiceField(
        label=_("Supersedes"),
        queryset=Evidence.objects.none(),
        required=False,
        help_text=_("A corrected file replaces an entry; the old entry stays in the file."),
    )
    note = _text(_("Note"), required=False, rows=2)

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supersedes"].queryset = complaint.evidence.filter(
            superseded_by__isnull=True
        ).order_by("seq")
        accepted = {kind: accepted_extensions(kind) for kind in EvidenceKind.values}
        every = dict.fromkeys(f".{ext}" for extensions in accepted.values() for ext in extensions)
        self.fields["file"].widget.attrs["accept"] = ",".join(every)
        self.fields["file"].help_text = _(
            "Accepted per kind (the content must match the type): %(types)s."
        ) % {
            "types": "; ".join(
                f"{EvidenceKind(kind).label} {' '.join(accepted[kind])}"
                for kind in EvidenceKind.values
            )
        }


class ClusterFeedbackForm(ServiceErrorsMixin, forms.Form):
    cause = _text(_("Cause"))
    measures = _text(_("Measures taken"))
    rectification = _text(_("Rectification"), required=False, rows=2)
    follow_up = _text(_("Follow-up arrangements"), required=False, rows=2)
    channel = forms.ChoiceField(
        label=_("Send by"),
        choices=FeedbackChannel.choices,
        help_text=_("Complaints without an address for this channel get an SMS."),
    )
