"""The Celery application; tasks live in each app's tasks.py."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

from csc.lib.log_scrub import install_scrubber

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc.settings")

app = Celery("csc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_embedded_broker_dirs(sender: Celery, **kwargs: object) -> None:
    # The filesystem transport needs its folders before the first message.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


@after_setup_logger.connect
@after_setup_task_logger.connect
def _scrub_worker_logs(logger, **kwargs: object) -> None:
    # The worker replaces the root logger's handlers with its own: they mask
    # personal numbers too (csc/lib/log_scrub.py).
    install_scrubber(logger)
