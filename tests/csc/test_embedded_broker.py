"""The embedded run (`make run`: no Redis) keeps Celery's broker files in its var/ folder."""

import os
import subprocess
import sys

from django.conf import settings

PUBLISH = """
from csc.celery import app
with app.connection_for_write() as connection:
    app.send_task("csc.embedded_probe", connection=connection)
"""


def test_publishing_a_task_writes_only_under_the_var_folder(tmp_path):
    var_dir, elsewhere = tmp_path / "var", tmp_path / "cwd"
    elsewhere.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(CSC_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="csc.settings")
    env["PYTHONPATH"] = str(settings.BASE_DIR)

    result = subprocess.run(
        [sys.executable, "-c", PUBLISH],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert list(elsewhere.iterdir()) == []  # kombu's default ./control is not used
    broker = var_dir / "celery"
    assert [p.name for p in (broker / "control").iterdir()] == ["celery.exchange"]
    assert len(list((broker / "queue").iterdir())) == 1  # the message, waiting
