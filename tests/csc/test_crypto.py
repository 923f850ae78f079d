"""csc.lib.crypto: encryption with rotating keys and a keyed blind index."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from csc.lib import crypto

ID_NUMBER = "11010519491231002X"


def test_a_value_round_trips_and_empty_stays_empty():
    token = crypto.encrypt(ID_NUMBER)

    assert ID_NUMBER not in token
    assert crypto.decrypt(token) == ID_NUMBER
    assert crypto.encrypt("") == crypto.decrypt("") == crypto.blind_index("") == ""


def test_the_newest_key_encrypts_and_every_key_decrypts(settings):
    old_key, new_key = settings.PERSONAL_DATA_KEYS[0], Fernet.generate_key().decode()
    old_token = crypto.encrypt(ID_NUMBER)
    settings.PERSONAL_DATA_KEYS = [new_key, old_key]

    new_token = crypto.encrypt(ID_NUMBER)

    assert crypto.decrypt(old_token) == crypto.decrypt(new_token) == ID_NUMBER
    assert not crypto.encrypted_with_newest_key(old_token)
    assert crypto.encrypted_with_newest_key(new_token)
    rotated = crypto.reencrypt(old_token)
    assert Fernet(new_key.encode()).decrypt(rotated.encode()).decode() == ID_NUMBER


def test_a_dropped_key_makes_its_values_undecryptable(settings):
    token = crypto.encrypt(ID_NUMBER)
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(crypto.UndecryptableValue):
        crypto.decrypt(token)


def test_equal_values_get_equal_indexes_and_the_index_reveals_no_digits():
    index = crypto.blind_index(ID_NUMBER)

    assert index == crypto.blind_index(ID_NUMBER) != crypto.blind_index("110105194912311234")
    assert "19491231" not in index


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("PERSONAL_DATA_KEYS", ["not-a-key"], "must be a Fernet key"),
        ("PERSONAL_DATA_KEYS", [], "is empty"),
        ("PERSONAL_DATA_INDEX_KEY", "short", "at least 32 characters"),
    ],
)
def test_malformed_keys_are_refused_with_a_reason(settings, name, value, message):
    setattr(settings, name, value)

    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.check_keys()


def test_any_text_round_trips_even_a_lone_surrogate_from_json_input():
    odd = "11010519491231\ud800"

    assert crypto.decrypt(crypto.encrypt(odd)) == odd
    assert crypto.blind_index(odd) != crypto.blind_index("11010519491231")
