import contextlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from csc.lib.crypto import blind_index, decrypt, encrypt
from csc.lib.masking import mask_id_number, mask_phone
from csc.lib.phones import InvalidPhoneNumber, normalise_phone
from csc.lib.resident_id import InvalidResidentId, normalise_resident_id
from intake import grade_service
from intake.choices import (
    AccessAction,
    AccessVia,
    Channel,
    CustomerType,
    Disposition,
    PaymentSegment,
    PaymentType,
    Region,
    ServiceStatus,
    ServiceType,
    VipTier,
)

if TYPE_CHECKING:
    from staffing.models import User

RESIDENT_ID_ERRORS = {
    "shape": _("A resident ID number has 17 digits followed by a digit or X."),
    "birth_date": _("The birth date in this resident ID number is not a real date."),
    "checksum": _("The check digit of this resident ID number does not match; please re-check it."),
}


PHONE_ERROR = _(
    "Enter a mainland mobile number (11 digits) or a fixed-line number with its area code."
)


def validate_phone(value: str) -> None:
    try:
        normalise_phone(value)
    except InvalidPhoneNumber:
        raise ValidationError(PHONE_ERROR, code="invalid_phone") from None


def validate_resident_id(value: str) -> None:
    try:
        normalise_resident_id(value)
    except InvalidResidentId as exc:
        raise ValidationError(RESIDENT_ID_ERRORS[str(exc)], code="invalid_resident_id") from None


class CustomerQuerySet(models.QuerySet):
    def with_id_number(self, id_number: str) -> "CustomerQuerySet":
        """Customers with this normalised resident ID number, found by its blind index."""
        if not id_number:
            return self.none()
        return self.filter(id_number_index=blind_index(id_number))

    def entitled_to_grade_service(self) -> "CustomerQuerySet":
        """Postpaid VIP customers: the only ones grade service is for (CA-4, W-26)."""
        return self.filter(grade_service.entitled_q())


