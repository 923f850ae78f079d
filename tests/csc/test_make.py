"""`make test` (what .ci/run runs) fails whenever pytest does not pass,
including when it collects no test at all (pytest's exit 5)."""

import os
import shutil
import subprocess

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make_test(pytest_args: str) -> subprocess.CompletedProcess:
    # -o: skip the install and translation steps; this checks only how the
    # recipe passes pytest's exit status on, without touching the virtualenv.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "MAKE"))}
    env["PYTEST_ARGS"] = f"-p no:cacheprovider {pytest_args}"
    return subprocess.run(
        ["make", "--no-print-directory", "-o", "install", "-o", "translations", "test"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_make_test_fails_when_no_test_is_collected():
    result = make_test("-k no_test_is_named_like_this")

    assert result.returncode != 0
    assert "pytest collected no tests" in result.stdout


def test_make_test_fails_when_a_test_fails(tmp_path):
    failing = tmp_path / "test_failing.py"
    failing.write_text("def test_fails():\n    assert 1 == 2\n")

    result = make_test(str(failing))

    assert result.returncode != 0
    assert "1 failed" in result.stdout


def test_make_test_passes_when_the_tests_pass(tmp_path):
    passing = tmp_path / "test_passing.py"
    passing.write_text("def test_passes():\n    assert 1 == 1\n")

    result = make_test(str(passing))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
