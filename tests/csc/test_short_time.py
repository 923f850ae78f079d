"""`{% short_time %}` writes what the two date filters wrote, in the current time zone."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

FILTERS = Template(
    """<time{% if css %} class="{{ css }}"{% endif %} datetime="{{ v|date:'c' }}">"""
    """{{ v|date:"m-d H:i" }}</time>"""
)
TAG = Template("{% load moments %}{% short_time v css %}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("css", ["", "muted"])
@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 12, 31, 17, 5, 9, 120000, tzinfo=datetime.UTC),  # next day locally
        datetime.datetime(2027, 1, 4, 1, 0, tzinfo=datetime.UTC),
    ],
)
def test_the_tag_writes_what_the_filters_wrote(moment, css, language):
    context = {"v": moment, "css": css}
    with translation.override(language):
        assert TAG.render(Context(context)) == FILTERS.render(Context(context))


def test_in_another_time_zone_too():
    moment = datetime.datetime(2026, 6, 1, 23, 30, tzinfo=datetime.UTC)
    with timezone.override("Europe/Berlin"):
        html = TAG.render(Context({"v": moment, "css": ""}))
    assert html == '<time datetime="2026-06-02T01:30:00+02:00">06-02 01:30</time>'


def test_nothing_for_no_time():
    assert TAG.render(Context({"v": None, "css": ""})) == ""
