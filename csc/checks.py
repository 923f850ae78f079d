"""System checks: a deployment with unusable keys stops at start, not at the first save,
and a model `csc.lib.inserts` cannot write as `save()` would stops it too."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from csc.lib import inserts
from csc.lib.crypto import check_keys


@checks.register(checks.Tags.security)
def personal_data_keys(app_configs, **kwargs) -> list[checks.CheckMessage]:
    try:
        check_keys()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="csc.E001")]
    return []


@checks.register(checks.Tags.models)
def inserted_models(app_configs, **kwargs) -> list[checks.CheckMessage]:
    return inserts.check_models()
