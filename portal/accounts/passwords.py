"""Password rules and hashing: plain functions, no app needed."""

from __future__ import annotations

from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 128

# The most used passwords of at least MIN_LENGTH characters; anything here is refused outright.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "0987654321",
        "1111111111",
        "1q2w3e4r5t",
        "qwertyuiop",
        "asdfghjkl;",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou12",
        "1qaz2wsx3edc",
        "qwerty1234",
        "qwerty12345",
        "abcdefghij",
        "abc1234567",
        "letmein123",
        "welcome123",
        "changeme12",
        "football12",
        "princess12",
        "sunshine12",
        "migraine123",
        "zaq12wsxcde",
        "qwertyuiop123",
        "administrator",
    }
)


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Every reason this password is not good enough, in plain words; empty when it is fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append("This password is too easy to guess. Try a few words you will remember.")
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        problems.append("Don't use your e-mail address in your password.")
    elif name and len(name) >= 4 and name.lower().replace(" ", "") == lowered.replace(" ", ""):
        problems.append("Don't use your name as your password.")
    return problems


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("a password nobody has, used to even out timing")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash (unknown e-mail) it spends the same time and fails."""
    if password_hash is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)
