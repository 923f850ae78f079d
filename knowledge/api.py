"""Knowledge API (DESIGN.md §3): published articles with Chinese full-text search, so the
online chat robot and the IVR give the answers agents give (DOMAIN.md KB-4: all
channels use the one knowledge base).

Read-only. Integrations need the `knowledge:read` scope and see published articles
for every agent; restricted ones never leave through the API. Signed-in people see
what the knowledge base shows them (knowledge.selectors).
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from knowledge import api_docs, selectors
from knowledge.models import Article
from staffing.api_auth import api_client_of

MAX_PAGE = 500


class ArticleSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("The inquiry category's code."),
    )
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    body_html = serializers.CharField(help_text=_("The body rendered and sanitised."))
    body_text = serializers.CharField(help_text=_("The body as plain text."))
    wording = serializers.CharField(
        help_text=_("The exact words to give the customer (answer wordings); may be empty.")
    )
    version = serializers.IntegerField(source="published_version.number")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "kind",
            "title",
            "category",
            "tags",
            "wording",
            "body_html",
            "body_text",
            "version",
            "published_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, article: Article) -> str:
        return reverse("knowledge-article-detail", args=[article.pk])


class ArticleListSerializer(ArticleSerializer):
    class Meta(ArticleSerializer.Meta):
        fields = [name for name in ArticleSerializer.Meta.fields if name != "body_html"]
        read_only_fields = fields


class SearchParamsSerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)


# The list action answers one page object (its links, `every_word`, `more_matches`,
# its results),
# not the array drf-spectacular assumes for a list.
@extend_schema_serializer(many=False)
class SearchPageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    next = serializers.CharField(allow_null=True, help_text=_("The next page, if any."))
    previous = serializers.CharField(allow_null=True)
    every_word = serializers.BooleanField(
        help_text=_("False when no article had every word and these have some of them.")
    )
    more_matches = serializers.BooleanField(
        help_text=_(
            "True when more articles matched than search ranks (the newest of them): "
            "more words find the others."
        )
    )
    results = ArticleListSerializer(many=True)


def _page_url(request, page: int) -> str:
    query = request.query_params.copy()
    query["page"] = page
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


@extend_schema_view(
    **api_docs.article_operations(
        page=SearchPageSerializer, detail=ArticleSerializer, max_page=MAX_PAGE
    )
)
class ArticleViewSet(viewsets.GenericViewSet):
    scope_resource = "knowledge"
    required_perms = {"read": [selectors.VIEW]}
    serializer_class = ArticleSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "head", "options"]
    pagination_class = None

    def _is_integration(self) -> bool:
        return api_client_of(self.request) is not None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Article.objects.none()  # schema generation: no request user to scope by
        if self._is_integration():
            return selectors.published_for_integrations()
        return selectors.published_visible_to(self.request.user)

    def list(self, request):
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = params.validated_data["page"]
        found = selectors.article_search(
            request.user, request.query_params, page=page, integration=self._is_integration()
        )
        body = {
            "page": page,
            "next": _page_url(request, page + 1) if found.has_next else None,
            "previous": _page_url(request, page - 1) if page > 1 else None,
            "every_word": not found.any_word,
            "more_matches": found.more_matches,
            "results": ArticleListSerializer(found.articles, many=True).data,
        }
        return Response(body)

    def retrieve(self, request, pk=None):
        queryset = selectors.with_tags(self.get_queryset()).select_related(
            "published_version", "category"
        )
        article = get_object_or_404(queryset, pk=pk)
        return Response(self.get_serializer(article).data)


router = SimpleRouter(trailing_slash=True)
router.register("knowledge/articles", ArticleViewSet, basename="knowledge-article")

api_urlpatterns = router.urls
