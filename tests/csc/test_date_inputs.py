"""Browser date pickers (`<input type="date">`, `month`, `datetime-local`) accept only
ISO values, but Django writes an initial date in the language's first input format,
which for Chinese is 2026/12/01: the field then shows empty and is sent empty. Every
such widget in the product names its ISO format."""

import datetime
import importlib
import inspect

import pytest
from django import forms
from django.utils import translation

FORM_MODULES = [
    "care.forms",
    "complaints.forms",
    "csc.forms",
    "intake.forms",
    "knowledge.forms",
    "quality.forms",
    "staffing.forms",
    "worktickets.forms",
]
ISO = {"date": "%Y-%m-%d", "month": "%Y-%m", "datetime-local": "%Y-%m-%dT%H:%M"}


def picker_fields():
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module_name:
                continue
            for field_name, field in form.base_fields.items():
                kind = getattr(field.widget, "input_type", None)
                if kind in ISO:
                    yield f"{module_name}.{name}.{field_name}", field.widget, kind


def test_every_date_picker_writes_its_value_in_iso_form():
    fields = list(picker_fields())
    assert len(fields) >= 10
    wrong = [label for label, widget, kind in fields if widget.format != ISO[kind]]
    assert wrong == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_initial_date_shows_in_the_picker_in_chinese_too(language):
    widget = forms.DateInput(attrs={"type": "date"}, format=ISO["date"])
    with translation.override(language):
        html = widget.render("day", datetime.date(2026, 12, 1))
    assert 'value="2026-12-01"' in html
