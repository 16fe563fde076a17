"""Personal data at rest and on screen: encryption, keyed hashes and masking.

Phones and ID numbers are encrypted with Fernet (AES-128-CBC + HMAC) under the keys in
settings.FIELD_ENCRYPTION_KEYS; the first key encrypts, every key decrypts, so keys can be
rotated. Lookups by value use an HMAC under settings.FIELD_HASH_KEY, never the plaintext.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt(value: str) -> str:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS)).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS)).decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong key must fail loudly, not show ciphertext
        raise ValueError("cannot decrypt a personal-data field: wrong FIELD_ENCRYPTION_KEY?") from exc


def keyed_hash(value: str) -> str:
    return hmac.new(settings.FIELD_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """A text value stored encrypted. Not filterable by value: use a keyed-hash column for that."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") == "":
            kwargs.pop("default")
        return name, path, args, kwargs


def mask_phone(value: str | None) -> str:
    """138****5678 for mobiles; keep area code and last 2 digits of a landline."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) == 11 and digits.isdigit():
        return f"{digits[:3]}****{digits[-4:]}"
    return f"{digits[:4]}{'*' * (len(digits) - 6)}{digits[-2:]}"


def mask_id_number(value: str | None) -> str:
    """330482********123X: the region code and the last four characters stay visible."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_name(value: str | None) -> str:
    """王** : the family name stays, the given name is hidden."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def public_person_in_charge(*, name: str, registered: bool) -> str:
    """The name the public may see. A registered organization's legal representative is
    public registry information; the person in charge of a community group filed by a town
    is a private resident, so the public sees only the family name."""
    return name if registered else mask_name(name)
