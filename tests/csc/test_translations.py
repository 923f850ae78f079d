"""Chinese is the default language and complete; English is one switch away."""

import ast
import io
import tokenize
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

from csc.lib.translations import locale_dirs

BASE_DIR = Path(settings.BASE_DIR)
CATALOGUE = Path("zh_Hans/LC_MESSAGES/django.po")

# The gettext functions makemessages extracts, and where their msgid sits
# (after a context argument for the p- variants).
MSGID_POSITION = {
    "_": 0,
    "gettext": 0,
    "gettext_lazy": 0,
    "gettext_noop": 0,
    "ngettext": 0,
    "ngettext_lazy": 0,
    "pgettext": 1,
    "pgettext_lazy": 1,
    "npgettext": 1,
    "npgettext_lazy": 1,
}


def zh_hans_catalogues() -> list[Path]:
    return sorted(d / CATALOGUE for d in locale_dirs(BASE_DIR) if (d / CATALOGUE).is_file())


def first_party_app_paths() -> dict[str, Path]:
    return {
        config.label: Path(config.path)
        for config in apps.get_app_configs()
        if Path(config.path).parent == BASE_DIR
    }


def _python_sources() -> list[Path]:
    return sorted(
        path
        for app_path in first_party_app_paths().values()
        for path in app_path.rglob("*.py")
        if "migrations" not in path.relative_to(app_path).parts
    )


def _template_sources() -> list[Path]:
    roots = [BASE_DIR / "templates", *(p / "templates" for p in first_party_app_paths().values())]
    return sorted(
        path
        for root in roots
        if root.is_dir()
        for ext in ("*.html", "*.txt")
        for path in root.rglob(ext)
    )


def _strings_in_python(source: str) -> list[tuple[str, str, int]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        position = MSGID_POSITION.get(name)
        if position is None or len(node.args) <= position:
            continue
        args = node.args[: position + 1]
        if all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
            context = args[0].value if position else ""
            found.append((context, args[position].value, node.lineno))
    return found


def _strings_in_template(source: str) -> list[tuple[str, str, int]]:
    # templatize turns {% translate %} and {% blocktranslate %} into gettext
    # calls, as makemessages does before handing the text to xgettext.
    found = []
    # Left-aligned, so the tokenizer reads no indentation into the placeholders.
    code = "\n".join(line.lstrip() for line in templatize(source).splitlines())
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(code).readline)
        if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    ]
    for i, token in enumerate(tokens[:-1]):
        position = MSGID_POSITION.get(token.string) if token.type == tokenize.NAME else None
        if position is None or tokens[i + 1].string != "(":
            continue
        args = [t for t in tokens[i + 2 : i + 2 + 2 * (position + 1)] if t.string != ","]
        strings = [ast.literal_eval(t.string) for t in args if t.type == tokenize.STRING]
        if len(strings) > position:
            found.append((strings[0] if position else "", strings[position], token.start[0]))
    return found


def source_strings() -> list[tuple[str, str, str]]:
    """(context, msgid, where) for every literal string marked for translation."""
    strings = []
    for path in _python_sources():
        for context, msgid, line in _strings_in_python(path.read_text(encoding="utf-8")):
            strings.append((context, msgid, f"{path.relative_to(BASE_DIR)}:{line}"))
    for path in _template_sources():
        for context, msgid, _line in _strings_in_template(path.read_text(encoding="utf-8")):
            strings.append((context, msgid, str(path.relative_to(BASE_DIR))))
    return strings


def translated_in_catalogues() -> set[tuple[str, str]]:
    translated = set()
    for po_path in zh_hans_catalogues():
        for entry in polib.pofile(str(po_path)).translated_entries():
            translated.add((entry.msgctxt or "", entry.msgid))
    return translated


@pytest.mark.parametrize(
    "app_label",
    sorted(label for label in first_party_app_paths() if label != "csc"),
)
def test_every_app_keeps_its_own_chinese_catalogue(app_label):
    app_path = first_party_app_paths()[app_label]

    assert (app_path / "locale" / CATALOGUE).is_file()


@pytest.mark.parametrize(
    "po_path", zh_hans_catalogues(), ids=lambda p: str(p.relative_to(BASE_DIR))
)
def test_chinese_catalogue_has_no_untranslated_or_fuzzy_entry(po_path):
    catalogue = polib.pofile(str(po_path))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert untranslated == []
    assert fuzzy == []
    assert catalogue.translated_entries(), "an empty catalogue translates nothing"


def test_extraction_finds_strings_in_code_and_templates():
    # Guards the completeness test below against finding nothing.
    python = _strings_in_python('x = _("Queue")\ny = pgettext_lazy("verb", "Close")\n')
    template = _strings_in_template(
        '{% load i18n %}<p>{% translate "Sign in" %}</p>'
        "{% blocktranslate with n=count %}{{ n }} open{% endblocktranslate %}"
    )

    assert [(c, m) for c, m, _ in python] == [("", "Queue"), ("verb", "Close")]
    assert [(c, m) for c, m, _ in template] == [("", "Sign in"), ("", "%(n)s open")]


def test_every_string_marked_for_translation_has_a_chinese_translation():
    # A string added to the code after the last `make messages` is shown in
    # English to Chinese users; Django's own catalogue counts too.
    translated = translated_in_catalogues()
    strings = source_strings()
    assert len(strings) > 50

    missing = []
    with translation.override("zh-hans"):
        for context, msgid, where in strings:
            if (context, msgid) in translated:
                continue
            runtime = (
                translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            )
            if runtime == msgid:
                missing.append(f"{where}: {msgid!r}")

    assert missing == []


@pytest.mark.django_db
def test_page_is_in_chinese_when_the_browser_states_no_language(client):
    response = client.get("/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "客服中心" in html
    assert "Customer-service centre" not in html


@pytest.mark.django_db
def test_switching_to_english_renders_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/login/"
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Customer-service centre" in html
    assert "客服中心" not in html


@pytest.mark.django_db
def test_switching_back_to_chinese_renders_chinese(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})

    response = client.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": "/login/"}, follow=True
    )

    assert '<html lang="zh-hans">' in response.content.decode()
