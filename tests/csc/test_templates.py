"""Every template the project ships compiles, so a broken tag fails here and not on a page."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines

ROOT = Path(settings.BASE_DIR)


def _project_templates() -> list[str]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted(
        str(path.relative_to(folder))
        for folder in folders
        if ".venv" not in folder.parts
        for path in folder.rglob("*.html")
    )


def test_the_project_has_templates():
    assert len(_project_templates()) > 50


@pytest.mark.parametrize("name", _project_templates())
def test_the_template_compiles(name):
    engines["django"].get_template(name)
