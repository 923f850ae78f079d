from csc.lib.masking import mask_id_number, mask_phone


def test_a_mobile_number_keeps_its_first_three_and_last_four_digits():
    assert mask_phone("13812341234") == "138****1234"


def test_a_fixed_line_number_hides_the_middle_whatever_its_length():
    assert mask_phone("01065123456") == "010****3456"
    assert mask_phone("057188886666") == "057*****6666"


def test_a_short_number_shows_only_its_last_two_digits():
    assert mask_phone("95588") == "***88"
    assert mask_phone("1234567") == "*****67"


def test_a_resident_id_hides_birth_date_and_sequence():
    assert mask_id_number("110105194912311234") == "110105********1234"
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_nothing_to_mask_gives_nothing():
    assert mask_phone("") == ""
    assert mask_id_number("") == ""
