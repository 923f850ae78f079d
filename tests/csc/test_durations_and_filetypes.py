"""The pure helpers behind limits typed in the admin and evidence checked by content."""

import pytest
from django.utils import translation

from complaints.filetypes import Family, Verdict, check_file
from csc.lib.durations import DurationTextError, format_minutes, parse_duration_text
from tests.samples import EXE, MP3, MP3_FRAME, PDF, PNG, WAV


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2 days", 2880),
        ("36 hours", 2160),
        ("1 day 12 hours", 2160),
        ("1 day, 2 hours and 30 minutes", 1590),
        ("1.5 days", 2160),
        ("36h", 2160),
        ("48 Hours", 2880),
        ("10 min", 10),
        ("2天", 2880),
        ("36小时", 2160),
        ("1天12小时", 2160),
        ("10分钟", 10),
    ],
)
def test_limits_are_read_as_people_type_them(text, minutes):
    assert parse_duration_text(text) == minutes


@pytest.mark.parametrize("text", ["", "36", "two days", "2 weeks", "0 min", "0.5 min", "2 days x"])
def test_a_limit_without_a_number_and_a_unit_is_refused_with_a_reason(text):
    with pytest.raises(DurationTextError) as refused:
        parse_duration_text(text)
    assert str(refused.value)


def test_limits_are_shown_in_the_largest_whole_unit():
    with translation.override("en"):
        assert [format_minutes(m) for m in (2880, 2160, 90, 10)] == [
            "2 days",
            "36 hours",
            "90 minutes",
            "10 minutes",
        ]


AUDIO = {Family.AUDIO}


@pytest.mark.parametrize(
    ("name", "head", "families", "verdict"),
    [
        ("call.mp3", MP3, AUDIO, Verdict.ACCEPTED),
        ("call.mp3", MP3_FRAME, AUDIO, Verdict.ACCEPTED),
        ("call.wav", WAV, AUDIO, Verdict.ACCEPTED),
        ("call.mp3", EXE, AUDIO, Verdict.CONTENT_MISMATCH),
        ("call.mp3", PNG, AUDIO, Verdict.CONTENT_MISMATCH),
        ("call.wav", b"RIFF\x00\x00\x00\x00AVI LIST", AUDIO, Verdict.CONTENT_MISMATCH),
        ("call.exe", EXE, AUDIO, Verdict.TYPE_NOT_ALLOWED),
        ("bill.pdf", PDF, AUDIO, Verdict.TYPE_NOT_ALLOWED),
        ("bill.pdf", PDF, {Family.PDF}, Verdict.ACCEPTED),
        ("bill.PNG", PNG, {Family.IMAGE}, Verdict.ACCEPTED),
        ("bill.jpg", PNG, {Family.IMAGE}, Verdict.CONTENT_MISMATCH),
        ("chat.txt", "你好".encode("gb18030"), {Family.TEXT}, Verdict.ACCEPTED),
        ("chat.txt", EXE, {Family.TEXT}, Verdict.CONTENT_MISMATCH),
        ("noextension", b"text", {Family.TEXT}, Verdict.TYPE_NOT_ALLOWED),
    ],
)
def test_a_file_is_what_its_name_says_only_when_its_content_agrees(name, head, families, verdict):
    assert check_file(name, head, families).verdict == verdict
