"""Health free text (and handout PDFs) encrypted at rest with Fernet; keys come from ENCRYPTION_KEYS, newest first.

MultiFernet encrypts with the first key and decrypts with any of them, so a new key is added in front,
`flask rotate-keys` re-encrypts every row with it, and only then the old key is dropped.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import LargeBinary, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class DecryptionError(RuntimeError):
    """A stored value could not be decrypted with any configured key (the message holds no data)."""


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def current_fernet() -> MultiFernet:
    """The MultiFernet for the running app's ENCRYPTION_KEYS."""
    keys = current_app.config.get("ENCRYPTION_KEYS")
    if not keys:
        raise DecryptionError("ENCRYPTION_KEYS is empty: no key to encrypt or decrypt health text with.")
    return _fernet_for(tuple(keys))


def encrypt_text(plain: str) -> str:
    """A Fernet token (ASCII) for the text, made with the newest key."""
    return current_fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    """The text inside a Fernet token made with any configured key."""
    try:
        return current_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise DecryptionError(
            "A stored value could not be decrypted with any key in ENCRYPTION_KEYS "
            "(was a key removed before `flask rotate-keys` ran?)."
        ) from None


def rotate_token(token: str) -> str:
    """The same text re-encrypted with the newest key."""
    try:
        return current_fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise DecryptionError("A stored value could not be decrypted with any key in ENCRYPTION_KEYS.") from None


def encrypt_bytes(plain: bytes) -> bytes:
    """A Fernet token (ASCII bytes) for the bytes, made with the newest key."""
    return current_fernet().encrypt(plain)


def decrypt_bytes(token: bytes) -> bytes:
    """The bytes inside a Fernet token made with any configured key."""
    try:
        return current_fernet().decrypt(token)
    except InvalidToken:
        raise DecryptionError(
            "A stored file could not be decrypted with any key in ENCRYPTION_KEYS "
            "(was a key removed before `flask rotate-keys` ran?)."
        ) from None


def rotate_bytes(token: bytes) -> bytes:
    """The same bytes re-encrypted with the newest key."""
    try:
        return current_fernet().rotate(token)
    except InvalidToken:
        raise DecryptionError("A stored file could not be decrypted with any key in ENCRYPTION_KEYS.") from None


class EncryptedText(TypeDecorator[str]):
    """A str column stored as a Fernet token in a Text column; None stays NULL.

    Tokens are random, so equality filters on the stored value never match: look rows up by other
    columns and compare in Python.
    """

    impl = Text
    cache_ok = True
    render_in_migrations = "sa.Text()"  # migrations need no import of this module

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError("EncryptedText stores str values only")
        return encrypt_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return decrypt_text(value)


class EncryptedJSON(EncryptedText):
    """A JSON value (a questionnaire's answers) stored as a Fernet token of its JSON text.

    Like JSON columns, changes are seen only when the value is replaced, not changed in place."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return super().process_bind_param(json.dumps(value, separators=(",", ":"), sort_keys=True), dialect)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        text = super().process_result_value(value, dialect)
        return None if text is None else json.loads(text)


class EncryptedBytes(TypeDecorator[bytes]):
    """A bytes column (a handout PDF) stored as the Fernet token of the bytes in a binary column; None stays NULL.

    Checksums and sizes kept beside such a value are of the plain bytes, so what is served can be verified."""

    impl = LargeBinary
    cache_ok = True
    render_in_migrations = "sa.LargeBinary()"

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError("EncryptedBytes stores bytes values only")
        return encrypt_bytes(bytes(value))

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return decrypt_bytes(bytes(value))
