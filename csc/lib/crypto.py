"""Personal data encrypted at rest, and found again without decrypting (DOMAIN.md R-2).

Values are encrypted with Fernet (AES-128-CBC with an HMAC-SHA256 tag, from
`cryptography`). `settings.PERSONAL_DATA_KEYS` lists the keys newest first: the
first encrypts, every one of them decrypts, so a key is rotated by putting a
new one in front and re-encrypting what the old one wrote (`reencrypt`).

An encrypted value cannot be searched, so a value that must be found by exact
match also gets a blind index: an HMAC-SHA256 of it under
`settings.PERSONAL_DATA_INDEX_KEY`. Equal values have equal indexes, and
without the key the index reveals nothing (a bare hash of an 18-character ID
number could be brute-forced).
"""

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UndecryptableValue(ImproperlyConfigured):
    """No configured key decrypts the value: a key was dropped before re-encryption."""


@functools.lru_cache(maxsize=4)
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, MultiFernet]:
    if not keys:
        raise ImproperlyConfigured("PERSONAL_DATA_KEYS is empty.")
    try:
        fernets = [Fernet(key.strip().encode()) for key in keys]
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "Each of PERSONAL_DATA_KEYS must be a Fernet key: 32 url-safe base64-encoded bytes "
            '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key()'
            '.decode())").'
        ) from None
    return fernets[0], MultiFernet(fernets)


def _keys() -> tuple[Fernet, MultiFernet]:
    return _fernets(tuple(settings.PERSONAL_DATA_KEYS))


@functools.lru_cache(maxsize=4)
def _index_key(key: str) -> bytes:
    if len(key) < 32:
        raise ImproperlyConfigured("PERSONAL_DATA_INDEX_KEY must have at least 32 characters.")
    return key.encode()


def _bytes(text: str) -> bytes:
    # Any str round-trips, even a lone surrogate from JSON input still to be validated.
    return text.encode("utf-8", "surrogatepass")


def check_keys() -> None:
    """Raise ImproperlyConfigured if a key is missing or malformed."""
    _keys()
    _index_key(settings.PERSONAL_DATA_INDEX_KEY)


def encrypt(plain: str) -> str:
    """The value encrypted with the newest key ("" stays "")."""
    if not plain:
        return ""
    return _keys()[1].encrypt(_bytes(plain)).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _keys()[1].decrypt(token.encode()).decode("utf-8", "surrogatepass")
    except InvalidToken:
        raise UndecryptableValue(
            "No key in PERSONAL_DATA_KEYS decrypts a stored value; "
            "keep the old keys until rotate_personal_data_keys has run."
        ) from None


def encrypted_with_newest_key(token: str) -> bool:
    if not token:
        return True
    try:
        _keys()[0].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reencrypt(token: str) -> str:
    """The same value encrypted with the newest key."""
    if not token:
        return ""
    return encrypt(decrypt(token))


def blind_index(plain: str) -> str:
    """A keyed digest for exact lookups; the caller normalises the value first."""
    if not plain:
        return ""
    key = _index_key(settings.PERSONAL_DATA_INDEX_KEY)
    return hmac.new(key, _bytes(plain), hashlib.sha256).hexdigest()
