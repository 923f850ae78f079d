from csc.navigation import nav_entries, nav_for
from staffing.notification_views import unread_count
from staffing.roles import Role, primary_role


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": []}
    role = primary_role(user)
    return {
        "nav_entries": nav_entries(nav_for(user, request.path)),
        "primary_role_label": Role(role).label if role else "",
        "unread_notifications": unread_count(user),
    }
