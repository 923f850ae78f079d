"""Personal numbers never reach the logs (DOMAIN.md R-2): every handler masks phone
and ID numbers, the worker's too, the SMS sender logs ids only, and gunicorn's
access log leaves out query strings."""

import io
import logging
from pathlib import Path

import pytest

from csc.lib.log_scrub import PersonalDataScrubber, install_scrubber, scrub

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lookup 13812341234 done", "lookup 138****1234 done"),
        ("lookup 138 1234 1234", "lookup 138****1234"),
        ("lookup 138-1234-1234", "lookup 138****1234"),
        ("lookup +8613812341234", "lookup 138****1234"),
        ("mail 13812341234@163.com", "mail 138****1234@163.com"),
        ("?q=13812341234&page=2", "?q=138****1234&page=2"),
        ("fixed 010-65123456", "fixed 010****3456"),
        ("id 110105198001041234 ok", "id 110105********1234 ok"),
        ("id 11010519800104123X", "id 110105********123X"),
        ("DETAIL: Key (phone)=(13812341234) exists", "DETAIL: Key (phone)=(138****1234) exists"),
    ],
)
def test_phone_and_resident_id_numbers_are_masked(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ticket T20261204-000123 reassigned",
        "2026-12-04 09:30:00,123 INFO took 1733280000123 ms",
        "sha256 a13812341234b and 013812341234567",
        "customer 42 contact 7",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert scrub(text) == text


def _logged(logger_name: str, *args, exc: Exception | None = None) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PersonalDataScrubber())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        if exc is None:
            logger.warning(*args)
        else:
            try:
                raise exc
            except type(exc):
                logger.exception(*args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_the_filter_masks_the_formatted_arguments():
    out = _logged("csc.test.scrub", "SMS to %s: %s", "13812341234", "您好,张三")

    assert "13812341234" not in out
    assert "138****1234" in out


def test_the_filter_masks_exception_text():
    out = _logged("csc.test.scrub", "failed", exc=ValueError("duplicate 110105198001041234"))

    assert "110105198001041234" not in out
    assert "110105********1234" in out
    assert "ValueError" in out


def _every_handler():
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    return {handler for logger in loggers for handler in logger.handlers}


def test_every_configured_handler_scrubs():
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    # Pytest's capture handlers and libraries' NullHandlers write nowhere we keep.
    handlers = {
        handler
        for handler in _every_handler()
        if "pytest" not in type(handler).__module__ and not isinstance(handler, logging.NullHandler)
    }

    assert handlers
    for handler in handlers:
        assert any(isinstance(f, PersonalDataScrubber) for f in handler.filters), handler


def test_the_celery_workers_own_handlers_scrub_too():
    from celery.signals import after_setup_logger

    import csc.celery  # noqa: F401  (connects the signal)

    logger = logging.getLogger("csc.test.worker")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    try:
        after_setup_logger.send(
            sender=None,
            logger=logger,
            loglevel=logging.INFO,
            logfile=None,
            format="",
            colorize=False,
        )
        install_scrubber(logger)  # a second time adds nothing

        assert [type(f) for f in handler.filters] == [PersonalDataScrubber]
    finally:
        logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_delivered_sms_logs_neither_its_recipient_nor_its_text(caplog):
    from staffing.outbox import outbox_deliver, outbox_enqueue

    message = outbox_enqueue(
        channel="sms", recipient="13812341234", body="张三您好,您的投诉处理结果:退费50元"
    )
    with caplog.at_level(logging.DEBUG):
        assert outbox_deliver(message.pk)

    assert str(message.pk) in caplog.text
    for secret in ("13812341234", "张三", "退费"):
        assert secret not in caplog.text


def test_the_gunicorn_access_log_leaves_out_query_strings_and_referrers():
    config: dict = {}
    exec((BASE_DIR / "gunicorn.conf.py").read_text(), config)
    log_format = config["access_log_format"]

    for atom in ("%(r)s", "%(q)s", "%(f)s", "%({raw_uri}e)s"):
        assert atom not in log_format
    assert "%(U)s" in log_format
