"""Browser forms of the knowledge base: they parse input; the services decide and save.

Each form's cleaned data are the keyword arguments of its service, so a view
calls the service with them as they are.
"""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from knowledge.choices import ArticleKind, Audience, FeedbackKind
from staffing.models import Team
from staffing.roles import Role
from worktickets.models import InquiryCategory

# Tags are typed with commas (either width), the Chinese enumeration comma or spaces.
_TAG_SEPARATORS = re.compile(r"[,，、;；\s]+")


def split_tags(text: str) -> list[str]:
    return [tag for tag in _TAG_SEPARATORS.split(text or "") if tag]


class ServiceErrorsMixin:
    """Put a service's ValidationError next to the fields it names, the rest on top."""

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(Role(obj.name).label) if obj.name in Role.values else obj.name


def _roles():
    return Group.objects.filter(name__in=Role.values).order_by("name")


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.path


def categories():
    """The tree in order: each top-level category followed by its sub-categories."""
    return (
        InquiryCategory.objects.filter(is_active=True)
        .select_related("parent")
        .order_by(
            Coalesce("parent__sort_order", "sort_order"),
            Coalesce("parent__code", "code"),
            F("parent").asc(nulls_first=True),
            "sort_order",
            "code",
        )
    )


def category_field() -> CategoryChoiceField:
    return CategoryChoiceField(
        label=_("Category"),
        queryset=categories(),
        required=False,
        help_text=_("Suggestions on tickets of this category put the article first."),
    )


class TextFields(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas, e.g. 宽带, 报修, 光猫."),
    )
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Markdown: # heading, - list, **bold**, | tables |. Scripts are removed."),
    )
    wording = forms.CharField(
        label=_("Answer wording"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The exact words agents say or write to the customer; required for an answer wording."
        ),
    )
    change_note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def clean_tags(self) -> list[str]:
        return split_tags(self.cleaned_data["tags"])


class AudienceFields(forms.Form):
    audience = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Audience.choices,
        initial=Audience.ALL_AGENTS,
        widget=forms.RadioSelect,
    )
    audience_roles = RoleChoiceField(
        label=_("Roles"), queryset=_roles(), required=False, widget=forms.CheckboxSelectMultiple
    )
    audience_teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ArticleForm(ServiceErrorsMixin, TextFields, AudienceFields):
    """A new article and its first draft."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ArticleKind.choices)
    category = category_field()

    field_order = ["kind", "category", "title", "tags", "body", "wording", "change_note"]


class DraftForm(ServiceErrorsMixin, TextFields):
    edit_count = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SettingsForm(ServiceErrorsMixin, AudienceFields):
    kind = forms.ChoiceField(label=_("Kind"), choices=ArticleKind.choices)
    category = category_field()
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=get_user_model()
        .objects.filter(is_active=True, groups__permissions__codename="change_article")
        .distinct()
        .order_by("username"),
    )

    field_order = ["kind", "category", "owner", "audience", "audience_roles", "audience_teams"]


class ReasonForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class PublishForm(ServiceErrorsMixin, forms.Form):
    review_due_on = forms.DateField(
        label=_("Review due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: a quarter after publication, on a working day."),
    )


class ReviewConfirmForm(ServiceErrorsMixin, forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    next_review_on = forms.DateField(
        label=_("Next review on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: a quarter from today, on a working day."),
    )


class FeedbackForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    ticket = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    @staticmethod
    def kinds() -> list[str]:
        return list(FeedbackKind.values)