class Customer(models.Model):
    # Indexed for the name search, which matches from the start (an index range scan).
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, db_index=True, validators=[validate_phone])
    # The resident ID number is stored encrypted only (`id_number` below reads and
    # writes it); its blind index finds it and its masked form shows it, neither
    # decrypting. History rows copy these three columns, so they hold no plain number.
    id_number_encrypted = models.TextField(
        _("resident ID number (encrypted)"), blank=True, default="", editable=False
    )
    id_number_index = models.CharField(
        _("resident ID number (lookup index)"),
        max_length=64,
        blank=True,
        default="",
        db_index=True,
        editable=False,
    )
    id_number_masked = models.CharField(
        _("resident ID number (masked)"), max_length=18, blank=True, default="", editable=False
    )
    customer_type = models.CharField(
        _("customer type"),
        max_length=20,
        choices=CustomerType.choices,
        default=CustomerType.INDIVIDUAL,
    )
    payment_type = models.CharField(
        _("payment type"), max_length=20, choices=PaymentType.choices, default=PaymentType.PREPAID
    )
    vip_tier = models.CharField(
        _("VIP tier"), max_length=20, choices=VipTier.choices, default=VipTier.NONE
    )
    region = models.CharField(
        _("region"), max_length=10, choices=Region.choices, default=Region.URBAN
    )
    city = models.CharField(_("city"), max_length=50, blank=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_customers",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()
    # simple-history names them on the history row the next save writes: who and why.
    _history_user: "User | None"
    _change_reason: str

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]  # newest first, on the primary key index
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [("view_full_personal_data", _("Can see full phone and ID numbers"))]

    def __str__(self) -> str:
        return f"{self.name} {self.masked_phone}"

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_id_number", None)  # the plain number is never pickled (caches, tasks)
        return state

    def clean(self) -> None:
        # A number that does not normalise is left as typed: the phone's field validator
        # reports it, and whoever sets the ID number (services, forms) checks that one.
        if self.phone:
            with contextlib.suppress(InvalidPhoneNumber):
                self.phone = normalise_phone(self.phone)
        if self.id_number:
            with contextlib.suppress(InvalidResidentId):
                self.id_number = normalise_resident_id(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number(self) -> str:
        """The plain number, decrypted on first read (masked display needs no decryption)."""
        token = self.id_number_encrypted
        known = self.__dict__.get("_id_number")
        if known is None or known[0] != token:
            known = self.__dict__["_id_number"] = (token, decrypt(token))
        return known[1]

    @id_number.setter
    def id_number(self, value: str) -> None:
        value = value or ""
        known = self.__dict__.get("_id_number")
        if known is not None and known == (self.id_number_encrypted, value):
            return  # unchanged: no new encryption (nor a spurious history change)
        self.id_number_encrypted = encrypt(value)
        self.id_number_index = blind_index(value)
        self.id_number_masked = mask_id_number(value)
        self.__dict__["_id_number"] = (self.id_number_encrypted, value)

    @property
    def masked_id_number(self) -> str:
        return self.id_number_masked

    @property
    def is_vip(self) -> bool:
        """Entitled to grade service: a postpaid customer with a tier (intake/grade_service.py)."""
        return grade_service.entitled_to_grade_service(self.payment_type, self.vip_tier)

    @property
    def grade_tier(self) -> str:
        """The tier that counts for SLA policies, priority, queues and privileges."""
        return grade_service.grade_service_tier(self.payment_type, self.vip_tier)

    @property
    def tier_without_grade_service(self) -> bool:
        """A tier is recorded but grants nothing (a prepaid customer): the UI says why."""
        return self.vip_tier != VipTier.NONE and not self.is_vip

    @property
    def no_grade_service_reason(self):
        return grade_service.NO_GRADE_SERVICE_REASON if self.tier_without_grade_service else ""

    @property
    def payment_segment(self) -> str:
        if self.payment_type == PaymentType.PREPAID:
            return PaymentSegment.PREPAID
        return PaymentSegment.POSTPAID_VIP if self.is_vip else PaymentSegment.POSTPAID

    @property
    def payment_segment_label(self) -> str:
        return PaymentSegment(self.payment_segment).label


class CustomerService(models.Model):
    """A number or line the customer holds with the operator."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="services"
    )
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices)
    number = models.CharField(
        _("number or account"),
        max_length=30,
        db_index=True,
        help_text=_("Phone number for mobile and fixed lines; the account for broadband."),
    )
    plan = models.CharField(_("plan"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    history = HistoricalRecords()
    # simple-history names them on the history row the next save writes: who and why.
    _history_user: "User | None"
    _change_reason: str

    class Meta:
        ordering = ["service_type", "number"]
        verbose_name = _("customer service")
        verbose_name_plural = _("customer services")
        constraints = [
            models.UniqueConstraint(fields=["service_type", "number"], name="service_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_service_type_display()} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        # Broadband accounts identify a person as surely as a phone number does.
        return mask_phone(self.number)


class Contact(models.Model):
    """One call, chat, visit or message, whoever it came from."""

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    caller_number = models.CharField(
        _("caller number"),
        max_length=20,
        blank=True,
        db_index=True,
        help_text=_("The number the contact came from, kept even for anonymous callers."),
    )
    queued_at = models.DateTimeField(_("queued at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    summary = models.TextField(_("summary"), blank=True)
    disposition = models.CharField(
        _("disposition"), max_length=20, choices=Disposition.choices, blank=True
    )
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        blank=True,
        help_text=_("The call or chat ID in the channel's own system."),
    )
    # The CTI's call recording (played from its URL, never copied into csc) and transcript,
    # which QA evaluates (issue 17 item 1).
    recording_url = models.URLField(
        _("recording URL"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
    )
    recording_seconds = models.PositiveIntegerField(
        _("recording duration (seconds)"), null=True, blank=True
    )
    transcript = models.TextField(_("transcript"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()
    # simple-history names them on the history row the next save writes: who and why.
    _history_user: "User | None"
    _change_reason: str

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["customer", "-queued_at"], name="contact_customer_recent"),
            models.Index(fields=["agent", "-queued_at"], name="contact_agent_recent"),
            models.Index(fields=["channel", "queued_at"], name="contact_channel_time"),
            # The unfiltered contact list, newest first.
            models.Index(fields=["-queued_at", "-id"], name="contact_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True)
                | models.Q(answered_at__gte=models.F("queued_at")),
                name="contact_answered_after_queued",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("queued_at")),
                name="contact_ended_after_queued",
            ),
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="contact_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.queued_at:%Y-%m-%d %H:%M}"

    @property
    def wait_seconds(self) -> float | None:
        if self.answered_at is None:
            return None
        return (self.answered_at - self.queued_at).total_seconds()

    @property
    def masked_caller_number(self) -> str:
        return mask_phone(self.caller_number)


class PersonalDataAccess(models.Model):
    """Who saw a customer's full phone or ID number, when, and where (DOMAIN.md R-2).

    An anonymous caller's number is personal data too: its access names the
    contact instead of a customer.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="data_accesses",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("anonymous contact"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="data_accesses",
    )
    accessed_at = models.DateTimeField(_("accessed at"), auto_now_add=True)
    via = models.CharField(_("via"), max_length=10, choices=AccessVia.choices)
    path = models.CharField(_("page or endpoint"), max_length=300)
    action = models.CharField(
        _("action"), max_length=10, choices=AccessAction.choices, default=AccessAction.VIEW
    )
    # Why a full number was revealed on demand; empty for other actions.
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # The number searched for, masked: the log must not hold what it protects.
    term = models.CharField(_("search term (masked)"), max_length=40, blank=True)

    class Meta:
        ordering = ["-accessed_at", "-id"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        indexes = [
            models.Index(fields=["customer", "-accessed_at"], name="pda_customer_recent"),
            models.Index(fields=["user", "-accessed_at"], name="pda_user_recent"),
            models.Index(fields=["-accessed_at", "-id"], name="pda_recent"),
        ]
        constraints = [
            # A search that found nobody names nobody; every other row names whose data.
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False)
                | models.Q(contact__isnull=False)
                | models.Q(action=AccessAction.SEARCH),
                name="pda_names_customer_or_contact",
            )
        ]
        permissions = [
            ("receive_security_alerts", _("Receives alerts about bursts of personal data searches"))
        ]

    def __str__(self) -> str:
        if self.customer_id:
            subject = f"customer {self.customer_id}"
        elif self.contact_id:
            subject = f"contact {self.contact_id}"
        else:
            subject = f"search {self.term}"
        return f"{self.user} → {subject} @ {self.accessed_at:%Y-%m-%d %H:%M}"
