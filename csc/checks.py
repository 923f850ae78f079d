"""System checks: a deployment with unusable keys stops at start, not at the first save."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from csc.lib.crypto import check_keys


@checks.register(checks.Tags.security)
def personal_data_keys(app_configs, **kwargs) -> list[checks.CheckMessage]:
    try:
        check_keys()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="csc.E001")]
    return []
