from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from care.api import api_urlpatterns as care_api
from complaints.api import api_urlpatterns as complaints_api
from csc import dashboard_views, report_views, views
from csc.api import unknown_api_path
from csc.api_erasure import api_urlpatterns as erasure_api
from csc.api_metrics import api_urlpatterns as metrics_api
from csc.api_workforce import api_urlpatterns as workforce_api
from intake.api import api_urlpatterns as intake_api
from knowledge.api import api_urlpatterns as knowledge_api
from quality.api import api_urlpatterns as quality_api
from sla.api import api_urlpatterns as sla_api
from staffing import letter_views, schedule_views
from staffing import urls as staffing_urls
from staffing import views as staffing_views
from staffing.api import api_urlpatterns as staffing_api
from staffing.api_rosters import api_urlpatterns as roster_api
from worktickets.api import api_urlpatterns as worktickets_api


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    """Pages that link no icon (the admin, the API docs) make browsers ask for this."""
    return redirect(static("favicon.ico"))


# The admin is where administrators keep the centre's configuration: name it so.
admin.site.site_header = _("Customer-service centre administration")
admin.site.site_title = _("csc administration")
admin.site.index_title = _("Configuration and records")
admin.site.site_url = "/"

api_v1 = [
    *intake_api,
    *sla_api,
    *worktickets_api,
    *complaints_api,
    *knowledge_api,
    *care_api,
    *quality_api,
    *staffing_api,
    *roster_api,
    *workforce_api,
    *erasure_api,
    *metrics_api,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("login/", staffing_views.login, name="login"),
    path("logout/", staffing_views.logout, name="logout"),
    # Staff change their own password; AUTH_PASSWORD_VALIDATORS judge the new one.
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="staffing/password_change.html",
            success_url=reverse_lazy("password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="staffing/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("customers/<int:pk>/erase/", views.customer_erase, name="customer_erase"),
    path("approvals/", views.approvals_inbox, name="approvals"),
    path("dashboard/", dashboard_views.shift_dashboard, name="shift_dashboard"),
    path("dashboard/wallboards/", dashboard_views.wallboard_list, name="wallboards"),
    path(
        "dashboard/wallboards/<int:pk>/revoke/",
        dashboard_views.wallboard_revoke,
        name="wallboard_revoke",
    ),
    path("wallboard/<str:token>/", dashboard_views.wallboard, name="wallboard"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<int:pk>/", report_views.report_detail, name="report_detail"),
    path("reports/<int:pk>/submit/", report_views.report_submit, name="report_submit"),
    path("reports/<int:pk>/export.csv", report_views.report_csv, name="report_csv"),
    path("reports/<int:pk>/export.xlsx", report_views.report_xlsx, name="report_xlsx"),
    path("approvals/<slug:kind>/<int:pk>/decide/", views.approval_decide, name="approval_decide"),
    path("", include("intake.urls")),
    path("tickets/", include("worktickets.urls")),
    path("sla/", include("sla.urls")),
    path("complaints/", include("complaints.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("care/", include("care.urls")),
    path("quality/", include("quality.urls")),
    # The team board is composed in csc (it reads contacts) but named staffing:team_board.
    path(
        "team/",
        include(
            (
                [path("", views.team_board, name="team_board"), *staffing_urls.urlpatterns],
                "staffing",
            )
        ),
    ),
    path("notifications/", include("staffing.notification_urls")),
    # Public by its secret address, for phone calendars that cannot sign in.
    path("calendar/<str:token>.ics", schedule_views.calendar_feed, name="roster_calendar_feed"),
    path("letters/<int:pk>/", letter_views.letter_download, name="letter_download"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # The contract is for our staff and integrations, not for anyone who finds the host.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="schema",
    ),
    path(
        "api/docs/",
        # Swagger UI's page has an inline <style>; its script is a separate file (the
        # split view), so only styles are relaxed, and only here.
        login_required(
            csp_update({"style-src": [UNSAFE_INLINE]})(
                SpectacularSwaggerSplitView.as_view(url_name="schema")
            )
        ),
        name="swagger-ui",
    ),
    # Last under /api/: JSON 404 in every mode. Only paths ending in a slash, so a
    # missing slash still gets CommonMiddleware's redirect to the real endpoint.
    re_path(r"^api/.*/$", unknown_api_path),
]

# API paths that match no route answer JSON, not the HTML page.
handler404 = "csc.api.not_found"
handler400 = "csc.api.bad_request"
# Stored files (evidence, letters) have no public route, not even with DEBUG on:
# each is served by a view that checks who asks (csc.lib.files).
