"""simple-history's `Model.history` made once per model, not per access.

Its descriptor builds a new manager class (`from_queryset`, copying every
queryset method) each time `instance.history` or `Model.history` is read, and
every save writing a history row reads it: about 0.2 ms per row written.
"""

from django.apps import apps
from simple_history.manager import HistoryDescriptor


class KeptHistoryDescriptor(HistoryDescriptor):
    def __get__(self, instance, owner):
        manager_class = self.__dict__.get("_manager_with_queryset")
        if manager_class is None:
            manager_class = self.manager_class.from_queryset(self.queryset_class)
            self._manager_with_queryset = manager_class
        return manager_class(self.model, instance)


def keep_history_managers() -> None:
    """Swap each tracked model's history descriptor for one that keeps its class."""
    for model in apps.get_models():
        for name, value in list(vars(model).items()):
            if type(value) is HistoryDescriptor:
                kept = KeptHistoryDescriptor(
                    value.model, manager=value.manager_class, queryset=value.queryset_class
                )
                setattr(model, name, kept)
