import pytest

from csc.lib.phones import InvalidPhoneNumber, is_mobile, normalise_phone


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-13800138000",
        "0086 13800138000",
        "8613800138000",
        "１３８００１３８０００",  # full-width, as a Chinese input method types it
    ],
)
def test_mobile_numbers_in_any_usual_form_become_the_same_eleven_digits(raw):
    assert normalise_phone(raw) == "13800138000"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("010-65123456", "01065123456"),  # Beijing: 3-digit area code, 8-digit number
        ("(010) 6512 3456", "01065123456"),
        ("+86 10 6512 3456", "01065123456"),  # the trunk zero is dropped after +86
        ("1065123456", "01065123456"),
        ("0571-88886666", "057188886666"),  # Hangzhou: 4-digit area code, 8-digit number
        ("0571 8888666", "05718888666"),  # 4-digit area code, 7-digit number
        ("+86 0571 88886666", "057188886666"),
        ("021-62345678", "02162345678"),
    ],
)
def test_fixed_line_numbers_keep_their_area_code_with_the_trunk_zero(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "12345",
        "1380013800",  # ten digits
        "138001380001",  # twelve digits
        "12800138000",  # no mobile network starts 12
        "010-12345678",  # local numbers never start with 1
        "010-02345678",  # nor with 0
        "0571-888866661",  # too long for its area code
        "+1 415 555 0100",
        "13800I38000",
        "abc",
        "1３８００１３８０００".replace("1", "一"),
    ],
)
def test_numbers_that_are_neither_mobile_nor_fixed_line_are_refused(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone(raw)


def test_is_mobile_tells_mobile_from_fixed_line():
    assert is_mobile("13800138000")
    assert not is_mobile("01065123456")
