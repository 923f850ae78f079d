"""simple-history's `Model.history` made once per model, not per access.

Its descriptor builds a new manager class (`from_queryset`, copying every
queryset method) each time `instance.history` or `Model.history` is read, and
every save writing a history row reads it: 165 µs of CPU per read, against
3 µs with the class kept. `KEEP_HISTORY_MANAGERS=0` leaves simple-history's own
descriptor.

The kept descriptor mirrors simple-history internals, so start-up checks them
(`history_internals_changed`) and refuses to run if they moved.
"""

import inspect
import textwrap
from functools import cached_property
from importlib.metadata import version

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from simple_history.manager import HistoryDescriptor, HistoryManager

# What KeptHistoryDescriptor relies on, as read in this version: reading the
# descriptor only builds the manager class and an instance of it.
CHECKED_AGAINST = "3.13.0"
_DESCRIPTOR_GET = """
def __get__(self, instance, owner):
    return self.manager_class.from_queryset(self.queryset_class)(
        self.model, instance
    )
"""
_INIT_PARAMETERS = {
    HistoryDescriptor: ["self", "model", "manager", "queryset"],
    HistoryManager: ["self", "model", "instance"],
}


class KeptHistoryDescriptor(HistoryDescriptor):
    @cached_property
    def manager_with_queryset(self) -> type[HistoryManager]:
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self.manager_with_queryset(self.model, instance)


def history_internals_changed() -> list[str]:
    """How the installed simple-history differs from the internals the kept
    descriptor was checked against; empty when it does not."""
    changed = []
    try:
        source = textwrap.dedent(inspect.getsource(HistoryDescriptor.__get__))
    except OSError:  # installed without its source: nothing to compare
        source = ""
    if source.strip() != _DESCRIPTOR_GET.strip():
        changed.append("HistoryDescriptor.__get__ does something else")
    for cls, expected in _INIT_PARAMETERS.items():
        parameters = list(inspect.signature(cls.__init__).parameters)
        if parameters != expected:
            changed.append(f"{cls.__name__}.__init__ takes ({', '.join(parameters)})")
    return changed


def keep_history_managers() -> None:
    """Swap each tracked model's history descriptor for one that keeps its class,
    after checking the simple-history internals it mirrors."""
    changed = history_internals_changed()
    if changed:
        raise ImproperlyConfigured(
            "csc.lib.history.KeptHistoryDescriptor was checked against "
            f"django-simple-history {CHECKED_AGAINST}, and the installed "
            f"{version('django-simple-history')} differs: {'; '.join(changed)}. Check that "
            "the kept descriptor still does what simple-history's does and update "
            "CHECKED_AGAINST, or set KEEP_HISTORY_MANAGERS=0 to use simple-history's own."
        )
    for model in apps.get_models():
        for name, value in list(vars(model).items()):
            if type(value) is HistoryDescriptor:
                kept = KeptHistoryDescriptor(
                    value.model, manager=value.manager_class, queryset=value.queryset_class
                )
                setattr(model, name, kept)
