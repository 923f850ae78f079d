"""The one FilterSet of article lists, for the search page and the API alike.

It parses and validates the query string (bad values give field errors: a 400
in the API, a message on the page). `q` is the search text, which the selector
matches (knowledge.search); the other fields narrow the list.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from knowledge.choices import ArticleKind
from knowledge.models import Article
from worktickets.models import InquiryCategory


class ArticleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        help_text=_(
            "Words in Chinese or English; articles with the words in the title come first."
        ),
        max_length=200,
        method="by_text",
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=ArticleKind.choices, empty_label=_("Any kind")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        help_text=_("A category's code; a top-level category includes its sub-categories."),
        queryset=InquiryCategory.objects.all(),
        to_field_name="code",
        method="in_category",
    )
    tag = django_filters.CharFilter(label=_("Tag"), field_name="tags__name", max_length=40)

    class Meta:
        model = Article
        fields = ["q", "kind", "category", "tag"]

    def in_category(self, queryset, name, category):
        return queryset.filter(Q(category=category) | Q(category__parent=category))

    def by_text(self, queryset, name, value):
        # Matched and ranked by the selector, which also falls back to any word.
        return queryset
