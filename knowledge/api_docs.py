"""The API documentation of the knowledge base (knowledge/api.py), applied by its
decorators."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter

from knowledge.choices import ArticleKind
from staffing.api_schema import error_body, operation, refusal, response_body

ARTICLE = {
    "id": 12,
    "kind": "answer",
    "title": "宽带故障报修怎么办理",
    "category": "system_fault_app",
    "tags": ["宽带", "报修"],
    "wording": "您好，宽带故障可拨打 10000 号或在手机营业厅提交报修，我们将在 24 小时内上门处理。",
    "body_html": "<p>先请客户重启光猫，仍不能上网时登记报修工单。</p>",
    "body_text": "先请客户重启光猫，仍不能上网时登记报修工单。",
    "version": 3,
    "published_at": "2025-05-20T09:00:00+08:00",
    "url": "/api/v1/knowledge/articles/12/",
}
ROW = {key: value for key, value in ARTICLE.items() if key != "body_html"}
PAGE = {
    "page": 1,
    "next": None,
    "previous": None,
    "every_word": True,
    "more_matches": False,
    "results": [ROW],
}
BAD_PAGE = error_body(
    "BadPage", _("A page out of range"), {"page": ["请确保该值小于或者等于 500。"]}
)


def article_operations(*, page, detail, max_page: int) -> dict:
    """The ArticleViewSet's operations: search and read published articles."""
    return {
        "list": operation(
            summary=_("Search published articles"),
            description=_(
                "Chinese full-text search (`q`): articles with every word first, those "
                "with the words in the title before tags and body; when none has every "
                "word, those with some (`every_word` false). A common word matches "
                "thousands of articles: only the newest few hundred of them are ranked, "
                "and `more_matches` says a more precise query would find others. "
                "Without `q`, the newest first. 20 per page. Integrations see published "
                "articles open to every agent; restricted ones never leave through the API."
            ),
            parameters=[
                OpenApiParameter("q", str, description=_("Search words (Chinese or English).")),
                OpenApiParameter("kind", str, enum=ArticleKind.values),
                OpenApiParameter(
                    "category",
                    str,
                    description=_(
                        "An inquiry category's code; a top-level one includes its children."
                    ),
                ),
                OpenApiParameter("tag", str, description=_("Only articles with this tag.")),
                OpenApiParameter("page", int, description=f"1 to {max_page}."),
            ],
            responses={200: page},
            errors={400: refusal(_("A page outside 1 to 500."), BAD_PAGE)},
            examples=[response_body("Page", _("A page of search results"), PAGE)],
        ),
        "retrieve": operation(
            summary=_("Read one published article"),
            description=_(
                "A published article the caller may read, with its body rendered and "
                "sanitised. A draft, a retired or a restricted article answers 404."
            ),
            responses={200: detail},
            examples=[response_body("Article", _("An answer wording"), ARTICLE)],
        ),
    }
