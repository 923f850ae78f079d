"""mypy (with django-stubs and djangorestframework-stubs) passes on the typed layers:
every app's services and selectors, and csc/lib, as pyproject.toml lists them.
`make lint` runs the same check; this test makes `make test` catch a regression too."""

import tomllib
from pathlib import Path

import pytest
from django.conf import settings

mypy_api = pytest.importorskip("mypy.api", reason="mypy is not installed")

BASE_DIR = Path(settings.BASE_DIR)


def mypy_config() -> dict:
    with open(BASE_DIR / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["mypy"]


def typed_layers() -> set[str]:
    """The modules that must be checked: each app's services (module or package) and
    selectors, and csc.lib."""
    modules = {"csc.lib"}
    for apps_py in BASE_DIR.glob("*/apps.py"):
        app = apps_py.parent
        for name in ("services", "selectors"):
            if (app / f"{name}.py").is_file() or (app / name / "__init__.py").is_file():
                modules.add(f"{app.name}.{name}")
    return modules


def test_mypy_checks_every_service_and_selector_module_and_csc_lib():
    assert typed_layers() <= set(mypy_config()["packages"])


@pytest.mark.slow
def test_mypy_finds_no_type_errors_in_the_typed_layers(monkeypatch):
    # mypy finds the listed packages, and its cache, from the project's root.
    monkeypatch.chdir(BASE_DIR)

    report, errors, status = mypy_api.run(["--config-file", str(BASE_DIR / "pyproject.toml")])

    assert status == 0, report + errors
    assert report.startswith("Success: no issues found"), report
