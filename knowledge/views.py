"""The knowledge base in the browser: search, articles, the editing flow, and the
fragments other pages load (suggestions on tickets, latest notices).

Views parse input, call one selector or service, and render. Every read goes
through knowledge.selectors' visibility rule; an article a person may not
open is the product's 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csc.lib.errors import DomainError, StaleVersion, http_status
from csc.lib.paging import int_or_none
from knowledge import diffs, selectors, services
from knowledge import search as text_search
from knowledge.choices import ArticleKind, FeedbackKind, VersionAction, VersionStatus
from knowledge.filters import ArticleFilter
from knowledge.forms import (
    ArticleForm,
    DraftForm,
    FeedbackForm,
    PublishForm,
    ReasonForm,
    ReviewConfirmForm,
    SettingsForm,
    categories,
)
from knowledge.models import Article, ArticleVersion, KnowledgeSettings
from knowledge.rendering import render_body
from knowledge.reviews import reminder_horizon
from knowledge.selectors import ADD, EDIT, PUBLISH, VIEW
from staffing.access import permission
from worktickets import selectors as ticket_selectors
from worktickets.models import InquiryCategory, Ticket

# ---------------------------------------------------------------- reading


def _page_number(request: HttpRequest) -> int:
    return int_or_none(request.GET.get("page")) or 1


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


@permission(VIEW)
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search as you type (htmx swaps the results), with filters by kind and tag."""
    filters = ArticleFilter(request.GET)
    status, results = 200, None
    try:
        results = selectors.article_search(request.user, request.GET, page=_page_number(request))
    except ValidationError:
        status = 400  # the filter form shows the field errors
    context = {
        "tab": "search",
        "filters": filters,
        "results": results,
        "tags": selectors.tag_names(),
        "categories": categories(),
        "query_without_page": _query_without_page(request),
    }
    template = "knowledge/_results.html" if request.htmx else "knowledge/search.html"
    return render(request, template, context, status=status)


@permission(VIEW)
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params["kind"] = ArticleKind.NOTICE
    results = selectors.article_search(request.user, params, page=_page_number(request))
    context = {"tab": "notices", "results": results, "query_without_page": ""}
    return render(request, "knowledge/notices.html", context)


@permission(VIEW)
@require_GET
def latest_notices(request: HttpRequest) -> HttpResponse:
    """The newest notices, for the page an agent lands on at shift start (htmx, KB-9)."""
    notices = selectors.latest_notices(request.user)
    return render(request, "knowledge/_latest_notices.html", {"notices": notices})


def _article_or_404(user, pk: int) -> Article:
    try:
        return selectors.article_page(user, pk)
    except Article.DoesNotExist:
        raise Http404 from None


def _detail_context(request: HttpRequest, article: Article, **forms) -> dict:
    user = request.user
    may_edit = user.has_perm(EDIT)
    current = selectors.open_version(article) if may_edit else None
    shown = article.published_version or current or article.versions.order_by("-number").first()
    if article.is_published:
        body_html = article.body_html
    else:
        body_html = render_body(shown.body) if shown else ""
    context = {
        "tab": "search",
        "article": article,
        "shown": shown,
        "body_html": body_html,
        "wording": article.wording if article.is_published else (shown.wording if shown else ""),
        "open_version": current,
        "may_edit": may_edit,
        "may_review": user.has_perm(PUBLISH),
        "may_give_feedback": article.is_published and user.has_perm(selectors.FEEDBACK),
        "feedback_kinds": FeedbackKind.choices,
        "versions": selectors.article_versions(article) if may_edit else [],
        "events": selectors.article_events(article) if may_edit else [],
        "review_overdue": bool(
            article.review_due_on and article.review_due_on < timezone.localdate()
        ),
        "publish_form": forms.get("publish_form") or PublishForm(),
        "return_form": forms.get("return_form") or ReasonForm(prefix="return"),
        "retire_form": forms.get("retire_form") or ReasonForm(prefix="retire"),
        "review_form": forms.get("review_form") or ReviewConfirmForm(),
    }
    return context


@permission(VIEW)
@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_or_404(request.user, pk)
    return render(request, "knowledge/article_detail.html", _detail_context(request, article))


