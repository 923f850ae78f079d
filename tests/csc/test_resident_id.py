import pytest

from csc.lib.resident_id import InvalidResidentId, check_code, normalise_resident_id

# A well-known sample number from GB 11643-1999: check digit X.
VALID_WITH_X = "11010519491231002X"
VALID = "110105198001010016"


def test_check_code_follows_the_iso_7064_weights():
    assert check_code("11010519491231002") == "X"
    assert check_code("11010519800101001") == "6"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (VALID, VALID),
        (VALID_WITH_X, VALID_WITH_X),
        ("11010519491231002x", VALID_WITH_X),  # a lower-case x is the same number
        (" 110105 19491231 002X ", VALID_WITH_X),
        ("１１０１０５１９４９１２３１００２Ｘ", VALID_WITH_X),  # full-width input
    ],
)
def test_valid_numbers_are_normalised(raw, expected):
    assert normalise_resident_id(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "11010519491231002", "1101051949123100200", "11010519491231002Y", "X10105194912310020"],
)
def test_a_number_without_17_digits_and_a_final_digit_or_x_has_the_wrong_shape(raw):
    with pytest.raises(InvalidResidentId, match="shape"):
        normalise_resident_id(raw)


def _with_check(first17: str) -> str:
    return first17 + check_code(first17)


@pytest.mark.parametrize(
    "first17",
    [
        "11010519800230001",  # 30 February
        "11010519801301001",  # month 13
        "11010518991231001",  # before 1900
        "11010530000101001",  # in the future
    ],
)
def test_a_birth_date_that_is_not_a_real_past_date_is_refused(first17):
    with pytest.raises(InvalidResidentId, match="birth_date"):
        normalise_resident_id(_with_check(first17))


def test_a_wrong_check_digit_is_refused():
    with pytest.raises(InvalidResidentId, match="checksum"):
        normalise_resident_id("110105194912310021")
