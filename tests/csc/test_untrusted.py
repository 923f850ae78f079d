"""csc.lib.untrusted: what no request may carry."""

import json

from csc.lib.untrusted import (
    MAX_JSON_DEPTH,
    first_unstorable_field,
    is_unstorable,
    json_too_deep,
    unstorable_path,
)


def test_nul_and_lone_surrogates_are_unstorable_but_astral_characters_are_fine():
    assert is_unstorable("a\x00b")
    assert is_unstorable("\ud800") and is_unstorable("x\udfff")
    assert not is_unstorable(json.loads('"\\ud83d\\ude00"'))  # a valid pair is one emoji
    assert not is_unstorable("王芳 13800138000")


def test_depth_counts_arrays_and_objects_but_not_brackets_in_strings():
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH

    assert not json_too_deep(at_limit)
    assert json_too_deep("[" + at_limit + "]")
    assert not json_too_deep(json.dumps({"a": "[[[[" * 100, "b": '"{{{' * 100}))
    assert json_too_deep('{"a": "\\"]]]", "b": ' + "[" * 40 + "]" * 40 + "}")


def test_the_path_names_the_first_bad_string_in_nested_json():
    data = {"a": "ok", "items": [{"name": "ok"}, {"name": "\x00"}]}

    assert unstorable_path(data) == "items[1].name"
    assert unstorable_path({"ok": ["fine", 1, None, True]}) is None
    assert unstorable_path("\ud800") == ""
    assert unstorable_path({"\x00": 1}) == ""


def test_form_pairs_name_the_bad_field_or_blank_for_a_bad_name():
    assert first_unstorable_field([("q", "ok"), ("phone", "138\x00")]) == "phone"
    assert first_unstorable_field([("q\x00", "ok")]) == ""
    assert first_unstorable_field([("q", "ok")]) is None


def test_csv_cells_that_would_start_a_formula_are_kept_as_text():
    import io

    from csc.lib.untrusted import spreadsheet_csv_writer

    out = io.StringIO()
    spreadsheet_csv_writer(out).writerows(
        [["=1+2", "+86", "-x", "@SUM(A1)", "\tTAB", "普通", 5, -3, None]]
    )
    assert out.getvalue().strip() == "'=1+2,'+86,'-x,'@SUM(A1),'\tTAB,普通,5,-3,"
