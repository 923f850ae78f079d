from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.utils.translation import gettext as _


def _failure_keys(request) -> list[str]:
    username = (request.POST.get("username") or "").strip().lower()
    address = request.META.get("REMOTE_ADDR", "")
    return [f"login-fail:user:{username}", f"login-fail:addr:{address}"]


class ThrottledLoginView(auth_views.LoginView):
    """Sign-in that stops answering after too many failures (DESIGN.md §4)."""

    template_name = "staffing/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        keys = _failure_keys(request)
        if any(cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT for key in keys):
            messages.error(
                request,
                _("Too many failed sign-ins. Wait %(minutes)d minutes and try again.")
                % {"minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60},
            )
            response = self.get(request, *args, **kwargs)
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        for key in _failure_keys(self.request):
            cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW_SECONDS)
            cache.incr(key)
        return super().form_invalid(form)

    def form_valid(self, form):
        cache.delete_many(_failure_keys(self.request)[:1])
        return super().form_valid(form)


login = ThrottledLoginView.as_view()
logout = auth_views.LogoutView.as_view()
