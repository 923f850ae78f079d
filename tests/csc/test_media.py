"""Stored files have no public address, in any mode (csc.lib.files)."""

import importlib

import pytest
from django.urls import Resolver404, URLResolver
from django.urls.resolvers import RegexPattern

import csc.urls
from csc.lib.files import protected_file_response


@pytest.fixture
def urls_built_with_debug_on(settings):
    settings.DEBUG = True
    try:
        yield importlib.reload(csc.urls)
    finally:
        settings.DEBUG = False
        importlib.reload(csc.urls)


@pytest.mark.parametrize(
    "path",
    ["/media/letters/letter-1.txt", "/media/complaints/evidence/1/0001-0123456789abcdef.png"],
)
def test_media_files_have_no_route_even_with_debug_on(urls_built_with_debug_on, path):
    resolver = URLResolver(RegexPattern(r"^/"), urls_built_with_debug_on)

    with pytest.raises(Resolver404):
        resolver.resolve(path)


@pytest.mark.django_db
def test_a_signed_out_visitor_gets_no_stored_file(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "letter-1.txt").write_text("王芳 北京市朝阳区")

    assert client.get("/media/letters/letter-1.txt").status_code == 404


def test_an_unnamed_inline_file_sent_by_the_web_server_has_no_content_disposition(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_INTERNAL_REDIRECT = "/protected-media/"
    (tmp_path / "note.txt").write_text("note")

    response = protected_file_response("note.txt", filename="", as_attachment=False)

    assert response["X-Accel-Redirect"] == "/protected-media/note.txt"
    assert "Content-Disposition" not in response  # not the text "None"
