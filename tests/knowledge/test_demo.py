"""The demo's starter knowledge base (`seed_demo`): at least 40 published articles across
the categories, with answer wordings and notices, written through the editing flow."""

import pytest
from django.db.models import Count

from knowledge.demo import ARTICLES, seed_knowledge
from knowledge.models import Article
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WRITERS = {
    "lead": "team_lead",
    "techsupport": "tech_support",
    "legal": "market_legal",
    "manager": "cs_manager",
    "director": "centre_director",
}


def test_the_starter_knowledge_base_is_published_through_the_editing_flow_once():
    users = {name: UserFactory(username=name, roles=[role]) for name, role in WRITERS.items()}

    created = seed_knowledge(users)
    again = seed_knowledge(users)

    published = Article.objects.filter(status="published")
    kinds = dict(published.values_list("kind").annotate(n=Count("pk")))
    assert (created, again) == (len(ARTICLES), 0)
    assert published.count() >= 40
    assert kinds["answer"] >= 10 and kinds["notice"] >= 5 and kinds["case"] >= 3
    assert published.values("category").distinct().count() >= 20
    assert all(article.wording for article in published.filter(kind="answer"))
    # Four eyes: nobody published what they submitted.
    for article in published.select_related("published_version"):
        version = article.published_version
        assert version.published_by_id != version.submitted_by_id
    assert set(Article.objects.values_list("status", flat=True)) == {
        "draft",
        "review",
        "published",
        "retired",
    }