@permission(VIEW)
@require_GET
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One version's text and what changed against an earlier one (?against=N, by default
    the one before it)."""
    try:
        version = selectors.version_of(request.user, pk, number)
    except (Article.DoesNotExist, ArticleVersion.DoesNotExist):
        raise Http404 from None
    against_number = int_or_none(request.GET.get("against"))
    if against_number is None:
        against_number = number - 1
    against = None
    if 0 < against_number != number:
        try:
            against = selectors.version_of(request.user, pk, against_number)
        except ArticleVersion.DoesNotExist:
            raise Http404 from None
    context = {
        "tab": "search",
        "article": version.article,
        "version": version,
        "against": against,
        "body_html": render_body(version.body),
        "diff": diffs.version_diff(against, version),
        "numbers": list(
            version.article.versions.order_by("number").values_list("number", flat=True)
        ),
    }
    return render(request, "knowledge/version_detail.html", context)


# ---------------------------------------------------------------- suggestions and feedback


def _ticket_or_404(user, pk) -> Ticket:
    try:
        return ticket_selectors.ticket_detail(user, pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


def _category_from(value) -> InquiryCategory | None:
    category_id = int_or_none(value)
    if category_id is None:
        return None
    return InquiryCategory.objects.filter(pk=category_id).first()


@permission(VIEW)
@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """Articles for the ticket being worked (?ticket=) or the inquiry being typed
    (?subject=&description=), and its category (?category=, an id), as an htmx
    fragment (DOMAIN.md P-14, KB-10)."""
    ticket_id = int_or_none(request.GET.get("ticket"))
    ticket = _ticket_or_404(request.user, ticket_id) if ticket_id else None
    if ticket is not None:
        text = f"{ticket.subject}\n{ticket.description}"
    else:
        text = (
            f"{request.GET.get('subject', '')[:200]}\n{request.GET.get('description', '')[:2000]}"
        )
    category = _category_from(request.GET.get("category"))
    found = selectors.suggestions_for(request.user, text=text, category=category)
    context = {
        "suggestions": found,
        "query": text_search.Query.parse(text),
        "ticket": ticket,
        "typed": bool(text.strip()),
        "may_give_feedback": request.user.has_perm(selectors.FEEDBACK),
        "feedback_kinds": FeedbackKind.choices,
    }
    return render(request, "knowledge/_suggestions.html", context)


@permission(VIEW, selectors.FEEDBACK)
@require_POST
def feedback(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in FeedbackKind.values:
        raise Http404
    try:
        article = selectors.published_visible_to(request.user).get(pk=pk)
    except Article.DoesNotExist:
        raise Http404 from None
    form = FeedbackForm(request.POST)
    status, message = 200, ""
    if not form.is_valid():
        status, message = 400, _("The note is too long.")
    else:
        ticket_id = form.cleaned_data["ticket"]
        ticket = _ticket_or_404(request.user, ticket_id) if ticket_id else None
        try:
            services.article_feedback(
                article, by=request.user, kind=kind, note=form.cleaned_data["note"], ticket=ticket
            )
        except DomainError as error:
            status, message = http_status(error), error.message
        else:
            message = _("Thank you: the article's owner is told.")
    context = {"article": article, "message": message, "ok": status == 200}
    if request.htmx:
        return render(request, "knowledge/_feedback_done.html", context, status=status)
    (messages.success if status == 200 else messages.error)(request, message)
    return redirect("knowledge:detail", pk=pk)


# ---------------------------------------------------------------- writing


@permission(VIEW, ADD)
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = ArticleForm(initial={"kind": request.GET.get("kind", ArticleKind.ARTICLE)})
        return render(request, "knowledge/article_form.html", {"form": form, "tab": "new"})
    form = ArticleForm(request.POST)
    if form.is_valid():
        try:
            article = services.article_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Draft saved. Submit it for review when it is ready."))
            return redirect("knowledge:detail", pk=article.pk)
    context = {"form": form, "tab": "new"}
    return render(request, "knowledge/article_form.html", context, status=400)


def _editable(request: HttpRequest, pk: int) -> Article:
    # Views that call this require EDIT; editors see unpublished articles too.
    return _article_or_404(request.user, pk)


@permission(VIEW, EDIT)
@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = _editable(request, pk)
    version = selectors.open_version(article)
    if version is None or version.status != VersionStatus.DRAFT:
        messages.info(request, _("No draft is open: start a new version to change the text."))
        return redirect("knowledge:detail", pk=pk)
    if request.method == "GET":
        initial = {
            "title": version.title,
            "tags": ", ".join(version.tags),
            "body": version.body,
            "wording": version.wording,
            "change_note": version.change_note,
            "edit_count": version.edit_count,
        }
        context = {"form": DraftForm(initial=initial), "article": article, "version": version}
        return render(request, "knowledge/draft_form.html", context)
    form = DraftForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.draft_update(version, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        except DomainError as error:
            form.add_error(None, error.message)
            status = http_status(error)
            if isinstance(error, StaleVersion):
                version.refresh_from_db()
                form.data = form.data.copy()
                form.data["edit_count"] = version.edit_count
        else:
            messages.success(request, _("Draft saved."))
            return redirect("knowledge:detail", pk=pk)
    context = {"form": form, "article": article, "version": version}
    return render(request, "knowledge/draft_form.html", context, status=status)


@permission(VIEW, EDIT)
@require_http_methods(["GET", "POST"])
def article_settings(request: HttpRequest, pk: int) -> HttpResponse:
    article = _editable(request, pk)
    if request.method == "GET":
        initial = {
            "kind": article.kind,
            "category": article.category,
            "owner": article.owner,
            "audience": article.audience,
            "audience_roles": list(article.audience_roles.all()),
            "audience_teams": list(article.audience_teams.all()),
        }
        context = {"form": SettingsForm(initial=initial), "article": article}
        return render(request, "knowledge/settings_form.html", context)
    form = SettingsForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.article_update_settings(article, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        except DomainError as error:
            form.add_error(None, error.message)
            status = http_status(error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("knowledge:detail", pk=pk)
    context = {"form": form, "article": article}
    return render(request, "knowledge/settings_form.html", context, status=status)


def _refused(request: HttpRequest, article: Article, error: DomainError) -> HttpResponse:
    messages.error(request, error.message)
    context = _detail_context(request, _article_or_404(request.user, article.pk))
    return render(request, "knowledge/article_detail.html", context, status=http_status(error))


@permission(VIEW, EDIT)
@require_POST
def revision_start(request: HttpRequest, pk: int) -> HttpResponse:
    article = _editable(request, pk)
    try:
        services.revision_start(article, by=request.user)
    except DomainError as error:
        return _refused(request, article, error)
    return redirect("knowledge:edit", pk=pk)


ACTION_FORMS = {
    VersionAction.SUBMIT: None,
    VersionAction.RETURN: ("return_form", lambda data: ReasonForm(data, prefix="return")),
    VersionAction.PUBLISH: ("publish_form", PublishForm),
}


def _version_service(action: str):
    return {
        VersionAction.SUBMIT: services.version_submit,
        VersionAction.RETURN: services.version_return,
        VersionAction.PUBLISH: services.version_publish,
    }[action]


@permission(VIEW, EDIT)
@require_POST
def version_action(request: HttpRequest, pk: int, number: int, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404
    article = _editable(request, pk)
    version = article.versions.filter(number=number).first()
    if version is None:
        raise Http404
    form_spec = ACTION_FORMS[action]
    data: dict = {}
    form = None
    if form_spec is not None:
        name, make = form_spec
        form = make(request.POST)
        if not form.is_valid():
            context = _detail_context(request, article, **{name: form})
            return render(request, "knowledge/article_detail.html", context, status=400)
        data = form.cleaned_data
    try:
        _version_service(action)(version, by=request.user, **data)
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
            context = _detail_context(request, article)
        else:
            form.add_service_error(error)
            context = _detail_context(request, article, **{form_spec[0]: form})
        return render(request, "knowledge/article_detail.html", context, status=400)
    except DomainError as error:
        return _refused(request, article, error)
    messages.success(request, _("Done: %(action)s.") % {"action": VersionAction(action).label})
    return redirect("knowledge:detail", pk=pk)


@permission(VIEW, PUBLISH)
@require_POST
def article_retire(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_or_404(request.user, pk)
    form = ReasonForm(request.POST, prefix="retire")
    if form.is_valid():
        try:
            services.article_retire(article, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        except DomainError as error:
            return _refused(request, article, error)
        else:
            messages.success(request, _("The article is retired: agents no longer find it."))
            return redirect("knowledge:detail", pk=pk)
    context = _detail_context(request, article, retire_form=form)
    return render(request, "knowledge/article_detail.html", context, status=400)


@permission(VIEW, EDIT)
@require_POST
def review_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    article = _editable(request, pk)
    form = ReviewConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.article_review_confirm(article, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        except DomainError as error:
            return _refused(request, article, error)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("knowledge:detail", pk=pk)
    context = _detail_context(request, article, review_form=form)
    return render(request, "knowledge/article_detail.html", context, status=400)


# ---------------------------------------------------------------- editors' lists


@permission(VIEW, EDIT)
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    context = {"tab": "workspace", **selectors.workspace(request.user)}
    return render(request, "knowledge/workspace.html", context)


@permission(VIEW, EDIT)
@require_GET
def reviews_due(request: HttpRequest) -> HttpResponse:
    """Articles whose quarterly review is overdue or coming (DOMAIN.md S-47)."""
    now = timezone.now()
    until = reminder_horizon(KnowledgeSettings.current(), now)
    due = list(selectors.reviews_due(request.user, until=until))
    today = timezone.localdate(now)
    context = {
        "tab": "reviews",
        "overdue": [article for article in due if article.review_due_on < today],
        "coming": [article for article in due if article.review_due_on >= today],
        "until": until,
    }
    return render(request, "knowledge/reviews_due.html", context)
